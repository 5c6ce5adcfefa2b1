import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import UsherCore
import UsherKit

@testable import UsherServer

/// A config, a state and a job queue in a temporary folder, and the router of `usher serve` over them.
/// The queue is not started unless a test starts it, so runs stay queued and their ids can be compared.
struct ServeFixture {
    let folder: String
    let config: UsherConfig
    let state: ServeState
    static let key = "0123456789abcdef0123456789abcdef"

    /// The movie and series of the webhook fixtures (The Matrix, House).
    static let fixtureLinks = "links:\n  - {movie: The Matrix, year: 1999, tmdb: 603, show: House, tvdb: 73255, episodes: S00E01}\n"

    init(
        extraConfig: String = "", links: String = fixtureLinks, server: String = "server: {api_key: \"\(Self.key)\"}",
        metrics: ServeMetrics? = nil, execute: @escaping JobRunner.Execute = { _ in JobResult(outcome: .ok) }
    ) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("usher-serve-\(UUID().uuidString)").path
        for sub in ["movies", "tv"] { try FileManager.default.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true) }
        try links.write(toFile: folder + "/links.yml", atomically: true, encoding: .utf8)
        let yaml = """
            library: {movies: [movies], shows: [tv]}
            \(server)
            \(extraConfig)
            """
        try yaml.write(toFile: folder + "/usher.yml", atomically: true, encoding: .utf8)
        config = try UsherConfig.load(path: folder + "/usher.yml", environment: [:])
        let ledger = try Ledger(path: config.statePath)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let runner = JobRunner(ledger: ledger, logger: logger, metrics: metrics, execute: execute)
        state = ServeState(
            config: config, ledger: ledger, runner: runner, board: ScheduleBoard(), counters: ServeCounters(metrics: metrics), startedAt: Date(),
            apiKey: config.server.apiKey!)
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }

    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(router: ServeRoutes.router(state))
        try await app.test(.router, body)
    }
}

let webhookFixtures: String? = {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/contracts/fixtures/webhooks-constructed")
        .standardized.path
    return FileManager.default.fileExists(atPath: path) ? path : nil
}()

func fixture(_ name: String) throws -> ByteBuffer {
    guard let folder = webhookFixtures else {
        Issue.record("../shared/contracts/fixtures/webhooks-constructed is missing: the webhook contract tests cannot run without ../shared")
        return ByteBuffer()
    }
    return ByteBuffer(data: try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
}

func body(_ response: TestResponse) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
}

struct AuthTests {
    @Test func pingNeedsNoKeyAndEverythingElseDoes() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        try await f.test { client in
            try await client.execute(uri: "/ping", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"OK"}"#)
            }
            for (uri, method) in [
                ("/api/v1/status", HTTPRequest.Method.get), ("/api/v1/runs", .get), ("/api/v1/run/link", .post), ("/api/v1/webhook/radarr", .post),
            ] {
                try await client.execute(uri: uri, method: method) { response in
                    #expect(response.status == .unauthorized, "\(uri)")
                    #expect(response.body.readableBytes == 0, "a refusal says nothing")
                }
            }
        }
        #expect(await f.state.counters.unauthorized == 4)
    }

    @Test func theKeyWorksAsHeaderQueryOrBasicPasswordAndAWrongOneIsRefused() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        let key = ServeFixture.key
        let basic = Data("sonarr:\(key)".utf8).base64EncodedString()
        let wrongBasic = Data("\(key):nope".utf8).base64EncodedString()
        try await f.test { client in
            let good: [(String, HTTPFields)] = [
                ("/api/v1/status", [.init("X-Api-Key")!: key]), ("/api/v1/status?apikey=\(key)", [:]),
                ("/api/v1/status", [.authorization: "Basic \(basic)"]), ("/api/v1/status", [.init("x-api-key")!: key]),
            ]
            for (uri, headers) in good {
                try await client.execute(uri: uri, method: .get, headers: headers) { response in
                    #expect(response.status == .ok, "\(uri) \(headers)")
                    #expect(body(response)["version"] as? String == UsherVersion.current)
                }
            }
            let bad: [(String, HTTPFields)] = [
                ("/api/v1/status", [.init("X-Api-Key")!: String(key.dropLast())]), ("/api/v1/status", [.init("X-Api-Key")!: key + "0"]),
                ("/api/v1/status?apikey=", [:]), ("/api/v1/status", [.authorization: "Basic \(wrongBasic)"]),
                // Encoded twice: the query is decoded once, so "%2530" is "%30", not "0".
                ("/api/v1/status?apikey=%2530\(key.dropFirst())", [:]),
                ("/api/v1/status", [.authorization: "Bearer \(key)"]), ("/api/v1/status", [.authorization: "Basic !!!"]),
            ]
            for (uri, headers) in bad {
                try await client.execute(uri: uri, method: .get, headers: headers) { response in
                    #expect(response.status == .unauthorized, "\(uri) \(headers)")
                }
            }
        }
        #expect(await f.state.counters.unauthorized == 7)
    }

    @Test func theKeyNeverAppearsInAnAnswer() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        try await f.test { client in
            for uri in ["/api/v1/status", "/api/v1/runs", "/ping"] {
                try await client.execute(uri: uri, method: .get, headers: [.init("X-Api-Key")!: ServeFixture.key]) { response in
                    #expect(!String(buffer: response.body).contains(ServeFixture.key))
                }
            }
        }
    }

    @Test func constantTimeComparison() {
        let same = APIKeyMiddleware<BasicRequestContext>.same
        #expect(same(Array("abc".utf8), Array("abc".utf8)))
        #expect(!same(Array("abd".utf8), Array("abc".utf8)))
        #expect(!same(Array("ab".utf8), Array("abc".utf8)))
        #expect(!same(Array("abcd".utf8), Array("abc".utf8)))
        #expect(!same([], []), "an empty key never matches")
    }
}

