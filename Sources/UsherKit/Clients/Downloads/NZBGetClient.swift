import Foundation
import Logging
public import UsherCore

/// NZBGet's queue through JSON-RPC (`POST /jsonrpc`, HTTP Basic auth, positional parameters only).
public struct NZBGetClient: DownloadClient {
    public var kind: DownloadClientKind { .nzbget }
    public var name: String { client.endpoint.name }
    let client: ServiceClient
    /// `/jsonrpc`, or nothing when the configured URL already ends with it.
    let path: String

    init(client: ServiceClient) {
        self.client = client
        path = client.endpoint.baseURL.hasSuffix("/jsonrpc") ? "" : "/jsonrpc"
    }

    /// Group states of the download phase; the others (PP_QUEUED, UNPACKING, PP_FINISHED, …) are post-processing.
    static let downloading: Set<String> = ["QUEUED", "PAUSED", "DOWNLOADING", "FETCHING"]

    struct Group: Decodable {
        struct Parameter: Decodable {
            var name: String
            var value: String
            enum CodingKeys: String, CodingKey { case name = "Name", value = "Value" }
        }
        var id: Int
        var name: String?
        var status: String
        var maxPriority: Int?
        var parameters: [Parameter]?
        enum CodingKeys: String, CodingKey {
            case id = "NZBID", name = "NZBName", status = "Status", maxPriority = "MaxPriority", parameters = "Parameters"
        }

        var item: DownloadItem {
            // Sonarr adds its NZBs with the post-processing parameter drone=<32 hex> and knows them by it.
            let drone = parameters?.first { $0.name.lowercased() == "drone" && !$0.value.isEmpty }?.value
            let priority: DownloadPriority? =
                switch maxPriority ?? 0 {
                case 900...: .force
                case 100...: .high
                default: nil
                }
            return DownloadItem(
                downloadID: drone ?? String(id), ref: String(id), name: name ?? String(id),
                paused: status == "PAUSED", priority: priority)
        }
    }

    struct Envelope<Result: Decodable>: Decodable {
        struct Failure: Decodable {
            var name: String?
            var message: String?
        }
        var result: Result?
        var error: Failure?
    }

    /// One JSON-RPC call; an `error` member in the answer throws.
    func rpc<Result: Decodable>(_ method: String, _ params: [Any], as type: Result.Type) async throws(ServiceError) -> Result {
        let request: [String: Any] = ["jsonrpc": "2.0", "method": method, "params": params, "id": 1]
        let body = (try? JSONSerialization.data(withJSONObject: request)) ?? Data()
        let response = try await client.send(ServiceRequest("POST", path, body: .json(body)))
        let envelope = try client.decode(Envelope<Result>.self, from: response, "POST", path)
        if let error = envelope.error {
            throw client.failure(
                .rejected, "POST", path, status: response.status,
                "NZBGet refused \(method): \(error.message ?? error.name ?? "error")", excerpt: response.body)
        }
        guard let result = envelope.result else {
            throw client.failure(.badResponse, "POST", path, status: response.status, "NZBGet's answer to \(method) has no result", excerpt: response.body)
        }
        return result
    }

    public func queue() async throws(ServiceError) -> [DownloadItem] {
        let groups = try await rpc("listgroups", [0], as: [Group].self).filter { Self.downloading.contains($0.status) }
        // NZBGet downloads the highest priority first, then in queue order (a stable sort keeps that order).
        return groups.enumerated()
            .sorted { ($0.element.maxPriority ?? 0, -$0.offset) > ($1.element.maxPriority ?? 0, -$1.offset) }
            .map(\.element.item)
    }

    private func edit(_ command: String, _ param: String, _ item: DownloadItem) async throws(ServiceError) {
        guard let id = Int(item.ref) else {
            throw client.failure(.notFound, "POST", path, "'\(item.ref)' is not an NZBGet NZBID")
        }
        // The three-argument form of NZBGet 18 and later: (command, param, ids).
        guard try await rpc("editqueue", [command, param, [id]], as: Bool.self) else {
            throw client.failure(.notFound, "POST", path, "NZBGet did not apply \(command) to NZBID \(id) ('\(item.name)'): it is no longer in the queue")
        }
    }

    public func moveToTop(_ item: DownloadItem) async throws(ServiceError) {
        try await edit("GroupMoveTop", "", item)
    }

    public func raisePriority(_ item: DownloadItem, to priority: DownloadPriority) async throws(ServiceError) {
        guard priority != .top, !item.paused, DownloadPriority.rank(item.priority) < DownloadPriority.rank(priority) else { return }
        try await edit("GroupSetPriority", priority == .force ? "900" : "100", item)
    }
}
