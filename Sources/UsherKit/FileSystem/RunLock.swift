import Foundation
import UsherCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive lock on a file, held until `release()` or until the process dies (flock).
///
/// A lock file can be deleted while it is held (a person clearing "stale" lock files): a second run
/// would then create a new file and lock that. So the lock is only trusted while the file at `path`
/// is the one locked: `init` checks it after locking, and `verify()` (called before each change on
/// disk) checks it again, taking a new file under the lock if the old one vanished, and reporting
/// the lock lost if another run got there first.
public final class RunLock: @unchecked Sendable {
    public struct Busy: Error, CustomStringConvertible {
        public var path: String
        public var holder: String
        public var description: String { "another usher run holds the lock \(path)\(holder.isEmpty ? "" : " (pid \(holder))"); try again when it has finished" }
    }

    private let mutex = NSLock()
    private var fd: Int32
    public let path: String
    /// Set when a lock file of a process that no longer runs was taken over.
    public private(set) var takenOverFrom: String?

    /// The lock `statePath + suffix`, its folder created if need be. A folder Usher cannot create or
    /// write is an error that names it and what to do (not a raw system message).
    public static func beside(statePath: String, suffix: String) throws -> RunLock {
        let folder = Paths.parent(statePath)
        let advice = "set 'state:' in the config to a file in a folder Usher can write"
        do {
            try FileSystem.makeDirectories(folder)
        } catch {
            throw StateFolderError(message: "cannot create the state folder \(error.path): \(String(cString: strerror(error.code))) (\(advice))")
        }
        do {
            return try RunLock(path: statePath + suffix)
        } catch let error as FileSystemError {
            throw StateFolderError(message: "cannot write in the state folder \(folder): \(String(cString: strerror(error.code))) (\(advice))")
        }
    }

    public struct StateFolderError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public init(path: String) throws {
        self.path = path
        var attempts = 0
        while true {
            let (fd, previous) = try Self.lockFile(path)
            if Self.isFile(fd, at: path) {
                self.fd = fd
                if !previous.isEmpty { takenOverFrom = previous }
                break
            }
            // Deleted or replaced between open and flock: lock the file that is there now.
            close(fd)
            attempts += 1
            if attempts >= 20 { throw FileSystemError(operation: "take the lock (its file keeps changing)", path: path, code: EAGAIN) }
        }
        Self.writePID(fd)
    }

    /// Opens and locks the file at `path`; the pid read from it before.
    private static func lockFile(_ path: String) throws -> (Int32, String) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystemError(operation: "open lock", path: path, code: errno) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = pread(fd, &buffer, 63, 0)
        let previous = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw Busy(path: path, holder: previous)
        }
        return (fd, previous)
    }

    private static func isFile(_ fd: Int32, at path: String) -> Bool {
        var held = stat(), named = stat()
        guard fstat(fd, &held) == 0, stat(path, &named) == 0 else { return false }
        return held.st_dev == named.st_dev && held.st_ino == named.st_ino
    }

    private static func writePID(_ fd: Int32) {
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    /// Whether this run still holds the lock. If its file was deleted, a new one is created and locked
    /// (no other run can have passed `init` meanwhile without it); if another run locked a new file
    /// first, the lock is lost: stop changing anything.
    public func verify() -> Bool {
        mutex.withLock {
            if Self.isFile(fd, at: path) { return true }
            guard FileSystem.observe(path) == .missing, let (newFD, _) = try? Self.lockFile(path) else { return false }
            guard Self.isFile(newFD, at: path) else {
                close(newFD)
                return false
            }
            close(fd)
            fd = newFD
            Self.writePID(fd)
            return true
        }
    }

    public func release() {
        mutex.withLock {
            if Self.isFile(fd, at: path) { _ = ftruncate(fd, 0) }
            flock(fd, LOCK_UN)
            close(fd)
        }
    }
}
