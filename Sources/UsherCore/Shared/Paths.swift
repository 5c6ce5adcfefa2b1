/// Path arithmetic on absolute POSIX paths, without touching the disk.
public enum Paths {
    public static func join(_ base: String, _ components: String...) -> String {
        components.reduce(base) { path, component in
            component.isEmpty ? path : (path.hasSuffix("/") ? path + component : path + "/" + component)
        }
    }

    public static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    public static func lastComponent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// `("Movie (2008) Bluray-1080p", "mkv")`; a leading dot is part of the name, not an extension.
    public static func splitExtension(_ name: String) -> (base: String, ext: String) {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return (name, "") }
        return (String(name[..<dot]), String(name[name.index(after: dot)...]))
    }

    /// Resolves `.` and `..` and repeated slashes in an absolute path.
    public static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The relative path that leads from `directory` to `target`: what a relative symlink holds.
    public static func relative(from directory: String, to target: String) -> String {
        let from = normalize(directory).split(separator: "/")
        let to = normalize(target).split(separator: "/")
        var common = 0
        while common < from.count, common < to.count, from[common] == to[common] { common += 1 }
        let up = Array(repeating: "..", count: from.count - common)
        let down = to[common...].map(String.init)
        let parts = up + down
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// Whether `path` is `root` or lies below it.
    public static func isInside(_ path: String, _ root: String) -> Bool {
        let root = root.hasSuffix("/") ? String(root.dropLast()) : root
        return path == root || path.hasPrefix(root + "/")
    }
}
