import Foundation
import Logging
import Testing
import UsherCore
import UsherFakes

@testable import UsherKit

/// One household's viewing loaded into fake Tautulli, fake Plex and fake Jellyfin alike, beside the Sonarr of
/// `PrefetchWorld` (The Expanse and Dark), so that a run from each history source can be compared.
final class HistoryWorld: @unchecked Sendable {
    let base: PrefetchWorld
    let plex: FakePlex
    let jellyfin: FakeJellyfin
    var now: Date { base.now }
    /// Lines under `prefetch:`.
    var settings = ""
    var plexToken: String
    var jellyfinKey: String

    /// A show as each source names it.
    struct Show: Sendable {
        var title: String
        var plexKey: String
        var jellyfinID: String
        var tvdb: Int
    }

    static let expanse = Show(title: "The Expanse", plexKey: "500", jellyfinID: "jf-expanse", tvdb: PrefetchWorld.expanse)
    static let dark = Show(title: "Dark", plexKey: "600", jellyfinID: "jf-dark", tvdb: PrefetchWorld.dark)
    /// Plex account ids; account 1 is the owner.
    static let accounts = ["ann": 1, "bob": 2, "cid": 3, "dan": 4, "eve": 5]

    /// A play: who, which show and episode, how long ago, in which library.
    struct Viewing: Sendable {
        var user: String
        var show: Show
        var season: Int
        var episode: Int
        var hoursAgo: Double
        var kids = false
    }

    init() async throws {
        base = try await PrefetchWorld()
        plex = try await FakePlex.start(
            sections: [
                .init(key: "2", type: "show", title: "TV Shows", locations: ["/media/tv"]),
                .init(key: "3", type: "show", title: "Kids TV", locations: ["/media/kids"]),
            ])
        jellyfin = try await FakeJellyfin.start()
        plexToken = plex.token
        jellyfinKey = jellyfin.apiKey
        base.tautulli.setMetadata(TautulliMetadata(ratingKey: 600, title: "Dark", libraryName: "TV Shows", guids: ["tvdb://\(PrefetchWorld.dark)"]), for: 600)
        for show in [Self.expanse, Self.dark] {
            plex.addShow(ratingKey: show.plexKey, title: show.title, guids: ["imdb://tt\(show.tvdb)", "tvdb://\(show.tvdb)"])
            jellyfin.addSeries(id: show.jellyfinID, name: show.title, tvdb: show.tvdb)
        }
        for (name, id) in Self.accounts.sorted(by: { $0.value < $1.value }) {
            plex.addAccount(id: id, name: name)
            jellyfin.addUser(name)
        }
        jellyfin.addLibrary("TV Shows", locations: ["/media/tv"])
        jellyfin.addLibrary("Kids TV", locations: ["/media/kids/"])
    }

    /// Puts the same plays into all three sources.
    func load(_ viewing: [Viewing]) {
        for v in viewing {
            let when = Int64(now.timeIntervalSince1970 - v.hoursAgo * 3600)
            base.tautulli.add(
                [
                    TautulliHistoryRow(
                        user: v.user, userID: Self.accounts[v.user], mediaType: "episode", grandparentRatingKey: Int(v.show.plexKey),
                        grandparentTitle: v.show.title, parentMediaIndex: v.season, mediaIndex: v.episode, percentComplete: 100, date: when - 2700,
                        stopped: when)
                ], section: v.kids ? 3 : 2)
            plex.addPlays([plexPlay(v, at: when)])
            jellyfin.addPlays([jellyfinPlay(v, at: when)])
        }
    }

    func plexPlay(_ v: Viewing, at when: Int64) -> FakePlex.Play {
        FakePlex.Play(
            accountID: Self.accounts[v.user] ?? 99, show: v.show.plexKey, showTitle: v.show.title, season: v.season, episode: v.episode, viewedAt: when,
            section: v.kids ? "3" : "2")
    }

