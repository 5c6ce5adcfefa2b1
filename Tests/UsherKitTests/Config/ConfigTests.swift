import Foundation
import Logging
import Testing
import UsherCore

@testable import UsherKit

@Suite("Config and mapping files")
struct ConfigTests {
    func write(_ lib: TestLibrary, _ yaml: String, name: String = "usher.yml") throws -> String {
        let path = lib.path(name)
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func loadError(_ yaml: String, environment: [String: String] = [:], setup: (TestLibrary) throws -> Void = { _ in }) throws -> ConfigError {
        let lib = try TestLibrary()
        try setup(lib)
        let path = try write(lib, yaml)
        do {
            _ = try UsherConfig.load(path: path, environment: environment)
        } catch {
            return error
        }
        Issue.record("expected an error")
        return ConfigError(file: "", message: "")
    }

    @Test func minimalConfigGetsDefaultsAndPathsRelativeToTheFile() throws {
        let lib = try TestLibrary()
        let path = try write(lib, "library:\n  movies: [/data/movies]\n  shows: [{path: tv, depth: 1}]\n")
        let config = try UsherConfig.load(path: path, environment: [:])
        #expect(config.movieRoots == [LibraryRoot(path: "/data/movies", depth: 2)])
        #expect(config.showRoots == [LibraryRoot(path: lib.path("tv"), depth: 1)])
        #expect(config.linkKind == .hardlink)
        #expect(config.symlinkTarget == .relative)
        #expect(config.mappingsFile == lib.path("links.yml"))
        #expect(config.statePath == lib.path("usher.db"))
        #expect(config.naming.multiEpisodeStyle == .prefixedRange)
        #expect(config.archiveKeep == 10)
        #expect(config.fullPassEverySeconds == 86400)
    }

    @Test func fullEveryIsADurationFromAMinuteToThirtyDays() throws {
        let lib = try TestLibrary()
        let path = try write(lib, "library:\n  movies: [/m]\n  shows: [/s]\nlink:\n  full_every: 12h\n")
        let config = try UsherConfig.load(path: path, environment: [:])
        #expect(config.fullPassEverySeconds == 12 * 3600)
        #expect(config.rendered().contains("full_every: 12h"))
        for bad in ["30s", "31d", "often", "0"] {
            let error = try loadError("library:\n  movies: [/m]\n  shows: [/s]\nlink:\n  full_every: \(bad)\n")
            #expect(error.line == 5 && error.key == "link.full_every", "\(bad): \(error)")
            #expect(error.description.contains("expected a duration from 1m to 30d"), "\(bad): \(error)")
        }
    }

    @Test func serverAndScheduleDefaultsAndValues() throws {
        let lib = try TestLibrary()
        let plain = try UsherConfig.load(path: try write(lib, "library:\n  movies: [/m]\n  shows: [/s]\n"), environment: [:])
        #expect(plain.server == ServerSettings())
        #expect(plain.server.host == "127.0.0.1" && plain.server.port == 8686)
        // Link can run, so it is scheduled by default; prefetch and match cannot, so they are off.
        #expect(plain.schedule(for: .link) == .every(seconds: 1800))
        #expect(plain.schedule(for: .prefetch) == .off && plain.schedule(for: .match) == .off)
        #expect(plain.scheduleProblems().isEmpty)
        let yaml = """
            library:
              movies: [/m]
              shows: [/s]
            server:
              listen: "[::1]:9000"
              url_base: /usher/
              api_key: "0123456789abcdef0123"
            schedule:
              link: "*/10 * * * *"
              prefetch: false
              match: off
            """
        let config = try UsherConfig.load(path: try write(lib, yaml), environment: [:])
        #expect(config.server.host == "::1" && config.server.port == 9000 && config.server.urlBase == "/usher")
        #expect(config.server.apiKey == "0123456789abcdef0123")
        #expect(config.secrets.contains("0123456789abcdef0123"), "the key is redacted like the others")
        #expect(config.schedule(for: .link).description == "*/10 * * * *")
        #expect(config.schedule(for: .prefetch) == .off)
        let rendered = config.rendered()
        #expect(!rendered.contains("0123456789abcdef0123"))
        #expect(rendered.contains("listen: \"[::1]:9000\""))
        // The container's default address comes from USHER_LISTEN; the config's own wins.
        let plainPath = try write(lib, "library:\n  movies: [/m]\n  shows: [/s]\n")
        let container = try UsherConfig.load(path: plainPath, environment: ["USHER_LISTEN": "0.0.0.0:8686"])
        #expect(container.server.host == "0.0.0.0" && container.server.port == 8686)
        #expect(try UsherConfig.load(path: try write(lib, yaml), environment: ["USHER_LISTEN": "0.0.0.0:8686"]).server.host == "::1")
        #expect(throws: ConfigError.self) { try UsherConfig.load(path: plainPath, environment: ["USHER_LISTEN": "everywhere"]) }
        // Scheduling a job the config cannot run is a problem usher serve and config check report.
        let prefetch = try UsherConfig.load(path: try write(lib, "library:\n  movies: [/m]\n  shows: [/s]\nschedule:\n  prefetch: 10m\n"), environment: [:])
        #expect(prefetch.scheduleProblems().first?.contains("schedule: prefetch: usher prefetch needs a 'tautulli:' section") == true)
    }

    @Test(
        arguments: [
            ("server:\n  listen: 8686\n", 2, "server.listen", "expected host:port"),
            ("server:\n  listen: \"127.0.0.1:70000\"\n", 2, "server.listen", "expected host:port"),
            ("server:\n  listen: \"::1:80\"\n", 2, "server.listen", "expected host:port"),
            ("server:\n  url_base: \"/a b\"\n", 2, "server.url_base", "expected a path"),
            ("server:\n  api_key: short\n", 2, "server.api_key", "at least 16 characters"),
            ("server:\n  port: 1\n", 2, "server.port", "unknown key"),
            ("schedule:\n  link: 10s\n", 2, "schedule.link", "at least 1m"),
            ("schedule:\n  link: \"61 * * * *\"\n", 2, "schedule.link", "'61' is not a valid minute"),
            ("schedule:\n  dedupe: 1h\n", 2, "schedule.dedupe", "unknown key"),
        ] as [(String, Int, String?, String)])
    func serveMistakesArePinpointed(yaml: String, line: Int, key: String?, message: String) throws {
        let error = try loadError("library:\n  movies: [/m]\n  shows: [/s]\n" + yaml)
        #expect(error.line == line + 3, "\(error)")
        #expect(error.key == key, "\(error)")
        #expect(error.message.contains(message), "\(error)")
    }

    @Test func unknownKeyNamesFileLineColumnAndKey() throws {
        let error = try loadError("library:\n  movies: [/m]\n  shows: [/s]\nlink:\n  tpye: symlink\n")
        #expect(error.line == 5 && error.column == 3)
        #expect(error.key == "link.tpye")
        #expect(
            error.description.hasSuffix(
                "usher.yml:5:3: link.tpye: unknown key (expected one of: type, symlink_target, mappings, season_folder, specials_folder, episode_format, multi_episode_style, colon_replacement, replace_illegal_characters, archive_keep, unmonitor_linked, tag, full_every)"
            ))
    }

