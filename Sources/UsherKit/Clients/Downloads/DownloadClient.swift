public import AsyncHTTPClient
public import Logging
public import UsherCore

/// The download clients Usher can reorder.
public enum DownloadClientKind: String, Sendable, CaseIterable {
    case sabnzbd, nzbget, qbittorrent, transmission
}

/// One unfinished download in a client's queue.
public struct DownloadItem: Sendable, Hashable {
    /// The id Sonarr's queue `downloadId` matches (compare case-insensitively): SABnzbd nzo_id; NZBGet the `drone`
    /// parameter value, else the NZBID as a string; qBittorrent/Transmission the info-hash.
    public var downloadID: String
    /// The client's own handle for edits: nzo_id, NZBID as string, hash.
    public var ref: String
    public var name: String
    /// Paused/stopped by a person (SAB status Paused, NZBGet PAUSED, qBittorrent pausedDL/stoppedDL, Transmission
    /// status 0 stopped).
    public var paused: Bool
    /// The client's current priority when it has such a notion (SAB High/Force, NZBGet MaxPriority >= 100 → high,
    /// >= 900 → force), nil otherwise/normal.
    public var priority: DownloadPriority?

    public init(downloadID: String, ref: String, name: String, paused: Bool, priority: DownloadPriority? = nil) {
        self.downloadID = downloadID
        self.ref = ref
        self.name = name
        self.paused = paused
        self.priority = priority
    }
}

/// A download client's queue, as the just-in-time prefetch reorders it.
public protocol DownloadClient: Sendable {
    var kind: DownloadClientKind { get }
    /// For messages: "sabnzbd", etc.
    var name: String { get }
    /// The unfinished downloads, in the client's queue order (what downloads first comes first). Completed/seeding
    /// torrents are left out.
    func queue() async throws(ServiceError) -> [DownloadItem]
    /// Moves one item to the very front of the queue. Never resumes/unpauses anything.
    func moveToTop(_ item: DownloadItem) async throws(ServiceError)
    /// Raises the item's priority (no-op for .top and for torrent clients). Must not un-pause: callers only pass
    /// unpaused items, but implementations must also refuse (no-op) for a paused item, because SABnzbd un-pauses a
    /// job when its priority changes.
    func raisePriority(_ item: DownloadItem, to: DownloadPriority) async throws(ServiceError)
}

public enum DownloadClients {
    /// The client for one configured download client.
    ///
    /// - Parameters:
    ///   - name: For messages ("sabnzbd", "qbittorrent seedbox").
    ///   - url: The client's base URL (`http://host:8080`, `http://host/sabnzbd`; for Transmission also the full
    ///     `…/transmission/rpc`; for NZBGet also `…/jsonrpc`).
    ///   - apiKey: SABnzbd's API key (sent as the `apikey` parameter, redacted in every message).
    ///   - username: NZBGet, qBittorrent and Transmission logins; none for qBittorrent's localhost bypass.
    public static func make(
        kind: DownloadClientKind, name: String, url: String, apiKey: String?, username: String?, password: String?,
        http: HTTPClient, policy: RetryPolicy, logger: Logger, counter: RequestCounter?, gate: RequestGate?
    ) -> any DownloadClient {
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        let login: ServiceEndpoint.BasicAuth? =
            (username?.isEmpty ?? true) && (password?.isEmpty ?? true)
            ? nil : ServiceEndpoint.BasicAuth(username: username ?? "", password: password ?? "")
        func client(_ endpoint: ServiceEndpoint) -> ServiceClient {
            ServiceClient(endpoint: endpoint, http: http, policy: policy, logger: logger, counter: counter, gate: gate)
        }
        switch kind {
        case .sabnzbd:
            return SABnzbdClient(
                client: client(
                    ServiceEndpoint(
                        name: name, baseURL: base, credentialHeader: "", credential: apiKey ?? "", credentialQueryName: "apikey")))
        case .nzbget:
            return NZBGetClient(client: client(ServiceEndpoint(name: name, baseURL: base, credentialHeader: "", credential: "", basicAuth: login)))
        case .qbittorrent:
            return QBittorrentClient(
                client: client(
                    ServiceEndpoint(
                        name: name, baseURL: base, credentialHeader: "", credential: "",
                        otherSecrets: [password].compactMap { $0 })),
                login: login)
        case .transmission:
            return TransmissionClient(client: client(ServiceEndpoint(name: name, baseURL: base, credentialHeader: "", credential: "", basicAuth: login)))
        }
    }
}
