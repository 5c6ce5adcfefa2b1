/// One movie of the old Plex Linker collection file, as read from YAML.
public struct LegacyMovie: Sendable, Hashable {
    public var folderName: String
    public var tmdb: Int?
    public var year: Int?
    public var shows: [LegacyShow]
    public var location: SourceLocation?

    public init(folderName: String, tmdb: Int?, year: Int?, shows: [LegacyShow], location: SourceLocation?) {
        self.folderName = folderName
        self.tmdb = tmdb
        self.year = year
        self.shows = shows
        self.location = location
    }
}

public struct LegacyShow: Sendable, Hashable {
    public var name: String
    public var season: Int?
    public var episodes: [Int]
    public var tvdb: Int?
    public var parsedEpisodeTitle: String?
    public var location: SourceLocation?

    public init(name: String, season: Int?, episodes: [Int], tvdb: Int?, parsedEpisodeTitle: String?, location: SourceLocation?) {
        self.name = name
        self.season = season
        self.episodes = episodes
        self.tvdb = tvdb
        self.parsedEpisodeTitle = parsedEpisodeTitle
        self.location = location
    }
}

/// Converts the Plex Linker collection into Usher mappings.
public enum LegacyImport {
    public struct Result: Sendable {
        public var mappings: [LinkMapping] = []
        /// Entries that could not be converted, and why.
        public var skipped: [String] = []
        /// Mappings that claim the same episode (kept in the output, reported for a person to settle).
        public var conflicts: [MappingProblem] = []
    }

    public static func convert(_ movies: [LegacyMovie]) -> Result {
        var result = Result()
        for movie in movies {
            let parsed = FolderName(parsing: movie.folderName)
            let ref = MovieRef(title: restoreColon(parsed.title), year: movie.year ?? parsed.year, tmdb: movie.tmdb ?? parsed.tmdb)
            let at = movie.location.map { " (\($0))" } ?? ""
            if movie.shows.isEmpty {
                result.skipped.append("\(movie.folderName)\(at): no shows listed")
                continue
            }
            for show in movie.shows {
                let showAt = show.location.map { " (\($0))" } ?? at
                guard let season = show.season else {
                    result.skipped.append("\(movie.folderName) → \(show.name)\(showAt): no Season")
                    continue
                }
                guard !show.episodes.isEmpty else {
                    result.skipped.append("\(movie.folderName) → \(show.name)\(showAt): no Episode")
                    continue
                }
                let episodes = Set(show.episodes).sorted().map { EpisodeNumber(season: season, episode: $0) }
                let title = show.parsedEpisodeTitle.flatMap(episodeTitle(fromParsed:))
                result.mappings.append(LinkMapping(
                    source: .movie(ref), show: ShowRef(title: show.name, tvdb: show.tvdb),
                    episodes: episodes, title: title, location: show.location ?? movie.location))
            }
        }
        result.conflicts = MappingValidation.conflictingClaims(result.mappings)
        return result
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

    /// `tv/staging/24/Season 00/24 - S00E09 - Redemption` → `Redemption`.
    static func episodeTitle(fromParsed parsed: String) -> String? {
        let name = Paths.lastComponent(parsed)
        var rest = Substring(name)
        while let range = rest.range(of: " - ") {
            let before = rest[..<range.lowerBound]
            rest = rest[range.upperBound...]
            if !EpisodeNumber.codes(inFileName: String(before.split(separator: " ").last ?? "")).isEmpty {
                let title = rest.trimmingSpaces()
                return title.isEmpty ? nil : title
            }
        }
        return nil
    }
}
