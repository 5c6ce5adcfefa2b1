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
    /// The server's `machineIdentifier` (`GET /identity`), as plex.tv names it.
    public let machineIdentifier = "fake-plex-machine-0001"

    /// A movie or an episode of a section, with the files of its media parts as Plex sees them.
    public struct Item: Sendable {
        public var ratingKey: String
        public var type: String
        public var title: String
        public var section: String
        public var files: [String]
        /// The agents' ids (`tmdb://603`, `tvdb://73255`), listed with `includeGuids=1`.
        public var guids: [String]
        /// An episode's show (`ratingKey`), season and number.
        public var show: String?
        public var season: Int?
        public var episode: Int?

        public init(
            ratingKey: String, type: String, title: String, section: String, files: [String], guids: [String] = [], show: String? = nil,
            season: Int? = nil, episode: Int? = nil
        ) {
            self.ratingKey = ratingKey
            self.type = type
            self.title = title
            self.section = section
            self.files = files
            self.guids = guids
            self.show = show
            self.season = season
            self.episode = episode
        }
    }

    private var library: [String: Item] = [:]
    /// The sections each user (not the owner) may see; a user not in it sees every section.
    private var shared: [String: Set<String>] = [:]

    public func addUser(_ name: String, token: String) { lock.withLock { userTokens[token] = name } }
    public func addItems(_ ratingKeys: [String]) { lock.withLock { items.formUnion(ratingKeys) } }
    /// Adds (or replaces) an item of a section: what a Plex scan of its file does.
    public func addItem(_ item: Item) {
        lock.withLock {
            items.insert(item.ratingKey)
            library[item.ratingKey] = item
        }
    }
    /// Removes an item: what Plex does when its file is gone and the trash is emptied.
    public func removeItem(_ ratingKey: String) {
        lock.withLock {
            items.remove(ratingKey)
            library[ratingKey] = nil
        }
    }
    /// Replaces the library sections (a test that learns its folders after the server started).
    public func setSections(_ list: [Section]) { lock.withLock { sections = list } }
    /// Lets `user` see only these sections.
    public func share(_ sections: Set<String>, with user: String) { lock.withLock { shared[user] = sections } }
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
        if request.method == "GET", request.path == "/identity" {
            let body: [String: Any] = ["MediaContainer": ["size": 0, "claimed": true, "machineIdentifier": machineIdentifier, "version": "1.41.0.0000-fake"]]
            return FakeResponse(status: 200, body: (try? JSONSerialization.data(withJSONObject: body)) ?? Data())
        }
        let parts = request.path.split(separator: "/")
        if request.method == "GET", parts.count == 4, parts[0] == "library", parts[1] == "sections", parts[3] == "all" {
            return listing(section: String(parts[2]), request: request, user: user)
        }
        if request.method == "GET", parts.count == 4, parts[0] == "library", parts[1] == "metadata", parts[3] == "allLeaves" {
            let show = String(parts[2])
            guard let item = lock.withLock({ library[show] }), item.type == "show", visible(item, to: user) else {
                return FakeResponse(status: 404, contentType: "text/html")
            }
            let leaves = lock.withLock { library.values.filter { $0.show == show } }.sorted {
                ($0.season ?? 0, $0.episode ?? 0) < ($1.season ?? 0, $1.episode ?? 0)
            }
            let body: [String: Any] = ["MediaContainer": ["size": leaves.count, "key": show, "Metadata": leaves.map { json($0, user: user) }]]
            return FakeResponse(status: 200, body: (try? JSONSerialization.data(withJSONObject: body)) ?? Data())
        }
        // The library's items; a key it does not hold may be a show of the play history (`handleHistory`).
        if request.method == "GET", parts.count == 3, parts[0] == "library", parts[1] == "metadata",
            let answer = metadata(keys: parts[2].split(separator: ",").map(String.init), user: user)
        {
            return answer
        }
        if request.method == "GET", parts.count == 4, parts[0] == "library", parts[1] == "sections", parts[3] == "refresh" {
            let key = String(parts[2])
            guard lock.withLock({ sections.contains { $0.key == key } }) else { return FakeResponse(status: 404, contentType: "text/html") }
            lock.withLock { refreshed.append((key, request.query("path"))) }
            return FakeResponse(status: 200, contentType: "text/html")
        }
        if let answer = handleHistory(request, user: user) { return answer }
        return FakeResponse(status: 404, contentType: "text/html")
    }

    private func visible(_ item: Item, to user: String) -> Bool {
        user == owner || lock.withLock { shared[user].map { $0.contains(item.section) } ?? true }
    }

    /// An item as Plex's JSON has it, with `viewCount` for the user who asks (absent when unwatched, as Plex does).
    private func json(_ item: Item, user: String, guids: Bool = false) -> [String: Any] {
        var object: [String: Any] = [
            "ratingKey": item.ratingKey, "key": "/library/metadata/\(item.ratingKey)", "type": item.type, "title": item.title,
            "librarySectionID": Int(item.section) ?? 0,
            "Media": [["id": Int(item.ratingKey) ?? 0, "Part": item.files.enumerated().map { ["id": $0.offset + 1, "file": $0.element, "size": 1000] }]],
        ]
        if item.files.isEmpty { object["Media"] = nil }
        if watchedItems(of: user).contains(item.ratingKey) { object["viewCount"] = 1 }
        if guids, !item.guids.isEmpty { object["Guid"] = item.guids.map { ["id": $0] } }
        if let show = item.show {
            object["grandparentRatingKey"] = show
            object["grandparentKey"] = "/library/metadata/\(show)"
        }
        if let season = item.season { object["parentIndex"] = season }
        if let episode = item.episode { object["index"] = episode }
        return object
    }

    /// `GET /library/sections/{key}/all?type=1|4`, paged by `X-Plex-Container-Start`/`-Size` (query or header).
    private func listing(section: String, request: FakeRequest, user: String) -> FakeResponse {
        guard lock.withLock({ sections.contains { $0.key == section } }) else { return FakeResponse(status: 404, contentType: "text/html") }
        let wanted = request.query("type").flatMap(Int.init)
        let types: [Int: String] = [1: "movie", 2: "show", 3: "season", 4: "episode"]
        var all = lock.withLock { library.values.filter { $0.section == section } }.sorted { $0.ratingKey < $1.ratingKey }
        if let wanted { all = all.filter { $0.type == types[wanted] } }
        all = all.filter { visible($0, to: user) }
        let start = Int(request.query("X-Plex-Container-Start") ?? request.header("X-Plex-Container-Start") ?? "") ?? 0
        let size = Int(request.query("X-Plex-Container-Size") ?? request.header("X-Plex-Container-Size") ?? "") ?? all.count
        let page = all.dropFirst(max(0, start)).prefix(max(0, size))
        let body: [String: Any] = [
            "MediaContainer": [
                "size": page.count, "totalSize": all.count, "offset": start, "librarySectionID": Int(section) ?? 0,
                "Metadata": page.map { json($0, user: user, guids: request.query("includeGuids") == "1") },
            ]
        ]
        return FakeResponse(status: 200, body: (try? JSONSerialization.data(withJSONObject: body)) ?? Data())
    }

    /// `GET /library/metadata/{ids}`: the items that exist and the user may see; 404 when none does; `nil` when the
    /// library holds none of the keys.
    private func metadata(keys: [String], user: String) -> FakeResponse? {
        let held = lock.withLock { keys.compactMap { library[$0] } }
        guard !held.isEmpty else { return nil }
        let found = held.filter { visible($0, to: user) }
        guard !found.isEmpty else { return FakeResponse(status: 404, contentType: "text/html") }
        let body: [String: Any] = ["MediaContainer": ["size": found.count, "Metadata": found.map { json($0, user: user) }]]
        return FakeResponse(status: 200, body: (try? JSONSerialization.data(withJSONObject: body)) ?? Data())
    }
}
