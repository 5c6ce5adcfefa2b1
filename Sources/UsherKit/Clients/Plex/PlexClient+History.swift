public import UsherCore

/// Plex as a source of watch history (`prefetch.history: plex`): its own play history, what plays now, the
/// accounts that name the viewers, and each show's ids.
extension PlexClient {
    /// The server's accounts (`GET /accounts`): id → name; account 1 is the owner. Not in the community API
    /// document; python-plexapi's `systemAccounts()` reads it.
    public func accounts() async throws(ServiceError) -> [Int: String] {
        struct Envelope: Decodable {
            struct Account: Decodable { var id: Int?; var name: String? }
            struct Container: Decodable {
                var account: [Account]?
                enum CodingKeys: String, CodingKey { case account = "Account" }
            }
            var container: Container
            enum CodingKeys: String, CodingKey { case container = "MediaContainer" }
        }
        var result: [Int: String] = [:]
        for account in try await client.request(Envelope.self, "GET", "/accounts").container.account ?? [] {
            guard let id = account.id, let name = account.name, !name.isEmpty else { continue }
            result[id] = name
        }
        return result
    }

    /// Every play viewed at or after `since` (Unix seconds), newest first (`sort=viewedAt:desc`, and the
    /// filter `viewedAt>=`), read in pages of `pageSize` (`X-Plex-Container-Start`/`-Size`) until a page ends
    /// short, the total is reached, or the rows are older than `since` (a server that ignores the filter is
    /// read no further back); only one library section when `sectionID` is given.
    public func history(since: Int64, sectionID: String? = nil, pageSize: Int = 500, maxPages: Int = 200) async throws(ServiceError) -> [PlexPlay] {
        struct Page: Decodable {
            struct Container: Decodable {
                var totalSize: Int?
                var metadata: [PlexPlay]?
                enum CodingKeys: String, CodingKey { case totalSize, metadata = "Metadata" }
            }
            var container: Container
            enum CodingKeys: String, CodingKey { case container = "MediaContainer" }
        }
        var plays: [PlexPlay] = []
        var query: [(String, String)] = [("sort", "viewedAt:desc"), ("viewedAt>", String(since))]
        if let sectionID { query.append(("librarySectionID", sectionID)) }
        for page in 0..<maxPages {
            let paging = [("X-Plex-Container-Start", String(page * pageSize)), ("X-Plex-Container-Size", String(pageSize))]
            let answer = try await client.request(Page.self, "GET", "/status/sessions/history/all", query: query + paging).container
            let rows = answer.metadata ?? []
            plays += rows.filter { ($0.viewedAt ?? 0) >= since }
            let reachedOld = rows.contains { ($0.viewedAt ?? 0) < since }
            if rows.count < pageSize || reachedOld || (page + 1) * pageSize >= (answer.totalSize ?? Int.max) { break }
        }
        return plays
    }

    /// What plays now (`GET /status/sessions`), each with its viewer.
    public func sessions() async throws(ServiceError) -> [PlexPlay] {
        struct Envelope: Decodable {
            struct Container: Decodable {
                var metadata: [PlexPlay]?
                enum CodingKeys: String, CodingKey { case metadata = "Metadata" }
            }
            var container: Container
            enum CodingKeys: String, CodingKey { case container = "MediaContainer" }
        }
        return try await client.request(Envelope.self, "GET", "/status/sessions").container.metadata ?? []
    }

    /// A show's ids (`GET /library/metadata/{ratingKey}?includeGuids=1`): its `Guid[].id` values
    /// (`tvdb://121361`) and its own `guid` (a legacy agent's `com.plexapp.agents.thetvdb://…`).
    public func guids(ratingKey: String) async throws(ServiceError) -> [String] {
        struct Envelope: Decodable {
            struct Guid: Decodable { var id: String? }
            struct Item: Decodable {
                var guid: String?
                var guids: [Guid]?
                enum CodingKeys: String, CodingKey { case guid, guids = "Guid" }
            }
            struct Container: Decodable {
                var metadata: [Item]?
                enum CodingKeys: String, CodingKey { case metadata = "Metadata" }
            }
            var container: Container
            enum CodingKeys: String, CodingKey { case container = "MediaContainer" }
        }
        let path = "/library/metadata/" + ratingKey.pathSegmentEncoded
        let item = try await client.request(Envelope.self, "GET", path, query: [("includeGuids", "1")]).container.metadata?.first
        return (item?.guids ?? []).compactMap(\.id) + [item?.guid].compactMap { $0 }
    }
}

extension String {
    /// The text as one path segment: letters, digits and `-._~` as they are, every other byte percent-encoded.
    var pathSegmentEncoded: String {
        var result = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.append(Character(UnicodeScalar(byte)))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count < 2 ? "0" + hex : hex)
            }
        }
        return result
    }
}
