/// Counts over the ledger: how many links, and how much space they save.
public struct LinkStatistics: Sendable, Hashable {
    public struct Show: Sendable, Hashable {
        public var show: String
        public var links: Int
        public var bytesSaved: Int64
    }

    public var links: Int
    public var hardlinks: Int
    public var symlinks: Int
    /// The size of every distinct file the links point at, each counted once (two links to one
    /// inode save one copy's worth, not two).
    public var bytesSaved: Int64
    public var shows: [Show]
    /// Rows left by an interrupted run, settled by the next one.
    public var pending: Int

    public init(entries: [LedgerEntry]) {
        func key(_ entry: LedgerEntry) -> String {
            switch entry.link.identity {
            case let .hardlink(device, inode): "i:\(device):\(inode)"
            case .symlink: "p:\(entry.link.sourcePath)"
            }
        }
        func saved(_ entries: [LedgerEntry]) -> Int64 {
            var seen = Set<String>()
            return entries.reduce(0) { total, entry in seen.insert(key(entry)).inserted ? total + entry.link.size : total }
        }
        let active = entries.filter { $0.pending == nil }
        links = active.count
        hardlinks = active.filter { $0.link.identity.kind == .hardlink }.count
        symlinks = active.count - hardlinks
        bytesSaved = saved(active)
        pending = entries.count - active.count
        shows = Dictionary(grouping: active, by: \.show)
            .map { Show(show: $0.key, links: $0.value.count, bytesSaved: saved($0.value)) }
            .sorted { $0.bytesSaved != $1.bytesSaved ? $0.bytesSaved > $1.bytesSaved : $0.show < $1.show }
    }
}

/// `1.5 GB`: decimal units, as file managers show sizes.
public func formatBytes(_ bytes: Int64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB"]
    var value = Double(bytes)
    var unit = 0
    while abs(value) >= 1000, unit < units.count - 1 {
        value /= 1000
        unit += 1
    }
    if unit == 0 { return "\(bytes) B" }
    let rounded = (value * 10).rounded() / 10
    return "\(rounded) \(units[unit])"
}