struct WebhookTests {
    let headers: HTTPFields = [.init("X-Api-Key")!: ServeFixture.key, .contentType: "application/json"]

    @Test(arguments: [
        ("radarr", "radarr/Download.import.json", HTTPResponse.Status.accepted, "queued"), ("radarr", "radarr/Rename.json", .accepted, "queued"),
        ("radarr", "radarr/MovieFileDelete.json", .accepted, "queued"), ("radarr", "radarr/MovieDelete.json", .accepted, "queued"),
        ("radarr", "radarr/Test.json", .ok, "test"), ("sonarr", "sonarr/Download.import.json", .accepted, "queued"),
        ("sonarr", "sonarr/Download.importComplete.json", .accepted, "queued"), ("sonarr", "sonarr/Download.upgrade.json", .accepted, "queued"),
        ("sonarr", "sonarr/EpisodeFileDelete.json", .accepted, "queued"), ("sonarr", "sonarr/Rename.json", .accepted, "queued"),
        ("sonarr", "sonarr/SeriesDelete.json", .accepted, "queued"), ("sonarr", "sonarr/Test.json", .ok, "test"),
    ])
    func everyFixtureGetsItsAnswer(source: String, file: String, status: HTTPResponse.Status, action: String) async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        let payload = try fixture(file)
        try await f.test { client in
            try await client.execute(uri: "/api/v1/webhook/\(source)", method: .post, headers: headers, body: payload) { response in
                #expect(response.status == status)
                #expect(body(response)["action"] as? String == action)
                if action == "queued" { #expect(body(response)["run"] as? Int != nil) }
            }
        }
        let runs = try f.state.ledger.jobRuns()
        #expect(runs.count == (action == "queued" ? 1 : 0))
        #expect(runs.first.map { $0.job == .link && $0.trigger == "webhook:\(source)" && $0.outcome == .queued } ?? true)
    }

