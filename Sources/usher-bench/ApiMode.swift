import Foundation
import UsherCore
import UsherFakes
import UsherKit

#if canImport(Glibc)
    import Glibc
#endif

/// Where the fake services listen, for the config.
struct ServiceEndpoints {
    var sonarrURL: String
    var sonarrKey: String
    var radarrURL: String
    var radarrKey: String
}

/// One endpoint of one service, as the tables name it: `sonarr GET /api/v3/episode?seriesId=`.
struct Endpoint: Hashable, Comparable {
    var service: String
    var method: String
    /// The path, with the names of the query parameters (`?seriesId=`).
    var path: String

    var label: String { "\(service) \(method) \(path)" }

    static func < (a: Endpoint, b: Endpoint) -> Bool {
        let order = Endpoint.usual
        switch (order.firstIndex(of: a), order.firstIndex(of: b)) {
        case let (x?, y?): return x < y
        case (_?, nil): return true
        case (nil, _?): return false
        default: return a.label < b.label
        }
    }

    static let movieList = Endpoint(service: "radarr", method: "GET", path: "/api/v3/movie")
    static let seriesList = Endpoint(service: "sonarr", method: "GET", path: "/api/v3/series")
    static let naming = Endpoint(service: "sonarr", method: "GET", path: "/api/v3/config/naming")
    static let episodes = Endpoint(service: "sonarr", method: "GET", path: "/api/v3/episode?seriesId=&seasonNumber=&includeEpisodeFile=")
    static let episodeFiles = Endpoint(service: "sonarr", method: "GET", path: "/api/v3/episodefile?seriesId=")
    static let command = Endpoint(service: "sonarr", method: "POST", path: "/api/v3/command")
    static let commandList = Endpoint(service: "sonarr", method: "GET", path: "/api/v3/command")
    static let radarrNewest = Endpoint(service: "radarr", method: "GET", path: "/api/v3/history?page=&pageSize=&sortKey=&sortDirection=")
    static let sonarrNewest = Endpoint(service: "sonarr", method: "GET", path: "/api/v3/history?page=&pageSize=&sortKey=&sortDirection=")
    static let radarrSince = Endpoint(service: "radarr", method: "GET", path: "/api/v3/history/since?date=")
    static let sonarrSince = Endpoint(service: "sonarr", method: "GET", path: "/api/v3/history/since?date=")
    static let movie = Endpoint(service: "radarr", method: "GET", path: "/api/v3/movie/{id}")
    /// The order of the tables.
    static let usual: [Endpoint] = [
        radarrNewest, sonarrNewest, radarrSince, sonarrSince, movieList, movie, seriesList, naming, episodes, episodeFiles, command, commandList,
    ]
}

/// What one API-mode pass adds to its result.
struct ApiPassFacts {
    /// Requests the fakes received, by endpoint.
    var requests: [Endpoint: Int]
    /// CPU time this process (the fakes: it is otherwise idle in wait4) spent during the pass.
    var fakeCPUSeconds: Double
    /// What usher's JSON says under `services`.
    var report: ServicesReport?

    var totalRequests: Int { requests.values.reduce(0, +) }
}

/// The `services` object of `usher link --json`.
struct ServicesReport {
    var rescans: Int
    var registered: Int?
    var notRegistered: [String]
    var warnings: [String]
    var requests: Int

    static func parse(_ stdout: [UInt8]) -> ServicesReport? {
        guard let top = (try? JSONSerialization.jsonObject(with: Data(stdout))) as? [String: Any],
            let services = top["services"] as? [String: Any]
        else { return nil }
        return ServicesReport(
            rescans: (services["rescans"] as? [Any])?.count ?? 0,
            registered: (services["registered"] as? NSNumber)?.intValue,
            notRegistered: services["not_registered"] as? [String] ?? [],
            warnings: services["warnings"] as? [String] ?? [],
            requests: (services["requests"] as? NSNumber)?.intValue ?? -1)
    }

