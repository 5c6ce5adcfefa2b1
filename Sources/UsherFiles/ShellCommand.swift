import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The command of a `!cmd` value: `/bin/sh -c COMMAND`, its standard output read, bounded in time.
///
/// It runs in a process group of its own, so at the deadline the whole group is killed: a command
/// that hangs, sleeps, keeps its output open or leaves a child holding it cannot hold Usher (and cron
/// runs cannot pile up behind it).
package enum ShellCommand {
    package struct Failure: Error, CustomStringConvertible {
        package var message: String
        package var description: String { message }
    }

    /// Standard output beyond this is an error (a secret is a line, not a file dump).
    package static let maxOutput = 1 << 20

    package static func run(_ command: String, timeout: Duration) throws(Failure) -> String {
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else { throw Failure(message: "cannot make a pipe: \(String(cString: strerror(errno)))") }
        let (readEnd, writeEnd) = (pipeFDs[0], pipeFDs[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_addclose(&actions, writeEnd)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        var pid: pid_t = 0
        let arguments = ["/bin/sh", "-c", command]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, &argv, environ)
        close(writeEnd)
        guard spawned == 0 else {
            close(readEnd)
            throw Failure(message: "cannot start /bin/sh: \(String(cString: strerror(spawned)))")
        }

        let deadline = ContinuousClock.now + timeout
        func remainingMilliseconds() -> Int32 {
            let left = deadline - ContinuousClock.now
            if left <= .zero { return 0 }
            return Int32(min(Int64(Int32.max), left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1))
        }
        func stop(_ why: String) -> Failure {
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            close(readEnd)
            return Failure(message: why)
        }
        let seconds = "\(timeout.components.seconds) s"

        // Read until end of output, or the deadline.
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            var poller = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, remainingMilliseconds())
            if ready < 0 {
                if errno == EINTR { continue }
                throw stop("cannot read its output: \(String(cString: strerror(errno)))")
            }
            if ready == 0 { throw stop("did not finish within \(seconds) and was stopped (cmd_timeout_seconds)") }
            let n = read(readEnd, &buffer, buffer.count)
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw stop("cannot read its output: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            output += buffer[0..<n]
            if output.count > maxOutput { throw stop("printed more than \(maxOutput) bytes and was stopped") }
        }
        close(readEnd)

        // The output is closed; wait for the exit, still within the deadline.
        var status: Int32 = 0
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0, errno != EINTR {
                throw Failure(message: "cannot wait for it: \(String(cString: strerror(errno)))")
            }
            if ContinuousClock.now >= deadline {
                kill(-pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0, errno == EINTR {}
                throw Failure(message: "did not finish within \(seconds) and was stopped (cmd_timeout_seconds)")
            }
            usleep(2_000)
        }
        // The command is done; a child it left behind in its group is not Usher's to keep.
        kill(-pid, SIGKILL)
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        guard exited, code == 0 else {
            throw Failure(message: exited ? "exited with status \(code)" : "was killed by signal \(status & 0x7f)")
        }
        return String(decoding: output, as: UTF8.self)
    }
}
