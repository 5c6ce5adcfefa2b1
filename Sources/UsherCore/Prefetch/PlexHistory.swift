/// A play in Plex's own history (`GET /status/sessions/history/all`), or an episode playing now (`GET
/// /status/sessions`, where the viewer is `User.title` instead of an account id). Ids come as strings or numbers.
public struct PlexPlay: Sendable, Hashable, Decodable {
    /// `episode`, `movie`, `track`…
    public var type: String?
    public var accountID: Int?
    /// A session's viewer (`User.title`).
    public var userTitle: String?
    public var grandparentTitle: String?
    /// The show's `ratingKey`; read from `grandparentKey` (`/library/metadata/500`) when missing.
    public var grandparentRatingKey: String?
    /// The season.
    public var parentIndex: Int?
    /// The episode.
    public var index: Int?
    /// Unix seconds.
    public var viewedAt: Int64?
    public var librarySectionID: String?

    public init(
        type: String? = "episode", accountID: Int? = nil, userTitle: String? = nil, grandparentTitle: String? = nil,
        grandparentRatingKey: String? = nil, parentIndex: Int? = nil, index: Int? = nil, viewedAt: Int64? = nil, librarySectionID: String? = nil
    ) {
        self.type = type
        self.accountID = accountID
        self.userTitle = userTitle
        self.grandparentTitle = grandparentTitle
        self.grandparentRatingKey = grandparentRatingKey
        self.parentIndex = parentIndex
        self.index = index
        self.viewedAt = viewedAt
        self.librarySectionID = librarySectionID
    }

    enum CodingKeys: String, CodingKey {
        case type, accountID, user = "User", grandparentTitle, grandparentRatingKey, grandparentKey, parentIndex, index, viewedAt, librarySectionID
    }

    struct User: Decodable { var title: String? }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try? c.decodeIfPresent(String.self, forKey: .type)
        accountID = c.flexibleInt(.accountID)
        userTitle = (try? c.decodeIfPresent(User.self, forKey: .user))?.title
        grandparentTitle = try? c.decodeIfPresent(String.self, forKey: .grandparentTitle)
        grandparentRatingKey = c.flexibleString(.grandparentRatingKey)
        if grandparentRatingKey == nil, let key = try? c.decodeIfPresent(String.self, forKey: .grandparentKey), let last = key.split(separator: "/").last {
            grandparentRatingKey = String(last)
        }
        parentIndex = c.flexibleInt(.parentIndex)
        index = c.flexibleInt(.index)
        viewedAt = c.flexibleInt(.viewedAt).map(Int64.init)
        librarySectionID = c.flexibleString(.librarySectionID)
    }
}

/// Plex's history as plays: pure, so that reading Plex is only asking it.
public enum PlexHistory {
    /// The show key of a Plex show, kept apart from Tautulli's (bare rating keys) in the state's cache of TVDB ids.
    public static func showKey(_ ratingKey: String) -> String { "plex:" + ratingKey }

    /// The rating key in a show key made by `showKey`, or `nil` for another source's key.
    public static func ratingKey(inShowKey key: String) -> String? {
        key.hasPrefix("plex:") ? String(key.dropFirst(5)) : nil
    }

    /// The plays as Usher's core sees them. Plex lists only plays that counted as watched, so each is 100%; an
    /// episode playing now counts as reached at `now` (a viewer on episode N is at N). Rows that are not
    /// episodes with numbers, or whose account Plex does not name, are left out.
    /// - Parameters:
    ///   - accounts: account id → name (`GET /accounts`).
    ///   - sections: library section id → title, for `prefetch.libraries`.
    public static func events(history: [PlexPlay], playing: [PlexPlay], accounts: [Int: String], sections: [String: String], now: Int64) -> [WatchEvent] {
        func event(_ play: PlexPlay, user: String?, at time: Int64?) -> WatchEvent? {
            guard play.type == nil || play.type == "episode", let user, !user.isEmpty, let show = play.grandparentRatingKey,
                let season = play.parentIndex, let episode = play.index, let time
            else { return nil }
            return WatchEvent(
                user: user, show: showKey(show), showTitle: play.grandparentTitle ?? "", library: play.librarySectionID.flatMap { sections[$0] },
                episode: EpisodeNumber(season: season, episode: episode), percentComplete: 100, watchedAt: time)
        }
        return history.compactMap { event($0, user: $0.accountID.flatMap { accounts[$0] }, at: $0.viewedAt) }
            + playing.compactMap { event($0, user: $0.userTitle, at: now) }
    }

    /// The TVDB id among a show's `Guid[].id` values (`tvdb://121361`), or in a legacy agent's guid
    /// (`com.plexapp.agents.thetvdb://121361?lang=en`).
    public static func tvdbID(guids: [String]) -> Int? {
        for guid in guids {
            if guid.hasPrefix("tvdb://"), let id = Int(guid.dropFirst(7)) { return id }
            if guid.hasPrefix("com.plexapp.agents.thetvdb://") {
                let rest = guid.dropFirst("com.plexapp.agents.thetvdb://".count)
                if let id = Int(rest.prefix { $0.isNumber }) { return id }
            }
        }
        return nil
    }
}
