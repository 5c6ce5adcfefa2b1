import Foundation
public import UsherCore

/// What `usher prefetch` did (or, in a dry run, would do).
public struct PrefetchReport: Codable, Sendable {
    public struct Unmatched: Codable, Sendable, Hashable {
        public var show: String
        public var tvdbId: Int?
        public var reason: String
        /// First seen in this run (the warning is given once).
        public var new: Bool
    }

    public var dryRun: Bool
    public var searched: [PrefetchItem]
    public var prioritized: [PrefetchItem]
    public var skipped: [PrefetchItem]
    public var unmatched: [Unmatched]
    public var warnings: [String]
    public var errors: [String]
    /// Notifiers that were sent this run's news.
    public var notified: [String]
    public var healthChecked: Bool
    public var requests: Int
    /// A run `usher serve` started for playback webhooks plans only these viewers and shows (`nil`: everything).
    public var focus: [String]? = nil

    public var hasErrors: Bool { !errors.isEmpty }

    public func json() -> String { encodeReport(self) }

    /// For people: what was searched and moved, then what was left and why (with `verbose`, or in a
    /// dry run, also what was on disk already).
    public func text(verbose: Bool = false) -> String {
        var lines: [String] = []
        if dryRun { lines.append("Dry run: nothing is searched or moved. This is what a real run would do:") }
        for f in focus ?? [] { lines.append("  only     \(f)") }
        for item in searched { lines.append("  search   \(item.label)  (\(item.reason); \(Self.viewers(item)))") }
        for item in prioritized { lines.append("  move up  \(item.label)  (\(item.reason); \(Self.viewers(item)))") }
        for item in skipped where verbose || dryRun || item.reason != "on disk" {
            lines.append("  skip     \(item.label)  (\(item.reason))")
        }
        for u in unmatched where u.new || verbose { lines.append("  unmatched \(u.show): \(u.reason)") }
        for w in warnings { lines.append("  warning  \(w)") }
        for e in errors { lines.append("  error    \(e)") }
        let onDisk = skipped.filter { $0.reason == "on disk" }.count
        var summary =
            "\(searched.count) \(dryRun ? "to search" : "searched"), \(prioritized.count) \(dryRun ? "to move up" : "moved up"), \(skipped.count - onDisk) waiting, \(onDisk) on disk"
        if !errors.isEmpty { summary += ", \(errors.count) error\(errors.count == 1 ? "" : "s")" }
        lines.append((dryRun ? "Would do: " : "Done: ") + summary + ".")
        return lines.joined(separator: "\n")
    }

    static func viewers(_ item: PrefetchItem) -> String {
        let who = item.users.joined(separator: ", ")
        return item.reachedInMinutes == 0 ? "next for \(who)" : "\(who) in ~\(item.reachedInMinutes) min"
    }

    /// The news of a run for a notification: what was searched and moved up.
    public func message() -> (subject: String, body: String) {
        var parts: [String] = []
        if !searched.isEmpty { parts.append("searched \(searched.count) episode\(searched.count == 1 ? "" : "s")") }
        if !prioritized.isEmpty { parts.append("moved up \(prioritized.count) download\(prioritized.count == 1 ? "" : "s")") }
        let subject = "Usher prefetch: " + parts.joined(separator: ", ")
        var lines: [String] = []
        for item in searched { lines.append("Searched \(item.label) for \(item.users.joined(separator: ", "))") }
        for item in prioritized { lines.append("Moved up \(item.label) in \(item.client ?? "the download client")") }
        return (subject, lines.joined(separator: "\n"))
    }
}
