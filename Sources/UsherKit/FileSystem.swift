#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import UsherCore

/// A POSIX error with the path and operation it came from.
public struct FileSystemError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var code: Int32

    public var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
    public var isCrossDevice: Bool { code == EXDEV }
    public var alreadyExists: Bool { code == EEXIST }
}

/// Thin, fast wrappers around the system calls the scanner and the executor need.
enum FileSystem {
    enum EntryType: Sendable { case directory, file, symlink, other }

    struct Entry: Sendable {
        var name: String
        var type: EntryType
    }

    struct Status: Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var links: Int
        var isDirectory: Bool
        var isRegular: Bool
    }

    static func status(_ path: String, followLinks: Bool = true) -> Status? {
        var st = stat()
        let rc = followLinks ? stat(path, &st) : lstat(path, &st)
        guard rc == 0 else { return nil }
        let type = st.st_mode & S_IFMT
        return Status(
            device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size), links: Int(st.st_nlink),
            isDirectory: type == S_IFDIR, isRegular: type == S_IFREG)
    }

    static func observe(_ path: String) -> PathObservation {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            let code = errno
            return code == ENOENT || code == ENOTDIR ? .missing : .unknown(reason: String(cString: strerror(code)))
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG:
            return .file(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size), links: Int(st.st_nlink))
        case S_IFLNK:
            guard let destination = readLink(path) else { return .unknown(reason: "cannot read the symlink") }
            return .symlink(destination: destination)
        case S_IFDIR:
            return .directory
        default:
            return .other
        }
    }

    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The entries of a folder (without `.` and `..`), or `nil` if it cannot be read.
    /// Whether a folder holds any entry `keep` accepts (`nil`: it cannot be read). Stops at the first.
    static func holdsAny(_ path: String, where keep: (String) -> Bool) -> Bool? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != ".", name != "..", keep(name) { return true }
        }
        return false
    }

    static func list(_ path: String) -> [Entry]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var entries: [Entry] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            var type: EntryType
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_DIR): type = .directory
            case Int32(DT_REG): type = .file
            case Int32(DT_LNK): type = .symlink
            case Int32(DT_UNKNOWN):
                var st = stat()
                if lstat(path + "/" + name, &st) != 0 { continue }
                switch st.st_mode & S_IFMT {
                case S_IFDIR: type = .directory
                case S_IFREG: type = .file
                case S_IFLNK: type = .symlink
                default: type = .other
                }
            default: type = .other
            }
            entries.append(Entry(name: name, type: type))
        }
        return entries
    }

    /// The path with every symlink on the way followed: the real path of its nearest existing folder,
    /// and the rest (which does not exist yet, so holds no symlink) appended.
    static func resolved(_ path: String) -> String {
        var existing = path
        var rest: [String] = []
        while true {
            if let real = realpath(existing, nil) {
                defer { free(real) }
                return rest.reversed().reduce(String(cString: real)) { Paths.join($0, $1) }
            }
            let parent = Paths.parent(existing)
            if parent == existing { return path }
            rest.append(Paths.lastComponent(existing))
            existing = parent
        }
    }

    /// The device of a path, or of its nearest existing parent.
    static func device(ofNearestExisting path: String) -> UInt64? {
        var current = path
        while true {
            if let st = status(current) { return st.device }
            let parent = Paths.parent(current)
            if parent == current { return nil }
            current = parent
        }
    }

    static func makeDirectories(_ path: String) throws(FileSystemError) {
        if let st = status(path) {
            if st.isDirectory { return }
            throw FileSystemError(operation: "create folder", path: path, code: ENOTDIR)
        }
        try makeDirectories(Paths.parent(path))
        if mkdir(path, 0o777) != 0, errno != EEXIST {
            throw FileSystemError(operation: "create folder", path: path, code: errno)
        }
    }

    static func hardLink(from source: String, to target: String) throws(FileSystemError) {
        if link(source, target) != 0 { throw FileSystemError(operation: "hardlink", path: target, code: errno) }
    }

    static func symbolicLink(destination: String, at target: String) throws(FileSystemError) {
        if symlink(destination, target) != 0 { throw FileSystemError(operation: "symlink", path: target, code: errno) }
    }

    static func move(_ from: String, to: String) throws(FileSystemError) {
        if rename(from, to) != 0 { throw FileSystemError(operation: "rename", path: to, code: errno) }
    }

    static func remove(_ path: String) throws(FileSystemError) {
        if unlink(path) != 0 { throw FileSystemError(operation: "remove", path: path, code: errno) }
    }

    /// Whether two files have the same bytes (sizes are compared first).
    static func sameContents(_ a: String, _ b: String) -> Bool {
        guard let sa = status(a), let sb = status(b), sa.size == sb.size else { return false }
        let fa = open(a, O_RDONLY), fb = open(b, O_RDONLY)
        defer {
            if fa >= 0 { close(fa) }
            if fb >= 0 { close(fb) }
        }
        guard fa >= 0, fb >= 0 else { return false }
        let size = 1 << 20
        var ba = [UInt8](repeating: 0, count: size), bb = [UInt8](repeating: 0, count: size)
        while true {
            let na = readFully(fa, &ba), nb = readFully(fb, &bb)
            if na != nb { return false }
            if na <= 0 { return na == 0 }
            if ba[0..<na] != bb[0..<nb] { return false }
        }
    }

    private static func readFully(_ fd: Int32, _ buffer: inout [UInt8]) -> Int {
        var total = 0
        while total < buffer.count {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + total, $0.count - total) }
            if n < 0 { if errno == EINTR { continue }; return -1 }
            if n == 0 { break }
            total += n
        }
        return total
    }
}

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
