import ArgumentParser
import Foundation
import Logging
import UsherCore
import UsherKit

@main
struct Main {
    static func main() async {
        do {
            var command = try Usher.parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            // Usage mistakes exit with 2, like configuration mistakes.
            if Usher.exitCode(for: error) == .validationFailure {
                let message = Usher.fullMessage(for: error)
                FileHandle.standardError.write(Data((message + "\n").utf8))
                Foundation.exit(2)
            }
            Usher.exit(withError: error)
        }
    }
}

struct Usher: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usher",
        abstract: "Links movies into TV shows as specials, from one file, and keeps those links in step.",
        discussion: """
            Exit codes: 0 everything applied; 1 a mapping failed, a conflict was found or a change failed \
            (the rest still applied); 2 a configuration or usage mistake (nothing done); 3 another run holds the lock.
            """,
        version: UsherVersion.current,
        subcommands: [
            LinkCommand.self, MatchCommand.self, PrefetchCommand.self, WatchSyncCommand.self, DedupeCommand.self, StatsCommand.self, ConfigCommand.self,
            ImportCommand.self,
            LinksCommand.self, DemoCommand.self, ServeCommand.self, HashPasswordCommand.self,
        ]
    )
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The config file (default: $USHER_CONFIG, else ./usher.yml).")
    var config: String?

    @Flag(name: .short, help: "More detail: -v for debug, -vv for trace.")
    var verbose: Int

    @Option(name: .long, help: "Log format on standard error: text or json.")
    var logFormat: LogFormat = .text

    enum LogFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    static let redactor = StderrLogHandler.RedactorBox()

    func makeLogger() -> Logger {
        Self.makeLogger(verbose: verbose, format: logFormat == .json ? .json : .text)
    }

    static func makeLogger(verbose: Int, format: StderrLogHandler.Format) -> Logger {
        let level: Logger.Level = verbose >= 2 ? .trace : verbose == 1 ? .debug : .info
        let redactor = Self.redactor
        return Logger(label: "usher") { label in
            StderrLogHandler(label: label, level: level, format: format, redactor: redactor)
        }
    }

    var configPath: String { UsherConfig.locate(config, environment: ProcessInfo.processInfo.environment) }

    /// Loads the config; a mistake is printed with its position and ends the command with exit code 2.
    func loadConfig() throws -> UsherConfig {
        do {
            let loaded = try UsherConfig.load(path: configPath, environment: ProcessInfo.processInfo.environment)
            Self.redactor.set(loaded.secrets)
            return loaded
        } catch {
            Output.error(error.description)
            throw ExitCode(2)
        }
    }
}

enum Output {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((GlobalOptions.redactor.redact(text) + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data(("error: " + GlobalOptions.redactor.redact(text) + "\n").utf8))
    }

    static func note(_ text: String) {
        FileHandle.standardError.write(Data((GlobalOptions.redactor.redact(text) + "\n").utf8))
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }
}

/// Shows progress on a terminal as a bar; elsewhere as a line every tenth of the way.
final class Progress: @unchecked Sendable {
    private let lock = NSLock()
    private var lastDecile = -1
    private let terminal = Output.stderrIsTerminal

    func update(_ done: Int, _ total: Int) {
        guard total >= 50 else { return }
        lock.withLock {
            if terminal {
                let width = 30
                let filled = width * done / total
                let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
                Output.noteRaw("\r[\(bar)] \(done)/\(total)" + (done == total ? "\n" : ""))
            } else {
                let decile = 10 * done / total
                if decile > lastDecile {
                    lastDecile = decile
                    Output.note("applied \(done)/\(total)")
                }
            }
        }
    }
}

extension Output {
    static func noteRaw(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
