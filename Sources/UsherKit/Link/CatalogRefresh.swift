import Foundation
import Logging
import UsherCore

/// Asks Sonarr and Radarr what a link run needs: everything (a full pass), or, with a kept catalog that can be
/// trusted, only what changed since the last pass (an incremental pass). `CatalogChanges` decides; this asks
/// and assembles the same `ArrSnapshot` either way, so the rest of the run does not know which it was.
///
/// Full: each service's newest history record first (where the next pass reads from), then every movie,
/// every series, Sonarr's naming and the episodes of the mapped series. Incremental: each service's history
/// since then, Sonarr's series list (its season counts and folders) and naming; then the movies the history
/// names or whose file is gone from disk, and the series the history names or whose counts changed.
struct CatalogRefresh {
    var config: UsherConfig
    var services: ArrServices
    var logger: Logger
    var kept: KeptCatalog?
    var fingerprint: String
    /// Seconds between full passes.
    var fullEvery: Int64
    var forced: Bool
    var now: Int64

    /// At most this many movies are asked for one by one; more changes than that make a full pass.
    static let movieFetchLimit = 200

    struct Outcome {
        var snapshot: ArrSnapshot
        var pass: CatalogPass
        /// What to keep for the next run.
        var update: CatalogUpdate
    }

    /// What shapes the catalog: the instances and their addresses, the path mappings, and Usher's version.
    static func fingerprint(_ config: UsherConfig) -> String {
        var parts = ["catalog 1", UsherVersion.current]
        parts += config.sonarr.map { "sonarr \($0.name) \($0.url)" } + config.radarr.map { "radarr \($0.name) \($0.url)" }
        parts += config.pathMappings.map { "path \($0.remote) \($0.local)" }
        return parts.joined(separator: "\n")
    }

    /// Asks, starting the requests either pass needs while `readMappings` (the mapping file, read in the
    /// background) finishes: Sonarr's series lists and naming, and the histories (since the kept cursors when
    /// the pass will likely be incremental, else their newest records).
    /// `asked`: what the caller asked already (Sonarr's series lists and naming, and perhaps the histories).
    func fetch(_ readMappings: () throws(JobError) -> [LinkMapping], asked: Asked? = nil) async throws(JobError) -> (Outcome, [LinkMapping]) {
        let started = ContinuousClock.now
        let series = asked?.series ?? Task { [services, logger] in await ArrSnapshot.fetchSeries(services, logger: logger) }
        let likely = CatalogChanges.pass(
            kept: kept?.facts, fingerprint: fingerprint, movieRefs: kept?.facts.movieRefs ?? [], now: now, fullEvery: fullEvery, forced: forced)
        var histories: Task<Histories, Never>?
        if likely == .incremental, let kept {
            if let early = asked?.histories, early.cursors == kept.cursors {
                histories = early.answers
            } else {
                histories = Task { [self] in await readHistories(since: kept.cursors) }
            }
        }
        let heads: Task<Heads, Never>? = likely.isFull ? Task { [self] in await readHeads() } : nil
        let mappings: [LinkMapping]
        do { mappings = try readMappings() } catch {
            _ = await (series.value, histories?.value, heads?.value)
            throw error
        }
        logger.debug("mapping file read for the catalog", metadata: ["seconds": "\(ContinuousClock.now - started)"])
        let refs = Set(mappings.compactMap(\.movieRef).map(\.catalogKey))
        let pass = CatalogChanges.pass(kept: kept?.facts, fingerprint: fingerprint, movieRefs: refs, now: now, fullEvery: fullEvery, forced: forced)
        var reason = "no catalog kept"
        switch pass {
        case .incremental:
            guard let kept, let histories else { break }
            let (history, lists) = (await histories.value, await series.value)
            logger.debug("histories and series lists read", metadata: ["seconds": "\(ContinuousClock.now - started)"])
            switch await incremental(mappings, kept: kept, histories: history, series: lists) {
            case .success(let outcome): return (outcome, mappings)
            case .failure(let why):
                logger.info("could not bring the kept catalog up to date (\(why.text)); asking for everything")
                reason = why.text
            }
        case .full(let why):
            reason = why
        }
        var read = await heads?.value
        if read == nil { read = await readHeads() }
        return (await full(mappings, reason: reason, heads: read!, series: await series.value), mappings)
    }

