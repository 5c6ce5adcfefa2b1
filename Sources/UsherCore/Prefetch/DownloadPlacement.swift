/// Where each urgent download is among the download clients, and what the report says about it: not
/// found, paused by a person (left paused), or to be moved up in its client, most urgent first.
public struct DownloadPlacement: Sendable {
    /// A download as a client's queue shows it.
    public struct Located: Sendable {
        /// The client's index in the config, and its name.
        public var client: Int
        public var clientName: String
        /// The client's own handle.
        public var ref: String
        public var paused: Bool

        public init(client: Int, clientName: String, ref: String, paused: Bool) {
            self.client = client
            self.clientName = clientName
            self.ref = ref
            self.paused = paused
        }
    }

    public var skipped: [PrefetchItem] = []
    /// Client index → the refs to move up, most urgent first.
    public var urgent: [Int: [String]] = [:]
    /// Ref → the report items it stands for (several viewers or episodes may share one download).
    public var items: [String: [PrefetchItem]] = [:]

    /// - Parameters:
    ///   - located: lowercased download id → where it is (the first client that has it).
    ///   - clientsConfigured: whether any download client is configured.
    ///   - someClientFailed: a client's queue could not be read (a download not found may be there).
    public static func place(
        _ downloading: [SeriesPlan.Downloading], located: [String: Located], clientsConfigured: Bool,
        someClientFailed: Bool
    ) -> DownloadPlacement {
        // Most urgent first, across shows: the episode someone reaches first leads.
        let ordered = downloading.sorted {
            ($0.reachedInMinutes, $0.item.series, $0.item.season, $0.item.episode) < ($1.reachedInMinutes, $1.item.series, $1.item.season, $1.item.episode)
        }
        var placement = DownloadPlacement()
        for entry in ordered {
            guard clientsConfigured else {
                placement.skipped.append(entry.item.with(reason: "downloading; no download client is configured to move it up", download: entry.downloadID))
                continue
            }
            guard let found = located[entry.downloadID.lowercased()] else {
                let reason =
                    someClientFailed ? "downloading; its download client did not answer" : "downloading, but in none of the configured download clients"
                placement.skipped.append(entry.item.with(reason: reason, download: entry.downloadID))
                continue
            }
            var item = entry.item.with(reason: "", download: entry.downloadID)
            item.client = found.clientName
            if found.paused {
                item.reason = "paused in \(found.clientName) by someone; left paused"
                placement.skipped.append(item)
                continue
            }
            if !(placement.urgent[found.client]?.contains(found.ref) ?? false) { placement.urgent[found.client, default: []].append(found.ref) }
            placement.items[found.ref, default: []].append(item)
        }
        return placement
    }

    /// The report item of a download after its client was worked on: prioritized when its priority was raised
    /// or it was moved, else skipped as already in order.
    public static func outcome(_ item: PrefetchItem, raisedTo priority: DownloadPriority?, moved: Bool, clientName: String) -> (
        item: PrefetchItem, prioritized: Bool
    ) {
        var item = item
        var done: [String] = []
        if let priority { done.append("priority set to \(priority.rawValue)") }
        if moved { done.append("moved to the front of \(clientName)") }
        item.reason = done.isEmpty ? "downloading in \(clientName), already in order" : done.joined(separator: ", ")
        return (item, !done.isEmpty)
    }
}
