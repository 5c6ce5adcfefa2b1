import Foundation
public import UsherKit

/// An in-process Tautulli (API v2.17) for `get_history` (paged, filtered by media type and date) and
/// `get_metadata`: the key only as the `apikey` parameter, answers in Tautulli's envelope.
public final class FakeTautulli: @unchecked Sendable {
    public let apiKey: String
    public private(set) var server: FakeHTTPServer!
    private let lock = NSLock()
    private var history: [TautulliHistoryRow] = []
    private var metadata: [Int: TautulliMetadata] = [:]
    /// The library section of each history row (rows themselves carry none, as in Tautulli).
    private var sections: [Int: Int] = [:]
    private var libraries: [(id: Int, name: String)] = []
    /// Messages sent with `cmd=notify`: (notifier id, subject, body).
    public private(set) var notifications: [(id: Int, subject: String, body: String)] = []

    public var url: String { server.baseURL }
    public var requests: [FakeRequest] { server.requests }

    public static func start(apiKey: String = "tautulli-test-key") async throws -> FakeTautulli {
        let fake = FakeTautulli(apiKey: apiKey)
        fake.server = try await FakeHTTPServer.start { [unowned fake] in fake.handle($0) }
        return fake
    }

    init(apiKey: String) { self.apiKey = apiKey }

    public func stop() async { await server.stop() }

    public func add(_ rows: [TautulliHistoryRow], section: Int? = nil) {
        lock.withLock {
            for row in rows {
                var row = row
                if row.ratingKey == nil { row.ratingKey = 100_000 + history.count }
                history.append(row)
                if let section, let key = row.ratingKey { sections[key] = section }
            }
        }
    }

    public func addLibrary(id: Int, name: String) { lock.withLock { libraries.append((id, name)) } }

    public var sentNotifications: [(id: Int, subject: String, body: String)] { lock.withLock { notifications } }
    public func setMetadata(_ entry: TautulliMetadata, for ratingKey: Int) { lock.withLock { metadata[ratingKey] = entry } }

    private func envelope(_ data: Any, status: Int = 200, result: String = "success", message: String? = nil) -> FakeResponse {
        let body: [String: Any] = ["response": ["result": result, "message": message as Any? ?? NSNull(), "data": data]]
        return FakeResponse(status: status, body: (try? JSONSerialization.data(withJSONObject: body)) ?? Data())
    }

    private func handle(_ request: FakeRequest) -> FakeResponse {
        guard request.path == "/api/v2" else { return FakeResponse(status: 404, contentType: "text/html") }
        guard let key = request.query("apikey") else { return envelope([:], status: 401, result: "error", message: "Parameter apikey is required") }
        // Tautulli v2.17 answers a wrong key with 400 (SERVERS.md, checked against the real server).
        guard key == apiKey else { return envelope([:], status: 400, result: "error", message: "Invalid apikey") }
        switch request.query("cmd") {
        case "get_tautulli_info":
            return envelope(["tautulli_version": "v2.17.2", "version": "v2.17.2"])
        case "get_history":
            let start = request.query("start").flatMap(Int.init) ?? 0
            let length = request.query("length").flatMap(Int.init) ?? 25
            let after = request.query("after").flatMap(Self.day)
            let type = request.query("media_type")
            let wanted = request.query("section_id").map { Set($0.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }) }
            let (all, rowSections) = lock.withLock { (history, sections) }
            let rows =
                all
                .filter { type == nil || $0.mediaType == type }
                .filter { row in wanted.map { w in row.ratingKey.flatMap { rowSections[$0] }.map(w.contains) ?? false } ?? true }
                .filter { row in after.map { (row.date ?? 0) >= $0 } ?? true }
                .sorted { ($0.date ?? 0) > ($1.date ?? 0) }
            let page = Array(rows.dropFirst(start).prefix(length))
            let encoded = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(page))) ?? []
            return envelope(["recordsFiltered": rows.count, "recordsTotal": lock.withLock { history.count }, "draw": 1, "data": encoded])
        case "get_libraries":
            return envelope(
                lock.withLock { libraries }.map {
                    ["section_id": String($0.id), "section_name": $0.name, "section_type": "show", "is_active": 1] as [String: Any]
                })
        case "notify":
            guard let id = request.query("notifier_id").flatMap(Int.init) else {
                return envelope([:], status: 400, result: "error", message: "Missing notifier_id")
            }
            lock.withLock { notifications.append((id, request.query("subject") ?? "", request.query("body") ?? "")) }
            return envelope(["notification_id": lock.withLock { notifications.count }], message: "Notification sent.")
        case "get_metadata":
            guard let key = request.query("rating_key").flatMap(Int.init), let entry = lock.withLock({ metadata[key] }) else {
                return envelope([:])  // Tautulli answers an unknown key with empty data
            }
            var object = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(entry))) as? [String: Any] ?? [:]
            object["rating_key"] = String(key)  // a string in get_metadata
            return envelope(object)
        case nil:
            return envelope([:], status: 400, result: "error", message: "Unknown command: None")
        case let other?:
            return envelope([:], status: 400, result: "error", message: "Unknown command: \(other)")
        }
    }

    /// `YYYY-MM-DD` as Unix seconds (UTC midnight).
    static func day(_ text: String) -> Int64? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        var components = DateComponents()
        components.year = parts[0]; components.month = parts[1]; components.day = parts[2]
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: components).map { Int64($0.timeIntervalSince1970) }
    }
}
