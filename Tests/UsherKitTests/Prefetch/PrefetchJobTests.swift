import Foundation
import Logging
import Testing
import UsherCore
import UsherFakes

@testable import UsherKit

/// A household: Tautulli with watch history, a Sonarr with two shows, and (when asked) a second Sonarr,
/// a health-check endpoint and a webhook.
final class PrefetchWorld: @unchecked Sendable {
    let lib: TestLibrary
    let tautulli: FakeTautulli
    let sonarr: FakeSonarr
    var anime: FakeSonarr?
    var hooks: FakeHTTPServer?
    var sab: FakeSABnzbd?
    let now = Date()
    var settings = ""
    var extra = ""

    static let expanse = 280619
    static let expanseKey = 500
    static let dark = 281670

    init(secondSonarr: Bool = false) async throws {
        lib = try TestLibrary()
        tautulli = try await FakeTautulli.start()
        sonarr = try await FakeSonarr.start()
        let aired = Self.iso(now.addingTimeInterval(-30 * 86400))
        let future = Self.iso(now.addingTimeInterval(3 * 86400))
        // The Expanse: S01 of 3 (E01–E02 on disk), S02 of 3 (E01 unmonitored, E03 airs in three days), one special.
        sonarr.add(
            SonarrSeries(id: 5, title: "The Expanse", path: "/tv/The Expanse", tvdbId: Self.expanse, year: 2015, tags: []),
            episodes: [
                episode(51, 5, 1, 1, aired, file: true), episode(52, 5, 1, 2, aired, file: true), episode(53, 5, 1, 3, aired),
                episode(61, 5, 2, 1, aired, monitored: false), episode(62, 5, 2, 2, aired), episode(63, 5, 2, 3, future),
                episode(50, 5, 0, 1, aired),
            ])
        // Dark: known to Sonarr by an alternate title only.
        sonarr.add(
            SonarrSeries(
                id: 6, title: "Dark (2017)", path: "/tv/Dark", tvdbId: Self.dark, year: 2017, tags: [],
                alternateTitles: [SonarrAlternateTitle(title: "Dark Netflix")]),
            episodes: [
                episode(71, 6, 1, 1, aired, file: true), episode(72, 6, 1, 2, aired), episode(73, 6, 1, 3, aired), episode(74, 6, 1, 4, aired),
            ])
        tautulli.setMetadata(
            TautulliMetadata(
                ratingKey: Self.expanseKey, title: "The Expanse", libraryName: "TV Shows",
                guids: ["imdb://tt3230854", "tvdb://\(Self.expanse)"]), for: Self.expanseKey)
        tautulli.addLibrary(id: 2, name: "TV Shows")
        tautulli.addLibrary(id: 3, name: "Kids TV")
        if secondSonarr {
            let second = try await FakeSonarr.start(apiKey: "anime-key")
            second.add(
                SonarrSeries(id: 9, title: "Frieren", path: "/anime/Frieren", tvdbId: 424536, year: 2023, tags: []),
                episodes: [
                    episode(91, 9, 1, 1, aired, file: true), episode(92, 9, 1, 2, aired),
                ])
            anime = second
        }
    }

    func episode(_ id: Int, _ series: Int, _ season: Int, _ number: Int, _ airs: String, file: Bool = false, monitored: Bool = true) -> SonarrEpisode {
        SonarrEpisode(
            id: id, seriesId: series, episodeFileId: file ? id * 10 : 0, seasonNumber: season, episodeNumber: number,
            title: "Episode \(season)x\(number)", hasFile: file, monitored: monitored, airDate: String(airs.prefix(10)), airDateUtc: airs, runtime: 45)
    }

    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    /// A play `hoursAgo` hours ago.
    func play(
        _ user: String, show: Int = PrefetchWorld.expanseKey, title: String = "The Expanse", _ season: Int, _ episode: Int,
        percent: Int = 100, hoursAgo: Double = 2
    ) -> TautulliHistoryRow {
        let when = Int64(now.timeIntervalSince1970 - hoursAgo * 3600)
        return TautulliHistoryRow(
            user: user, userID: user.count, mediaType: "episode", grandparentRatingKey: show, grandparentTitle: title,
            parentMediaIndex: season, mediaIndex: episode, percentComplete: percent, date: when - 2700, stopped: when)
    }

