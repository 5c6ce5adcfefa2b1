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