    // MARK: Full

    /// Each history's newest record (where the next pass reads from), and whether every history answered.
    struct Heads: Sendable {
        var cursors: [String: HistoryCursor] = [:]
        var allRead = true
    }

    private func readHeads() async -> Heads {
        async let radarrHeads = services.eachRadarr { client throws(ServiceError) in try await client.client.newestHistory() }
        async let sonarrHeads = services.eachSonarr { client throws(ServiceError) in try await client.client.newestHistory() }
        var heads = Heads()
        for (kind, answers) in [("radarr", await radarrHeads), ("sonarr", await sonarrHeads)] {
            for (name, answer) in answers {
                switch answer {
                case .success(let record):
                    heads.cursors["\(kind) \(name)"] = record.flatMap { r in r.date.map { HistoryCursor(date: $0, id: r.id) } } ?? Self.origin
                case .failure(let error):
                    heads.allRead = false
                    logger.debug("could not read the history of \(kind) \(name); the next pass asks for everything again: \(error)")
                }
            }
        }
        return heads
    }

    /// `heads` were read before the movie list and before any episode list: a change made while the lists are
    /// read is seen again by the next pass rather than missed. (`series`, Sonarr's series lists, may be older than
    /// the heads: its season counts are only compared, and older counts can only make a series be read again.)
    private func full(_ mappings: [LinkMapping], reason: String, heads: Heads, series: ArrSnapshot) async -> Outcome {
        logger.debug("asking sonarr and radarr for everything", metadata: ["why": "\(reason)"])
        // Radarr's movie list (the largest answer) is fetched and decoded while Sonarr is asked, keeping only the
        // movies the mappings can name (and tagged ones, for the tag step).
        let sieve = MovieSieve(mappings.compactMap(\.movieRef), keepTagged: config.tag != nil)
        let movies = Task { [services, logger] in await ArrSnapshot.fetchMovies(services, logger: logger, keeping: { sieve.keeps($0) }) }
        var snapshot = series
        let needed = neededSeries(mappings, snapshot)
        await snapshot.fetchDetails(of: needed, services)
        snapshot.movies = await movies.value

        var update = CatalogUpdate()
        update.replaceAll = true
        update.cursors = heads.cursors
        let (keep, refs) = Self.moviesNamed(by: mappings, in: snapshot.movies)
        update.movies = keep
        update.series = Self.details(of: needed, snapshot)
        let trusted = heads.allRead && snapshot.series.failures.isEmpty && snapshot.movies.failures.isEmpty
        update.facts = .init(fullAt: now, fingerprint: fingerprint, trusted: trusted, movieRefs: refs)
        return Outcome(snapshot: snapshot, pass: .full(reason: reason), update: update)
    }

    /// The date before any record: an empty history is read from its start next time.
    static let origin = HistoryCursor(date: "1970-01-01T00:00:00Z", id: 0)

    // MARK: Incremental

    /// Each history since the kept cursors, by `"radarr NAME"` / `"sonarr NAME"`.
    typealias Histories = [String: Result<[ArrHistoryRecord], ServiceError>]

    /// Questions a run started before it knew which pass it makes (the settled check's), for the pass to use.
    struct Asked: Sendable {
        var series: Task<ArrSnapshot, Never>
        /// The histories since `cursors`.
        var histories: (cursors: [String: HistoryCursor], answers: Task<Histories, Never>)?
    }

