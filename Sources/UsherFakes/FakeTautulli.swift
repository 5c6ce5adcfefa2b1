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

    public var url: String { server.baseURL }
    public var requests: [FakeRequest] { server.requests }

    public static func start(apiKey: String = "tautulli-test-key") async throws -> FakeTautulli {
        let fake = FakeTautulli(apiKey: apiKey)
        fake.server = try await FakeHTTPServer.start { [unowned fake] in fake.handle($0) }
        return fake
    }

    init(apiKey: String) { self.apiKey = apiKey }

    public func stop() async { await server.stop() }

    public func add(_ rows: [TautulliHistoryRow]) { lock.withLock { history += rows } }
    public func setMetadata(_ entry: TautulliMetadata, for ratingKey: Int) { lock.withLock { metadata[ratingKey] = entry } }

    private func envelope(_ data: Any, status: Int = 200, result: String = "success", message: String? = nil) -> FakeResponse {
        let body: [String: Any] = ["response": ["result": result, "message": message as Any? ?? NSNull(), "data": data]]
        return FakeResponse(status: status, body: (try? JSONSerialization.data(withJSONObject: body)) ?? Data())
    }

    private func handle(_ request: FakeRequest) -> FakeResponse {
        guard request.path == "/api/v2" else { return FakeResponse(status: 404, contentType: "text/html") }
        guard let key = request.query("apikey") else { return envelope([:], status: 401, result: "error", message: "Parameter apikey is required") }
        guard key == apiKey else { return envelope([:], status: 401, result: "error", message: "Invalid apikey") }
        switch request.query("cmd") {
        case "get_tautulli_info":
            return envelope(["tautulli_version": "v2.17.2", "version": "v2.17.2"])
        case "get_history":
            let start = request.query("start").flatMap(Int.init) ?? 0
            let length = request.query("length").flatMap(Int.init) ?? 25
            let after = request.query("after").flatMap(Self.day)
            let type = request.query("media_type")
            let rows = lock.withLock { history }
                .filter { type == nil || $0.mediaType == type }
                .filter { row in after.map { (row.date ?? 0) >= $0 } ?? true }
                .sorted { ($0.date ?? 0) > ($1.date ?? 0) }
            let page = Array(rows.dropFirst(start).prefix(length))
            let encoded = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(page))) ?? []
            return envelope(["recordsFiltered": rows.count, "recordsTotal": lock.withLock { history.count }, "draw": 1, "data": encoded])
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
