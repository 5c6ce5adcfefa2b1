import AsyncHTTPClient
public import Foundation
public import Logging
import UsherCore

public struct MatchOptions: Sendable {
    /// Append auto-accepted proposals to the mapping file and write the rest to the proposals file.
    public var write: Bool
    public var now: Date

    public init(write: Bool = false, now: Date = Date()) {
        self.write = write
        self.now = now
    }
}

/// Reads the movies of every Radarr instance and the specials (and, optionally, long regular
/// episodes) of every Sonarr instance, and proposes which movie is which episode. The decisions
/// are `MatchPlanner`'s; this type asks the services and writes the files.
public struct MatchJob: Sendable {
    public var config: UsherConfig
    public var logger: Logger
    /// The process's HTTP client, gate and retry policy; without one, the run makes its own and closes it.
    public var hub: ServiceHub?

    public init(config: UsherConfig, logger: Logger, hub: ServiceHub? = nil) {
        self.config = config
        self.logger = logger
        self.hub = hub
    }

    public func run(_ options: MatchOptions) async throws(JobError) -> MatchReport {
        if let message = config.requirementError(for: .match) { throw JobError(kind: .config, message: message) }
        return try await ServiceHub.using(hub, config: config, logger: logger) { hub throws(JobError) in
            try await run(options, hub: hub)
        }
    }

    private func run(_ options: MatchOptions, hub: ServiceHub) async throws(JobError) -> MatchReport {
        let existing = try loadMappings()
        let state = try openState()
        let rejected: Set<String>
        do { rejected = try state.rejectedPairs() } catch {
            throw JobError(kind: .state, message: "cannot read the rejected proposals from \(config.statePath): \(error)")
        }
        var report = MatchReport()
        let services = hub.arr(config)

        async let libraryAnswer = fetchLibrary(services)
        var animeList: AnimeList?
        if let source = config.match.animeList {
            let store = AnimeListStore(
                source: source, cachePath: AnimeListStore.cachePath(statePath: config.statePath), maxAgeSeconds: config.match.animeListMaxAgeSeconds,
                http: hub.http, policy: RetryPolicy(attempts: 2, timeout: .seconds(120)), logger: logger, counter: services.counter)
            let loaded = await store.load(now: options.now)
            animeList = loaded.list
            report.animeList = loaded.origin
            report.warnings += loaded.warnings
            report.errors += loaded.errors
        }
        let library = await libraryAnswer
        report.errors += library.errors
        report.movies = library.movies.count
        report.series = library.series.count
        report.episodes = library.series.reduce(0) { $0 + $1.episodes.count }

        let exclusions = MatchExclusions(mappings: existing.mappings, rejectedPairs: rejected)
        let result = MatchPlanner(settings: config.match.settings).propose(
            movies: library.movies, series: library.series, animeList: animeList, exclusions: exclusions, hints: existing.hints)
        report.proposals = result.proposals
        report.moviesConsidered = result.moviesConsidered
        report.candidatesScored = result.candidatesScored
        report.requests = services.counter.total

        guard options.write else { return report }
        guard report.errors.isEmpty else {
            report.warnings.append("nothing was written: a service did not answer, so the proposals may be incomplete")
            return report
        }
        try write(report.proposals, existing: existing, into: &report, now: options.now)
        return report
    }

    private func write(_ proposals: [MatchProposal], existing: MappingDocument, into report: inout MatchReport, now: Date) throws(JobError) {
        // A pair the mapping file could not hold as it is (a title that is only spaces) is left out.
        var writable: [MatchProposal] = []
        for p in proposals {
            let problems = MappingRules.problems(mapping(for: p))
            if problems.isEmpty {
                writable.append(p)
            } else {
                report.warnings.append("\(p.movie.label) → \(p.series.title): not written: \(problems.joined(separator: "; "))")
            }
        }
        let accepted = writable.filter { $0.status == .auto }
        let review = writable.filter { $0.status == .review }
        if !accepted.isEmpty {
            let mappings = accepted.map { mapping(for: $0) }
            do {
                report.archived = try MappingFile.append(mappings, to: config.mappingsFile, existing: existing, keep: config.archiveKeep, now: now)
            } catch {
                throw JobError(kind: .state, message: "cannot write \(config.mappingsFile): \(error)")
            }
            report.linksAdded = accepted.count
        }
        // Decisions already written in the proposals file are kept; everything else is replaced.
        let path = config.match.proposalsFile
        var decided: [ProposalEntry] = []
        if FileManager.default.fileExists(atPath: path) {
            do { decided = try ProposalsFile.load(path: path).filter { $0.accept != nil } } catch {
                throw JobError(kind: .config, message: "\(error.description) (decide or fix it, then run `usher match review`; nothing was written to it)")
            }
        }
        let decidedKeys = Set(decided.map(\.pairKey))
        let entries = decided + review.filter { !decidedKeys.contains($0.pairKey) }.map { entry(for: $0) }
        if !entries.isEmpty || FileManager.default.fileExists(atPath: path) {
            do {
                report.proposalsArchived = try MappingFile.write(ProposalsFile.render(entries), to: path, keep: config.archiveKeep, now: now)
            } catch {
                throw JobError(kind: .state, message: "cannot write \(path): \(error)")
            }
            report.proposalsFile = path
            report.proposalsWritten = entries.count
        }
    }

