import ArgumentParser
import Foundation
import UsherCore
import UsherKit

struct LinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "Create, replace and prune the links the mapping file asks for.",
        discussion: "Prints the plan (create, replace, remove, conflicts, errors) and applies it unless --dry-run.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print what would be done and change nothing.")
    var dryRun = false

    @Flag(help: "Machine-readable output on standard output.")
    var json = false

    @Flag(help: "Take over targets that already are links to the right source but were not made by Usher.")
    var adopt = false

    @Flag(help: "Let this run remove more than half of the links (at least 10); without it such a run changes nothing.")
    var confirmRemovals = false

    @Flag(
        help: "Ask Sonarr and Radarr for everything (API mode), or read every library folder, not only what changed since the last run (see link.full_every).")
    var full = false

    func run() async throws {
        let config = try global.loadConfig()
        let logger = global.makeLogger()
        let progress = Progress()
        let outcome: LinkOutcome
        var report: (@Sendable (Int, Int) -> Void)?
        if !json {
            report = { @Sendable done, total in progress.update(done, total) }
        }
        // Fault injection for the crash-recovery tests (`CrashRecoveryTests`).
        let killAfter = ProcessInfo.processInfo.environment["USHER_TEST_KILL_AFTER"].flatMap { Int($0) }
        let options = LinkOptions(dryRun: dryRun, adopt: adopt, confirmRemovals: confirmRemovals, killAfterChanges: killAfter, fullCatalog: full)
        do {
            outcome = try await LinkJob(config: config, logger: logger).run(options, progress: report)
        } catch {
            Output.error(error.description)
            throw ExitCode(error.exitCode)
        }
        if let notice = outcome.lockNotice, json { Output.note(notice) }
        var result = LinkReport(outcome)
        // With plex.watch_sync on, each link run also keeps the linked films and their specials watched alike (the
        // periodic path, for those without Plex's or Tautulli's webhooks): its report follows the links'.
        if config.requirementError(for: .watchSync) == nil {
            do {
                result.watchSync = try await WatchSyncJob(config: config, logger: logger).run(WatchSyncOptions(dryRun: dryRun))
            } catch {
                // The links are done; the sync could not start (another watch-sync run holds its lock, or usher.db).
                Output.line(json ? result.json() : result.text(verbose: global.verbose > 0))
                Output.error("watch sync: \(error.description)")
                throw ExitCode(error.kind == .busy && !outcome.hasErrors ? 0 : 1)
            }
        }
        var text = result.text(verbose: global.verbose > 0)
        if let sync = result.watchSync { text += "\nWatch sync:\n" + sync.text(verbose: global.verbose > 0) }
        Output.line(json ? result.json() : text)
        if outcome.hasErrors || result.watchSync?.hasErrors == true { throw ExitCode(1) }
    }
}

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Links, space saved (each file counted once), per show, and recent runs.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Machine-readable output.")
    var json = false

    @Option(help: "How many recent runs to list.")
    var runs = 10

    func run() throws {
        let config = try global.loadConfig()
        let report: StatsReport
        do {
            if let ledger = try Ledger.openIfPresent(path: config.statePath) {
                report = StatsReport(entries: try ledger.entries(), runs: try ledger.runs(limit: runs))
            } else {
                report = StatsReport(entries: [], runs: [])
            }
        } catch {
            Output.error("cannot read \(config.statePath): \(error)")
            throw ExitCode(1)
        }
        Output.line(json ? report.json() : report.text())
    }
}

struct DedupeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dedupe",
        abstract: "Find specials Sonarr holds as a file of their own while the mapped movie could be linked there.",
        discussion: """
            Reports each with both qualities and the space a link would save. With --apply, deletes those episode \
            files through Sonarr (its recycle bin applies) where the movie is at least as good (or always, with \
            --prefer movie), then links the movies in their place.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Delete the duplicate episode files through Sonarr and link the movies instead.")
    var apply = false

    @Option(help: "better: replace only when the movie's quality is at least the episode file's; movie: always.")
    var prefer: Prefer = .better

    enum Prefer: String, ExpressibleByArgument, CaseIterable { case better, movie }

    @Flag(help: "Machine-readable output.")
    var json = false

    func run() async throws {
        let config = try global.loadConfig()
        let outcome: DedupeJob.Outcome
        do {
            outcome = try await DedupeJob(config: config, logger: global.makeLogger()).run(
                DedupeOptions(apply: apply, prefer: prefer == .movie ? .movie : .better))
        } catch {
            Output.error(error.description)
            throw ExitCode(error.exitCode)
        }
        let report = DedupeReport(outcome)
        Output.line(json ? report.json() : report.text())
        if outcome.hasErrors { throw ExitCode(1) }
    }
}
