/// One play from the watch history (Tautulli `get_history`, Plex's play history, Jellyfin's played items), or an
/// episode playing now.
public struct WatchEvent: Sendable, Hashable {
    public var user: String
    /// The show as the history names it (Tautulli's `grandparent_rating_key`, `PlexHistory.showKey`,
    /// `JellyfinHistory.showKey`), to match it to a series.
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

    /// Whether plays of this viewer count (`users`, `excludeUsers`; no case).
    public func admitsUser(_ name: String) -> Bool {
        let user = name.lowercased()
        if !users.isEmpty, !users.contains(where: { $0.lowercased() == user }) { return false }
        return !excludeUsers.contains(where: { $0.lowercased() == user })
    }

    func admits(_ event: WatchEvent) -> Bool {
        if let since, event.watchedAt < since { return false }
        guard admitsUser(event.user) else { return false }
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

    public init(user: String, show: String, showTitle: String, furthest: EpisodeNumber, lastWatchedAt: Int64) {
        self.user = user
        self.show = show
        self.showTitle = showTitle
        self.furthest = furthest
        self.lastWatchedAt = lastWatchedAt
    }
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
                best[key] = ViewerPosition(
                    user: event.user, show: event.show, showTitle: event.showTitle, furthest: event.episode, lastWatchedAt: event.watchedAt)
            }
        }
        return best.values.sorted { ($0.show, $0.user.lowercased()) < ($1.show, $1.user.lowercased()) }
    }

    /// One position per viewer (names compared without case) among positions of one series that came from several
    /// shows (two history sources name it, or a source holds it twice): the furthest episode and the latest play,
    /// in the order the viewers first appear.
    public static func merged(_ positions: [ViewerPosition]) -> [ViewerPosition] {
        var order: [String] = []
        var best: [String: ViewerPosition] = [:]
        for position in positions {
            let user = position.user.lowercased()
            guard var current = best[user] else {
                order.append(user)
                best[user] = position
                continue
            }
            if position.furthest > current.furthest {
                current.furthest = position.furthest
                current.show = position.show
            }
            current.lastWatchedAt = max(current.lastWatchedAt, position.lastWatchedAt)
            best[user] = current
        }
        return order.compactMap { best[$0] }
    }
}