    @Test func putIsAcceptedAndABurstMakesOneRun() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        let payload = try fixture("radarr/Download.import.json")
        try await f.test { client in
            var ids = Set<Int>()
            for i in 0..<200 {
                try await client.execute(uri: "/api/v1/webhook/radarr", method: i % 2 == 0 ? .post : .put, headers: headers, body: payload) { response in
                    #expect(response.status == .accepted)
                    if let id = body(response)["run"] as? Int { ids.insert(id) }
                }
            }
            #expect(ids.count == 1, "200 webhooks while the first run waits are one run: \(ids)")
        }
        #expect(try f.state.ledger.jobRuns().count == 1)
        #expect(await f.state.counters.webhooks["radarr/Download/queued"] == 200)
    }

    @Test func unknownEventsAreCountedAndMalformedBodiesRefused() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        try await f.test { client in
            for event in ["Grab", "Health", "MovieAdded", "ApplicationUpdate", "SomethingNew"] {
                try await client.execute(
                    uri: "/api/v1/webhook/radarr", method: .post, headers: headers, body: ByteBuffer(string: #"{"eventType":"\#(event)","movie":{"id":1}}"#)
                ) { response in
                    #expect(response.status == .ok, "\(event)")
                    #expect(body(response)["action"] as? String == "ignored")
                }
            }
            for bad in [
                "", "not json", "[1,2]", #"{"movie":{}}"#, #"{"eventType":""}"#, #"{"eventType":5}"#, #"{"eventType":"Down load"}"#,
                "{\"eventType\":\"Download\"",
            ] {
                try await client.execute(uri: "/api/v1/webhook/sonarr", method: .post, headers: headers, body: ByteBuffer(string: bad)) { response in
                    #expect(response.status == .badRequest, "\(bad)")
                    #expect(body(response)["error"] as? String != nil)
                }
            }
            // Over 1 MiB: 413, and nothing is queued.
            let big = ByteBuffer(string: #"{"eventType":"Download","pad":""# + String(repeating: "x", count: 1 << 20) + #""}"#)
            try await client.execute(uri: "/api/v1/webhook/radarr", method: .post, headers: headers, body: big) { response in
                #expect(response.status == .contentTooLarge)
            }
        }
        #expect(try f.state.ledger.jobRuns().isEmpty)
        let counts = await f.state.counters.webhooks
        #expect(counts["radarr/SomethingNew/ignored"] == 1)
        #expect(counts["sonarr/malformed/refused"] == 8)
    }

    @Test(arguments: [
        // No mapping names either: nothing to do.
        ("links: []\n", "radarr", "radarr/Download.import.json", "ignored"),
        ("links: []\n", "sonarr", "sonarr/Download.import.json", "ignored"),
        // By title and year, without ids.
        ("links:\n  - {movie: the matrix, year: 1999, show: Other, episodes: S00E01}\n", "radarr", "radarr/Rename.json", "queued"),
        ("links:\n  - {movie: The Matrix, year: 2003, show: Other, episodes: S00E01}\n", "radarr", "radarr/Rename.json", "ignored"),
        ("links:\n  - {movie: Heat, imdb: tt0133093, show: Other, episodes: S00E01}\n", "radarr", "radarr/MovieDelete.json", "queued"),
        // A show named as a crossover's source counts too.
        ("crossovers:\n  - {from: {show: House, episodes: S01E01}, to: {show: Other, episodes: S00E01}}\n", "sonarr", "sonarr/SeriesDelete.json", "queued"),
        ("links:\n  - {movie: Heat, show: Other, tvdb: 73255, episodes: S00E01}\n", "sonarr", "sonarr/Rename.json", "queued"),
        // A mapping file that cannot be read: the run is queued, and reports it.
        ("links:\n  - {movie: [broken\n", "radarr", "radarr/Download.import.json", "queued"),
    ])
    func onlyWebhooksAboutMappedMoviesAndShowsStartARun(links: String, source: String, file: String, action: String) async throws {
        let f = try ServeFixture(links: links)
        defer { f.remove() }
        let payload = try fixture(file)
        try await f.test { client in
            try await client.execute(uri: "/api/v1/webhook/\(source)", method: .post, headers: headers, body: payload) { response in
                #expect(response.status == (action == "queued" ? .accepted : .ok))
                #expect(body(response)["action"] as? String == action, "\(String(buffer: response.body))")
            }
        }
        #expect(try f.state.ledger.jobRuns().count == (action == "queued" ? 1 : 0))
    }

    @Test func anOddMovieFieldDoesNotRefuseTheEvent() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        try await f.test { client in
            let odd = ByteBuffer(string: #"{"eventType":"Download","movie":{"title":5,"tmdbId":"x"}}"#)
            try await client.execute(uri: "/api/v1/webhook/radarr", method: .post, headers: headers, body: odd) { response in
                #expect(response.status == .accepted, "an event whose movie cannot be read is run, not refused")
            }
        }
    }

    @Test func madeUpEventNamesCannotGrowTheCountsWithoutBound() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        try await f.test { client in
            for i in 0..<(ServeCounters.distinctWebhooks + 50) {
                let event = ByteBuffer(string: #"{"eventType":"Made\#(i)"}"#)
                try await client.execute(uri: "/api/v1/webhook/radarr", method: .post, headers: headers, body: event) { #expect($0.status == .ok) }
            }
        }
        let counts = await f.state.counters.webhooks
        #expect(counts.count <= ServeCounters.distinctWebhooks + 1)
        #expect(counts["radarr/other/ignored"] == 50)
    }

    @Test func routesLiveUnderTheURLBase() async throws {
        let f = try ServeFixture(server: "server: {api_key: \"\(ServeFixture.key)\", url_base: usher/}")
        defer { f.remove() }
        #expect(f.config.server.urlBase == "/usher")
        try await f.test { client in
            try await client.execute(uri: "/usher/ping", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/ping", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/usher/api/v1/status", method: .get, headers: headers) { #expect($0.status == .ok) }
        }
    }
}

struct RunRouteTests {
    let headers: HTTPFields = [.init("X-Api-Key")!: ServeFixture.key]

    @Test func startingAJobQueuesItAndAnUnconfiguredJobIsRefused() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        try await f.test { client in
            var first = 0
            try await client.execute(uri: "/api/v1/run/link?dry_run=true", method: .post, headers: headers) { response in
                #expect(response.status == .accepted)
                first = body(response)["id"] as? Int ?? 0
                #expect(body(response)["coalesced"] as? Bool == false)
            }
            try await client.execute(uri: "/api/v1/run/link?dry_run=1", method: .post, headers: headers) { response in
                #expect(body(response)["id"] as? Int == first)
                #expect(body(response)["coalesced"] as? Bool == true)
            }
            // A real run is another run than the dry one.
            try await client.execute(uri: "/api/v1/run/link", method: .post, headers: headers) { response in
                #expect(body(response)["id"] as? Int != first)
            }
            try await client.execute(uri: "/api/v1/run/prefetch", method: .post, headers: headers) { response in
                #expect(response.status == .conflict)
                #expect((body(response)["error"] as? String)?.contains("tautulli") == true)
            }
            try await client.execute(uri: "/api/v1/run/nothing", method: .post, headers: headers) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/v1/run/link?dry_run=maybe", method: .post, headers: headers) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/api/v1/runs?limit=0", method: .get, headers: headers) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/api/v1/runs?job=link", method: .get, headers: headers) { response in
                #expect((body(response)["runs"] as? [Any])?.count == 2)
            }
            try await client.execute(uri: "/api/v1/runs/\(first)", method: .get, headers: headers) { response in
                let run = body(response)["run"] as? [String: Any]
                #expect(run?["dry_run"] as? Bool == true)
                #expect(run?["outcome"] as? String == "queued")
            }
            try await client.execute(uri: "/api/v1/runs/999", method: .get, headers: headers) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/v1/runs/abc", method: .get, headers: headers) { #expect($0.status == .badRequest) }
        }
    }
}

