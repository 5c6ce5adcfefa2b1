/// Just-in-time (issue 4), the pure part: from watch history to who is where in which show, to the
/// episodes each viewer reaches next, to what to do about each, to the order of the download queue.
/// No I/O: the adapters read Tautulli, Sonarr and the download clients and apply the plans.

/// One play from the watch history (Tautulli `get_history`, `media_type=episode`).
public struct WatchEvent: Sendable, Hashable {
    public var user: String
    /// The show as the history names it (Tautulli's `grandparent_rating_key`), to match it to a series.
    public var show: String
    public var showTitle: String
    public var library: String?
    public var episode: EpisodeNumber
    /// How far the viewer got, 0–100.
    public var percentComplete: Int
    /// Seconds since 1970.
    public var watchedAt: Int64

    public init(user: String, show: String, showTitle: String, library: String? = nil, episode: EpisodeNumber, percentComplete: Int, watchedAt: Int64) {
        self.user = user
        self.show = show
        self.showTitle = showTitle
        self.library = library
        self.episode = episode
        self.percentComplete = percentComplete
        self.watchedAt = watchedAt
    }
}

/// Which plays count.
public struct WatchFilter: Sendable {
    public var watchedPercent: Int
    /// Only these users (empty: all); compared without case.
    public var users: [String]
    public var excludeUsers: [String]
    /// Only these libraries (empty: all).
    public var libraries: [String]
    /// Only plays watched at or after this time (seconds since 1970; `nil`: any). The history is asked
    /// for by calendar day, so this is what makes `history_days: 2` exactly 48 hours.
    public var since: Int64?

    public init(watchedPercent: Int = 50, users: [String] = [], excludeUsers: [String] = [], libraries: [String] = [], since: Int64? = nil) {
        self.watchedPercent = watchedPercent
        self.users = users
        self.excludeUsers = excludeUsers
        self.libraries = libraries
        self.since = since
    }

    func admits(_ event: WatchEvent) -> Bool {
        if let since, event.watchedAt < since { return false }
        let user = event.user.lowercased()
        if !users.isEmpty, !users.contains(where: { $0.lowercased() == user }) { return false }
        if excludeUsers.contains(where: { $0.lowercased() == user }) { return false }
        if !libraries.isEmpty {
            guard let library = event.library?.lowercased(), libraries.contains(where: { $0.lowercased() == library }) else { return false }
        }
        return event.percentComplete >= watchedPercent
    }
}

/// Where one viewer is in one show: the furthest episode watched far enough.
public struct ViewerPosition: Sendable, Hashable {
    public var user: String
    public var show: String
    public var showTitle: String
    public var furthest: EpisodeNumber
    public var lastWatchedAt: Int64
}

public enum WatchProgress {
    /// Per user and show, the furthest episode reached. A rewatch of an earlier episode does not move
    /// anyone backwards, and partial plays (below `watchedPercent`) do not count.
    public static func positions(_ events: [WatchEvent], filter: WatchFilter) -> [ViewerPosition] {
        var best: [String: ViewerPosition] = [:]
        for event in events where filter.admits(event) {
            let key = event.user.lowercased() + "\u{1F}" + event.show
            if var current = best[key] {
                if event.episode > current.furthest { current.furthest = event.episode }
                current.lastWatchedAt = max(current.lastWatchedAt, event.watchedAt)
                best[key] = current
            } else {
                best[key] = ViewerPosition(user: event.user, show: event.show, showTitle: event.showTitle, furthest: event.episode, lastWatchedAt: event.watchedAt)
            }
        }
        return best.values.sorted { ($0.show, $0.user.lowercased()) < ($1.show, $1.user.lowercased()) }
    }
}

/// An episode of a series as Sonarr knows it, for planning.
public struct UpcomingEpisode: Sendable, Hashable {
    public var id: Int
    public var number: EpisodeNumber
    /// `airDateUtc` in seconds since 1970; `nil` when unknown (treated as not aired).
    public var airsAt: Int64?
    public var runtimeMinutes: Int?
    public var hasFile: Bool
    public var monitored: Bool