    /// The `target` of every `create` action of `usher link --json`.
    static func createdTargets(_ stdout: [UInt8]) -> [String] {
        guard let top = (try? JSONSerialization.jsonObject(with: Data(stdout))) as? [String: Any],
            let actions = top["actions"] as? [[String: Any]]
        else { return [] }
        return actions.compactMap { $0["action"] as? String == "create" ? $0["target"] as? String : nil }
    }
}

/// The phase timings `usher link -v` logs (text format): `debug: asked sonarr and radarr ... seconds=0.41 seconds`.
struct UsherPhases {
    /// Everything asked before resolving: Radarr's movie list, fetched and decoded while Sonarr's series,
    /// naming and episode lists are asked.
    var catalogs: Double?
    var resolution: Double?
    var targets: Double?
    var scan: Double?
    /// usher's own total (`duration_seconds` of its JSON).
    var total: Double?
    /// Warnings usher logged.
    var warnings: [String] = []

    /// Lock, ledger, root check, planning, applying the plan, telling Sonarr (rescan, verify) and
    /// writing the run record: the total minus the logged phases.
    var rest: Double? {
        guard let total, let catalogs, let resolution, let targets else { return nil }
        return total - catalogs - resolution - targets
    }

    static func parse(stderr: [UInt8], stdout: [UInt8]) -> UsherPhases {
        var phases = UsherPhases()
        func seconds(_ line: Substring) -> Double? {
            guard let range = line.range(of: " seconds=") else { return nil }
            let rest = line[range.upperBound...]
            return Double(rest.prefix { $0.isNumber || $0 == "." || $0 == "e" || $0 == "-" })
        }
        for line in String(decoding: stderr, as: UTF8.self).split(separator: "\n") {
            if line.hasPrefix("debug: asked sonarr and radarr") {
                phases.catalogs = seconds(line)
            } else if line.hasPrefix("debug: resolved the mappings") {
                phases.resolution = seconds(line)
            } else if line.hasPrefix("debug: examined the targets") {
                phases.targets = seconds(line)
            } else if line.hasPrefix("debug: scanned the library") {
                phases.scan = seconds(line)
            } else if line.hasPrefix("warning: ") {
                phases.warnings.append(String(line.dropFirst(9)))
            }
        }
        if let top = (try? JSONSerialization.jsonObject(with: Data(stdout))) as? [String: Any] {
            phases.total = (top["duration_seconds"] as? NSNumber)?.doubleValue
        }
        return phases
    }
}

/// The fake Radarr and Sonarr of `--api`, loaded with the generated library.
final class FakeServices: @unchecked Sendable {
    let sonarr: FakeSonarr
    let radarr: FakeRadarr
    /// What the fake Sonarr is loaded with, kept to load it again for the diagnostic passes.
    private let initialSeries: [SonarrSeries]
    private let initialEpisodes: [SonarrEpisode]
    private let initialFiles: [SonarrEpisodeFile]
    let movieCount: Int
    let mappedShows: Int
    private(set) var loadSeconds = 0.0

    var endpoints: ServiceEndpoints {
        ServiceEndpoints(sonarrURL: sonarr.url, sonarrKey: sonarr.apiKey, radarrURL: radarr.url, radarrKey: radarr.apiKey)
    }
    var episodeCount: Int { initialEpisodes.count }
    var episodeFileCount: Int { initialFiles.count }

    private init(
        sonarr: FakeSonarr, radarr: FakeRadarr, series: [SonarrSeries], episodes: [SonarrEpisode],
        files: [SonarrEpisodeFile], movieCount: Int, mappedShows: Int
    ) {
        self.sonarr = sonarr
        self.radarr = radarr
        initialSeries = series
        initialEpisodes = episodes
        initialFiles = files
        self.movieCount = movieCount
        self.mappedShows = mappedShows
    }

