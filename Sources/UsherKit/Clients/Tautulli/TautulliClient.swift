public import AsyncHTTPClient
import Foundation
public import Logging
public import UsherCore

/// A row of Tautulli's `get_history` (API v2). Ids and indexes are integers in `get_history` and
/// strings in `get_activity`: both are read.
public struct TautulliHistoryRow: Codable, Sendable, Hashable {
    public var user: String
    public var userID: Int?
    public var mediaType: String?
    public var ratingKey: Int?
    public var grandparentRatingKey: Int?
    public var grandparentTitle: String?
    /// The season.
    public var parentMediaIndex: Int?
    /// The episode.
    public var mediaIndex: Int?
    public var percentComplete: Int?
    /// Unix seconds.
    public var date: Int64?
    public var stopped: Int64?
    public var guid: String?

    public init(
        user: String, userID: Int? = nil, mediaType: String? = "episode", ratingKey: Int? = nil, grandparentRatingKey: Int? = nil,
        grandparentTitle: String? = nil, parentMediaIndex: Int? = nil, mediaIndex: Int? = nil, percentComplete: Int? = nil,
        date: Int64? = nil, stopped: Int64? = nil, guid: String? = nil
    ) {
        self.user = user
        self.userID = userID
        self.mediaType = mediaType
        self.ratingKey = ratingKey
        self.grandparentRatingKey = grandparentRatingKey
        self.grandparentTitle = grandparentTitle
        self.parentMediaIndex = parentMediaIndex
        self.mediaIndex = mediaIndex
        self.percentComplete = percentComplete
        self.date = date
        self.stopped = stopped
        self.guid = guid
    }

    enum CodingKeys: String, CodingKey {
        case user, userID = "user_id", mediaType = "media_type", ratingKey = "rating_key", grandparentRatingKey = "grandparent_rating_key"
        case grandparentTitle = "grandparent_title", parentMediaIndex = "parent_media_index", mediaIndex = "media_index"
        case percentComplete = "percent_complete", date, stopped, guid
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        user = (try? c.decodeIfPresent(String.self, forKey: .user)) ?? ""
        userID = c.number(.userID)
        mediaType = try? c.decodeIfPresent(String.self, forKey: .mediaType)
        ratingKey = c.number(.ratingKey)
        grandparentRatingKey = c.number(.grandparentRatingKey)
        grandparentTitle = try? c.decodeIfPresent(String.self, forKey: .grandparentTitle)
        parentMediaIndex = c.number(.parentMediaIndex)
        mediaIndex = c.number(.mediaIndex)
        percentComplete = c.number(.percentComplete)
        date = c.number(.date).map(Int64.init)
        stopped = c.number(.stopped).map(Int64.init)
        guid = try? c.decodeIfPresent(String.self, forKey: .guid)
    }

    /// The play as Usher's core sees it; `nil` for a row that is not an episode with numbers.
    public var watchEvent: WatchEvent? {
        guard mediaType == nil || mediaType == "episode", let season = parentMediaIndex, let episode = mediaIndex, let show = grandparentRatingKey else {
            return nil
        }
        return WatchEvent(
            user: user, show: String(show), showTitle: grandparentTitle ?? "", episode: EpisodeNumber(season: season, episode: episode),
            percentComplete: percentComplete ?? 0, watchedAt: stopped ?? date ?? 0)
    }
}

/// What `get_metadata` says of a show (the grandparent of an episode): its ids.
public struct TautulliMetadata: Codable, Sendable, Hashable {
    public var ratingKey: Int?
    public var title: String?
    public var libraryName: String?
    /// `tvdb://121361`, `tmdb://1399`, `imdb://tt0944947`.
    public var guids: [String]

    public init(ratingKey: Int?, title: String?, libraryName: String?, guids: [String]) {
        self.ratingKey = ratingKey
        self.title = title
        self.libraryName = libraryName
        self.guids = guids
    }

    enum CodingKeys: String, CodingKey { case ratingKey = "rating_key", title, libraryName = "library_name", guids }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ratingKey = c.number(.ratingKey)
        title = try? c.decodeIfPresent(String.self, forKey: .title)
        libraryName = try? c.decodeIfPresent(String.self, forKey: .libraryName)
        guids = (try? c.decodeIfPresent([String].self, forKey: .guids)) ?? []
    }

    /// The TVDB id among the guids.
    public var tvdbID: Int? {
        guids.lazy.compactMap { $0.hasPrefix("tvdb://") ? Int($0.dropFirst(7)) : nil }.first
    }
}

/// A library section (`get_libraries`); the id is a string there.
public struct TautulliLibrary: Codable, Sendable, Hashable {
    public var sectionID: Int?
    public var sectionName: String?
    public var sectionType: String?

