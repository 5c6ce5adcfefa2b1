import Foundation

/// A movie or an episode as Plex lists it: its `ratingKey`, the files of its media parts (as Plex sees them) and,
/// for the user whose token asked, whether it is watched (`viewCount` > 0).
public struct PlexItem: Sendable, Hashable, Decodable {
    public var ratingKey: String
    public var type: String
    public var title: String
    public var files: [String]
    public var viewCount: Int
    /// The agents' ids (`tmdb://603`, `imdb://tt0133093`, `tvdb://73255`), with `includeGuids=1`.
    public var guids: [String] = []
    /// An episode's season and number, and its show's `ratingKey`.
    public var parentIndex: Int?
    public var index: Int?
    public var grandparentRatingKey: String?

    public var watched: Bool { viewCount > 0 }

    public init(ratingKey: String, type: String, title: String, files: [String], viewCount: Int) {
        self.ratingKey = ratingKey
        self.type = type
        self.title = title
        self.files = files
        self.viewCount = viewCount
    }

    enum CodingKeys: String, CodingKey {
        case ratingKey, type, title, viewCount, parentIndex, index, grandparentRatingKey, media = "Media", guid = "Guid"
    }
    struct Guid: Decodable { var id: String? }
    struct Media: Decodable {
        var part: [Part]?
        enum CodingKeys: String, CodingKey { case part = "Part" }
    }
    struct Part: Decodable { var file: String? }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // Plex writes `ratingKey` as a string; a number is read too.
        if let text = try? c.decode(String.self, forKey: .ratingKey) {
            ratingKey = text
        } else {
            ratingKey = String(try c.decode(Int.self, forKey: .ratingKey))
        }
        type = (try? c.decodeIfPresent(String.self, forKey: .type)) ?? ""
        title = (try? c.decodeIfPresent(String.self, forKey: .title)) ?? ""
        viewCount = (try? c.decodeIfPresent(Int.self, forKey: .viewCount)) ?? 0
        files = ((try? c.decodeIfPresent([Media].self, forKey: .media)) ?? []).flatMap { $0.part ?? [] }.compactMap(\.file)
        guids = ((try? c.decodeIfPresent([Guid].self, forKey: .guid)) ?? []).compactMap(\.id)
        parentIndex = try? c.decodeIfPresent(Int.self, forKey: .parentIndex)
        index = try? c.decodeIfPresent(Int.self, forKey: .index)
        grandparentRatingKey =
            (try? c.decodeIfPresent(String.self, forKey: .grandparentRatingKey))
            ?? (try? c.decodeIfPresent(Int.self, forKey: .grandparentRatingKey)).flatMap { $0.map(String.init) }
    }
}

extension PlexClient {
    /// Plex's `MediaContainer` with `Metadata[]`, and `totalSize` when the list is paged.
    struct ItemsEnvelope: Decodable {
        struct Container: Decodable {
            var metadata: [PlexItem]?
            var totalSize: Int?
            enum CodingKeys: String, CodingKey { case metadata = "Metadata", totalSize }
        }
        var container: Container
        enum CodingKeys: String, CodingKey { case container = "MediaContainer" }
    }

    /// The server's `machineIdentifier` (`GET /identity`): plex.tv names the server by it.
    public func machineIdentifier() async throws(ServiceError) -> String {
        struct Envelope: Decodable {
            struct Container: Decodable { var machineIdentifier: String }
            var MediaContainer: Container
        }
        return try await client.request(Envelope.self, "GET", "/identity").MediaContainer.machineIdentifier
    }

    /// One page of a section's items of one type (`1` movies, `2` shows, `4` episodes), `X-Plex-Container-Start`/`-Size`
    /// as query parameters, with their agents' ids when `guids`; the page's items and the section's total when Plex
    /// says it.
    public func items(section: String, type: Int, start: Int, size: Int, guids: Bool = false) async throws(ServiceError) -> (
        items: [PlexItem], total: Int?
    ) {
        var query = [("type", String(type)), ("X-Plex-Container-Start", String(start)), ("X-Plex-Container-Size", String(size))]
        if guids { query.append(("includeGuids", "1")) }
        let envelope = try await client.request(ItemsEnvelope.self, "GET", "/library/sections/\(section)/all", query: query)
        return (envelope.container.metadata ?? [], envelope.container.totalSize)
    }

    /// A show's episodes (`GET /library/metadata/{show}/allLeaves`), each with its season and number.
    public func episodes(ofShow ratingKey: String) async throws(ServiceError) -> [PlexItem] {
        try await client.request(ItemsEnvelope.self, "GET", "/library/metadata/\(ratingKey)/allLeaves").container.metadata ?? []
    }

    /// Every item of one type in a section, read in pages of `pageSize`.
    public func allItems(section: String, type: Int, guids: Bool = false, pageSize: Int = 500) async throws(ServiceError) -> [PlexItem] {
        var all: [PlexItem] = []
        while true {
            let page = try await items(section: section, type: type, start: all.count, size: pageSize, guids: guids)
            all += page.items
            if page.items.count < pageSize || (page.total.map { all.count >= $0 } ?? false) { return all }
        }
    }

    /// The items of these `ratingKey`s as the user of this client's token sees them (`GET /library/metadata/1,2,3`);
    /// an item the user cannot see, or that is gone, is missing from the answer.
    public func metadata(_ ratingKeys: [String]) async throws(ServiceError) -> [PlexItem] {
        guard !ratingKeys.isEmpty else { return [] }
        do {
            return try await client.request(ItemsEnvelope.self, "GET", "/library/metadata/" + ratingKeys.joined(separator: ","))
                .container.metadata ?? []
        } catch  where error.kind == .notFound {
            return []
        }
    }
}
