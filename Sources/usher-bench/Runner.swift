import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One timed child process.
struct ChildRun {
    var seconds: Double
    /// Peak resident set of the child, from wait4's `ru_maxrss` (KiB on Linux).
    var maxRSSKiB: Int
    /// CPU time (user and system) of the child, from wait4.
    var cpuSeconds: Double
    var exitDescription: String
    var succeeded: Bool
    var stdout: [UInt8]
    var stderr: [UInt8]
}

/// The counts `usher link --json` reports.
struct LinkCounts {
    var created: Int
    var unchanged: Int
    var replaced: Int
    var removed: Int
    var conflicts: Int
    var errors: Int
    /// `full`, `incremental` or `settled` (`pass` at the top of `link --json`).
    var pass: String?

    var changes: Int { created + replaced + removed }
}

enum Runner {
    /// Runs `executable` with `arguments`, stdout and stderr going to unlinked temporary files in
    /// `scratch` (so output of any size is kept without a reader thread), and times it.
    ///
    /// With a `launcher` (this executable: see `Launcher`), the launcher starts the child, times it and
    /// reads its peak RSS, so that only the launcher's small footprint, not ours, is folded into the
    /// child's `ru_maxrss`.
    static func run(_ executable: String, _ arguments: [String], scratch: String, launcher: String? = nil) throws(BenchError) -> ChildRun {
        let outFD = try temporaryFile(in: scratch)
        defer { close(outFD) }
        let errFD = try temporaryFile(in: scratch)
        defer { close(errFD) }
        let reportFD = launcher == nil ? -1 : try temporaryFile(in: scratch)
        defer { if reportFD >= 0 { close(reportFD) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outFD, 1)
        posix_spawn_file_actions_adddup2(&actions, errFD, 2)
        if reportFD >= 0 { posix_spawn_file_actions_adddup2(&actions, reportFD, Launcher.reportDescriptor) }

        // We ignore SIGINT/SIGTERM ourselves (a dispatch source handles them); the child must not.
        var attributes = Posix.childSpawnAttributes()
        defer { posix_spawnattr_destroy(&attributes) }

        let command = launcher.map { [$0, Launcher.flag, executable] } ?? [executable]
        let argv: [UnsafeMutablePointer<CChar>?] = (command + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }

        if Interrupt.shared.isSet { throw BenchError("interrupted") }
        Posix.shrinkBeforeSpawn()
        var pid: pid_t = 0
        let start = Posix.now()
        let code = posix_spawn(&pid, command[0], &actions, &attributes, argv, environ)
        if code != 0 { throw BenchError("cannot start \(command[0]): \(Posix.errorText(code))") }
        Interrupt.shared.setChild(pid)
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            if errno != EINTR {
                Interrupt.shared.setChild(0)
                throw BenchError("wait4 failed: \(Posix.errorText())")
            }
        }
        var seconds = Posix.now() - start
        Interrupt.shared.setChild(0)
        var maxRSSKiB = Int(usage.ru_maxrss)
        var cpuSeconds = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6

        if reportFD >= 0 {
            // The launcher's own exit status only says whether it could start and wait for the child.
            let text = String(decoding: Posix.readAll(reportFD), as: UTF8.self)
            let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int($0) }
            guard status == 0, fields.count == 4 else {
                let problem = String(decoding: Posix.readAll(errFD).suffix(2000), as: UTF8.self)
                throw BenchError("the launcher could not run \(executable) (wait status \(status), report '\(text)'): \(problem)")
            }
            seconds = Double(fields[0]) / 1e9
            maxRSSKiB = fields[1]
            status = Int32(truncatingIfNeeded: fields[2])
            cpuSeconds = Double(fields[3]) / 1e6
        }

        let signal = status & 0x7f
        let exitCode = (status >> 8) & 0xff
        let description = signal == 0 ? "exit code \(exitCode)" : "killed by signal \(signal)"
        return ChildRun(
            seconds: seconds, maxRSSKiB: maxRSSKiB, cpuSeconds: cpuSeconds, exitDescription: description,
            succeeded: signal == 0 && exitCode == 0, stdout: Posix.readAll(outFD), stderr: Posix.readAll(errFD))
    }

    private static func temporaryFile(in folder: String) throws(BenchError) -> Int32 {
        var template = Array((folder + "/.usher-bench-output-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if fd < 0 { throw BenchError("cannot make a temporary file in \(folder): \(Posix.errorText())") }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return fd
    }

    /// Reads the counts from `usher link --json` output. The keys may sit at the top level or in an
    /// object one level down (such as a summary); if the output is JSON lines, the last line is used.
    static func counts(fromJSON bytes: [UInt8]) throws(BenchError) -> LinkCounts {
        let data = Data(bytes)
        var object = try? JSONSerialization.jsonObject(with: data)
        if object == nil {
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            if let last = lines.last { object = try? JSONSerialization.jsonObject(with: Data(last.utf8)) }
        }
        guard let top = object as? [String: Any] else {
            let preview = String(decoding: bytes.prefix(300), as: UTF8.self)
            throw BenchError("usher's stdout is not a JSON object (\(bytes.count) bytes): \(preview)")
        }
        func find(_ key: String) -> Any? {
            if let value = top[key] { return value }
            for name in top.keys.sorted() {
                if let nested = top[name] as? [String: Any], let value = nested[key] { return value }
            }
            return nil
        }
        func missing(_ key: String, _ what: String) -> BenchError {
            BenchError("usher's JSON has no \(what) '\(key)' (top-level keys: \(top.keys.sorted().joined(separator: ", ")))")
        }
        func integer(_ key: String) throws(BenchError) -> Int {
            guard let value = find(key) as? NSNumber else { throw missing(key, "integer") }
            return value.intValue
        }
        func length(_ key: String) throws(BenchError) -> Int {
            guard let value = find(key) else { throw missing(key, "array") }
            if let array = value as? [Any] { return array.count }
            if let number = value as? NSNumber { return number.intValue }
            throw missing(key, "array")
        }
        return LinkCounts(
            created: try integer("created"), unchanged: try integer("unchanged"), replaced: try integer("replaced"),
            removed: try integer("removed"), conflicts: try length("conflicts"), errors: try length("errors"),
            pass: top["pass"] as? String)
    }
}
