import Foundation
import GRDB
import Testing
import UsherCore
import UsherFakes

@testable import UsherKit

/// Issue 15: a run asks Sonarr and Radarr only what changed since the last one. Each kind of change must lead to
/// what a full pass would do; the oracle after every quick pass is a full dry run that finds nothing left to do.
@Suite("Incremental passes: ask what changed, look only there")
struct IncrementalPassTests {
    /// A full dry run plans nothing: the quick pass left the library as a full pass would have.
    private func expectSameAsFull(_ api: ApiLibrary, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
        let check = try await api.link(dryRun: true, full: true)
        #expect(check.catalogPass?.isFull == true, sourceLocation: sourceLocation)
        #expect(check.plan.isEmpty, "a full pass would still do: \(LinkReport(check).text())", sourceLocation: sourceLocation)
    }

    private static let remux = "movies/24- Redemption (2008)/24- Redemption (2008) Remux-1080p.mkv"
    private static let remuxTarget = "tv/24/Specials/24 - S00E09 - Redemption Remux-1080p.mkv"

    @Test func aFileImportedSinceIsLinkedAskingForThatMovieOnly() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        try FileManager.default.removeItem(atPath: api.lib.path(ApiLibrary.movieFile))
        api.radarr.withState {
            $0.movies[0].movieFile = nil
            $0.movies[0].hasFile = false
        }
        let first = try await api.link()
        #expect(first.created == 0 && first.plan.errors.first?.message.contains("has no file") == true)

