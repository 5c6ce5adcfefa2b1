import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One measured pass, for the results table.
struct PassResult {
    var name: String
    var run: ChildRun
    var counts: LinkCounts
    /// API mode: requests the fakes received, their CPU time, usher's `services` report.
    var api: ApiPassFacts?
    /// Diagnostic passes (`-v`): usher's phase timings.
    var phases: UsherPhases?
}

enum Bench {
    /// Runs the benchmark and returns the process exit status.
    static func main(_ arguments: [String]) -> Int32 {
        let options: Options
        do throws(BenchError) {
            guard let parsed = try Options.parse(arguments) else {
                say(Options.help)
                return 0
            }
            options = parsed
        } catch {
            printError(error.description)
            return 2
        }

        var usher = ""
        if !options.generateOnly {
            usher = options.usher.map { absolute($0) } ?? defaultUsherPath()
            if access(usher, X_OK) != 0 {
                printError("no usher executable at \(usher) (build it with `swift build -c release --product usher`, or pass --usher PATH)")
                return 2
            }
        }

        Interrupt.shared.install()
        let root: String
        let madeRoot: Bool
        do throws(BenchError) {
            (root, madeRoot) = try makeRoot(options.dir)
        } catch {
            printError(error.description)
            return 2
        }

        var status: Int32 = 0
        do throws(BenchError) {
            try run(options, root: root, usher: usher)
        } catch {
            printError(error.description)
            status = 1
        }

        if options.keep {
            if !options.generateOnly { note("kept \(root)") }
        } else {
            note("removing \(root)")
            let start = Posix.now()
            if let problem = Posix.removeTreeFast(root, jobs: options.jobs) {
                printError("could not remove all of \(root): \(problem)")
                status = status == 0 ? 1 : status
            } else {
                note(String(format: "removed in %.1f s", Posix.now() - start))
            }
            if !madeRoot { mkdir(root, 0o755) }
        }
        return status
    }

