/// One episode in a prefetch report: which series, which episode, who will reach it, and why it was
/// searched, moved up or left alone.
public struct PrefetchItem: Codable, Sendable, Hashable {
    public var series: String
    public var tvdbId: Int?
    /// The Sonarr instance that holds the series.
    public var sonarr: String
    public var season: Int
    public var episode: Int
    public var title: String?
    public var users: [String]
    public var reason: String
    /// Minutes of watching before the first viewer reaches it (0: the very next episode).
    public var reachedInMinutes: Int
    public var downloadId: String?
    public var client: String?
    /// Sonarr's episode id (internal; not in the JSON).
    public var episodeID: Int?

    enum CodingKeys: String, CodingKey {
        case series, tvdbId, sonarr, season, episode, title, users, reason, reachedInMinutes, downloadId, client
    }

    public init(series: PrefetchSeries, season: Int, episode: Int, title: String?, users: [String], reason: String, episodeID: Int? = nil) {
        self.series = series.title
        self.tvdbId = series.tvdb
        self.sonarr = series.key.instance
        self.season = season
        self.episode = episode
        self.title = title
        self.users = users
        self.reason = reason
        self.reachedInMinutes = 0
        self.episodeID = episodeID
    }

    public func with(reason: String, download: String) -> PrefetchItem {
        var copy = self
        copy.reason = reason
        copy.downloadId = download
        return copy
    }

    /// `Show S01E04 "Title"`.
    public var label: String {
        let code = "S" + (season < 10 ? "0" : "") + String(season) + "E" + (episode < 10 ? "0" : "") + String(episode)
        return "\(series) \(code)" + (title.map { " \"\($0)\"" } ?? "")
    }
}