        try api.lib.file(Self.remux, size: 7000, seed: 9)
        api.radarr.importFile(movieID: 10, path: api.lib.path(Self.remux), size: 7000, quality: "Remux-1080p")
        let mark = api.radarr.requests.count
        let run = try await api.link()
        #expect(run.catalogPass == .incremental)
        #expect(run.created == 1)
        #expect(api.lib.inode(Self.remuxTarget) == api.lib.inode(Self.remux))
        #expect(api.radarrCalls(after: mark) == ["GET /api/v3/history/since", "GET /api/v3/movie/10"])
        #expect(run.services?.registered == 1)
        try await expectSameAsFull(api)
    }

    @Test func anUpgradeSeenOnlyInTheHistoryReplacesTheLink() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        _ = try await api.link()
        // The old file stays on disk (a copy elsewhere, say): only the history tells the upgrade.
        try api.lib.file(Self.remux, size: 7000, seed: 9)
        api.radarr.importFile(movieID: 10, path: api.lib.path(Self.remux), size: 7000, quality: "Remux-1080p")
        let run = try await api.link()
        #expect(run.catalogPass == .incremental)
        #expect(run.replaced == 1)
        #expect(api.lib.inode(Self.remuxTarget) == api.lib.inode(Self.remux))
        #expect(!api.lib.exists(ApiLibrary.target))
        try await expectSameAsFull(api)
        // And the next quick pass has nothing left to ask about.
        let mark = api.radarr.requests.count
        let quiet = try await api.link()
        #expect(quiet.plan.isEmpty && api.radarrCalls(after: mark) == ["GET /api/v3/history/since"])
    }

    @Test func aDryRunReadsWhatChangedButKeepsNothing() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        _ = try await api.link()
        let before = try Data(contentsOf: URL(fileURLWithPath: api.lib.path("state/usher.db")))
        try api.lib.file(Self.remux, size: 7000, seed: 9)
        api.radarr.importFile(movieID: 10, path: api.lib.path(Self.remux), size: 7000, quality: "Remux-1080p")
        let dry = try await api.link(dryRun: true)
        #expect(dry.catalogPass == .incremental && dry.replaced == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: api.lib.path("state/usher.db"))) == before, "the history position is not moved by a dry run")
        // So the real run still sees the upgrade.
        let run = try await api.link()
        #expect(run.catalogPass == .incremental && run.replaced == 1)
    }

    @Test func aRenameFollowsTheFile() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        _ = try await api.link()
        let renamed = "movies/24- Redemption (2008)/24 - Redemption (2008) [Bluray-1080p].mkv"
        try api.radarr.renameFile(movieID: 10, to: api.lib.path(renamed))
        let run = try await api.link()
        #expect(run.catalogPass == .incremental)
        #expect(run.plan.errors.isEmpty && run.removed == 0)
        #expect(api.lib.inode(ApiLibrary.target) == api.lib.inode(renamed))
        #expect(try api.lib.ledger().first?.link.sourcePath == api.lib.path(renamed))
        try await expectSameAsFull(api)
    }

    @Test func aDeletedFileIsSeenAsAFullPassSeesIt() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        _ = try await api.link()
        api.radarr.deleteFile(movieID: 10)
        let run = try await api.link()
        #expect(run.catalogPass == .incremental)
        // Radarr has no file: the link (the last name of the bytes) stays, and the run says why.
        #expect(run.plan.errors.first?.message.contains("has no file") == true)
        #expect(api.lib.exists(ApiLibrary.target))
        try await expectSameAsFull(api)
    }

    @Test func aMovieDeletedWithItsFileRemovesTheLink() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        _ = try await api.link()
        api.radarr.deleteMovie(id: 10, deleteFiles: true)
        // Radarr keeps no history of a deleted movie; the missing file sends Usher to ask for it (404).
        let mark = api.radarr.requests.count
        let run = try await api.link()
        #expect(run.catalogPass == .incremental)
        #expect(api.radarrCalls(after: mark) == ["GET /api/v3/history/since", "GET /api/v3/movie/10"])
        #expect(run.removed == 1 && run.plan.removes.first?.reason == .sourceGone)
        #expect(!api.lib.exists(ApiLibrary.target))
        try await expectSameAsFull(api)
    }

    @Test func aSeriesDeletedInSonarrRemovesTheLink() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        _ = try await api.link()
        api.sonarr.deleteSeries(id: 1)
        let run = try await api.link()
        #expect(run.catalogPass == .incremental)
        #expect(run.removed == 1 && run.plan.removes.first?.reason == .sourceGone)
        try await expectSameAsFull(api)
    }

    @Test func aNewSpecialInSonarrIsSeenInItsSeasonCounts() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        try api.lib.file("movies/Heat (1995)/Heat (1995) Bluray-1080p.mkv", size: 3000, seed: 3)
        try api.lib.writeMappings(
            """
            links:
              - {movie: "24: Redemption", year: 2008, tmdb: 15035, show: "24", tvdb: 76290, episodes: S00E09}
              - {movie: "Heat", year: 1995, tmdb: 949, show: "24", tvdb: 76290, episodes: S00E10}
            """)
        let first = try await api.link()
        #expect(first.created == 1 && first.plan.errors.first?.message.contains("has no S00E10") == true)
        // TheTVDB adds the special; Sonarr's refresh adds the episode (no history record, but the counts move).
        api.sonarr.withState {
            $0.episodes.append(SonarrEpisode(id: 110, seriesId: 1, episodeFileId: 0, seasonNumber: 0, episodeNumber: 10, title: "Heat", monitored: true))
        }
        let run = try await api.link()
        #expect(run.catalogPass == .incremental)
        #expect(run.created == 1, "\(run.plan.errors)")
        try await expectSameAsFull(api)
    }

    @Test func aChangeTheHistoryDoesNotShowWaitsForTheFullPass() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        _ = try await api.link()
        // TheTVDB renames the special: no history record, no count moves.
        api.sonarr.withState { $0.episodes[0].title = "Redemption (TV Movie)" }
        let quick = try await api.link()
        #expect(quick.catalogPass == .incremental && quick.plan.isEmpty)
        // The daily full pass is due: it finds the new name.
        try api.ageKeptCatalog(bySeconds: 86400)
        let run = try await api.link()
        #expect(run.catalogPass?.isFull == true)
        if case .full(let reason)? = run.catalogPass { #expect(reason.contains("daily verification")) }
        #expect(run.replaced == 1)
        #expect(api.lib.exists("tv/24/Specials/24 - S00E09 - Redemption (TV Movie) Bluray-1080p.mkv"))
    }

    @Test func aCorruptKeptCatalogMeansAFullPass() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        _ = try await api.link()
        let ledger = try Ledger(path: api.lib.path("state/usher.db"))
        try await ledger.queue.write { db in try db.execute(sql: "UPDATE catalog_series SET counts = 'not counts'") }
        #expect(try ledger.keptCatalog() == nil)
        let run = try await api.link()
        #expect(run.catalogPass?.isFull == true && run.plan.isEmpty)
        #expect(try ledger.keptCatalog() != nil, "a full pass keeps a new catalog")
        let next = try await api.link()
        #expect(next.catalogPass == .incremental)
    }

    @Test func aFailingHistoryMeansAFullPassInTheSameRun() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        _ = try await api.link()
        try api.lib.file(Self.remux, size: 7000, seed: 9)
        api.radarr.importFile(movieID: 10, path: api.lib.path(Self.remux), size: 7000, quality: "Remux-1080p")
        api.radarr.failNext("/api/v3/history/since", status: 500)
        let run = try await api.link()
        #expect(run.catalogPass?.isFull == true)
        #expect(run.replaced == 1)
        try await expectSameAsFull(api)
    }

    @Test func aServiceSilentInAFullPassMakesTheNextPassFullToo() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        _ = try await api.link()
        api.radarr.failNext("/api/v3/movie", status: 503)
        let run = try await api.link(full: true)
        #expect(run.plan.kept.count == 1 && run.removed == 0)
        let next = try await api.link()
        #expect(next.catalogPass == .full(reason: "the last pass did not end cleanly"))
        #expect(next.plan.isEmpty)
    }

    @Test func changedServicesOrMappingsMeanAFullPass() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        _ = try await api.link()
        api.extra = "paths:\n  - {remote: /nowhere/remote, local: /nowhere/local}"
        let changedConfig = try await api.link()
        #expect(changedConfig.catalogPass == .full(reason: "the services in the config, or Usher, changed"))
        try api.lib.file("movies/Heat (1995)/Heat (1995) Bluray-1080p.mkv", size: 3000, seed: 3)
        try api.lib.writeMappings(
            """
            links:
              - {movie: "24: Redemption", year: 2008, tmdb: 15035, show: "24", tvdb: 76290, episodes: S00E09}
              - {movie: "Heat", year: 1995, tmdb: 949, show: "24", tvdb: 76290, episodes: S00E10}
            """)
        api.sonarr.withState {
            $0.episodes.append(SonarrEpisode(id: 110, seriesId: 1, episodeFileId: 0, seasonNumber: 0, episodeNumber: 10, title: "Heat", monitored: true))
        }
        let changedMappings = try await api.link()
        #expect(changedMappings.catalogPass?.isFull == true)
        #expect(changedMappings.created == 1)
        let quiet = try await api.link()
        #expect(quiet.catalogPass == .incremental && quiet.plan.isEmpty)
    }
}

extension ApiLibrary {
    /// Makes the kept catalog's last full pass `seconds` older.
    func ageKeptCatalog(bySeconds seconds: Int64) throws {
        let ledger = try Ledger(path: lib.path("state/usher.db"))
        try ledger.queue.write { db in
            try db.execute(sql: "UPDATE catalog_meta SET value = CAST(value AS INTEGER) - ? WHERE key = 'full_at'", arguments: [seconds])
        }
    }
}
