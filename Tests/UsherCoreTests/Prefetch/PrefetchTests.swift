import Testing
import UsherCore

private func e(_ s: Int, _ n: Int) -> EpisodeNumber { EpisodeNumber(season: s, episode: n) }
private let now: Int64 = 1_800_000_000
private let day: Int64 = 86_400

/// Two seasons of three episodes, a special, and one episode that airs tomorrow.
private let episodes: [UpcomingEpisode] = [
    UpcomingEpisode(id: 1, number: e(1, 1), airsAt: now - 90 * day, runtimeMinutes: 40, hasFile: true),
    UpcomingEpisode(id: 2, number: e(1, 2), airsAt: now - 83 * day, runtimeMinutes: 40, hasFile: true),
    UpcomingEpisode(id: 3, number: e(1, 3), airsAt: now - 76 * day, runtimeMinutes: 40),
    UpcomingEpisode(id: 4, number: e(2, 1), airsAt: now - 20 * day, runtimeMinutes: 50),
    UpcomingEpisode(id: 5, number: e(2, 2), airsAt: now - 13 * day, runtimeMinutes: 50, monitored: false),
    UpcomingEpisode(id: 6, number: e(2, 3), airsAt: now + day, runtimeMinutes: 50),
    UpcomingEpisode(id: 7, number: e(2, 4), airsAt: now + 8 * day, runtimeMinutes: 50),
    UpcomingEpisode(id: 90, number: e(0, 1), airsAt: now - 50 * day, runtimeMinutes: 90),
].shuffled()  // Sonarr's order is not the viewing order

private func play(_ user: String, _ number: EpisodeNumber, _ percent: Int = 100, at: Int64 = now - day, library: String = "TV") -> WatchEvent {
    WatchEvent(user: user, show: "42", showTitle: "Show", library: library, episode: number, percentComplete: percent, watchedAt: at)
}

@Suite("Just-in-time: who is where")
struct WatchProgressTests {
    @Test func partialPlaysDoNotCountAndRewatchesDoNotMoveBack() {
        let positions = WatchProgress.positions(
            [
                play("ann", e(1, 1)), play("ann", e(1, 2)), play("ann", e(1, 3), 30),  // stopped early in S01E03
                play("ann", e(1, 1), 100, at: now),  // rewatched the pilot today
            ], filter: WatchFilter(watchedPercent: 50))
        #expect(positions.count == 1)
        #expect(positions.first?.furthest == e(1, 2))
        #expect(positions.first?.lastWatchedAt == now)
    }

    /// `history_days: 2` is 48 hours, not "since the day before yesterday": a play 47 hours ago counts,
    /// one 49 hours ago does not, and one exactly 48 hours ago does.
    @Test func theHistoryWindowIsExact() {
        let hour: Int64 = 3600
        let filter = WatchFilter(since: now - 48 * hour)
        let positions = WatchProgress.positions(
            [
                play("in", e(1, 2), at: now - 47 * hour), play("edge", e(1, 2), at: now - 48 * hour), play("out", e(1, 2), at: now - 49 * hour),
            ], filter: filter)
        #expect(positions.map(\.user) == ["edge", "in"])
    }

    @Test func usersAndLibrariesFilter() {
        let events = [play("Ann", e(1, 2)), play("bob", e(2, 1)), play("kid", e(1, 1), library: "Kids TV")]
        #expect(WatchProgress.positions(events, filter: WatchFilter(users: ["ann"])).map(\.user) == ["Ann"])
        #expect(WatchProgress.positions(events, filter: WatchFilter(excludeUsers: ["BOB"])).map(\.user) == ["Ann", "kid"])
        #expect(WatchProgress.positions(events, filter: WatchFilter(libraries: ["kids tv"])).map(\.user) == ["kid"])
    }
}

@Suite("Just-in-time: what comes next")
struct NextEpisodesTests {
    @Test func exactlyNAcrossTheSeasonBreakWithoutSpecials() {
        let window = NextEpisodes.window(after: e(1, 2), in: episodes, PrefetchWindow(episodesAhead: 3), now: now)
        #expect(window.map(\.0.number) == [e(1, 3), e(2, 1), e(2, 2)])
        #expect(window.map(\.1) == [0, 40, 90])
    }

