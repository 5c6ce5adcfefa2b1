/// How a path seen by another app maps to this machine (`/data` in Sonarr's container is `/mnt/storage/data` here).
public struct PathMapping: Sendable, Hashable {
    public var remote: String
    public var local: String

    public init(remote: String, local: String) {
        self.remote = Self.trimmed(remote)
        self.local = Self.trimmed(local)
    }

    private static func trimmed(_ path: String) -> String {
        var path = path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }
}

/// Translates paths between another app's view and this machine's, by the longest matching prefix
/// (whole path components only: `/data` does not match `/database`).
public struct PathTranslator: Sendable {
    public var mappings: [PathMapping]

    public init(_ mappings: [PathMapping]) {
        self.mappings = mappings
    }

    public func toLocal(_ path: String) -> String {
        translate(path, from: \.remote, to: \.local)
    }

    public func toRemote(_ path: String) -> String {
        translate(path, from: \.local, to: \.remote)
    }

    private func translate(_ path: String, from: KeyPath<PathMapping, String>, to: KeyPath<PathMapping, String>) -> String {
        var best: PathMapping?
        for mapping in mappings where Self.isPrefix(mapping[keyPath: from], of: path) {
            if best == nil || mapping[keyPath: from].count > best![keyPath: from].count { best = mapping }
        }
        guard let best else { return path }
        let prefix = best[keyPath: from]
        let rest = path.dropFirst(prefix == "/" ? 0 : prefix.count)
        let base = best[keyPath: to]
        if rest.isEmpty { return base }
        return base == "/" ? String(rest) : base + rest
    }

    /// Whether `prefix` is `path` or one of its parent folders.
    public static func isPrefix(_ prefix: String, of path: String) -> Bool {
        if prefix == "/" { return path.hasPrefix("/") }
        return path == prefix || (path.hasPrefix(prefix) && path.utf8.dropFirst(prefix.utf8.count).first == UInt8(ascii: "/"))
    }
}
