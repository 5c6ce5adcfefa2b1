import ArgumentParser
import Foundation
import UsherCore
import UsherKit

struct PrefetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prefetch",
        abstract: "Get the next episodes on disk before anyone reaches them.",
        discussion: """
            Reads the watch history from Tautulli, Plex or Jellyfin ('prefetch.history'), works out the episodes each \
            viewer reaches next, asks Sonarr to search the missing ones and moves their downloads to the front of the \
            download client. Run it from cron as often as 'prefetch.run_every' says.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print the searches and moves a real run would do, and do none of them.")
    var dryRun = false

    @Flag(help: "Machine-readable output on standard output.")
    var json = false

    func run() async throws {
        let config = try global.loadConfig()
        let logger = global.makeLogger()
        let report: PrefetchReport
        do {
            report = try await PrefetchJob(config: config, logger: logger).run(PrefetchOptions(dryRun: dryRun))
        } catch {
            Output.error(error.description)
            throw ExitCode(error.exitCode)
        }
        Output.line(json ? report.json() : report.text(verbose: global.verbose > 0))
        if report.hasErrors { throw ExitCode(1) }
    }
}
