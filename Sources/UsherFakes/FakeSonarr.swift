import Foundation
import UsherCore
public import UsherKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An in-process Sonarr (API v3 as served by Sonarr v4, or v3 with `version: "3.0.10.1567"`) for
/// the endpoints Usher uses. `RescanSeries` looks at the series folder on disk, as Sonarr does.
public final class FakeSonarr: FakeArrBase, @unchecked Sendable {
    public var version: String
    public var series: [SonarrSeries] = [] { didSet { answers = [:] } }
    public var episodes: [SonarrEpisode] = [] { didSet { answers = [:] } }
    public var episodeFiles: [SonarrEpisodeFile] = [] { didSet { answers = [:] } }
    /// Encoded series and episode lists by query, until the series, episodes or files change (Sonarr answers
    /// from its database; the benchmark should not time the fake's JSON encoder).
    private var answers: [String: Data] = [:]
    public var naming = SonarrNamingConfig(
        renameEpisodes: true, replaceIllegalCharacters: true, colonReplacementFormat: 4, multiEpisodeStyle: 5,
        standardEpisodeFormat: "{Series Title} - S{season:00}E{episode:00} - {Episode Title} {Quality Full}",
        dailyEpisodeFormat: "{Series Title} - {Air-Date} - {Episode Title} {Quality Full}",
        animeEpisodeFormat: "{Series Title} - S{season:00}E{episode:00} - {absolute:000} - {Episode Title} {Quality Full}",
        seriesFolderFormat: "{Series Title}", seasonFolderFormat: "Season {season:00}", specialsFolderFormat: "Specials")
    /// Files deleted through the API (Sonarr's recycle bin would hold them).
    public var deletedFilePaths: [String] = []
    /// The download queue, one record per episode (`GET /api/v3/queue`, paged).
    public var queue: [SonarrQueueRecord] = []
    /// Releases an indexer would find: a search for one of these episodes grabs it, and its download
    /// appears in the queue with this id (as Sonarr does once the download client accepted it).
    public var releases: [Int: String] = [:]
    /// Called for each grab (episode id, download id), e.g. to add the download to a fake client.
    public var onGrab: (@Sendable (Int, String) -> Void)?
    /// Searches received: `EpisodeSearch` episode ids, one list per command.
    public private(set) var episodeSearches: [[Int]] = []
    /// Searches received: `SeasonSearch` (series id, season).
    public private(set) var seasonSearches: [(series: Int, season: Int)] = []

    public static func start(apiKey: String = "sonarr-test-key", urlBase: String = "", version: String = "4.0.19.2979") async throws -> FakeSonarr {
        let fake = FakeSonarr(apiKey: apiKey, urlBase: urlBase, version: version)
        try await fake.startServer()
        return fake
    }

    init(apiKey: String, urlBase: String, version: String) {
        self.version = version
        super.init(apiKey: apiKey, urlBase: urlBase)
    }

    /// Adds a series (and its episodes) under the lock.
    public func add(_ series: SonarrSeries, episodes: [SonarrEpisode] = []) {
        lock.withLock {
            self.series.append(series)
            self.episodes.append(contentsOf: episodes)
        }
    }

    public func withState<T>(_ body: (FakeSonarr) -> T) -> T { lock.withLock { body(self) } }

    /// What Sonarr's rename does: the episode file moves on disk and the history says so, per episode.
    public func renameEpisodeFile(id: Int, to path: String) throws {
        try lock.withLock {
            guard let index = episodeFiles.firstIndex(where: { $0.id == id }), let old = episodeFiles[index].path else { return }
            try FileManager.default.moveItem(atPath: old, toPath: path)
            episodeFiles[index].path = path
            for episode in episodes where episode.episodeFileId == id {
                recordHistory("episodeFileRenamed", seriesId: episode.seriesId, episodeId: episode.id)
            }
        }
    }

    /// Deletes a series (not its files). Sonarr deletes the series' history with it.
    public func deleteSeries(id: Int) {
        lock.withLock {
            series.removeAll { $0.id == id }
            episodes.removeAll { $0.seriesId == id }
            episodeFiles.removeAll { $0.seriesId == id }
            history.removeAll { $0.seriesId == id }
        }
    }

