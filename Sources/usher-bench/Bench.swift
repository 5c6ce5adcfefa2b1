import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One measured pass, for the results table.
struct PassResult {
    var name: String
    var run: ChildRun
    var counts: LinkCounts
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
        say("  library:    \(grouped(options.movies)) movies, \(grouped(options.shows)) shows, \(grouped(options.episodes)) episodes, \(grouped(options.mappings)) mappings (seed \(options.seed))")

        note("generating the library with \(options.jobs) thread(s)...")
        let plan = LibraryPlan(options: options)
        let stats = try Generator.generate(plan, root: root, jobs: options.jobs)
        say(String(
            format: "  generation: %.1f s (%@ files, %@ folders, %.1f TB apparent, sparse; not part of the figures)",
            stats.seconds, grouped(stats.files), grouped(stats.folders), Double(stats.apparentBytes) / 1e12))
        let mappedShows = Set(plan.links.map(\.show)).count
        say("  mappings:   \(grouped(plan.links.count)) links to specials of \(grouped(mappedShows)) shows")

        if options.generateOnly {
            say("\nLibrary in \(root)")
            say("Run: usher link --config \(root)/usher.yml --json")
            return
        }

        // What ru_maxrss reports for a trivial child spawned the same way. The kernel keeps the larger of
        // the launcher's resident memory at exec and the child's own peak, so this is a lower bound on
        // every figure below, not an amount to subtract.
        var floorMiB: Double?
        if access("/bin/true", X_OK) == 0, let run = try? Runner.run("/bin/true", [], scratch: root), run.succeeded {
            floorMiB = Double(run.maxRSSKiB) / 1024
            say(String(format: "  RSS floor:  %.1f MiB (/bin/true measured the same way: Linux counts the launcher's resident memory in a child's ru_maxrss, so figures at this level are not the child's own)", floorMiB!))
        }

        let config = root + "/usher.yml"
        let moviePaths = Set(plan.links.map(\.movie)).sorted().map { root + "/" + plan.moviePath($0) }
        var results: [PassResult] = []

        func pass(_ name: String, dryRun: Bool) throws(BenchError) -> PassResult {
            note("\(name)...")
            var arguments = ["link", "--config", config, "--json"]
            if dryRun { arguments.insert("--dry-run", at: 3) }
            let run = try Runner.run(usher, arguments, scratch: root)
            guard run.succeeded else {
                FileHandle.standardError.write(Data(run.stderr))
                throw BenchError("\(name): `usher \(arguments.joined(separator: " "))` failed (\(run.exitDescription))")
            }
            let counts: LinkCounts
            do throws(BenchError) {
                counts = try Runner.counts(fromJSON: run.stdout)
            } catch {
                FileHandle.standardError.write(Data(run.stderr))
                throw BenchError("\(name): \(error.description)")
            }
            // Keep only what the table needs: a lean launcher keeps the next child's ru_maxrss honest.
            var kept = run
            kept.stdout = []
            let result = PassResult(name: name, run: kept, counts: counts)
            results.append(result)
            note(String(format: "  %.3f s, %.1f MiB, created %d, unchanged %d", run.seconds, Double(run.maxRSSKiB) / 1024, counts.created, counts.unchanged))
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

        var failure: BenchError?
        do throws(BenchError) {
            let dry = try pass("dry run, first pass", dryRun: true)
            if dry.counts.created != options.mappings {
                note("note: the dry run reported \(dry.counts.created) links to create, expected \(options.mappings)")
            }
            try checkLinkCounts(moviePaths, expected: 1, after: "the dry run")

            let first = try pass("first pass", dryRun: false)
            if first.counts.created != options.mappings {
                throw failed(first, "first pass: created \(first.counts.created) links, expected \(options.mappings)")
            }
            try checkLinkCounts(moviePaths, expected: 2, after: "the first pass")

            for i in 1...options.runs {
                let again = try pass("no-change pass \(i)", dryRun: false)
                if again.counts.changes != 0 {
                    throw failed(again, "no-change pass \(i): created \(again.counts.created), replaced \(again.counts.replaced), removed \(again.counts.removed); expected no changes")
                }
                if again.counts.unchanged != options.mappings {
                    note("note: no-change pass \(i) reported \(again.counts.unchanged) unchanged links, expected \(options.mappings)")
                }
            }
            try checkLinkCounts(moviePaths, expected: 2, after: "the no-change passes")
        } catch {
            failure = error
        }

        printTable(results)
        if options.markdown, failure == nil {
            say(markdown(results, options: options, machine: machine, stats: stats, floorMiB: floorMiB))
        }
        if let failure { throw failure }
        say("\nAll checks passed: the first pass created \(options.mappings) links, the no-change passes changed nothing.")
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
        let header = ["Pass", "Wall (s)", "Peak RSS (MiB)", "Created", "Unchanged", "Replaced", "Removed", "Conflicts", "Errors"]
        var rows: [[String]] = results.map { r in
            [r.name, String(format: "%.3f", r.run.seconds), String(format: "%.1f", Double(r.run.maxRSSKiB) / 1024),
             String(r.counts.created), String(r.counts.unchanged), String(r.counts.replaced), String(r.counts.removed),
             String(r.counts.conflicts), String(r.counts.errors)]
        }
        let again = noChangeRuns(results)
        if !again.isEmpty {
            rows.append([
                "no-change, median of \(again.count)", String(format: "%.3f", median(again.map(\.run.seconds))),
                String(format: "%.1f", median(again.map { Double($0.run.maxRSSKiB) / 1024 })), "", "", "", "", "", "",
            ])
        }
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

    private static func markdown(_ results: [PassResult], options: Options, machine: MachineFacts, stats: GenerationStats, floorMiB: Double?) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        let date = formatter.string(from: Date())
        func row(_ name: String, _ seconds: Double, _ rssMiB: Double, _ created: String, _ unchanged: String) -> String {
            "| \(name) | \(String(format: "%.3f", seconds)) | \(String(format: "%.1f", rssMiB)) | \(created) | \(unchanged) |"
        }
        var out = "\n<!-- usher-bench --markdown -->\n"
        out += "### \(date): \(grouped(options.movies)) movies, \(grouped(options.shows)) shows, \(grouped(options.episodes)) episodes, \(grouped(options.mappings)) mappings\n\n"
        out += "- Machine: \(machine.cpu), \(machine.cores) cores, \(machine.memory) RAM; \(machine.kernel); \(machine.filesystem)\n"
        out += String(format: "- Library: %@ files in %@ folders (sparse), generated in %.1f s (not measured); seed %llu\n",
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
            out += row("no-change pass (median of \(again.count): \(each))", median(again.map(\.run.seconds)),
                       median(again.map { Double($0.run.maxRSSKiB) / 1024 }),
                       String(again.map(\.counts.created).max() ?? 0), String(again.map(\.counts.unchanged).min() ?? 0)) + "\n"
        }
        return out
    }

    // MARK: - Folders and paths

    private static func defaultUsherPath() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return absolute("usher") }
        let exe = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (exe as NSString).deletingLastPathComponent + "/usher"
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
