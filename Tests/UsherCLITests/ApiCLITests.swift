import Foundation
import Testing
import UsherCore
import UsherFakes
import UsherKit

@Suite("The usher binary in API mode")
struct ApiCLITests {
    /// A library with one movie mapped to a special, served by fake Sonarr and Radarr.
    private func setUp(radarrKey: String? = nil) async throws -> (dir: String, sonarr: FakeSonarr, radarr: FakeRadarr) {
        let dir = try temporaryFolder()
        let movie = dir + "/lib/movies/Heat (1995)/Heat (1995) Bluray-1080p.mkv"
        try FileManager.default.createDirectory(atPath: Paths.parent(movie), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/lib/tv/Heat Show", withIntermediateDirectories: true)
        try Data(repeating: 7, count: 4096).write(to: URL(fileURLWithPath: movie))
        let sonarr = try await FakeSonarr.start(apiKey: "sonarr-secret-key-123")
        let radarr = try await FakeRadarr.start(apiKey: "radarr-secret-key-456")
        sonarr.add(
            SonarrSeries(id: 3, title: "Heat Show", path: dir + "/lib/tv/Heat Show", tvdbId: 300, seriesType: "standard", seasonFolder: true),
            episodes: [SonarrEpisode(id: 31, seriesId: 3, episodeFileId: 0, seasonNumber: 0, episodeNumber: 1, title: "The Film", monitored: true)])
        radarr.add(
            RadarrMovie(
                id: 1, title: "Heat", year: 1995, path: Paths.parent(movie), tmdbId: 949, hasFile: true,
                movieFile: RadarrMovieFile(id: 5, path: movie, size: 4096, quality: ArrQuality(quality: .init(id: 7, name: "Bluray-1080p")))))
        try """
        library:
          movies: [lib/movies]
          shows: [lib/tv]
        link: {mappings: links.yml, tag: usher-linked}
        state: state/usher.db
        sonarr:
          main: {url: "\(sonarr.url)", api_key: !env_var SONARR_KEY}
        radarr:
          main: {url: "\(radarr.url)", api_key: \(radarrKey ?? radarr.apiKey)}
        api: {attempts: 1, timeout_seconds: 5}
        """.write(toFile: dir + "/usher.yml", atomically: true, encoding: .utf8)
        try """
        links:
          - {movie: Heat, tmdb: 949, show: Heat Show, tvdb: 300, episodes: S00E01}
        """.write(toFile: dir + "/links.yml", atomically: true, encoding: .utf8)
        return (dir, sonarr, radarr)
    }

    @Test func configCheckAsksEachServiceAndLinkRegisters() async throws {
        let (dir, sonarr, radarr) = try await setUp()
        defer {
            Task {
                await sonarr.stop(); await radarr.stop()
            }; try? FileManager.default.removeItem(atPath: dir)
        }
        let env = ["SONARR_KEY": sonarr.apiKey]
        let check = try await Usher.run(["config", "check", "--config", dir + "/usher.yml"], environment: env)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("sonarr main: OK, Sonarr 4.0.19"))
        #expect(check.stdout.contains("radarr main: OK, Radarr 6.0.3"))

        let link = try await Usher.run(["link", "--config", dir + "/usher.yml", "--json"], environment: env)
        #expect(link.status == 0, "\(link.stdout)\(link.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(link.stdout.utf8)) as? [String: Any])
        #expect(json["created"] as? Int == 1)
        let services = try #require(json["services"] as? [String: Any])
        #expect(services["rescans"] as? [String] == ["Heat Show in sonarr main"])
        #expect(services["registered"] as? Int == 1)
        #expect(services["tagged"] as? [String] == ["Heat Show (sonarr main)", "Heat (radarr main)"])
        #expect(FileManager.default.fileExists(atPath: dir + "/lib/tv/Heat Show/Specials/Heat Show - S00E01 - The Film Bluray-1080p.mkv"))
        for output in [check.stdout, check.stderr, link.stdout, link.stderr] {
            #expect(!output.contains(sonarr.apiKey) && !output.contains(radarr.apiKey))
        }
    }