    private static func run(_ options: Options, root: String, usher: String) throws(BenchError) {
        let machine = MachineFacts.collect(folder: root)
        say("usher-bench")
        say("  machine:    \(machine.cpu), \(machine.cores) cores, \(machine.memory) RAM")
        say("  system:     \(machine.kernel), \(machine.filesystem) at \(root)")
        if !options.generateOnly {
            say("  usher:      \(usher)")
            say("  passes:     1 dry run, 1 first pass, \(options.runs) no-change pass(es), each `usher link --config DIR/usher.yml --json`")
        }
        if options.api {
            say("  mode:       API (fake Sonarr and Radarr in this process; mappings carry tmdb and tvdb ids)")
        }
        say(
            "  library:    \(grouped(options.movies)) movies, \(grouped(options.shows)) shows, \(grouped(options.episodes)) episodes, \(grouped(options.mappings)) mappings (seed \(options.seed))"
        )

        note("generating the library with \(options.jobs) thread(s)...")
        let plan = LibraryPlan(options: options)
        let stats = try Generator.generate(plan, root: root, jobs: options.jobs)
        say(
            String(
                format: "  generation: %.1f s (%@ files, %@ folders, %.1f TB apparent, sparse; not part of the figures)",
                stats.seconds, grouped(stats.files), grouped(stats.folders), Double(stats.apparentBytes) / 1e12))
        if options.generateOnly == false {
            // A run does not trust a folder changed less than 2 s before it reads it (a change within the same clock
            // tick would go unseen): let the library settle, as a cron job finds it.
            note("letting the library settle for 3 s (a run trusts folder times 2 s old and older)...")
            Thread.sleep(forTimeInterval: 3)
        }
        let mappedShowIndices = Set(plan.links.map(\.show)).sorted()
        let mappedShows = mappedShowIndices.count
        say("  mappings:   \(grouped(plan.links.count)) links to specials of \(grouped(mappedShows)) shows")

        if options.generateOnly {
            say("\nLibrary in \(root)")
            say("Run: usher link --config \(root)/usher.yml --json")
            return
        }

        // API mode: the fakes, and a config and mapping file that name them. The benchmark's main
        // thread only ever blocks in wait4; the fakes answer on NIO's event loops and Swift's pool.
        var fakes: FakeServices?
        var launcher: String?
        if options.api {
            note("starting the fake Sonarr and Radarr and loading the library into them...")
            let services = try FakeServices.start(plan: plan, root: root)
            fakes = services
            guard let me = selfExecutable() else { throw BenchError("cannot find this executable (/proc/self/exe) to start usher through") }
            launcher = me
            try Posix.writeFile(root + "/links.yml", plan.mappingFile(withIDs: true))
            try Posix.writeFile(root + "/usher.yml", plan.configFile(root: root, services: services.endpoints))
            say(
                String(
                    format:
                        "  services:   fake Radarr at %@ (%@ movies with files), fake Sonarr at %@ (%@ series; %@ episodes and %@ episode files of the %@ mapped series); loaded in %.1f s",
                    services.radarr.url, grouped(services.movieCount), services.sonarr.url, grouped(plan.shows.count),
                    grouped(services.episodeCount), grouped(services.episodeFileCount), grouped(services.mappedShows), services.loadSeconds))
        }
        defer { fakes?.stop() }

        // What ru_maxrss reports for a trivial child spawned the same way. The kernel keeps the larger of
        // the launcher's resident memory at exec and the child's own peak, so this is a lower bound on
        // every figure below, not an amount to subtract.
        var floorMiB: Double?
        if access("/bin/true", X_OK) == 0, let run = try? Runner.run("/bin/true", [], scratch: root, launcher: launcher), run.succeeded {
            floorMiB = Double(run.maxRSSKiB) / 1024
            if options.api {
                say(
                    String(
                        format:
                            "  RSS floor:  %.1f MiB (/bin/true started through the launcher, as usher is: the launcher's resident memory counts in a child's ru_maxrss, so figures at this level are not the child's own)",
                        floorMiB!))
            } else {
                say(
                    String(
                        format:
                            "  RSS floor:  %.1f MiB (/bin/true measured the same way: Linux counts the launcher's resident memory in a child's ru_maxrss, so figures at this level are not the child's own)",
                        floorMiB!))
            }
        }

        let config = root + "/usher.yml"
        let moviePaths = Set(plan.links.map(\.movie)).sorted().map { root + "/" + plan.moviePath($0) }
        var results: [PassResult] = []
        var diagnostics: [PassResult] = []
        var lastCreated: [String] = []

        func pass(_ name: String, dryRun: Bool, diagnostic: Bool = false, extra: [String] = []) throws(BenchError) -> PassResult {
            note("\(name)...")
            var arguments = ["link", "--config", config, "--json"] + extra
            if dryRun { arguments.insert("--dry-run", at: 3) }
            // Phase timings for the diagnostic passes only: with -v, AsyncHTTPClient logs a line per request.
            if diagnostic { arguments += ["-v", "--log-format", "text"] }
            fakes?.resetRequests()
            let cpuBefore = Posix.cpuSeconds()
            let run = try Runner.run(usher, arguments, scratch: root, launcher: launcher)
            let fakeCPU = Posix.cpuSeconds() - cpuBefore
            guard run.succeeded else {
                FileHandle.standardError.write(Data(run.stdout.prefix(20_000)) + Data("\n".utf8))
                FileHandle.standardError.write(Data(run.stderr.suffix(50_000)))
                throw BenchError("\(name): `usher \(arguments.joined(separator: " "))` failed (\(run.exitDescription))")
            }
            let counts: LinkCounts
            do throws(BenchError) {
                counts = try Runner.counts(fromJSON: run.stdout)
            } catch {
                FileHandle.standardError.write(Data(run.stderr))
                throw BenchError("\(name): \(error.description)")
            }
            var api: ApiPassFacts?
            var phases: UsherPhases?
            if let fakes {
                api = ApiPassFacts(requests: fakes.tally(), fakeCPUSeconds: fakeCPU, report: ServicesReport.parse(run.stdout))
                if !dryRun, counts.created > 0 { lastCreated = ServicesReport.createdTargets(run.stdout) }
                if diagnostic { phases = UsherPhases.parse(stderr: run.stderr, stdout: run.stdout) }
            }
            // Keep only what the table needs: a lean launcher keeps the next child's ru_maxrss honest.
            var kept = run
            kept.stdout = []
            if diagnostic {
                // usher's own log of the pass, for a closer look (`--keep` leaves it there).
                let log = root + "/" + name.replacingOccurrences(of: " ", with: "-").replacingOccurrences(of: ",", with: "") + ".log"
                _ = FileManager.default.createFile(atPath: log, contents: Data(run.stderr))
                kept.stderr = []
            }
            let result = PassResult(name: name, run: kept, counts: counts, api: api, phases: phases)
            if diagnostic { diagnostics.append(result) } else { results.append(result) }
            if let api {
                note(
                    String(
                        format: "  %.3f s, %.1f MiB, created %d, unchanged %d, %d requests, usher CPU %.3f s, fakes' CPU %.3f s", run.seconds,
                        Double(run.maxRSSKiB) / 1024, counts.created, counts.unchanged, api.totalRequests, run.cpuSeconds, api.fakeCPUSeconds))
            } else {
                note(
                    String(format: "  %.3f s, %.1f MiB, created %d, unchanged %d", run.seconds, Double(run.maxRSSKiB) / 1024, counts.created, counts.unchanged))
            }
            if counts.conflicts + counts.errors > 0 {
                FileHandle.standardError.write(Data(run.stdout.prefix(20_000)) + Data("\n".utf8))
                FileHandle.standardError.write(Data(run.stderr))
                throw BenchError("\(name): usher reported \(counts.conflicts) conflict(s) and \(counts.errors) error(s)")
            }
            return result
        }

        /// A failed check of a pass: its stderr goes to ours, then the message.
        func failed(_ result: PassResult, _ message: String) -> BenchError {
            FileHandle.standardError.write(Data(result.run.stderr))
            return BenchError(message)
        }

        /// API mode: the requests the fakes received, and what usher says it told Sonarr.
        func checkServices(_ result: PassResult, full: Bool, rescanned: Int, moviesAsked: Int = 0, registered: Int? = nil) throws(BenchError) {
            guard let fakes, let api = result.api else { return }
            var seen = api.requests
            if rescanned > 0 {
                // The command list is looked at once per round until every rescan is done.
                if (seen[.commandList] ?? 0) < 1 {
                    throw failed(result, "\(result.name): usher never looked at Sonarr's command list after asking for rescans")
                }
                seen[.commandList] = nil
            }
            let expected = fakes.expectedRequests(full: full, rescanned: rescanned, moviesAsked: moviesAsked)
            if seen != expected {
                throw failed(result, "\(result.name): the fakes received \(describe(seen)); expected \(describe(expected))")
            }
            guard let report = api.report else { throw failed(result, "\(result.name): usher's JSON has no 'services' object") }
            if report.requests != api.totalRequests {
                throw failed(result, "\(result.name): usher counted \(report.requests) requests, the fakes received \(api.totalRequests)")
            }
            if !report.warnings.isEmpty {
                throw failed(result, "\(result.name): usher warned: \(report.warnings.prefix(3).joined(separator: "; "))")
            }
            guard rescanned > 0 else { return }
            if report.rescans != rescanned {
                throw failed(result, "\(result.name): usher reports \(report.rescans) rescans, expected \(rescanned)")
            }
            if report.registered != (registered ?? options.mappings) || !report.notRegistered.isEmpty {
                throw failed(
                    result,
                    "\(result.name): Sonarr registered \(report.registered.map(String.init) ?? "no") links, expected \(registered ?? options.mappings); \(report.notRegistered.prefix(3).joined(separator: "; "))"
                )
            }
        }

        var parts: PartCosts?
        var serveFigures: ServeFigures?
        var failure: BenchError?
        do throws(BenchError) {
            let dry = try pass("dry run, first pass", dryRun: true)
            if dry.counts.created != options.mappings {
                note("note: the dry run reported \(dry.counts.created) links to create, expected \(options.mappings)")
            }
            try checkServices(dry, full: true, rescanned: 0)
            try checkLinkCounts(moviePaths, expected: 1, after: "the dry run")

            let first = try pass("first pass", dryRun: false)
            if first.counts.created != options.mappings {
                throw failed(first, "first pass: created \(first.counts.created) links, expected \(options.mappings)")
            }
            try checkServices(first, full: true, rescanned: mappedShows)
            try checkLinkCounts(moviePaths, expected: 2, after: "the first pass")
            if fakes == nil {
                // The first pass wrote into the season folders: a run 30 minutes later finds them settled.
                note("letting the library settle for 3 s after the first pass...")
                Thread.sleep(forTimeInterval: 3)
            }

            for i in 1...options.runs {
                let again = try pass("no-change pass \(i)", dryRun: false)
                if again.counts.changes != 0 {
                    throw failed(
                        again,
                        "no-change pass \(i): created \(again.counts.created), replaced \(again.counts.replaced), removed \(again.counts.removed); expected no changes"
                    )
                }
                if again.counts.unchanged != options.mappings {
                    note("note: no-change pass \(i) reported \(again.counts.unchanged) unchanged links, expected \(options.mappings)")
                }
                try checkServices(again, full: false, rescanned: 0)
                // The first no-change pass takes the kept folders and results (filesystem mode) or the kept catalog (API
                // mode: the first pass's rescans moved the season counts), and each one after it is settled (nothing
                // changed since a clean run).
                let expected = i >= 2 ? "settled" : "incremental"
                if again.counts.pass != expected {
                    throw failed(again, "no-change pass \(i): a \(again.counts.pass ?? "unreported") pass, expected a \(expected) one")
                }
            }
            try checkLinkCounts(moviePaths, expected: 2, after: "the no-change passes")

            if let fakes {
                // Diagnostic passes with -v: the same first and no-change pass again, for usher's phase
                // timings. The links of the first pass, the ledger and Sonarr's state are undone first.
                note("diagnostic passes with -v (usher's phase timings; not in the table above)...")
                for target in lastCreated { unlink(target) }
                for suffix in ["", "-wal", "-shm"] { unlink(root + "/usher.db" + suffix) }
                fakes.reload()
                try checkLinkCounts(moviePaths, expected: 1, after: "undoing the first pass")
                let diagnosticFirst = try pass("first pass, -v", dryRun: false, diagnostic: true)
                if diagnosticFirst.counts.created != options.mappings {
                    throw failed(diagnosticFirst, "first pass, -v: created \(diagnosticFirst.counts.created) links, expected \(options.mappings)")
                }
                try checkServices(diagnosticFirst, full: true, rescanned: mappedShows)
                let diagnosticAgain = try pass("no-change pass, -v", dryRun: false, diagnostic: true)
                if diagnosticAgain.counts.changes != 0 {
                    throw failed(diagnosticAgain, "no-change pass, -v: \(diagnosticAgain.counts.changes) changes; expected none")
                }
                try checkServices(diagnosticAgain, full: false, rescanned: 0)
                try checkLinkCounts(moviePaths, expected: 2, after: "the diagnostic passes")

                // Before anything changes the fakes' data (and so their kept answers).
                note("timing the parts one by one (the fakes' answers alone, decoding them alone)...")
                parts = fakes.measureParts(seriesIDs: mappedShowIndices.map { LibraryPlan.sonarrID(show: $0) })
                if parts == nil { note("note: could not time the parts") }

                // The daily verification: a full pass with nothing changed.
                let verification = try pass("full verification pass (--full)", dryRun: false, extra: ["--full"])
                if verification.counts.changes != 0 {
                    throw failed(verification, "full verification pass: \(verification.counts.changes) changes; expected none")
                }
                try checkServices(verification, full: true, rescanned: 0)
                // Radarr upgrades one mapped movie: the next pass asks for that movie and replaces its link.
                let upgradedIndex = plan.links[0].movie
                let upgradedFile = try fakes.upgrade(movieID: LibraryPlan.radarrID(movie: upgradedIndex), path: root + "/" + plan.moviePath(upgradedIndex))
                let afterUpgrade = try pass("after one movie was upgraded", dryRun: false)
                let upgradedShows = Set(plan.links.filter { $0.movie == upgradedIndex }.map(\.show)).count
                if afterUpgrade.counts.replaced != plan.links.filter({ $0.movie == upgradedIndex }).count
                    || afterUpgrade.counts.changes != afterUpgrade.counts.replaced
                {
                    throw failed(afterUpgrade, "after the upgrade: replaced \(afterUpgrade.counts.replaced), \(afterUpgrade.counts.changes) changes in all")
                }
                try checkServices(
                    afterUpgrade, full: false, rescanned: upgradedShows, moviesAsked: 1, registered: plan.links.filter { $0.movie == upgradedIndex }.count)
                try checkLinkCounts([upgradedFile], expected: 1 + plan.links.filter { $0.movie == upgradedIndex }.count, after: "the upgrade")

                if options.serve {
                    serveFigures = try ServeBench.run(
                        usher: usher, root: root, config: config, plan: plan, fakes: fakes, webhooks: options.webhooks, burst: options.burst)
                }

            }
        } catch {
            failure = error
        }

        printTable(results)
        if options.api {
            printRequestTable(results + diagnostics)
            printPhaseTable(diagnostics)
            if let parts {
                say("\nThe parts one by one, in this process:")
                for line in parts.lines { say("  - " + line) }
            }
            if let serveFigures {
                say("\nusher serve:")
                for line in serveFigures.lines { say("  - " + line) }
            }
        }
        if options.markdown, failure == nil {
            if let fakes {
                say(
                    apiMarkdown(
                        results, diagnostics: diagnostics, parts: parts, fakes: fakes, plan: plan, options: options,
                        machine: machine, stats: stats, floorMiB: floorMiB))
            } else {
                say(markdown(results, options: options, machine: machine, stats: stats, floorMiB: floorMiB))
            }
        }
        if let failure { throw failure }
        if options.api {
            say(
                "\nAll checks passed: the first pass created \(options.mappings) links, rescanned \(mappedShows) shows and Sonarr registered every link; the no-change passes changed nothing and sent \(fakes?.expectedRequests(full: false, rescanned: 0).values.reduce(0, +) ?? 0) requests each; a full verification sent \(fakes?.expectedRequests(full: true, rescanned: 0).values.reduce(0, +) ?? 0); a pass after one movie was upgraded asked for that movie and replaced its link."
            )
        } else {
            say("\nAll checks passed: the first pass created \(options.mappings) links, the no-change passes changed nothing.")
        }
    }

