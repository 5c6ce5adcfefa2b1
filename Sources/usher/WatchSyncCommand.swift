import ArgumentParser
import Foundation
import UsherCore
import UsherKit

struct WatchSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch-sync",
        abstract: "Keep each linked film and its special watched alike in Plex, for every user.",
        discussion: """
            Finds the two Plex items of every link Usher made, compares each user's watched state of them, and marks \
            the one that lags behind: the item changed since the last look leads, and at the first look watched wins. \
            Needs 'plex: {url, token, watch_sync: true}' with the owner's token. 'usher serve' runs it on its schedule \
            and when Plex or Tautulli says something was watched; from cron, run it as often as you like.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print what a real run would mark, and mark nothing.")
    var dryRun = false

    @Flag(help: "Machine-readable output on standard output.")
    var json = false

    func run() async throws {
        let config = try global.loadConfig()
        let logger = global.makeLogger()
        let report: WatchSyncReport
        do {
            report = try await WatchSyncJob(config: config, logger: logger).run(WatchSyncOptions(dryRun: dryRun))
        } catch {
            Output.error(error.description)
            throw ExitCode(error.exitCode)
        }
        Output.line(json ? report.json() : report.text(verbose: global.verbose > 0))
        if report.hasErrors { throw ExitCode(1) }
    }
}
