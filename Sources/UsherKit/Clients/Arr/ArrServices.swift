public import Logging
public import UsherCore

/// One named instance of a service.
public struct Named<Client: Sendable>: Sendable {
    public var name: String
    public var client: Client
}

/// The Sonarr, Radarr and Plex servers of the config, ready to be asked.
public struct ArrServices: Sendable {
    public var sonarr: [Named<SonarrClient>]
    public var radarr: [Named<RadarrClient>]
    public var plex: PlexClient?
    public var translator: PathTranslator
    /// How many requests may be under way at once.
    public var concurrency: Int
    public let counter: RequestCounter

    /// Clients through `hub` (its HTTP client, gate and retry policy), counting into `counter`.
    init(config: UsherConfig, hub: ServiceHub, counter: RequestCounter) {
        func client(_ kind: String, _ instance: ServiceInstance) -> ServiceClient {
            hub.client(
                ServiceEndpoint(name: "\(kind) \(instance.name)", baseURL: instance.url, credentialHeader: "X-Api-Key", credential: instance.apiKey),
                counter: counter)
        }
        sonarr = config.sonarr.map { Named(name: $0.name, client: SonarrClient(client: client("sonarr", $0))) }
        radarr = config.radarr.map { Named(name: $0.name, client: RadarrClient(client: client("radarr", $0))) }
        plex = config.plex.map {
            PlexClient(
                client: hub.client(
                    ServiceEndpoint(name: "plex", baseURL: $0.url, credentialHeader: "X-Plex-Token", credential: $0.token),
                    counter: counter))
        }
        translator = PathTranslator(config.pathMappings)
        concurrency = config.apiConcurrency
        self.counter = counter
    }

    public var usesSonarr: Bool { !sonarr.isEmpty }
    public var usesRadarr: Bool { !radarr.isEmpty }

    public func sonarr(_ name: String) -> SonarrClient? { sonarr.first { $0.name == name }?.client }
    public func radarr(_ name: String) -> RadarrClient? { radarr.first { $0.name == name }?.client }
}

extension ArrServices {
    /// Asks every Sonarr instance at once (at most `concurrency` under way): each instance's answer or
    /// failure, in config order. The one fan-out of the jobs.
    func eachSonarr<T: Sendable>(_ ask: @escaping @Sendable (SonarrClient) async throws(ServiceError) -> T) async -> [(
        name: String, answer: Result<T, ServiceError>
    )] {
        await boundedMap(sonarr, limit: concurrency) { named in
            (named.name, await Result.of { () async throws(ServiceError) in try await ask(named.client) })
        }
    }

    /// Asks every Radarr instance at once, as `eachSonarr`.
    func eachRadarr<T: Sendable>(_ ask: @escaping @Sendable (RadarrClient) async throws(ServiceError) -> T) async -> [(
        name: String, answer: Result<T, ServiceError>
    )] {
        await boundedMap(radarr, limit: concurrency) { named in
            (named.name, await Result.of { () async throws(ServiceError) in try await ask(named.client) })
        }
    }
}

/// Runs `body` for every item with at most `limit` under way at once; results in the items' order.
func boundedMap<T: Sendable, R: Sendable>(_ items: [T], limit: Int, _ body: @escaping @Sendable (T) async -> R) async -> [R] {
    guard !items.isEmpty else { return [] }
    return await withTaskGroup(of: (Int, R).self) { group in
        var results = [R?](repeating: nil, count: items.count)
        var next = 0
        while next < min(limit, items.count) {
            let index = next
            group.addTask { (index, await body(items[index])) }
            next += 1
        }
        for await (index, result) in group {
            results[index] = result
            if next < items.count {
                let index = next
                group.addTask { (index, await body(items[index])) }
                next += 1
            }
        }
        return results.map { $0! }
    }
}

/// What Sonarr and Radarr said this run: every movie, every series, Sonarr's naming, and the episodes
/// and episode files of the series the mappings need.
public struct ArrSnapshot: Sendable {
    /// The instances and series that did not answer, for people: what they hold is unknown this run.
    public var unanswered: [String] {
        series.failures.sorted { $0.key < $1.key }.map { "sonarr \($0.key): \($0.value)" }
            + movies.failures.sorted { $0.key < $1.key }.map { "radarr \($0.key): \($0.value)" }
            + seriesFailures.sorted { $0.key < $1.key }.map { "sonarr \($0.key.instance), series \($0.key.id): \($0.value)" }
    }

