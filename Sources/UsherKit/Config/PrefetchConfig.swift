import Foundation
public import UsherCore

/// Tautulli, for watch history.
public struct TautulliServer: Sendable, Hashable {
    public var url: String
    public var apiKey: String
}

/// Jellyfin or Emby, for watch history (`prefetch.history: jellyfin`): an API key made in the dashboard.
public struct JellyfinServer: Sendable, Hashable {
    public var url: String
    public var apiKey: String
}

/// A download client from `download_clients:`.
public struct DownloadClientConfig: Sendable, Hashable {
    /// The key in the config (`sabnzbd`, or a name of one's own with `type:`).
    public var name: String
    public var kind: DownloadClientKind
    public var url: String
    public var apiKey: String?
    public var username: String?
    public var password: String?
}

/// Where to tell people what a prefetch run did.
public enum NotifierConfig: Sendable, Hashable {
    /// Through one of Tautulli's notification agents (`cmd=notify`).
    case tautulli(notifierID: Int)
    /// A Discord webhook URL: `{"content": text}`.
    case discord(url: String)
    /// An ntfy topic URL: the text as the body, a title header.
    case ntfy(url: String)
    /// Any URL: the run's JSON report as the body.
    case webhook(url: String)

    public var kind: String {
        switch self {
        case .tautulli: "tautulli"
        case .discord: "discord"
        case .ntfy: "ntfy"
        case .webhook: "webhook"
        }
    }
}

/// `prefetch:`: how the just-in-time job decides.
public struct PrefetchSettings: Sendable, Hashable {
    /// Where the watch history is read (`history:`), in the order given; Tautulli when the key is absent.
    public var history: [HistorySource] = [.tautulli]
    /// The line of `history:` in the config, for messages about what a source needs (`nil`: the default).
    public var historyLine: Int?
    public var historyDays = 2
    public var episodesAhead = 3
    public var minutesAhead = 0
    public var runEveryMinutes = 60
    public var watchedPercent = 50
    public var skipSpecials = true
    public var users: [String] = []
    public var excludeUsers: [String] = []
    public var libraries: [String] = []
    /// Series with this Sonarr tag are left alone (`nil`: none).
    public var excludeTag: String? = "no-prefetch"
    public var searchCooldownSeconds = 12 * 3600
    public var seasonSearch = false
    public var priority: DownloadPriority = .top
    /// After sending searches, how long to watch for their downloads to reach the queue so they can be
    /// moved up in this same run (0: leave them to the next run).
    public var searchWaitSeconds = 60
    /// Called (GET) after every successful run.
    public var healthURL: String?

    public init() {}

    public var window: PrefetchWindow {
        PrefetchWindow(episodesAhead: episodesAhead, minutesAhead: minutesAhead, runEveryMinutes: runEveryMinutes, skipSpecials: skipSpecials)
    }

    public var filter: WatchFilter {
        WatchFilter(watchedPercent: watchedPercent, users: users, excludeUsers: excludeUsers)
    }
}

extension UsherConfig {
    static let prefetchKeys = [
        "history", "history_days", "episodes_ahead", "minutes_ahead", "run_every", "watched_percent", "skip_specials", "users", "exclude_users",
        "libraries", "exclude_tag", "search_cooldown", "season_search", "priority", "search_wait", "health_url",
    ]

    static func tautulli(_ node: ConfigNode?) throws(ConfigError) -> TautulliServer? {
        guard let node, !node.isNull else { return nil }
        let fields = try node.mapping(allowed: ["url", "api_key"])
        guard let url = fields["url"] else { throw node.fail("missing key 'url'") }
        guard let key = fields["api_key"] else { throw node.fail("missing key 'api_key'") }
        return TautulliServer(url: try validURL(url), apiKey: try key.nonEmptyString())
    }

    static func jellyfin(_ node: ConfigNode?) throws(ConfigError) -> JellyfinServer? {
        guard let node, !node.isNull else { return nil }
        let fields = try node.mapping(allowed: ["url", "api_key"])
        guard let url = fields["url"] else { throw node.fail("missing key 'url'") }
        guard let key = fields["api_key"] else { throw node.fail("missing key 'api_key' (Jellyfin: Dashboard → API Keys)") }
        return JellyfinServer(url: try validURL(url), apiKey: try key.nonEmptyString())
    }

    /// `history: plex` or `history: [tautulli, plex]`: each name once, at least one.
    static func historySources(_ node: ConfigNode) throws(ConfigError) -> [HistorySource] {
        var sources: [HistorySource] = []
        let items: [ConfigNode] = if case .scalar = node.value.content { [node] } else { try node.list() }
        for item in items {
            let source = try item.choice(HistorySource.self)
            if sources.contains(source) { throw item.fail("'\(source.rawValue)' is named twice") }
            sources.append(source)
        }
        if sources.isEmpty { throw node.fail("name at least one source of watch history (tautulli, plex or jellyfin)") }
        return sources
    }