    @Test func wrongKeyIsReportedWithoutTheKeyAndChangesNothing() async throws {
        let (dir, sonarr, radarr) = try await setUp(radarrKey: "not-the-radarr-key")
        defer {
            Task {
                await sonarr.stop(); await radarr.stop()
            }; try? FileManager.default.removeItem(atPath: dir)
        }
        let env = ["SONARR_KEY": sonarr.apiKey]
        let check = try await Usher.run(["config", "check", "--config", dir + "/usher.yml"], environment: env)
        #expect(check.status == 1)
        #expect(check.stdout.contains("radarr main: radarr main: GET http://127.0.0.1:"))
        #expect(check.stdout.contains("answered 401: the API key or token was refused"))
        let link = try await Usher.run(["link", "--config", dir + "/usher.yml"], environment: env)
        #expect(link.status == 1)
        #expect(link.stdout.contains("the API key or token was refused"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/lib/tv/Heat Show/Specials"))
        for output in [check.stdout, check.stderr, link.stdout, link.stderr] {
            #expect(!output.contains("not-the-radarr-key") && !output.contains(sonarr.apiKey))
        }
    }

    /// A command that cannot ask a service it needs says so and exits 1: no false all-clear.
    @Test(arguments: [["dedupe"], ["dedupe", "--json"], ["match"], ["match", "--json"], ["link", "--dry-run", "--json"]])
    func wrongSonarrKeyIsNeverAnAllClear(arguments: [String]) async throws {
        let (dir, sonarr, radarr) = try await setUp()
        defer {
            Task {
                await sonarr.stop(); await radarr.stop()
            }; try? FileManager.default.removeItem(atPath: dir)
        }
        let run = try await Usher.run(arguments + ["--config", dir + "/usher.yml"], environment: ["SONARR_KEY": "a-wrong-key"])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(!run.stdout.contains("No duplicates:"))
        #expect((run.stdout + run.stderr).contains("the API key or token was refused"), "\(run.stdout)\(run.stderr)")
        if arguments.contains("--json") {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
            let errors = (json["errors"] as? [Any]) ?? []
            #expect(!errors.isEmpty, "\(run.stdout)")
        }
        #expect(!(run.stdout + run.stderr).contains("a-wrong-key"))
    }