    public var movies: MovieCatalog
    public var series: SeriesCatalog
    public var naming: [String: SonarrNamingConfig] = [:]
    public var episodes: [SeriesKey: [CatalogEpisode]] = [:]
    public var episodeFiles: [SeriesKey: [Int: CatalogFile]] = [:]
    /// Series whose episodes could not be read, with the reason.
    public var seriesFailures: [SeriesKey: String] = [:]
    /// An incremental pass: `movies` holds the movies the mappings name, not every movie, so nothing may be
    /// concluded from a movie's absence there (a tag on a movie Usher no longer links stays until a full pass).
    public var partialMovies = false

    /// One series list and one naming call per Sonarr instance (the movies are left empty).
    public static func fetchSeries(_ services: ArrServices, logger: Logger) async -> ArrSnapshot {
        enum Answer: Sendable {
            case series(String, Result<[SonarrSeries], ServiceError>)
            case naming(String, Result<SonarrNamingConfig, ServiceError>)
        }
        var calls: [@Sendable () async -> Answer] = []
        for s in services.sonarr {
            calls.append { .series(s.name, await Result.of { () async throws(ServiceError) in try await s.client.series() }) }
            calls.append { .naming(s.name, await Result.of { () async throws(ServiceError) in try await s.client.namingConfig() }) }
        }
        let answers = await boundedMap(calls, limit: services.concurrency) { await $0() }
        let translator = services.translator
        var series: [CatalogSeries] = []
        var naming: [String: SonarrNamingConfig] = [:]
        var failures: [String: String] = [:]
        for answer in answers {
            switch answer {
            case .series(let name, .success(let list)): series += list.compactMap { $0.catalogSeries(instance: name, translator) }
            case .series(let name, .failure(let error)): failures[name] = error.description
            case .naming(let name, .success(let config)): naming[name] = config
            case .naming(let name, .failure(let error)): failures[name] = error.description
            }
        }
        for (name, failure) in failures { logger.warning("could not ask sonarr \(name): \(failure)") }
        // Without its naming settings an instance cannot name links: treat it as not answering.
        series.removeAll { naming[$0.instance] == nil || failures[$0.instance] != nil }
        return ArrSnapshot(
            movies: MovieCatalog(instances: [], movies: []),
            series: SeriesCatalog(instances: services.sonarr.map(\.name), series: series, failures: failures),
            naming: naming)
    }

    /// One movie list per Radarr instance.
    /// With `keeping`, only the movies it accepts are kept (as they are read).
    public static func fetchMovies(_ services: ArrServices, logger: Logger, keeping: (@Sendable (RadarrMovie) -> Bool)? = nil) async -> MovieCatalog {
        let answers = await services.eachRadarr { client throws(ServiceError) in try await client.movies(keeping: keeping) }
        let translator = services.translator
        var movies: [CatalogMovie] = []
        var failures: [String: String] = [:]
        for (name, answer) in answers {
            switch answer {
            case .success(let list):
                movies.reserveCapacity(movies.count + list.count)
                for movie in list { movies.append(movie.catalogMovie(instance: name, translator)) }
            case .failure(let error):
                failures[name] = error.description
                logger.warning("could not ask radarr \(name): \(error)")
            }
        }
        return MovieCatalog(instances: services.radarr.map(\.name), movies: movies, failures: failures)
    }

    /// One episode list and one episode-file list per series.
    /// With the seasons needed per series: a series whose mappings all fall in one season asks for that
    /// season only (`seasonNumber`), a smaller answer for Sonarr to build and for Usher to read.
    public mutating func fetchDetails(of needed: [SeriesKey: Set<Int>], _ services: ArrServices) async {
        let keys = needed.keys.sorted()
        let answers = await Self.details(of: keys, seasons: needed, services)
        for (key, answer) in zip(keys, answers) {
            switch answer {
            case .success(let (episodes, files)):
                self.episodes[key] = episodes
                episodeFiles[key] = files
                seriesFailures[key] = nil
            case .failure(let error):
                seriesFailures[key] = error.description
            }
        }
    }

