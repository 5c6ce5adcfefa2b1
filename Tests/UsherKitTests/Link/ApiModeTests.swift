import Foundation
import Logging
import Testing
import UsherCore
import UsherFakes

@testable import UsherKit

/// The standard small library, served by a fake Sonarr and Radarr (and Plex when asked for).
final class ApiLibrary: @unchecked Sendable {
    let lib: TestLibrary
    let sonarr: FakeSonarr
    let radarr: FakeRadarr
    var plex: FakePlex?
    static let movieFile = "movies/24- Redemption (2008)/24- Redemption (2008) Bluray-1080p.mkv"
    static let target = "tv/24/Specials/24 - S00E09 - Redemption Bluray-1080p.mkv"

    init(plexSections: [FakePlex.Section]? = nil) async throws {
        lib = try TestLibrary()
        try lib.standard()
        sonarr = try await FakeSonarr.start()
        radarr = try await FakeRadarr.start()
        if let plexSections { plex = try await FakePlex.start(sections: plexSections) }
        sonarr.add(
            SonarrSeries(id: 1, title: "24", path: lib.path("tv/24"), tvdbId: 76290, year: 2001, seriesType: "standard", tags: [], seasonFolder: true),
            episodes: [
                SonarrEpisode(id: 109, seriesId: 1, episodeFileId: 0, seasonNumber: 0, episodeNumber: 9, title: "Redemption", hasFile: false, monitored: true),
                SonarrEpisode(id: 101, seriesId: 1, episodeFileId: 0, seasonNumber: 1, episodeNumber: 1, title: "Pilot", hasFile: false, monitored: true),
            ])
        radarr.add(movie(id: 10, path: Self.movieFile, quality: "Bluray-1080p"))
        radarr.add(movie(id: 11, title: "Heat", year: 1995, tmdb: 949, path: "movies/Heat (1995)/Heat (1995) Bluray-1080p.mkv", quality: "Bluray-1080p"))
        try lib.writeMappings(
            """
            links:
              - {movie: "24: Redemption", year: 2008, tmdb: 15035, show: "24", tvdb: 76290, episodes: S00E09}
            """)
        configure()
    }

    func movie(id: Int, title: String = "24: Redemption", year: Int = 2008, tmdb: Int = 15035, path: String, quality: String, size: Int64 = 5000) -> RadarrMovie
    {
        RadarrMovie(
            id: id, title: title, year: year, path: lib.path(Paths.parent(path)), tmdbId: tmdb, hasFile: true, monitored: true, tags: [],
            movieFile: RadarrMovieFile(
                id: id * 10, movieId: id, relativePath: Paths.lastComponent(path), path: lib.path(path), size: size,
                quality: ArrQuality(quality: .init(id: 7, name: quality), revision: .init(version: 1, real: 0, isRepack: false))))
    }

    var extra = ""
    /// Where the config sends Radarr instead of the fake (a `HeldPort`, where nothing answers).
    var radarrURL: String?
    /// More Sonarr instances, as lines under `sonarr:`.
    var moreSonarr = ""

    func configure() {
        var top = """
            sonarr:
              main: {url: "\(sonarr.url)", api_key: \(sonarr.apiKey)}\(moreSonarr)
            radarr:
              main: {url: "\(radarrURL ?? radarr.url)", api_key: \(radarr.apiKey)}
            api: {attempts: 1, timeout_seconds: 3}
            """
        if let plex { top += "\nplex: {url: \"\(plex.url)\", token: \(plex.token)}" }
        lib.extraTopConfig = top + (extra.isEmpty ? "" : "\n" + extra)
    }

    func link(dryRun: Bool = false, full: Bool = false) async throws -> LinkOutcome {
        configure()
        return try await lib.link(dryRun: dryRun, full: full)
    }

    /// Requests since `mark`, as `METHOD path`.
    func sonarrCalls(after mark: Int = 0) -> [String] { sonarr.requests.dropFirst(mark).map { "\($0.method) \($0.path)" } }
    func radarrCalls(after mark: Int = 0) -> [String] { radarr.requests.dropFirst(mark).map { "\($0.method) \($0.path)" } }

