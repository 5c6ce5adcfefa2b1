import Foundation
public import UsherCore

/// The result of `usher stats`.
public struct StatsReport: Codable, Sendable {
    public struct Show: Codable, Sendable {
        public var show: String
        public var links: Int
        public var bytesSaved: Int64
    }
    public struct Run: Codable, Sendable {
        public var startedAt: String
        public var durationSeconds: Double
        public var created: Int
        public var replaced: Int
        public var removed: Int
        public var unchanged: Int
        public var conflicts: Int
        public var errors: Int
        public var reclaimedBytes: Int64
    }

    public var links: Int
    public var hardlinks: Int
    public var symlinks: Int
    public var bytesSaved: Int64
    public var pending: Int
    public var shows: [Show]
    public var runs: [Run]

    public init(entries: [LedgerEntry], runs: [RunRecord]) {
        let stats = LinkStatistics(entries: entries)
        links = stats.links
        hardlinks = stats.hardlinks
        symlinks = stats.symlinks
        bytesSaved = stats.bytesSaved
        pending = stats.pending
        shows = stats.shows.map { Show(show: $0.show, links: $0.links, bytesSaved: $0.bytesSaved) }
        let formatter = ISO8601DateFormatter()
        self.runs = runs.map {
            Run(
                startedAt: formatter.string(from: $0.startedAt), durationSeconds: Double($0.durationMilliseconds) / 1000,
                created: $0.created, replaced: $0.replaced, removed: $0.removed, unchanged: $0.unchanged,
                conflicts: $0.conflicts, errors: $0.errors, reclaimedBytes: $0.reclaimedBytes)
        }
    }

    public func json() -> String { encodeReport(self) }

    public func text() -> String {
        var lines = [
            "\(links) link\(links == 1 ? "" : "s") (\(hardlinks) hardlink\(hardlinks == 1 ? "" : "s"), \(symlinks) symlink\(symlinks == 1 ? "" : "s")), saving \(formatBytes(bytesSaved))."
        ]
        if pending > 0 { lines.append("\(pending) change(s) from an interrupted run wait for the next run.") }
        if !shows.isEmpty {
            lines.append("")
            lines.append("By show:")
            for s in shows { lines.append("  \(s.show): \(s.links) link\(s.links == 1 ? "" : "s"), \(formatBytes(s.bytesSaved))") }
        }
        if !runs.isEmpty {
            lines.append("")
            lines.append("Recent runs:")
            for r in runs {
                lines.append(
                    "  \(r.startedAt)  \(String(format: "%.2f", r.durationSeconds)) s  +\(r.created) ~\(r.replaced) -\(r.removed) =\(r.unchanged)\(r.conflicts > 0 ? "  \(r.conflicts) conflicts" : "")\(r.errors > 0 ? "  \(r.errors) errors" : "")"
                )
            }
        }
        return lines.joined(separator: "\n")
    }
}
