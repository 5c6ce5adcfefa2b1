/// Proposing which movies are also episodes (specials) of which shows, with evidence and a confidence.
///
/// `MatchPlanner.propose` takes plain values (movies, series with their episodes, the Anime-Lists
/// mapping, what is already mapped or rejected) and returns proposals, best first. It never compares
/// every movie with every episode: a token index over episode and series titles gives each movie a
/// short list of candidates, which are then scored on titles, dates, runtimes and ID evidence.

public struct MatchMovie: Sendable, Hashable {
    /// The Radarr instance (its name in the config).
    public var instance: String
    public var id: Int
    public var title: String
    public var originalTitle: String?
    public var alternateTitles: [String]
    public var year: Int?
    public var tmdb: Int?
    public var imdb: String?
    /// Minutes.
    public var runtime: Int?
    /// The name of the collection the movie belongs to (`Detective Conan Collection`).
    public var collection: String?
    /// `YYYY-MM-DD`: the days it was released (Radarr's `inCinemas`, `physicalRelease`, `digitalRelease`). TheTVDB
    /// gives a film special the day the film came out as its air date.
    public var releaseDates: [String]

    public init(
        instance: String = "", id: Int = 0, title: String, originalTitle: String? = nil, alternateTitles: [String] = [],
        year: Int? = nil, tmdb: Int? = nil, imdb: String? = nil, runtime: Int? = nil, collection: String? = nil,
        releaseDates: [String] = []
    ) {
        self.collection = collection
        self.releaseDates = releaseDates
        self.instance = instance
        self.id = id
        self.title = title
        self.originalTitle = originalTitle
        self.alternateTitles = alternateTitles
        self.year = year
        self.tmdb = tmdb
        self.imdb = imdb
        self.runtime = runtime
    }

    /// Identifies the movie across runs and instances: its TMDB id, else its IMDb id, else title and year.
    public var key: String {
        if let tmdb { return "tmdb:\(tmdb)" }
        if let imdb { return "imdb:\(imdb)" }
        return "title:\(TitleMatching.normalize(title))|\(year ?? 0)"
    }

    public var label: String { year.map { "\(title) (\($0))" } ?? title }
}

public struct MatchEpisode: Sendable, Hashable {
    public var season: Int
    public var episode: Int
    public var absolute: Int?
    public var title: String
    /// `YYYY-MM-DD`, as Sonarr sends `airDate`.
    public var airDate: String?
    /// Minutes.
    public var runtime: Int?

    public init(season: Int, episode: Int, absolute: Int? = nil, title: String, airDate: String? = nil, runtime: Int? = nil) {
        self.season = season
        self.episode = episode
        self.absolute = absolute
        self.title = title
        self.airDate = airDate
        self.runtime = runtime
    }

    public var number: EpisodeNumber { EpisodeNumber(season: season, episode: episode) }

    var airYear: Int? {
        guard let airDate, airDate.utf8.count >= 4 else { return nil }
        return Int(airDate.prefix(4))
    }

    var airDay: Int? { airDate.flatMap(MatchEpisode.day) }

    /// Days since 1970-01-01 of a date that begins `YYYY-MM-DD` (`2015-01-01T00:00:00Z` too); nil for anything else, and
    /// for a year before 1800 (an unset date may come as `0001-01-01`).
    static func day(_ text: String) -> Int? {
        let b = Array(text.utf8.prefix(10))
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var n = 0
            for i in range {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                n = n * 10 + Int(b[i] - 0x30)
            }
            return n
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10), (1...12).contains(m), (1...31).contains(d), y > 1800 else { return nil }
        // Days from the civil date (proleptic Gregorian).
        let yy = m <= 2 ? y - 1 : y
        let era = yy / 400
        let yoe = yy - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

public struct MatchSeries: Sendable, Hashable {
    /// The Sonarr instance (its name in the config).
    public var instance: String
    public var id: Int
    public var title: String
    public var alternateTitles: [String]
    public var tvdb: Int?
    public var year: Int?
    public var episodes: [MatchEpisode]

