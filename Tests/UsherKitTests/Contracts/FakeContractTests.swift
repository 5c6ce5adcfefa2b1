import Foundation
import Logging
import Testing
import UsherCore
import UsherFakes

@testable import UsherKit

/// Every body the fakes answer with must fit the official OpenAPI schemas, so tests against the fakes
/// say something about the real servers.
@Suite("Fakes answer as the real APIs do", .enabled(if: Contracts.isAvailable, Contracts.missingComment))
struct FakeContractTests {
    /// Sends one request and checks the answer against the operation's declared schema, and against
    /// `schema` where the spec declares none (Swashbuckle leaves many out).
    func check(
        _ client: ServiceClient, _ contract: OpenAPIContract, _ method: String, _ path: String,
        query: [(String, String)] = [], body: Data? = nil, schema: String?, status: Int
    ) async throws {
        let response = try await client.send(method, path, query: query, json: body)
        #expect(response.status == status, "\(method) \(path)")
        let fullPath = path + ServiceClient.encode(query)
        var violations = contract.violations(of: response.body, forResponseOf: method, path: fullPath, status: status)
        if let schema { violations += contract.violations(of: response.body, against: schema) }
        #expect(violations.isEmpty, "\(method) \(path): \(violations.prefix(5))")
    }

    @Test func sonarrV4() async throws {
        let contract = try OpenAPIContract(specAt: Contracts.spec("sonarr/sonarr-v3-openapi.v4.0.19.2979.json"))
        let sonarr = try await FakeSonarr.start(urlBase: "/sonarr")
        defer { Task { await sonarr.stop() } }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("usher-contract-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/Season 00", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = FileManager.default.createFile(atPath: folder + "/Season 00/24 - S00E09 - Redemption Bluray-1080p.mkv", contents: Data("x".utf8))
        sonarr.add(
            SonarrSeries(id: 7, title: "24", path: folder, tvdbId: 76290, year: 2001, seriesType: "standard", monitored: true, tags: []),
            episodes: [
                SonarrEpisode(
                    id: 70, seriesId: 7, tvdbId: 1, episodeFileId: 0, seasonNumber: 0, episodeNumber: 9,
                    title: "Redemption", hasFile: false, monitored: true)
            ])
        let client = serviceClient("sonarr", url: sonarr.url, key: sonarr.apiKey)
        try await check(client, contract, "GET", "/api/v3/system/status", schema: "SystemResource", status: 200)
        try await check(client, contract, "GET", "/api/v3/series", schema: "SeriesResource", status: 200)
        try await check(client, contract, "GET", "/api/v3/series/7", schema: "SeriesResource", status: 200)
        try await check(client, contract, "GET", "/api/v3/config/naming", schema: "NamingConfigResource", status: 200)
        try await check(
            client, contract, "POST", "/api/v3/command", body: Data(#"{"name":"RescanSeries","seriesId":7}"#.utf8), schema: "CommandResource", status: 201)
        try await check(client, contract, "GET", "/api/v3/command", schema: "CommandResource", status: 200)
        try await check(client, contract, "GET", "/api/v3/episode", query: [("seriesId", "7")], schema: "EpisodeResource", status: 200)
        try await check(client, contract, "GET", "/api/v3/episodefile", query: [("seriesId", "7")], schema: "EpisodeFileResource", status: 200)
        try await check(client, contract, "POST", "/api/v3/tag", body: Data(#"{"label":"Usher-Linked"}"#.utf8), schema: "TagResource", status: 201)
        try await check(client, contract, "GET", "/api/v3/tag", schema: "TagResource", status: 200)
        try await check(
            client, contract, "PUT", "/api/v3/series/editor", body: Data(#"{"seriesIds":[7],"tags":[1],"applyTags":"add"}"#.utf8), schema: "SeriesResource",
            status: 202)
        try await check(
            client, contract, "PUT", "/api/v3/episode/monitor", body: Data(#"{"episodeIds":[70],"monitored":false}"#.utf8), schema: "EpisodeResource",
            status: 202)
        let series = try await SonarrClient(client: client).series()
        #expect(series.first?.tags == [1])
        // The rescan found the file: the episode now has it.
        let episodes = try await SonarrClient(client: client).episodes(seriesID: 7)
        #expect(episodes.first?.hasFile == true)
        #expect(episodes.first?.monitored == false)
        let files = try await SonarrClient(client: client).episodeFiles(seriesID: 7)
        #expect(files.first?.relativePath == "Season 00/24 - S00E09 - Redemption Bluray-1080p.mkv")
        #expect(files.first?.quality?.quality?.name == "Bluray-1080p")
        // The history an incremental link pass reads: its newest record, and the records since a date.
        try sonarr.renameEpisodeFile(id: try #require(files.first?.id), to: folder + "/Season 00/24 - S00E09 - Redemption [Bluray-1080p].mkv")
        try await check(
            client, contract, "GET", "/api/v3/history", query: [("page", "1"), ("pageSize", "1"), ("sortKey", "date"), ("sortDirection", "descending")],
            schema: "HistoryResourcePagingResource", status: 200)
        try await check(client, contract, "GET", "/api/v3/history/since", query: [("date", "2000-01-01T00:00:00Z")], schema: "HistoryResource", status: 200)
        let newest = try await client.newestHistory()
        #expect(newest?.eventType == "episodeFileRenamed" && newest?.seriesId == 7 && newest?.episodeId == 70)
        #expect(try await client.history(since: try #require(newest?.date)).map(\.id) == [newest?.id])
        // What the real server refuses, the fake refuses.
        await #expect { try await client.send("GET", "/api/v3/episode") } throws: { ($0 as? ServiceError)?.status == 400 }
        await #expect { try await client.send("GET", "/api/v3/history/since") } throws: { ($0 as? ServiceError)?.status == 400 }
    }

    /// What `usher prefetch` reads and sends: alternate titles, air times and runtimes, the paged queue, searches.
    @Test func sonarrV4Prefetch() async throws {
        let contract = try OpenAPIContract(specAt: Contracts.spec("sonarr/sonarr-v3-openapi.v4.0.19.2979.json"))
        let sonarr = try await FakeSonarr.start()
        defer { Task { await sonarr.stop() } }
        sonarr.add(
            SonarrSeries(
                id: 5, title: "Dark", path: "/tv/Dark", tvdbId: 281670, year: 2017, tags: [],
                alternateTitles: [SonarrAlternateTitle(title: "Dark (2017)", seasonNumber: -1)]),
            episodes: (1...3).map {
                SonarrEpisode(
                    id: 50 + $0, seriesId: 5, episodeFileId: 0, seasonNumber: 1, episodeNumber: $0, title: "E\($0)",
                    hasFile: false, monitored: true, airDate: "2017-12-01", airDateUtc: "2017-12-01T08:00:00Z", runtime: 52)
            })
        sonarr.withState { fake in
            fake.queue = (1...3).map {
                SonarrQueueRecord(
                    id: 900 + $0, seriesId: 5, episodeId: 50 + $0, seasonNumber: 1, title: "Dark.S01", status: "downloading",
                    trackedDownloadState: "downloading", downloadId: "SABnzbd_nzo_abc", downloadClient: "SABnzbd", protocol: "usenet")
            }
        }
        let client = serviceClient("sonarr", url: sonarr.url, key: sonarr.apiKey)
        try await check(client, contract, "GET", "/api/v3/series", schema: "SeriesResource", status: 200)
        try await check(client, contract, "GET", "/api/v3/episode", query: [("seriesId", "5")], schema: "EpisodeResource", status: 200)
        try await check(
            client, contract, "GET", "/api/v3/queue", query: [("page", "2"), ("pageSize", "2")], schema: "QueueResourcePagingResource", status: 200)
        try await check(
            client, contract, "POST", "/api/v3/command", body: Data(#"{"name":"EpisodeSearch","episodeIds":[52,53]}"#.utf8), schema: "CommandResource",
            status: 201)
        try await check(
            client, contract, "POST", "/api/v3/command", body: Data(#"{"name":"SeasonSearch","seriesId":5,"seasonNumber":1}"#.utf8), schema: "CommandResource",
            status: 201)
        // Paged as Sonarr pages: two pages of two read the three records once each.
        let records = try await SonarrClient(client: client).queue(pageSize: 2)
        #expect(records.map(\.episodeId) == [51, 52, 53])
        #expect(sonarr.requests.filter { $0.path == "/api/v3/queue" }.count == 3)
        let series = try await SonarrClient(client: client).series()
        #expect(series.first?.alternateTitles?.first?.title == "Dark (2017)")
        let episodes = try await SonarrClient(client: client).episodes(seriesID: 5)
        #expect(episodes.first?.airDateUtc == "2017-12-01T08:00:00Z" && episodes.first?.runtime == 52)
        #expect(sonarr.episodeSearches == [[52, 53]])
        // An EpisodeSearch without episodes is refused, as Sonarr's validator does.
        await #expect { try await client.send("POST", "/api/v3/command", json: Data(#"{"name":"EpisodeSearch","episodeIds":[]}"#.utf8)) } throws: {
            ($0 as? ServiceError)?.status == 400
        }
    }

    @Test func radarrV6() async throws {
        let contract = try OpenAPIContract(specAt: Contracts.spec("radarr/radarr-v3-openapi.v6.0.3.10276.json"))
        let radarr = try await FakeRadarr.start()
        defer { Task { await radarr.stop() } }
        radarr.add(
            RadarrMovie(
                id: 1, title: "24: Redemption", year: 2008, path: "/movies/24 Redemption (2008)", tmdbId: 13989, imdbId: "tt1102275",
                hasFile: true, monitored: true, tags: [],
                movieFile: RadarrMovieFile(
                    id: 11, movieId: 1, relativePath: "24 Redemption (2008) Bluray-1080p.mkv",
                    path: "/movies/24 Redemption (2008)/24 Redemption (2008) Bluray-1080p.mkv", size: 7_000_000_000,
                    quality: ArrQuality(
                        quality: .init(id: 7, name: "Bluray-1080p", source: "bluray", resolution: 1080),
                        revision: .init(version: 1, real: 0, isRepack: false)))))
        let client = serviceClient("radarr", url: radarr.url, key: radarr.apiKey)
        try await check(client, contract, "GET", "/api/v3/system/status", schema: "SystemResource", status: 200)
        try await check(client, contract, "GET", "/api/v3/movie", schema: "MovieResource", status: 200)
        try await check(client, contract, "GET", "/api/v3/movie/1", schema: "MovieResource", status: 200)
        try await check(client, contract, "POST", "/api/v3/tag", body: Data(#"{"label":"usher-linked"}"#.utf8), schema: "TagResource", status: 201)
        try await check(
            client, contract, "PUT", "/api/v3/movie/editor", body: Data(#"{"movieIds":[1],"tags":[1],"applyTags":"add"}"#.utf8), schema: "MovieResource",
            status: 202)
        try await check(
            client, contract, "POST", "/api/v3/command", body: Data(#"{"name":"RescanMovie","movieId":1}"#.utf8), schema: "CommandResource", status: 201)
        radarr.importFile(movieID: 1, path: "/movies/24 Redemption (2008)/24 Redemption (2008) Remux-2160p.mkv", size: 9_000_000_000, quality: "Remux-2160p")
        try await check(
            client, contract, "GET", "/api/v3/history", query: [("page", "1"), ("pageSize", "1"), ("sortKey", "date"), ("sortDirection", "descending")],
            schema: "HistoryResourcePagingResource", status: 200)
        try await check(client, contract, "GET", "/api/v3/history/since", query: [("date", "2000-01-01T00:00:00Z")], schema: "HistoryResource", status: 200)
        #expect(try await client.newestHistory()?.movieId == 1)
        await #expect { try await client.send("GET", "/api/v3/movie/99") } throws: { ($0 as? ServiceError)?.kind == .notFound }
    }
    /// What `usher match` reads: movies with original and alternate titles and runtimes, series with
    /// their seasons' counts, and season-0 episode lists.
    @Test func whatMatchReads() async throws {
        let radarrContract = try OpenAPIContract(specAt: Contracts.spec("radarr/radarr-v3-openapi.v6.0.3.10276.json"))
        let sonarrContract = try OpenAPIContract(specAt: Contracts.spec("sonarr/sonarr-v3-openapi.v4.0.19.2979.json"))
        let radarr = try await FakeRadarr.start()
        let sonarr = try await FakeSonarr.start()
        defer {
            Task {
                await radarr.stop(); await sonarr.stop()
            }
        }
        radarr.add(
            RadarrMovie(
                id: 1, title: "Cowboy Bebop: The Movie", year: 2001, path: "/movies/Cowboy Bebop", tmdbId: 11299, imdbId: "tt0275277",
                hasFile: false, monitored: true, tags: [], originalTitle: "カウボーイビバップ 天国の扉",
                alternateTitles: [RadarrAlternateTitle(title: "Cowboy Bebop: Knockin' on Heaven's Door", sourceType: "tmdb")], runtime: 115))
        sonarr.add(
            SonarrSeries(id: 2, title: "Cowboy Bebop", path: "/tv/Cowboy Bebop", tvdbId: 76885, year: 1998, tags: []),
            episodes: [
                SonarrEpisode(
                    id: 20, seriesId: 2, episodeFileId: 0, seasonNumber: 0, episodeNumber: 3, title: "Knockin' on Heaven's Door", hasFile: false,
                    monitored: false, airDate: "2001-09-01", runtime: 115),
                SonarrEpisode(
                    id: 21, seriesId: 2, episodeFileId: 0, seasonNumber: 1, episodeNumber: 1, title: "Asteroid Blues", hasFile: false,
                    monitored: true, airDate: "1998-10-24", runtime: 25),
            ])
        let radarrClient = serviceClient("radarr", url: radarr.url, key: radarr.apiKey)
        let sonarrClient = serviceClient("sonarr", url: sonarr.url, key: sonarr.apiKey)
        try await check(radarrClient, radarrContract, "GET", "/api/v3/movie", schema: "MovieResource", status: 200)
        try await check(sonarrClient, sonarrContract, "GET", "/api/v3/series", schema: "SeriesResource", status: 200)
        try await check(
            sonarrClient, sonarrContract, "GET", "/api/v3/episode", query: [("seriesId", "2"), ("seasonNumber", "0")], schema: "EpisodeResource", status: 200)
        let movie = try #require(try await RadarrClient(client: radarrClient).movies().first)
        #expect(movie.originalTitle == "カウボーイビバップ 天国の扉" && movie.runtime == 115)
        #expect(movie.alternateTitles?.map(\.title) == ["Cowboy Bebop: Knockin' on Heaven's Door"])
        let series = try #require(try await SonarrClient(client: sonarrClient).series().first)
        #expect(series.seasons?.map(\.seasonNumber) == [0, 1])
        #expect(series.seasons?.first?.statistics?.totalEpisodeCount == 1)
        let specials = try await SonarrClient(client: sonarrClient).episodes(seriesID: 2, season: 0)
        #expect(specials.map(\.episodeNumber) == [3])
    }

    /// The fake SABnzbd's queue answer has exactly the keys of SABnzbd's documented answer (and of a captured 4.2.3
    /// queue), with the same JSON types.
    @Test func sabnzbdQueue() async throws {
        func object(_ data: Data) throws -> [String: Any] { try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]) }
        func kind(_ value: Any) -> String {
            switch value {
            case is NSNull: "null"
            case is String: "string"
            case is [Any]: "array"
            case is [String: Any]: "object"
            default: "number"
            }
        }
        let docs = try #require(try object(Contracts.fixture("sabnzbd-docs/mode=queue.docs-example.json"))["queue"] as? [String: Any])
        let docsSlots = try #require(docs["slots"] as? [[String: Any]])
        let captured = try #require(try object(Contracts.fixture("aiosabnzbd/tests/fixtures/queue.json"))["queue"] as? [String: Any])

        let fake = try await FakeSABnzbd.start()
        defer { Task { await fake.stop() } }
        fake.add("TV.Show.S04E11.720p.HDTV.x264", mbLeft: 1271.59)
        fake.add("TV.Show.S04E12.720p.HDTV.x264", paused: true)
        fake.add("TV.Show.S04E13.720p.HDTV.x264", priority: 1)
        let client = ServiceClient(
            endpoint: ServiceEndpoint(
                name: "sabnzbd", baseURL: fake.url, credentialHeader: "", credential: fake.apiKey,
                credentialQueryName: "apikey"),
            http: TestHTTP.client, policy: RetryPolicy(attempts: 1, timeout: .seconds(5)),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let answer = try await client.send("GET", "/api", query: [("mode", "queue"), ("output", "json")])
        let queue = try #require(try object(answer.body)["queue"] as? [String: Any])
        #expect(Set(queue.keys) == Set(docs.keys), "\(Set(queue.keys).symmetricDifference(docs.keys))")
        #expect(Set(queue.keys) == Set(captured.keys), "\(Set(queue.keys).symmetricDifference(captured.keys))")
        for (key, value) in docs where !(value is NSNull) && !(queue[key] is NSNull) {
            #expect(kind(queue[key] as Any) == kind(value), "queue.\(key)")
        }
        let slots = try #require(queue["slots"] as? [[String: Any]])
        #expect(slots.count == 3)
        for slot in slots {
            for docsSlot in docsSlots {
                #expect(Set(slot.keys) == Set(docsSlot.keys), "\(Set(slot.keys).symmetricDifference(docsSlot.keys))")
                for (key, value) in docsSlot where !(value is NSNull) && !(slot[key] is NSNull) {
                    #expect(kind(slot[key] as Any) == kind(value), "slot.\(key)")
                }
            }
        }
        // Values as SABnzbd writes them: the priority a name, the status of a paused job Paused.
        #expect(slots.map { $0["priority"] as? String } == ["High", "Normal", "Normal"])
        #expect(slots.map { $0["status"] as? String } == ["Downloading", "Queued", "Paused"])
        #expect(slots.map { $0["index"] as? Int } == [0, 1, 2])
        #expect(slots.allSatisfy { ($0["nzo_id"] as? String)?.hasPrefix("SABnzbd_nzo_") == true })
        // Without a key: 403 "API Key Required" (mode=version needs none).
        let anonymous = ServiceClient(
            endpoint: ServiceEndpoint(name: "sabnzbd", baseURL: fake.url, credentialHeader: "", credential: ""),
            http: TestHTTP.client, policy: RetryPolicy(attempts: 1, timeout: .seconds(5)),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        await #expect { try await anonymous.send("GET", "/api", query: [("mode", "queue"), ("output", "json")]) } throws: {
            ($0 as? ServiceError)?.status == 403 && ($0 as? ServiceError)?.excerpt == "API Key Required"
        }
        let version = try await anonymous.send("GET", "/api", query: [("mode", "version"), ("output", "json")])
        #expect(try object(version.body)["version"] as? String == fake.version)
    }
}