    func stop() async {
        await sonarr.stop()
        await radarr.stop()
        await plex?.stop()
    }
}

@Suite("API mode against fake Sonarr, Radarr and Plex")
struct ApiModeTests {
    @Test func linksByIDNamesAsSonarrAndRegisters() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        let first = try await api.link()
        #expect(first.plan.errors.isEmpty, "\(first.plan.errors)")
        #expect(first.created == 1)
        #expect(api.lib.inode(ApiLibrary.target) == api.lib.inode(ApiLibrary.movieFile))
        // Rescan sent for the series, then Sonarr's view checked.
        let commands = api.sonarr.requests.filter { $0.method == "POST" && $0.path == "/api/v3/command" }
        #expect(commands.count == 1)
        #expect(String(decoding: commands[0].body, as: UTF8.self).contains("\"seriesId\":1"))
        #expect(first.services?.registered == 1)
        #expect(first.services?.notRegistered == [])
        #expect(api.sonarr.withState { $0.episodes.first { $0.id == 109 }?.hasFile } == true)

        #expect(first.catalogPass == .full(reason: "no catalog kept yet"))

        // A second run asks what changed since (nothing): each history, Sonarr's series list and naming.
        var sonarrMark = api.sonarr.requests.count, radarrMark = api.radarr.requests.count
        let second = try await api.link()
        #expect(second.plan.isEmpty && second.unchanged == 1)
        #expect(second.catalogPass == .incremental)
        #expect(api.sonarrCalls(after: sonarrMark).sorted() == ["GET /api/v3/config/naming", "GET /api/v3/history/since", "GET /api/v3/series"])
        #expect(api.radarrCalls(after: radarrMark) == ["GET /api/v3/history/since"])
        #expect(second.requests == 4)
        #expect(second.services?.rescanned == [])