    func configure() throws {
        var top = """
            sonarr:
              main: {url: "\(sonarr.url)", api_key: \(sonarr.apiKey)}
            """
        if let anime { top += "\n  anime: {url: \"\(anime.url)\", api_key: \(anime.apiKey)}" }
        if let sab { top += "\ndownload_clients:\n  sabnzbd: {url: \"\(sab.url)\", api_key: \(sab.apiKey)}" }
        top += """

            tautulli: {url: "\(tautulli.url)", api_key: \(tautulli.apiKey)}
            api: {attempts: 1, timeout_seconds: 3}
            prefetch:
            """
        // Searches are not followed unless a test asks: the grabs are then handled by the next run.
        if !settings.contains("search_wait") { top += "\n  search_wait: 0" }
        if !settings.isEmpty { top += "\n" + settings }
        if !extra.isEmpty { top += "\n" + extra }
        lib.extraTopConfig = top
        try lib.writeConfig()
    }

    func prefetch(dryRun: Bool = false, at time: Date? = nil, focus: PrefetchFocus? = nil) async throws -> PrefetchReport {
        try configure()
        let config = try UsherConfig.load(path: lib.path("usher.yml"), environment: [:])
        return try await PrefetchJob(config: config, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
            .run(PrefetchOptions(dryRun: dryRun, now: time ?? now, focus: focus))
    }

    /// `S01E03` codes of a list.
    static func codes(_ items: [PrefetchItem]) -> [String] {
        items.map { "S" + String(format: "%02d", $0.season) + "E" + String(format: "%02d", $0.episode) }
    }

    func stop() async {
        await tautulli.stop()
        await sonarr.stop()
        await anime?.stop()
        await hooks?.stop()
        await sab?.stop()
    }

    /// Puts an episode's download in Sonarr's queue.
    func queue(_ episodeID: Int, series: Int = 5, download: String) {
        sonarr.withState {
            $0.queue.append(
                SonarrQueueRecord(
                    id: episodeID * 7, seriesId: series, episodeId: episodeID, title: "release \(episodeID)",
                    status: "downloading", downloadId: download, downloadClient: "SABnzbd", protocol: "usenet"))
        }
    }
}

@Suite("Prefetch end to end against fake Tautulli and Sonarr")
struct PrefetchJobTests {
    @Test func searchesTheNextThreeAcrossTheSeasonBreakSettingMonitoredFirst() async throws {
        let world = try await PrefetchWorld()
        defer { Task { await world.stop() } }
        world.tautulli.add([world.play("ann", 1, 1, hoursAgo: 5), world.play("ann", 1, 2)])
        let report = try await world.prefetch()
        #expect(report.errors.isEmpty, "\(report.errors)")
        // After S01E02: S01E03, S02E01, S02E02 — the special skipped, sorted by (season, episode).
        #expect(PrefetchWorld.codes(report.searched) == ["S01E03", "S02E01", "S02E02"])
        #expect(report.searched.allSatisfy { $0.users == ["ann"] && $0.tvdbId == PrefetchWorld.expanse && $0.series == "The Expanse" })
        // One EpisodeSearch for the series, after S02E01 was set monitored.
        #expect(world.sonarr.episodeSearches == [[53, 61, 62]])
        let calls = world.sonarr.requests.map { "\($0.method) \($0.path)" }
        let monitor = try #require(calls.firstIndex(of: "PUT /api/v3/episode/monitor"))
        let search = try #require(calls.firstIndex(of: "POST /api/v3/command"))
        #expect(monitor < search)
        #expect(world.sonarr.withState { $0.episodes.first { $0.id == 61 }?.monitored } == true)
        // The TVDB id came from the show's Plex guids, once.
        #expect(world.tautulli.requests.filter { $0.query("cmd") == "get_metadata" }.count == 1)
    }

