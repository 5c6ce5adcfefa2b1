import Foundation
import Logging
public import UsherCore

/// Transmission's queue through its RPC (`POST /transmission/rpc`, HTTP Basic auth). The first call of a session
/// answers 409 with an `X-Transmission-Session-Id` header; the call is sent again once with it, and the id is kept.
public final class TransmissionClient: DownloadClient, @unchecked Sendable {
    public var kind: DownloadClientKind { .transmission }
    public var name: String { client.endpoint.name }
    let client: ServiceClient
    /// `/transmission/rpc`, or nothing when the configured URL already ends with it.
    let path: String
    private let lock = NSLock()
    private var sessionID: String?

    static let sessionHeader = "X-Transmission-Session-Id"

    init(client: ServiceClient) {
        self.client = client
        path = client.endpoint.baseURL.hasSuffix("/transmission/rpc") ? "" : "/transmission/rpc"
    }

    struct Answer<Arguments: Decodable>: Decodable {
        var result: String
        var arguments: Arguments?
    }

    struct Torrent: Decodable {
        var id: Int?
        var hashString: String
        var name: String?
        /// 0 stopped, 1 queued to verify, 2 verifying, 3 queued to download, 4 downloading, 5 queued to seed, 6 seeding.
        var status: Int?
        /// 0-based.
        var queuePosition: Int?
        var percentDone: Double?

        var item: DownloadItem {
            DownloadItem(downloadID: hashString, ref: hashString, name: name ?? hashString, paused: status == 0)
        }
    }

    struct TorrentList: Decodable { var torrents: [Torrent] }
    struct Nothing: Decodable {}

    /// One RPC call; a `result` other than `success` throws.
    func rpc<Arguments: Decodable>(_ method: String, _ arguments: [String: Any], as type: Arguments.Type) async throws(ServiceError) -> Arguments? {
        let body = (try? JSONSerialization.data(withJSONObject: ["method": method, "arguments": arguments])) ?? Data()
        func send(passing: Set<Int>) async throws(ServiceError) -> ServiceClient.Response {
            let session = lock.withLock { sessionID }
            return try await client.send(
                ServiceRequest(
                    "POST", path, headers: session.map { [(Self.sessionHeader, $0)] } ?? [], body: .json(body), passThrough: passing))
        }
        var response = try await send(passing: [409])
        if response.status == 409 {
            guard let session = response.header(Self.sessionHeader), !session.isEmpty else {
                throw client.failure(
                    .rejected, "POST", path, status: 409, "Transmission answered 409 without an \(Self.sessionHeader) header",
                    excerpt: response.body)
            }
            lock.withLock { sessionID = session }
            response = try await send(passing: [])
        }
        let answer = try client.decode(Answer<Arguments>.self, from: response, "POST", path)
        guard answer.result == "success" else {
            throw client.failure(
                .rejected, "POST", path, status: response.status, "Transmission refused \(method): \(answer.result)",
                excerpt: response.body)
        }
        return answer.arguments
    }

    public func queue() async throws(ServiceError) -> [DownloadItem] {
        let fields = ["id", "hashString", "name", "status", "queuePosition", "percentDone", "error"]
        let torrents = try await rpc("torrent-get", ["fields": fields], as: TorrentList.self)?.torrents ?? []
        return
            torrents
            .filter { ($0.percentDone ?? 0) < 1 }
            .enumerated()
            .sorted { ($0.element.queuePosition ?? Int.max, $0.offset) < ($1.element.queuePosition ?? Int.max, $1.offset) }
            .map(\.element.item)
    }

    public func moveToTop(_ item: DownloadItem) async throws(ServiceError) {
        _ = try await rpc("queue-move-top", ["ids": [item.ref]], as: Nothing.self)
    }

    /// Torrents have no priority beyond the queue position: nothing to do.
    public func raisePriority(_ item: DownloadItem, to priority: DownloadPriority) async throws(ServiceError) {}
}