    func jellyfinPlay(_ v: Viewing, at when: Int64) -> FakeJellyfin.Play {
        FakeJellyfin.Play(
            user: v.user, seriesID: v.show.jellyfinID, season: v.season, episode: v.episode, lastPlayed: when,
            path: "/media/\(v.kids ? "kids" : "tv")/\(v.show.title)/S\(v.season)E\(v.episode).mkv")
    }

    /// The household of most tests: ann and bob on The Expanse, bob, cid and eve (in the kids' library) on Dark,
    /// and dan, whose play is 60 hours old.
    static let household: [Viewing] = [
        Viewing(user: "ann", show: expanse, season: 1, episode: 1, hoursAgo: 5),
        Viewing(user: "ann", show: expanse, season: 1, episode: 2, hoursAgo: 2),
        Viewing(user: "bob", show: expanse, season: 1, episode: 1, hoursAgo: 3),
        Viewing(user: "bob", show: dark, season: 1, episode: 1, hoursAgo: 1),
        Viewing(user: "cid", show: dark, season: 1, episode: 2, hoursAgo: 30),
        Viewing(user: "eve", show: dark, season: 1, episode: 3, hoursAgo: 4, kids: true),
        Viewing(user: "dan", show: expanse, season: 2, episode: 2, hoursAgo: 60),
    ]

    /// The config for `history` (a source's name, or a YAML list), with only the sections it names (and Tautulli
    /// when `tautulli` is set).
    func config(history: String, tautulli: Bool = false) throws -> UsherConfig {
        var top = "sonarr:\n  main: {url: \"\(base.sonarr.url)\", api_key: \(base.sonarr.apiKey)}\n"
        if tautulli || history.contains("tautulli") { top += "tautulli: {url: \"\(base.tautulli.url)\", api_key: \(base.tautulli.apiKey)}\n" }
        if history.contains("plex") { top += "plex: {url: \"\(plex.url)\", token: \(plexToken)}\n" }
        if history.contains("jellyfin") { top += "jellyfin: {url: \"\(jellyfin.url)\", api_key: \(jellyfinKey)}\n" }
        top += "api: {attempts: 1, timeout_seconds: 3}\nprefetch:\n  search_wait: 0\n  history: \(history)"
        if !settings.isEmpty { top += "\n" + settings }
        base.lib.extraTopConfig = top
        return try base.lib.config()
    }