    /// Like Sonarr, every series lists its seasons with their episode counts (unless a test set its own).
    /// `bySeries` is the episodes grouped by series once per request: a library-sized list is not scanned
    /// once per series.
    func withSeasons(_ s: SonarrSeries, bySeries: [Int: [SonarrEpisode]], filesByID: [Int: SonarrEpisodeFile]) -> SonarrSeries {
        guard s.seasons == nil else { return s }
        var copy = s
        let own = bySeries[s.id] ?? []
        copy.seasons = Set(own.map(\.seasonNumber)).sorted().map { season in
            let list = own.filter { $0.seasonNumber == season }
            // Like Sonarr's statistics query: files counted by episode, bytes by file.
            let fileIDs = Set(list.compactMap { $0.episodeFileId == 0 ? nil : $0.episodeFileId })
            let bytes = fileIDs.reduce(Int64(0)) { $0 + (filesByID[$1]?.size ?? 0) }
            return SonarrSeason(
                seasonNumber: season, monitored: true,
                statistics: .init(
                    episodeCount: list.filter { $0.monitored != false }.count,
                    episodeFileCount: list.filter { ($0.episodeFileId ?? 0) != 0 || $0.hasFile == true }.count,
                    totalEpisodeCount: list.count, sizeOnDisk: bytes))
        }
        return copy
    }

