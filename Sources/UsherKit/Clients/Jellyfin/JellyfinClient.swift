public import AsyncHTTPClient
public import Logging
public import UsherCore

/// A Jellyfin (or Emby) user: id and name.
public struct JellyfinUser: Sendable, Hashable, Decodable {
    public var id: String
    public var name: String

    enum CodingKeys: String, CodingKey { case id = "Id", name = "Name" }
}

/// Jellyfin's (and Emby's) API, for watch history: users, each user's played episodes, sessions, libraries,
/// and series' provider ids. The API key travels in `Authorization: MediaBrowser Token="…"`, the header
/// Jellyfin documents (its older `X-Emby-Token` is switched off by default from Jellyfin 12), which Emby also
/// reads.
public struct JellyfinClient: Sendable {
    public let client: ServiceClient

    public init(client: ServiceClient) { self.client = client }

    /// The endpoint of a configured server: the key in the `Authorization` header, redacted in every message.
    public static func endpoint(_ server: JellyfinServer) -> ServiceEndpoint {
        ServiceEndpoint(
            name: "jellyfin", baseURL: server.url, credentialHeader: "Authorization", credential: authorization(apiKey: server.apiKey),
            otherSecrets: [server.apiKey])
    }

    /// The `Authorization` header's value for an API key.
    public static func authorization(apiKey: String) -> String {
        "MediaBrowser Client=\"Usher\", Device=\"Usher\", DeviceId=\"usher\", Version=\"1\", Token=\"\(apiKey)\""
    }

    /// The server's product and version (`GET /System/Info`), for `usher config check`.
    public func status() async throws(ServiceError) -> String {
        struct Info: Decodable {
            var productName: String?
            var version: String?
            enum CodingKeys: String, CodingKey { case productName = "ProductName", version = "Version" }
        }
        let info = try await client.request(Info.self, "GET", "/System/Info")
        return [info.productName ?? "Jellyfin", info.version].compactMap { $0 }.joined(separator: " ")
    }

    /// Every user (`GET /Users`).
    public func users() async throws(ServiceError) -> [JellyfinUser] {
        try await client.request([JellyfinUser].self, "GET", "/Users")
    }

    /// One user's played episodes, most recently played first, back to `since` (Unix seconds): `GET /Items` with
    /// the user's id, read in pages of `pageSize` until a page ends short, the total is reached, or the items
    /// were last played before `since`.
    public func played(userID: String, since: Int64, pageSize: Int = 200, maxPages: Int = 200) async throws(ServiceError) -> [JellyfinItem] {
        struct Page: Decodable {
            var items: [JellyfinItem]?
            var totalRecordCount: Int?
            enum CodingKeys: String, CodingKey { case items = "Items", totalRecordCount = "TotalRecordCount" }
        }
        let query: [(String, String)] = [
            ("UserId", userID), ("Recursive", "true"), ("IncludeItemTypes", "Episode"), ("Filters", "IsPlayed"), ("SortBy", "DatePlayed"),
            ("SortOrder", "Descending"), ("Fields", "ProviderIds,Path"),
        ]
        var items: [JellyfinItem] = []
        for page in 0..<maxPages {
            let paging = [("StartIndex", String(page * pageSize)), ("Limit", String(pageSize))]
            let answer = try await client.request(Page.self, "GET", "/Items", query: query + paging)
            let rows = answer.items ?? []
            items += rows.filter { ($0.lastPlayed ?? 0) >= since }
            let reachedOld = rows.contains { ($0.lastPlayed ?? 0) < since }
            if rows.count < pageSize || reachedOld || (page + 1) * pageSize >= (answer.totalRecordCount ?? Int.max) { break }
        }
        return items
    }

    /// What plays now (`GET /Sessions`).
    public func sessions() async throws(ServiceError) -> [JellyfinSession] {
        try await client.request([JellyfinSession].self, "GET", "/Sessions")
    }

    /// The libraries and their folders (`GET /Library/VirtualFolders`), for `prefetch.libraries`.
    public func libraries() async throws(ServiceError) -> [JellyfinLibrary] {
        try await client.request([JellyfinLibrary].self, "GET", "/Library/VirtualFolders")
    }

    /// The TVDB id of each series asked for (`GET /Items?Ids=…&Fields=ProviderIds`, 50 ids a request): every id
    /// the server knows is in the answer, `nil` when it has no TVDB id.
    public func tvdbIDs(seriesIDs: [String]) async throws(ServiceError) -> [String: Int?] {
        struct Page: Decodable {
            var items: [JellyfinItem]?
            enum CodingKeys: String, CodingKey { case items = "Items" }
        }
        var result: [String: Int?] = [:]
        var start = 0
        while start < seriesIDs.count {
            let chunk = seriesIDs[start..<min(start + 50, seriesIDs.count)]
            start += 50
            let answer = try await client.request(Page.self, "GET", "/Items", query: [("Ids", chunk.joined(separator: ",")), ("Fields", "ProviderIds")])
            for item in answer.items ?? [] {
                guard let id = item.id else { continue }
                result[id] = item.tvdbID
            }
        }
        return result
    }
}

extension ServiceHub {
    /// The configured Jellyfin, through the hub's client, gate and retry policy.
    public func jellyfin(_ server: JellyfinServer, counter: RequestCounter?) -> JellyfinClient {
        JellyfinClient(client: client(JellyfinClient.endpoint(server), counter: counter))
    }
}
