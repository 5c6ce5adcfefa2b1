/// Importing the collection file of the old Plex Linker script (`usher import plex-linker`).
///
/// The script wrote (and people then edited) one YAML mapping of movie folder names to details, each
/// with `Shows:` naming shows and the special episode the movie is. Real files are not clean: shows
/// listed with no details (`South Park: null`), ids and years written as `''` or `0`, titles ending in
/// `(0)`, `Shows:` null or a string, numbers quoted (`Season: '00'`), episodes as a number or a list.
/// The file adapter reads the few fields the import needs as `LegacyField`s, exactly as written; this
/// type decides what they mean, and turns each movie→show pair into a mapping, a hint (the show is
/// known, the episode is not), or a reason why not.

/// A value of the collection file, as written.
public indirect enum LegacyField: Sendable, Hashable {
    case absent
    case null
    case text(String)
    case list([LegacyField])
    /// Something that is not a plain value: a mapping, an alias the reader would not follow, a tag. The
    /// text says what it was.
    case unreadable(String)
}

/// One top-level entry of the collection file: normally a movie folder name and its details.
public struct LegacyMovie: Sendable, Hashable {
    public enum Shape: Sendable, Hashable {
        /// A mapping of details (the fields the import reads are in `fields`, the shows in `shows`).
        case details
        /// Anything else (null, text, a list): what it was.
        case other(LegacyField)
    }

    /// The key: the movie's folder name.
    public var folderName: String
    public var shape: Shape
    /// `Movie DB ID`, `Year`, `Unparsed Title`, as written (absent when not).
    public var fields: [String: LegacyField]
    /// `Shows:` when it is a mapping; `showsField` says what it was otherwise.
    public var shows: [LegacyShow]
    public var showsField: LegacyField
    public var location: SourceLocation?

    public init(
        folderName: String, shape: Shape = .details, fields: [String: LegacyField] = [:], shows: [LegacyShow] = [],
        showsField: LegacyField = .absent, location: SourceLocation? = nil
    ) {
        self.folderName = folderName
        self.shape = shape
        self.fields = fields
        self.shows = shows
        self.showsField = showsField
        self.location = location
    }
}

/// One show under a movie's `Shows:`.
public struct LegacyShow: Sendable, Hashable {
    public var name: String
    /// `Season`, `Episode`, `tvdbId`, `Parsed Episode Title`, `Parsed Show Title`; `nil` when the show
    /// was given no details at all (`South Park: null`, `South Park: ''`).
    public var fields: [String: LegacyField]?
    /// What the show's value was when it was not a mapping.
    public var value: LegacyField
    public var location: SourceLocation?

    public init(name: String, fields: [String: LegacyField]?, value: LegacyField = .absent, location: SourceLocation? = nil) {
        self.name = name
        self.fields = fields
        self.value = value
        self.location = location
    }
}

public enum LegacyImport {
    /// The fields of a movie and of a show that the import reads; the file adapter reads only these.
    public static let movieFields = ["Movie DB ID", "Year", "Unparsed Title"]
    public static let showFields = ["Season", "Episode", "tvdbId", "Parsed Episode Title", "Parsed Show Title"]

    /// An entry that was not imported, and why.
    public struct Skip: Sendable, Hashable, CustomStringConvertible {
        public var location: SourceLocation?
        /// `24- Redemption (2008) → 24`, or the movie alone.
        public var entry: String
        public var reason: String
        public init(location: SourceLocation?, entry: String, reason: String) {
            self.location = location
            self.entry = entry
            self.reason = reason
        }
        public var description: String { (location.map { "\($0.file):\($0.line): " } ?? "") + "\(entry): \(reason)" }
    }

    public struct Result: Sendable {
        public var mappings: [LinkMapping] = []
        /// Pairs that name a show but no episode: for `usher match` to find the episode.
        public var hints: [MappingHint] = []
        /// Why each hint is a hint (in the same order).
        public var hinted: [Skip] = []
        /// Pairs that could not be imported (the exit code says so).
        public var skipped: [Skip] = []
        /// Entries with nothing to import (a movie with no shows, a value that is not a movie).
        public var ignored: [Skip] = []
        /// Imported, but a value was left out or assumed.
        public var notes: [Skip] = []
        /// Mappings that claim the same episode (kept in the output, reported for a person to settle).
        public var conflicts: [MappingProblem] = []

