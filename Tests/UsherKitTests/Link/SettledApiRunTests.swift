import Foundation
import GRDB
import Testing
import UsherCore
import UsherFakes

@testable import UsherKit

/// Issue 15: in API mode, a run after a clean one asks its four questions and, when their answers change nothing
/// the links rest on, ends there (`SettledRun+Services`). Every change a history or the series list shows must still
/// lead to what a full pass does; the oracle after each is a full dry run that finds nothing left to do.
@Suite("API mode: a settled run asks four questions and resolves nothing")
struct SettledApiRunTests {
    /// A library whose last run was clean and changed nothing: the next quiet run is settled.
    private func warmed() async throws -> ApiLibrary {
        let api = try await ApiLibrary()
        let first = try await api.link()
        try #require(first.created == 1)
        // The first run's rescan moved the series' counts; the second run sees that and keeps the record.
        let second = try await api.link()
        try #require(second.plan.isEmpty && !second.settled)
        return api
    }

    private func expectSameAsFull(_ api: ApiLibrary, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
        let check = try await api.link(dryRun: true, full: true)
        #expect(check.plan.isEmpty, "a full pass would still do: \(LinkReport(check).text())", sourceLocation: sourceLocation)
    }

    private func cursors(_ api: ApiLibrary) throws -> [String: HistoryCursor] {
        try Ledger(path: api.lib.path("state/usher.db")).keptCatalogFacts()?.cursors ?? [:]
    }

    @Test func aQuietRunAsksFourQuestionsAndResolvesNothing() async throws {
        let api = try await warmed()
        defer { Task { await api.stop() } }
        let (sonarrMark, radarrMark) = (api.sonarr.requests.count, api.radarr.requests.count)
        let run = try await api.link()
        #expect(run.settled && run.plan.isEmpty && run.unchanged == 1)
        #expect(run.catalogPass == .incremental)
        #expect(run.requests == 4)
        #expect(api.sonarrCalls(after: sonarrMark).sorted() == ["GET /api/v3/config/naming", "GET /api/v3/history/since", "GET /api/v3/series"])
        #expect(api.radarrCalls(after: radarrMark) == ["GET /api/v3/history/since"])
        #expect(run.plan.unchanged.first?.target == api.lib.path(ApiLibrary.target))
        #expect(run.services?.rescanned == [] && LinkReport(run).pass == "settled")
        #expect(LinkReport(run).text(verbose: true).contains("what changed: nothing the links rest on"))
        #expect(try await api.link().settled, "and so is the next")
        try await expectSameAsFull(api)
    }

    /// A change each history or the series list shows, or one on disk or in the state file: the run takes the
    /// usual way, does what it must, and a full pass finds nothing left.
    struct Change: Sendable, CustomTestStringConvertible {
        var name: String
        var make: @Sendable (ApiLibrary) throws -> Void
        var expect: @Sendable (LinkOutcome, ApiLibrary) -> Bool
        var testDescription: String { name }
    }

    static let remux = "movies/24- Redemption (2008)/24- Redemption (2008) Remux-1080p.mkv"

