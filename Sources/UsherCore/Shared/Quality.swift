/// A release quality as Sonarr names it (`Bluray-1080p`, `WEBDL-720p Proper`).
public struct Quality: Hashable, Sendable {
    public var title: String
    public var proper: Bool
    public var real: Bool

    public init(title: String, proper: Bool = false, real: Bool = false) {
        self.title = title
        self.proper = proper
        self.real = real
    }

    /// `{Quality Full}`: the title, then `Proper` and `REAL` when they apply.
    public var full: String {
        ([title] + (proper ? ["Proper"] : []) + (real ? ["REAL"] : [])).joined(separator: " ")
    }

    /// Quality titles Radarr and Sonarr write into file names, longest first so `WEBDL-1080p` wins over `DVD`.
    static let knownTitles: [String] = {
        var titles = ["Raw-HD", "BR-DISK", "DVD-R", "DVDSCR", "REGIONAL", "TELECINE", "TELESYNC", "WORKPRINT", "SDTV", "DVD", "CAM"]
        for source in ["Bluray", "WEBDL", "WEBRip", "HDTV", "Remux"] {
            for resolution in ["480p", "576p", "720p", "1080p", "2160p"] { titles.append("\(source)-\(resolution)") }
        }
        return titles.sorted { $0.count > $1.count }
    }()

    /// The quality named in a file name: a quality title as Radarr writes it (`Bluray-1080p`,
    /// `[WEBDL-720p Proper]`), else one inferred from a scene name (`Movie.2008.1080p.BluRay.x264`).
    /// Remuxes use Sonarr's title (`Bluray-1080p Remux`).
    public static func parse(fileName: String) -> Quality? {
        // After a "(2018)" comes the release information; before it, the title (a film called "Cam").
        var fileName = fileName
        if let close = fileName.lastIndex(of: ")"), let open = fileName[..<close].lastIndex(of: "("),
            let (_, _) = TitleMatching.trailingYear(in: fileName[...close]), fileName.distance(from: open, to: close) == 5
        {
            fileName = String(fileName[fileName.index(after: close)...])
        }
        let name = fileName.lowercased()
        let words = Self.words(name)
        let proper = words.contains("proper") || words.contains("repack")
        let real = fileName.split(whereSeparator: { !$0.isLetter }).contains("REAL")
        for title in knownTitles {
            if containsWord(name, title.lowercased()) {
                return Quality(title: sonarrTitle(title), proper: proper, real: real)
            }
        }
        let resolution =
            ["2160p", "1080p", "720p", "576p", "480p"].first { words.contains($0) }
            ?? (words.contains("4k") || words.contains("uhd") ? "2160p" : nil)
        let source: String? =
            if words.contains("remux") {
                "Remux"
            } else if words.contains("bluray") || words.contains("bdrip") || words.contains("brrip") || name.contains("blu-ray") {
                "Bluray"
            } else if words.contains("webrip") { "WEBRip" } else if words.contains("webdl") || name.contains("web-dl") || words.contains("web") {
                "WEBDL"
            } else if words.contains("hdtv") { "HDTV" } else if words.contains("dvdrip") || words.contains("dvd") { "DVD" } else { nil }
        guard let source else { return nil }
        if source == "DVD" { return Quality(title: "DVD", proper: proper, real: real) }
        guard let resolution else { return nil }
        return Quality(title: sonarrTitle("\(source)-\(resolution)"), proper: proper, real: real)
    }

    private static func sonarrTitle(_ title: String) -> String {
        title.hasPrefix("Remux-") ? "Bluray-" + title.dropFirst("Remux-".count) + " Remux" : title
    }

    private static func words(_ name: String) -> Set<String> {
        Set(name.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init))
    }

    private static func containsWord(_ haystack: String, _ needle: String) -> Bool {
        var rest = Substring(haystack)
        while let range = rest.range(of: needle) {
            let before = range.lowerBound == haystack.startIndex ? nil : haystack[haystack.index(before: range.lowerBound)]
            let after = range.upperBound == haystack.endIndex ? nil : haystack[range.upperBound]
            let boundary: (Character?) -> Bool = { c in c.map { !($0.isLetter || $0.isNumber) } ?? true }
            if boundary(before), boundary(after) { return true }
            rest = haystack[haystack.index(after: range.lowerBound)...]
        }
        return false
    }
}

extension Quality {
    /// An order for comparing two qualities the way Sonarr's and Radarr's default profiles do:
    /// resolution first, then source (Remux, Bluray, WEB-DL, WEBRip, HDTV, DVD, SDTV, the rest),
    /// then Proper/REAL. Only for "is the movie at least as good as the episode file?".
    public var rank: (resolution: Int, source: Int, revision: Int) {
        let t = title.lowercased()
        let resolution = [2160, 1080, 720, 576, 480].first { t.contains("\($0)p") } ?? (t.contains("dvd") || t.contains("sdtv") ? 480 : 0)
        let sources: [(String, Int)] = [
            ("remux", 8), ("bluray", 7), ("br-disk", 7), ("raw-hd", 6), ("webdl", 5), ("web-dl", 5),
            ("webrip", 4), ("hdtv", 3), ("dvd", 2), ("sdtv", 1),
        ]
        let source = sources.first { t.contains($0.0) }?.1 ?? 0
        return (resolution, source, (proper ? 1 : 0) + (real ? 1 : 0))
    }

    /// Whether this quality is at least `other`'s (an unknown `other` is always matched).
    public func isAtLeast(_ other: Quality?) -> Bool {
        guard let other else { return true }
        let a = rank, b = other.rank
        return (a.resolution, a.source, a.revision) >= (b.resolution, b.source, b.revision)
    }
}
