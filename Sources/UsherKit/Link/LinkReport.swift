import Foundation
import UsherCore

/// The machine-readable result of `usher link --json`.
public struct LinkReport: Codable, Sendable {
    public struct Action: Codable, Sendable {
        public var action: String
        public var target: String
        public var source: String?
        public var oldTarget: String?
        public var oldSource: String?
        public var mapping: String
        public var reason: String
        public var reclaimedBytes: Int64?
    }
    public struct Conflict: Codable, Sendable {
        public var target: String
        public var source: String
        public var mapping: String
        public var kind: String
        public var reason: String
        public var freeableBytes: Int64?
    }
    public struct Problem: Codable, Sendable {
        public var mapping: String
        public var target: String?
        public var reason: String
    }
    public struct Kept: Codable, Sendable {
        public var target: String
        public var reason: String
    }

    public var dryRun: Bool
    public var created: Int
    public var replaced: Int
    public var removed: Int
    public var unchanged: Int
    public var forgotten: Int
    public var reclaimedBytes: Int64
    public var actions: [Action]
    public var conflicts: [Conflict]
    public var errors: [Problem]
    public var kept: [Kept]
    public var repairedFromInterruptedRun: Int
    public var durationSeconds: Double
    /// API mode: what Sonarr, Radarr and Plex were told (in a dry run: would be told).
    public var services: Services?

    public struct Services: Codable, Sendable {
        public var rescans: [String]
        public var registered: Int?
        public var notRegistered: [String]
        public var unmonitored: Int
        public var tagged: [String]
        public var untagged: [String]
        public var plexScans: [String]
        /// Steps that failed after the disk changed (the run exits 1); rescans and Plex scans among them are asked again next run.
        public var errors: [String]
        public var warnings: [String]
        /// Steps remembered for the next run, and earlier ones taken this run.
        public var retryNextRun: [String]
        public var retried: [String]
        public var requests: Int
    }
    /// `full`: Sonarr and Radarr asked for everything (API mode), or every library folder read (filesystem mode);
    /// `incremental`: only what changed since the last run; `settled`: nothing that decides the links changed since
    /// the last clean run, so no mapping was resolved (`SettledRun`).
    public var pass: String?
    /// Why a pass was full.
    public var passReason: String?
    /// `usher link` with `plex.watch_sync` on: the watch sync that ran after the links (`usher watch-sync`'s report).
    public var watchSync: WatchSyncReport?

    public init(_ outcome: LinkOutcome) {
        let plan = outcome.plan
        dryRun = outcome.dryRun
        created = outcome.created
        replaced = outcome.replaced
        removed = outcome.removed
        unchanged = outcome.unchanged
        forgotten = plan.forgets.count
        reclaimedBytes = plan.reclaimedBytes
        var actions: [Action] = []
        for r in plan.removes {
            actions.append(
                Action(
                    action: "remove", target: r.entry.target, source: r.entry.link.sourcePath, mapping: r.entry.mappingKey,
                    reason: r.reason.rawValue, reclaimedBytes: r.reclaimedBytes))
        }
        for r in plan.replaces {
            actions.append(
                Action(
                    action: "replace", target: r.new.target, source: r.new.source.path,
                    oldTarget: r.old.target == r.new.target ? nil : r.old.target, oldSource: r.old.link.sourcePath,
                    mapping: r.new.mappingLabel, reason: r.reason.rawValue, reclaimedBytes: r.reclaimedBytes))
        }
        for c in plan.creates {
            actions.append(Action(action: "create", target: c.link.target, source: c.link.source.path, mapping: c.link.mappingLabel, reason: c.reason.rawValue))
        }
        for a in plan.adopts {
            actions.append(Action(action: "adopt", target: a.target, source: a.source.path, mapping: a.mappingLabel, reason: LinkPlan.Reason.adopted.rawValue))
        }
        for f in plan.forgets {
            actions.append(
                Action(action: "forget", target: f.entry.target, source: f.entry.link.sourcePath, mapping: f.entry.mappingKey, reason: f.reason.rawValue))
        }
        self.actions = actions
        conflicts = plan.conflicts.map {
            Conflict(
                target: $0.target, source: $0.sourcePath, mapping: $0.mappingLabel, kind: $0.kind.rawValue, reason: $0.message, freeableBytes: $0.freeableBytes)
        }
        errors =
            plan.errors.map { Problem(mapping: $0.label, target: nil, reason: $0.message) }
            + outcome.failures.map { Problem(mapping: $0.mappingLabel, target: $0.target, reason: $0.message) }
        kept = plan.kept.map { Kept(target: $0.entry.target, reason: $0.reason) }
        repairedFromInterruptedRun = plan.repairs.count + plan.temporaryCleanups.count
        durationSeconds = (outcome.duration.secondsDouble * 1000).rounded() / 1000
        if let done = outcome.services {
            services = Services(
                rescans: done.rescanned, registered: done.registered, notRegistered: done.notRegistered, unmonitored: done.unmonitored,
                tagged: done.tagged, untagged: done.untagged, plexScans: done.plexScans, errors: done.errors, warnings: done.warnings,
                retryNextRun: done.retries.map(Self.describe), retried: done.retried, requests: outcome.requests)
        } else if let planned = outcome.servicePlan {
            services = Services(
                rescans: planned.rescans.map(\.label), registered: nil, notRegistered: [],
                unmonitored: planned.unmonitor.values.reduce(0) { $0 + $1.count }, tagged: [], untagged: [],
                plexScans: planned.plexFolders, errors: [], warnings: [], retryNextRun: planned.carried.map(Self.describe),
                retried: planned.retrying.map(Self.describe), requests: outcome.requests)
        }
        switch outcome.catalogPass {
        case .full(let reason)?:
            pass = "full"
            passReason = reason
        case .incremental?:
            pass = outcome.settled ? "settled" : "incremental"
        case nil:
            break
        }
        for r in plan.removes where r.detail != nil {
            if let index = self.actions.firstIndex(where: { $0.action == "remove" && $0.target == r.entry.target }) {
                self.actions[index].reason += ": " + r.detail!
            }
        }
    }

