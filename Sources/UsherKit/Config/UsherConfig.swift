public import Foundation
public import UsherCore

/// A folder of the library and how deep below it movie or show folders sit.
public struct LibraryRoot: Sendable, Hashable {
    public var path: String
    /// Folder levels below the root where movie (or show) folders may sit: 1 means directly inside,
    /// 2 also allows one level of grouping folders (`movies/A/Title (Year)`).
    public var depth: Int

    public init(path: String, depth: Int) {
        self.path = path
        self.depth = depth
    }
}

/// A Sonarr or Radarr instance (used by API mode).
public struct ServiceInstance: Sendable, Hashable {
    public var name: String
    public var url: String
    public var apiKey: String
}

public struct PlexServer: Sendable, Hashable {
    public var url: String
    public var token: String
    /// `plex.watch_sync`: keep a linked film and its special watched alike (issue 18); `nil` when off.
    public var watchSync: WatchSyncSettings?
    /// plex.tv, where the users and their tokens are asked (`plex.plex_tv`, for a proxy or a test double).
    public var plexTV: String = "https://plex.tv"

    public init(url: String, token: String, watchSync: WatchSyncSettings? = nil, plexTV: String = "https://plex.tv") {
        self.url = url
        self.token = token
        self.watchSync = watchSync
        self.plexTV = plexTV
    }
}

/// `plex.watch_sync: true`, or `{users: [ann, bob]}`: whose watched state is kept alike (empty: the owner and
/// everyone plex.tv lists with a token for the server).
public struct WatchSyncSettings: Sendable, Hashable {
    public var users: [String] = []

    public init(users: [String] = []) { self.users = users }
}

/// `usher.yml`, validated, with every path made absolute and every tag resolved.
public struct UsherConfig: Sendable {
    public var file: String
    public var movieRoots: [LibraryRoot]
    public var showRoots: [LibraryRoot]
    public var videoExtensions: Set<String>
    public var linkKind: LinkKind
    public var symlinkTarget: SymlinkTarget
    public var mappingsFile: String
    public var naming: NamingScheme
    /// How many timestamped copies of the mapping file to keep in `archive/` beside it.
    public var archiveKeep: Int
    public var statePath: String
    public var sonarr: [ServiceInstance]
    public var radarr: [ServiceInstance]
    public var plex: PlexServer?
    public var pathMappings: [PathMapping]
    /// API mode: set episodes Usher linked unmonitored in Sonarr.
    public var unmonitorLinked: Bool
    /// API mode: a tag kept on the series and movies that have links (`nil`: no tag).
    public var tag: String?
    /// API mode: how many requests may be under way at once.
    public var apiConcurrency: Int
    /// API mode: how long one request may take.
    public var apiTimeout: Duration
    /// API mode: attempts per request (connection errors and 5xx are retried).
    public var apiAttempts: Int
    /// How often a link run asks Sonarr and Radarr for everything (API mode), or reads every library folder
    /// (filesystem mode), rather than only what changed since the last run (`link.full_every`, default a day).
    public var fullPassEverySeconds: Int
    /// Watch history for `usher prefetch` (`prefetch.history: tautulli`, the default).
    public var tautulli: TautulliServer?
    /// Watch history for `usher prefetch` (`prefetch.history: jellyfin`).
    public var jellyfin: JellyfinServer? = nil
    public var downloadClients: [DownloadClientConfig]
    public var prefetch: PrefetchSettings
    /// How `usher match` proposes mappings.
    public var match: MatchConfig
    public var notify: [NotifierConfig]
    /// Values that must never be shown: from `!secret`, `!file`, `!cmd`, and every key or token.
    public var secrets: [String]
    /// `server:` and `schedule:`, for `usher serve`.
    public var server = ServerSettings()
    public var schedule = ScheduleSettings()
    /// The environment the config was read with (`!env_var`), for the other files a job reads with it
    /// (the mapping file). The libraries read no environment of their own: the executable passes it.
    public var environment: [String: String] = [:]

    public static let defaultVideoExtensions: Set<String> = ["mkv", "mp4", "m4v", "avi", "mov", "ts", "wmv", "mpg", "mpeg", "webm"]