    public init(id: Int, number: EpisodeNumber, airsAt: Int64?, runtimeMinutes: Int? = nil, hasFile: Bool = false, monitored: Bool = true) {
        self.id = id
        self.number = number
        self.airsAt = airsAt
        self.runtimeMinutes = runtimeMinutes
        self.hasFile = hasFile
        self.monitored = monitored
    }
}

/// How far ahead to look.
public struct PrefetchWindow: Sendable {
    /// Exactly this many episodes after the last one watched.
    public var episodesAhead: Int
    /// Also at least this much runtime ahead (0: off).
    public var minutesAhead: Int
    /// How often the job runs: with `minutesAhead`, one run's worth of watching is added, so nobody runs
    /// dry before the next run.
    public var runEveryMinutes: Int
    public var skipSpecials: Bool
    /// For an episode whose runtime Sonarr does not know.
    public var defaultRuntimeMinutes: Int

    public init(episodesAhead: Int = 3, minutesAhead: Int = 0, runEveryMinutes: Int = 60, skipSpecials: Bool = true, defaultRuntimeMinutes: Int = 45) {
        self.episodesAhead = episodesAhead
        self.minutesAhead = minutesAhead
        self.runEveryMinutes = runEveryMinutes
        self.skipSpecials = skipSpecials
        self.defaultRuntimeMinutes = defaultRuntimeMinutes
    }
}

/// An episode a viewer will reach, and in how many minutes of watching.
public struct UpcomingNeed: Sendable, Hashable {
    public var episode: UpcomingEpisode
    /// Minutes of watching before the viewer reaches it (0: it is the very next one).
    public var reachedInMinutes: Int
    public var users: [String]
    public var aired: Bool

    public init(episode: UpcomingEpisode, reachedInMinutes: Int, users: [String], aired: Bool) {
        self.episode = episode
        self.reachedInMinutes = reachedInMinutes
        self.users = users
        self.aired = aired
    }
}

public enum NextEpisodes {
    /// The episodes one viewer reaches next: sorted by (season, episode), across season breaks,
    /// specials left out when asked. The window is `episodesAhead` episodes, or more when
    /// `minutesAhead` (plus one run's worth) needs more runtime. Unaired episodes are in the window
    /// like the others (each is reported with its air time, never searched).
    public static func window(after position: EpisodeNumber, in episodes: [UpcomingEpisode], _ window: PrefetchWindow, now: Int64) -> [(UpcomingEpisode, Int, Bool)] {
        let ordered = episodes
            .filter { $0.number > position && !(window.skipSpecials && $0.number.season == 0) }
            .sorted { $0.number < $1.number }
        let minutesWanted = window.minutesAhead > 0 ? window.minutesAhead + window.runEveryMinutes : 0
        var result: [(UpcomingEpisode, Int, Bool)] = []
        var minutes = 0
        for episode in ordered {
            guard result.count < window.episodesAhead || minutes < minutesWanted else { break }
            let aired = episode.airsAt.map { $0 <= now } ?? false
            result.append((episode, minutes, aired))
            minutes += episode.runtimeMinutes ?? window.defaultRuntimeMinutes
        }
        return result
    }

    /// The union over every viewer of a show: each episode once, with the soonest any viewer reaches it
    /// and every viewer who will.
    public static func needs(of positions: [ViewerPosition], in episodes: [UpcomingEpisode], _ window: PrefetchWindow, now: Int64) -> [UpcomingNeed] {
        var byID: [Int: UpcomingNeed] = [:]
        for position in positions {
            for (episode, minutes, aired) in Self.window(after: position.furthest, in: episodes, window, now: now) {
                if var need = byID[episode.id] {
                    need.reachedInMinutes = min(need.reachedInMinutes, minutes)
                    if !need.users.contains(position.user) { need.users.append(position.user) }
                    byID[episode.id] = need
                } else {
                    byID[episode.id] = UpcomingNeed(episode: episode, reachedInMinutes: minutes, users: [position.user], aired: aired)
                }
            }
        }
        return byID.values.sorted { ($0.reachedInMinutes, $0.episode.number) < ($1.reachedInMinutes, $1.episode.number) }
    }
}