    func prefetch(_ history: String, dryRun: Bool = true) async throws -> PrefetchReport {
        let config = try config(history: history)
        return try await PrefetchJob(config: config, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
            .run(PrefetchOptions(dryRun: dryRun, now: now))
    }

    /// What a run decided, one line per episode: `Dark (2017) S01E03 search [bob, cid]: missing`.
    static func plan(_ report: PrefetchReport) -> [String] {
        func line(_ item: PrefetchItem, _ what: String) -> String {
            "\(item.series) " + PrefetchWorld.codes([item])[0] + " \(what) [\(item.users.joined(separator: ", "))]: \(item.reason)"
        }
        return (report.searched.map { line($0, "search") } + report.skipped.map { line($0, "skip") } + report.prioritized.map { line($0, "move") })
            .sorted()
    }

    static func users(_ report: PrefetchReport) -> Set<String> { Set((report.searched + report.skipped).flatMap(\.users)) }

    func stop() async {
        await base.stop()
        await plex.stop()
        await jellyfin.stop()
    }
}

@Suite("Prefetch from Plex's and Jellyfin's own history, planned as from Tautulli's")
struct PrefetchHistorySourcesTests {
    @Test func theSameViewingPlansTheSameFromEverySource() async throws {
        let world = try await HistoryWorld()
        defer { Task { await world.stop() } }
        world.load(HistoryWorld.household)
        let tautulli = try await world.prefetch("tautulli")
        #expect(tautulli.errors.isEmpty, "\(tautulli.errors)")
        let expected = [
            "Dark (2017) S01E02 search [bob]: missing",
            "Dark (2017) S01E03 search [bob, cid]: missing",  // eve has seen it
            "Dark (2017) S01E04 search [bob, cid, eve]: missing",
            "The Expanse S01E02 skip [bob]: on disk",
            "The Expanse S01E03 search [ann, bob]: missing",
            "The Expanse S02E01 search [ann, bob]: missing (set monitored)",
            "The Expanse S02E02 search [ann]: missing",
        ]
        #expect(HistoryWorld.plan(tautulli) == expected)
        for source in ["plex", "jellyfin"] {
            let report = try await world.prefetch(source)
            #expect(report.errors.isEmpty, "\(source): \(report.errors)")
            #expect(HistoryWorld.plan(report) == expected, "\(source)")
            #expect(report.unmatched.isEmpty, "\(source): \(report.unmatched)")
        }
        // No Tautulli in those runs, and each show's ids asked once per source.
        let tautulliCalls = world.base.tautulli.requests.filter { $0.query("cmd") == "get_history" }.count
        #expect(tautulliCalls == 1)
        #expect(
            world.plex.server.requests.filter { $0.path.hasPrefix("/library/metadata/") }.map(\.path).sorted() == [
                "/library/metadata/500", "/library/metadata/600",
            ])
        #expect(world.jellyfin.requests.filter { $0.query("Ids") != nil }.count == 1, "the series' ids in one request")
    }

    /// A real (not dry) run remembers each show's TVDB id under a key of its source: the next run asks no
    /// source again, and Tautulli's bare rating keys and Plex's `plex:` keys for the same show do not collide.
    @Test func showIdsAreCachedPerSourceInTheState() async throws {
        let world = try await HistoryWorld()
        defer { Task { await world.stop() } }
        world.load(HistoryWorld.household)
        for source in ["tautulli", "plex", "jellyfin"] { _ = try await world.prefetch(source, dryRun: false) }
        let known = try Ledger(path: world.base.lib.path("state/usher.db")).knownShows()
        #expect(known.keys.sorted() == ["500", "600", "jellyfin:jf-dark", "jellyfin:jf-expanse", "plex:500", "plex:600"])
        #expect(known["plex:600"]?.tvdb == PrefetchWorld.dark && known["jellyfin:jf-expanse"]?.tvdb == PrefetchWorld.expanse)
        world.plex.server.resetRequests()
        world.jellyfin.server.resetRequests()
        _ = try await world.prefetch("[plex, jellyfin]", dryRun: false)
        #expect(!world.plex.server.requests.contains { $0.path.hasPrefix("/library/metadata/") })
        #expect(!world.jellyfin.requests.contains { $0.query("Ids") != nil })
    }

    @Test(arguments: ["tautulli", "plex", "jellyfin"])
    func historyDaysCutsOffOlderPlays(source: String) async throws {
        let world = try await HistoryWorld()
        defer { Task { await world.stop() } }
        world.load(HistoryWorld.household)
        let twoDays = try await world.prefetch(source)
        #expect(!HistoryWorld.users(twoDays).contains("dan"), "dan's play is 60 hours old")
        world.settings = "  history_days: 3"
        let threeDays = try await world.prefetch(source)
        #expect(HistoryWorld.users(threeDays).contains("dan"))
        #expect(threeDays.skipped.contains { $0.users == ["dan"] && $0.season == 2 && $0.episode == 3 }, "after dan's S02E02: S02E03, not aired")
    }