    /// The config file to use: `--config`, else `$USHER_CONFIG`, else `./usher.yml`.
    public static func locate(_ option: String?, environment: [String: String]) -> String {
        let path = option ?? environment["USHER_CONFIG"] ?? "usher.yml"
        return absolute(path, relativeTo: FileManager.default.currentDirectoryPath)
    }

    static func absolute(_ path: String, relativeTo base: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        return Paths.normalize(expanded.hasPrefix("/") ? expanded : base + "/" + expanded)
    }

    public static func load(
        path: String,
        environment: [String: String],
        runCommand: (@Sendable (String, Duration) throws -> String)? = nil
    ) throws(ConfigError) -> UsherConfig {
        var reader = YAMLReader(file: path, environment: environment, runCommand: runCommand ?? YAMLReader.shell)
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigError(file: path, message: "no config file here (give one with --config or $USHER_CONFIG; `usher demo` writes an example)")
        }
        guard let rootValue = try reader.load() else { throw ConfigError(file: path, message: "the config file is empty") }
        let root = ConfigNode(value: rootValue, path: "", file: path)
        let base = (path as NSString).deletingLastPathComponent
        let top = try root.mapping(allowed: [
            "library", "link", "state", "sonarr", "radarr", "plex", "paths", "api", "tautulli", "jellyfin", "download_clients", "prefetch", "notify",
            "match", "cmd_timeout_seconds", "server", "schedule",
        ])