    private static func describe(_ counts: [Endpoint: Int]) -> String {
        counts.keys.sorted().map { "\(counts[$0]!) × \($0.label)" }.joined(separator: ", ")
    }

    /// Every mapped movie file must have `expected` names (1 before linking, 2 after).
    private static func checkLinkCounts(_ paths: [String], expected: Int, after: String) throws(BenchError) {
        var wrong: [String] = []
        var count = 0
        for path in paths {
            var st = stat()
            if stat(path, &st) != 0 || Int(st.st_nlink) != expected {
                count += 1
                if wrong.count < 3 { wrong.append("\(path) (\(Int(st.st_nlink)) names)") }
            }
        }
        if count > 0 {
            throw BenchError("after \(after), \(count) mapped movie file(s) do not have \(expected) hard link name(s), e.g. \(wrong.joined(separator: "; "))")
        }
    }

    private static func noChangeRuns(_ results: [PassResult]) -> [PassResult] {
        results.filter { $0.name.hasPrefix("no-change pass") }
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    private static func printTable(_ results: [PassResult]) {
        guard !results.isEmpty else { return }
        say("")
        let api = results.first?.api != nil
        var header = ["Pass", "Kind", "Wall (s)", "Peak RSS (MiB)", "Created", "Unchanged", "Replaced", "Removed", "Conflicts", "Errors"]
        if api { header += ["Requests", "usher CPU (s)", "Fakes' CPU (s)"] }
        var rows: [[String]] = results.map { r in
            var row = [
                r.name, r.counts.pass ?? "", String(format: "%.3f", r.run.seconds), String(format: "%.1f", Double(r.run.maxRSSKiB) / 1024),
                String(r.counts.created), String(r.counts.unchanged), String(r.counts.replaced), String(r.counts.removed),
                String(r.counts.conflicts), String(r.counts.errors),
            ]
            if let facts = r.api {
                row += [String(facts.totalRequests), String(format: "%.3f", r.run.cpuSeconds), String(format: "%.3f", facts.fakeCPUSeconds)]
            }
            return row
        }
        let again = noChangeRuns(results)
        if !again.isEmpty {
            var row = [
                "no-change, median of \(again.count)", "", String(format: "%.3f", median(again.map(\.run.seconds))),
                String(format: "%.1f", median(again.map { Double($0.run.maxRSSKiB) / 1024 })), "", "", "", "", "", "",
            ]
            if api {
                row += [
                    "", String(format: "%.3f", median(again.map(\.run.cpuSeconds))),
                    String(format: "%.3f", median(again.compactMap { $0.api?.fakeCPUSeconds })),
                ]
            }
            rows.append(row)
        }
        printColumns(header, rows)
    }

    /// Prints rows under a header, the first column left-aligned and the others right-aligned.
    private static func printColumns(_ header: [String], _ rows: [[String]]) {
        let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let padding = String(repeating: " ", count: widths[i] - cell.count)
                return i == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
        say(line(header))
        say(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        for row in rows { say(line(row)) }
    }

    /// API mode: the requests the fakes received in each pass, by endpoint.
    private static func requestRows(_ passes: [PassResult]) -> [[String]] {
        let endpoints = Set(passes.flatMap { ($0.api?.requests ?? [:]).keys }).sorted()
        var rows = endpoints.map { endpoint in [endpoint.label] + passes.map { String($0.api?.requests[endpoint] ?? 0) } }
        rows.append(["total"] + passes.map { String($0.api?.totalRequests ?? 0) })
        return rows
    }

    private static func printRequestTable(_ passes: [PassResult]) {
        guard !passes.isEmpty else { return }
        say("\nRequests received by the fakes:")
        printColumns(["Endpoint"] + passes.map(\.name), requestRows(passes))
    }

    /// Diagnostic passes: usher's phases from its `-v` log.
    private static func phaseRows(_ passes: [PassResult]) -> [[String]] {
        func f(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "?" }
        return passes.map { r in
            let p = r.phases ?? UsherPhases()
            return [
                r.name, f(r.run.seconds), f(p.total), f(p.catalogs), f(p.resolution), f(p.targets), f(p.rest),
                f(p.total.map { r.run.seconds - $0 }), f(r.run.cpuSeconds), f(r.api?.fakeCPUSeconds),
            ]
        }
    }

    private static let phaseHeader = [
        "Pass", "Wall (s)", "usher's run (s)", "asking Sonarr and Radarr (catalogs and episode lists, overlapped)", "resolution", "targets",
        "rest: ledger, apply, rescan + verify", "process start/exit", "usher CPU (s)", "Fakes' CPU (s)",
    ]

    private static func printPhaseTable(_ passes: [PassResult]) {
        guard !passes.isEmpty else { return }
        say("\nWhere the time goes (diagnostic passes with -v; seconds):")
        printColumns(phaseHeader, phaseRows(passes))
        for r in passes where !(r.phases?.warnings.isEmpty ?? true) {
            say("  \(r.name): usher warned: \(r.phases!.warnings.prefix(3).joined(separator: "; "))")
        }
    }

    private static func apiMarkdown(
        _ results: [PassResult], diagnostics: [PassResult], parts: PartCosts?,
        fakes: FakeServices, plan: LibraryPlan, options: Options, machine: MachineFacts, stats: GenerationStats, floorMiB: Double?
    ) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        let date = formatter.string(from: Date())
        func table(_ header: [String], _ rows: [[String]]) -> String {
            var out = "| " + header.joined(separator: " | ") + " |\n"
            out += "|---" + String(repeating: "|---:", count: header.count - 1) + "|\n"
            for row in rows { out += "| " + row.joined(separator: " | ") + " |\n" }
            return out
        }
        var out = "\n<!-- usher-bench --api --markdown -->\n"
        out +=
            "### \(date): API mode, \(grouped(options.movies)) movies, \(grouped(options.shows)) shows, \(grouped(options.episodes)) episodes, \(grouped(options.mappings)) mappings over \(grouped(fakes.mappedShows)) shows\n\n"
        out += "- Machine: \(machine.cpu), \(machine.cores) cores, \(machine.memory) RAM; \(machine.kernel); \(machine.filesystem)\n"
        out += String(
            format: "- Library: %@ files in %@ folders (sparse), generated in %.1f s (not measured); seed %llu\n",
            grouped(stats.files), grouped(stats.folders), stats.seconds, options.seed)
        out += String(
            format:
                "- Services: `UsherFakes` in the benchmark process on 127.0.0.1: Radarr with %@ movies (each with its file), Sonarr with %@ series, and the %@ episodes and %@ episode files of the %@ mapped series; loaded in %.1f s\n",
            grouped(fakes.movieCount), grouped(plan.shows.count), grouped(fakes.episodeCount), grouped(fakes.episodeFileCount),
            grouped(fakes.mappedShows), fakes.loadSeconds)
        out +=
            "- Command: `usher link --config usher.yml --json`, each pass a new process started through a small launcher; wall time monotonic, peak RSS from wait4"
        if let floorMiB { out += String(format: " (floor %.1f MiB: /bin/true started the same way)", floorMiB) }
        out += "; usher CPU: user + system time of the usher process; fakes' CPU: CPU time of the benchmark process (the fakes) during the pass\n\n"

        func row(_ name: String, _ r: [PassResult]) -> [String] {
            [
                name, Set(r.compactMap(\.counts.pass)).sorted().joined(separator: ", "), String(format: "%.3f", median(r.map(\.run.seconds))),
                String(format: "%.1f", median(r.map { Double($0.run.maxRSSKiB) / 1024 })),
                String(r.map(\.counts.created).max() ?? 0), String(r.map(\.counts.unchanged).min() ?? 0),
                String(r.compactMap { $0.api?.totalRequests }.max() ?? 0), String(format: "%.3f", median(r.map(\.run.cpuSeconds))),
                String(format: "%.3f", median(r.compactMap { $0.api?.fakeCPUSeconds })),
            ]
        }
        var rows = results.filter { !$0.name.hasPrefix("no-change pass") }.map { row($0.name, [$0]) }
        let again = noChangeRuns(results)
        if !again.isEmpty {
            let each = again.map { String(format: "%.3f", $0.run.seconds) }.joined(separator: ", ")
            rows.append(row("no-change pass (median of \(again.count): \(each))", again))
        }
        out += table(["Pass", "Kind", "Wall (s)", "Peak RSS (MiB)", "Created", "Unchanged", "Requests", "usher CPU (s)", "Fakes' CPU (s)"], rows)
        out += "\nRequests received by the fakes, by endpoint:\n\n"
        out += table(["Endpoint"] + results.map(\.name), requestRows(results))
        if !diagnostics.isEmpty {
            out +=
                "\nWhere the time goes: the same first and no-change pass again with `-v` (usher's phase log; the library, ledger and Sonarr reset in between), seconds:\n\n"
            out += table(phaseHeader, phaseRows(diagnostics))
        }
        if let parts {
            out +=
                "\nThe parts one by one, in the benchmark process (the fakes' answers with a plain HTTP client, one request after the other; decoding with usher's own decoder, `ServiceClient.decodeList`):\n\n"
            for line in parts.lines { out += "- " + line + "\n" }
        }
        return out
    }

    private static func markdown(_ results: [PassResult], options: Options, machine: MachineFacts, stats: GenerationStats, floorMiB: Double?) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        let date = formatter.string(from: Date())
        func row(_ name: String, _ seconds: Double, _ rssMiB: Double, _ created: String, _ unchanged: String) -> String {
            "| \(name) | \(String(format: "%.3f", seconds)) | \(String(format: "%.1f", rssMiB)) | \(created) | \(unchanged) |"
        }
        var out = "\n<!-- usher-bench --markdown -->\n"
        out +=
            "### \(date): \(grouped(options.movies)) movies, \(grouped(options.shows)) shows, \(grouped(options.episodes)) episodes, \(grouped(options.mappings)) mappings\n\n"
        out += "- Machine: \(machine.cpu), \(machine.cores) cores, \(machine.memory) RAM; \(machine.kernel); \(machine.filesystem)\n"
        out += String(
            format: "- Library: %@ files in %@ folders (sparse), generated in %.1f s (not measured); seed %llu\n",
            grouped(stats.files), grouped(stats.folders), stats.seconds, options.seed)
        out += "- Command: `usher link --config usher.yml --json`, each pass a new process; wall time monotonic, peak RSS from wait4"
        if let floorMiB { out += String(format: " (floor %.1f MiB: a /bin/true child measured the same way)", floorMiB) }
        out += "\n\n"
        out += "| Pass | Wall (s) | Peak RSS (MiB) | Created | Unchanged |\n"
        out += "|---|---:|---:|---:|---:|\n"
        for r in results where !r.name.hasPrefix("no-change pass") {
            out += row(r.name, r.run.seconds, Double(r.run.maxRSSKiB) / 1024, String(r.counts.created), String(r.counts.unchanged)) + "\n"
        }
        let again = noChangeRuns(results)
        if !again.isEmpty {
            let each = again.map { String(format: "%.3f", $0.run.seconds) }.joined(separator: ", ")
            out +=
                row(
                    "no-change pass (median of \(again.count): \(each))", median(again.map(\.run.seconds)),
                    median(again.map { Double($0.run.maxRSSKiB) / 1024 }),
                    String(again.map(\.counts.created).max() ?? 0), String(again.map(\.counts.unchanged).min() ?? 0)) + "\n"
        }
        return out
    }

