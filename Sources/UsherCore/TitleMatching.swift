/// What a movie or show folder name says about its content: `24- Redemption (2008) {tmdb-13989}`.
public struct FolderName: Hashable, Sendable {
    public var title: String
    public var year: Int?
    public var tmdb: Int?
    public var tvdb: Int?
    public var imdb: String?
    /// The title in the form used for comparisons (see `TitleMatching.normalize`).
    public var key: String

    public init(parsing name: String) {
        var rest = name.trimmingSpaces()
        var tmdb: Int?, tvdb: Int?, imdb: String?
        // Trailing id tags in Plex/Radarr/Sonarr style: {tmdb-1}, [tmdbid-1], {imdb-tt1}, {tvdb-1}, {edition-X}.
        while let last = rest.last, last == "}" || last == "]" {
            let open: Character = last == "}" ? "{" : "["
            guard let start = rest.lastIndex(of: open) else { break }
            let tag = rest[rest.index(after: start)..<rest.index(before: rest.endIndex)].lowercased()
            let parts = tag.split(whereSeparator: { $0 == "-" || $0 == "=" }).map(String.init)
            if parts.count == 2 {
                switch parts[0] {
                case "tmdb", "tmdbid": tmdb = Int(parts[1])
                case "tvdb", "tvdbid": tvdb = Int(parts[1])
                case "imdb", "imdbid": imdb = parts[1]
                case "edition": break
                default: break
                }
                rest = rest[..<start].trimmingSpaces()
            } else {
                break
            }
        }
        var year: Int?
        if let (found, range) = TitleMatching.trailingYear(in: rest) {
            year = found
            rest = rest[..<range.lowerBound].trimmingSpaces()
        }
        self.title = rest
        self.year = year
        self.tmdb = tmdb
        self.tvdb = tvdb
        self.imdb = imdb
        self.key = TitleMatching.normalize(rest)
    }
}

/// Title comparison that forgives what file systems and people do to titles.
public enum TitleMatching {
    /// Lowercase; `&` reads as `and`; every run of punctuation or spaces becomes one space, so
    /// `24: Redemption`, `24- Redemption` and `24 - redemption` compare equal. Apostrophes vanish
    /// (`Grey's` = `Greys`).
    public static func normalize(_ title: String) -> String {
        var out = ""
        var pendingSpace = false
        for c in title.lowercased() {
            if c == "'" || c == "’" || c == "`" { continue }
            if c == "&" {
                if !out.isEmpty { out += " " }
                out += "and"
                pendingSpace = true
                continue
            }
            if c.isLetter || c.isNumber {
                if pendingSpace, !out.isEmpty { out.append(" ") }
                pendingSpace = false
                out.append(c)
            } else {
                pendingSpace = true
            }
        }
        return out
    }

    /// A year in parentheses at the end of a title: `(2008)`.
    public static func trailingYear<S: StringProtocol>(in title: S) -> (Int, Range<S.Index>)? {
        guard title.hasSuffix(")"), let open = title.lastIndex(of: "(") else { return nil }
        let inner = title[title.index(after: open)..<title.index(before: title.endIndex)]
        guard inner.count == 4, inner.allSatisfy({ $0.isASCII && $0.isNumber }), let year = Int(inner),
              (1870...2200).contains(year) else { return nil }
        return (year, open..<title.endIndex)
    }
}
