import Foundation
import UsherCore
public import UsherKit

/// Routing, auth and fault injection shared by the fake Sonarr and Radarr.
public class FakeArrBase: @unchecked Sendable {
    public let apiKey: String
    /// `/sonarr`, or empty.
    public let urlBase: String
    public private(set) var server: FakeHTTPServer!
    let lock = NSLock()
    /// Answers to give instead of the real ones, consumed in order: `(path prefix, status)`.
    private var faults: [(String, FakeResponse)] = []
    var nextID = 1000

    init(apiKey: String, urlBase: String) {
        self.apiKey = apiKey
        self.urlBase = urlBase
    }

    func startServer() async throws {
        server = try await FakeHTTPServer.start { [unowned self] request in self.dispatch(request) }
    }

    /// The URL to configure: `http://127.0.0.1:PORT/urlbase`.
    public var url: String { server.baseURL + urlBase }

    /// Makes the next `count` requests whose path starts with `pathPrefix` (after the URL base) fail with `status`.
    public func failNext(_ pathPrefix: String, status: Int, count: Int = 1) {
        answerNext(pathPrefix, .error(status, "injected failure"), count: count)
    }

    /// Gives `response` (garbage, say) to the next `count` requests whose path starts with `pathPrefix`.
    public func answerNext(_ pathPrefix: String, _ response: FakeResponse, count: Int = 1) {
        lock.withLock { for _ in 0..<count { faults.append((pathPrefix, response)) } }
    }

    /// Requests received, paths without the URL base.
    public var requests: [FakeRequest] {
        server.requests.map {
            var r = $0; r.path = String(r.path.dropFirst(urlBase.count)); return r
        }
    }

    public func stop() async { await server.stop() }

    private func dispatch(_ request: FakeRequest) -> FakeResponse {
        guard request.path.hasPrefix(urlBase + "/") else { return .error(404, "Not Found") }
        var request = request
        request.path = String(request.path.dropFirst(urlBase.count))
        // Key from the X-Api-Key header, or the apikey query parameter (as Sonarr and Radarr accept).
        guard request.header("X-Api-Key") == apiKey || request.query("apikey") == apiKey else {
            return FakeResponse(status: 401, body: Data())
        }
        let fault: FakeResponse? = lock.withLock {
            guard let index = faults.firstIndex(where: { request.path.hasPrefix($0.0) }) else { return nil }
            return faults.remove(at: index).1
        }
        if let fault { return fault }
        return lock.withLock { handle(request) }
    }

    /// Overridden by Sonarr and Radarr; called with the lock held.
    func handle(_ request: FakeRequest) -> FakeResponse { .error(404, "Not Found") }

    func decode<T: Decodable>(_ type: T.Type, _ request: FakeRequest) -> T? {
        try? JSONDecoder().decode(T.self, from: request.body)
    }

    func makeID() -> Int {
        nextID += 1
        return nextID
    }

    /// `/api/v3/series/12` → 12 when the path is `prefix/ID`.
    static func id(in path: String, after prefix: String) -> Int? {
        guard path.hasPrefix(prefix + "/") else { return nil }
        return Int(path.dropFirst(prefix.count + 1))
    }

    /// Tags as Sonarr and Radarr keep them: labels lowercased, an existing label returned instead of a duplicate.
    public var tags: [ArrTag] = []

    func handleTags(_ request: FakeRequest) -> FakeResponse? {
        switch (request.method, request.path) {
        case ("GET", "/api/v3/tag"):
            return .json(tags)
        case ("POST", "/api/v3/tag"):
            guard let body = decode(TagBody.self, request) else { return .error(400, "bad tag") }
            let label = body.label.lowercased()
            if let existing = tags.first(where: { $0.label == label }) { return .json(existing, status: 201) }
            let tag = ArrTag(id: tags.count + 1, label: label)
            tags.append(tag)
            return .json(tag, status: 201)
        case ("DELETE", let path) where path.hasPrefix("/api/v3/tag/"):
            guard let id = Self.id(in: path, after: "/api/v3/tag") else { return .error(404, "Not Found") }
            tags.removeAll { $0.id == id }
            return FakeResponse(status: 200)
        default:
            return nil
        }
    }

