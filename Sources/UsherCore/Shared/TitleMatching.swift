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
        // Most folder names are plain `Title (Year)`: take the short way when there is no tag.
        var rest = name
        if let first = rest.utf8.first, let last = rest.utf8.last, first == 0x20 || last == 0x20 { rest = rest.trimmingSpaces() }
        var tmdb: Int?, tvdb: Int?, imdb: String?
        // Trailing id tags in Plex/Radarr/Sonarr style: {tmdb-1}, [tmdbid-1], {imdb-tt1}, {tvdb-1}, {edition-X}.
        while let lastByte = rest.utf8.last, lastByte == UInt8(ascii: "}") || lastByte == UInt8(ascii: "]"), let last = rest.last {
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
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        func append(_ scalar: Unicode.Scalar) {
            if pendingSpace, !out.isEmpty { out.append(" ") }
            pendingSpace = false
            out.append(scalar)
        }
        for scalar in title.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                switch v {
                case 0x30...0x39, 0x61...0x7A: append(scalar)
                case 0x41...0x5A: append(Unicode.Scalar(v + 0x20)!)
                case 0x27, 0x60: continue  // ' `
                case 0x26:  // &
                    if !out.isEmpty { out.append(" ") }
                    out.append(contentsOf: "and".unicodeScalars)
                    pendingSpace = true
                default: pendingSpace = true
                }
            } else if v == 0x2019 {
                continue  // ’
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                for lower in scalar.properties.lowercaseMapping.unicodeScalars { append(lower) }
            } else if scalar.properties.generalCategory == .nonspacingMark {
                if !out.isEmpty { out.append(scalar) }
            } else {
                pendingSpace = true
            }
        }
        return String(out)
    }

    /// A year in parentheses at the end of a title: `(2008)`.
    public static func trailingYear<S: StringProtocol>(in title: S) -> (Int, Range<S.Index>)? {
        let bytes = title.utf8
        let count = bytes.count
        guard count >= 6 else { return nil }
        let open = bytes.index(bytes.startIndex, offsetBy: count - 6)
        guard bytes[open] == UInt8(ascii: "("), bytes[bytes.index(open, offsetBy: 5)] == UInt8(ascii: ")") else { return nil }
        var year = 0
        var i = bytes.index(after: open)
        for _ in 0..<4 {
            let b = bytes[i]
            guard b >= 0x30, b <= 0x39 else { return nil }
            year = year * 10 + Int(b - 0x30)
            i = bytes.index(after: i)
        }
        guard (1870...2200).contains(year) else { return nil }
        return (year, open..<title.endIndex)
    }
}