/// What to do about one upcoming episode.
public enum PrefetchAction: Sendable, Hashable {
    /// On disk already.
    case onDisk
    /// Downloading: move it up in the download client.
    case prioritize(downloadID: String)
    /// Missing: ask Sonarr to search (setting it monitored first when it is not).
    case search(monitorFirst: Bool)
    /// Searched recently: wait.
    case coolingDown(searchedAt: Int64)
    case notAired
}

public enum PrefetchPlanner {
    /// Decides per need: on disk → nothing; in Sonarr's queue → prioritize; missing and not searched
    /// within the cooldown → search; else wait. Unaired episodes are never searched.
    public static func actions(
        for needs: [UpcomingNeed], queue: [Int: String], lastSearched: [Int: Int64], cooldownSeconds: Int64, now: Int64
    ) -> [(UpcomingNeed, PrefetchAction)] {
        needs.map { need in
            let episode = need.episode
            if episode.hasFile { return (need, .onDisk) }
            if let download = queue[episode.id] { return (need, .prioritize(downloadID: download)) }
            if !need.aired { return (need, .notAired) }
            if let searched = lastSearched[episode.id], now - searched < cooldownSeconds { return (need, .coolingDown(searchedAt: searched)) }
            return (need, .search(monitorFirst: !episode.monitored))
        }
    }
}

/// An item in a download client's queue.
public struct QueueItem: Sendable, Hashable {
    /// SABnzbd `nzo_id`, NZBGet id, torrent info-hash.
    public var id: String
    public var paused: Bool

    public init(id: String, paused: Bool = false) {
        self.id = id
        self.paused = paused
    }
}

public enum QueueOrder {
    /// The items to move to the top, in the order to move them (each move puts an item first, so the
    /// most urgent is moved last), so that the urgent items lead the queue in urgency order. Nothing
    /// when they already do; items not urgent are never moved, and paused items keep their state (the
    /// caller only moves, never resumes). Ids compare without case (info-hashes come in both cases).
    public static func movesToTop(queue: [QueueItem], urgent: [String]) -> [String] {
        let present = Dictionary(queue.map { ($0.id.lowercased(), $0.id) }, uniquingKeysWith: { a, _ in a })
        var seen = Set<String>()
        let wanted = urgent.map { $0.lowercased() }.filter { present[$0] != nil && seen.insert($0).inserted }
        guard !wanted.isEmpty else { return [] }
        let head = queue.prefix(wanted.count).map { $0.id.lowercased() }
        if head == wanted { return [] }
        return wanted.reversed().map { present[$0]! }
    }
}

/// A show from the watch history, as far as it is known: its history key, its title and (from its
/// Plex guids) its TVDB id.
public struct WatchedShow: Sendable, Hashable {
    public var key: String
    public var title: String
    public var tvdb: Int?

    public init(key: String, title: String, tvdb: Int?) {
        self.key = key
        self.title = title
        self.tvdb = tvdb
    }
}

/// A series of a Sonarr instance, for matching shows to it.
public struct PrefetchSeries: Sendable, Hashable {
    public var key: SeriesKey
    public var title: String
    public var year: Int?
    public var tvdb: Int?
    public var alternateTitles: [String]
    public var tags: [Int]

    public init(key: SeriesKey, title: String, year: Int? = nil, tvdb: Int? = nil, alternateTitles: [String] = [], tags: [Int] = []) {
        self.key = key
        self.title = title
        self.year = year
        self.tvdb = tvdb
        self.alternateTitles = alternateTitles
        self.tags = tags
    }
}

public enum ShowMatch: Sendable, Hashable {
    /// `by` says how: `tvdb` or `title`.
    case matched(PrefetchSeries, by: String)
    case unmatched(reason: String)
}

/// Finds the Sonarr series of a watched show: by TVDB id, then by normalized title among every
/// series' title and alternate titles (a year in either narrows it). Instances are searched in the
/// order given, so a series that two instances hold is handled by the first.
public struct ShowMatcher: Sendable {
    private var byTVDB: [Int: PrefetchSeries] = [:]
    private var byTitle: [String: [PrefetchSeries]] = [:]

