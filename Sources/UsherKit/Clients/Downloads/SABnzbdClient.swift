import Foundation
import Logging
public import UsherCore

/// SABnzbd's queue through `GET /api?mode=…&output=json&apikey=KEY` (the key only as a parameter, redacted in
/// every message).
///
/// SABnzbd un-pauses a job whose priority changes, and a job moved in front of a Force job becomes Force, which
/// downloads even when paused; so a priority is only changed after the job was read again and found unpaused,
/// and a paused job is never moved in front of a Force job.
public struct SABnzbdClient: DownloadClient {
    public var kind: DownloadClientKind { .sabnzbd }
    public var name: String { client.endpoint.name }
    let client: ServiceClient

    init(client: ServiceClient) { self.client = client }

    struct QueueAnswer: Decodable {
        struct Queue: Decodable {
            var paused: Bool?
            var slots: [Slot]?
        }
        var queue: Queue
    }

    struct Slot: Decodable {
        var nzoID: String
        var filename: String?
        var status: String?
        var priority: DownloadPriority?
        var paused: Bool { status?.caseInsensitiveCompare("Paused") == .orderedSame }

        enum CodingKeys: String, CodingKey { case nzoID = "nzo_id", filename, status, priority }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            nzoID = try container.decode(String.self, forKey: .nzoID)
            filename = try container.decodeIfPresent(String.self, forKey: .filename)
            status = try container.decodeIfPresent(String.self, forKey: .status)
            // A name ("Force", "High", "Normal", "Low") since SABnzbd 1.x; a number in older answers.
            let text =
                (try? container.decodeIfPresent(String.self, forKey: .priority))
                ?? (try? container.decodeIfPresent(Int.self, forKey: .priority)).map { String($0) }
            switch text?.lowercased() {
            case "force", "2": priority = .force
            case "high", "1": priority = .high
            default: priority = nil
            }
        }

        var item: DownloadItem {
            DownloadItem(downloadID: nzoID, ref: nzoID, name: filename ?? nzoID, paused: paused, priority: priority)
        }
    }

    /// One API call; SABnzbd refuses with a 200 answer `{"status": false, "error": …}`, which throws here.
    private func call(_ query: [(String, String)]) async throws(ServiceError) -> ServiceClient.Response {
        let query = query + [("output", "json")]
        let response = try await client.send("GET", "/api", query: query)
        if let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
            object["status"] as? Bool == false
        {
            let reason = object["error"] as? String ?? "refused"
            throw client.failure(.rejected, "GET", "/api", query: query, status: response.status, "SABnzbd refused the request: \(reason)")
        }
        return response
    }

    private func slots(_ query: [(String, String)]) async throws(ServiceError) -> QueueAnswer.Queue {
        let query = [("mode", "queue")] + query
        let response = try await call(query)
        return try client.decode(QueueAnswer.self, from: response, "GET", "/api", query: query + [("output", "json")]).queue
    }

    public func queue() async throws(ServiceError) -> [DownloadItem] {
        // SABnzbd lists its queue in download order: by priority (Force, High, Normal, Low), then position.
        (try await slots([]).slots ?? []).map(\.item)
    }

    public func moveToTop(_ item: DownloadItem) async throws(ServiceError) {
        let head = try await slots([("start", "0"), ("limit", "1")])
        guard let first = head.slots?.first else {
            throw client.failure(
                .notFound, "GET", "/api", query: [("mode", "queue"), ("start", "0"), ("limit", "1"), ("output", "json")],
                "SABnzbd's queue is empty: no job \(item.ref) ('\(item.name)')")
        }
        guard first.nzoID != item.ref else { return }  // already first
        if first.priority == .force, item.paused || head.paused == true {
            // The moved job would become Force, and Force jobs download even when paused.
            throw client.failure(
                .rejected, "GET", "/api", query: [("mode", "switch"), ("value", item.ref), ("value2", "0")],
                "not moved: '\(item.name)' would take the Force priority of the job in front and start downloading although paused")
        }
        let query = [("mode", "switch"), ("value", item.ref), ("value2", "0")]
        let response = try await call(query)
        struct Answer: Decodable {
            struct Result: Decodable { var position: Int }
            var result: Result
        }
        let answer = try client.decode(Answer.self, from: response, "GET", "/api", query: query + [("output", "json")])
        guard answer.result.position >= 0 else {
            throw client.failure(
                .notFound, "GET", "/api", query: query + [("output", "json")], status: response.status,
                "SABnzbd has no job \(item.ref) ('\(item.name)') in its queue", excerpt: response.body)
        }
        client.logger.debug("moved to the front", metadata: ["service": "\(name)", "job": "\(item.ref)", "position": "\(answer.result.position)"])
    }

    public func raisePriority(_ item: DownloadItem, to priority: DownloadPriority) async throws(ServiceError) {
        guard priority != .top, !item.paused else { return }
        // Read the job again right before: a job paused since the queue was read must stay paused, and SABnzbd
        // un-pauses a job whose priority changes.
        guard let current = try await slots([("nzo_ids", item.ref)]).slots?.first(where: { $0.nzoID == item.ref }) else {
            throw client.failure(
                .notFound, "GET", "/api", query: [("mode", "queue"), ("nzo_ids", item.ref), ("output", "json")],
                "SABnzbd has no job \(item.ref) ('\(item.name)') in its queue")
        }
        guard !current.paused else {
            client.logger.debug("priority left alone: the job is paused", metadata: ["service": "\(name)", "job": "\(item.ref)"])
            return
        }
        guard DownloadPriority.rank(current.priority) < DownloadPriority.rank(priority) else { return }
        let query = [("mode", "queue"), ("name", "priority"), ("value", item.ref), ("value2", priority == .force ? "2" : "1")]
        let response = try await call(query)
        struct Answer: Decodable { var position: Int }
        let answer = try client.decode(Answer.self, from: response, "GET", "/api", query: query + [("output", "json")])
        guard answer.position >= 0 else {
            throw client.failure(
                .notFound, "GET", "/api", query: query + [("output", "json")], status: response.status,
                "SABnzbd has no job \(item.ref) ('\(item.name)') in its queue", excerpt: response.body)
        }
    }
}
