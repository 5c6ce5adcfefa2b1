import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What the figures were measured on.
struct MachineFacts {
    var cpu: String
    var cores: Int
    var memory: String
    var kernel: String
    var filesystem: String

    static func collect(folder: String) -> MachineFacts {
        let cpuinfo = Posix.readTextFile("/proc/cpuinfo") ?? ""
        var cpu = "unknown CPU"
        for line in cpuinfo.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            if key == "model name" || key == "Hardware" || key == "cpu model" {
                cpu = parts[1].trimmingCharacters(in: .whitespaces)
                break
            }
        }
        var memory = "unknown"
        for line in (Posix.readTextFile("/proc/meminfo") ?? "").split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kib = Double(fields[1]) {
                memory = String(format: "%.1f GiB", kib / 1024 / 1024)
            }
        }
        var names = utsname()
        uname(&names)
        func text<T>(_ field: inout T) -> String {
            withUnsafePointer(to: &field) { $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout<T>.size) { String(cString: $0) } }
        }
        let kernel = "\(text(&names.sysname)) \(text(&names.release)) \(text(&names.machine))"
        return MachineFacts(
            cpu: cpu, cores: ProcessInfo.processInfo.activeProcessorCount, memory: memory, kernel: kernel,
            filesystem: filesystemType(of: folder))
    }

    /// The type of the file system holding `path`, from the longest matching mount in mountinfo.
    static func filesystemType(of path: String) -> String {
        var resolved = path
        if let real = realpath(path, nil) {
            resolved = String(cString: real)
            free(real)
        }
        var best: (length: Int, type: String)?
        for line in (Posix.readTextFile("/proc/self/mountinfo") ?? "").split(separator: "\n") {
            let halves = line.components(separatedBy: " - ")
            guard halves.count >= 2 else { continue }
            let fields = halves[0].split(separator: " ")
            guard fields.count >= 5 else { continue }
            let mount = String(fields[4]).replacingOccurrences(of: "\\040", with: " ")
            let inside = mount == "/" || resolved == mount || resolved.hasPrefix(mount + "/")
            guard inside, mount.count >= (best?.length ?? -1) else { continue }
            let type = halves[1].split(separator: " ").first.map(String.init) ?? "?"
            best = (mount.count, type)
        }
        return best?.type ?? "unknown file system"
    }
}