    @Test func everyUnairedEpisodeInTheWindowIsInIt() {
        // Two unaired episodes in a window of five: both are listed (to be reported with their air times).
        let window = NextEpisodes.window(after: e(2, 1), in: episodes, PrefetchWindow(episodesAhead: 5), now: now)
        #expect(window.map(\.0.number) == [e(2, 2), e(2, 3), e(2, 4)])
        #expect(window.map(\.2) == [true, false, false])
        // The window still has its size: two ahead is two, aired or not.
        let two = NextEpisodes.window(after: e(2, 2), in: episodes, PrefetchWindow(episodesAhead: 2), now: now)
        #expect(two.map(\.0.number) == [e(2, 3), e(2, 4)])
    }

    @Test func specialsWhenAsked() {
        let window = NextEpisodes.window(after: e(0, 0), in: episodes, PrefetchWindow(episodesAhead: 2, skipSpecials: false), now: now)
        #expect(window.map(\.0.number) == [e(0, 1), e(1, 1)])
    }

    @Test func minutesAheadWidensTheWindowByItsOwnRuntimes() {
        // 100 minutes ahead plus a 60-minute run: 160 minutes, i.e. 40 + 50 + 50 (+ the one that crosses it).
        let wide = NextEpisodes.window(after: e(1, 2), in: episodes, PrefetchWindow(episodesAhead: 1, minutesAhead: 100, runEveryMinutes: 60), now: now)
        #expect(wide.map(\.0.number) == [e(1, 3), e(2, 1), e(2, 2), e(2, 3)])
        // Off: exactly N.
        let narrow = NextEpisodes.window(after: e(1, 2), in: episodes, PrefetchWindow(episodesAhead: 1, minutesAhead: 0), now: now)
        #expect(narrow.count == 1)
    }

    @Test func twoViewersOfOneShowMakeOneUnion() {
        let positions = WatchProgress.positions([play("ann", e(1, 2)), play("bob", e(1, 3))], filter: WatchFilter())
        let needs = NextEpisodes.needs(of: positions, in: episodes, PrefetchWindow(episodesAhead: 2), now: now)
        #expect(needs.map(\.episode.number) == [e(1, 3), e(2, 1), e(2, 2)])
        let s2e1 = needs.first { $0.episode.number == e(2, 1) }
        #expect(s2e1?.reachedInMinutes == 0, "bob reaches it next")
        #expect(Set(s2e1?.users ?? []) == ["ann", "bob"])
    }
}

@Suite("Just-in-time: what to do")
struct PrefetchPlannerTests {
    @Test func eachCase() {
        let positions = WatchProgress.positions([play("ann", e(1, 1))], filter: WatchFilter())
        let needs = NextEpisodes.needs(of: positions, in: episodes, PrefetchWindow(episodesAhead: 6), now: now)
        let actions = PrefetchPlanner.actions(
            for: needs, queue: [3: "SABnzbd_nzo_abc"], lastSearched: [4: now - 3600],
            cooldownSeconds: 12 * 3600, now: now)
        let byNumber = Dictionary(uniqueKeysWithValues: actions.map { ($0.0.episode.number, $0.1) })
        #expect(byNumber[e(1, 2)] == .onDisk)
        #expect(byNumber[e(1, 3)] == .prioritize(downloadID: "SABnzbd_nzo_abc"))
        #expect(byNumber[e(2, 1)] == .coolingDown(searchedAt: now - 3600))
        #expect(byNumber[e(2, 2)] == .search(monitorFirst: true))
        #expect(byNumber[e(2, 3)] == .notAired)
        #expect(byNumber[e(2, 4)] == .notAired, "every unaired episode in the window is reported")
    }

    @Test func cooldownExpires() {
        let need = UpcomingNeed(episode: episodes.first { $0.id == 4 }!, reachedInMinutes: 0, users: ["ann"], aired: true)
        let fresh = PrefetchPlanner.actions(for: [need], queue: [:], lastSearched: [4: now - 13 * 3600], cooldownSeconds: 12 * 3600, now: now)
        #expect(fresh.first?.1 == .search(monitorFirst: false))
    }
}

@Suite("Just-in-time: download queue order")
struct QueueOrderTests {
    let queue = [QueueItem(id: "a"), QueueItem(id: "B", paused: true), QueueItem(id: "c"), QueueItem(id: "d")]

    @Test func urgentItemsLeadInUrgencyOrder() {
        // d is most urgent, then b: move b to the top, then d.
        #expect(QueueOrder.movesToTop(queue: queue, urgent: ["d", "b"]) == ["B", "d"])
    }

    @Test func nothingWhenTheOrderIsAlreadyRight() {
        #expect(QueueOrder.movesToTop(queue: queue, urgent: ["A", "b"]).isEmpty)
        #expect(QueueOrder.movesToTop(queue: queue, urgent: ["zzz"]).isEmpty, "not in this client")
        #expect(QueueOrder.movesToTop(queue: [], urgent: ["a"]).isEmpty)
    }
}

