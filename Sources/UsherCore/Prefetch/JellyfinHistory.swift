/// An item as Jellyfin (or Emby) lists it (`BaseItemDto`): for prefetch, a played episode with its series,
/// numbers and the viewer's `UserData`, or a series with its `ProviderIds`.
public struct JellyfinItem: Sendable, Hashable, Decodable {
    public struct UserData: Sendable, Hashable, Decodable {
        public var played: Bool?
        /// ISO 8601, e.g. `2024-03-01T20:13:28.1234567Z`.
        public var lastPlayedDate: String?
        public var playedPercentage: Double?

        public init(played: Bool? = nil, lastPlayedDate: String? = nil, playedPercentage: Double? = nil) {
            self.played = played
            self.lastPlayedDate = lastPlayedDate
            self.playedPercentage = playedPercentage
        }

        enum CodingKeys: String, CodingKey { case played = "Played", lastPlayedDate = "LastPlayedDate", playedPercentage = "PlayedPercentage" }
    }

    public var id: String?
    /// `Episode`, `Series`, `Movie`…
    public var type: String?
    public var seriesName: String?
    public var seriesId: String?
    /// The season.
    public var parentIndexNumber: Int?
    /// The episode.
    public var indexNumber: Int?
    /// The file as the server sees it (`Fields=Path`), to tell its library.
    public var path: String?
    /// `Tvdb`, `Tmdb`, `Imdb`… (`Fields=ProviderIds`).
    public var providerIds: [String: String]
    public var userData: UserData?

    public init(
        id: String? = nil, type: String? = "Episode", seriesName: String? = nil, seriesId: String? = nil, parentIndexNumber: Int? = nil,
        indexNumber: Int? = nil, path: String? = nil, providerIds: [String: String] = [:], userData: UserData? = nil
    ) {
        self.id = id
        self.type = type
        self.seriesName = seriesName
        self.seriesId = seriesId
        self.parentIndexNumber = parentIndexNumber
        self.indexNumber = indexNumber
        self.path = path
        self.providerIds = providerIds
        self.userData = userData
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", type = "Type", seriesName = "SeriesName", seriesId = "SeriesId", parentIndexNumber = "ParentIndexNumber"
        case indexNumber = "IndexNumber", path = "Path", providerIds = "ProviderIds", userData = "UserData"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try? c.decodeIfPresent(String.self, forKey: .id)
        type = try? c.decodeIfPresent(String.self, forKey: .type)
        seriesName = try? c.decodeIfPresent(String.self, forKey: .seriesName)
        seriesId = try? c.decodeIfPresent(String.self, forKey: .seriesId)
        parentIndexNumber = c.flexibleInt(.parentIndexNumber)
        indexNumber = c.flexibleInt(.indexNumber)
        path = try? c.decodeIfPresent(String.self, forKey: .path)
        providerIds = ((try? c.decodeIfPresent([String: String?].self, forKey: .providerIds)) ?? [:]).compactMapValues { $0 }
        userData = try? c.decodeIfPresent(UserData.self, forKey: .userData)
    }

    /// The TVDB id among the provider ids (the key is `Tvdb`; compared without case).
    public var tvdbID: Int? {
        providerIds.first { $0.key.lowercased() == "tvdb" }.flatMap { Int($0.value.trimmingCharacters()) }
    }

    /// When the viewer last played it, in seconds since 1970.
    public var lastPlayed: Int64? { userData?.lastPlayedDate.flatMap { UTCTime.seconds(iso8601: $0) } }
}

/// A session of `GET /Sessions`: who plays what now.
public struct JellyfinSession: Sendable, Hashable, Decodable {
    public var userName: String?
    public var nowPlayingItem: JellyfinItem?

    public init(userName: String?, nowPlayingItem: JellyfinItem?) {
        self.userName = userName
        self.nowPlayingItem = nowPlayingItem
    }

    enum CodingKeys: String, CodingKey { case userName = "UserName", nowPlayingItem = "NowPlayingItem" }
}

/// A library of Jellyfin (`GET /Library/VirtualFolders`): its name and folders.
public struct JellyfinLibrary: Sendable, Hashable, Decodable {
    public var name: String
    public var locations: [String]

    public init(name: String, locations: [String]) {
        self.name = name
        self.locations = locations
    }

    enum CodingKeys: String, CodingKey { case name = "Name", locations = "Locations" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = (try? c.decodeIfPresent(String.self, forKey: .name)) ?? ""
        locations = (try? c.decodeIfPresent([String].self, forKey: .locations)) ?? []
    }
}

/// Jellyfin's played items as plays: pure, so that reading Jellyfin is only asking it.
public enum JellyfinHistory {
    /// The show key of a Jellyfin series, kept apart from Plex's and Tautulli's in the state's cache of TVDB ids.
    public static func showKey(_ seriesID: String) -> String { "jellyfin:" + seriesID }

    /// The series id in a show key made by `showKey`, or `nil` for another source's key.
    public static func seriesID(inShowKey key: String) -> String? {
        key.hasPrefix("jellyfin:") ? String(key.dropFirst(9)) : nil
    }

    /// The plays as Usher's core sees them: each viewer's played episodes (a played one is 100%, else its
    /// `PlayedPercentage`), at `LastPlayedDate`; an episode playing now counts as reached at `now`.
    /// - Parameters:
    ///   - played: each viewer's name and items.
    ///   - libraries: for `prefetch.libraries`: an item is in the library whose folder holds its path.
    public static func events(played: [(user: String, items: [JellyfinItem])], playing: [JellyfinSession], libraries: [JellyfinLibrary], now: Int64)
        -> [WatchEvent]
    {
        func library(_ path: String?) -> String? {
            guard let path, !libraries.isEmpty else { return nil }
            return libraries.first { $0.locations.contains { location in Self.path(path, isIn: location) } }?.name
        }
        func event(_ item: JellyfinItem, user: String, percent: Int, at time: Int64?) -> WatchEvent? {
            guard item.type == nil || item.type == "Episode", !user.isEmpty, let series = item.seriesId, !series.isEmpty,
                let season = item.parentIndexNumber, let episode = item.indexNumber, let time
            else { return nil }
            return WatchEvent(
                user: user, show: showKey(series), showTitle: item.seriesName ?? "", library: library(item.path),
                episode: EpisodeNumber(season: season, episode: episode), percentComplete: percent, watchedAt: time)
        }
        var events: [WatchEvent] = []
        for (user, items) in played {
            for item in items {
                let percent = item.userData?.played == true ? 100 : Int((item.userData?.playedPercentage ?? 0).rounded())
                if let found = event(item, user: user, percent: percent, at: item.lastPlayed) { events.append(found) }
            }
        }
        for session in playing {
            guard let item = session.nowPlayingItem, let user = session.userName else { continue }
            if let found = event(item, user: user, percent: 100, at: now) { events.append(found) }
        }
        return events
    }

    /// Whether `path` lies in the folder `folder` (either separator; the folder's trailing separator ignored).
    static func path(_ path: String, isIn folder: String) -> Bool {
        var base = folder
        while base.count > 1, base.hasSuffix("/") || base.hasSuffix("\\") { base.removeLast() }
        guard path.hasPrefix(base) else { return false }
        let rest = path.dropFirst(base.count)
        return rest.isEmpty || rest.hasPrefix("/") || rest.hasPrefix("\\")
    }
}

extension String {
    fileprivate func trimmingCharacters() -> Substring {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }
}
