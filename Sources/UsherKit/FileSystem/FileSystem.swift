import Foundation
import UsherCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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

    /// The modification time in nanoseconds (a folder's changes when an entry is added, removed or renamed).
    static func modificationTime(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
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