    static func describe(_ retry: ServiceRetry) -> String {
        let what = retry.kind == .rescan ? "sonarr \(retry.instance): rescan of \(retry.label)" : "Plex: scan of \(retry.label)"
        let since = Date(timeIntervalSince1970: TimeInterval(retry.since)).formatted(.iso8601)
        return "\(what) (failing since \(since), \(retry.attempts) attempt(s): \(retry.reason))"
    }

    public func json() -> String { encodeReport(self) }

    /// The plan for people: one block per change, then a summary line.
    public func text(verbose: Bool = false) -> String {
        var lines: [String] = []
        if dryRun { lines.append("Dry run: nothing is changed. This is what a real run would do:") }
        for a in actions {
            let verb = a.action.padding(toLength: 8, withPad: " ", startingAt: 0)
            var line = "  \(verb) \(a.target)"
            if a.action != "create" { line += "  (\(a.reason))" }
            lines.append(line)
            if let source = a.source, a.action == "create" || a.action == "replace" || a.action == "adopt" {
                lines.append("           <- \(source)")
            }
            if let old = a.oldTarget { lines.append("           was \(old)") }
            if let bytes = a.reclaimedBytes, bytes > 0 { lines.append("           frees \(formatBytes(bytes))") }
        }
        for c in conflicts {
            lines.append("  conflict \(c.target)")
            lines.append("           \(c.reason)")
        }
        for e in errors {
            lines.append("  error    \(e.mapping)")
            lines.append("           \(e.reason)")
        }
        for k in kept where verbose || !errors.isEmpty {
            lines.append("  kept     \(k.target)  (\(k.reason))")
        }
        if let services {
            let verb = dryRun ? "would " : ""
            for s in services.rescans { lines.append("  sonarr   \(verb)rescan \(s)") }
            for n in services.notRegistered { lines.append("  warning  \(n)") }
            if services.unmonitored > 0 { lines.append("  sonarr   \(dryRun ? "would set" : "set") \(services.unmonitored) linked episode(s) unmonitored") }
            for t in services.tagged { lines.append("  tag      \(t)") }
            for t in services.untagged { lines.append("  untag    \(t)") }
            for p in services.plexScans { lines.append("  plex     \(verb)scan \(p)") }
            for r in services.retried { lines.append("  \(dryRun ? "retry   " : "retried ") \(r)") }
            for e in services.errors { lines.append("  error    \(e)") }
            for w in services.warnings { lines.append("  warning  \(w)") }
            if !dryRun { for r in services.retryNextRun { lines.append("  pending  \(r)") } }
            if verbose, let pass {
                let why = passReason.map { " (\($0))" } ?? ""
                let asked =
                    switch pass {
                    case "full": "sonarr and radarr for everything"
                    case "settled": "sonarr and radarr what changed: nothing the links rest on (the mapping file was not parsed)"
                    default: "sonarr and radarr what changed"
                    }
                lines.append("  asked    \(asked)\(why), \(services.requests) request(s)")
            }
        }
        if verbose, services == nil, let pass {
            let line =
                switch pass {
                case "full": "  scanned  the library folders (\(passReason ?? ""))"
                case "settled": "  checked  that nothing changed since the last clean run (the mapping file was not parsed)"
                default: "  took     the folders of the last scan (none of those it read has changed)"
                }
            lines.append(line)
        }
        if repairedFromInterruptedRun > 0 {
            lines.append("  settled  \(repairedFromInterruptedRun) change(s) left by an interrupted run")
        }
        var summary = "\(created) created, \(replaced) replaced, \(removed) removed, \(unchanged) unchanged"
        if forgotten > 0 { summary += ", \(forgotten) forgotten" }
        summary += ", \(conflicts.count) conflict\(conflicts.count == 1 ? "" : "s"), \(errors.count) error\(errors.count == 1 ? "" : "s")"
        if let failed = services?.errors.count, failed > 0 { summary += ", \(failed) service step\(failed == 1 ? "" : "s") failed" }
        if reclaimedBytes > 0 { summary += "; \(dryRun ? "would free" : "freed") \(formatBytes(reclaimedBytes))" }
        if actions.isEmpty, conflicts.isEmpty, errors.isEmpty { lines.append("Nothing to do.") }
        lines.append((dryRun ? "Would do: " : "Done: ") + summary + ".")
        return lines.joined(separator: "\n")
    }
}