    func readHistories(since cursors: [String: HistoryCursor]) async -> Histories {
        var asks: [(String, @Sendable () async throws(ServiceError) -> [ArrHistoryRecord])] = []
        for r in services.radarr {
            guard let cursor = cursors["radarr \(r.name)"] else { continue }
            asks.append(("radarr \(r.name)", { () async throws(ServiceError) in try await r.client.client.history(since: cursor.date) }))
        }
        for s in services.sonarr {
            guard let cursor = cursors["sonarr \(s.name)"] else { continue }
            asks.append(("sonarr \(s.name)", { () async throws(ServiceError) in try await s.client.client.history(since: cursor.date) }))
        }
        let answers = await boundedMap(asks, limit: services.concurrency) { ask in (ask.0, await Result.of(ask.1)) }
        return Dictionary(answers, uniquingKeysWith: { a, _ in a })
    }

    /// `histories` and `series` were read in any order: a change made meanwhile is either in what was read or in
    /// the history the next pass reads.
    /// What the histories read since `kept` say: the positions to keep next, each Radarr's new records, and the
    /// series whose files may have changed; a failure when a history did not answer or no position was kept.
    static func changes(
        in histories: Histories, since kept: [String: HistoryCursor], services: ArrServices
    ) -> Result<(cursors: [String: HistoryCursor], movieEvents: [String: [HistoryEvent]], touchedSeries: Set<SeriesKey>), Message> {
        var cursors: [String: HistoryCursor] = [:]
        var movieEvents: [String: [HistoryEvent]] = [:]
        var touchedSeries = Set<SeriesKey>()
        for (kind, names) in [("radarr", services.radarr.map(\.name)), ("sonarr", services.sonarr.map(\.name))] {
            for name in names {
                let key = "\(kind) \(name)"
                guard let answer = histories[key] else { return .failure(Message(text: "no history position kept for \(key)")) }
                guard case .success(let records) = answer else { return .failure(Message(text: "\(key)'s history did not answer")) }
                let items = records.compactMap { $0.event(itemID: kind == "radarr" ? $0.movieId : $0.seriesId) }
                let (events, cursor) = CatalogChanges.newEvents(items, after: kept[key])
                cursors[key] = cursor
                if kind == "radarr" {
                    movieEvents[name] = events
                } else {
                    for event in events where event.mayChangeFiles { touchedSeries.insert(SeriesKey(instance: name, id: event.itemID)) }
                }
            }
        }
        return .success((cursors, movieEvents, touchedSeries))
    }

