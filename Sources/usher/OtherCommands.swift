import ArgumentParser
import Foundation
import UsherCore
import UsherKit

/// The mapping file, or its mistake printed and exit code 2.
func loadMappingDocument(_ path: String) throws -> MappingDocument {
    do {
        return try MappingFile.loadDocument(path: path, environment: ProcessInfo.processInfo.environment)
    } catch {
        Output.error(error.description)
        throw ExitCode(2)
    }
}

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check or show the configuration.", subcommands: [Check.self, Show.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the config, say what each command can do with it, and check the folders, the mapping file and each service.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let config = try global.loadConfig()
            Output.line("config: \(config.file): OK")
            var failed = false
            // Which command this config is for: a missing section only matters to the command that needs it.
            var ready: Set<UsherCommand> = []
            for command in UsherCommand.allCases {
                let needs = config.missing(for: command)
                if needs.isEmpty {
                    ready.insert(command)
                    Output.line("\(command.name): ready (\(config.configured(for: command)))")
                } else {
                    Output.line("\(command.name): not configured: needs \(needs.joined(separator: ", and "))")
                }
            }
            if ready.isEmpty {
                Output.line("nothing to do: no command has what it needs (see README, 'Configuration')")
                failed = true
            }
            let problems = config.scheduleProblems()
            if problems.isEmpty {
                let jobs = ServeJob.allCases.map { "\($0.rawValue) \(config.schedule(for: $0))" }.joined(separator: ", ")
                let base = config.server.urlBase.isEmpty ? "" : ", url_base \(config.server.urlBase)"
                Output.line("usher serve: ready (listen \(config.server.host):\(config.server.port)\(base); \(jobs))")
            } else {
                for problem in problems { Output.line("usher serve: \(problem)") }
                failed = true
            }
            for root in config.movieRoots + config.showRoots {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue,
                    FileManager.default.isReadableFile(atPath: root.path)
                {
                    Output.line("folder: \(root.path): OK")
                } else {
                    Output.line("folder: \(root.path): cannot be read")
                    failed = true
                }
            }
            // The mapping file matters to the linker (and to match, which adds to it); without either it
            // need not exist.
            var claims: [MappingProblem] = []
            if !FileManager.default.fileExists(atPath: config.mappingsFile) {
                if ready.contains(.link) {
                    Output.line(
                        "mappings: \(config.mappingsFile) does not exist yet (usher link needs it; see README, 'Mapping file'; usher match --write and usher import create it)"
                    )
                }
            } else {
                let document = try loadMappingDocument(config.mappingsFile)
                claims = MappingValidation.conflictingClaims(document.mappings)
                let count = document.mappings.count
                let hints = document.hints.isEmpty ? "" : " and \(document.hints.count) hint\(document.hints.count == 1 ? "" : "s") for usher match"
                Output.line("mappings: \(config.mappingsFile): \(count) mapping\(count == 1 ? "" : "s")\(hints)\(claims.isEmpty ? ", OK" : "")")
                for problem in claims {
                    Output.line("  problem: \(problem)")
                }
            }
            // Each configured service: does it answer, is it what it should be, is the key accepted?
            let hub = ServiceHub(config: config, logger: global.makeLogger())
            let checks = await hub.arr(config).check() + PrefetchJob.check(config: config, hub: hub)
            let watchSync = await WatchSyncJob.check(config: config, hub: hub)
            await hub.shutdown()
            for check in checks + watchSync {
                Output.line("\(check.service): \(check.message)")
                if !check.ok { failed = true }
            }
            if failed || !claims.isEmpty { throw ExitCode(1) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the effective configuration, defaults included, secrets redacted.")

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let config = try global.loadConfig()
            FileHandle.standardOutput.write(Data(GlobalOptions.redactor.redact(config.rendered()).utf8))
        }
    }
}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import mappings from other tools.", subcommands: [PlexLinker.self])

    struct PlexLinker: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plex-linker",
            abstract: "Convert the collection YAML of the old Plex Linker script into a mapping file.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The Plex Linker collection file.")
        var file: String

        @Option(help: "Where to write the mappings (an existing file is archived first).")
        var output = "links.yml"

        @Flag(help: "Machine-readable report.")
        var json = false

        func run() throws {
            let report: LegacyImportReport
            do {
                report = try LegacyImportJob.run(
                    file: UsherConfig.locate(file, environment: ProcessInfo.processInfo.environment),
                    output: UsherConfig.locate(output, environment: ProcessInfo.processInfo.environment), keep: 10)
            } catch {
                Output.error(error.description)
                throw ExitCode(2)
            }
            if json {
                let data = try JSONSerialization.data(withJSONObject: report.json(), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                Output.line(String(decoding: data, as: UTF8.self))
            } else {
                Output.line(report.text())
            }
            if report.leftSomethingOut { throw ExitCode(1) }
        }
    }
}