    /// Starts both fakes (Hummingbird on 127.0.0.1, ports picked by the system; their event loops and
    /// handlers run on NIO's and Swift's threads, never on the main thread, which the benchmark blocks
    /// in wait4) and loads them with the library of `plan` under `root`.
    ///
    /// Radarr holds every movie with its file. Sonarr holds every show; for the shows the mappings
    /// target it also holds every episode (regular ones and the existing specials, with their files,
    /// and the mapped specials, without a file). The other shows' episodes are left out: usher never
    /// asks for them, and the fake answers an episode list by scanning all the episodes it holds, which
    /// would charge usher for the fake's linear scans.
    static func start(plan: LibraryPlan, root: String) throws(BenchError) -> FakeServices {
        let started = Posix.now()
        let (sonarr, radarr): (FakeSonarr, FakeRadarr)
        do {
            (sonarr, radarr) = try blockingAwait {
                let sonarr = try await FakeSonarr.start(apiKey: "bench-sonarr-key")
                let radarr = try await FakeRadarr.start(apiKey: "bench-radarr-key")
                return (sonarr, radarr)
            }
        } catch {
            throw BenchError("cannot start the fake Sonarr and Radarr: \(error)")
        }

        // Radarr: every movie, with its main file.
        let bluray = ArrQuality(
            quality: .init(id: 7, name: "Bluray-1080p", source: "bluray", resolution: 1080),
            revision: .init(version: 1, real: 0, isRepack: false))
        var movies: [RadarrMovie] = []
        movies.reserveCapacity(plan.options.movies)
        for index in 0..<plan.options.movies {
            let movie = plan.movie(index)
            let id = LibraryPlan.radarrID(movie: index)
            let folder = root + "/movies/" + movie.folder
            movies.append(
                RadarrMovie(
                    id: id, title: movie.title, year: movie.year, path: folder, folderName: folder,
                    tmdbId: LibraryPlan.tmdbID(movie: index), hasFile: true, monitored: true,
                    movieFile: RadarrMovieFile(
                        id: id, movieId: id, relativePath: movie.fileName, path: folder + "/" + movie.fileName,
                        size: movie.size, quality: bluray, releaseGroup: nil),
                    sizeOnDisk: movie.size, rootFolderPath: root + "/movies", movieFileId: id))
        }
        radarr.withState { $0.movies = movies }

        // Sonarr: every show; episodes and files of the mapped ones. Ids far above the ones the fake
        // gives out itself (from 1001, for commands and for files its rescan finds).
        var movieOfSpecial: [Int: [Int: Int]] = [:]
        for link in plan.links { movieOfSpecial[link.show, default: [:]][link.episode] = link.movie }
        let webdl = ArrQuality(
            quality: .init(id: 3, name: "WEBDL-1080p", source: "web", resolution: 1080),
            revision: .init(version: 1, real: 0, isRepack: false))
        var series: [SonarrSeries] = []
        var episodes: [SonarrEpisode] = []
        var files: [SonarrEpisodeFile] = []
        var nextEpisodeID = 20_000_000
        var nextFileID = 10_000_000
        var mappedShows = 0
        for (index, show) in plan.shows.enumerated() {
            let id = LibraryPlan.sonarrID(show: index)
            let folder = root + "/tv/" + show.folder
            series.append(
                SonarrSeries(
                    id: id, title: show.title, path: folder, tvdbId: LibraryPlan.tvdbID(show: index), year: show.year,
                    seriesType: "standard", monitored: true, rootFolderPath: root + "/tv", seasonFolder: true))
            guard show.mapped > 0 else { continue }
            mappedShows += 1
            for episode in 1...show.mapped {
                let title = movieOfSpecial[index]?[episode].map { plan.movie($0).title } ?? "Special \(episode)"
                nextEpisodeID += 1
                episodes.append(
                    SonarrEpisode(
                        id: nextEpisodeID, seriesId: id, episodeFileId: 0, seasonNumber: 0, episodeNumber: episode,
                        title: title, hasFile: false, monitored: true))
            }
            for season in LibraryPlan.seasons(of: show, index: index, seed: plan.options.seed) {
                for file in season.files {
                    nextFileID += 1
                    nextEpisodeID += 1
                    files.append(
                        SonarrEpisodeFile(
                            id: nextFileID, seriesId: id, seasonNumber: season.number, relativePath: season.folder + "/" + file.fileName,
                            path: folder + "/" + season.folder + "/" + file.fileName, size: file.size, quality: webdl))
                    episodes.append(
                        SonarrEpisode(
                            id: nextEpisodeID, seriesId: id, episodeFileId: nextFileID, seasonNumber: season.number,
                            episodeNumber: file.episode, title: file.title, hasFile: true, monitored: true))
                }
            }
        }
        let services = FakeServices(
            sonarr: sonarr, radarr: radarr, series: series, episodes: episodes, files: files,
            movieCount: movies.count, mappedShows: mappedShows)
        services.reload()
        services.loadSeconds = Posix.now() - started
        return services
    }