struct MetricsTests {
    @Test func metricsNeedTheKeyAndCountRunsWebhooksAndRefusals() async throws {
        let metrics = ServeMetrics.bootstrap()
        let f = try ServeFixture(metrics: metrics)
        defer { f.remove() }
        let headers: HTTPFields = [.init("X-Api-Key")!: ServeFixture.key]
        let payload = try fixture("radarr/Download.import.json")
        try await f.test { client in
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/v1/webhook/radarr", method: .post, headers: headers, body: payload) { #expect($0.status == .accepted) }
        }
        let task = Task { await f.state.runner.run() }
        if let id = try f.state.ledger.jobRuns().first?.id { await f.state.runner.waitFor(id) }
        task.cancel()
        await task.value
        try await f.test { client in
            try await client.execute(uri: "/metrics", method: .get, headers: headers) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                let text = String(buffer: response.body)
                for line in [
                    #"usher_info{version="\#(UsherVersion.current)"} 1"#, #"usher_webhooks_total{source="radarr",event="Download",outcome="queued"}"#,
                    #"usher_runs_total{job="link",outcome="ok"}"#, "usher_unauthorized_requests_total", #"usher_run_duration_seconds_bucket{job="link""#,
                    "usher_queue_length 0",
                ] {
                    #expect(text.contains(line), "missing \(line) in:\n\(text)")
                }
                #expect(!text.contains(ServeFixture.key))
            }
        }
    }
}