        // Library folders are for the linker's filesystem mode (and bound where API mode writes); a
        // config for prefetch or match alone has none.
        let libraryNode = top["library"]
        let library = try libraryNode?.mapping(allowed: ["movies", "shows", "video_extensions"]) ?? [:]
        func roots(_ key: String) throws(ConfigError) -> [LibraryRoot] {
            guard let node = library[key], !node.isNull else { return [] }
            var result: [LibraryRoot] = []
            for item in try node.list() {
                if case .scalar = item.value.content {
                    result.append(LibraryRoot(path: absolute(try item.nonEmptyString(), relativeTo: base), depth: 2))
                    continue
                }
                let fields = try item.mapping(allowed: ["path", "depth"])
                guard let p = fields["path"] else { throw item.fail("missing key 'path'") }
                let depth = try fields["depth"]?.int(in: 1...6) ?? 2
                result.append(LibraryRoot(path: absolute(try p.nonEmptyString(), relativeTo: base), depth: depth))
            }
            if result.isEmpty { throw node.fail("list at least one folder (or leave '\(key)' out)") }
            return result
        }
        let movieRoots = try roots("movies")
        let showRoots = try roots("shows")
        if let libraryNode, !libraryNode.isNull, movieRoots.isEmpty, showRoots.isEmpty {
            throw libraryNode.fail("list folders under 'movies' or 'shows' (or leave 'library' out)")
        }
        var extensions = defaultVideoExtensions
        if let node = library["video_extensions"] {
            extensions = Set(try node.strings().map { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ". ")) })
            if extensions.isEmpty { throw node.fail("list at least one extension") }
        }

        let link =
            try top["link"]?.mapping(allowed: [
                "type", "symlink_target", "mappings", "season_folder", "specials_folder", "episode_format",
                "multi_episode_style", "colon_replacement", "replace_illegal_characters", "archive_keep",
                "unmonitor_linked", "tag", "full_every",
            ]) ?? [:]
        var naming = NamingScheme()
        if let n = link["episode_format"] { naming.episodeFormat = try n.nonEmptyString() }
        if let n = link["season_folder"] { naming.seasonFolderFormat = try n.nonEmptyString() }
        if let n = link["specials_folder"] { naming.specialsFolderFormat = try n.nonEmptyString() }
        if let n = link["multi_episode_style"] { naming.multiEpisodeStyle = try n.choice(MultiEpisodeStyle.self) }
        if let n = link["colon_replacement"] { naming.colonReplacement = try n.choice(ColonReplacement.self) }
        if let n = link["replace_illegal_characters"] { naming.replaceIllegalCharacters = try n.bool() }
        if let n = link["episode_format"], !EpisodeNamer.containsSeasonEpisode(naming.episodeFormat) {
            throw n.fail("the format must contain the season and episode, e.g. S{season:00}E{episode:00}")
        }

        var services: [String: [ServiceInstance]] = [:]
        for kind in ["sonarr", "radarr"] {
            var instances: [ServiceInstance] = []
            for (name, node) in try top[kind]?.entries() ?? [] {
                let fields = try node.mapping(allowed: ["url", "api_key"])
                guard let url = fields["url"] else { throw node.fail("missing key 'url'") }
                guard let key = fields["api_key"] else { throw node.fail("missing key 'api_key'") }
                instances.append(ServiceInstance(name: name, url: try validURL(url), apiKey: try key.nonEmptyString()))
            }
            services[kind] = instances
        }
        var plex: PlexServer?
        if let node = top["plex"], !node.isNull {
            let fields = try node.mapping(allowed: ["url", "token", "watch_sync", "plex_tv"])
            guard let url = fields["url"] else { throw node.fail("missing key 'url'") }
            guard let token = fields["token"] else { throw node.fail("missing key 'token'") }
            plex = PlexServer(url: try validURL(url), token: try token.nonEmptyString())
            if let sync = fields["watch_sync"], !sync.isNull {
                if (try? sync.string()) != nil {
                    plex?.watchSync = try sync.bool() ? WatchSyncSettings() : nil
                } else {
                    let settings = try sync.mapping(allowed: ["users"])
                    plex?.watchSync = WatchSyncSettings(users: try settings["users"]?.strings() ?? [])
                }
            }
            if let address = fields["plex_tv"] { plex?.plexTV = try validURL(address) }
        }
        var pathMappings: [PathMapping] = []
        for item in try top["paths"]?.list() ?? [] {
            let fields = try item.mapping(allowed: ["remote", "local"])
            guard let remote = fields["remote"], let local = fields["local"] else { throw item.fail("needs both 'remote' and 'local'") }
            pathMappings.append(PathMapping(remote: try remote.nonEmptyString(), local: try local.nonEmptyString()))
        }

        let api = try top["api"]?.mapping(allowed: ["concurrency", "timeout_seconds", "attempts"]) ?? [:]
        var fullEvery = 86400
        if let n = link["full_every"] {
            guard let seconds = DurationText.seconds(try n.string()), seconds >= 60, seconds <= 30 * 86400 else {
                throw n.fail("expected a duration from 1m to 30d, such as 12h or 1d")
            }
            fullEvery = seconds
        }
        var tag: String?
        if let node = link["tag"], !node.isNull {
            let label = try node.nonEmptyString()
            guard label.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
                throw node.fail("a Sonarr/Radarr tag holds letters, digits and dashes only (e.g. usher-linked)")
            }
            tag = label.lowercased()
        }

        let tautulli = try Self.tautulli(top["tautulli"])
        let jellyfin = try Self.jellyfin(top["jellyfin"])
        let downloadClients = try Self.downloadClients(top["download_clients"])
        let prefetch = try Self.prefetch(top["prefetch"])
        let notify = try Self.notifiers(top["notify"])
        let mappingsFile = absolute(try link["mappings"]?.nonEmptyString() ?? "links.yml", relativeTo: base)
        let match = try Self.match(top["match"], base: base, mappingsFile: mappingsFile)

        let server = try Self.server(top["server"], file: path, environment: environment)
        let schedule = try Self.schedule(top["schedule"])
        var secrets = reader.secretValues
        if let key = server.apiKey { secrets.append(key) }
        secrets += (services["sonarr"] ?? []).map(\.apiKey) + (services["radarr"] ?? []).map(\.apiKey)
        if let plex { secrets.append(plex.token) }
        if let tautulli { secrets.append(tautulli.apiKey) }
        if let jellyfin { secrets.append(jellyfin.apiKey) }
        for client in downloadClients { secrets += [client.apiKey, client.password].compactMap { $0 } }
        // Webhook and health-check URLs carry their credentials in the address.
        for notifier in notify { if case .discord(let url) = notifier { secrets.append(url) } }
        if let url = prefetch.healthURL { secrets.append(url) }

        var config = UsherConfig(
            file: path,
            movieRoots: movieRoots,
            showRoots: showRoots,
            videoExtensions: extensions,
            linkKind: try link["type"]?.choice(LinkKind.self) ?? .hardlink,
            symlinkTarget: try link["symlink_target"]?.choice(SymlinkTarget.self) ?? .relative,
            mappingsFile: mappingsFile,
            naming: naming,
            archiveKeep: try link["archive_keep"]?.int(in: 0...1000) ?? 10,
            statePath: absolute(try top["state"]?.nonEmptyString() ?? "usher.db", relativeTo: base),
            sonarr: services["sonarr"] ?? [],
            radarr: services["radarr"] ?? [],
            plex: plex,
            pathMappings: pathMappings,
            unmonitorLinked: try link["unmonitor_linked"]?.bool() ?? false,
            tag: tag,
            apiConcurrency: try api["concurrency"]?.int(in: 1...32) ?? 4,
            apiTimeout: .seconds(try api["timeout_seconds"]?.int(in: 1...3600) ?? 30),
            apiAttempts: try api["attempts"]?.int(in: 1...10) ?? 3,
            fullPassEverySeconds: fullEvery,
            tautulli: tautulli,
            downloadClients: downloadClients,
            prefetch: prefetch,
            match: match,
            notify: notify,
            secrets: secrets.filter { !$0.isEmpty }
        )
        config.environment = environment
        config.jellyfin = jellyfin
        config.server = server
        config.schedule = schedule
        return config
    }

    static func validURL(_ node: ConfigNode) throws(ConfigError) -> String {
        let text = try node.nonEmptyString()
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw node.fail("expected an http:// or https:// address")
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// The effective configuration as YAML, defaults included and every secret replaced by `[redacted]`.
    public func rendered() -> String {
        let redactor = Redactor(secrets: secrets)
        func q(_ s: String) -> String { YAMLText.quote(redactor.redact(s)) }
        var lines: [String] = ["# \(file)"]
        if !movieRoots.isEmpty || !showRoots.isEmpty {
            lines.append("library:")
            for (key, roots) in [("movies", movieRoots), ("shows", showRoots)] where !roots.isEmpty {
                lines.append("  \(key):")
                for root in roots { lines.append("    - {path: \(q(root.path)), depth: \(root.depth)}") }
            }
            lines.append("  video_extensions: [\(videoExtensions.sorted().joined(separator: ", "))]")
        }
        lines.append("link:")
        lines.append("  type: \(linkKind.rawValue)")
        lines.append("  symlink_target: \(symlinkTarget.rawValue)")
        lines.append("  mappings: \(q(mappingsFile))")
        lines.append("  full_every: \(DurationText.format(seconds: fullPassEverySeconds))")
        lines.append("  season_folder: \(q(naming.seasonFolderFormat))")
        lines.append("  specials_folder: \(q(naming.specialsFolderFormat ?? naming.seasonFolderFormat))")
        lines.append("  episode_format: \(q(naming.episodeFormat))")
        lines.append("  multi_episode_style: \(naming.multiEpisodeStyle.rawValue)")
        lines.append("  colon_replacement: \(naming.colonReplacement.rawValue)")
        lines.append("  replace_illegal_characters: \(naming.replaceIllegalCharacters)")
        lines.append("  archive_keep: \(archiveKeep)")
        lines.append("  unmonitor_linked: \(unmonitorLinked)")
        lines.append("  tag: \(tag.map(q) ?? "null")")
        lines.append("state: \(q(statePath))")
        for (kind, instances) in [("sonarr", sonarr), ("radarr", radarr)] where !instances.isEmpty {
            lines.append("\(kind):")
            for i in instances { lines.append("  \(i.name): {url: \(q(i.url)), api_key: \"[redacted]\"}") }
        }
        if let plex {
            var sync = "false"
            if let settings = plex.watchSync { sync = settings.users.isEmpty ? "true" : "{users: [\(settings.users.map(q).joined(separator: ", "))]}" }
            let tv = plex.plexTV == "https://plex.tv" ? "" : ", plex_tv: \(q(plex.plexTV))"
            lines.append("plex: {url: \(q(plex.url)), token: \"[redacted]\", watch_sync: \(sync)\(tv)}")
        }
        if !sonarr.isEmpty || !radarr.isEmpty || plex != nil {
            lines.append(
                "api: {concurrency: \(apiConcurrency), timeout_seconds: \(apiTimeout.components.seconds), attempts: \(apiAttempts)}"
            )
        }
        if !pathMappings.isEmpty {
            lines.append("paths:")
            for m in pathMappings { lines.append("  - {remote: \(q(m.remote)), local: \(q(m.local))}") }
        }
        if let tautulli { lines.append("tautulli: {url: \(q(tautulli.url)), api_key: \"[redacted]\"}") }
        if let jellyfin { lines.append("jellyfin: {url: \(q(jellyfin.url)), api_key: \"[redacted]\"}") }
        if !downloadClients.isEmpty {
            lines.append("download_clients:")
            for c in downloadClients {
                var fields = ["type: \(c.kind.rawValue)", "url: \(q(c.url))"]
                if c.apiKey != nil { fields.append("api_key: \"[redacted]\"") }
                if let user = c.username { fields.append("username: \(q(user))") }
                if c.password != nil { fields.append("password: \"[redacted]\"") }
                lines.append("  \(c.name): {\(fields.joined(separator: ", "))}")
            }
        }
        if tautulli != nil || jellyfin != nil || prefetch.historyLine != nil {
            let p = prefetch
            func list(_ items: [String]) -> String { "[" + items.map(q).joined(separator: ", ") + "]" }
            lines.append("prefetch:")
            lines.append("  history: [\(p.history.map(\.rawValue).joined(separator: ", "))]")
            lines.append("  history_days: \(p.historyDays)")
            lines.append("  episodes_ahead: \(p.episodesAhead)")
            lines.append("  minutes_ahead: \(p.minutesAhead)")
            lines.append("  run_every: \(DurationText.format(seconds: p.runEveryMinutes * 60))")
            lines.append("  watched_percent: \(p.watchedPercent)")
            lines.append("  skip_specials: \(p.skipSpecials)")
            lines.append("  users: \(list(p.users))")
            lines.append("  exclude_users: \(list(p.excludeUsers))")
            lines.append("  libraries: \(list(p.libraries))")
            lines.append("  exclude_tag: \(p.excludeTag.map(q) ?? "null")")
            lines.append("  search_cooldown: \(DurationText.format(seconds: p.searchCooldownSeconds))")
            lines.append("  season_search: \(p.seasonSearch)")
            lines.append("  priority: \(p.priority.rawValue)")
            lines.append("  search_wait: \(DurationText.format(seconds: p.searchWaitSeconds))")
            lines.append("  health_url: \(p.healthURL.map(q) ?? "null")")
        }
        if !sonarr.isEmpty || !radarr.isEmpty {
            let m = match
            let source: String =
                switch m.animeList {
                case .url(let url): q(url)
                case .file(let path): q(path)
                case nil: "off"
                }
            lines.append("match:")
            lines.append("  auto_accept: \(m.autoAccept)")
            lines.append("  minimum: \(m.minimum)")
            lines.append("  anime_list: \(source)")
            lines.append("  anime_list_max_age: \(DurationText.format(seconds: m.animeListMaxAgeSeconds))")
            lines.append("  proposals: \(q(m.proposalsFile))")
            lines.append("  regular_seasons: \(m.regularSeasons)")
            lines.append("  min_runtime: \(m.minRuntime)")
        }
        if !notify.isEmpty {
            lines.append("notify:")
            for n in notify {
                switch n {
                case .tautulli(let id): lines.append("  - {type: tautulli, notifier_id: \(id)}")
                case .discord(let url), .ntfy(let url), .webhook(let url): lines.append("  - {type: \(n.kind), url: \(q(url))}")
                }
            }
        }
        lines.append("server:")
        lines.append("  listen: \(q(server.host.contains(":") ? "[\(server.host)]:\(server.port)" : "\(server.host):\(server.port)"))")
        lines.append("  url_base: \(q(server.urlBase))")
        lines.append("  api_key: \(server.apiKey == nil ? "null" : "\"[redacted]\"")")
        if !server.users.isEmpty {
            lines.append("  users: [\(server.users.map { "{name: \(q($0.name)), password: \"[redacted]\"}" }.joined(separator: ", "))]")
        }
        lines.append("  authentication_required: \(server.localWithoutLogin ? "disabled_for_local_addresses" : "enabled")")
        lines.append("schedule:")
        for job in ServeJob.allCases { lines.append("  \(job.rawValue): \(q(schedule(for: job).description))") }
        return lines.joined(separator: "\n") + "\n"
    }
}