    @Test(
        arguments: [
            ("library:\n  movies: [/m]\n  shows: [/s]\nlink:\n  type: copy\n", 5, "link.type", "'copy' is not one of: hardlink, symlink"),
            ("library:\n  movies: [{path: /m, depth: deep}]\n  shows: [/s]\n", 2, "library.movies[0].depth", "expected a whole number"),
            ("library:\n  movies: []\n", 2, "library.movies", "list at least one folder"),
            ("library:\n  video_extensions: [mkv]\n", 2, "library", "list folders under 'movies' or 'shows'"),
            (
                "library:\n  movies: [/m]\n  shows: [/s]\nlink:\n  episode_format: \"{Series Title} - {Episode Title}\"\n", 5, "link.episode_format",
                "must contain the season and episode"
            ),
            ("library:\n  movies: [/m\n", 3, nil, "not valid YAML"),
            ("library:\n  movies: &m [/m]\n  shows: *m\n", 3, nil, "YAML aliases (*m) are not supported here"),
            ("library:\n  movies: [/m]\n  movies: [/n]\n", 3, "movies", "this key is given twice"),
            ("library:\n  movies: [/m]\n  shows: [/s]\nsonarr:\n  main: {url: ftp://x, api_key: abc}\n", 5, "sonarr.main.url", "http://"),
            ("plex:\n  url: http://p\n  token: t\n  watch_sync: maybe\n", 4, "plex.watch_sync", "expected true or false"),
            ("plex:\n  url: http://p\n  token: t\n  watch_sync:\n    people: [ann]\n", 5, "plex.watch_sync.people", "unknown key"),
            ("plex:\n  url: http://p\n  token: t\n  plex_tv: plex.tv\n", 4, "plex.plex_tv", "http://"),
        ] as [(String, Int, String?, String)])
    func mistakesArePinpointed(yaml: String, line: Int, key: String?, message: String) throws {
        let error = try loadError(yaml)
        #expect(error.line == line)
        #expect(error.key == key)
        #expect(error.message.contains(message), "\(error)")
    }

