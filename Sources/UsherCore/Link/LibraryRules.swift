/// How Usher reads a library folder: which file of a movie folder is the movie, which folder of a
/// show is which season.
public enum LibraryRules {
    /// Folders Plex and Radarr use for extras; their videos are never the main file.
    public static let extrasFolders: Set<String> = [
        "extras", "featurettes", "behind the scenes", "deleted scenes", "interviews", "scenes", "shorts",
        "trailers", "other", "others", "sample", "samples", "bonus", "bts",
    ]

    /// Plex's local-extras suffixes (`Movie-trailer.mkv`).
    static let extrasSuffixes = ["-behindthescenes", "-deleted", "-featurette", "-interview", "-scene", "-short", "-trailer", "-other", "-sample"]

    public static func isExtrasFolder(_ name: String) -> Bool { extrasFolders.contains(name.lowercased()) }

    /// A sample or a local extra, by its name.
    public static func isExtra(fileName: String) -> Bool {
        let base = Paths.splitExtension(fileName).base.lowercased()
        if extrasSuffixes.contains(where: { base.hasSuffix($0) }) { return true }
        let words = base.split(whereSeparator: { !($0.isLetter || $0.isNumber) })
        return words.contains("sample")
    }

    public static func isVideo(_ fileName: String, extensions: Set<String>) -> Bool {
        guard !fileName.hasPrefix(".") else { return false }
        return extensions.contains(Paths.splitExtension(fileName).ext.lowercased())
    }

    /// The movie of a folder: the largest video that is not a sample or an extra. Ties go to the
    /// first name in sort order, so the choice is stable.
    public static func mainFile(_ files: [(path: String, size: Int64)]) -> (path: String, size: Int64)? {
        files.filter { !isExtra(fileName: Paths.lastComponent($0.path)) }
            .min { a, b in a.size != b.size ? a.size > b.size : a.path < b.path }
    }

    /// The season a folder holds: `Season 3`, `Season 03`, `season03`, `S03`, `Specials` (0).
    public static func season(ofFolder name: String) -> Int? {
        let lower = name.lowercased().trimmingSpaces()
        if lower == "specials" || lower == "special" { return 0 }
        var rest = Substring(lower)
        if rest.hasPrefix("season") { rest = rest.dropFirst("season".count) } else if rest.hasPrefix("s") { rest = rest.dropFirst() } else { return nil }
        rest = Substring(rest.trimmingSpaces())
        guard !rest.isEmpty, rest.count <= 4, rest.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(rest)
    }

    /// The season folder to link into: an existing folder for that season if the show has one
    /// (so `Specials` or `Season 0` is reused), else the configured name.
    public static func seasonFolder(season: Int, existing: [String], configured: String) -> String {
        if existing.contains(configured) { return configured }
        return existing.sorted().first { self.season(ofFolder: $0) == season } ?? configured
    }
}
