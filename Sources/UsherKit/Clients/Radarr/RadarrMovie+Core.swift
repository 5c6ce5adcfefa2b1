import UsherCore

/// A Radarr movie as each job's core values see it: the one place where Radarr's record becomes Usher's
/// (a year, TMDB id or runtime of 0 is unknown; an empty IMDb id, title or collection is none).
extension RadarrMovie {
    var knownYear: Int? { year.flatMap { $0 > 0 ? $0 : nil } }
    var knownTMDB: Int? { tmdbId.flatMap { $0 > 0 ? $0 : nil } }
    var knownIMDb: String? { imdbId.flatMap { $0.isEmpty ? nil : $0 } }

    /// For the linker: the movie and its file, the file's path as this machine sees it.
    func catalogMovie(instance: String, _ translator: PathTranslator) -> CatalogMovie {
        var file: CatalogFile?
        if let f = movieFile, hasFile != false {
            let remote = f.path ?? path.flatMap { base in f.relativePath.map { base + "/" + $0 } }
            if let remote {
                file = CatalogFile(id: f.id, path: translator.toLocal(remote), size: f.size, quality: f.quality?.usherQuality, releaseGroup: f.releaseGroup)
            }
        }
        return CatalogMovie(instance: instance, id: id, title: title, year: knownYear, tmdb: knownTMDB, imdb: knownIMDb, tags: tags ?? [], file: file)
    }

    /// For `usher match`.
    func matchMovie(instance: String) -> MatchMovie {
        MatchMovie(
            instance: instance, id: id, title: title, originalTitle: originalTitle,
            alternateTitles: (alternateTitles ?? []).compactMap(\.title).filter { !$0.isEmpty },
            year: knownYear, tmdb: knownTMDB, imdb: knownIMDb, runtime: runtime.flatMap { $0 > 0 ? $0 : nil },
            collection: collection?.title.flatMap { $0.isEmpty ? nil : $0 },
            releaseDates: [inCinemas, physicalRelease, digitalRelease].compactMap { $0.flatMap { $0.utf8.count >= 10 ? String($0.prefix(10)) : nil } })
    }
}

/// Which movies of Radarr's list a full link pass keeps while it reads the list: those a mapping's reference can
/// find as `MovieCatalog.find` looks (by TMDB id, IMDb id, or title key), and, when a tag is kept, every movie
/// with a tag (the tag step looks at them). The smaller catalog answers every mapping as the whole list would.
struct MovieSieve: Sendable {
    private var tmdbs = Set<Int>()
    private var imdbs = Set<String>()
    private var titles = Set<String>()
    var keepTagged: Bool

    init(_ refs: [MovieRef], keepTagged: Bool) {
        for ref in refs {
            if let tmdb = ref.tmdb { tmdbs.insert(tmdb) }
            if let imdb = ref.imdb, !imdb.isEmpty { imdbs.insert(imdb.lowercased()) }
            titles.insert(FolderName(parsing: ref.title).key)
        }
        self.keepTagged = keepTagged
    }

    func keeps(_ movie: RadarrMovie) -> Bool {
        if keepTagged, !(movie.tags ?? []).isEmpty { return true }
        if let tmdb = movie.knownTMDB, tmdbs.contains(tmdb) { return true }
        if let imdb = movie.knownIMDb, imdbs.contains(imdb.lowercased()) { return true }
        return titles.contains(FolderName(parsing: movie.title).key)
    }
}
