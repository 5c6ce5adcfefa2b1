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
    public static func window(after position: EpisodeNumber, in episodes: [UpcomingEpisode], _ window: PrefetchWindow, now: Int64) -> [(
        UpcomingEpisode, Int, Bool
    )] {
        let ordered =
            episodes
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