    struct TagBody: Decodable { var label: String }

    /// What the series and movie editors do with `applyTags` (add | remove | replace).
    static func apply(_ tags: [Int]?, mode: String?, to current: [Int]?) -> [Int] {
        let current = current ?? []
        switch mode ?? "replace" {
        case "add": return Array(Set(current).union(tags ?? [])).sorted()
        case "remove": return current.filter { !(tags ?? []).contains($0) }
        default: return tags ?? current
        }
    }

    /// The history, oldest first, as the service's `History` table: a record per import, rename or deletion
    /// made through the helpers (`importFile`, `renameFile`, …). Changes made to the fake's data directly
    /// leave none, like a change made behind the service's back.
    public var history: [ArrHistoryRecord] = []
    private var lastHistoryID = 0

    /// Adds a history record dated now, as the service does for a change of its own (a grab, an import of a movie or
    /// series the test does not model further).
    public func addHistory(_ eventType: String, movieId: Int? = nil, seriesId: Int? = nil) {
        lock.withLock { recordHistory(eventType, movieId: movieId, seriesId: seriesId) }
    }

    /// Adds a history record dated now (whole seconds, as SQLite keeps them).
    func recordHistory(_ eventType: String, movieId: Int? = nil, seriesId: Int? = nil, episodeId: Int? = nil) {
        lastHistoryID += 1
        history.append(
            ArrHistoryRecord(
                id: lastHistoryID, date: Self.historyDate(Date()), eventType: eventType, movieId: movieId, seriesId: seriesId, episodeId: episodeId))
    }

    static func historyDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    /// `GET /api/v3/history` (paged, newest first when sorted by date descending) and `GET /api/v3/history/since`
    /// (every record at or after `date`, oldest first; 400 without a date it can read).
    func handleHistory(_ request: FakeRequest) -> FakeResponse? {
        guard request.method == "GET" else { return nil }
        switch request.path {
        case "/api/v3/history":
            let page = max(1, request.query("page").flatMap(Int.init) ?? 1)
            let size = max(1, request.query("pageSize").flatMap(Int.init) ?? 10)
            let ordered = request.query("sortDirection") == "descending" ? Array(history.reversed()) : history
            struct Page: Encodable {
                var page: Int, pageSize: Int, sortKey = "date", sortDirection: String, totalRecords: Int
                var records: [ArrHistoryRecord]
            }
            return .json(
                Page(
                    page: page, pageSize: size, sortDirection: request.query("sortDirection") ?? "descending", totalRecords: history.count,
                    records: Array(ordered.dropFirst((page - 1) * size).prefix(size))))
        case "/api/v3/history/since":
            guard let text = request.query("date"), let since = Self.parseDate(text) else { return .error(400, "'date' must be a date") }
            return .json(history.filter { record in record.date.flatMap(Self.parseDate).map { $0 >= since } ?? false })
        default:
            return nil
        }
    }

    static func parseDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    var commands: [ArrCommand] = []

    func recordCommand(_ name: String) -> ArrCommand {
        let command = ArrCommand(id: makeID(), name: name, commandName: name, status: "completed", result: "successful", message: "Completed")
        commands.append(command)
        return command
    }

    func handleCommandLookup(_ request: FakeRequest) -> FakeResponse? {
        guard request.method == "GET" else { return nil }
        if request.path == "/api/v3/command" { return .json(commands) }
        if let id = Self.id(in: request.path, after: "/api/v3/command") {
            return commands.first { $0.id == id }.map { .json($0) } ?? .error(404, "Not Found")
        }
        return nil
    }
}