    override func handle(_ request: FakeRequest) -> FakeResponse {
        if let answer = handleTags(request) ?? handleCommandLookup(request) ?? handleHistory(request) { return answer }
        let path = request.path
        switch (request.method, path) {
        case ("GET", "/api/v3/system/status"):
            return .json(ArrSystemStatus(appName: "Sonarr", version: version, urlBase: urlBase, instanceName: "Sonarr"))
        case ("GET", "/api/v3/series"):
            let tvdb = request.query("tvdbId").flatMap(Int.init)
            let cacheKey = "series|\(tvdb ?? -1)"
            if let cached = answers[cacheKey] { return FakeResponse(status: 200, body: cached) }
            let bySeries = Dictionary(grouping: episodes, by: \.seriesId)
            let filesByID = Dictionary(episodeFiles.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            let answer = FakeResponse.json(series.filter { tvdb == nil || $0.tvdbId == tvdb }.map { withSeasons($0, bySeries: bySeries, filesByID: filesByID) })
            answers[cacheKey] = answer.body
            return answer
        case ("GET", _) where Self.id(in: path, after: "/api/v3/series") != nil:
            let id = Self.id(in: path, after: "/api/v3/series")
            return series.first { $0.id == id }.map { .json($0) } ?? .error(404, "Series with ID \(id!) does not exist")
        case ("PUT", "/api/v3/series/editor"):
            guard let body = decode(SeriesEditor.self, request) else { return .error(400, "bad editor body") }
            for index in series.indices where body.seriesIds.contains(series[index].id) {
                series[index].tags = Self.apply(body.tags, mode: body.applyTags, to: series[index].tags)
            }
            return .json(series.filter { body.seriesIds.contains($0.id) }, status: 202)
        case ("GET", "/api/v3/episode"):
            let ids = request.queryAll("episodeIds").flatMap { $0.split(separator: ",") }.compactMap { Int($0) }
            guard let seriesID = request.query("seriesId").flatMap(Int.init) else {
                if !ids.isEmpty { return .json(episodes.filter { ids.contains($0.id) }) }
                return .error(400, "seriesId or episodeIds must be provided")
            }
            let season = request.query("seasonNumber").flatMap(Int.init)
            let cacheKey = "\(seriesID)|\(season ?? -1)|\(request.query("includeEpisodeFile") ?? "")"
            if let cached = answers[cacheKey] { return FakeResponse(status: 200, body: cached) }
            var list = episodes.filter { $0.seriesId == seriesID && (season == nil || $0.seasonNumber == season) }
            // Sonarr v4 embeds each episode's file on request; v3 does not know the parameter.
            if request.query("includeEpisodeFile")?.lowercased() == "true", !version.hasPrefix("3.") {
                let files = Dictionary(episodeFiles.filter { $0.seriesId == seriesID }.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
                for i in list.indices { list[i].episodeFile = list[i].episodeFileId.flatMap { files[$0] } }
            }
            let answer = FakeResponse.json(list)
            answers[cacheKey] = answer.body
            return answer
        case ("PUT", "/api/v3/episode/monitor"):
            guard let body = decode(EpisodeMonitor.self, request) else { return .error(400, "bad body") }
            for index in episodes.indices where body.episodeIds.contains(episodes[index].id) { episodes[index].monitored = body.monitored }
            return .json(episodes.filter { body.episodeIds.contains($0.id) }, status: 202)
        case ("GET", "/api/v3/episodefile"):
            guard let seriesID = request.query("seriesId").flatMap(Int.init) else {
                return .error(400, "seriesId or episodeFileIds must be provided")
            }
            return .json(episodeFiles.filter { $0.seriesId == seriesID })
        case ("DELETE", _) where Self.id(in: path, after: "/api/v3/episodefile") != nil:
            let id = Self.id(in: path, after: "/api/v3/episodefile")
            guard let file = episodeFiles.first(where: { $0.id == id }) else { return .error(404, "Not Found") }
            if let filePath = file.path {
                try? FileManager.default.removeItem(atPath: filePath)
                deletedFilePaths.append(filePath)
            }
            episodeFiles.removeAll { $0.id == id }
            for index in episodes.indices where episodes[index].episodeFileId == id {
                episodes[index].episodeFileId = 0
                episodes[index].hasFile = false
                recordHistory("episodeFileDeleted", seriesId: episodes[index].seriesId, episodeId: episodes[index].id)
            }
            return FakeResponse(status: 200, body: Data("{}".utf8))
        case ("GET", "/api/v3/queue"):
            let page = max(1, request.query("page").flatMap(Int.init) ?? 1)
            let size = max(1, request.query("pageSize").flatMap(Int.init) ?? 10)
            let records = Array(queue.dropFirst((page - 1) * size).prefix(size))
            struct Page: Encodable {
                var page: Int, pageSize: Int, sortKey = "timeleft", sortDirection = "ascending", totalRecords: Int
                var records: [SonarrQueueRecord]
            }
            return .json(Page(page: page, pageSize: size, totalRecords: queue.count, records: records))
        case ("GET", "/api/v3/config/naming"):
            return .json(naming)
        case ("POST", "/api/v3/command"):
            guard let body = decode(CommandBody.self, request) else { return .error(400, "bad command") }
            let command = recordCommand(body.name)
            if body.name == "RescanSeries" {
                for s in series where body.seriesId == nil || body.seriesId == s.id { rescan(s) }
            }
            if body.name == "EpisodeSearch" {
                guard let ids = body.episodeIds, !ids.isEmpty else { return .error(400, "'Episode Ids' must not be empty.") }
                episodeSearches.append(ids)
                grab(episodes.filter { ids.contains($0.id) })
            }
            if body.name == "SeasonSearch" {
                guard let seriesID = body.seriesId, let season = body.seasonNumber else { return .error(400, "seriesId and seasonNumber are required") }
                seasonSearches.append((seriesID, season))
                grab(episodes.filter { $0.seriesId == seriesID && $0.seasonNumber == season && $0.monitored != false && $0.hasFile != true })
            }
            var queued = command
            queued.status = "queued"
            return .json(queued, status: 201)
        default:
            return .error(404, "Not Found")
        }
    }

    /// What Sonarr's disk scan does for the parts Usher relies on: every video below the series folder
    /// whose name holds episode codes becomes that episode's file; files gone from disk are dropped.
    ///
    /// Like Sonarr (whose database finds a series' episodes and files by the series id), the scan works
    /// on the series' own episodes and files, indexed once per scan rather than searched once per file
    /// found; it reads folder listings and looks closer (its size) only at a file it does not know yet.
    /// A library-sized fake (hundreds of series, tens of thousands of files) rescans a series in about
    /// a millisecond this way instead of tens.
    private func rescan(_ s: SonarrSeries) {
        guard let root = s.path else { return }
        episodeFiles.removeAll { $0.seriesId == s.id && !FileManager.default.fileExists(atPath: $0.path ?? "") }
        var episodesByNumber: [EpisodeNumber: [Int]] = [:]
        for i in episodes.indices where episodes[i].seriesId == s.id {
            episodesByNumber[EpisodeNumber(season: episodes[i].seasonNumber, episode: episodes[i].episodeNumber), default: []].append(i)
        }
        var fileIDs: [String: Int] = [:]
        for file in episodeFiles where file.seriesId == s.id {
            if let path = file.path, fileIDs[path] == nil { fileIDs[path] = file.id }
        }
        for path in videoFilePaths(below: root) {
            let codes = EpisodeNumber.codes(inFileName: Paths.lastComponent(path))
            let matching = Set(codes.flatMap { episodesByNumber[$0] ?? [] }).sorted()
            guard let first = matching.first else { continue }
            let fileID: Int
            if let existing = fileIDs[path] {
                fileID = existing
            } else {
                fileID = makeID()
                fileIDs[path] = fileID
                let relative = String(path.dropFirst(root.count + 1))
                let quality = Quality.parse(fileName: Paths.lastComponent(path))
                episodeFiles.append(
                    SonarrEpisodeFile(
                        id: fileID, seriesId: s.id, seasonNumber: episodes[first].seasonNumber, relativePath: relative, path: path, size: fileSize(path),
                        quality: ArrQuality(
                            quality: .init(id: 7, name: quality?.title ?? "Unknown", source: nil, resolution: nil),
                            revision: .init(version: 1, real: 0, isRepack: false)),
                        sceneName: nil, releaseGroup: nil))
            }
            for i in matching {
                episodes[i].episodeFileId = fileID
                episodes[i].hasFile = true
            }
        }
        let live = Set(fileIDs.values)
        for i in episodes.indices where episodes[i].seriesId == s.id {
            if let id = episodes[i].episodeFileId, id != 0, !live.contains(id) {
                episodes[i].episodeFileId = 0
                episodes[i].hasFile = false
            }
        }
    }

    struct SeriesEditor: Decodable { var seriesIds: [Int]; var tags: [Int]?; var applyTags: String? }
    struct EpisodeMonitor: Decodable { var episodeIds: [Int]; var monitored: Bool }
    struct CommandBody: Decodable { var name: String; var seriesId: Int?; var seasonNumber: Int?; var episodeIds: [Int]? }

    /// What a search that finds releases does: the grabbed downloads join the queue. Only monitored
    /// episodes are grabbed, as Sonarr's searches (automatic ones) skip unmonitored episodes.
    private func grab(_ wanted: [SonarrEpisode]) {
        for episode in wanted where episode.monitored != false {
            guard let download = releases[episode.id], !queue.contains(where: { $0.episodeId == episode.id }) else { continue }
            queue.append(
                SonarrQueueRecord(
                    id: makeID(), seriesId: episode.seriesId, episodeId: episode.id, seasonNumber: episode.seasonNumber,
                    title: "release for episode \(episode.id)", status: "downloading", trackedDownloadState: "downloading",
                    downloadId: download, downloadClient: "Download Client", protocol: "usenet"))
            onGrab?(episode.id, download)
        }
    }
}

/// Video files below a folder, as a disk scan finds them: regular files (not symbolic links) with a
/// video extension, at any depth, sorted by path. Only folder listings are read (they carry each
/// entry's type); a file is looked at on its own only when the listing does not say what it is.
private func videoFilePaths(below folder: String) -> [String] {
    var result: [String] = []
    func walk(_ directory: String) {
        guard let handle = opendir(directory) else { return }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let path = directory + "/" + name
            var isDirectory = Int32(entry.pointee.d_type) == Int32(DT_DIR)
            var isRegular = Int32(entry.pointee.d_type) == Int32(DT_REG)
            if Int32(entry.pointee.d_type) == Int32(DT_UNKNOWN) {
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
                isRegular = (info.st_mode & S_IFMT) == S_IFREG
            }
            if isDirectory {
                walk(path)
            } else if isRegular, LibraryRules.isVideo(name, extensions: UsherConfig.defaultVideoExtensions) {
                result.append(path)
            }
        }
    }
    walk(folder)
    return result.sorted()
}

/// The size of a file (not following a symbolic link), 0 when it cannot be read.
private func fileSize(_ path: String) -> Int64 {
    var info = stat()
    return lstat(path, &info) == 0 ? Int64(info.st_size) : 0
}