    /// A playback webhook's run (`usher serve`) plans only that viewer's show: other shows' episode lists are not
    /// asked for, and other viewers are not planned.
    @Test func aFocusedRunPlansOnlyTheViewerAndShowTheWebhookNamed() async throws {
        let world = try await PrefetchWorld()
        defer { Task { await world.stop() } }
        world.tautulli.setMetadata(
            TautulliMetadata(ratingKey: 600, title: "Dark", libraryName: "TV Shows", guids: ["tvdb://\(PrefetchWorld.dark)"]), for: 600)
        world.tautulli.add([
            world.play("ann", 1, 2), world.play("bob", 1, 1), world.play("bob", show: 600, title: "Dark", 1, 1),
            world.play("cid", show: 600, title: "Dark", 1, 1),
        ])
        let focus = PrefetchFocus(events: [PlaybackEvent(kind: .stopped, user: "Bob", show: "Dark", tvdb: PrefetchWorld.dark, season: 1, episode: 1)])
        let report = try await world.prefetch(focus: focus)
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(PrefetchWorld.codes(report.searched) == ["S01E02", "S01E03", "S01E04"])
        #expect(report.searched.allSatisfy { $0.users == ["bob"] && $0.series == "Dark (2017)" }, "cid is not planned, nor the Expanse bob also watches")
        #expect(report.focus == ["Bob: Dark S01E01 (stopped)"])
        let episodeLists = world.sonarr.requests.filter { $0.path == "/api/v3/episode" && $0.method == "GET" }.compactMap { $0.query("seriesId") }
        #expect(episodeLists == ["6"], "only Dark's episodes were asked for")
        #expect(world.sonarr.episodeSearches == [[72, 73, 74]])
    }

    /// Sonarr's Grab names a show, not a viewer: the run plans that show for all its viewers, and no other show.
    @Test func aGrabFocusPlansTheShowForEveryViewer() async throws {
        let world = try await PrefetchWorld()
        defer { Task { await world.stop() } }
        world.tautulli.setMetadata(
            TautulliMetadata(ratingKey: 600, title: "Dark", libraryName: "TV Shows", guids: ["tvdb://\(PrefetchWorld.dark)"]), for: 600)
        world.tautulli.add([world.play("ann", 1, 2), world.play("bob", 1, 1), world.play("cid", show: 600, title: "Dark", 1, 1)])
        let focus = PrefetchFocus(events: [PlaybackEvent(kind: .grabbed, show: "The Expanse", tvdb: PrefetchWorld.expanse)])
        let report = try await world.prefetch(dryRun: true, focus: focus)
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(Set(report.searched.flatMap(\.users)) == ["ann", "bob"])
        #expect(report.searched.allSatisfy { $0.series == "The Expanse" })
        #expect(report.focus == ["every viewer of The Expanse (grabbed)"])
        let episodeLists = world.sonarr.requests.filter { $0.path == "/api/v3/episode" && $0.method == "GET" }.compactMap { $0.query("seriesId") }
        #expect(episodeLists == ["5"], "only the grabbed show's episodes were asked for")
    }

    /// A viewer who starts an episode is on it at once: the next ones are searched while it plays, before the
    /// history holds the play; a viewer new to a show gets it planned from that first episode.
    @Test func aStartedEpisodeCountsAsTheViewersPositionAtOnce() async throws {
        let world = try await PrefetchWorld()
        defer { Task { await world.stop() } }
        world.tautulli.add([world.play("ann", 1, 2)])
        let started = PrefetchFocus(events: [
            PlaybackEvent(kind: .started, user: "ann", show: "The Expanse", season: 2, episode: 1),
            PlaybackEvent(kind: .started, user: "dee", show: "Dark Netflix", season: 1, episode: 1),
        ])
        let report = try await world.prefetch(dryRun: true, focus: started)
        #expect(report.errors.isEmpty, "\(report.errors)")
        let ann = report.searched.filter { $0.users == ["ann"] }
        let dee = report.searched.filter { $0.users == ["dee"] }
        #expect(PrefetchWorld.codes(ann) == ["S02E02"], "after S02E01, which ann is watching; S02E03 has not aired")
        #expect(PrefetchWorld.codes(dee) == ["S01E02", "S01E03", "S01E04"], "dee has no history, only the start")
        // A stop is no position: the history decides.
        let stopped = try await world.prefetch(
            dryRun: true, focus: PrefetchFocus(events: [PlaybackEvent(kind: .stopped, user: "ann", show: "The Expanse", season: 2, episode: 1)]))
        #expect(PrefetchWorld.codes(stopped.searched) == ["S01E03", "S02E01", "S02E02"])
        // An excluded viewer's start counts for nothing.
        world.settings = "  exclude_users: [Dee]"
        let excluded = try await world.prefetch(
            dryRun: true, focus: PrefetchFocus(events: [PlaybackEvent(kind: .started, user: "dee", show: "Dark Netflix", season: 1, episode: 1)]))
        #expect(excluded.searched.isEmpty && excluded.skipped.isEmpty)
    }

