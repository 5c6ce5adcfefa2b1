import Foundation
import Logging
import Testing
import UsherCore
import UsherFakes

@testable import UsherKit

private func tautulliClient(_ fake: FakeTautulli, key: String? = nil) -> TautulliClient {
    TautulliClient(
        client: ServiceClient(
            endpoint: ServiceEndpoint(
                name: "tautulli", baseURL: fake.url, credentialHeader: "X-Unused", credential: key ?? fake.apiKey, credentialQueryName: "apikey"),
            http: TestHTTP.client, policy: RetryPolicy(attempts: 1, timeout: .seconds(5)),
            logger: .init(label: "test") { _ in SwiftLogNoOpLogHandler() }))
}

@Suite("Tautulli: watch history")
struct TautulliTests {
    @Test(.enabled(if: Contracts.isAvailable, Contracts.missingComment))
    func capturedHistoryDecodes() throws {
        struct Envelope: Decodable {
            struct Response: Decodable { struct Data: Decodable { var data: [TautulliHistoryRow] }; var data: Data }
            var response: Response
        }
        let rows = try JSONDecoder().decode(Envelope.self, from: Contracts.fixture("tautulli-constructed/get_history.episode.json")).response.data.data
        #expect(rows.count == 2)
        let event = try #require(rows.first?.watchEvent)
        #expect(event.user == "DanyKhaleesi69")
        #expect(event.show == "351" && event.showTitle == "Game of Thrones")
        #expect(event.episode == EpisodeNumber(season: 6, episode: 1))
        #expect(event.percentComplete == 84)
        #expect(event.watchedAt == 1462688370)
    }

    @Test(.enabled(if: Contracts.isAvailable, Contracts.missingComment))
    func theFakeSendsOnlyKeysTautulliSends() async throws {
        let fixture = try JSONSerialization.jsonObject(with: Contracts.fixture("tautulli-constructed/get_history.episode.json")) as? [String: Any]
        let real = (((fixture?["response"] as? [String: Any])?["data"] as? [String: Any])?["data"] as? [[String: Any]])?.first
        let realKeys = Set(try #require(real).keys)
        let fake = try await FakeTautulli.start()
        defer { Task { await fake.stop() } }
        fake.add([
            TautulliHistoryRow(
                user: "ann", userID: 1, ratingKey: 10, grandparentRatingKey: 3, grandparentTitle: "Show",
                parentMediaIndex: 1, mediaIndex: 2, percentComplete: 95, date: 1_800_000_000, stopped: 1_800_002_000, guid: "plex://episode/1")
        ])
        let answer = try await tautulliClient(fake).client.send("GET", "/api/v2", query: [("cmd", "get_history"), ("media_type", "episode")])
        let body = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
        let response = try #require(body?["response"] as? [String: Any])
        #expect(response["result"] as? String == "success")
        let data = try #require(response["data"] as? [String: Any])
        #expect(Set(data.keys).isSubset(of: ["recordsFiltered", "recordsTotal", "draw", "data", "filter_duration", "total_duration"]))
        let row = try #require((data["data"] as? [[String: Any]])?.first)
        #expect(Set(row.keys).isSubset(of: realKeys), "\(Set(row.keys).subtracting(realKeys))")
    }

    @Test func historyIsReadInPagesSinceTheDay() async throws {
        let fake = try await FakeTautulli.start()
        defer { Task { await fake.stop() } }
        let day: Int64 = 86_400
        let start: Int64 = 1_799_971_200  // 2027-01-15, UTC midnight
        fake.add(
            (0..<2_300).map { i in
                TautulliHistoryRow(
                    user: "u\(i % 3)", grandparentRatingKey: i % 7, grandparentTitle: "Show \(i % 7)", parentMediaIndex: 1, mediaIndex: i % 10 + 1,
                    percentComplete: 90, date: start + Int64(i) * 60, stopped: start + Int64(i) * 60 + 30)
            })
        fake.add([TautulliHistoryRow(user: "old", grandparentRatingKey: 1, parentMediaIndex: 1, mediaIndex: 1, percentComplete: 100, date: start - 2 * day)])
        fake.add([TautulliHistoryRow(user: "film", mediaType: "movie", ratingKey: 5, percentComplete: 100, date: start + 10)])
        let rows = try await tautulliClient(fake).history(after: "2027-01-15", pageSize: 1000)
        #expect(rows.count == 2_300)
        #expect(!rows.contains { $0.user == "old" || $0.user == "film" })
        let calls = fake.requests.filter { $0.query("cmd") == "get_history" }
        #expect(calls.map { $0.query("start") } == ["0", "1000", "2000"])
        #expect(calls.allSatisfy { $0.query("apikey") == fake.apiKey && $0.header("X-Unused") == nil })
    }

    @Test func metadataGivesTheTVDBID() async throws {
        let fake = try await FakeTautulli.start()
        defer { Task { await fake.stop() } }
        fake.setMetadata(
            TautulliMetadata(
                ratingKey: 1219, title: "Game of Thrones", libraryName: "TV Shows",
                guids: ["imdb://tt0944947", "tmdb://1399", "tvdb://121361"]), for: 1219)
        let show = try await tautulliClient(fake).metadata(ratingKey: 1219)
        #expect(show.tvdbID == 121361 && show.ratingKey == 1219 && show.libraryName == "TV Shows")
        #expect(try await tautulliClient(fake).metadata(ratingKey: 9).tvdbID == nil, "an unknown key has no ids")
    }

    @Test func wrongKeyIsClearAndTheKeyNeverShows() async throws {
        let fake = try await FakeTautulli.start()
        defer { Task { await fake.stop() } }
        await #expect { try await tautulliClient(fake, key: "wrong-tautulli-key").history(after: "2027-01-01") } throws: { error in
            guard let error = error as? ServiceError else { return false }
            let text = error.description
            return error.kind == .unauthorized && text.contains("apikey=[redacted]") && text.contains("Invalid apikey") && !text.contains("wrong-tautulli-key")
        }
    }
}