@Suite("Just-in-time: shows to series, searches")
struct ShowMatchAndSearchTests {
    let series = [
        PrefetchSeries(key: SeriesKey(instance: "main", id: 1), title: "Doctor Who (2005)", year: 2005, tvdb: 78804),
        PrefetchSeries(key: SeriesKey(instance: "main", id: 2), title: "Doctor Who", year: 1963, tvdb: 76107),
        PrefetchSeries(key: SeriesKey(instance: "anime", id: 7), title: "Shingeki no Kyojin", tvdb: 267440, alternateTitles: ["Attack on Titan"]),
        PrefetchSeries(key: SeriesKey(instance: "4k", id: 70), title: "Shingeki no Kyojin", tvdb: 267440),
        PrefetchSeries(key: SeriesKey(instance: "main", id: 3), title: "Grey's Anatomy", tvdb: 73762),
    ]

    @Test func byTVDBFirstThenTitleAndAlternateTitles() {
        let matcher = ShowMatcher(series: series)
        guard case .matched(let who, let by) = matcher.match(WatchedShow(key: "1", title: "Anything", tvdb: 76107)) else { Issue.record(); return }
        #expect(who.key.id == 2 && by == "tvdb")
        guard case .matched(let titan, "title") = matcher.match(WatchedShow(key: "2", title: "Attack on Titan", tvdb: nil)) else { Issue.record(); return }
        #expect(titan.key == SeriesKey(instance: "anime", id: 7))  // the first instance that holds it
        guard case .matched(let greys, _) = matcher.match(WatchedShow(key: "3", title: "greys anatomy", tvdb: nil)) else { Issue.record(); return }
        #expect(greys.key.id == 3)
        guard case .matched(let who2005, _) = matcher.match(WatchedShow(key: "4", title: "Doctor Who (2005)", tvdb: nil)) else { Issue.record(); return }
        #expect(who2005.key.id == 1)
    }

    @Test func ambiguousAndUnknownTitlesAreUnmatched() {
        let matcher = ShowMatcher(series: series)
        guard case .unmatched(let reason) = matcher.match(WatchedShow(key: "5", title: "Doctor Who", tvdb: nil)) else { Issue.record(); return }
        #expect(reason.contains("several series"))
        guard case .unmatched(let none) = matcher.match(WatchedShow(key: "6", title: "Not In Sonarr", tvdb: 999)) else { Issue.record(); return }
        #expect(none.contains("TVDB 999"))
    }

    @Test func oneEpisodeSearchPerSeriesUnlessAWholeAiredSeasonIsMissing() {
        let season = (1...4).map { UpcomingEpisode(id: 10 + $0, number: e(3, $0), airsAt: now - 30 * day) }
        let wanted = Array(season[1...3])
        let single = SearchBatcher.requests(seriesID: 9, searching: wanted, episodes: season, queued: [], seasonSearch: false, now: now)
        #expect(single == [.episodes(seriesID: 9, episodeIDs: [12, 13, 14])])
        let whole = SearchBatcher.requests(seriesID: 9, searching: wanted, episodes: season, queued: [], seasonSearch: true, now: now)
        #expect(whole == [.season(seriesID: 9, season: 3, episodeIDs: [12, 13, 14])])
        // One remaining episode downloading already: episode by episode.
        let partly = SearchBatcher.requests(seriesID: 9, searching: [season[1], season[2]], episodes: season, queued: [14], seasonSearch: true, now: now)
        #expect(partly == [.episodes(seriesID: 9, episodeIDs: [12, 13])])
        // A season still airing: episode by episode.
        var airing = season
        airing[3].airsAt = now + day
        let current = SearchBatcher.requests(seriesID: 9, searching: wanted.dropLast(), episodes: airing, queued: [], seasonSearch: true, now: now)
        #expect(current == [.episodes(seriesID: 9, episodeIDs: [12, 13])])
    }

    @Test func durations() {
        #expect(DurationText.seconds("60m") == 3600)
        #expect(DurationText.seconds("12h") == 43200)
        #expect(DurationText.seconds("1h30m") == 5400)
        #expect(DurationText.seconds("7d") == 604_800)
        #expect(DurationText.seconds("0") == 0)
        #expect(DurationText.seconds("60") == nil)
        #expect(DurationText.seconds("h") == nil)
        #expect(DurationText.seconds("5 minutes") == nil)
        #expect(DurationText.format(seconds: 5400) == "1h30m")
    }
}
