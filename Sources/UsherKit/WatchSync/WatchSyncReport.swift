import Foundation
public import UsherCore

/// What `usher watch-sync` did (or, in a dry run, would do).
public struct WatchSyncReport: Codable, Sendable {
    /// One item marked (or to be marked) watched or unwatched for one user.
    public struct Mark: Codable, Sendable, Hashable {
        public var user: String
        /// The link's path in the show's folder: the pair.
        public var pair: String
        /// `movie` or `episode`: which of the two was marked.
        public var item: String
        public var watched: Bool
        public var reason: String
    }

    public var dryRun: Bool
    /// Links Usher made (each a movie and a special in Plex).
    public var pairs: Int
    /// Links whose two items Plex holds.
    public var found: Int
    /// Links with an item Plex has not scanned yet (or that no Plex library holds): looked for again next run.
    public var waiting: [String]
    /// Whose watched state was compared.
    public var users: [String]
    public var marked: [Mark]
    /// Pairs left as they are for a person to settle.
    public var conflicts: [String]
    public var warnings: [String]
    public var errors: [String]
    public var requests: Int

    public var hasErrors: Bool { !errors.isEmpty }

    public func json() -> String { encodeReport(self) }

    public func text(verbose: Bool = false) -> String {
        var lines: [String] = []
        if dryRun { lines.append("Dry run: nothing is marked. This is what a real run would do:") }
        for m in marked {
            lines.append("  \(m.watched ? "watched  " : "unwatched") \(m.user): the \(m.item) of \(m.pair)  (\(m.reason))")
        }
        for c in conflicts { lines.append("  conflict \(c)") }
        if verbose { for w in waiting { lines.append("  waiting  \(w): Plex has not scanned it yet (looked for again next run)") } }
        for w in warnings { lines.append("  warning  \(w)") }
        for e in errors { lines.append("  error    \(e)") }
        var summary = "\(marked.count) \(dryRun ? "to mark" : "marked") for \(users.count) user\(users.count == 1 ? "" : "s")"
        summary += ", \(found) of \(pairs) linked pair\(pairs == 1 ? "" : "s") found in Plex"
        if !waiting.isEmpty { summary += ", \(waiting.count) waiting for a Plex scan" }
        if !conflicts.isEmpty { summary += ", \(conflicts.count) conflict\(conflicts.count == 1 ? "" : "s")" }
        if !errors.isEmpty { summary += ", \(errors.count) error\(errors.count == 1 ? "" : "s")" }
        lines.append((dryRun ? "Would do: " : "Done: ") + summary + ".")
        return lines.joined(separator: "\n")
    }
}
