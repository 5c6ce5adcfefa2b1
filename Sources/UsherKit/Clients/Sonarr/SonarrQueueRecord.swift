import UsherCore

/// An item of Sonarr's download queue (`QueueResource`): one record per episode, so a season pack
/// shows once per episode it holds, each with the same `downloadId`.
public struct SonarrQueueRecord: Codable, Sendable, Hashable {
    public var id: Int
    public var seriesId: Int?
    public var episodeId: Int?
    public var seasonNumber: Int?
    public var title: String?
    /// `queued`, `paused`, `downloading`, `completed`, `delay`, … (v3.0 may capitalize).
    public var status: String?
    public var trackedDownloadState: String?
    /// The download client's id of the item: SABnzbd `nzo_id`, NZBGet `drone` or NZBID, an info-hash.
    public var downloadId: String?
    /// The download client's name in Sonarr.
    public var downloadClient: String?
    /// `usenet` or `torrent`.
    public var `protocol`: String?

    public init(
        id: Int, seriesId: Int? = nil, episodeId: Int? = nil, seasonNumber: Int? = nil, title: String? = nil, status: String? = nil,
        trackedDownloadState: String? = nil, downloadId: String? = nil, downloadClient: String? = nil, protocol: String? = nil
    ) {
        self.id = id
        self.seriesId = seriesId
        self.episodeId = episodeId
        self.seasonNumber = seasonNumber
        self.title = title
        self.status = status
        self.trackedDownloadState = trackedDownloadState
        self.downloadId = downloadId
        self.downloadClient = downloadClient
        self.protocol = `protocol`
    }

    private enum CodingKeys: String, CodingKey {
        case id, seriesId, episodeId, seasonNumber, title, status, trackedDownloadState, downloadId, downloadClient, `protocol`
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = c.lenient(Int.self, .id) ?? 0
        seriesId = c.lenient(Int.self, .seriesId)
        episodeId = c.lenient(Int.self, .episodeId)
        seasonNumber = c.lenient(Int.self, .seasonNumber)
        title = c.lenient(String.self, .title)
        status = c.lenient(String.self, .status)
        trackedDownloadState = c.lenient(String.self, .trackedDownloadState)
        downloadId = c.lenient(String.self, .downloadId)
        downloadClient = c.lenient(String.self, .downloadClient)
        `protocol` = c.lenient(String.self, .protocol)
    }
}
