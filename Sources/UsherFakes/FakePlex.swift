import Foundation

/// An in-process Plex Media Server for library sections and partial scans.
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

    private func handle(_ request: FakeRequest) -> FakeResponse {
        guard request.header("X-Plex-Token") == token || request.query("X-Plex-Token") == token else {
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
        let parts = request.path.split(separator: "/")
        if request.method == "GET", parts.count == 4, parts[0] == "library", parts[1] == "sections", parts[3] == "refresh" {
            let key = String(parts[2])
            guard lock.withLock({ sections.contains { $0.key == key } }) else { return FakeResponse(status: 404, contentType: "text/html") }
            lock.withLock { refreshed.append((key, request.query("path"))) }
            return FakeResponse(status: 200, contentType: "text/html")
        }
        return FakeResponse(status: 404, contentType: "text/html")
    }
}