    static func details(of keys: [SeriesKey], seasons: [SeriesKey: Set<Int>] = [:], _ services: ArrServices) async -> [Result<
        ([CatalogEpisode], [Int: CatalogFile]), ServiceError
    >] {
        let translator = services.translator
        // Each series asks twice, one request after the other, so at most `concurrency` are under way.
        return await boundedMap(keys, limit: services.concurrency) { key -> Result<([CatalogEpisode], [Int: CatalogFile]), ServiceError> in
            guard let client = services.sonarr(key.instance) else {
                return .failure(
                    ServiceError(kind: .notFound, service: "sonarr \(key.instance)", method: "GET", url: "", status: nil, message: "no such instance"))
            }
            do throws(ServiceError) {
                let wanted = seasons[key] ?? []
                let list = try await client.episodes(seriesID: key.id, season: wanted.count == 1 ? wanted.first : nil, includeEpisodeFile: true)
                // Sonarr v4 embeds the files; otherwise (v3) they are asked for separately.
                let embedded = list.compactMap(\.episodeFile)
                let complete = list.allSatisfy { e in (e.episodeFileId ?? 0) == 0 || e.episodeFile?.path != nil }
                var files = complete ? embedded : try await client.episodeFiles(seriesID: key.id)
                if wanted.count == 1 { files = files.filter { $0.seasonNumber == nil || wanted.contains($0.seasonNumber!) } }
                let episodes = list.map {
                    CatalogEpisode(
                        id: $0.id, number: EpisodeNumber(season: $0.seasonNumber, episode: $0.episodeNumber),
                        absolute: $0.absoluteEpisodeNumber, title: $0.title, fileID: $0.episodeFileId, monitored: $0.monitored ?? false)
                }
                var byID: [Int: CatalogFile] = [:]
                for file in files {
                    guard let path = file.path else { continue }
                    byID[file.id] = CatalogFile(
                        id: file.id, path: translator.toLocal(path), size: file.size, quality: file.quality?.usherQuality, releaseGroup: file.releaseGroup)
                }
                return .success((episodes, byID))
            } catch {
                return .failure(error)
            }
        }
    }
}

extension Result where Failure == ServiceError {
    static func of(_ body: () async throws(ServiceError) -> Success) async -> Result {
        do { return .success(try await body()) } catch { return .failure(error) }
    }
}

/// The answer of one service to `usher config check`.
public struct ServiceCheck: Sendable {
    public var service: String
    public var ok: Bool
    public var message: String
}

extension ArrServices {
    /// Asks every configured service who it is (version, and whether the key is accepted).
    public func check() async -> [ServiceCheck] {
        var calls: [@Sendable () async -> ServiceCheck] = []
        for s in sonarr {
            calls.append {
                Self.describe("sonarr \(s.name)", expected: "Sonarr", await Result.of { () async throws(ServiceError) in try await s.client.status() })
            }
        }
        for r in radarr {
            calls.append {
                Self.describe("radarr \(r.name)", expected: "Radarr", await Result.of { () async throws(ServiceError) in try await r.client.status() })
            }
        }
        if let plex {
            calls.append {
                switch await Result.of({ () async throws(ServiceError) in try await plex.sections() }) {
                case .success(let sections):
                    return ServiceCheck(
                        service: "plex", ok: true,
                        message: "OK, \(sections.count) librar\(sections.count == 1 ? "y" : "ies"): \(sections.map(\.title).joined(separator: ", "))")
                case .failure(let error):
                    return ServiceCheck(service: "plex", ok: false, message: error.description)
                }
            }
        }
        return await boundedMap(calls, limit: concurrency) { await $0() }
    }

    private static func describe(_ service: String, expected: String, _ answer: Result<ArrSystemStatus, ServiceError>) -> ServiceCheck {
        switch answer {
        case .success(let status):
            let app = status.appName ?? "?"
            guard app.lowercased() == expected.lowercased() else {
                return ServiceCheck(service: service, ok: false, message: "answers as \(app) \(status.version ?? ""), not \(expected): wrong address?")
            }
            return ServiceCheck(service: service, ok: true, message: "OK, \(app) \(status.version ?? "(version unknown)")")
        case .failure(let error):
            return ServiceCheck(service: service, ok: false, message: error.description)
        }
    }
}
