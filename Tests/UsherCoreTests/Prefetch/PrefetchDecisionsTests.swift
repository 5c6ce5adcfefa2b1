import Foundation
import Testing
import UsherCore

private let now: Int64 = 1_800_000_000
private let day: Int64 = 86_400
private func e(_ s: Int, _ n: Int) -> EpisodeNumber { EpisodeNumber(season: s, episode: n) }
private func viewer(_ user: String, show: String = "42", title: String = "Show", at number: EpisodeNumber) -> ViewerPosition {
    WatchProgress.positions(
        [WatchEvent(user: user, show: show, showTitle: title, episode: number, percentComplete: 100, watchedAt: now - day)],
        filter: WatchFilter())[0]
}
private let show = PrefetchSeries(key: SeriesKey(instance: "main", id: 7), title: "Show", tvdb: 100, tags: [3])
private let other = PrefetchSeries(key: SeriesKey(instance: "main", id: 8), title: "Other", tvdb: 200)

/// The decisions `usher prefetch` used to make inside its I/O code, now values in, values out.
@Suite("Just-in-time: which shows, what per series, where the downloads are")
struct PrefetchDecisionsTests {
    @Test func showsAreMatchedExcludedByTagOrReportedOnce() {
        let positions = [
            viewer("ann", at: e(1, 2)), viewer("bob", show: "43", title: "Other", at: e(2, 1)),
            viewer("cid", show: "44", title: "Nowhere", at: e(1, 1)), viewer("dee", show: "45", title: "Known", at: e(1, 1)),
        ]
        let shows = ["42": WatchedShow(key: "42", title: "Show", tvdb: 100), "43": WatchedShow(key: "43", title: "Other", tvdb: 200)]
        let matcher = ShowMatcher(series: [show, other])
        let selection = ShowSelection.select(
            positions: positions, shows: shows, matcher: matcher, excludeTag: ("no-prefetch", ["main": 3]),
            someSonarrFailed: false, reported: ["45"])
        #expect(selection.matched.map(\.series.key.id) == [8])
        #expect(selection.matchedKeys == ["42", "43"])
        #expect(selection.excluded.map(\.reason) == ["series has the tag 'no-prefetch' (last watched)"])
        #expect(selection.excluded.map(\.users) == [["ann"]])
        #expect(selection.unmatched.map(\.title) == ["Nowhere", "Known"])
        #expect(selection.unmatched.map(\.new) == [true, false], "45 was reported by an earlier run")
        #expect(selection.unmatched[0].warning.hasPrefix("no Sonarr series for the watched show 'Nowhere'"))
        // While a Sonarr instance is down, nothing is called unmatched: it may hold the show.
        let down = ShowSelection.select(positions: positions, shows: shows, matcher: matcher, excludeTag: nil, someSonarrFailed: true, reported: [])
        #expect(down.unmatched.isEmpty && down.matched.count == 2)
    }

    @Test func aSeriesPlanSaysWhyForEveryEpisode() {
        let episodes = [
            UpcomingEpisode(id: 1, number: e(1, 1), airsAt: now - 30 * day, runtimeMinutes: 40, hasFile: true),
            UpcomingEpisode(id: 2, number: e(1, 2), airsAt: now - 23 * day, runtimeMinutes: 40, hasFile: true),
            UpcomingEpisode(id: 3, number: e(1, 3), airsAt: now - 16 * day, runtimeMinutes: 40),
            UpcomingEpisode(id: 4, number: e(1, 4), airsAt: now - 9 * day, runtimeMinutes: 40, monitored: false),
            UpcomingEpisode(id: 5, number: e(1, 5), airsAt: now - 2 * day, runtimeMinutes: 40),
            UpcomingEpisode(id: 6, number: e(1, 6), airsAt: now + day, runtimeMinutes: 40),
        ]
        let plan = SeriesPlan.make(
            series: show, viewers: [viewer("ann", at: e(1, 1))], episodes: episodes, titles: [3: "Three"],
            queue: [5: "SABnzbd_nzo_5"], lastSearched: [4: now - 3600], window: PrefetchWindow(episodesAhead: 5),
            cooldownSeconds: 6 * 3600, seasonSearch: false, now: now)
        #expect(
            plan.skipped.map(\.reason) == [
                "on disk",
                "searched \(UTCTime.iso8601(now - 3600)); next search after the 6h cooldown",
                "not aired yet (airs \(UTCTime.iso8601(now + day)))",
            ])
        #expect(plan.searches.flatMap(\.episodeIDs) == [3])
        #expect(plan.searched(3, by: plan.searches[0])?.title == "Three")
        #expect(plan.searched(3, by: plan.searches[0])?.reason == "missing")
        #expect(plan.downloading.map(\.downloadID) == ["SABnzbd_nzo_5"])
        #expect(plan.monitor.isEmpty)
    }

    @Test func downloadsAreFoundLeftPausedOrQueuedToMoveMostUrgentFirst() {
        func item(_ n: Int) -> PrefetchItem { PrefetchItem(series: show, season: 1, episode: n, title: nil, users: ["ann"], reason: "") }
        let downloading = [
            SeriesPlan.Downloading(item: item(3), downloadID: "B", reachedInMinutes: 40),
            SeriesPlan.Downloading(item: item(2), downloadID: "a", reachedInMinutes: 0),
            SeriesPlan.Downloading(item: item(4), downloadID: "P", reachedInMinutes: 80),
            SeriesPlan.Downloading(item: item(5), downloadID: "gone", reachedInMinutes: 120),
        ]
        let located: [String: DownloadPlacement.Located] = [
            "a": .init(client: 0, clientName: "sab", ref: "ref-a", paused: false),
            "b": .init(client: 0, clientName: "sab", ref: "ref-b", paused: false),
            "p": .init(client: 1, clientName: "qbit", ref: "ref-p", paused: true),
        ]
        let placement = DownloadPlacement.place(downloading, located: located, clientsConfigured: true, someClientFailed: false)
        #expect(placement.urgent == [0: ["ref-a", "ref-b"]], "case-insensitive ids, most urgent first")
        #expect(placement.skipped.map(\.reason) == ["paused in qbit by someone; left paused", "downloading, but in none of the configured download clients"])
        #expect(placement.items["ref-a"]?.first?.client == "sab")
        let failed = DownloadPlacement.place(downloading, located: [:], clientsConfigured: true, someClientFailed: true)
        #expect(failed.skipped.allSatisfy { $0.reason == "downloading; its download client did not answer" })
        let none = DownloadPlacement.place(downloading, located: located, clientsConfigured: false, someClientFailed: false)
        #expect(none.urgent.isEmpty && none.skipped.count == 4)

        let moved = DownloadPlacement.outcome(item(2), raisedTo: .high, moved: true, clientName: "sab")
        #expect(moved.prioritized && moved.item.reason == "priority set to high, moved to the front of sab")
        let kept = DownloadPlacement.outcome(item(2), raisedTo: nil, moved: false, clientName: "sab")
        #expect(!kept.prioritized && kept.item.reason == "downloading in sab, already in order")
        #expect(DownloadPriority.force.raises(.high) && !DownloadPriority.high.raises(.force) && !DownloadPriority.top.raises(nil))
    }

    @Test(arguments: [Int64(0), 951_782_400, 1_709_258_400, 1_800_000_000, 4_102_444_799, -86_401])
    func utcTimesAgreeWithFoundation(_ seconds: Int64) {
        let formatter = ISO8601DateFormatter()
        #expect(UTCTime.iso8601(seconds) == formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))))
        #expect(UTCTime.day(seconds) == String(formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))).prefix(10)))
    }
}