struct LinksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "links", abstract: "Work with the mapping file.", subcommands: [Format.self])

    struct Format: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fmt",
            abstract: "Rewrite the mapping file sorted by movie title in a stable layout (the old file is archived; comments are not kept).")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Only report whether the file is already formatted (exit 1 if not).")
        var check = false

        func run() throws {
            let config = try global.loadConfig()
            let document = try loadMappingDocument(config.mappingsFile)
            let text = MappingFile.render(document)
            let current = (try? String(contentsOfFile: config.mappingsFile, encoding: .utf8)) ?? ""
            if current == text {
                Output.line("\(config.mappingsFile) is already formatted.")
                return
            }
            if check {
                Output.line("\(config.mappingsFile) is not formatted; run `usher links fmt`.")
                throw ExitCode(1)
            }
            do {
                let archived = try MappingFile.save(document, to: config.mappingsFile, keep: config.archiveKeep)
                let hints = document.hints.isEmpty ? "" : " and \(document.hints.count) hints"
                Output.line(
                    "Formatted \(config.mappingsFile) (\(document.mappings.count) mappings\(hints))\(archived.map { "; previous version kept as \($0)" } ?? "")."
                )
            } catch {
                Output.error("cannot write \(config.mappingsFile): \(error)")
                throw ExitCode(1)
            }
        }
    }
}

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Create a small sample library (default ./usher-demo), link it, and show the stats.",
        discussion: "Running it again shows that there is nothing to do.")

    @Argument(help: "The folder for the sample library.")
    var folder = "usher-demo"

    @Flag(name: .short, help: "More detail.")
    var verbose: Int

    func run() async throws {
        let path = UsherConfig.locate(folder, environment: ProcessInfo.processInfo.environment)
        let configPath = try Demo.prepare(in: path)
        Output.line("Demo library in \(path) (config: \(configPath)).")
        Output.line("")
        let config: UsherConfig
        do {
            config = try UsherConfig.load(path: configPath, environment: ProcessInfo.processInfo.environment)
        } catch {
            Output.error(error.description)
            throw ExitCode(2)
        }
        let outcome: LinkOutcome
        do {
            outcome = try await LinkJob(config: config, logger: GlobalOptions.makeLogger(verbose: verbose, format: .text)).run(LinkOptions())
        } catch {
            Output.error(error.description)
            throw ExitCode(error.exitCode)
        }
        Output.line("$ usher link --config \(configPath)")
        Output.line(LinkReport(outcome).text())
        Output.line("")
        Output.line("$ usher stats --config \(configPath)")
        let ledger = try Ledger(path: config.statePath)
        Output.line(StatsReport(entries: try ledger.entries(), runs: try ledger.runs(limit: 3)).text())
        Output.line("")
        Output.line("Try: usher link --config \(configPath) --dry-run, edit \(config.mappingsFile), and run the link again.")
        if outcome.hasErrors { throw ExitCode(1) }
    }
}