    /// Puts the fake Sonarr back in its first state: no special the mappings target has a file.
    func reload() {
        let (series, episodes, files) = (initialSeries, initialEpisodes, initialFiles)
        sonarr.withState {
            $0.series = series
            $0.episodes = episodes
            $0.episodeFiles = files
            // The library keeps its specials in `Season 00` folders: a Sonarr set up that way.
            $0.naming.specialsFolderFormat = "Season {season:00}"
        }
    }

    func resetRequests() {
        sonarr.server.resetRequests()
        radarr.server.resetRequests()
    }

    /// The requests received since the last reset, by endpoint.
    func tally() -> [Endpoint: Int] {
        var counts: [Endpoint: Int] = [:]
        for (service, requests) in [("sonarr", sonarr.requests), ("radarr", radarr.requests)] {
            for request in requests {
                var path = request.path
                // `/api/v3/movie/123` → `/api/v3/movie/{id}`
                if let last = path.split(separator: "/").last, Int(last) != nil { path = String(path.dropLast(last.count)) + "{id}" }
                if !request.query.isEmpty { path += "?" + request.query.map { $0.0 + "=" }.joined(separator: "&") }
                counts[Endpoint(service: service, method: request.method, path: path), default: 0] += 1
            }
        }
        return counts
    }

    /// The request counts a pass must show. A full pass: each history's newest record, the catalogs and one
    /// episode list per mapped show (the fake is Sonarr v4, which embeds each episode's file, so no
    /// episode-file list is needed). An incremental pass: each history since the last pass, Sonarr's series
    /// list and naming, and each movie the history names. After a pass that changed links also one rescan per
    /// changed show, at least one look at the command list, the series list again (the season counts to keep)
    /// and the episode list again per rescanned show.
    func expectedRequests(full: Bool, rescanned: Int, moviesAsked: Int = 0) -> [Endpoint: Int] {
        var expected: [Endpoint: Int] =
            full
            ? [.radarrNewest: 1, .sonarrNewest: 1, .movieList: 1, .seriesList: 1, .naming: 1, .episodes: mappedShows]
            : [.radarrSince: 1, .sonarrSince: 1, .seriesList: 1, .naming: 1]
        if moviesAsked > 0 { expected[.movie] = moviesAsked }
        if rescanned > 0 {
            expected[.command] = rescanned
            expected[.seriesList, default: 0] += 1
            expected[.episodes, default: 0] += rescanned
        }
        return expected
    }