    @Test func unairedEpisodesAreNeverSearchedAndEachIsReported() async throws {
        let world = try await PrefetchWorld()
        defer { Task { await world.stop() } }
        // A second unaired episode, a week after the first: both fall in ann's window of three.
        let later = PrefetchWorld.iso(world.now.addingTimeInterval(10 * 86400))
        world.sonarr.withState { $0.episodes.append(world.episode(64, 5, 2, 4, later)) }
        world.tautulli.add([world.play("ann", 2, 2)])
        let report = try await world.prefetch()
        #expect(report.searched.isEmpty)
        #expect(world.sonarr.episodeSearches.isEmpty)
        let unaired = report.skipped.filter { $0.reason.hasPrefix("not aired yet") }
        #expect(PrefetchWorld.codes(unaired) == ["S02E03", "S02E04"], "\(report.skipped.map(\.reason))")
        #expect(unaired.last?.reason == "not aired yet (airs \(later))", "\(unaired.map(\.reason))")
    }

    /// `history_days: 2` is 48 hours: Tautulli is asked from the day before (its `after` is a date in its
    /// own time zone), and a play 49 hours ago does not count while one 47 hours ago does.
    @Test func theHistoryWindowIsExactlyHistoryDaysTimes24Hours() async throws {
        let world = try await PrefetchWorld()
        defer { Task { await world.stop() } }
        world.settings = "  history_days: 2"
        world.tautulli.add([world.play("ann", 1, 2, hoursAgo: 47), world.play("bob", 2, 1, hoursAgo: 49)])
        let report = try await world.prefetch()
        #expect(report.errors.isEmpty, "\(report.errors)")
        let users = Set((report.searched + report.skipped).flatMap(\.users))
        #expect(users == ["ann"], "bob's play is 49 hours old")
        #expect(PrefetchWorld.codes(report.searched) == ["S01E03", "S02E01", "S02E02"])
        let after = world.tautulli.requests.last { $0.query("cmd") == "get_history" }?.query("after")
        #expect(after == UTCTime.day(Int64(world.now.timeIntervalSince1970) - 3 * 86400))
    }

    @Test func partialPlaysAreIgnoredAndRewatchesDoNotMoveBack() async throws {
        let world = try await PrefetchWorld()
        defer { Task { await world.stop() } }
        world.tautulli.add([
            world.play("ann", 1, 2, hoursAgo: 30),
            world.play("ann", 1, 3, percent: 20, hoursAgo: 20),  // stopped early: does not count
            world.play("ann", 1, 1, hoursAgo: 1),  // a rewatch of the pilot: does not move ann back
        ])
        let report = try await world.prefetch()
        #expect(PrefetchWorld.codes(report.searched) == ["S01E03", "S02E01", "S02E02"])
    }

    @Test func twoViewersOfOneShowAreOneUnionMostUrgentFirst() async throws {
        let world = try await PrefetchWorld()
        defer { Task { await world.stop() } }
        world.tautulli.add([world.play("ann", 1, 2), world.play("bob", 1, 3)])
        world.settings = "  episodes_ahead: 2"
        let report = try await world.prefetch()
        #expect(PrefetchWorld.codes(report.searched) == ["S01E03", "S02E01", "S02E02"])
        let s02e01 = try #require(report.searched.first { $0.season == 2 && $0.episode == 1 })
        #expect(s02e01.users == ["ann", "bob"])
        #expect(s02e01.reachedInMinutes == 0, "bob reaches it next")
        #expect(world.sonarr.episodeSearches == [[53, 61, 62]])
    }