        public var document: MappingDocument { MappingDocument(mappings: mappings, hints: hints) }

        public init() {}
    }

    public static func convert(_ movies: [LegacyMovie]) -> Result {
        var result = Result()
        var seen: [String: SourceLocation?] = [:]
        for movie in movies {
            let at = movie.location
            if let first = seen[movie.folderName] {
                let place = first.map { " (line \($0.line))" } ?? ""
                result.skipped.append(Skip(location: at, entry: movie.folderName, reason: "the movie is listed twice; the first entry\(place) is used"))
                continue
            }
            seen[movie.folderName] = at
            guard case .details = movie.shape else {
                if case .other(let value) = movie.shape, case .null = value {
                    result.ignored.append(Skip(location: at, entry: movie.folderName, reason: "no details and no shows listed"))
                } else if case .other(let value) = movie.shape {
                    result.ignored.append(Skip(location: at, entry: movie.folderName, reason: "not a movie entry (\(describe(value)))"))
                }
                continue
            }
            var shows = movie.shows
            if shows.isEmpty {
                // `Shows: South Park` or `Shows: [South Park, Futurama]`: shows named, nothing more.
                let named: [LegacyField] = if case .list(let items) = movie.showsField { items } else { [movie.showsField] }
                for item in named {
                    if case .text(let name) = item, MappingRules.cleanTitle(name) != nil {
                        shows.append(LegacyShow(name: name, fields: nil, value: item, location: at))
                    }
                }
            }
            if shows.isEmpty {
                let why: String =
                    switch movie.showsField {
                    case .absent: "no Shows: listed"
                    case .null, .text(""), .list([]): "Shows: is empty"
                    default: "Shows: is \(describe(movie.showsField)), not a list of shows"
                    }
                result.ignored.append(Skip(location: at, entry: movie.folderName, reason: why))
                continue
            }
            var notes: [String] = []
            let ref: MovieRef
            switch movieRef(movie, notes: &notes) {
            case .success(let found): ref = found
            case .failure(let why):
                for show in shows {
                    result.skipped.append(Skip(location: show.location ?? at, entry: "\(movie.folderName) → \(show.name)", reason: why.message))
                }
                continue
            }
            for note in notes { result.notes.append(Skip(location: at, entry: movie.folderName, reason: note)) }
            var seenShows = Set<String>()
            for show in shows {
                let entry = "\(movie.folderName) → \(show.name)"
                let place = show.location ?? at
                guard let showTitle = MappingRules.cleanTitle(show.name) else {
                    result.skipped.append(Skip(location: place, entry: entry, reason: "the show has no name"))
                    continue
                }
                guard seenShows.insert(showTitle).inserted else {
                    result.skipped.append(Skip(location: place, entry: entry, reason: "the show is listed twice under this movie; the first is used"))
                    continue
                }
                var showNotes: [String] = []
                switch convert(show, title: showTitle, movie: ref, notes: &showNotes) {
                case .mapping(let mapping):
                    var mapping = mapping
                    mapping.location = place
                    result.mappings.append(mapping)
                case .hint(let showRef, let why):
                    result.hints.append(MappingHint(movie: ref, show: showRef, location: place))
                    result.hinted.append(Skip(location: place, entry: entry, reason: why))
                case .skip(let why):
                    result.skipped.append(Skip(location: place, entry: entry, reason: why))
                }
                for note in showNotes { result.notes.append(Skip(location: place, entry: entry, reason: note)) }
            }
        }
        result.conflicts = MappingValidation.conflictingClaims(result.mappings)
        return result
    }

    private enum ShowOutcome {
        case mapping(LinkMapping)
        case hint(ShowRef, String)
        case skip(String)
    }