    public init(
        instance: String = "", id: Int = 0, title: String, alternateTitles: [String] = [], tvdb: Int? = nil,
        year: Int? = nil, episodes: [MatchEpisode]
    ) {
        self.instance = instance
        self.id = id
        self.title = title
        self.alternateTitles = alternateTitles
        self.tvdb = tvdb
        self.year = year
        self.episodes = episodes
    }

    /// Identifies the series across runs: its TVDB id, else its title.
    public var key: String { tvdb.map { "tvdb:\($0)" } ?? "title:\(TitleMatching.normalize(title))" }
}

public struct MatchProposal: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        /// At or above the auto-accept threshold, with nothing competing for the movie or episode.
        case auto
        /// For a person to decide.
        case review
    }

    public var movie: MatchMovie
    /// The series, without its episode list.
    public var series: MatchSeries
    public var episodes: [MatchEpisode]
    public var confidence: Double
    public var reasons: [String]
    public var status: Status

    /// The pair as remembered when a person rejects it.
    public var pairKey: String { MatchPlanner.pairKey(movie: movie.key, series: series.key, episodes: episodes.map(\.number)) }
}

public struct MatchSettings: Sendable, Hashable {
    /// Proposals at or above this confidence are accepted without review.
    public var autoAccept: Double
    /// Proposals below this confidence are not shown at all.
    public var minimum: Double

    public init(autoAccept: Double = 0.95, minimum: Double = 0.5) {
        self.autoAccept = autoAccept
        self.minimum = minimum
    }
}

/// What must not be proposed: movies already mapped, episodes already claimed, rejected pairs.
public struct MatchExclusions: Sendable {
    public var mappedMovies: Set<String> = []
    /// `series key|S00E03` or `title:normalized series title|S00E03`.
    public var claimedEpisodes: Set<String> = []
    public var rejectedPairs: Set<String> = []

    public init(mappedMovies: Set<String> = [], claimedEpisodes: Set<String> = [], rejectedPairs: Set<String> = []) {
        self.mappedMovies = mappedMovies
        self.claimedEpisodes = claimedEpisodes
        self.rejectedPairs = rejectedPairs
    }

    /// From the mapping file: the movies it maps and the episodes it claims.
    public init(mappings: [LinkMapping], rejectedPairs: Set<String> = []) {
        self.rejectedPairs = rejectedPairs
        for mapping in mappings {
            if case .movie(let movie) = mapping.source {
                if let tmdb = movie.tmdb { mappedMovies.insert("tmdb:\(tmdb)") }
                if let imdb = movie.imdb { mappedMovies.insert("imdb:\(imdb)") }
                mappedMovies.insert(Self.titleKey(movie.title, movie.year))
            }
            for episode in mapping.episodes {
                if let tvdb = mapping.show.tvdb { claimedEpisodes.insert("tvdb:\(tvdb)|\(episode)") }
                claimedEpisodes.insert("title:\(TitleMatching.normalize(mapping.show.title))|\(episode)")
            }
        }
    }

    static func titleKey(_ title: String, _ year: Int?) -> String {
        "title:\(TitleMatching.normalize(title))|\(year ?? 0)"
    }

    func isMapped(_ movie: MatchMovie) -> Bool {
        if let tmdb = movie.tmdb, mappedMovies.contains("tmdb:\(tmdb)") { return true }
        if let imdb = movie.imdb, mappedMovies.contains("imdb:\(imdb)") { return true }
        return mappedMovies.contains(Self.titleKey(movie.title, movie.year))
            || mappedMovies.contains(Self.titleKey(movie.title, nil))
    }

    func isClaimed(_ series: MatchSeries, _ episode: EpisodeNumber) -> Bool {
        if let tvdb = series.tvdb, claimedEpisodes.contains("tvdb:\(tvdb)|\(episode)") { return true }
        return claimedEpisodes.contains("title:\(TitleMatching.normalize(series.title))|\(episode)")
    }
}

public struct MatchResult: Sendable {
    public var proposals: [MatchProposal]
    /// Movies considered (not already mapped).
    public var moviesConsidered: Int
    /// Candidate pairs scored in full (the rest were never compared).
    public var candidatesScored: Int
}
