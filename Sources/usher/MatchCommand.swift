import ArgumentParser
import Foundation
import UsherCore
import UsherKit

struct MatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Propose which movies are specials of which shows, for a person to approve.",
        discussion: """
            'usher match' reads the movies of every Radarr instance and the specials of every Sonarr instance and \
            proposes movie → episode pairs, with a confidence and the evidence behind it (the Anime-Lists ID mapping, \
            titles, dates, runtimes). Movies already in the mapping file and pairs rejected before are left out. \
            With --write, proposals at or above match.auto_accept are added to the mapping file and the rest are \
            written to the proposals file, where a person sets accept: true or false; 'usher match review' applies \
            those decisions.
            """,
        subcommands: [Propose.self, Review.self],
        defaultSubcommand: Propose.self)

    struct Propose: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "propose", abstract: "Propose movie → episode pairs (the default).")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Machine-readable output on standard output.")
        var json = false

        @Flag(help: "Add auto-accepted proposals to the mapping file and write the rest to the proposals file.")
        var write = false

        func run() async throws {
            let config = try global.loadConfig()
            let logger = global.makeLogger()
            let report: MatchReport
            do {
                report = try await MatchJob(config: config, logger: logger).run(MatchOptions(write: write))
            } catch {
                Output.error(error.description)
                throw ExitCode(error.exitCode)
            }
            Output.line(json ? report.json() : report.text(verbose: global.verbose > 0))
            if report.hasErrors { throw ExitCode(1) }
        }
    }

    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "review",
            abstract: "Apply the accept: true/false decisions written in the proposals file.")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Print what would be added and rejected, and change nothing.")
        var dryRun = false

        func run() async throws {
            let config = try global.loadConfig()
            let report: ReviewReport
            do {
                report = try MatchJob(config: config, logger: global.makeLogger()).review(dryRun: dryRun)
            } catch {
                Output.error(error.description)
                throw ExitCode(error.exitCode)
            }
            Output.line(report.text())
            if report.hasErrors { throw ExitCode(1) }
        }
    }
}
