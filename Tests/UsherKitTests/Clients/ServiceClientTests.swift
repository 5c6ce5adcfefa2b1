import AsyncHTTPClient
import Foundation
import Logging
import Testing
import UsherCore
import UsherFakes

@testable import UsherKit

/// A client for a fake service, with quick retries so failure tests stay fast.
func serviceClient(
    _ name: String, url: String, header: String = "X-Api-Key", key: String,
    attempts: Int = 3, timeout: Duration = .seconds(5)
) -> ServiceClient {
    ServiceClient(
        endpoint: ServiceEndpoint(name: name, baseURL: url, credentialHeader: header, credential: key),
        http: TestHTTP.client,
        policy: RetryPolicy(attempts: attempts, backoff: .milliseconds(5), timeout: timeout),
        logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
}

@Suite("Service clients against in-process fakes")
struct ServiceClientTests {
    @Test func sonarrCallsWithURLBaseAndKeyInAHeader() async throws {
        let sonarr = try await FakeSonarr.start(urlBase: "/sonarr")
        defer { Task { await sonarr.stop() } }
        sonarr.add(
            SonarrSeries(id: 7, title: "24", path: "/tv/24", tvdbId: 76290),
            episodes: [SonarrEpisode(id: 70, seriesId: 7, seasonNumber: 0, episodeNumber: 9, title: "Redemption")])
        let client = SonarrClient(client: serviceClient("sonarr main", url: sonarr.url, key: sonarr.apiKey))
        let status = try await client.status()
        #expect(status.appName == "Sonarr")
        #expect(try await client.series().map(\.tvdbId) == [76290])
        let specials = try await client.episodes(seriesID: 7)
        #expect(specials.first?.title == "Redemption")
        let naming = try await client.namingConfig()
        #expect(naming.namingScheme(seriesType: "standard").specialsFolderFormat == "Specials")
        // The key travels in the header, never in the URL.
        #expect(sonarr.requests.allSatisfy { $0.header("X-Api-Key") == sonarr.apiKey && $0.query("apikey") == nil })
        #expect(sonarr.requests.map(\.path) == ["/api/v3/system/status", "/api/v3/series", "/api/v3/episode", "/api/v3/config/naming"])
    }

    @Test func wrongKeyIsAClearErrorWithoutTheKey() async throws {
        let sonarr = try await FakeSonarr.start()
        defer { Task { await sonarr.stop() } }
        let client = SonarrClient(client: serviceClient("sonarr main", url: sonarr.url, key: "wrong-key-123"))
        do {
            _ = try await client.series()
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .unauthorized)
            #expect(error.status == 401)
            #expect(error.description.contains("sonarr main: GET http://127.0.0.1:\(sonarr.server.port)/api/v3/series answered 401"))
            #expect(!error.description.contains("wrong-key-123"))
        }
        #expect(sonarr.requests.count == 1, "a 401 is not retried")
    }

    @Test func serverErrorsAreRetriedThenReported() async throws {
        let sonarr = try await FakeSonarr.start()
        defer { Task { await sonarr.stop() } }
        let client = SonarrClient(client: serviceClient("sonarr", url: sonarr.url, key: sonarr.apiKey, attempts: 3))
        sonarr.failNext("/api/v3/series", status: 503, count: 2)
        #expect(try await client.series().isEmpty)
        #expect(sonarr.requests.count == 3)
        sonarr.failNext("/api/v3/series", status: 500, count: 3)
        await #expect { try await client.series() } throws: { ($0 as? ServiceError)?.kind == .server }
        #expect(sonarr.requests.count == 6)
    }

    @Test func notFoundAndBadJSONAreNamed() async throws {
        let server = try await FakeHTTPServer.start { request in
            request.path == "/api/v3/series" ? FakeResponse(status: 200, body: Data("{\"not\": \"a list\"}".utf8)) : .error(404, "nope")
        }
        defer { Task { await server.stop() } }
        let client = SonarrClient(client: serviceClient("sonarr", url: server.baseURL, key: "k"))
        await #expect { try await client.series() } throws: { error in
            let e = error as! ServiceError
            return e.kind == .badResponse && e.message.contains("not the JSON expected") && e.excerpt?.contains("not") == true
        }
        await #expect { try await client.status() } throws: { ($0 as? ServiceError)?.kind == .notFound }
    }

    @Test func nothingListeningIsUnreachableAfterRetries() async throws {
        // A port bound but not listening, held for the test (see `HeldPort`).
        let held = HeldPort()
        let client = SonarrClient(client: serviceClient("sonarr", url: held.url, key: "k", attempts: 2))
        await #expect { try await client.series() } throws: { ($0 as? ServiceError)?.kind == .unreachable }
        withExtendedLifetime(held) {}
    }

    @Test func slowAnswerTimesOut() async throws {
        let server = try await FakeHTTPServer.start { _ in
            try? await Task.sleep(for: .seconds(2))
            return FakeResponse(status: 200, body: Data("[]".utf8))
        }
        defer { Task { await server.stop() } }
        let client = SonarrClient(client: serviceClient("sonarr", url: server.baseURL, key: "k", attempts: 1, timeout: .milliseconds(200)))
        await #expect { try await client.series() } throws: { ($0 as? ServiceError)?.kind == .timeout }
    }

    @Test func tagsAreLowercasedAndNotDuplicated() async throws {
        let radarr = try await FakeRadarr.start()
        defer { Task { await radarr.stop() } }
        radarr.add(RadarrMovie(id: 1, title: "24: Redemption", year: 2008, tmdbId: 13989))
        let client = RadarrClient(client: serviceClient("radarr", url: radarr.url, key: radarr.apiKey))
        let tag = try await client.createTag("Usher-Linked")
        #expect(tag.label == "usher-linked")
        #expect(try await client.createTag("usher-linked").id == tag.id)
        try await client.editTags(movieIDs: [1], tagIDs: [tag.id], apply: "add")
        #expect(try await client.movies().first?.tags == [tag.id])
        #expect(radarr.requests.filter { $0.method == "POST" }.count == 2)
    }

    @Test func plexSectionsAndPartialScan() async throws {
        let plex = try await FakePlex.start(sections: [
            .init(key: "1", type: "movie", title: "Movies", locations: ["/storage/movies"]),
            .init(key: "2", type: "show", title: "TV Shows", locations: ["/storage/tv", "/storage/anime"]),
        ])
        defer { Task { await plex.stop() } }
        let client = PlexClient(client: serviceClient("plex", url: plex.url, header: "X-Plex-Token", key: plex.token))
        let sections = try await client.sections()
        #expect(sections.map(\.locations) == [["/storage/movies"], ["/storage/tv", "/storage/anime"]])
        try await client.refresh(section: "2", path: "/storage/tv/24 & Co/Season 00")
        #expect(plex.refreshes.map(\.path) == ["/storage/tv/24 & Co/Season 00"])
    }
}