    @Test(arguments: ["tautulli", "plex", "jellyfin"])
    func usersExcludedUsersAndLibrariesFilterAlike(source: String) async throws {
        let world = try await HistoryWorld()
        defer { Task { await world.stop() } }
        world.load(HistoryWorld.household)
        world.settings = "  users: [Ann, bob, CID, eve]\n  exclude_users: [BOB]\n  libraries: [tv shows]"
        let report = try await world.prefetch(source)
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(HistoryWorld.users(report) == ["ann", "cid"], "bob excluded, dan not listed, eve's play is in Kids TV")
        switch source {
        case "plex":
            let history = world.plex.server.requests.filter { $0.path == "/status/sessions/history/all" }
            #expect(history.allSatisfy { $0.query("librarySectionID") == "2" }, "one library: asked by its section id")
        case "jellyfin":
            let asked = Set(world.jellyfin.requests.compactMap { $0.query("UserId") })
            #expect(asked == Set(["ann", "cid", "eve"].compactMap { world.jellyfin.userID($0) }), "only the viewers the filters admit are read")
        default:
            break
        }
        world.settings = "  libraries: [Anime]"
        do {
            _ = try await world.prefetch(source)
            Issue.record("an unknown library ran")
        } catch let error as JobError {
            #expect(error.kind == .config && error.message.contains("prefetch.libraries") && error.message.contains("'Anime'"), "\(error.message)")
        }
    }

    /// More plays than one page: Plex is read in pages of 500 (`X-Plex-Container-Start`), Jellyfin in pages of
    /// 200 (`StartIndex`), and the rewatched pilot does not move ann back.
    @Test func historyLongerThanAPageIsReadPageByPage() async throws {
        let world = try await HistoryWorld()
        defer { Task { await world.stop() } }
        world.load(HistoryWorld.household)
        let pilot = HistoryWorld.Viewing(user: "ann", show: HistoryWorld.expanse, season: 1, episode: 1, hoursAgo: 1)
        let base = Int64(world.now.timeIntervalSince1970) - 3600
        world.plex.addPlays((0..<700).map { world.plexPlay(pilot, at: base - Int64($0)) })
        world.jellyfin.addPlays((0..<300).map { world.jellyfinPlay(pilot, at: base - Int64($0)) })
        let expected = HistoryWorld.plan(try await world.prefetch("tautulli"))
        let plex = try await world.prefetch("plex")
        #expect(HistoryWorld.plan(plex) == expected)
        let starts = world.plex.server.requests.filter { $0.path == "/status/sessions/history/all" }.compactMap { $0.query("X-Plex-Container-Start") }
        #expect(starts == ["0", "500"], "706 plays in the window: two pages")
        let jellyfin = try await world.prefetch("jellyfin")
        #expect(HistoryWorld.plan(jellyfin) == expected)
        let annID = try #require(world.jellyfin.userID("ann"))
        let pages = world.jellyfin.requests.filter { $0.query("UserId") == annID }.compactMap { $0.query("StartIndex") }
        #expect(pages == ["0", "200"], "302 played episodes: two pages")
    }