    static func downloadClients(_ node: ConfigNode?) throws(ConfigError) -> [DownloadClientConfig] {
        var result: [DownloadClientConfig] = []
        for (name, entry) in try node?.entries() ?? [] {
            let fields = try entry.mapping(allowed: ["type", "url", "api_key", "username", "password"])
            let kind: DownloadClientKind
            if let type = fields["type"] {
                kind = try type.choice(DownloadClientKind.self)
            } else if let known = DownloadClientKind(rawValue: name.lowercased()) {
                kind = known
            } else {
                throw entry.fail("say which client this is with 'type' (one of: \(DownloadClientKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let url = fields["url"] else { throw entry.fail("missing key 'url'") }
            let apiKey = try fields["api_key"]?.nonEmptyString()
            let username = try fields["username"]?.nonEmptyString()
            let password = try fields["password"]?.string()
            if kind == .sabnzbd, apiKey == nil { throw entry.fail("missing key 'api_key' (SABnzbd: Config → General → API Key)") }
            if kind == .nzbget, username == nil || password == nil {
                throw entry.fail("NZBGet needs 'username' and 'password' (its ControlUsername and ControlPassword)")
            }
            result.append(DownloadClientConfig(name: name, kind: kind, url: try validURL(url), apiKey: apiKey, username: username, password: password))
        }
        return result
    }

    static func prefetch(_ node: ConfigNode?) throws(ConfigError) -> PrefetchSettings {
        var settings = PrefetchSettings()
        let fields = try node?.mapping(allowed: prefetchKeys) ?? [:]
        func duration(_ key: String, max: Int) throws(ConfigError) -> Int? {
            guard let n = fields[key] else { return nil }
            guard let seconds = DurationText.seconds(try n.string()) else { throw n.fail("expected a duration such as 90s, 60m, 12h or 7d") }
            guard seconds <= max else { throw n.fail("must be at most \(DurationText.format(seconds: max))") }
            return seconds
        }
        if let n = fields["history"] {
            settings.history = try historySources(n)
            settings.historyLine = n.value.line
        }
        if let n = fields["history_days"] { settings.historyDays = try n.int(in: 1...365) }
        if let n = fields["episodes_ahead"] { settings.episodesAhead = try n.int(in: 0...100) }
        if let n = fields["minutes_ahead"] { settings.minutesAhead = try n.int(in: 0...10_000) }
        if let n = fields["run_every"], let seconds = try duration("run_every", max: 7 * 86400) {
            guard seconds >= 60 else { throw n.fail("must be at least 1m") }
            settings.runEveryMinutes = seconds / 60
        }
        if let n = fields["watched_percent"] { settings.watchedPercent = try n.int(in: 0...100) }
        if let n = fields["skip_specials"] { settings.skipSpecials = try n.bool() }
        if let n = fields["users"] { settings.users = try n.strings() }
        if let n = fields["exclude_users"] { settings.excludeUsers = try n.strings() }
        if let n = fields["libraries"] { settings.libraries = try n.strings() }
        if let n = fields["exclude_tag"] {
            let label = n.isNull ? "" : try n.string().trimmingCharacters(in: .whitespaces)
            settings.excludeTag = label.isEmpty ? nil : label.lowercased()
        }
        if let seconds = try duration("search_cooldown", max: 365 * 86400) { settings.searchCooldownSeconds = seconds }
        if let n = fields["season_search"] { settings.seasonSearch = try n.bool() }
        if let n = fields["priority"] { settings.priority = try n.choice(DownloadPriority.self) }
        if let seconds = try duration("search_wait", max: 3600) { settings.searchWaitSeconds = seconds }
        if let n = fields["health_url"], !n.isNull {
            let text = try n.string().trimmingCharacters(in: .whitespaces)
            settings.healthURL = text.isEmpty ? nil : try validURL(n)
        }
        if settings.episodesAhead == 0 && settings.minutesAhead == 0, let node {
            throw node.fail("episodes_ahead and minutes_ahead are both 0: nothing would ever be fetched")
        }
        return settings
    }

    static func notifiers(_ node: ConfigNode?) throws(ConfigError) -> [NotifierConfig] {
        var result: [NotifierConfig] = []
        for item in try node?.list() ?? [] {
            let fields = try item.mapping(allowed: ["type", "url", "notifier_id"])
            guard let type = fields["type"] else { throw item.fail("missing key 'type' (tautulli, discord, ntfy or webhook)") }
            switch try type.string().lowercased() {
            case "tautulli":
                guard let id = fields["notifier_id"] else { throw item.fail("missing key 'notifier_id' (Tautulli → Settings → Notification Agents)") }
                result.append(.tautulli(notifierID: try id.int(in: 1...1_000_000)))
            case "discord", "ntfy", "webhook":
                guard let url = fields["url"] else { throw item.fail("missing key 'url'") }
                let text = try validURL(url)
                switch try type.string().lowercased() {
                case "discord": result.append(.discord(url: text))
                case "ntfy": result.append(.ntfy(url: text))
                default: result.append(.webhook(url: text))
                }
            default:
                throw type.fail("unknown notifier (expected one of: tautulli, discord, ntfy, webhook)")
            }
        }
        return result
    }
}