    /// What Radarr does when it upgrades a movie: the new file (sparse, one byte larger) replaces the old one on
    /// disk, and the movie's history records the import. Returns the new file's path.
    func upgrade(movieID: Int, path: String) throws(BenchError) -> String {
        var upgraded = path.replacingOccurrences(of: "Bluray-1080p", with: "Remux-1080p")
        if upgraded == path { upgraded = Paths.parent(path) + "/upgraded " + Paths.lastComponent(path) }
        var st = stat()
        guard stat(path, &st) == 0 else { throw BenchError("cannot upgrade \(path): it is not there") }
        let fd = open(upgraded, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
        guard fd >= 0, ftruncate(fd, off_t(st.st_size + 1)) == 0 else { throw BenchError("cannot write \(upgraded)") }
        close(fd)
        unlink(path)
        radarr.importFile(movieID: movieID, path: upgraded, size: Int64(st.st_size + 1), quality: "Remux-1080p")
        return upgraded
    }

    func stop() {
        let (sonarr, radarr) = (self.sonarr, self.radarr)
        try? blockingAwait {
            await sonarr.stop()
            await radarr.stop()
        }
    }

    /// Times the parts of a pass one by one, in this process: what the fakes alone spend on each kind
    /// of answer (a plain HTTP client, one request after the other, no decoding), and what decoding
    /// those answers with usher's own models costs (UsherKit's decoders and UsherCore's catalog, the
    /// code usher runs: `ServiceClient.decodeList`). Run after the passes: the `RescanSeries` find nothing new.
    func measureParts(seriesIDs: [Int]) -> PartCosts? {
        let radarrPort = radarr.server.port
        let sonarrPort = sonarr.server.port
        var costs = PartCosts()
        var start = Posix.now()
        guard let movies = RawHTTP.request(port: radarrPort, "GET", "/api/v3/movie", key: radarr.apiKey), movies.status == 200 else { return nil }
        costs.movieList = (Posix.now() - start, movies.body.count)
        start = Posix.now()
        guard let decoded = try? ServiceClient.decodeList(RadarrMovie.self, from: Data(movies.body)) else { return nil }
        costs.movieDecode = Posix.now() - start
        start = Posix.now()
        let catalog = MovieCatalog(
            instances: ["main"],
            movies: decoded.map { movie in
                CatalogMovie(
                    instance: "main", id: movie.id, title: movie.title, year: movie.year, tmdb: movie.tmdbId, imdb: movie.imdbId, tags: movie.tags ?? [],
                    file: movie.movieFile.map {
                        CatalogFile(id: $0.id, path: $0.path ?? "", size: $0.size, quality: $0.quality?.usherQuality, releaseGroup: $0.releaseGroup)
                    })
            })
        costs.movieCatalog = Posix.now() - start
        guard catalog.all.count == decoded.count else { return nil }

        start = Posix.now()
        guard let series = RawHTTP.request(port: sonarrPort, "GET", "/api/v3/series", key: sonarr.apiKey), series.status == 200 else { return nil }
        costs.seriesList = (Posix.now() - start, series.body.count)
        start = Posix.now()
        guard (try? ServiceClient.decodeList(SonarrSeries.self, from: Data(series.body))) != nil else { return nil }
        costs.seriesDecode = Posix.now() - start

        var bodies: [[UInt8]] = []
        start = Posix.now()
        for id in seriesIDs {
            guard
                let episodes = RawHTTP.request(
                    port: sonarrPort, "GET", "/api/v3/episode?seriesId=\(id)&seasonNumber=0&includeEpisodeFile=true", key: sonarr.apiKey),
                episodes.status == 200
            else { return nil }
            bodies.append(episodes.body)
        }
        costs.episodeLists = (Posix.now() - start, bodies.reduce(0) { $0 + $1.count })
        start = Posix.now()
        for body in bodies {
            guard (try? ServiceClient.decodeList(SonarrEpisode.self, from: Data(body))) != nil else { return nil }
        }
        costs.episodeDecode = Posix.now() - start

        start = Posix.now()
        for id in seriesIDs {
            let body = "{\"name\":\"RescanSeries\",\"seriesId\":\(id)}"
            guard let answer = RawHTTP.request(port: sonarrPort, "POST", "/api/v3/command", key: sonarr.apiKey, body: body),
                answer.status == 201
            else { return nil }
        }
        costs.rescans = Posix.now() - start
        costs.series = seriesIDs.count
        return costs
    }
}

/// The parts of a pass timed one by one (`FakeServices.measureParts`), in seconds and bytes.
struct PartCosts {
    var movieList: (seconds: Double, bytes: Int) = (0, 0)
    var movieDecode = 0.0
    var movieCatalog = 0.0
    var seriesList: (seconds: Double, bytes: Int) = (0, 0)
    var seriesDecode = 0.0
    /// One episode list and one episode-file list per series.
    var episodeLists: (seconds: Double, bytes: Int) = (0, 0)
    var episodeDecode = 0.0
    var rescans = 0.0
    var series = 0

