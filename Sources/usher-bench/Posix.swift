import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Thin wrappers over the system calls the generator and the cleanup use (no FileManager: it is an
/// order of magnitude slower on hundreds of thousands of files).
enum Posix {
    /// Spawn attributes for a child: SIGINT, SIGTERM and SIGPIPE back to their defaults (this process
    /// handles or ignores them; the child must not) and no signal blocked. Destroy them after use.
    static func childSpawnAttributes() -> posix_spawnattr_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        return attributes
    }

    static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// Seconds on the monotonic clock.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// CPU time (user and system) this process has used so far, all threads.
    static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Makes `name` inside the folder `parent` and returns an open descriptor of it.
    static func makeDirectory(at parent: Int32, _ name: String, context: String) throws(BenchError) -> Int32 {
        if mkdirat(parent, name, 0o755) != 0 {
            throw BenchError("cannot make folder \(context)/\(name): \(errorText())")
        }
        return try openDirectory(at: parent, name, context: context)
    }

    static func openDirectory(at parent: Int32, _ name: String, context: String) throws(BenchError) -> Int32 {
        let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 { throw BenchError("cannot open folder \(context)/\(name): \(errorText())") }
        return fd
    }

    /// Creates a new sparse file of `size` bytes: no data blocks are allocated.
    static func makeSparseFile(at parent: Int32, _ name: String, size: Int64, context: String) throws(BenchError) {
        let fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 { throw BenchError("cannot create \(context)/\(name): \(errorText())") }
        if ftruncate(fd, off_t(size)) != 0 {
            let code = errno
            close(fd)
            throw BenchError("cannot size \(context)/\(name): \(errorText(code))")
        }
        close(fd)
    }

    /// Lowers this process's resident memory and its recorded peak before a child is spawned. Linux
    /// folds the parent's peak RSS into the child's `ru_maxrss` (posix_spawn shares the parent's memory
    /// until exec), so a lean launcher keeps the child's figure honest.
    static func shrinkBeforeSpawn() {
        typealias Trim = @convention(c) (Int) -> Int32
        if let symbol = dlsym(nil, "malloc_trim") {
            _ = unsafeBitCast(symbol, to: Trim.self)(0)
        }
        let fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC)
        if fd >= 0 {
            _ = write(fd, "5", 1)
            close(fd)
        }
    }

    static func writeFile(_ path: String, _ text: String) throws(BenchError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw BenchError("cannot write \(path): \(errorText())") }
        defer { close(fd) }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw BenchError("cannot write \(path): \(errorText())")
            }
            bytes = bytes.dropFirst(written)
        }
    }

    /// The whole content of an open file, from its start.
    static func readAll(_ fd: Int32) -> [UInt8] {
        lseek(fd, 0, SEEK_SET)
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            result.append(contentsOf: buffer[0..<n])
        }
        return result
    }

    static func readTextFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        defer { close(fd) }
        return String(decoding: readAll(fd), as: UTF8.self)
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// The names in an open folder, without `.` and `..`, with whether each is a folder.
    static func entries(of fd: Int32) -> [(name: String, isDirectory: Bool)] {
        let dupFD = dup(fd)
        guard dupFD >= 0, let dir = fdopendir(dupFD) else { return [] }
        defer { closedir(dir) }
        var result: [(String, Bool)] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            var isDir: Bool
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_DIR): isDir = true
            case Int32(DT_UNKNOWN):
                var st = stat()
                isDir = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
            default: isDir = false
            }
            result.append((name, isDir))
        }
        return result
    }

    /// Deletes the folder `name` inside `parent` and everything below it. Returns the first failure.
    @discardableResult
    static func removeTree(at parent: Int32, _ name: String) -> String? {
        let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 {
            if errno == ENOENT { return nil }
            if errno == ENOTDIR || errno == ELOOP { return unlinkat(parent, name, 0) == 0 ? nil : "\(name): \(errorText())" }
            return "\(name): \(errorText())"
        }
        var failure: String?
        for entry in entries(of: fd) {
            let problem =
                entry.isDirectory
                ? removeTree(at: fd, entry.name)
                : (unlinkat(fd, entry.name, 0) == 0 || errno == ENOENT ? nil : "\(entry.name): \(errorText())")
            if failure == nil, let problem { failure = "\(name)/\(problem)" }
        }
        close(fd)
        if unlinkat(parent, name, AT_REMOVEDIR) != 0, errno != ENOENT, failure == nil {
            failure = "\(name): \(errorText())"
        }
        return failure
    }

    /// Deletes `path` recursively, spreading the folders of its first two levels over `jobs` threads.
    static func removeTreeFast(_ path: String, jobs: Int) -> String? {
        let parentPath = (path as NSString).deletingLastPathComponent
        let leaf = (path as NSString).lastPathComponent
        let parent = open(parentPath.isEmpty ? "." : parentPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if parent < 0 { return "\(parentPath): \(errorText())" }
        defer { close(parent) }
        let root = openat(parent, leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
        if root < 0 { return errno == ENOENT ? nil : "\(path): \(errorText())" }
        defer { close(root) }
        // Work items: (descriptor of a folder, name of a child folder), one level below the big folders.
        var openFDs: [Int32] = []
        var work: [(Int32, String)] = []
        for entry in entries(of: root) where entry.isDirectory {
            let fd = openat(root, entry.name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
            if fd < 0 { continue }
            openFDs.append(fd)
            for child in entries(of: fd) {
                if child.isDirectory { work.append((fd, child.name)) } else { unlinkat(fd, child.name, 0) }
            }
        }
        let failures = Failures()
        let items = work
        let chunk = 64
        try? parallelFor(count: (items.count + chunk - 1) / chunk, jobs: jobs, interruptible: false) { index in
            for i in (index * chunk)..<min(items.count, (index + 1) * chunk) {
                if let problem = removeTree(at: items[i].0, items[i].1) { failures.add(problem) }
            }
        }
        for fd in openFDs { close(fd) }
        if let problem = removeTree(at: parent, leaf) { failures.add(problem) }
        return failures.first
    }
}

/// The first failure reported by any of several threads.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var value: String?
    func add(_ text: String) {
        lock.lock()
        if value == nil { value = text }
        lock.unlock()
    }
    var first: String? {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