    public init(series: [PrefetchSeries]) {
        for s in series {
            if let tvdb = s.tvdb, byTVDB[tvdb] == nil { byTVDB[tvdb] = s }
            var names = Set<String>()
            for title in [s.title] + s.alternateTitles {
                names.insert(TitleMatching.normalize(title))
                names.insert(TitleMatching.normalize(Self.withoutYear(title)))
            }
            for name in names where !name.isEmpty { byTitle[name, default: []].append(s) }
        }
    }

    public func match(_ show: WatchedShow) -> ShowMatch {
        if let tvdb = show.tvdb, let series = byTVDB[tvdb] { return .matched(series, by: "tvdb") }
        let year = TitleMatching.trailingYear(in: show.title)?.0
        var candidates = byTitle[TitleMatching.normalize(show.title)] ?? byTitle[TitleMatching.normalize(Self.withoutYear(show.title))] ?? []
        if candidates.count > 1, let year { candidates = candidates.filter { $0.year == year } }
        // Two instances holding the same series are one candidate: the first instance handles it.
        var seen = Set<Int>()
        candidates = candidates.filter { $0.tvdb.map { seen.insert($0).inserted } ?? true }
        switch candidates.count {
        case 1:
            return .matched(candidates[0], by: "title")
        case 0:
            let ids = show.tvdb.map { "TVDB \($0) is in no Sonarr instance, and " } ?? "no TVDB id known, and "
            return .unmatched(reason: ids + "no series is titled '\(show.title)'")
        default:
            return .unmatched(reason: "the title '\(show.title)' fits several series: " + candidates.map { "\($0.title) (\($0.key.instance))" }.joined(separator: ", "))
        }
    }

    static func withoutYear(_ title: String) -> String {
        guard let (_, range) = TitleMatching.trailingYear(in: title) else { return title }
        return String(title[..<range.lowerBound])
    }
}

/// One search to send to Sonarr.
public enum SearchRequest: Sendable, Hashable {
    /// `EpisodeSearch` for these episodes of one series.
    case episodes(seriesID: Int, episodeIDs: [Int])
    /// `SeasonSearch`, standing for these episodes.
    case season(seriesID: Int, season: Int, episodeIDs: [Int])

    public var episodeIDs: [Int] {
        switch self {
        case .episodes(_, let ids), .season(_, _, let ids): ids
        }
    }
}

public enum SearchBatcher {
    /// The searches for one series: one `EpisodeSearch` with every episode to search, or, with
    /// `seasonSearch`, one `SeasonSearch` per season that has fully aired and whose every episode
    /// from the first one wanted onward is missing (no file, not downloading) — the case where a
    /// season pack is the likely release.
    public static func requests(
        seriesID: Int, searching: [UpcomingEpisode], episodes: [UpcomingEpisode], queued: Set<Int>, seasonSearch: Bool, now: Int64
    ) -> [SearchRequest] {
        guard !searching.isEmpty else { return [] }
        var single = searching.sorted { $0.number < $1.number }
        var result: [SearchRequest] = []
        if seasonSearch {
            for season in Set(single.map(\.number.season)).sorted() where season != 0 {
                let whole = episodes.filter { $0.number.season == season }
                guard let first = single.first(where: { $0.number.season == season }) else { continue }
                let fullyAired = whole.allSatisfy { ($0.airsAt ?? Int64.max) <= now }
                let remaining = whole.filter { $0.number >= first.number }
                guard fullyAired, remaining.count > 1, remaining.allSatisfy({ !$0.hasFile && !queued.contains($0.id) }) else { continue }
                result.append(.season(seriesID: seriesID, season: season, episodeIDs: single.filter { $0.number.season == season }.map(\.id)))
                single.removeAll { $0.number.season == season }
            }
        }
        if !single.isEmpty { result.insert(.episodes(seriesID: seriesID, episodeIDs: single.map(\.id)), at: 0) }
        return result
    }
}