    /// A mapping-file entry; instance names only when there is more than one instance to choose from.
    func mapping(for proposal: MatchProposal) -> LinkMapping {
        let e = entry(for: proposal)
        return LinkMapping(source: .movie(e.movie), show: e.show, episodes: e.episodes)
    }

    /// Only values the mapping file accepts (`MappingRules`): titles cleaned, ids and years in range.
    func entry(for p: MatchProposal) -> ProposalEntry {
        let imdb = p.movie.tmdb == nil ? p.movie.imdb.flatMap { MappingRules.isIMDbID($0) ? $0 : nil } : nil
        return ProposalEntry(
            confidence: p.confidence,
            movie: MovieRef(
                title: MappingRules.cleanTitle(p.movie.title) ?? p.movie.title, year: p.movie.year.flatMap { MappingRules.years.contains($0) ? $0 : nil },
                tmdb: p.movie.tmdb.flatMap { MappingRules.ids.contains($0) ? $0 : nil }, imdb: imdb,
                radarr: config.radarr.count > 1 ? p.movie.instance : nil),
            show: ShowRef(
                title: MappingRules.cleanTitle(p.series.title) ?? p.series.title, tvdb: p.series.tvdb.flatMap { MappingRules.ids.contains($0) ? $0 : nil },
                sonarr: config.sonarr.count > 1 ? p.series.instance : nil),
            episodes: p.episodes.map(\.number), episodeTitle: p.episodes.first?.title, reasons: p.reasons)
    }

    func loadMappings() throws(JobError) -> MappingDocument {
        // Match only adds to the file: a missing or 0-byte one is a start (link refuses both).
        guard let size = FileSystem.status(config.mappingsFile)?.size, size > 0 else { return MappingDocument() }
        do { return try MappingFile.loadDocument(path: config.mappingsFile, environment: config.environment) } catch {
            throw JobError(kind: .config, message: error.description)
        }
    }

    func openState() throws(JobError) -> Ledger { try JobState.open(config.statePath) }

    struct Library: Sendable {
        var movies: [MatchMovie] = []
        var series: [MatchSeries] = []
        var errors: [String] = []
    }

    /// One movie list per Radarr instance, one series list per Sonarr instance, and one episode list
    /// (season 0 only, unless regular seasons are wanted) per series that has any. A movie or series
    /// in several instances is taken from the first in config order.
    func fetchLibrary(_ services: ArrServices) async -> Library {
        var library = Library()
        // The movie lists are read while Sonarr is asked.
        async let movieAnswers = services.eachRadarr { client throws(ServiceError) in try await client.movies() }
        let seriesAnswers = await services.eachSonarr { client throws(ServiceError) in try await client.series() }
        var seenMovies = Set<String>()
        for (name, answer) in await movieAnswers {
            switch answer {
            case .failure(let error): library.errors.append("radarr \(name): \(error.description)")
            case .success(let list):
                for m in list {
                    let movie = m.matchMovie(instance: name)
                    guard seenMovies.insert(movie.key).inserted else { continue }
                    library.movies.append(movie)
                }
            }
        }
        let regular = config.match.regularSeasons
        var wanted: [(instance: String, series: SonarrSeries)] = []
        var seenSeries = Set<String>()
        for (name, answer) in seriesAnswers {
            switch answer {
            case .failure(let error): library.errors.append("sonarr \(name): \(error.description)")
            case .success(let list):
                for s in list {
                    let key = s.knownTVDB.map { "tvdb:\($0)" } ?? "\(name):\(s.id)"
                    guard seenSeries.insert(key).inserted else { continue }
                    // Sonarr counts each season's episodes: a series without specials needs no question.
                    if !regular, let seasons = s.seasons {
                        let specials = seasons.first { $0.seasonNumber == 0 }
                        if specials == nil || specials?.statistics?.totalEpisodeCount == 0 { continue }
                    }
                    wanted.append((name, s))
                }
            }
        }
        let minRuntime = config.match.minRuntime
        let episodeAnswers = await boundedMap(wanted, limit: services.concurrency) { entry -> Result<[SonarrEpisode], ServiceError> in
            guard let client = services.sonarr(entry.instance) else { return .success([]) }
            return await Result.of { () async throws(ServiceError) in try await client.episodes(seriesID: entry.series.id, season: regular ? nil : 0) }
        }
        for (entry, answer) in zip(wanted, episodeAnswers) {
            switch answer {
            case .failure(let error):
                library.errors.append("sonarr \(entry.instance): episodes of \(entry.series.title): \(error.description)")
            case .success(let list):
                let episodes = list.filter { $0.seasonNumber == 0 || (regular && ($0.runtime ?? 0) >= minRuntime) }.map(\.matchEpisode)
                guard !episodes.isEmpty else { continue }
                library.series.append(entry.series.matchSeries(instance: entry.instance, episodes: episodes))
            }
        }
        return library
    }
}
