import Foundation

/// Radarr's API v3 (as served by Radarr v4 to v6): the calls Usher makes.
public struct RadarrClient: Sendable {
    public let client: ServiceClient

    public init(client: ServiceClient) { self.client = client }

    public func status() async throws(ServiceError) -> ArrSystemStatus {
        try await client.request(ArrSystemStatus.self, "GET", "/api/v3/system/status")
    }

    /// Every movie, with its file (the list includes `movieFile`); with `keeping`, only those it accepts.
    public func movies(keeping: (@Sendable (RadarrMovie) -> Bool)? = nil) async throws(ServiceError) -> [RadarrMovie] {
        try await client.requestList(RadarrMovie.self, "/api/v3/movie", keeping: keeping)
    }

    /// One movie with its file; a movie Radarr no longer has answers 404 (`ServiceError.Kind.notFound`).
    public func movie(id: Int) async throws(ServiceError) -> RadarrMovie {
        try await client.request(RadarrMovie.self, "GET", "/api/v3/movie/\(id)")
    }

    public func tags() async throws(ServiceError) -> [ArrTag] {
        try await client.request([ArrTag].self, "GET", "/api/v3/tag")
    }

    public func createTag(_ label: String) async throws(ServiceError) -> ArrTag {
        try await client.request(ArrTag.self, "POST", "/api/v3/tag", json: ServiceClient.json(["label": label]))
    }

    public func editTags(movieIDs: [Int], tagIDs: [Int], apply: String) async throws(ServiceError) {
        struct Body: Encodable { var movieIds: [Int]; var tags: [Int]; var applyTags: String }
        _ = try await client.send("PUT", "/api/v3/movie/editor", json: ServiceClient.json(Body(movieIds: movieIDs, tags: tagIDs, applyTags: apply)))
    }
}
