import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing
import UsherCore
import UsherFakes
import UsherKit

@testable import UsherServer

/// Issue 18's webhook path: Plex's `media.scrobble` (or Tautulli's `watched`) of a movie or an episode queues a
/// watch-state sync run, and Usher's own mark coming back as a webhook finds both items alike and marks nothing.
struct WatchSyncWebhookTests {
    let headers: HTTPFields = [.init("X-Api-Key")!: ServeFixture.key]

    static func scrobble(_ type: String, ratingKey: String, user: String = "ann") -> (Data, String) {
        PlaybackEventTestsSupport.multipart(
            #"{"event": "media.scrobble", "Account": {"id": 1, "title": "\#(user)"}, "Metadata": {"type": "\#(type)", "ratingKey": "\#(ratingKey)", "title": "The Matrix"}}"#
        )
    }

    @Test func aScrobbleQueuesOneSyncRunAndOnlyWhenWatchSyncIsOn() async throws {
        let on = "plex: {url: \"http://127.0.0.1:9\", token: owner-token, watch_sync: true}"
        for (config, queued) in [(on, true), ("plex: {url: \"http://127.0.0.1:9\", token: owner-token}", false)] {
            let f = try ServeFixture(extraConfig: config)
            defer { f.remove() }
            try await f.test { client in
                var plex = headers
                let (movie, type) = Self.scrobble("movie", ratingKey: "101")
                plex[.contentType] = type
                try await client.execute(uri: "/api/v1/webhook/plex", method: .post, headers: plex, body: ByteBuffer(data: movie)) { response in
                    #expect(response.status == (queued ? .accepted : .ok))
                }
                let watched = ByteBuffer(string: #"{"event": "watched", "media_type": "episode", "user": "ann"}"#)
                try await client.execute(uri: "/api/v1/webhook/tautulli", method: .post, headers: headers, body: watched) { response in
                    #expect(response.status == (queued ? .accepted : .ok))
                }
                // A play start, and a Jellyfin stop, are not a reason to compare watched states.
                let (play, _) = PlaybackEventTestsSupport.multipart(
                    #"{"event": "media.play", "Account": {"title": "ann"}, "Metadata": {"type": "movie", "ratingKey": "101"}}"#)
                try await client.execute(uri: "/api/v1/webhook/plex", method: .post, headers: plex, body: ByteBuffer(data: play)) { #expect($0.status == .ok) }
            }
            let runs = try f.state.ledger.jobRuns()
            #expect(runs.map(\.job) == (queued ? [.watchSync] : []), "one run for both webhooks: \(runs.map(\.job))")
        }
    }

    /// The status lists plex.tv when watch sync asks it, and Jellyfin when prefetch reads its history.
    @Test func theStatusListsPlexTVAndJellyfin() async throws {
        let f = try ServeFixture(
            extraConfig: """
                plex: {url: "http://127.0.0.1:9", token: owner-token, watch_sync: true}
                jellyfin: {url: "http://127.0.0.1:9", api_key: jellyfin-secret-key}
                """)
        defer { f.remove() }
        try await f.test { client in
            try await client.execute(uri: "/api/v1/status", method: .get, headers: headers) { response in
                let object = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any]
                let services = (object?["services"] as? [[String: Any]] ?? []).compactMap { $0["service"] as? String }
                #expect(services == ["plex", "plex.tv", "jellyfin"])
                #expect(!String(buffer: response.body).contains("jellyfin-secret-key"))
            }
        }
    }

    @Test func usherOwnScrobbleComingBackMarksNothing() async throws {
        let plex = try await FakePlex.start(token: "owner-plex-token-abc", sections: [])
        let plexTV = try await FakePlexTV.start(ownerToken: plex.token, ownerName: "ann", machineIdentifier: plex.machineIdentifier)
        defer {
            Task {
                await plex.stop()
                await plexTV.stop()
            }
        }
        let settings = Mutex<UsherConfig?>(nil)
        let f = try ServeFixture(
            extraConfig: """
                plex: {url: "\(plex.url)", token: \(plex.token), watch_sync: true, plex_tv: "\(plexTV.url)"}
                api: {attempts: 1, timeout_seconds: 3}
                """,
            execute: { request in
                let config = settings.withLock { $0 }!
                var quiet = Logger(label: "test")
                quiet.logLevel = .critical
                return await ServeJobs.execute(request.job, dryRun: request.dryRun, focus: request.focus, config: config, logger: quiet)
            })
        defer { f.remove() }
        settings.withLock { $0 = f.config }
        // The Matrix, linked as House S00E01 by a link run, and both files in Plex.
        let movie = f.folder + "/movies/The Matrix (1999)/The Matrix (1999).mkv"
        try FileManager.default.createDirectory(atPath: f.folder + "/movies/The Matrix (1999)", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: f.folder + "/tv/House/Season 01", withIntermediateDirectories: true)
        try Data(repeating: 7, count: 4000).write(to: URL(fileURLWithPath: movie))
        try Data(repeating: 8, count: 2000).write(to: URL(fileURLWithPath: f.folder + "/tv/House/Season 01/House - S01E01 - Pilot.mkv"))
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        let linked = try await LinkJob(config: f.config, logger: quiet).run(LinkOptions(), progress: nil)
        let target = try #require(try f.state.ledger.entries().first?.target, "\(linked.plan)")
        plex.setSections([
            .init(key: "1", type: "movie", title: "Movies", locations: [f.folder + "/movies"]),
            .init(key: "2", type: "show", title: "TV", locations: [f.folder + "/tv"]),
        ])
        plex.addItem(.init(ratingKey: "101", type: "movie", title: "The Matrix", section: "1", files: [movie]))
        plex.addItem(.init(ratingKey: "201", type: "episode", title: "The Matrix", section: "2", files: [target]))
        let runner = Task { await f.state.runner.run() }
        defer { runner.cancel() }

        // Plex's webhook of a scrobble; the run it queued, waited for.
        let headers = headers
        let id = Mutex<Int64?>(nil)
        func scrobbled(_ type: String, ratingKey: String) async throws {
            try await f.test { client in
                var headers = headers
                let (body, contentType) = Self.scrobble(type, ratingKey: ratingKey)
                headers[.contentType] = contentType
                try await client.execute(uri: "/api/v1/webhook/plex", method: .post, headers: headers, body: ByteBuffer(data: body)) { response in
                    #expect(response.status == .accepted)
                    let run = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))).flatMap { ($0 as? [String: Any])?["run"] as? Int }
                    id.withLock { $0 = run.map(Int64.init) }
                }
            }
            await f.state.runner.waitFor(try #require(id.withLock { $0 }))
        }
        let marks = { plex.server.requests.filter { $0.path == "/:/scrobble" || $0.path == "/:/unscrobble" }.count }

        // ann finished the movie: Plex says so, and the special follows within the run.
        plex.setWatched("101", by: plex.owner, true)
        try await scrobbled("movie", ratingKey: "101")
        #expect(plex.watchedItems(of: plex.owner) == ["101", "201"])
        #expect(marks() == 1)

        // Usher's own mark of the special, coming back as a webhook: the run finds both alike.
        try await scrobbled("episode", ratingKey: "201")
        #expect(marks() == 1, "no second mark")
        let runs = try f.state.ledger.jobRuns(job: .watchSync)
        #expect(runs.count == 2 && runs.allSatisfy { $0.outcome == .ok }, "\(runs)")
        let last = try #require(id.withLock { $0 })
        let report = try #require(try f.state.ledger.jobRun(id: last)?.report)
        #expect(report.contains("\"marked\" : [\n\n  ]") || report.contains("\"marked\" : []"), "\(report)")
    }
}
