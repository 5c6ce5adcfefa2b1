import Foundation

/// An in-process Plex Media Server for library sections, partial scans and each user's watched state.
public final class FakePlex: @unchecked Sendable {
    public struct Section: Sendable, Codable {
        public var key: String
        public var type: String
        public var title: String
        public var locations: [String]

        public init(key: String, type: String, title: String, locations: [String]) {
            self.key = key
            self.type = type
            self.title = title
            self.locations = locations
        }
    }

    public let token: String
    public private(set) var server: FakeHTTPServer!
    private let lock = NSLock()
    private var sections: [Section] = []
    private var refreshed: [(section: String, path: String?)] = []

    public var url: String { server.baseURL }

    public static func start(token: String = "plex-test-token", sections: [Section]) async throws -> FakePlex {
        let fake = FakePlex(token: token, sections: sections)
        fake.server = try await FakeHTTPServer.start { [unowned fake] in fake.handle($0) }
        return fake
    }

    init(token: String, sections: [Section]) {
        self.token = token
        self.sections = sections
    }

    private var failures = 0

    /// Makes the next `count` requests (after the token check) answer 500.
    public func failNext(count: Int = 1) { lock.withLock { failures += count } }

    /// Partial (or full, with `path == nil`) scans requested so far.
    public var refreshes: [(section: String, path: String?)] { lock.withLock { refreshed } }

    public func stop() async { await server.stop() }

    /// Other users' tokens (a friend's or a home user's server token) and their names; the owner is `owner`.
    private var userTokens: [String: String] = [:]
    public let owner = "owner"
    /// Library items by `ratingKey`, and which of them each user has watched.
    private var items: Set<String> = []
    private var watched: [String: Set<String>] = [:]

    public func addUser(_ name: String, token: String) { lock.withLock { userTokens[token] = name } }
    public func addItems(_ ratingKeys: [String]) { lock.withLock { items.formUnion(ratingKeys) } }
    /// The items `user` has watched.
    public func watchedItems(of user: String) -> Set<String> { lock.withLock { watched[user] ?? [] } }
    public func setWatched(_ ratingKey: String, by user: String, _ isWatched: Bool) {
        lock.withLock {
            if isWatched { watched[user, default: []].insert(ratingKey) } else { watched[user]?.remove(ratingKey) }
        }
    }

    private func handle(_ request: FakeRequest) -> FakeResponse {
        let presented = request.header("X-Plex-Token") ?? request.query("X-Plex-Token")
        let user: String? = presented == token ? owner : lock.withLock { () -> String? in presented.flatMap { userTokens[$0] } }
        guard let user else {
            return FakeResponse(status: 401, body: Data("<html><head><title>Unauthorized</title></head></html>".utf8), contentType: "text/html")
        }
        let fail = lock.withLock { () -> Bool in
            guard failures > 0 else { return false }
            failures -= 1
            return true
        }
        if fail { return FakeResponse(status: 500, body: Data("<html>Internal Server Error</html>".utf8), contentType: "text/html") }
        if request.method == "GET", request.path == "/library/sections" {
            let directories = lock.withLock { sections }.map { section -> [String: Any] in
                [
                    "key": section.key, "type": section.type, "title": section.title, "agent": "tv.plex.agents.series",
                    "scanner": "Plex TV Series", "Location": section.locations.enumerated().map { ["id": $0.offset + 1, "path": $0.element] },
                ]
            }
            let body: [String: Any] = ["MediaContainer": ["size": directories.count, "allowSync": false, "title1": "Plex Library", "Directory": directories]]
            return FakeResponse(status: 200, body: (try? JSONSerialization.data(withJSONObject: body)) ?? Data())
        }
        // Watched state, per user: PUT as the API document says, GET as Plex also answers.
        if request.method == "PUT" || request.method == "GET", request.path == "/:/scrobble" || request.path == "/:/unscrobble" {
            guard request.query("identifier") == "com.plexapp.plugins.library", let key = request.query("key") else {
                return FakeResponse(status: 400, body: Data("<html>Bad Request</html>".utf8), contentType: "text/html")
            }
            guard lock.withLock({ items.contains(key) }) else { return FakeResponse(status: 404, contentType: "text/html") }
            setWatched(key, by: user, request.path == "/:/scrobble")
            return FakeResponse(status: 200, contentType: "text/html")
        }
        let parts = request.path.split(separator: "/")
        if request.method == "GET", parts.count == 4, parts[0] == "library", parts[1] == "sections", parts[3] == "refresh" {
            let key = String(parts[2])
            guard lock.withLock({ sections.contains { $0.key == key } }) else { return FakeResponse(status: 404, contentType: "text/html") }
            lock.withLock { refreshed.append((key, request.query("path"))) }
            return FakeResponse(status: 200, contentType: "text/html")
        }
        if let answer = handleHistory(request, user: user) { return answer }
        return FakeResponse(status: 404, contentType: "text/html")
    }
}