    /// Paging stops at the first page that reaches back past `history_days`, even from a server that ignores the
    /// `viewedAt>=` filter; the history is asked newest first.
    @Test func pagingStopsOncePlaysAreOlderThanTheWindow() async throws {
        let world = try await HistoryWorld()
        defer { Task { await world.stop() } }
        let now = Int64(world.now.timeIntervalSince1970)
        let old = HistoryWorld.Viewing(user: "ann", show: HistoryWorld.expanse, season: 1, episode: 1, hoursAgo: 100)
        world.plex.ignoreViewedAtFilter()
        world.plex.addPlays((0..<30).map { world.plexPlay(old, at: now - 100 * 3600 - Int64($0)) })
        world.plex.addPlays((0..<25).map { world.plexPlay(old, at: now - 3600 - Int64($0)) })
        world.jellyfin.addPlays((0..<30).map { world.jellyfinPlay(old, at: now - 100 * 3600 - Int64($0)) })
        world.jellyfin.addPlays((0..<25).map { world.jellyfinPlay(old, at: now - 3600 - Int64($0)) })
        let config = try world.config(history: "[plex, jellyfin]")
        let hub = ServiceHub(config: config, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let services = hub.arr(config)
        let plex = try #require(services.plex)
        // This Plex sends old rows too: paging stops at them.
        let since = now - 2 * 86400
        let plays = try await plex.history(since: since, pageSize: 10)
        #expect(plays.count == 25)
        let asked = world.plex.server.requests.filter { $0.path == "/status/sessions/history/all" }
        #expect(asked.map { $0.query("X-Plex-Container-Start") } == ["0", "10", "20"] && asked.allSatisfy { $0.query("sort") == "viewedAt:desc" })
        #expect(asked.first?.query("viewedAt>") == String(since))
        let jellyfin = hub.jellyfin(try #require(config.jellyfin), counter: nil)
        let annID = try #require(world.jellyfin.userID("ann"))
        let items = try await jellyfin.played(userID: annID, since: since, pageSize: 10)
        #expect(items.count == 25)
        let pages = world.jellyfin.requests.filter { $0.query("UserId") == annID }
        #expect(pages.map { $0.query("StartIndex") } == ["0", "10", "20"], "the third page reaches back past the window: no fourth")
        #expect(pages.allSatisfy { $0.query("SortBy") == "DatePlayed" && $0.query("SortOrder") == "Descending" && $0.query("Filters") == "IsPlayed" })
        await hub.shutdown()
    }

    /// A viewer watching an episode now is at that episode: the next ones are planned before the history holds it.
    @Test(arguments: ["plex", "jellyfin"])
    func anEpisodePlayingNowCountsAsReached(source: String) async throws {
        let world = try await HistoryWorld()
        defer { Task { await world.stop() } }
        world.load(HistoryWorld.household)
        let playing = HistoryWorld.Viewing(user: "bob", show: HistoryWorld.expanse, season: 2, episode: 1, hoursAgo: 0)
        let now = Int64(world.now.timeIntervalSince1970)
        if source == "plex" {
            world.plex.setPlaying("bob", world.plexPlay(playing, at: now))
        } else {
            world.jellyfin.setPlaying("bob", world.jellyfinPlay(playing, at: now))
        }
        let report = try await world.prefetch(source)
        #expect(report.errors.isEmpty, "\(report.errors)")
        let expanse = HistoryWorld.plan(report).filter { $0.hasPrefix("The Expanse") }
        #expect(
            expanse == [
                "The Expanse S01E03 search [ann]: missing",
                "The Expanse S02E01 search [ann]: missing (set monitored)",
                "The Expanse S02E02 search [ann, bob]: missing",
                "The Expanse S02E03 skip [bob]: " + (report.skipped.first { $0.season == 2 && $0.episode == 3 }?.reason ?? "?"),
            ])
        #expect(report.skipped.first { $0.season == 2 && $0.episode == 3 }?.reason.hasPrefix("not aired yet") == true)
    }

    /// Several sources are merged: a viewer both name is at the furthest episode either saw, and a series is
    /// planned once.
    @Test func severalSourcesAreMergedPerViewerAndSeries() async throws {
        let world = try await HistoryWorld()
        defer { Task { await world.stop() } }
        let now = Int64(world.now.timeIntervalSince1970)
        let first = HistoryWorld.Viewing(user: "ann", show: HistoryWorld.dark, season: 1, episode: 1, hoursAgo: 3)
        let second = HistoryWorld.Viewing(user: "ann", show: HistoryWorld.dark, season: 1, episode: 2, hoursAgo: 1)
        world.base.tautulli.add([
            TautulliHistoryRow(
                user: "ann", mediaType: "episode", grandparentRatingKey: 600, grandparentTitle: "Dark", parentMediaIndex: 1, mediaIndex: 1,
                percentComplete: 100, date: now - 3 * 3600, stopped: now - 3 * 3600)
        ])
        world.jellyfin.addPlays([world.jellyfinPlay(first, at: now - 3 * 3600), world.jellyfinPlay(second, at: now - 3600)])
        world.plex.addPlays([world.plexPlay(HistoryWorld.Viewing(user: "bob", show: HistoryWorld.expanse, season: 1, episode: 2, hoursAgo: 1), at: now - 3600)])
        let tautulliAlone = try await world.prefetch("tautulli")
        #expect(HistoryWorld.plan(tautulliAlone).contains("Dark (2017) S01E02 search [ann]: missing"))
        let merged = try await world.prefetch("[tautulli, plex, jellyfin]")
        #expect(merged.errors.isEmpty, "\(merged.errors)")
        #expect(
            HistoryWorld.plan(merged) == [
                "Dark (2017) S01E03 search [ann]: missing",
                "Dark (2017) S01E04 search [ann]: missing",
                "The Expanse S01E03 search [bob]: missing",
                "The Expanse S02E01 search [bob]: missing (set monitored)",
                "The Expanse S02E02 search [bob]: missing",
            ], "ann is at S01E02 (Jellyfin), not S01E01 (Tautulli); bob comes from Plex")
    }