    /// Each command asks only for what it uses (issue 11): a missing section is an error only for the
    /// command that needs it, and says which command.
    @Test(
        arguments: [
            ("tautulli: {url: http://t, api_key: k}\nsonarr:\n  main: {url: http://s, api_key: k}\n", ["prefetch", "dedupe"]),
            ("sonarr:\n  main: {url: http://s, api_key: k}\nradarr:\n  main: {url: http://r, api_key: k}\n", ["link", "match", "dedupe"]),
            ("library:\n  movies: [/m]\n  shows: [/s]\n", ["link"]),
            ("library:\n  shows: [/s]\nradarr:\n  main: {url: http://r, api_key: k}\n", ["link"]),
            ("library:\n  movies: [/m]\n", []),
            ("state: x.db\n", []),
            ("plex: {url: http://p, token: t, watch_sync: true}\n", ["watch-sync"]),
            ("plex: {url: http://p, token: t, watch_sync: {users: [ann, bob]}}\n", ["watch-sync"]),
            ("plex: {url: http://p, token: t, watch_sync: false}\n", []),
            ("plex: {url: http://p, token: t}\n", []),
        ] as [(String, [String])])
    func eachCommandNeedsOnlyWhatItUses(yaml: String, ready: [String]) throws {
        let lib = try TestLibrary()
        let config = try UsherConfig.load(path: try write(lib, yaml), environment: [:])
        #expect(UsherCommand.allCases.filter { config.missing(for: $0).isEmpty }.map(\.rawValue) == ready)
        for command in UsherCommand.allCases where !ready.contains(command.rawValue) {
            #expect(config.requirementError(for: command)?.contains("usher.yml: \(command.name) needs ") == true)
        }
    }

