/// Where something was written in a file a person edits, for error messages.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

public struct MovieRef: Hashable, Sendable {
    public var title: String
    public var year: Int?
    public var tmdb: Int?
    public var imdb: String?
    /// The Radarr instance to look in (`radarr:` in the mapping file); any, when `nil`.
    public var radarr: String?

    public init(title: String, year: Int? = nil, tmdb: Int? = nil, imdb: String? = nil, radarr: String? = nil) {
        self.title = title
        self.year = year
        self.tmdb = tmdb
        self.imdb = imdb
        self.radarr = radarr
    }

    public var label: String { year.map { "\(title) (\($0))" } ?? title }

    /// What a lookup in Radarr's movies depends on: two references with the same key find the same movie.
    public var catalogKey: String {
        [tmdb.map(String.init) ?? "", imdb?.lowercased() ?? "", radarr ?? "", FolderName(parsing: title).key, year.map(String.init) ?? ""]
            .joined(separator: "|")
    }
}

public struct ShowRef: Hashable, Sendable {
    public var title: String
    public var tvdb: Int?
    /// The Sonarr instance to look in (`sonarr:` in the mapping file); any, when `nil`.
    public var sonarr: String?

    public init(title: String, tvdb: Int? = nil, sonarr: String? = nil) {
        self.title = title
        self.tvdb = tvdb
        self.sonarr = sonarr
    }
}

/// What a link points at: a movie's main file, or an episode file of another show (a crossover).
public enum LinkSource: Hashable, Sendable {
    case movie(MovieRef)
    case episode(show: ShowRef, episodes: [EpisodeNumber])
}

/// One wanted link: this source should also appear as these episodes of this show.
public struct LinkMapping: Hashable, Sendable {
    public var source: LinkSource
    public var show: ShowRef
    public var episodes: [EpisodeNumber]
    /// The episode title used in the file name.
    public var title: String?
    public var location: SourceLocation?

    public init(source: LinkSource, show: ShowRef, episodes: [EpisodeNumber], title: String? = nil, location: SourceLocation? = nil) {
        self.source = source
        self.show = show
        self.episodes = episodes.sorted()
        self.title = title
        self.location = location
    }

    /// Identifies the target episode(s), not the movie: a link stays "the same mapping" when the movie
    /// behind an episode changes, and links of a mapping that cannot be checked this run are kept.
    public var key: String { "\(TitleMatching.normalize(show.title))|\(EpisodeSpec.format(episodes))" }

    /// `24: Redemption (2008) → 24 S00E09`, for people.
    public var label: String {
        let from: String =
            switch source {
            case .movie(let movie): movie.label
            case .episode(let show, let episodes): "\(show.title) \(EpisodeSpec.format(episodes))"
            }
        return "\(from) → \(show.title) \(EpisodeSpec.format(episodes))"
    }

    public var labelWithLocation: String {
        location.map { "\(label) (\($0))" } ?? label
    }
}

/// A problem with one mapping; the other mappings still apply.
public struct MappingProblem: Error, Hashable, Sendable, CustomStringConvertible {
    public var mappingKey: String
    public var label: String
    public var message: String

    public init(mapping: LinkMapping, message: String) {
        self.mappingKey = mapping.key
        self.label = mapping.labelWithLocation
        self.message = message
    }

    public var description: String { "\(label): \(message)" }
}

public enum MappingValidation {
    /// Mappings that claim an episode another mapping already claims. Both are reported, each naming
    /// the other, and neither is applied.
    public static func conflictingClaims(_ mappings: [LinkMapping]) -> [MappingProblem] {
        var claims: [String: Int] = [:]
        var problems: [MappingProblem] = []
        var reported = Set<Int>()
        for (index, mapping) in mappings.enumerated() {
            let show = TitleMatching.normalize(mapping.show.title)
            for episode in mapping.episodes {
                let claim = "\(show)|\(episode)"
                if let other = claims[claim] {
                    let first = mappings[other]
                    if reported.insert(other).inserted {
                        problems.append(
                            MappingProblem(mapping: first, message: "claims \(mapping.show.title) \(episode), which \(mapping.labelWithLocation) also claims"))
                    }
                    if reported.insert(index).inserted {
                        problems.append(
                            MappingProblem(mapping: mapping, message: "claims \(mapping.show.title) \(episode), which \(first.labelWithLocation) also claims"))
                    }
                } else {
                    claims[claim] = index
                }
            }
        }
        return problems
    }
}
