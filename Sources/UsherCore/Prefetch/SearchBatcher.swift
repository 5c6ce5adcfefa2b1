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