    private func incremental(_ mappings: [LinkMapping], kept: KeptCatalog, histories: Histories, series: ArrSnapshot) async -> Result<Outcome, Message> {
        let cursors: [String: HistoryCursor], movieEvents: [String: [HistoryEvent]], touchedSeries: Set<SeriesKey>
        switch Self.changes(in: histories, since: kept.cursors, services: services) {
        case .success(let read): (cursors, movieEvents, touchedSeries) = read
        case .failure(let why): return .failure(why)
        }
        var snapshot = series

        // Movies: the kept ones, but those the history names or whose file is gone asked again.
        var movies = Dictionary(kept.movies.map { (MovieKey(instance: $0.instance, id: $0.id), $0) }, uniquingKeysWith: { a, _ in a })
        let missing = Set(
            kept.movies.filter { movie in movie.file.map { FileSystem.status($0.path) == nil } ?? false }.map { MovieKey(instance: $0.instance, id: $0.id) })
        let toFetch = CatalogChanges.moviesToFetch(events: movieEvents, kept: Set(movies.keys), missingFiles: missing)
        if toFetch.count > Self.movieFetchLimit { return .failure(Message(text: "\(toFetch.count) movies changed")) }
        let translator = services.translator
        let fetched = await boundedMap(toFetch, limit: services.concurrency) { [services] key -> Result<RadarrMovie, ServiceError>? in
            guard let client = services.radarr(key.instance) else { return nil }
            return await Result.of { () async throws(ServiceError) in try await client.movie(id: key.id) }
        }
        for (key, answer) in zip(toFetch, fetched) {
            switch answer {
            case .success(let movie)?: movies[key] = movie.catalogMovie(instance: key.instance, translator)
            case .failure(let error)? where error.kind == .notFound: movies[key] = nil
            case .failure(let error)?: return .failure(Message(text: "radarr \(key.instance) did not answer for movie \(key.id): \(error)"))
            case nil: movies[key] = nil
            }
        }
        snapshot.movies = MovieCatalog(
            instances: services.radarr.map(\.name),
            movies: movies.values.sorted { MovieKey(instance: $0.instance, id: $0.id) < MovieKey(instance: $1.instance, id: $1.id) })
        snapshot.partialMovies = true

        // Series: the kept episodes, but those the history names or whose season counts moved asked again.
        let needed = neededSeries(mappings, snapshot)
        let counts = snapshot.series.byKey.mapValues(\.seasonCounts)
        let refetch = CatalogChanges.seriesToFetch(needed: needed, kept: kept.series.mapValues(\.kept), counts: counts, touched: touchedSeries)
        await snapshot.fetchDetails(of: refetch, services)
        for (key, seasons) in needed where refetch[key] == nil {
            guard let entry = kept.series[key] else { continue }
            // Only the seasons asked for, as a fresh read would give.
            let wanted = seasons.count == 1 ? seasons : nil
            snapshot.episodes[key] = entry.episodes.filter { wanted == nil || wanted!.contains($0.number.season) }
            snapshot.episodeFiles[key] = entry.files
        }

        var update = CatalogUpdate()
        update.cursors = cursors
        let (keep, refs) = Self.moviesNamed(by: mappings, in: snapshot.movies)
        let keepKeys = Set(keep.map { MovieKey(instance: $0.instance, id: $0.id) })
        let keptByKey = Dictionary(kept.movies.map { (MovieKey(instance: $0.instance, id: $0.id), $0) }, uniquingKeysWith: { a, _ in a })
        update.movies = keep.filter { keptByKey[MovieKey(instance: $0.instance, id: $0.id)] != $0 }
        update.removedMovies = keptByKey.keys.filter { !keepKeys.contains($0) }.sorted()
        update.series = Self.details(of: refetch, snapshot)
        update.removedSeries = kept.series.keys.filter { needed[$0] == nil || (refetch[$0] != nil && update.series[$0] == nil) }.sorted()
        let trusted = snapshot.series.failures.isEmpty
        update.facts = .init(fullAt: kept.facts.fullAt, fingerprint: fingerprint, trusted: trusted, movieRefs: refs)
        logger.debug(
            "brought the kept catalog up to date",
            metadata: [
                "movie events": "\(movieEvents.values.map(\.count).reduce(0, +))", "movies asked": "\(toFetch.count)",
                "series events": "\(touchedSeries.count)", "series asked": "\(refetch.count)",
            ])
        return .success(Outcome(snapshot: snapshot, pass: .incremental, update: update))
    }

    // MARK: After the services' steps