    @Test func userAndLibraryFilters() async throws {
        let world = try await PrefetchWorld()
        defer { Task { await world.stop() } }
        world.tautulli.add([world.play("ann", 1, 2)], section: 2)
        world.tautulli.add([world.play("kid", show: 600, title: "Dark Netflix", 1, 1)], section: 3)
        world.settings = "  users: [Ann]"
        let onlyAnn = try await world.prefetch(dryRun: true)
        #expect(Set(onlyAnn.searched.flatMap(\.users)) == ["ann"])
        world.settings = "  libraries: [Kids TV]"
        let kids = try await world.prefetch(dryRun: true)
        #expect(kids.searched.map(\.series) == ["Dark (2017)", "Dark (2017)", "Dark (2017)"], "matched by its alternate title")
        #expect(world.tautulli.requests.last { $0.query("cmd") == "get_history" }?.query("section_id") == "3")
        world.settings = "  exclude_users: [kid]\n  libraries: [Kids TV]"
        #expect(try await world.prefetch(dryRun: true).searched.isEmpty)
        world.settings = "  libraries: [Anime]"
        await #expect(throws: JobError.self) { _ = try await world.prefetch(dryRun: true) }
    }

    @Test func excludeTagLeavesTheSeriesAlone() async throws {
        let world = try await PrefetchWorld()
        defer { Task { await world.stop() } }
        world.sonarr.withState { sonarr in
            sonarr.tags = [ArrTag(id: 4, label: "no-prefetch")]
            sonarr.series[0].tags = [4]
        }
        world.tautulli.add([world.play("ann", 1, 2)])
        let report = try await world.prefetch()
        #expect(report.searched.isEmpty)
        #expect(world.sonarr.episodeSearches.isEmpty)
        #expect(report.skipped.first?.reason.contains("no-prefetch") == true)
        #expect(!world.sonarr.requests.contains { $0.path == "/api/v3/episode" }, "an excluded series' episodes are not even read")
    }

    @Test func cooldownHoldsAcrossRunsAndExpires() async throws {
        let world = try await PrefetchWorld()
        defer { Task { await world.stop() } }
        world.tautulli.add([world.play("ann", 1, 2)])
        world.settings = "  search_cooldown: 12h"
        _ = try await world.prefetch()
        #expect(world.sonarr.episodeSearches.count == 1)
        let later = try await world.prefetch(at: world.now.addingTimeInterval(6 * 3600))
        #expect(later.searched.isEmpty)
        #expect(world.sonarr.episodeSearches.count == 1, "no repeat search within the cooldown")
        #expect(later.skipped.filter { $0.reason.contains("cooldown") }.count == 3)
        let expired = try await world.prefetch(at: world.now.addingTimeInterval(13 * 3600))
        #expect(PrefetchWorld.codes(expired.searched) == ["S01E03", "S02E01", "S02E02"])
        #expect(world.sonarr.episodeSearches.count == 2)
    }

    @Test func dryRunPrintsExactlyWhatARealRunDoesAndChangesNothing() async throws {
        let world = try await PrefetchWorld()
        defer { Task { await world.stop() } }
        world.tautulli.add([world.play("ann", 1, 2)])
        let dry = try await world.prefetch(dryRun: true)
        #expect(world.sonarr.requests.allSatisfy { $0.method == "GET" })
        #expect(dry.text().contains("search   The Expanse S01E03"))
        let real = try await world.prefetch()
        #expect(dry.searched == real.searched)
        // The dry run recorded no cooldown: the real run searched.
        #expect(world.sonarr.episodeSearches.count == 1)
    }

    @Test func sonarrDownIsAClearErrorAndRecordsNoCooldown() async throws {
        let world = try await PrefetchWorld()
        defer { Task { await world.stop() } }
        world.tautulli.add([world.play("ann", 1, 2)])
        world.sonarr.failNext("/api/v3/command", status: 503)
        let failed = try await world.prefetch()
        #expect(failed.hasErrors)
        #expect(failed.errors.joined().contains("sonarr main: POST"))
        #expect(failed.errors.joined().contains("503"))
        #expect(failed.searched.isEmpty)
        // Nothing was recorded: the next run searches at once.
        let next = try await world.prefetch()
        #expect(next.errors.isEmpty)
        #expect(PrefetchWorld.codes(next.searched) == ["S01E03", "S02E01", "S02E02"])

        // Sonarr unreachable altogether: an error naming it, and no search anywhere.
        await world.sonarr.stop()
        let down = try await world.prefetch(at: world.now.addingTimeInterval(86400))
        #expect(down.hasErrors && down.searched.isEmpty)
        #expect(down.errors.joined().contains("sonarr main"))
        #expect(down.unmatched.isEmpty, "a show is not called unmatched while Sonarr cannot be asked")
    }