        // A full pass asks for everything, after each history's newest record (Sonarr v4 embeds the episode files).
        sonarrMark = api.sonarr.requests.count
        radarrMark = api.radarr.requests.count
        let full = try await api.link(full: true)
        #expect(full.plan.isEmpty && full.unchanged == 1)
        #expect(full.catalogPass == .full(reason: "asked for (--full)"))
        #expect(
            api.sonarrCalls(after: sonarrMark).sorted() == ["GET /api/v3/config/naming", "GET /api/v3/episode", "GET /api/v3/history", "GET /api/v3/series"])
        #expect(api.sonarr.requests.last { $0.path == "/api/v3/episode" }?.query("includeEpisodeFile") == "true")
        #expect(api.sonarr.requests.last { $0.path == "/api/v3/episode" }?.query("seasonNumber") == "0", "only the season the mappings need")
        #expect(api.radarrCalls(after: radarrMark) == ["GET /api/v3/history", "GET /api/v3/movie"])
        #expect(full.requests == 6)
    }

    @Test func dryRunChangesNothingAndTellsNobody() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        let dry = try await api.link(dryRun: true)
        #expect(dry.created == 1)
        #expect(!api.lib.exists(ApiLibrary.target))
        #expect(api.sonarr.requests.allSatisfy { $0.method == "GET" })
        #expect(LinkReport(dry).services?.rescans == ["24 in sonarr main"])
        #expect(LinkReport(dry).text().contains("would rescan 24 in sonarr main"))
    }

    @Test func tagAndUnmonitorFollowTheLinks() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        api.lib.extraLinkConfig = "  tag: usher-linked\n  unmonitor_linked: true"
        let first = try await api.link()
        #expect(first.created == 1)
        let tag = try #require(api.sonarr.withState { $0.tags.first { $0.label == "usher-linked" } })
        #expect(api.sonarr.withState { $0.series.first?.tags } == [tag.id])
        let movieTag = try #require(api.radarr.withState { $0.tags.first { $0.label == "usher-linked" } })
        #expect(api.radarr.withState { $0.movies.first { $0.id == 10 }?.tags } == [movieTag.id])
        #expect(api.radarr.withState { $0.movies.first { $0.id == 11 }?.tags } == [])
        #expect(api.sonarr.withState { $0.episodes.first { $0.id == 109 }?.monitored } == false)
        #expect(api.sonarr.withState { $0.episodes.first { $0.id == 101 }?.monitored } == true)
        #expect(first.services?.unmonitored == 1)

        // Nothing linked any more: the link goes, and so do the tags.
        try api.lib.writeMappings("links: []\n")
        let second = try await api.link()
        #expect(second.removed == 1)
        #expect(!api.lib.exists(ApiLibrary.target))
        #expect(api.sonarr.withState { $0.series.first?.tags } == [])
        #expect(api.radarr.withState { $0.movies.first { $0.id == 10 }?.tags } == [])
        #expect(second.services?.untagged.count == 2)
        #expect(second.services?.rescanned == ["24 in sonarr main"])
    }

    @Test func upgradeInRadarrReplacesTheLinkAndReportsTheSpace() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        _ = try await api.link()
        // Radarr imports a better file and deletes the old one; only Usher's link keeps the old bytes.
        let upgraded = "movies/24- Redemption (2008)/24- Redemption (2008) Remux-1080p.mkv"
        try api.lib.file(upgraded, size: 7000, seed: 9)
        try FileManager.default.removeItem(atPath: api.lib.path(ApiLibrary.movieFile))
        api.radarr.withState { $0.movies[0] = api.movie(id: 10, path: upgraded, quality: "Remux-1080p", size: 7000) }
        let run = try await api.link()
        #expect(run.replaced == 1)
        #expect(run.plan.reclaimedBytes == 5000)
        let newTarget = "tv/24/Specials/24 - S00E09 - Redemption Remux-1080p.mkv"
        #expect(api.lib.inode(newTarget) == api.lib.inode(upgraded))
        #expect(!api.lib.exists(ApiLibrary.target))
        #expect(run.services?.registered == 1)
    }

    @Test func movieDeletedInRadarrRemovesItsLink() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        _ = try await api.link()
        // Radarr deletes the movie but keeps its file, and its history with it: a run that asks only what
        // changed cannot see it, and the link (to a file still there) stays until the next full pass.
        api.radarr.deleteMovie(id: 10, deleteFiles: false)
        let quick = try await api.link()
        #expect(quick.catalogPass == .incremental)
        #expect(quick.plan.isEmpty && quick.unchanged == 1)
        let run = try await api.link(full: true)
        #expect(run.removed == 1)
        #expect(run.plan.removes.first?.reason == .sourceGone)
        #expect(!api.lib.exists(ApiLibrary.target))
        #expect(api.lib.exists(ApiLibrary.movieFile))
        // The next run reports the mapping that points at nothing.
        let next = try await api.link()
        #expect(next.plan.errors.first?.message.contains("not in radarr main") == true)
    }

    @Test func seriesDeletedInSonarrRemovesItsLink() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        _ = try await api.link()
        api.sonarr.withState { $0.series.removeAll() }
        let run = try await api.link()
        #expect(run.removed == 1)
        #expect(run.plan.removes.first?.reason == .sourceGone)
    }

    @Test(arguments: ["/api/v3/series", "/api/v3/episode", "/api/v3/config/naming"])
    func sonarrFailingMidRunChangesNothing(_ failing: String) async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        _ = try await api.link()
        let before = api.lib.snapshot()
        // Radarr upgraded the movie, but Sonarr does not answer: the link stays as it is, and the run says why.
        let upgraded = "movies/24- Redemption (2008)/24- Redemption (2008) Remux-1080p.mkv"
        try api.lib.file(upgraded, size: 7000, seed: 9)
        api.radarr.withState { $0.movies[0] = api.movie(id: 10, path: upgraded, quality: "Remux-1080p", size: 7000) }
        api.sonarr.failNext(failing, status: 503, count: 5)
        let posts = api.sonarr.requests.filter { $0.method != "GET" }.count
        let run = try await api.link(full: true)
        #expect(run.removed == 0 && run.created == 0 && run.replaced == 0)
        #expect(run.plan.kept.count == 1)
        #expect(run.plan.errors.first?.message.contains("503") == true)
        #expect(run.hasErrors)
        #expect(api.lib.snapshot() == before)
        #expect(api.sonarr.requests.filter { $0.method != "GET" }.count == posts, "nothing is told to Sonarr either")
    }

    @Test func anEmptiedLibraryRootStopsTheRun() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        _ = try await api.link()
        // The show disk is not mounted: its mount point is an empty folder (with lost+found at most).
        try FileManager.default.moveItem(atPath: api.lib.path("tv"), toPath: api.lib.path("tv-away"))
        try FileManager.default.createDirectory(atPath: api.lib.path("tv/lost+found"), withIntermediateDirectories: true)
        await #expect { try await api.link() } throws: { error in
            (error as? JobError)?.kind == .library && "\(error)".contains("is empty but held links")
        }
        #expect(try api.lib.ledger().count == 1)
        #expect(!api.lib.exists("tv/24"))
    }

    @Test func radarrUnreachableKeepsTheLink() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        _ = try await api.link()
        // Nothing answers where the config now sends Radarr (a port held for the test, which no other test's fake can take).
        let held = HeldPort()
        api.radarrURL = held.url
        let run = try await api.link()
        withExtendedLifetime(held) {}
        #expect(run.removed == 0)
        #expect(run.plan.kept.count == 1)
        #expect(run.plan.errors.first?.message.contains("did not answer") == true)
        #expect(api.lib.exists(ApiLibrary.target))
    }

    @Test func wrongKeyIsAClearErrorAndTheKeyIsNeverShown() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        api.extra = ""
        api.configure()
        api.lib.extraTopConfig = api.lib.extraTopConfig.replacingOccurrences(of: "api_key: \(api.sonarr.apiKey)", with: "api_key: wrong-sonarr-key")
        try api.lib.writeConfig()
        let config = try UsherConfig.load(path: api.lib.path("usher.yml"), environment: [:])
        let run = try await LinkJob(config: config, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }).run(LinkOptions())
        let text = LinkReport(run).text() + LinkReport(run).json()
        #expect(text.contains("the API key or token was refused"))
        #expect(!text.contains("wrong-sonarr-key"))
        #expect(run.created == 0)
    }

    @Test func duplicateEpisodeFileBlocksTheLinkAndIsReported() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        let own = "tv/24/Specials/24 - S00E09 - Redemption WEBDL-720p.mkv"
        try api.lib.file(own, size: 3000, seed: 7)
        api.sonarr.withState { sonarr in
            sonarr.episodeFiles.append(
                SonarrEpisodeFile(
                    id: 900, seriesId: 1, seasonNumber: 0, relativePath: "Specials/" + Paths.lastComponent(own),
                    path: api.lib.path(own), size: 3000,
                    quality: ArrQuality(quality: .init(id: 5, name: "WEBDL-720p"), revision: .init(version: 1))))
            sonarr.episodes[0].episodeFileId = 900
            sonarr.episodes[0].hasFile = true
        }
        let run = try await api.link()
        #expect(run.created == 0)
        #expect(run.duplicates.count == 1)
        #expect(run.duplicates.first?.freeableBytes == 3000)
        #expect(run.plan.errors.first?.message.contains("usher dedupe") == true)
        #expect(!api.lib.exists(ApiLibrary.target))
    }

    @Test func plexScansTheChangedShowFolderInItsSection() async throws {
        // Plex sees the library under /data; Usher under the test folder.
        let api = try await ApiLibrary(plexSections: [
            .init(key: "1", type: "movie", title: "Movies", locations: ["/data/movies"]),
            .init(key: "2", type: "show", title: "TV Shows", locations: ["/data/tv"]),
        ])
        defer { Task { await api.stop() } }
        api.extra = "paths:\n  - {remote: /data, local: \"\(api.lib.root)\"}"
        let run = try await api.link()
        #expect(run.created == 1)
        let refreshes = try #require(api.plex?.refreshes)
        #expect(refreshes.count == 1)
        #expect(refreshes.first?.section == "2")
        #expect(refreshes.first?.path == "/data/tv/24")
        // Nothing changed: no scan.
        _ = try await api.link()
        #expect(api.plex?.refreshes.count == 1)
    }

    @Test func remotePathsAreTranslated() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        // Radarr and Sonarr run in containers that see the library under /data.
        let root = api.lib.root
        api.radarr.withState { r in
            for i in r.movies.indices {
                var movie = r.movies[i]
                movie.path = movie.path.map { "/data" + $0.dropFirst(root.count) }
                if var file = movie.movieFile, let path = file.path {
                    file.path = "/data" + path.dropFirst(root.count)
                    movie.movieFile = file
                }
                r.movies[i] = movie
            }
        }
        api.sonarr.withState { $0.series[0].path = "/data/tv/24" }
        api.extra = "paths:\n  - {remote: /data/, local: \"\(root)/\"}"
        let run = try await api.link()
        #expect(run.created == 1, "\(run.plan.errors)")
        #expect(api.lib.inode(ApiLibrary.target) == api.lib.inode(ApiLibrary.movieFile))
    }

    @Test func mappingWithoutIDsFallsBackToTheFolders() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        // Not in Radarr, no ids: found in the movie folders instead.
        try api.lib.file("movies/Other Movie (2010)/Other Movie (2010) HDTV-720p.mkv", size: 1200, seed: 5)
        api.sonarr.withState {
            $0.episodes.append(SonarrEpisode(id: 110, seriesId: 1, episodeFileId: 0, seasonNumber: 0, episodeNumber: 10, title: "Other", monitored: true))
        }
        try api.lib.writeMappings(
            """
            links:
              - {movie: "Other Movie", year: 2010, show: "24", tvdb: 76290, episodes: S00E10}
            """)
        let run = try await api.link()
        #expect(run.created == 1, "\(run.plan.errors)")
        #expect(api.lib.exists("tv/24/Specials/24 - S00E10 - Other HDTV-720p.mkv"))
    }

    @Test func pinnedInstanceThatDoesNotExistKeepsLinks() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        try api.lib.writeMappings(
            """
            links:
              - {movie: "24: Redemption", tmdb: 15035, radarr: fourk, show: "24", tvdb: 76290, episodes: S00E09}
            """)
        let run = try await api.link()
        #expect(run.created == 0)
        #expect(run.plan.errors.first?.message.contains("no radarr instance is named 'fourk'") == true)
    }
}