    /// What the rescans, unmonitoring and tags of this run changed in the catalog kept after `written`: a
    /// rescanned series is kept with the episodes checked after its rescan and the counts read then, or forgotten
    /// (read again next run); unmonitored episodes and tagged movies are kept as they are now.
    static func afterServices(_ effects: ServiceEffects, written: CatalogUpdate, kept: KeptCatalog?, snapshot: ArrSnapshot) -> CatalogUpdate {
        var update = CatalogUpdate()
        let removed = Set(written.removedSeries)
        func current(_ key: SeriesKey) -> KeptSeriesDetails? {
            if let entry = update.series[key] ?? written.series[key] { return entry }
            if written.replaceAll || removed.contains(key) { return nil }
            return kept?.series[key]
        }
        for key in effects.rescanned.sorted() {
            guard let entry = current(key) else { continue }
            if let checked = effects.checked[key], let counts = effects.countsAfterRescan[key],
                checked.seasons == nil || (entry.seasons.map { $0.isSubset(of: checked.seasons!) } ?? false)
            {
                let episodes = checked.episodes.filter { entry.seasons == nil || entry.seasons!.contains($0.number.season) }
                update.series[key] = KeptSeriesDetails(seasons: entry.seasons, counts: counts, episodes: episodes, files: checked.files)
            } else {
                update.removedSeries.append(key)
            }
        }
        let forgotten = Set(update.removedSeries)
        for (instance, ids) in effects.unmonitored {
            let ids = Set(ids)
            let keys = Set((written.replaceAll ? [] : Array(kept?.series.keys ?? [:].keys)) + Array(written.series.keys))
            for key in keys.sorted() where key.instance == instance && !forgotten.contains(key) {
                guard var entry = current(key), entry.episodes.contains(where: { ids.contains($0.id) && $0.monitored }) else { continue }
                for i in entry.episodes.indices where ids.contains(entry.episodes[i].id) { entry.episodes[i].monitored = false }
                update.series[key] = entry
            }
        }
        if !effects.movieTags.isEmpty {
            var keptMovies = Set(written.movies.map { MovieKey(instance: $0.instance, id: $0.id) })
            if !written.replaceAll {
                keptMovies.formUnion((kept?.movies ?? []).map { MovieKey(instance: $0.instance, id: $0.id) })
                keptMovies.subtract(written.removedMovies)
            }
            for movie in snapshot.movies.all {
                let key = MovieKey(instance: movie.instance, id: movie.id)
                guard let changes = effects.movieTags[key], keptMovies.contains(key) else { continue }
                var tagged = movie
                for change in changes {
                    if change.added {
                        if !tagged.tags.contains(change.tag) { tagged.tags.append(change.tag) }
                    } else {
                        tagged.tags.removeAll { $0 == change.tag }
                    }
                }
                update.movies.append(tagged)
            }
        }
        return update
    }

    // MARK: Shared

    private func neededSeries(_ mappings: [LinkMapping], _ snapshot: ArrSnapshot) -> [SeriesKey: Set<Int>] {
        ApiResolver.neededSeries(ApiResolver(config: config, snapshot: snapshot, usesSonarr: services.usesSonarr, usesRadarr: false).lookup(mappings))
    }

    /// The movies the mappings' references find (one, or several when ambiguous), and the references whose answer
    /// is known (found, ambiguous or absent; not those left unknown by a silent instance).
    static func moviesNamed(by mappings: [LinkMapping], in catalog: MovieCatalog) -> ([CatalogMovie], Set<String>) {
        var keep: [MovieKey: CatalogMovie] = [:]
        var refs = Set<String>()
        for ref in Set(mappings.compactMap(\.movieRef)) {
            switch catalog.find(ref, pin: ref.radarr) {
            case .found(let movie): keep[MovieKey(instance: movie.instance, id: movie.id)] = movie
            case .ambiguous(let list): for movie in list { keep[MovieKey(instance: movie.instance, id: movie.id)] = movie }
            case .absent: break
            case .unknown: continue
            }
            refs.insert(ref.catalogKey)
        }
        return (keep.values.sorted { MovieKey(instance: $0.instance, id: $0.id) < MovieKey(instance: $1.instance, id: $1.id) }, refs)
    }

    /// The episodes read this run, to keep, with the season counts of this run's series list.
    static func details(of read: [SeriesKey: Set<Int>], _ snapshot: ArrSnapshot) -> [SeriesKey: KeptSeriesDetails] {
        var result: [SeriesKey: KeptSeriesDetails] = [:]
        for (key, seasons) in read {
            guard snapshot.seriesFailures[key] == nil, let episodes = snapshot.episodes[key], let s = snapshot.series.byKey[key] else { continue }
            result[key] = KeptSeriesDetails(
                seasons: seasons.count == 1 ? seasons : nil, counts: s.seasonCounts, episodes: episodes, files: snapshot.episodeFiles[key] ?? [:])
        }
        return result
    }
}

extension LinkMapping {
    /// The movie it links from, when it links from a movie.
    var movieRef: MovieRef? {
        if case .movie(let ref) = source { return ref }
        return nil
    }
}