    @Test func unmatchedShowIsReportedOnce() async throws {
        let world = try await PrefetchWorld()
        defer { Task { await world.stop() } }
        world.tautulli.add([world.play("ann", show: 777, title: "Severance", 1, 1)])
        let first = try await world.prefetch()
        #expect(first.unmatched.map(\.new) == [true])
        #expect(first.warnings.contains { $0.contains("Severance") })
        let second = try await world.prefetch()
        #expect(second.unmatched.map(\.new) == [false])
        #expect(!second.warnings.contains { $0.contains("Severance") })
        #expect(!second.text().contains("Severance"))
    }

    @Test func eachSeriesIsHandledByTheInstanceThatHasIt() async throws {
        let world = try await PrefetchWorld(secondSonarr: true)
        defer { Task { await world.stop() } }
        world.tautulli.setMetadata(TautulliMetadata(ratingKey: 900, title: "Frieren", libraryName: "Anime", guids: ["tvdb://424536"]), for: 900)
        world.tautulli.add([world.play("ann", 1, 2), world.play("ann", show: 900, title: "Frieren: Beyond Journey's End", 1, 1)])
        let report = try await world.prefetch()
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(world.sonarr.episodeSearches == [[53, 61, 62]])
        #expect(world.anime?.episodeSearches == [[92]])
        #expect(report.searched.first { $0.series == "Frieren" }?.sonarr == "anime")
    }

    @Test func seasonSearchWhenTheRestOfAnAiredSeasonIsMissing() async throws {
        let world = try await PrefetchWorld()
        defer { Task { await world.stop() } }
        world.tautulli.setMetadata(TautulliMetadata(ratingKey: 600, title: "Dark", libraryName: "TV Shows", guids: ["tvdb://\(PrefetchWorld.dark)"]), for: 600)
        world.tautulli.add([world.play("ann", show: 600, title: "Dark", 1, 1)])
        world.settings = "  season_search: true"
        let report = try await world.prefetch()
        #expect(world.sonarr.seasonSearches.map { "\($0.series)/\($0.season)" } == ["6/1"])
        #expect(world.sonarr.episodeSearches.isEmpty)
        #expect(report.searched.count == 3 && report.searched.allSatisfy { $0.reason.contains("season 1 searched whole") })
    }

    @Test func notifiesOnlyNewActionsAndPingsHealthEveryRun() async throws {
        let world = try await PrefetchWorld()
        defer { Task { await world.stop() } }
        let hooks = try await FakeHTTPServer.start { _ in FakeResponse(status: 200, body: Data("ok".utf8), contentType: "text/plain") }
        world.hooks = hooks
        world.tautulli.add([world.play("ann", 1, 2)])
        world.settings = "  health_url: \"\(hooks.baseURL)/ping/abc-123\""
        world.extra = """
            notify:
              - {type: tautulli, notifier_id: 3}
              - {type: webhook, url: "\(hooks.baseURL)/hook"}
              - {type: discord, url: "\(hooks.baseURL)/api/webhooks/1/hook-token"}
              - {type: ntfy, url: "\(hooks.baseURL)/usher-topic"}
            """
        let first = try await world.prefetch()
        #expect(first.notified == ["tautulli", "webhook", "discord", "ntfy"])
        let discord = try #require(hooks.requests.first { $0.path == "/api/webhooks/1/hook-token" })
        let content = (try JSONSerialization.jsonObject(with: discord.body) as? [String: Any])?["content"] as? String
        #expect(content?.hasPrefix("Usher prefetch: searched 3 episodes") == true)
        let ntfy = try #require(hooks.requests.first { $0.method == "POST" && $0.path == "/" })
        let message = try JSONSerialization.jsonObject(with: ntfy.body) as? [String: Any]
        #expect(message?["topic"] as? String == "usher-topic")
        #expect((message?["message"] as? String)?.contains("Searched The Expanse S02E02") == true)
        #expect(!first.json().contains("hook-token"), "a webhook URL is a secret")
        #expect(world.tautulli.sentNotifications.count == 1)
        #expect(world.tautulli.sentNotifications.first?.body.contains("Searched The Expanse S01E03") == true)
        let hook = try #require(hooks.requests.first { $0.path == "/hook" })
        let body = try JSONSerialization.jsonObject(with: hook.body) as? [String: Any]
        #expect((body?["searched"] as? [Any])?.count == 3)
        #expect(hooks.requests.filter { $0.path == "/ping/abc-123" }.count == 1)

        // A quiet run (everything searched within the cooldown): no message, but the health ping.
        let quiet = try await world.prefetch(at: world.now.addingTimeInterval(600))
        #expect(quiet.notified.isEmpty && quiet.searched.isEmpty)
        #expect(world.tautulli.sentNotifications.count == 1)
        #expect(hooks.requests.filter { $0.path == "/hook" }.count == 1)
        #expect(hooks.requests.filter { $0.path == "/ping/abc-123" }.count == 2)
        #expect(quiet.healthChecked)

        // A failed run pings nothing.
        world.sonarr.failNext("/api/v3/series", status: 500)
        let failed = try await world.prefetch(at: world.now.addingTimeInterval(1200))
        #expect(failed.hasErrors && !failed.healthChecked)
        #expect(hooks.requests.filter { $0.path == "/ping/abc-123" }.count == 2)
    }