@Suite("Few requests, a bounded number at once")
struct RequestBudgetTests {
    actor Gauge {
        var now = 0, peak = 0
        func enter() { now += 1; peak = max(peak, now) }
        func leave() { now -= 1 }
    }

    @Test func boundedMapKeepsOrderAndBound() async {
        let gauge = Gauge()
        let results = await boundedMap(Array(0..<40), limit: 4) { i -> Int in
            await gauge.enter()
            try? await Task.sleep(for: .milliseconds(Int.random(in: 1...5)))
            await gauge.leave()
            return i * 2
        }
        #expect(results == (0..<40).map { $0 * 2 })
        let peak = await gauge.peak
        #expect(peak <= 4 && peak >= 2)
    }

    @Test func requestsPerRunFollowTheFormula() async throws {
        // Two Sonarr instances (v4 and v3), three series (one with two mappings), one Radarr: per run 1 movie
        // list, per Sonarr one series list and one naming call, per mapped series one episode list, and one
        // episode-file list where Sonarr does not embed the files (v3) and some episode has one.
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        let anime = try await FakeSonarr.start(apiKey: "anime-key", version: "3.0.10.1567")
        defer { Task { await anime.stop() } }
        try api.lib.file("movies/Akira (1988)/Akira (1988) Bluray-1080p.mkv", size: 1500, seed: 11)
        try api.lib.file("movies/Other (2010)/Other (2010) Bluray-1080p.mkv", size: 1600, seed: 12)
        try FileManager.default.createDirectory(atPath: api.lib.path("tv/Akira Show"), withIntermediateDirectories: true)
        api.radarr.add(
            api.movie(
                id: 12, title: "Akira", year: 1988, tmdb: 149, path: "movies/Akira (1988)/Akira (1988) Bluray-1080p.mkv", quality: "Bluray-1080p", size: 1500))
        api.radarr.add(
            api.movie(
                id: 13, title: "Other", year: 2010, tmdb: 150, path: "movies/Other (2010)/Other (2010) Bluray-1080p.mkv", quality: "Bluray-1080p", size: 1600))
        api.sonarr.withState {
            $0.episodes.append(SonarrEpisode(id: 110, seriesId: 1, episodeFileId: 0, seasonNumber: 0, episodeNumber: 10, title: "Other", monitored: true))
        }
        api.sonarr.add(
            SonarrSeries(id: 2, title: "Heat Show", path: api.lib.path("tv/Heat Show"), tvdbId: 500, seriesType: "standard", seasonFolder: true),
            episodes: [SonarrEpisode(id: 201, seriesId: 2, episodeFileId: 0, seasonNumber: 0, episodeNumber: 1, title: "Heat", monitored: true)])
        anime.add(
            SonarrSeries(id: 5, title: "Akira Show", path: api.lib.path("tv/Akira Show"), tvdbId: 600, seriesType: "anime", seasonFolder: true),
            episodes: [SonarrEpisode(id: 501, seriesId: 5, episodeFileId: 0, seasonNumber: 0, episodeNumber: 1, title: "Akira", monitored: true)])
        try api.lib.writeMappings(
            """
            links:
              - {movie: "24: Redemption", tmdb: 15035, show: "24", tvdb: 76290, episodes: S00E09}
              - {movie: "Other", tmdb: 150, show: "24", tvdb: 76290, episodes: S00E10}
              - {movie: "Heat", tmdb: 949, show: "Heat Show", tvdb: 500, episodes: S00E01}
              - {movie: "Akira", tmdb: 149, show: "Akira Show", tvdb: 600, sonarr: anime, episodes: S00E01}
            """)
        api.moreSonarr = "\n  anime: {url: \"\(anime.url)\", api_key: anime-key}"
        api.configure()
        let config = try api.lib.config()
        #expect(config.sonarr.map(\.name) == ["main", "anime"])
        let job = LinkJob(config: config, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let first = try await job.run(LinkOptions())
        #expect(first.created == 4, "\(first.plan.errors)")
        #expect(api.lib.exists("tv/Akira Show/Specials/Akira Show - S00E01 - Akira Bluray-1080p.mkv"))

        let marks = (api.sonarr.requests.count, anime.requests.count, api.radarr.requests.count)
        let second = try await job.run(LinkOptions(fullCatalog: true))
        #expect(second.plan.isEmpty)
        func counted(_ requests: [FakeRequest]) -> [String: Int] {
            requests.reduce(into: [:]) { $0["\($1.method) \($1.path)", default: 0] += 1 }
        }
        #expect(
            counted(Array(api.sonarr.requests.dropFirst(marks.0))) == [
                "GET /api/v3/history": 1, "GET /api/v3/series": 1, "GET /api/v3/config/naming": 1, "GET /api/v3/episode": 2,
            ])
        #expect(
            counted(Array(anime.requests.dropFirst(marks.1))) == [
                "GET /api/v3/history": 1, "GET /api/v3/series": 1, "GET /api/v3/config/naming": 1, "GET /api/v3/episode": 1,
                "GET /api/v3/episodefile": 1,
            ])
        #expect(counted(Array(api.radarr.requests.dropFirst(marks.2))) == ["GET /api/v3/history": 1, "GET /api/v3/movie": 1])
        #expect(second.requests == 12)
        // And a run that asks only what changed: per instance its history, and per Sonarr its series list and naming.
        let marks3 = (api.sonarr.requests.count, anime.requests.count, api.radarr.requests.count)
        let third = try await job.run(LinkOptions())
        #expect(third.plan.isEmpty && third.catalogPass == .incremental)
        #expect(
            counted(Array(api.sonarr.requests.dropFirst(marks3.0))) == [
                "GET /api/v3/history/since": 1, "GET /api/v3/series": 1, "GET /api/v3/config/naming": 1,
            ])
        #expect(
            counted(Array(anime.requests.dropFirst(marks3.1))) == ["GET /api/v3/history/since": 1, "GET /api/v3/series": 1, "GET /api/v3/config/naming": 1])
        #expect(counted(Array(api.radarr.requests.dropFirst(marks3.2))) == ["GET /api/v3/history/since": 1])
        #expect(third.requests == 7)
    }
}
