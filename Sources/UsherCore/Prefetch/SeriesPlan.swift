/// What one watched series needs, episode by episode, with the reasons people read: skipped (on disk,
/// not aired, cooling down), to search (and which to set monitored first, in which commands), or already
/// downloading (to move up).
public struct SeriesPlan: Sendable {
    /// An episode being downloaded, and how soon someone reaches it.
    public struct Downloading: Sendable {
        public var item: PrefetchItem
        public var downloadID: String
        public var reachedInMinutes: Int

        public init(item: PrefetchItem, downloadID: String, reachedInMinutes: Int) {
            self.item = item
            self.downloadID = downloadID
            self.reachedInMinutes = reachedInMinutes
        }
    }

    public var skipped: [PrefetchItem] = []
    /// The search commands, and the report item of each episode they search.
    public var searches: [SearchRequest] = []
    public var searchItems: [Int: PrefetchItem] = [:]
    /// Episodes to set monitored before searching.
    public var monitor: [Int] = []
    public var downloading: [Downloading] = []

    /// - Parameters:
    ///   - titles: episode id → title, for the report.
    ///   - queue: Sonarr's queue for the series' instance: episode id → download id.
    ///   - lastSearched: episode id → when Usher last searched it.
    public static func make(
        series: PrefetchSeries, viewers: [ViewerPosition], episodes: [UpcomingEpisode], titles: [Int: String],
        queue: [Int: String], lastSearched: [Int: Int64], window: PrefetchWindow, cooldownSeconds: Int,
        seasonSearch: Bool, now: Int64
    ) -> SeriesPlan {
        let needs = NextEpisodes.needs(of: viewers, in: episodes, window, now: now)
        let actions = PrefetchPlanner.actions(for: needs, queue: queue, lastSearched: lastSearched, cooldownSeconds: Int64(cooldownSeconds), now: now)
        var plan = SeriesPlan()
        var toSearch: [UpcomingEpisode] = []
        for (need, action) in actions {
            var item = PrefetchItem(
                series: series, season: need.episode.number.season, episode: need.episode.number.episode,
                title: titles[need.episode.id], users: need.users.sorted(), reason: "", episodeID: need.episode.id)
            item.reachedInMinutes = need.reachedInMinutes
            switch action {
            case .onDisk:
                item.reason = "on disk"
                plan.skipped.append(item)
            case .notAired:
                item.reason = "not aired yet" + (need.episode.airsAt.map { " (airs \(UTCTime.iso8601($0)))" } ?? "")
                plan.skipped.append(item)
            case .coolingDown(let at):
                item.reason = "searched \(UTCTime.iso8601(at)); next search after the \(DurationText.format(seconds: cooldownSeconds)) cooldown"
                plan.skipped.append(item)
            case .search(let monitorFirst):
                item.reason = monitorFirst ? "missing (set monitored)" : "missing"
                toSearch.append(need.episode)
                plan.searchItems[need.episode.id] = item
                if monitorFirst { plan.monitor.append(need.episode.id) }
            case .prioritize(let downloadID):
                plan.downloading.append(Downloading(item: item, downloadID: downloadID, reachedInMinutes: need.reachedInMinutes))
            }
        }
        plan.searches = SearchBatcher.requests(
            seriesID: series.key.id, searching: toSearch, episodes: episodes, queued: Set(queue.keys),
            seasonSearch: seasonSearch, now: now)
        return plan
    }

    /// The report item of an episode a request searched (a whole season says so).
    public func searched(_ id: Int, by request: SearchRequest) -> PrefetchItem? {
        guard var item = searchItems[id] else { return nil }
        if case .season(_, let season, _) = request { item.reason += "; season \(season) searched whole (every remaining episode is missing)" }
        return item
    }
}