    @Test func prefetchSearchesWhatIsNextAndCronCanReadTheOutcome() async throws {
        let dir = try temporaryFolder()
        let sonarr = try await FakeSonarr.start(apiKey: "sonarr-secret-key-123")
        let tautulli = try await FakeTautulli.start(apiKey: "tautulli-secret-key-789")
        defer {
            Task {
                await sonarr.stop(); await tautulli.stop()
            }; try? FileManager.default.removeItem(atPath: dir)
        }
        let aired = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-7 * 86400))
        sonarr.add(
            SonarrSeries(id: 3, title: "Slow Horses", path: "/tv/Slow Horses", tvdbId: 393164, tags: []),
            episodes: (1...4).map {
                SonarrEpisode(
                    id: 30 + $0, seriesId: 3, episodeFileId: $0 == 1 ? 99 : 0, seasonNumber: 1, episodeNumber: $0, title: "Part \($0)",
                    hasFile: $0 == 1, monitored: true, airDateUtc: aired, runtime: 50)
            })
        tautulli.setMetadata(TautulliMetadata(ratingKey: 44, title: "Slow Horses", libraryName: "TV", guids: ["tvdb://393164"]), for: 44)
        let stopped = Int64(Date().timeIntervalSince1970) - 600
        tautulli.add([
            TautulliHistoryRow(
                user: "ann", grandparentRatingKey: 44, grandparentTitle: "Slow Horses", parentMediaIndex: 1, mediaIndex: 1,
                percentComplete: 97, date: stopped - 3000, stopped: stopped)
        ])
        // A just-in-time-only config, as a jitplex user would write it: no library folders, no mapping file.
        try """
        state: state/usher.db
        sonarr:
          main: {url: "\(sonarr.url)", api_key: \(sonarr.apiKey)}
        tautulli: {url: "\(tautulli.url)", api_key: !env_var TAUTULLI_KEY}
        api: {attempts: 1, timeout_seconds: 5}
        prefetch: {episodes_ahead: 2, search_wait: 0s}
        """.write(toFile: dir + "/usher.yml", atomically: true, encoding: .utf8)
        let env = ["TAUTULLI_KEY": tautulli.apiKey]

        let check = try await Usher.run(["config", "check", "--config", dir + "/usher.yml"], environment: env)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("usher prefetch: ready (tautulli; sonarr main; no download clients (searches only))"), "\(check.stdout)")
        #expect(check.stdout.contains("usher link: not configured: needs a way to find movies"), "\(check.stdout)")
        #expect(check.stdout.contains("usher match: not configured: needs a 'radarr:' section"), "\(check.stdout)")
        #expect(!check.stdout.contains("mappings:"), "no mapping file is asked for")
        #expect(check.stdout.contains("tautulli: OK"))

        let dry = try await Usher.run(["prefetch", "--dry-run", "--config", dir + "/usher.yml"], environment: env)
        #expect(dry.status == 0, "\(dry.stdout)\(dry.stderr)")
        #expect(dry.stdout.contains("search   Slow Horses S01E02 \"Part 2\"  (missing; next for ann)"))
        #expect(dry.stdout.contains("search   Slow Horses S01E03"))
        #expect(!dry.stdout.contains("S01E04"))
        #expect(sonarr.episodeSearches.isEmpty)

        let real = try await Usher.run(["prefetch", "--json", "--config", dir + "/usher.yml"], environment: env)
        #expect(real.status == 0, "\(real.stdout)\(real.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(real.stdout.utf8)) as? [String: Any])
        #expect((json["searched"] as? [[String: Any]])?.map { $0["episode"] as? Int } == [2, 3])
        #expect(sonarr.episodeSearches == [[32, 33]])
        for output in [dry.stdout, dry.stderr, real.stdout, real.stderr] {
            #expect(!output.contains(sonarr.apiKey) && !output.contains(tautulli.apiKey))
        }

        // Without Tautulli in the config: a configuration mistake, exit 2.
        try "library: {movies: [m], shows: [t]}\nsonarr:\n  main: {url: \"\(sonarr.url)\", api_key: x}\n".write(
            toFile: dir + "/bare.yml", atomically: true, encoding: .utf8)
        let bare = try await Usher.run(["prefetch", "--config", dir + "/bare.yml"])
        #expect(bare.status == 2)
        #expect(bare.stderr.contains("usher prefetch needs a 'tautulli:' section"), "\(bare.stderr)")
    }

    @Test func matchProposesWritesAndReviews() async throws {
        let dir = try temporaryFolder()
        let sonarr = try await FakeSonarr.start(apiKey: "sonarr-secret-key-456")
        let radarr = try await FakeRadarr.start(apiKey: "radarr-secret-key-654")
        defer {
            Task {
                await sonarr.stop(); await radarr.stop()
            }; try? FileManager.default.removeItem(atPath: dir)
        }
        radarr.add(RadarrMovie(id: 1, title: "El Camino: A Breaking Bad Movie", year: 2019, path: "/m/El Camino", tmdbId: 559969, runtime: 122))
        radarr.add(RadarrMovie(id: 2, title: "Breaking Bad: The Movie", year: 2009, path: "/m/BB", tmdbId: 900001, runtime: 120))
        sonarr.add(
            SonarrSeries(id: 4, title: "Breaking Bad", path: "/tv/Breaking Bad", tvdbId: 81189, year: 2008),
            episodes: [
                SonarrEpisode(
                    id: 40, seriesId: 4, episodeFileId: 0, seasonNumber: 0, episodeNumber: 7, title: "El Camino: A Breaking Bad Movie",
                    hasFile: false, monitored: false, airDate: "2019-10-11", runtime: 122),
                SonarrEpisode(
                    id: 41, seriesId: 4, episodeFileId: 0, seasonNumber: 0, episodeNumber: 8, title: "Breaking Bad: Original Minisodes",
                    hasFile: false, monitored: false, airDate: "2009-02-17", runtime: 100),
            ])
        try """
        library:
          movies: [lib/movies]
          shows: [lib/tv]
        state: state/usher.db
        sonarr:
          main: {url: "\(sonarr.url)", api_key: \(sonarr.apiKey)}
        radarr:
          main: {url: "\(radarr.url)", api_key: !env_var RADARR_KEY}
        api: {attempts: 1, timeout_seconds: 5}
        match: {anime_list: off}
        """.write(toFile: dir + "/usher.yml", atomically: true, encoding: .utf8)
        let env = ["RADARR_KEY": radarr.apiKey]
        let json = try await Usher.run(["match", "--json", "--config", dir + "/usher.yml"], environment: env)
        #expect(json.status == 0, "\(json.stdout)\(json.stderr)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let proposals = try #require(root["proposals"] as? [[String: Any]])
        #expect(proposals.map { $0["status"] as? String } == ["auto", "review"])

        let write = try await Usher.run(["match", "--write", "--config", dir + "/usher.yml"], environment: env)
        #expect(write.status == 0, "\(write.stdout)\(write.stderr)")
        #expect(write.stdout.contains("[auto] 0.97  El Camino: A Breaking Bad Movie (2019) → Breaking Bad S00E07"))
        #expect(try String(contentsOfFile: dir + "/links.yml", encoding: .utf8).contains("episodes: S00E07"))
        var proposalsText = try String(contentsOfFile: dir + "/proposals.yml", encoding: .utf8)
        #expect(proposalsText.contains("movie: \"Breaking Bad: The Movie\""))
        proposalsText = proposalsText.replacingOccurrences(of: "- accept: \n", with: "- accept: false\n")
        try proposalsText.write(toFile: dir + "/proposals.yml", atomically: true, encoding: .utf8)
        let review = try await Usher.run(["match", "review", "--config", dir + "/usher.yml"], environment: env)
        #expect(review.status == 0, "\(review.stdout)\(review.stderr)")
        #expect(review.stdout.contains("remembered 1 rejections"))
        let again = try await Usher.run(["match", "--config", dir + "/usher.yml"], environment: env)
        #expect(again.stdout.hasPrefix("0 proposals"), "\(again.stdout)")
        for output in [json.stdout, json.stderr, write.stdout, write.stderr, review.stdout, again.stdout] {
            #expect(!output.contains(sonarr.apiKey) && !output.contains(radarr.apiKey))
        }

        // Without Radarr in the config: a configuration mistake, exit 2.
        try "library: {movies: [m], shows: [t]}\nsonarr:\n  main: {url: \"\(sonarr.url)\", api_key: x}\n".write(
            toFile: dir + "/bare.yml", atomically: true, encoding: .utf8)
        let bare = try await Usher.run(["match", "--config", dir + "/bare.yml"])
        #expect(bare.status == 2)
        #expect(bare.stderr.contains("usher match needs a 'radarr:' section"), "\(bare.stderr)")
    }
}

