/// What playback webhooks ask of a prefetch run: the viewers and shows they name, and where those viewers are now.
///
/// A focused run (`only`) plans just the shows the events name, for just their viewers: one viewer starting an
/// episode costs that series' episode list, not every watched series'. A whole run (`only == false`) plans
/// everything, and still takes the events' positions. Either way, a viewer who started episode N (or finished
/// it) counts as on N at once, so N+1… are searched while N plays, before the watch history shows it.
public struct PrefetchFocus: Sendable, Hashable {
    public var events: [PlaybackEvent]
    /// Only the events' viewers and shows; `false`: everything (the events still count as positions).
    public var only: Bool

    /// More events than this in one run make it a whole run: a burst is then cheaper as one pass over everything.
    public static let limit = 50

    public init(events: [PlaybackEvent], only: Bool = true) {
        self.events = events
        self.only = only && events.count <= Self.limit
    }

    /// This focus and another's, as one run: still focused while both are and the events fit the limit;
    /// the newest positions are kept when they do not.
    public func merged(with other: PrefetchFocus) -> PrefetchFocus {
        var events = self.events
        for event in other.events where !events.contains(event) { events.append(event) }
        let only = only && other.only && events.count <= Self.limit
        if events.count > Self.limit { events.removeFirst(events.count - Self.limit) }
        return PrefetchFocus(events: events, only: only)
    }

    /// The viewers the run keeps, lowercased (when focused); `nil` when an event names a show without a viewer (a
    /// grab): then every viewer is kept, and `apply` keeps the shows.
    public var users: Set<String>? {
        var users = Set<String>()
        for event in events {
            guard let user = event.user, !user.isEmpty else { return nil }
            users.insert(user.lowercased())
        }
        return users
    }

    /// Of the matched shows, those the run plans, with each viewer's position moved up to the episode an event
    /// says they started or finished; a show a viewer just started that the history does not hold yet is added.
    /// - Parameters:
    ///   - matcher: every Sonarr series, to find the events' series by TVDB id or title.
    ///   - excluded: whether a series carries the exclusion tag (never added).
    ///   - admits: whether prefetch follows this viewer (`prefetch.users`, `exclude_users`).
    public func apply(
        to matched: [(series: PrefetchSeries, viewers: [ViewerPosition])], matcher: ShowMatcher, excluded: (PrefetchSeries) -> Bool,
        admits: (String) -> Bool, now: Int64
    ) -> [(series: PrefetchSeries, viewers: [ViewerPosition])] {
        var result = matched
        var named = Set<SeriesKey>()
        var users: [SeriesKey: Set<String>] = [:]
        var everyone = Set<SeriesKey>()
        for event in events {
            let show = WatchedShow(key: "", title: event.show ?? "", tvdb: event.tvdb)
            guard case .matched(let series, _) = matcher.match(show) else { continue }
            guard let user = event.user, !user.isEmpty else {
                // A show without a viewer (a grab): all of its viewers.
                named.insert(series.key)
                everyone.insert(series.key)
                continue
            }
            guard admits(user) else { continue }
            named.insert(series.key)
            users[series.key, default: []].insert(user.lowercased())
            guard event.kind != .stopped, let season = event.season, let number = event.episode, season >= 0, number > 0 else { continue }
            let episode = EpisodeNumber(season: season, episode: number)
            if let i = result.firstIndex(where: { $0.series.key == series.key }) {
                if let v = result[i].viewers.firstIndex(where: { $0.user.lowercased() == user.lowercased() }) {
                    if episode > result[i].viewers[v].furthest { result[i].viewers[v].furthest = episode }
                    result[i].viewers[v].lastWatchedAt = max(result[i].viewers[v].lastWatchedAt, now)
                } else {
                    result[i].viewers.append(position(user, series, episode, now))
                }
            } else if !excluded(series) {
                result.append((series, [position(user, series, episode, now)]))
            }
        }
        guard only else { return result }
        return result.compactMap { entry in
            guard named.contains(entry.series.key) else { return nil }
            if everyone.contains(entry.series.key) { return entry }
            let wanted = users[entry.series.key] ?? []
            let viewers = entry.viewers.filter { wanted.contains($0.user.lowercased()) }
            return viewers.isEmpty ? nil : (entry.series, viewers)
        }
    }

    private func position(_ user: String, _ series: PrefetchSeries, _ episode: EpisodeNumber, _ now: Int64) -> ViewerPosition {
        ViewerPosition(user: user, show: "tvdb:\(series.tvdb.map(String.init) ?? series.title)", showTitle: series.title, furthest: episode, lastWatchedAt: now)
    }

    /// In words, for the report: `ann: Frieren S01E07 (started)`.
    public var descriptions: [String] {
        events.map { event in
            let show = event.show ?? event.tvdb.map { "TVDB \($0)" } ?? "?"
            var text = event.user.map { "\($0): \(show)" } ?? "every viewer of \(show)"
            if let season = event.season, let episode = event.episode { text += " " + EpisodeNumber(season: season, episode: episode).description }
            return text + " (\(event.kind.rawValue))"
        }
    }
}
