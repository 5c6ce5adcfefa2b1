#if canImport(Glibc)
    import Glibc
#endif

/// `usher-bench --internal-launch EXECUTABLE ARGUMENTS...`: starts one child, waits for it and writes
/// `nanoseconds peak-RSS-KiB wait-status CPU-microseconds` to descriptor 3.
///
/// Linux folds the resident memory of the process that spawns a child into the child's `ru_maxrss`
/// (posix_spawn shares the parent's memory until exec). In `--api` mode the benchmark process holds
/// the fake Sonarr and Radarr with the whole library, so it does not spawn `usher` itself: it starts
/// this launcher (a fresh process with a small footprint), which spawns `usher` and reports the
/// child's own figures. The launcher uses no Foundation, to stay small.
enum Launcher {
    static let flag = "--internal-launch"
    static let reportDescriptor: Int32 = 3

    static func main(_ arguments: [String]) -> Int32 {
        guard let executable = arguments.first else {
            complain("usage: usher-bench \(flag) EXECUTABLE [ARGUMENTS...]")
            return 2
        }
        _ = fcntl(reportDescriptor, F_SETFD, FD_CLOEXEC)
        launchedChild = 0
        signal(SIGINT, forwardSignal)
        signal(SIGTERM, forwardSignal)

        var attributes = Posix.childSpawnAttributes()
        defer { posix_spawnattr_destroy(&attributes) }

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }

        var pid: pid_t = 0
        let start = monotonicNanoseconds()
        let code = posix_spawn(&pid, executable, nil, &attributes, argv, environ)
        if code != 0 {
            complain("cannot start \(executable): \(String(cString: strerror(code)))")
            return 127
        }
        launchedChild = pid
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            if errno != EINTR {
                complain("wait4 failed: \(String(cString: strerror(errno)))")
                return 1
            }
        }
        let elapsed = monotonicNanoseconds() - start
        launchedChild = 0
        let cpu = (Int64(usage.ru_utime.tv_sec) + Int64(usage.ru_stime.tv_sec)) * 1_000_000 + Int64(usage.ru_utime.tv_usec) + Int64(usage.ru_stime.tv_usec)
        let report = Array("\(elapsed) \(usage.ru_maxrss) \(status) \(cpu)\n".utf8)
        let written = report.withUnsafeBytes { write(reportDescriptor, $0.baseAddress, $0.count) }
        return written == report.count ? 0 : 1
    }

    private static func monotonicNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    private static func complain(_ text: String) {
        let bytes = Array("usher-bench launcher: \(text)\n".utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}

/// The child the launcher waits for; read by its signal handler (a plain word, set before the handler
/// can need it).
nonisolated(unsafe) private var launchedChild: pid_t = 0

/// Passes SIGINT and SIGTERM on to the child, so an interrupted benchmark does not leave it running.
private func forwardSignal(_ signal: Int32) {
    let pid = launchedChild
    if pid > 0 { kill(pid, signal) }
}