    static let changes: [Change] = [
        Change(
            name: "Radarr imported a better file of the mapped movie",
            make: { api in
                try api.lib.file(remux, size: 7000, seed: 9)
                api.radarr.importFile(movieID: 10, path: api.lib.path(remux), size: 7000, quality: "Remux-1080p")
            },
            expect: { run, api in run.replaced == 1 && api.lib.exists("tv/24/Specials/24 - S00E09 - Redemption Remux-1080p.mkv") }),
        Change(
            name: "Radarr imported a file of a movie no mapping names (it may be one a mapping waits for)",
            make: { api in api.radarr.addHistory("downloadFolderImported", movieId: 11) },
            expect: { run, _ in run.plan.isEmpty }),
        Change(
            name: "Sonarr imported a file into the mapped series",
            make: { api in api.sonarr.addHistory("downloadFolderImported", seriesId: 1) },
            // The check's 4 questions are the pass's: it adds only the series' episode list.
            expect: { run, _ in run.plan.isEmpty && run.requests == 5 }),
        Change(
            name: "Sonarr's series title changed (no history record)",
            make: { api in api.sonarr.withState { $0.series[0].title = "24 Legacy" } },
            expect: { run, api in
                run.replaced + run.created == 1 && api.lib.exists("tv/24/Specials/24 Legacy - S00E09 - Redemption Bluray-1080p.mkv")
            }),
        Change(
            name: "Sonarr's naming changed (no history record)",
            make: { api in
                api.sonarr.withState { $0.naming.standardEpisodeFormat = "{Series Title} - S{season:00}E{episode:00} - {Episode Title}" }
            },
            expect: { run, api in run.replaced + run.created == 1 && api.lib.exists("tv/24/Specials/24 - S00E09 - Redemption.mkv") }),
        Change(
            name: "a special was added to the mapped season (its counts moved)",
            make: { api in
                api.sonarr.withState {
                    $0.episodes.append(
                        SonarrEpisode(id: 110, seriesId: 1, episodeFileId: 0, seasonNumber: 0, episodeNumber: 10, title: "Heat", monitored: true))
                }
            },
            expect: { run, _ in run.plan.isEmpty }),
        Change(
            name: "the link was deleted by hand",
            make: { api in try FileManager.default.removeItem(atPath: api.lib.path(ApiLibrary.target)) },
            expect: { run, api in run.created == 1 && api.lib.inode(ApiLibrary.target) == api.lib.inode(ApiLibrary.movieFile) }),
        Change(
            name: "the movie's file was rewritten in place (another size)",
            make: { api in try api.lib.file(ApiLibrary.movieFile, size: 6000, seed: 4) },
            expect: { run, api in
                // The link is the same file (a hardlink): only the ledger's size is brought up to date.
                run.plan.refreshes.count == 1 && run.plan.refreshes[0].link.size == 6000
                    && api.lib.inode(ApiLibrary.target) == api.lib.inode(ApiLibrary.movieFile)
            }),
        Change(
            name: "the mapping file was edited (a comment)",
            make: { api in
                try api.lib.writeMappings(
                    try String(contentsOfFile: api.lib.path("links.yml"), encoding: .utf8) + "\n# the film, as a special\n")
            },
            expect: { run, _ in run.plan.isEmpty && run.requests == 4 }),
        Change(
            name: "the daily verification is due",
            make: { api in try api.ageKeptCatalog(bySeconds: 86400) },
            expect: { run, _ in run.catalogPass?.isFull == true && run.plan.isEmpty }),
        Change(
            name: "Radarr's history fails while the check asks it",
            make: { api in api.radarr.failNext("/api/v3/history/since", status: 500) },
            expect: { run, _ in run.catalogPass?.isFull == true && run.plan.isEmpty }),
        Change(
            name: "Sonarr's series list fails while the check asks it (nothing is removed)",
            make: { api in api.sonarr.failNext("/api/v3/series", status: 500) },
            expect: { run, api in run.plan.removes.isEmpty && run.removed == 0 && api.lib.exists(ApiLibrary.target) }),
        Change(
            name: "a rescan waits to be retried",
            make: { api in
                try Ledger(path: api.lib.path("state/usher.db")).setServiceRetries([
                    ServiceRetry(kind: .rescan, instance: "main", target: "1", label: "24", reason: "test", since: 0, attempts: 1)
                ])
            },
            expect: { run, _ in run.services?.retried.count == 1 }),
    ]

    @Test(arguments: changes)
    func aChangeTakesTheUsualWay(_ change: Change) async throws {
        let api = try await warmed()
        defer { Task { await api.stop() } }
        try change.make(api)
        let run = try await api.link()
        #expect(!run.settled)
        #expect(change.expect(run, api), "\(LinkReport(run).text())")
        try await expectSameAsFull(api)
    }

    /// Records the links do not rest on: the run stays short, and moves the history positions past them.
    @Test func aGrabOrAnotherSeriesImportStaysSettledAndMovesTheHistoryPositions() async throws {
        let api = try await warmed()
        defer { Task { await api.stop() } }
        let before = try cursors(api)
        // Whole seconds: a record dated in the same second as the kept position is still new by its id.
        api.radarr.addHistory("grabbed", movieId: 10)
        api.sonarr.addHistory("downloadFolderImported", seriesId: 99)
        let dry = try await api.link(dryRun: true)
        #expect(dry.settled && dry.plan.isEmpty)
        #expect(try cursors(api) == before, "a dry run keeps nothing")
        let run = try await api.link()
        #expect(run.settled && run.plan.isEmpty && run.requests == 4)
        let after = try cursors(api)
        #expect(after["radarr main"] != before["radarr main"] && after["sonarr main"] != before["sonarr main"])
        #expect(try await api.link().settled)
        try await expectSameAsFull(api)
    }

    /// With a tag and `unmonitor_linked`, the steps a clean run took are in the kept catalog, as the incremental pass
    /// keeps them: a quiet run has nothing to tag or unmonitor, and is settled too.
    @Test func withATagAndUnmonitoringAQuietRunIsSettledToo() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        api.lib.extraLinkConfig = "  tag: usher-linked\n  unmonitor_linked: true"
        let first = try await api.link()
        #expect(first.created == 1 && first.services?.tagged.isEmpty == false && first.services?.unmonitored == 1)
        #expect(try await !api.link().settled)
        let quiet = try await api.link()
        #expect(quiet.settled && quiet.plan.isEmpty && quiet.requests == 4)
        #expect(api.radarr.withState { !($0.movies[0].tags ?? []).isEmpty })
        #expect(api.sonarr.withState { $0.episodes.first { $0.id == 109 }?.monitored } == false)
        try await expectSameAsFull(api)
    }

    /// A filesystem-mode record is not API mode's, and the other way round.
    @Test func aRecordOfTheOtherModeIsNotUsed() async throws {
        let api = try await warmed()
        defer { Task { await api.stop() } }
        let ledger = try Ledger(path: api.lib.path("state/usher.db"))
        var record = try #require(try ledger.settledRun())
        #expect(record.services != nil)
        record.services = nil
        try ledger.setSettledRun(record)
        #expect(try await !api.link().settled)
    }
}
