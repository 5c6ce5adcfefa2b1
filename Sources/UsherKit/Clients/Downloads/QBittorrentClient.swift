import Foundation
import Logging
public import UsherCore

/// qBittorrent's queue through its Web API v2: a form login that sets cookies (all of them are sent back), the
/// torrent list, and `topPrio`.
///
/// qBittorrent applies a new queue order a moment after `topPrio` answers (0.5–1.6 s on 4.5.2), so a queue read
/// right after a move may still show the old order.
public final class QBittorrentClient: DownloadClient, @unchecked Sendable {
    public var kind: DownloadClientKind { .qbittorrent }
    public var name: String { client.endpoint.name }
    let client: ServiceClient
    /// None: qBittorrent is set to let this address in without a login.
    let login: ServiceEndpoint.BasicAuth?
    private let lock = NSLock()
    /// The session cookies, in the order they were set.
    private var cookies: [(name: String, value: String)] = []

    init(client: ServiceClient, login: ServiceEndpoint.BasicAuth?) {
        self.client = client
        self.login = login
    }

    struct Torrent: Decodable {
        var hash: String
        var name: String?
        var state: String?
        var progress: Double?
        /// The 1-based queue position; 0 when the torrent is not queued (finished, forced, queueing off).
        var priority: Int?

        var item: DownloadItem {
            // pausedDL (4.x) and stoppedDL (5.x): stopped by a person.
            let paused = state.map { $0.hasPrefix("paused") || $0.hasPrefix("stopped") } ?? false
            return DownloadItem(downloadID: hash, ref: hash, name: name ?? hash, paused: paused)
        }
    }

    /// The `Cookie` header of the session, none before a login.
    var cookieHeader: String? {
        lock.withLock { cookies.isEmpty ? nil : cookies.map { "\($0.name)=\($0.value)" }.joined(separator: "; ") }
    }

    /// Keeps every cookie an answer sets (qBittorrent's `SID`, and whatever a proxy in front adds).
    private func keepCookies(_ response: ServiceClient.Response) {
        let set = response.headerValues("Set-Cookie")
        guard !set.isEmpty else { return }
        lock.withLock {
            for line in set {
                let parts = line.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                guard let pair = parts.first, let equals = pair.firstIndex(of: "=") else { continue }
                let name = String(pair[..<equals])
                let value = String(pair[pair.index(after: equals)...])
                let expired = value.isEmpty || parts.dropFirst().contains { $0.lowercased() == "max-age=0" }
                cookies.removeAll { $0.name == name }
                if !expired { cookies.append((name, value)) }
            }
        }
    }

    /// Logs in; `Ok.` sets the session cookie, `Fails.` (with HTTP 200) is a wrong username or password.
    func logIn() async throws(ServiceError) {
        guard let login else { return }
        let request = ServiceRequest(
            "POST", "/api/v2/auth/login", headers: [("Referer", client.endpoint.baseURL)],
            body: .form([("username", login.username), ("password", login.password)]), accept: "text/plain, */*")
        let response: ServiceClient.Response
        do {
            response = try await client.send(request)
        } catch let error where error.kind == .unauthorized {
            var error = error
            error.message =
                "qBittorrent refused the login; after several failed logins it bans the address for a while "
                + "(Options → Web UI → ban after failures), and a reverse proxy must pass the Referer header"
            throw error
        }
        let answer = String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if answer == "Fails." {
            throw client.failure(
                .unauthorized, "POST", "/api/v2/auth/login", status: response.status,
                "qBittorrent refused the username or password; check them in the config", excerpt: response.body)
        }
        guard answer == "Ok." else {
            throw client.failure(
                .badResponse, "POST", "/api/v2/auth/login", status: response.status,
                "qBittorrent's login answered neither 'Ok.' nor 'Fails.'", excerpt: response.body)
        }
        keepCookies(response)
    }

    /// Sends a request with the session cookies, logging in first when there is no session yet, and once more
    /// when the session has expired (403).
    func call(_ request: ServiceRequest) async throws(ServiceError) -> ServiceClient.Response {
        if login != nil, cookieHeader == nil { try await logIn() }
        func attempt(handling403: Bool) async throws(ServiceError) -> ServiceClient.Response {
            var request = request
            if let cookie = cookieHeader { request.headers.append(("Cookie", cookie)) }
            if handling403 { request.passThrough.insert(403) }
            let response = try await client.send(request)
            keepCookies(response)
            return response
        }
        let response = try await attempt(handling403: true)
        guard response.status == 403 else { return response }
        guard login != nil else {
            throw client.failure(
                .unauthorized, request.method, request.path, query: request.query, status: 403,
                "qBittorrent wants a login: set username and password in the config, or let this address in "
                    + "without one (Options → Web UI → bypass authentication)", excerpt: response.body)
        }
        client.logger.debug("session expired; logging in again", metadata: ["service": "\(name)"])
        lock.withLock { cookies.removeAll() }
        try await logIn()
        return try await attempt(handling403: false)
    }

    public func queue() async throws(ServiceError) -> [DownloadItem] {
        let response = try await call(ServiceRequest("GET", "/api/v2/torrents/info"))
        let torrents = try client.decode([Torrent].self, from: response, "GET", "/api/v2/torrents/info")
            .filter { ($0.progress ?? 0) < 1 }
        // Queued torrents in queue order first, then the unqueued (forced, or queueing off) in the list's order.
        let queued = torrents.filter { ($0.priority ?? 0) > 0 }.sorted { ($0.priority ?? 0) < ($1.priority ?? 0) }
        let unqueued = torrents.filter { ($0.priority ?? 0) <= 0 }
        return (queued + unqueued).map(\.item)
    }

    public func moveToTop(_ item: DownloadItem) async throws(ServiceError) {
        let response = try await call(
            ServiceRequest(
                "POST", "/api/v2/torrents/topPrio", body: .form([("hashes", item.ref)]), accept: "text/plain, */*", passThrough: [409]))
        if response.status == 409 {
            throw client.failure(
                .rejected, "POST", "/api/v2/torrents/topPrio", status: 409,
                "torrent queueing is disabled in qBittorrent, so it has no queue to reorder; enable it "
                    + "(Options → BitTorrent → Torrent Queueing) for Usher to move downloads to the front",
                excerpt: response.body)
        }
    }

    /// Torrents have no priority beyond the queue position: nothing to do.
    public func raisePriority(_ item: DownloadItem, to priority: DownloadPriority) async throws(ServiceError) {}
}