    var lines: [String] {
        func mb(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
        func s(_ seconds: Double) -> String { String(format: "%.3f s", seconds) }
        return [
            "movie list (\(mb(movieList.bytes))): the fake Radarr answers in \(s(movieList.seconds)); usher decodes it in \(s(movieDecode)), indexing the catalog \(s(movieCatalog))",
            "series list (\(mb(seriesList.bytes))): the fake Sonarr answers in \(s(seriesList.seconds)); decoding takes \(s(seriesDecode))",
            "\(series) season-0 episode lists with their files embedded (\(mb(episodeLists.bytes)) in all): the fake Sonarr answers them one after the other in \(s(episodeLists.seconds)); decoding them takes \(s(episodeDecode))",
            "\(series) RescanSeries, one after the other, nothing new on disk: the fake Sonarr takes \(s(rescans)) (\(String(format: "%.1f", rescans * 1000 / Double(max(1, series)))) ms each)",
        ]
    }
}

/// Runs async work from synchronous code and waits for it on this (non-pool) thread.
func blockingAwait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

/// A minimal HTTP/1.1 client over a blocking socket (one request per connection), to time the fakes
/// without any client-side decoding.
enum RawHTTP {
    struct Answer {
        var status: Int
        var body: [UInt8]
    }

    static func request(port: Int, _ method: String, _ path: String, key: String, body: String = "") -> Answer? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nX-Api-Key: \(key)\r\nAccept: application/json\r\nConnection: close\r\n"
        if !body.isEmpty { head += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        var bytes = Array((head + "\r\n" + body).utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return nil }
            bytes = bytes.dropFirst(n)
        }
        var timeout = timeval(tv_sec: 300, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // Read until the body is complete (Content-Length) or the server closes the connection.
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var headEnd: Int?
        var bodyLength: Int?
        var searched = 0
        while true {
            if let headEnd, let bodyLength, received.count >= headEnd + bodyLength { break }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            received.append(contentsOf: buffer[0..<n])
            if headEnd == nil, received.count >= 4 {
                var i = max(0, searched - 3)
                while i + 4 <= received.count {
                    if received[i] == 13, received[i + 1] == 10, received[i + 2] == 13, received[i + 3] == 10 {
                        headEnd = i + 4
                        break
                    }
                    i += 1
                }
                searched = received.count
                if let end = headEnd {
                    for line in String(decoding: received[0..<end], as: UTF8.self).split(separator: "\r\n") {
                        let parts = line.split(separator: ":", maxSplits: 1)
                        if parts.count == 2, parts[0].lowercased() == "content-length" {
                            bodyLength = Int(parts[1].trimmingCharacters(in: .whitespaces))
                        }
                    }
                }
            }
        }
        // "HTTP/1.1 200 OK\r\n..."
        guard received.count >= 12, let status = Int(String(decoding: received[9..<12], as: UTF8.self)) else { return nil }
        return Answer(status: status, body: Array(received[(headEnd ?? received.count)...]))
    }
}
