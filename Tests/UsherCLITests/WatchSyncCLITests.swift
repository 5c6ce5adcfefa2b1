import Foundation
import Testing
import UsherFakes

/// `usher watch-sync` and the periodic path of issue 18: with `plex.watch_sync` on, each `usher link` run also keeps
/// the linked film and its special watched alike (`--dry-run` included), its report after the links'.
@Suite("The usher command: watch sync")
struct WatchSyncCLITests {
    @Test func eachLinkRunAlsoSyncsAndADryRunMarksNothing() async throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let movie = dir + "/movies/24- Redemption (2008)/24- Redemption (2008) Bluray-1080p.mkv"
        for folder in ["/movies/24- Redemption (2008)", "/tv/24/Season 01"] {
            try FileManager.default.createDirectory(atPath: dir + folder, withIntermediateDirectories: true)
        }
        try Data(repeating: 1, count: 5000).write(to: URL(fileURLWithPath: movie))
        try Data(repeating: 2, count: 2000).write(to: URL(fileURLWithPath: dir + "/tv/24/Season 01/24 - S01E01 - Pilot.mkv"))
        try "links:\n  - {movie: \"24: Redemption\", year: 2008, show: \"24\", episodes: S00E09, title: Redemption}\n".write(
            toFile: dir + "/links.yml", atomically: true, encoding: .utf8)
        let plex = try await FakePlex.start(
            token: "cli-owner-token-0042",
            sections: [
                .init(key: "1", type: "movie", title: "Movies", locations: [dir + "/movies"]),
                .init(key: "2", type: "show", title: "TV", locations: [dir + "/tv"]),
            ])
        let plexTV = try await FakePlexTV.start(ownerToken: plex.token, ownerName: "ann", machineIdentifier: plex.machineIdentifier)
        defer {
            Task {
                await plex.stop()
                await plexTV.stop()
            }
        }
        try """
        library: {movies: [movies], shows: [tv]}
        plex: {url: "\(plex.url)", token: \(plex.token), watch_sync: true, plex_tv: "\(plexTV.url)"}
        api: {attempts: 1, timeout_seconds: 5}
        """.write(toFile: dir + "/usher.yml", atomically: true, encoding: .utf8)

        // The first run links; Plex has not scanned the special yet: waiting, not an error.
        let first = try await Usher.run(["link", "--config", dir + "/usher.yml", "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let firstReport = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        let target = dir + "/tv/24/Season 00/24 - S00E09 - Redemption Bluray-1080p.mkv"
        #expect((firstReport["watch_sync"] as? [String: Any])?["waiting"] as? [String] == [target])
        #expect(!first.stdout.contains(plex.token) && !first.stderr.contains(plex.token))

        plex.addItem(.init(ratingKey: "101", type: "movie", title: "24: Redemption", section: "1", files: [movie]))
        plex.addItem(.init(ratingKey: "201", type: "episode", title: "Redemption", section: "2", files: [target]))
        plex.setWatched("101", by: plex.owner, true)
        let dry = try await Usher.run(["link", "--config", dir + "/usher.yml", "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("Watch sync:") && dry.stdout.contains("watched   ann: the episode of \(target)"), "\(dry.stdout)")
        #expect(plex.watchedItems(of: plex.owner) == ["101"], "a dry run marks nothing")

        let real = try await Usher.run(["link", "--config", dir + "/usher.yml", "--json"])
        #expect(real.status == 0, "\(real.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(real.stdout.utf8)) as? [String: Any])
        #expect(((report["watch_sync"] as? [String: Any])?["marked"] as? [Any])?.count == 1)
        #expect(plex.watchedItems(of: plex.owner) == ["101", "201"])

        let again = try await Usher.run(["watch-sync", "--config", dir + "/usher.yml"])
        #expect(again.status == 0 && again.stdout.contains("Done: 0 marked for 1 user, 1 of 1 linked pair found in Plex."), "\(again.stdout)")
    }

    @Test func withoutWatchSyncTheCommandSaysWhatItNeeds() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "plex: {url: \"http://127.0.0.1:9\", token: abc}\n".write(toFile: dir + "/usher.yml", atomically: true, encoding: .utf8)
        let result = try Usher.run(["watch-sync", "--config", dir + "/usher.yml"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("usher watch-sync needs 'watch_sync: true' in the 'plex:' section"), "\(result.stderr)")
    }
}