    private static func convert(_ show: LegacyShow, title: String, movie: MovieRef, notes: inout [String]) -> ShowOutcome {
        guard let fields = show.fields else {
            return .hint(ShowRef(title: title), "no episode given for \(title)")
        }
        func field(_ name: String) -> LegacyField { fields[name] ?? .absent }
        var tvdb: Int?
        switch number(field("tvdbId")) {
        case .some(let n) where MappingRules.ids.contains(n): tvdb = n
        case .some(0), .none: break
        case .some(let n): notes.append("tvdbId \(n) is not an id; left out")
        case .invalid(let why): notes.append("tvdbId \(why); left out")
        }
        let showRef = ShowRef(title: title, tvdb: tvdb)
        // The script put a show without a season in season 0 (the specials).
        let season: Int
        switch number(field("Season")) {
        case .none: season = 0
        case .some(let n) where MappingRules.seasons.contains(n): season = n
        case .some(let n): return .skip("Season \(n) is not a season number")
        case .invalid(let why): return .skip("Season \(why)")
        }
        var episodes: [Int] = []
        switch numbers(field("Episode")) {
        case .invalid(let why): return .skip("Episode \(why)")
        case .numbers(let found): episodes = found
        }
        if let bad = episodes.first(where: { !MappingRules.episodes.contains($0) }) {
            return .skip("Episode \(bad) is not an episode number")
        }
        // The script wrote 0 for an episode it had not found, as it did for ids.
        episodes.removeAll { $0 == 0 }
        if episodes.isEmpty { return .hint(showRef, "no episode given for \(title)") }
        let numbers = Set(episodes).sorted().map { EpisodeNumber(season: season, episode: $0) }
        for key in ["Parsed Episode Title", "Parsed Show Title"] {
            if case .unreadable(let what) = field(key) { return .skip("\(key) is \(what); a collection file is read as data only") }
        }
        var episodeTitle: String?
        for key in ["Parsed Episode Title", "Parsed Show Title"] {
            guard case .text(let parsed) = field(key), let found = Self.episodeTitle(fromParsed: parsed, episodes: numbers, show: title) else { continue }
            episodeTitle = found
            break
        }
        return .mapping(LinkMapping(source: .movie(movie), show: showRef, episodes: numbers, title: episodeTitle))
    }

    private struct Failure: Error { var message: String }

    /// The movie: its title (the script's `Unparsed Title` when it is the folder's title with its
    /// colons, else the folder name with them put back), year and TMDB id, from the fields or else the
    /// folder name. A movie with neither a TMDB id nor a year is not imported: a title alone can name
    /// several films.
    private static func movieRef(_ movie: LegacyMovie, notes: inout [String]) -> Swift.Result<MovieRef, Failure> {
        for (key, value) in movie.fields.sorted(by: { $0.key < $1.key }) {
            if case .unreadable(let what) = value { return .failure(Failure(message: "\(key) is \(what); a collection file is read as data only")) }
        }
        var folder = movie.folderName
        // `Title (0)`: the script's way of writing an unknown year.
        if folder.hasSuffix(")"), let open = folder.lastIndex(of: "(") {
            let inside = folder[folder.index(after: open)..<folder.index(before: folder.endIndex)]
            if !inside.isEmpty, inside.allSatisfy({ $0 == "0" }) { folder = String(folder[..<open]) }
        }
        let parsed = FolderName(parsing: folder)
        var title = MappingRules.cleanTitle(restoreColon(parsed.title))
        if case .text(let unparsed) = movie.fields["Unparsed Title"] ?? .absent, let clean = MappingRules.cleanTitle(unparsed),
            TitleMatching.normalize(clean) == parsed.key
        {
            title = clean
        }
        guard let title else { return .failure(Failure(message: "the movie has no title")) }
        var year = parsed.year
        switch number(movie.fields["Year"] ?? .absent) {
        case .none, .some(0): break
        case .some(let n) where MappingRules.years.contains(n): year = n
        case .some(let n): notes.append("Year \(n) is not a film's year; left out")
        case .invalid(let why): notes.append("Year \(why); left out")
        }
        var tmdb = parsed.tmdb.flatMap { MappingRules.ids.contains($0) ? $0 : nil }
        switch number(movie.fields["Movie DB ID"] ?? .absent) {
        case .none, .some(0): break
        case .some(let n) where MappingRules.ids.contains(n): tmdb = n
        case .some(let n): notes.append("Movie DB ID \(n) is not an id; left out")
        case .invalid(let why): notes.append("Movie DB ID \(why); left out")
        }
        if tmdb == nil && year == nil {
            return .failure(Failure(message: "no TMDB id and no year (a title alone could name several films)"))
        }
        return .success(MovieRef(title: title, year: year, tmdb: tmdb))
    }

