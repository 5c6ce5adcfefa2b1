import Foundation

/// A library section of Plex and the folders it covers.
public struct PlexSection: Sendable, Hashable, Decodable {
    public var key: String
    public var type: String
    public var title: String
    public var locations: [String]

    enum CodingKeys: String, CodingKey { case key, type, title, location = "Location" }
    struct Location: Decodable { var path: String }

    public init(key: String, type: String, title: String, locations: [String]) {
        self.key = key
        self.type = type
        self.title = title
        self.locations = locations
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        type = try c.decodeIfPresent(String.self, forKey: .type) ?? ""
        title = try c.decodeIfPresent(String.self, forKey: .title) ?? ""
        locations = try c.decodeIfPresent([Location].self, forKey: .location)?.map(\.path) ?? []
    }
}

/// Plex Media Server: sections, partial scans and watched state.
public struct PlexClient: Sendable {
    public let client: ServiceClient

    public init(client: ServiceClient) { self.client = client }

    public func sections() async throws(ServiceError) -> [PlexSection] {
        struct Envelope: Decodable {
            struct Container: Decodable {
                var directory: [PlexSection]?
                enum CodingKeys: String, CodingKey { case directory = "Directory" }
            }
            var container: Container
            enum CodingKeys: String, CodingKey { case container = "MediaContainer" }
        }
        return try await client.request(Envelope.self, "GET", "/library/sections").container.directory ?? []
    }

    /// Asks Plex to scan one folder of a section (a partial scan; `path` as Plex sees it).
    public func refresh(section: String, path: String) async throws(ServiceError) {
        _ = try await client.send("GET", "/library/sections/\(section)/refresh", query: [("path", path)])
    }

    /// Marks an item watched (`/:/scrobble`) or unwatched (`/:/unscrobble`) for the user whose token this client
    /// carries: PUT, as the Plex API document says (Plex also answers GET, which python-plexapi sends). Marking
    /// writes no play history.
    public func mark(ratingKey: String, watched: Bool) async throws(ServiceError) {
        _ = try await client.send(
            "PUT", watched ? "/:/scrobble" : "/:/unscrobble", query: [("identifier", "com.plexapp.plugins.library"), ("key", ratingKey)])
    }
}