struct OpenAPIDocumentTests {
    @Test func theDocumentIsJSONAndDescribesEveryRoute() async throws {
        let f = try ServeFixture(server: "server: {api_key: \"\(ServeFixture.key)\", url_base: /usher}")
        defer { f.remove() }
        try await f.test { client in
            try await client.execute(uri: "/usher/api/v1/openapi.json", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/usher/api/v1/openapi.json", method: .get, headers: [.init("X-Api-Key")!: ServeFixture.key]) { response in
                #expect(response.status == .ok)
                let document = body(response)
                #expect((document["servers"] as? [[String: Any]])?.first?["url"] as? String == "/usher")
                let paths = Set(((document["paths"] as? [String: Any]) ?? [:]).keys)
                #expect(
                    paths == [
                        "/ping", "/metrics", "/api/v1/openapi.json", "/api/v1/status", "/api/v1/runs", "/api/v1/runs/{id}", "/api/v1/run/{job}",
                        "/api/v1/links",
                        "/api/v1/webhook/radarr", "/api/v1/webhook/sonarr", "/api/v1/webhook/tautulli", "/api/v1/webhook/plex",
                        "/api/v1/webhook/jellyfin",
                    ])
                #expect(String(buffer: response.body).contains(UsherVersion.current))
            }
        }
    }
}

struct PlaybackWebhookTests {
    static let prefetchConfig = """
        tautulli: {url: "http://127.0.0.1:9", api_key: abcdef}
        sonarr: {main: {url: "http://127.0.0.1:9", api_key: abcdef}}
        prefetch: {exclude_users: [Guest]}
        """
    let headers: HTTPFields = [.init("X-Api-Key")!: ServeFixture.key]

