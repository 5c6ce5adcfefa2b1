/// What a Sonarr or Radarr webhook is about, as far as the mappings care: a movie or a series.
public enum WebhookSubject: Hashable, Sendable {
    case movie(title: String?, year: Int?, tmdb: Int?, imdb: String?)
    case series(title: String?, tvdb: Int?)
}

/// The movies and shows the mapping file names, to tell whether a webhook concerns any of its links: an
/// import of a film nobody mapped starts no run.
public struct MappedNames: Sendable, Equatable {
    var movieTMDB: Set<Int> = []
    var movieIMDb: Set<String> = []
    /// Normalized title → the years given for it (`nil` when a mapping gives none).
    var movieTitles: [String: Set<Int?>] = [:]
    var showTVDB: Set<Int> = []
    var showTitles: Set<String> = []

    public init(mappings: [LinkMapping]) {
        for mapping in mappings {
            addShow(mapping.show)
            switch mapping.source {
            case .movie(let movie):
                if let tmdb = movie.tmdb { movieTMDB.insert(tmdb) }
                if let imdb = movie.imdb { movieIMDb.insert(imdb.lowercased()) }
                movieTitles[TitleMatching.normalize(movie.title), default: []].insert(movie.year)
            case .episode(let show, _):
                addShow(show)
            }
        }
    }

    private mutating func addShow(_ show: ShowRef) {
        if let tvdb = show.tvdb { showTVDB.insert(tvdb) }
        showTitles.insert(TitleMatching.normalize(show.title))
    }

    /// Whether some mapping may name this movie or series: by id, or by title (and year, when both give one).
    public func names(_ subject: WebhookSubject) -> Bool {
        switch subject {
        case let .movie(title, year, tmdb, imdb):
            if let tmdb, movieTMDB.contains(tmdb) { return true }
            if let imdb, movieIMDb.contains(imdb.lowercased()) { return true }
            guard let title, let years = movieTitles[TitleMatching.normalize(title)] else { return false }
            return year == nil || years.contains(nil) || years.contains(year)
        case let .series(title, tvdb):
            if let tvdb, showTVDB.contains(tvdb) { return true }
            guard let title else { return false }
            return showTitles.contains(TitleMatching.normalize(title))
        }
    }
}