    // MARK: - Folders and paths

    static func defaultUsherPath() -> String {
        guard let exe = selfExecutable() else { return absolute("usher") }
        return (exe as NSString).deletingLastPathComponent + "/usher"
    }

    /// This executable (the launcher of `--api`).
    static func selfExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func absolute(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return expanded }
        return FileManager.default.currentDirectoryPath + "/" + expanded
    }

    /// The library folder: `--dir` (made if missing; if it exists it must be an empty folder), else a
    /// new folder under $TMPDIR or /tmp. Returns the real path and whether we made it.
    private static func makeRoot(_ option: String?) throws(BenchError) -> (String, Bool) {
        var path: String
        var made = true
        if let option {
            path = absolute(option)
            while path.count > 1, path.hasSuffix("/") { path.removeLast() }
            if Posix.exists(path) {
                guard Posix.isDirectory(path) else { throw BenchError("--dir \(path) exists and is not a folder") }
                guard let entries = try? FileManager.default.contentsOfDirectory(atPath: path), entries.isEmpty else {
                    throw BenchError("--dir \(path) is not empty; give a new or empty folder (it is deleted at the end)")
                }
                made = false
            } else if mkdir(path, 0o755) != 0 {
                throw BenchError("cannot make \(path): \(Posix.errorText())")
            }
        } else {
            var base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
            if base.isEmpty || !Posix.isDirectory(base) { base = "/tmp" }
            while base.count > 1, base.hasSuffix("/") { base.removeLast() }
            var template = Array((base + "/usher-bench-XXXXXX").utf8CString)
            let result = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
            guard let result else { throw BenchError("cannot make a folder in \(base): \(Posix.errorText())") }
            path = String(cString: result)
        }
        if let real = realpath(path, nil) {
            path = String(cString: real)
            free(real)
        }
        return (path, made)
    }

    // MARK: - Output

    static func note(_ text: String) {
        FileHandle.standardError.write(Data(("usher-bench: " + text + "\n").utf8))
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data(("usher-bench: error: " + text + "\n").utf8))
    }
}

func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + out
}

/// Writes a line to stdout at once (unbuffered, so it stays in order with the notes on stderr).
func say(_ text: String = "") {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