    private enum Number: Equatable {
        case none
        case some(Int)
        case invalid(String)
    }

    /// A whole number written as a number or as text (`9`, `'09'`, `'00'`); `''`, null and absent are none.
    private static func number(_ field: LegacyField) -> Number {
        switch field {
        case .absent, .null: return .none
        case .text(let raw):
            let text = raw.trimmingSpaces()
            if text.isEmpty { return .none }
            let digits = text.hasPrefix("+") || text.hasPrefix("-") ? text.dropFirst() : Substring(text)
            guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits) else {
                return .invalid("'\(shortened(raw))' is not a number")
            }
            return .some(text.hasPrefix("-") ? -value : value)
        case .list(let items):
            if items.isEmpty { return .none }
            if items.count == 1 { return number(items[0]) }
            return .invalid("is a list of \(items.count) values, not one number")
        case .unreadable(let what):
            return .invalid("is \(what)")
        }
    }

    private enum Numbers {
        case numbers([Int])
        case invalid(String)
    }

    /// One number or a list of them (lists of lists too: the script wrote `[[1, 2]]` for a two-part film).
    private static func numbers(_ field: LegacyField) -> Numbers {
        switch field {
        case .list(let items):
            var all: [Int] = []
            for item in items {
                switch numbers(item) {
                case .numbers(let found): all += found
                case .invalid(let why): return .invalid(why)
                }
            }
            return .numbers(all)
        default:
            switch number(field) {
            case .none: return .numbers([])
            case .some(let n): return .numbers([n])
            case .invalid(let why): return .invalid(why)
            }
        }
    }

    private static func describe(_ field: LegacyField) -> String {
        switch field {
        case .absent: "absent"
        case .null: "empty"
        case .text(let s): "the text '\(shortened(s))'"
        case .list(let items): "a list of \(items.count)"
        case .unreadable(let what): what
        }
    }

    private static func shortened(_ text: String) -> String {
        let flat = text.map { $0.isNewline ? " " : $0 }
        return flat.count > 40 ? String(flat.prefix(40)) + "…" : String(flat)
    }

    /// Folder names cannot hold `:`; Radarr writes `24: Redemption` as `24- Redemption`. Put it back.
    static func restoreColon(_ title: String) -> String {
        var out = ""
        let chars = Array(title)
        var i = 0
        while i < chars.count {
            if chars[i] == "-", i > 0, chars[i - 1] != " ", i + 1 < chars.count, chars[i + 1] == " " {
                out.append(":")
            } else {
                out.append(chars[i])
            }
            i += 1
        }
        return out
    }

    /// `tv/staging/24/Season 00/24 - S00E09 - Redemption` → `Redemption`, when the code in it is the
    /// mapping's episode (a stale or wrong parsed name is not used) and the title is not just the
    /// show's name; a trailing ` (2011)` is dropped.
    static func episodeTitle(fromParsed parsed: String, episodes: [EpisodeNumber], show: String) -> String? {
        let name = Paths.lastComponent(parsed)
        var rest = Substring(name)
        while let range = rest.range(of: " - ") {
            let before = rest[..<range.lowerBound]
            rest = rest[range.upperBound...]
            let codes = EpisodeNumber.codes(inFileName: String(before.split(separator: " ").last ?? ""))
            guard !codes.isEmpty else { continue }
            guard codes.first == episodes.first else { return nil }
            var title = String(rest)
            if let (_, range) = TitleMatching.trailingYear(in: title) { title = String(title[..<range.lowerBound]) }
            guard let clean = MappingRules.cleanTitle(title), TitleMatching.normalize(clean) != TitleMatching.normalize(show) else { return nil }
            return clean
        }
        return nil
    }
}