    @Test func jsonReportHasTheAgreedFields() async throws {
        let world = try await PrefetchWorld()
        defer { Task { await world.stop() } }
        world.tautulli.add([world.play("ann", 1, 2)])
        let report = try await world.prefetch(dryRun: true)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        for key in ["searched", "prioritized", "skipped", "unmatched", "errors", "warnings", "dry_run"] { #expect(object[key] != nil, "\(key)") }
        let first = try #require((object["searched"] as? [[String: Any]])?.first)
        #expect(first["series"] as? String == "The Expanse")
        #expect(first["tvdb_id"] as? Int == PrefetchWorld.expanse)
        #expect(first["season"] as? Int == 1 && first["episode"] as? Int == 3)
        #expect(first["users"] as? [String] == ["ann"])
        #expect(first["reason"] as? String == "missing")
    }

    @Test func wrongTautulliKeyIsAClearErrorWithoutTheKey() async throws {
        let world = try await PrefetchWorld()
        defer { Task { await world.stop() } }
        world.extra = ""
        try world.configure()
        var text = try String(contentsOfFile: world.lib.path("usher.yml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "api_key: \(world.tautulli.apiKey)", with: "api_key: not-the-key-123")
        try text.write(toFile: world.lib.path("usher.yml"), atomically: true, encoding: .utf8)
        let config = try UsherConfig.load(path: world.lib.path("usher.yml"), environment: [:])
        let report = try await PrefetchJob(config: config, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }).run(PrefetchOptions(now: world.now))
        #expect(report.hasErrors)
        #expect(report.errors.joined().contains("refused"))
        #expect(!report.json().contains("not-the-key-123"))
        #expect(world.sonarr.requests.isEmpty, "nothing is asked of Sonarr without the history")
    }

    @Test func queuedDownloadsMoveUpInUrgencyOrderAndAPausedOneStaysPaused() async throws {
        let world = try await PrefetchWorld()
        defer { Task { await world.stop() } }
        let sab = try await FakeSABnzbd.start()
        world.sab = sab
        sab.add("Someone.Elses.Film.2024", nzoID: "SABnzbd_nzo_other1")
        sab.add("Another.Show.S05E01", nzoID: "SABnzbd_nzo_other2")
        sab.add("The.Expanse.S02E02", nzoID: "SABnzbd_nzo_s02e02")
        sab.add("The.Expanse.S02E01", nzoID: "SABnzbd_nzo_s02e01", paused: true)  // paused by a person
        sab.add("The.Expanse.S01E03", nzoID: "SABnzbd_nzo_s01e03")
        world.queue(53, download: "SABnzbd_nzo_s01e03")
        world.queue(61, download: "SABnzbd_nzo_s02e01")
        world.queue(62, download: "SABnzbd_nzo_s02e02")
        world.tautulli.add([world.play("ann", 1, 2)])

        let dry = try await world.prefetch(dryRun: true)
        #expect(sab.jobs.map(\.nzoID).first == "SABnzbd_nzo_other1", "a dry run moves nothing")
        let report = try await world.prefetch()
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(report.searched.isEmpty && world.sonarr.episodeSearches.isEmpty, "everything wanted is downloading already")
        #expect(PrefetchWorld.codes(report.prioritized) == ["S01E03", "S02E02"])
        #expect(dry.prioritized.map(\.downloadId) == report.prioritized.map(\.downloadId), "the dry run said exactly this")
        // The next episode leads, then the one after; the paused job keeps its state and its place among the rest.
        #expect(sab.jobs.map(\.nzoID) == ["SABnzbd_nzo_s01e03", "SABnzbd_nzo_s02e02", "SABnzbd_nzo_other1", "SABnzbd_nzo_other2", "SABnzbd_nzo_s02e01"])
        #expect(sab.job("SABnzbd_nzo_s02e01")?.paused == true)
        let paused = try #require(report.skipped.first { $0.downloadId == "SABnzbd_nzo_s02e01" })
        #expect(paused.reason.contains("paused"))
        #expect(world.sonarr.withState { $0.episodes.first { $0.id == 61 }?.monitored } == false, "downloading: not touched in Sonarr")

        // Already in order: the next run reads the queue and moves nothing.
        let mark = sab.requests.count
        let again = try await world.prefetch()
        #expect(again.prioritized.isEmpty)
        #expect(sab.requests.dropFirst(mark).allSatisfy { $0.query("mode") == "queue" && $0.query("name") == nil })
        #expect(again.skipped.contains { $0.downloadId == "SABnzbd_nzo_s01e03" && $0.reason.contains("already in order") })
    }

    @Test func highPriorityNeverTouchesAPausedJob() async throws {
        let world = try await PrefetchWorld()
        defer { Task { await world.stop() } }
        let sab = try await FakeSABnzbd.start()
        world.sab = sab
        sab.add("Other", nzoID: "SABnzbd_nzo_other1")
        sab.add("The.Expanse.S01E03", nzoID: "SABnzbd_nzo_s01e03")
        sab.add("The.Expanse.S02E01", nzoID: "SABnzbd_nzo_s02e01", paused: true)
        world.queue(53, download: "SABnzbd_nzo_s01e03")
        world.queue(61, download: "sabnzbd_NZO_S02E01")  // ids compare without case
        world.tautulli.add([world.play("ann", 1, 2)])
        world.settings = "  priority: high"
        let report = try await world.prefetch()
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(sab.job("SABnzbd_nzo_s01e03")?.priorityName == "High")
        #expect(sab.jobs.first?.nzoID == "SABnzbd_nzo_s01e03")
        #expect(sab.job("SABnzbd_nzo_s02e01")?.paused == true)
        #expect(sab.job("SABnzbd_nzo_s02e01")?.priorityName == "Normal")
        #expect(report.prioritized.first?.reason == "priority set to high" || report.prioritized.first?.reason.contains("priority set to high") == true)
    }

    /// The wait is 5 minutes and the test's limit 1: a run that waited out the limit instead of ending when the
    /// commands finished fails by the limit, whatever the machine's load (no tight timing assertion).
    @Test(.timeLimit(.minutes(1)))
    func aSearchThatGrabsIsMovedUpInTheSameRunAfterABoundedWait() async throws {
        let world = try await PrefetchWorld()
        defer { Task { await world.stop() } }
        let sab = try await FakeSABnzbd.start()
        world.sab = sab
        sab.add("Something.Else", nzoID: "SABnzbd_nzo_other1")
        world.sonarr.withState { sonarr in
            sonarr.releases = [53: "SABnzbd_nzo_grab53", 62: "SABnzbd_nzo_grab62"]
            sonarr.onGrab = { _, download in sab.add("grabbed \(download)", nzoID: download) }
        }
        world.tautulli.add([world.play("ann", 1, 2)])
        world.settings = "  search_wait: 5m"
        let report = try await world.prefetch()
        #expect(PrefetchWorld.codes(report.searched) == ["S01E03", "S02E01", "S02E02"])
        // S02E01 was unmonitored: set monitored first, so Sonarr's search could grab it (no release here).
        #expect(PrefetchWorld.codes(report.prioritized) == ["S01E03", "S02E02"])
        #expect(sab.jobs.map(\.nzoID) == ["SABnzbd_nzo_grab53", "SABnzbd_nzo_grab62", "SABnzbd_nzo_other1"])
    }
}