    @Test func anEpisodeEventOfAFollowedViewerQueuesOnePrefetchRun() async throws {
        let f = try ServeFixture(extraConfig: Self.prefetchConfig)
        defer { f.remove() }
        let (plexBody, plexType) = PlaybackEventTestsSupport.multipart(PlaybackEventTestsSupport.plexEpisode)
        try await f.test { client in
            var ids = Set<Int>()
            let tautulli = ByteBuffer(string: #"{"event": "play", "media_type": "episode", "user": "ann", "show": "Frieren", "season": "1", "episode": "7"}"#)
            try await client.execute(uri: "/api/v1/webhook/tautulli", method: .post, headers: headers, body: tautulli) { response in
                #expect(response.status == .accepted)
                if let id = body(response)["run"] as? Int { ids.insert(id) }
            }
            var plexHeaders = headers
            plexHeaders[.contentType] = plexType
            try await client.execute(uri: "/api/v1/webhook/plex", method: .post, headers: plexHeaders, body: ByteBuffer(data: plexBody)) { response in
                #expect(response.status == .accepted)
                if let id = body(response)["run"] as? Int { ids.insert(id) }
            }
            let jellyfin = ByteBuffer(string: #"{"NotificationType": "PlaybackStart", "ItemType": "Episode", "NotificationUsername": "cy"}"#)
            try await client.execute(uri: "/api/v1/webhook/jellyfin", method: .put, headers: headers, body: jellyfin) { response in
                #expect(response.status == .accepted)
                if let id = body(response)["run"] as? Int { ids.insert(id) }
            }
            #expect(ids.count == 1, "one prefetch run waits for all three: \(ids)")
            // An excluded viewer (any case), a film, another event: nothing.
            let guest = ByteBuffer(string: #"{"event": "play", "media_type": "episode", "user": "guest"}"#)
            try await client.execute(uri: "/api/v1/webhook/tautulli", method: .post, headers: headers, body: guest) { response in
                #expect(response.status == .ok)
                #expect((body(response)["reason"] as? String)?.contains("does not follow") == true)
            }
            let movie = ByteBuffer(string: #"{"event": "play", "media_type": "movie", "user": "ann"}"#)
            try await client.execute(uri: "/api/v1/webhook/tautulli", method: .post, headers: headers, body: movie) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/webhook/jellyfin", method: .post, headers: headers, body: ByteBuffer(string: "{}")) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: "/api/v1/webhook/plex", method: .post, headers: headers, body: ByteBuffer(string: "--x--")) {
                #expect($0.status == .badRequest)
            }
        }
        let runs = try f.state.ledger.jobRuns()
        #expect(runs.count == 1 && runs[0].job == .prefetch && runs[0].trigger == "webhook:tautulli")
        // The run is focused on the three viewers, with where each one is.
        let focus = try #require(await f.state.runner.pendingFocus(runs[0].id) ?? nil)
        #expect(focus.only && focus.events.compactMap(\.user) == ["ann", "elan", "cy"])
        #expect(focus.events[0] == PlaybackEvent(kind: .started, user: "ann", show: "Frieren", season: 1, episode: 7))
        let counts = await f.state.counters.webhooks
        #expect(counts["tautulli/play/unfollowed"] == 1 && counts["tautulli/play/ignored"] == 1 && counts["plex/media.scrobble/queued"] == 1)
    }

    @Test func withoutPrefetchConfiguredAnEpisodeEventIsIgnoredWithTheReason() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        try await f.test { client in
            let play = ByteBuffer(string: #"{"event": "play", "media_type": "episode", "user": "ann"}"#)
            try await client.execute(uri: "/api/v1/webhook/tautulli", method: .post, headers: headers, body: play) { response in
                #expect(response.status == .ok)
                #expect((body(response)["reason"] as? String)?.contains("usher prefetch needs") == true)
            }
        }
        #expect(try f.state.ledger.jobRuns().isEmpty)
    }
}

/// The Plex multipart body of the core tests, for the route tests.
enum PlaybackEventTestsSupport {
    static func multipart(_ json: String, boundary: String = "----usher-test-boundary") -> (Data, String) {
        var body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"payload\"\r\nContent-Type: application/json\r\n\r\n\(json)\r\n"
        body += "--\(boundary)--\r\n"
        return (Data(body.utf8), "multipart/form-data; boundary=\(boundary)")
    }

    static let plexEpisode = """
        {"event": "media.scrobble", "Account": {"id": 1, "title": "elan"}, "Metadata": {"type": "episode", "grandparentTitle": "Frieren", "parentIndex": 1, "index": 12}}
        """
}

struct GrabWebhookTests {
    @Test func aGrabQueuesAPrefetchRunWhenPrefetchCanMoveDownloads() async throws {
        let headers: HTTPFields = [.init("X-Api-Key")!: ServeFixture.key]
        let grab = ByteBuffer(
            string: #"{"eventType":"Grab","series":{"title":"House","tvdbId":73255},"downloadClient":"SABnzbd","downloadId":"SABnzbd_nzo_1"}"#)
        let withClient = PlaybackWebhookTests.prefetchConfig + "\ndownload_clients: {sab: {type: sabnzbd, url: \"http://127.0.0.1:9\", api_key: abcdef}}"
        for (config, queued) in [(withClient, true), (PlaybackWebhookTests.prefetchConfig, false), ("", false)] {
            let f = try ServeFixture(extraConfig: config)
            defer { f.remove() }
            try await f.test { client in
                try await client.execute(uri: "/api/v1/webhook/sonarr", method: .post, headers: headers, body: grab) { response in
                    #expect(response.status == (queued ? .accepted : .ok), "\(config)")
                    #expect(body(response)["action"] as? String == (queued ? "queued" : "ignored"))
                }
            }
            let runs = try f.state.ledger.jobRuns()
            #expect(runs.map(\.job) == (queued ? [.prefetch] : []))
            if queued {
                // Focused on the grabbed show, for all of its viewers.
                let focus = try #require(await f.state.runner.pendingFocus(runs[0].id) ?? nil)
                #expect(focus.only && focus.events == [PlaybackEvent(kind: .grabbed, show: "House", tvdb: 73255)] && focus.users == nil)
            }
        }
    }
}
