/// The hints of the mapping file, looked up by movie: which indexed series each hinted movie belongs to.
struct HintIndex {
    private var byMovie: [String: Int] = [:]

    init(hints: [MappingHint], index: MatchIndex) {
        guard !hints.isEmpty else { return }
        var byTitle: [String: Int] = [:]
        for (s, series) in index.series.enumerated() {
            let key = TitleMatching.normalize(series.title)
            if byTitle[key] == nil { byTitle[key] = s }
        }
        for hint in hints {
            guard let s = hint.show.tvdb.flatMap({ index.seriesByTVDB[$0] }) ?? byTitle[TitleMatching.normalize(hint.show.title)] else { continue }
            for key in Self.keys(title: hint.movie.title, year: hint.movie.year, tmdb: hint.movie.tmdb, imdb: hint.movie.imdb) where byMovie[key] == nil {
                byMovie[key] = s
            }
        }
    }

    /// By TMDB id, IMDb id, or title and year: as the mapping file names movies.
    private static func keys(title: String, year: Int?, tmdb: Int?, imdb: String?) -> [String] {
        var keys: [String] = []
        if let tmdb { keys.append("tmdb:\(tmdb)") }
        if let imdb { keys.append("imdb:\(imdb)") }
        if tmdb == nil && imdb == nil { keys.append(MatchExclusions.titleKey(title, year)) }
        return keys
    }

    func series(for movie: MatchMovie) -> Int? {
        guard !byMovie.isEmpty else { return nil }
        if let tmdb = movie.tmdb, let s = byMovie["tmdb:\(tmdb)"] { return s }
        if let imdb = movie.imdb, let s = byMovie["imdb:\(imdb)"] { return s }
        return byMovie[MatchExclusions.titleKey(movie.title, movie.year)]
    }
}
