import Foundation
import Testing
import UsherCore
import UsherFakes
import Yams

@testable import UsherKit

/// Issue 18, its first adapter step: marking an item watched or unwatched for one user, with that user's token,
/// as the Plex API document describes `/:/scrobble` and `/:/unscrobble`.
@Suite("Plex: watched state per user")
struct PlexWatchStateTests {
    @Test func eachUserMarksWithTheirOwnToken() async throws {
        let plex = try await FakePlex.start(sections: [])
        defer { Task { await plex.stop() } }
        plex.addUser("bob", token: "bob-server-token")
        plex.addItems(["101", "202"])
        let owner = PlexClient(client: serviceClient("plex", url: plex.url, header: "X-Plex-Token", key: plex.token))
        let bob = PlexClient(client: serviceClient("plex", url: plex.url, header: "X-Plex-Token", key: "bob-server-token"))

        try await owner.mark(ratingKey: "101", watched: true)
        try await bob.mark(ratingKey: "202", watched: true)
        #expect(plex.watchedItems(of: plex.owner) == ["101"] && plex.watchedItems(of: "bob") == ["202"], "each user's own state")
        try await owner.mark(ratingKey: "101", watched: false)
        #expect(plex.watchedItems(of: plex.owner).isEmpty && plex.watchedItems(of: "bob") == ["202"])

        // An item Plex does not hold (not scanned yet): a 404, which the sync retries later.
        do {
            try await owner.mark(ratingKey: "999", watched: true)
            Issue.record("expected not found")
        } catch {
            #expect(error.kind == .notFound)
        }
        // A token Plex does not know: refused, without the token in the words.
        do {
            try await PlexClient(client: serviceClient("plex", url: plex.url, header: "X-Plex-Token", key: "stale-token-1234")).mark(
                ratingKey: "101", watched: true)
            Issue.record("expected unauthorized")
        } catch {
            #expect(error.kind == .unauthorized && !error.description.contains("stale-token-1234"))
        }
    }

    /// The requests the client sends are the operations of the Plex API document (`contracts/specs/plex`): the
    /// method, the path and the required query parameters.
    @Test(.enabled(if: Contracts.isAvailable, Contracts.missingComment))
    func theRequestsAreTheDocumentsOperations() async throws {
        let text = try String(contentsOf: try Contracts.spec("plex/plex-api-spec.yaml"), encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        let plex = try await FakePlex.start(sections: [])
        defer { Task { await plex.stop() } }
        plex.addItems(["101"])
        let client = PlexClient(client: serviceClient("plex", url: plex.url, header: "X-Plex-Token", key: plex.token))
        try await client.mark(ratingKey: "101", watched: true)
        try await client.mark(ratingKey: "101", watched: false)
        for request in plex.server.requests {
            let operation = try #require(
                (paths[request.path] as? [String: Any])?[request.method.lowercased()] as? [String: Any], "\(request.method) \(request.path)")
            let required = (operation["parameters"] as? [[String: Any]] ?? []).filter { ($0["in"] as? String) == "query" && ($0["required"] as? Bool) == true }
            for parameter in required.compactMap({ $0["name"] as? String }) {
                #expect(request.query(parameter) != nil, "\(request.path) needs \(parameter)")
            }
            #expect(request.query("key") == "101", "the item, by ratingKey")
        }
        #expect(plex.server.requests.map(\.path) == ["/:/scrobble", "/:/unscrobble"])
    }
}