    @Test func prefetchAndMatchRefuseWhatTheyCannotDoNamingTheCommand() async throws {
        let lib = try TestLibrary()
        let config = try UsherConfig.load(path: try write(lib, "library:\n  movies: [/m]\n  shows: [/s]\n"), environment: [:])
        let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        await #expect(throws: JobError.self) { _ = try await PrefetchJob(config: config, logger: quiet).run(PrefetchOptions(dryRun: true)) }
        do {
            _ = try await PrefetchJob(config: config, logger: quiet).run(PrefetchOptions(dryRun: true))
        } catch {
            #expect(error.kind == .config)
            #expect(
                error.message.hasSuffix(
                    "usher prefetch needs a 'tautulli:' section (url and api_key), for the watch history, and a 'sonarr:' section, to search and to read the queue"
                ))
        }
        do {
            _ = try await MatchJob(config: config, logger: quiet).run(MatchOptions())
            Issue.record("match ran without Radarr and Sonarr")
        } catch {
            #expect(error.kind == .config && error.message.contains("usher match needs a 'radarr:' section"))
        }
    }

    @Test func tagsResolveEnvSecretFileAndCommand() throws {
        let lib = try TestLibrary()
        try "sonarr_main: s3cr3t-sonarr\n".write(toFile: lib.path("secrets.yml"), atomically: true, encoding: .utf8)
        try "  plex-token-from-file\n".write(toFile: lib.path("plex.token"), atomically: true, encoding: .utf8)
        let path = try write(
            lib,
            """
            library:
              movies: [!env_var MOVIES_DIR /fallback/movies]
              shows: [!env_var SHOWS_DIR]
            sonarr:
              main: {url: http://127.0.0.1:8989, api_key: !secret sonarr_main}
            radarr:
              main: {url: http://127.0.0.1:7878, api_key: !cmd "printf 'radarr-key-from-cmd'"}
            plex:
              url: http://127.0.0.1:32400
              token: !file plex.token
            """)
        let config = try UsherConfig.load(path: path, environment: ["SHOWS_DIR": "/data/tv"])
        #expect(config.movieRoots.map(\.path) == ["/fallback/movies"])
        #expect(config.showRoots.map(\.path) == ["/data/tv"])
        #expect(config.sonarr.first?.apiKey == "s3cr3t-sonarr")
        #expect(config.radarr.first?.apiKey == "radarr-key-from-cmd")
        #expect(config.plex?.token == "plex-token-from-file")
        let shown = config.rendered()
        for secret in ["s3cr3t-sonarr", "radarr-key-from-cmd", "plex-token-from-file"] {
            #expect(!shown.contains(secret))
        }
        #expect(shown.contains("[redacted]"))
        #expect(Redactor(secrets: config.secrets).redact("key=s3cr3t-sonarr") == "key=[redacted]")
    }

    @Test func tagMistakesArePinpointedAndNeverShowTheSecret() throws {
        let missingEnv = try loadError("library:\n  movies: [!env_var NOPE]\n  shows: [/s]\n")
        #expect(missingEnv.line == 2 && missingEnv.message.contains("NOPE is not set"))
        let missingSecret = try loadError("library:\n  movies: [/m]\n  shows: [/s]\nplex: {url: http://h, token: !secret plex}\n") { lib in
            try "other: x\n".write(toFile: lib.path("secrets.yml"), atomically: true, encoding: .utf8)
        }
        #expect(missingSecret.line == 4 && missingSecret.message.contains("'plex' is not in"))
        let failingCommand = try loadError("library:\n  movies: [/m]\n  shows: [/s]\nplex: {url: http://h, token: !cmd \"exit 3\"}\n")
        #expect(failingCommand.message.contains("status 3"))
        // A secret used where a number is expected: the error must not echo it.
        let misplaced = try loadError("library:\n  movies: [{path: /m, depth: !secret depth}]\n  shows: [/s]\n") { lib in
            try "depth: hunter2-secret\n".write(toFile: lib.path("secrets.yml"), atomically: true, encoding: .utf8)
        }
        #expect(!misplaced.description.contains("hunter2-secret"))
        #expect(misplaced.description.contains("(a secret value)"))
    }

    @Test func mappingFileErrorsArePinpointed() throws {
        let lib = try TestLibrary()
        try lib.writeMappings("links:\n  - movie: Heat\n    show: Heat Show\n    episodes: X01\n")
        #expect {
            _ = try MappingFile.load(path: lib.path("links.yml"), environment: [:])
        } throws: { error in
            let e = error as! ConfigError
            return e.line == 4 && e.key == "links[0].episodes" && e.message.contains("'X01' is not an episode code")
        }
        try lib.writeMappings("links:\n  - movie: Heat\n    shwo: Heat Show\n")
        #expect {
            _ = try MappingFile.load(path: lib.path("links.yml"), environment: [:])
        } throws: { error in
            (error as! ConfigError).key == "links[0].shwo"
        }
    }

    @Test func formattingSortsAndRoundTripsAndArchives() throws {
        let lib = try TestLibrary()
        try lib.writeMappings(
            """
            links:
              - {movie: "Zorro", show: "Z Show", episodes: [S00E02, S00E01]}
              - movie: "24: Redemption"
                year: 2008
                tmdb: 13989
                show: "24"
                tvdb: 76290
                episodes: S00E09
                title: Redemption
              - {movie: "Akira", tmdb: 149, radarr: 4k, show: "Akira Show", tvdb: 1, sonarr: anime, episodes: S00E01}
            crossovers:
              - from: {show: "Chicago Fire", episodes: S03E21}
                to:   {show: "Chicago P.D.", episodes: S00E05, title: "Chicago Fire crossover"}
            """)
        let mappings = try MappingFile.load(path: lib.path("links.yml"), environment: [:])
        let text = MappingFile.render(mappings)
        #expect(text.range(of: "24: Redemption")!.lowerBound < text.range(of: "Zorro")!.lowerBound)
        #expect(text.contains("episodes: S00E01E02"))
        #expect(text.contains("    radarr: \"4k\"\n") && text.contains("    sonarr: \"anime\"\n"))
        let akira = try #require(mappings.first { $0.show.title == "Akira Show" })
        #expect(akira.show.sonarr == "anime")
        if case .movie(let ref) = akira.source { #expect(ref.radarr == "4k") } else { Issue.record("not a movie") }
        #expect(
            text.contains(
                "  - from: {show: \"Chicago Fire\", episodes: S03E21}\n    to: {show: \"Chicago P.D.\", episodes: S00E05, title: \"Chicago Fire crossover\"}"))
        for i in 0..<4 {
            try MappingFile.write(text, to: lib.path("links.yml"), keep: 2, now: Date(timeIntervalSince1970: 1_800_000_000 + Double(i)))
        }
        let archived = try FileManager.default.contentsOfDirectory(atPath: lib.path("archive")).sorted()
        #expect(archived == ["links-\(stamp(1_800_000_002))-01.yml", "links-\(stamp(1_800_000_003))-01.yml"])
        let reloaded = try MappingFile.load(path: lib.path("links.yml"), environment: [:])
        #expect(MappingFile.render(reloaded) == text)
        #expect(Set(reloaded.map(\.key)) == Set(mappings.map(\.key)))
    }

    func stamp(_ seconds: Double) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }

    @Test func serviceOptionsAndTheirMistakes() throws {
        let lib = try TestLibrary()
        lib.extraLinkConfig = "  tag: Usher-Linked\n  unmonitor_linked: true"
        lib.extraTopConfig = """
            sonarr:
              main: {url: "http://127.0.0.1:8989/", api_key: abcdef}
            api: {concurrency: 2, timeout_seconds: 10, attempts: 2}
            paths:
              - {remote: /data, local: /mnt/data}
            """
        let config = try lib.config()
        #expect(config.tag == "usher-linked")
        #expect(config.unmonitorLinked)
        #expect(config.apiConcurrency == 2 && config.apiAttempts == 2 && config.apiTimeout == .seconds(10))
        #expect(config.sonarr.first?.url == "http://127.0.0.1:8989")
        #expect(config.pathMappings == [PathMapping(remote: "/data", local: "/mnt/data")])
        #expect(!config.rendered().contains("abcdef"))

        lib.extraLinkConfig = "  tag: \"usher linked!\""
        let error = try #require(throws: ConfigError.self) { try lib.config() }
        #expect(error.description.contains("link.tag: a Sonarr/Radarr tag holds letters, digits and dashes only"))
        lib.extraLinkConfig = ""
        lib.extraTopConfig = "api: {concurrency: 0}"
        let zero = try #require(throws: ConfigError.self) { try lib.config() }
        #expect(zero.description.contains("api.concurrency"))
    }

    @Test func prefetchSectionsWithDefaultsAndPinpointedMistakes() throws {
        let lib = try TestLibrary()
        lib.extraTopConfig = """
            tautulli: {url: "http://127.0.0.1:8181", api_key: tautulli-secret}
            download_clients:
              sabnzbd: {url: "http://127.0.0.1:8080", api_key: sab-secret}
              nzbget: {url: "http://127.0.0.1:6789", username: nzbget, password: nzb-secret}
              seedbox: {type: qbittorrent, url: "http://127.0.0.1:8081", username: admin, password: qbt-secret}
            prefetch:
              history_days: 3
              minutes_ahead: 120
              run_every: 30m
              users: [ann, Bob]
              exclude_tag: Keep-Away
              search_cooldown: 1d
              priority: force
              health_url: "https://hc-ping.com/0000-secret-uuid"
            notify:
              - {type: tautulli, notifier_id: 3}
              - {type: discord, url: "https://discord.com/api/webhooks/1/token-secret"}
            """
        let config = try lib.config()
        #expect(config.tautulli?.apiKey == "tautulli-secret")
        #expect(config.downloadClients.map(\.kind) == [.sabnzbd, .nzbget, .qbittorrent])
        #expect(config.downloadClients.map(\.name) == ["sabnzbd", "nzbget", "seedbox"])
        let p = config.prefetch
        #expect(p.historyDays == 3 && p.episodesAhead == 3 && p.minutesAhead == 120 && p.runEveryMinutes == 30)
        #expect(p.users == ["ann", "Bob"] && p.excludeTag == "keep-away" && p.searchCooldownSeconds == 86400 && p.priority == .force)
        #expect(p.watchedPercent == 50 && p.skipSpecials && !p.seasonSearch)
        #expect(config.notify == [.tautulli(notifierID: 3), .discord(url: "https://discord.com/api/webhooks/1/token-secret")])
        let shown = config.rendered()
        for secret in ["tautulli-secret", "sab-secret", "nzb-secret", "qbt-secret", "token-secret", "secret-uuid"] {
            #expect(!shown.contains(secret), "\(secret) shown")
        }
        #expect(shown.contains("run_every: 30m"))

        for (yaml, key, message) in [
            ("prefetch: {run_every: 60}", "prefetch.run_every", "expected a duration"),
            ("prefetch: {search_cooldown: soon}", "prefetch.search_cooldown", "expected a duration"),
            ("prefetch: {priority: urgent}", "prefetch.priority", "is not one of: top, high, force"),
            ("prefetch: {watched_percent: 150}", "prefetch.watched_percent", "between 0 and 100"),
            ("prefetch: {episodes_ahead: 0}", "prefetch", "nothing would ever be fetched"),
            ("prefetch: {episode_ahead: 2}", "prefetch.episode_ahead", "unknown key"),
            ("download_clients: {mybox: {url: \"http://127.0.0.1:1\"}}", "download_clients.mybox", "say which client this is"),
            ("download_clients: {nzbget: {url: \"http://127.0.0.1:1\"}}", "download_clients.nzbget", "needs 'username' and 'password'"),
            ("notify: [{type: pager}]", "notify[0].type", "unknown notifier"),
        ] {
            lib.extraTopConfig = yaml
            let error = try #require(throws: ConfigError.self) { try lib.config() }
            #expect(error.description.contains(key) && error.description.contains(message), "\(yaml): \(error)")
            #expect(error.description.contains("usher.yml:"), "names the file")
        }
    }
}