    public init(sectionID: Int?, sectionName: String?, sectionType: String?) {
        self.sectionID = sectionID
        self.sectionName = sectionName
        self.sectionType = sectionType
    }

    enum CodingKeys: String, CodingKey { case sectionID = "section_id", sectionName = "section_name", sectionType = "section_type" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sectionID = c.number(.sectionID)
        sectionName = try? c.decodeIfPresent(String.self, forKey: .sectionName)
        sectionType = try? c.decodeIfPresent(String.self, forKey: .sectionType)
    }
}

extension KeyedDecodingContainer {
    /// An integer sent as a number or as a string of digits.
    fileprivate func number(_ key: Key) -> Int? {
        if let n = try? decodeIfPresent(Int.self, forKey: key) { return n }
        if let text = try? decodeIfPresent(String.self, forKey: key) { return Int(text) }
        return nil
    }
}

/// Tautulli's API v2: `GET /api/v2?apikey=KEY&cmd=...`, answers in `{"response": {"result", "message", "data"}}`.
public struct TautulliClient: Sendable {
    public let client: ServiceClient

    public init(client: ServiceClient) { self.client = client }

    /// The configured Tautulli: the key only as the `apikey` parameter, redacted in every message.
    public init(server: TautulliServer, http: HTTPClient, policy: RetryPolicy, logger: Logger, counter: RequestCounter?, gate: RequestGate? = nil) {
        client = ServiceClient(
            endpoint: ServiceEndpoint(name: "tautulli", baseURL: server.url, credentialHeader: "", credential: server.apiKey, credentialQueryName: "apikey"),
            http: http, policy: policy, logger: logger, counter: counter, gate: gate)
    }

    struct Envelope<T: Decodable>: Decodable {
        struct Response: Decodable { var result: String?; var message: String?; var data: T? }
        var response: Response
    }

    func command<T: Decodable>(_ type: T.Type, _ name: String, _ parameters: [(String, String)]) async throws(ServiceError) -> T {
        let envelope: Envelope<T>
        do {
            envelope = try await client.request(Envelope<T>.self, "GET", "/api/v2", query: [("cmd", name)] + parameters)
        } catch  where error.kind == .rejected && (error.excerpt ?? "").contains("apikey") {
            // Tautulli refuses a wrong key with 400 (and the message "Invalid apikey").
            var refused = error
            refused.kind = .unauthorized
            refused.message = "the API key was refused; check it in the config"
            throw refused
        }
        guard envelope.response.result == "success", let data = envelope.response.data else {
            throw ServiceError(
                kind: .rejected, service: client.endpoint.name, method: "GET", url: client.displayURL("/api/v2", [("cmd", name)] + parameters),
                status: 200, message: "Tautulli answered: \(envelope.response.message ?? "no data")", excerpt: nil)
        }
        return data
    }

    public func status() async throws(ServiceError) -> String {
        struct Info: Decodable { var version: String? }
        return try await command(Info.self, "get_tautulli_info", []).version ?? "?"
    }

    /// Every episode play since `after` (`YYYY-MM-DD`, inclusive), newest first, read in pages of
    /// `pageSize`; only of these library sections when some are given.
    public func history(after: String, sectionIDs: [Int] = [], pageSize: Int = 1000, maxPages: Int = 100) async throws(ServiceError) -> [TautulliHistoryRow] {
        struct Page: Decodable { var recordsFiltered: Int?; var data: [TautulliHistoryRow] }
        var rows: [TautulliHistoryRow] = []
        let sections = sectionIDs.isEmpty ? [] : [("section_id", sectionIDs.map(String.init).joined(separator: ","))]
        for page in 0..<maxPages {
            let answer = try await command(
                Page.self, "get_history",
                [
                    ("media_type", "episode"), ("after", after), ("order_column", "date"), ("order_dir", "desc"),
                    ("start", String(page * pageSize)), ("length", String(pageSize)),
                ] + sections)
            rows += answer.data
            if answer.data.count < pageSize || rows.count >= (answer.recordsFiltered ?? Int.max) { break }
        }
        return rows
    }

    /// The Plex library sections Tautulli knows: id and name.
    public func libraries() async throws(ServiceError) -> [TautulliLibrary] {
        try await command([TautulliLibrary].self, "get_libraries", [])
    }

    /// Sends a message through one of Tautulli's notification agents.
    public func notify(notifierID: Int, subject: String, body: String) async throws(ServiceError) {
        struct Sent: Decodable {}
        _ = try await command(Sent.self, "notify", [("notifier_id", String(notifierID)), ("subject", subject), ("body", body)])
    }

    public func metadata(ratingKey: Int) async throws(ServiceError) -> TautulliMetadata {
        try await command(TautulliMetadata.self, "get_metadata", [("rating_key", String(ratingKey))])
    }
}