    /// One source failing is one error: the others still plan.
    @Test func aFailingSourceIsAnErrorAndTheOthersStillCount() async throws {
        let world = try await HistoryWorld()
        defer { Task { await world.stop() } }
        world.load(HistoryWorld.household)
        world.jellyfinKey = "wrong-jellyfin-key-0001"
        let report = try await world.prefetch("[plex, jellyfin]")
        #expect(report.errors.count == 1 && report.errors[0].contains("jellyfin"), "\(report.errors)")
        #expect(!report.searched.isEmpty, "Plex's viewers still planned")
        let alone = try await world.prefetch("jellyfin")
        #expect(alone.searched.isEmpty && alone.errors.count == 1)
    }

    /// Neither the Plex token nor the Jellyfin key shows in a report's errors, even when refused.
    @Test func refusedCredentialsNeverShow() async throws {
        let world = try await HistoryWorld()
        defer { Task { await world.stop() } }
        world.load(HistoryWorld.household)
        world.plexToken = "wrong-plex-token-0002"
        world.jellyfinKey = "wrong-jellyfin-key-0003"
        let report = try await world.prefetch("[plex, jellyfin]")
        #expect(report.errors.count == 2, "\(report.errors)")
        let text = report.errors.joined(separator: "\n") + String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        for secret in ["wrong-plex-token-0002", "wrong-jellyfin-key-0003"] { #expect(!text.contains(secret), "\(secret) shown") }
        #expect(report.errors.allSatisfy { $0.contains("refused") }, "\(report.errors)")
    }

    /// `usher config check` asks the history sources named: Plex's play history, Jellyfin's system info.
    @Test func configCheckAsksTheChosenSources() async throws {
        let world = try await HistoryWorld()
        defer { Task { await world.stop() } }
        let config = try world.config(history: "[plex, jellyfin]")
        let hub = ServiceHub(config: config, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let checks = await PrefetchJob.check(config: config, hub: hub)
        #expect(checks.map(\.service).sorted() == ["jellyfin", "plex history"])
        #expect(checks.allSatisfy { $0.ok }, "\(checks.map(\.message))")
        #expect(checks.first { $0.service == "jellyfin" }?.message == "OK, Jellyfin Server 10.11.0")
        world.jellyfinKey = "wrong-jellyfin-key-0004"
        let refused = await PrefetchJob.check(config: try world.config(history: "jellyfin"), hub: hub)
        #expect(refused.count == 1 && !refused[0].ok && !refused[0].message.contains("wrong-jellyfin-key-0004"))
        let tautulliOnly = await PrefetchJob.check(config: try world.config(history: "tautulli"), hub: hub)
        #expect(tautulliOnly.map(\.service) == ["tautulli"])
        await hub.shutdown()
    }
}