/// Issue 15: a run keeps what Sonarr and Radarr said (and where their history was read up to) before it changes
/// the disk. Killed between the two, the next run asks only what changed since — nothing — and must still finish
/// the work, because every run plans all mappings against the disk, not only the changed ones.
@Suite("The usher binary in API mode, killed after keeping the catalog")
struct ApiCrashTests {
    @Test(arguments: [0, 2, 4])
    func killedAfterKeepingTheCatalogTheNextQuickPassConverges(killAfter: Int) async throws {
        let count = 5
        let dir = try temporaryFolder()
        let sonarr = try await FakeSonarr.start()
        let radarr = try await FakeRadarr.start()
        defer {
            Task {
                await sonarr.stop(); await radarr.stop()
            }
            try? FileManager.default.removeItem(atPath: dir)
        }
        try FileManager.default.createDirectory(atPath: dir + "/lib/tv/Show", withIntermediateDirectories: true)
        var episodes: [SonarrEpisode] = []
        var mappings = "links:\n"
        for i in 1...count {
            let file = dir + "/lib/movies/Film \(i) (2001)/Film \(i) (2001) Bluray-1080p.mkv"
            try FileManager.default.createDirectory(atPath: Paths.parent(file), withIntermediateDirectories: true)
            try Data(repeating: UInt8(i), count: 1000 + i).write(to: URL(fileURLWithPath: file))
            radarr.add(
                RadarrMovie(
                    id: i, title: "Film \(i)", year: 2001, path: Paths.parent(file), tmdbId: 100 + i, hasFile: true,
                    movieFile: RadarrMovieFile(id: 10 * i, path: file, size: Int64(1000 + i), quality: ArrQuality(quality: .init(id: 7, name: "Bluray-1080p"))))
            )
            episodes.append(
                SonarrEpisode(id: 50 + i, seriesId: 3, episodeFileId: 0, seasonNumber: 0, episodeNumber: i, title: "Film \(i)", monitored: true))
            mappings += "  - {movie: Film \(i), tmdb: \(100 + i), show: Show, tvdb: 300, episodes: S00E0\(i)}\n"
        }
        sonarr.add(SonarrSeries(id: 3, title: "Show", path: dir + "/lib/tv/Show", tvdbId: 300, seriesType: "standard", seasonFolder: true), episodes: episodes)
        try mappings.write(toFile: dir + "/links.yml", atomically: true, encoding: .utf8)
        try """
        library: {movies: [lib/movies], shows: [lib/tv]}
        link: {mappings: links.yml}
        state: state/usher.db
        sonarr: {main: {url: "\(sonarr.url)", api_key: \(sonarr.apiKey)}}
        radarr: {main: {url: "\(radarr.url)", api_key: \(radarr.apiKey)}}
        api: {attempts: 1, timeout_seconds: 5}
        """.write(toFile: dir + "/usher.yml", atomically: true, encoding: .utf8)
        let config = ["--config", dir + "/usher.yml"]
        let first = try await Usher.run(["link"] + config)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")

        // Radarr upgrades every film (the old files stay where they were: only the history tells).
        var upgraded: [String] = []
        for i in 1...count {
            let file = dir + "/lib/movies/Film \(i) (2001)/Film \(i) (2001) Remux-1080p.mkv"
            try Data(repeating: UInt8(100 + i), count: 2000 + i).write(to: URL(fileURLWithPath: file))
            radarr.importFile(movieID: i, path: file, size: Int64(2000 + i), quality: "Remux-1080p")
            upgraded.append(file)
        }
        let killed = try await Usher.run(["link"] + config, environment: ["USHER_TEST_KILL_AFTER": "\(killAfter)"])
        #expect(killed.status == -9, "the run should have been killed: \(killed.stdout)\(killed.stderr)")
        let recovered = try await Usher.run(["link", "--json"] + config)
        #expect(recovered.status == 0, "\(recovered.stdout)\(recovered.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(recovered.stdout.utf8)) as? [String: Any])
        #expect(report["pass"] as? String == "incremental")
        for (i, file) in upgraded.enumerated() {
            let target = dir + "/lib/tv/Show/Specials/Show - S00E0\(i + 1) - Film \(i + 1) Remux-1080p.mkv"
            #expect(inode(target) != nil && inode(target) == inode(file), "\(target)")
        }
        // A full pass agrees: nothing left to do.
        let check = try await Usher.run(["link", "--full", "--dry-run", "--json"] + config)
        let checked = try #require(try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any])
        #expect((checked["actions"] as? [Any])?.isEmpty == true, "\(check.stdout)")
        #expect(checked["pass"] as? String == "full")
    }

    private func inode(_ path: String) -> UInt64? {
        var st = stat()
        return lstat(path, &st) == 0 ? UInt64(st.st_ino) : nil
    }
}
