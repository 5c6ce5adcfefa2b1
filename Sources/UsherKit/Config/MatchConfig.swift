import Foundation
public import UsherCore

/// `match:`: how `usher match` proposes mappings.
public struct MatchConfig: Sendable, Hashable {
    /// Where the Anime-Lists mapping comes from.
    public enum AnimeListSource: Sendable, Hashable {
        case url(String)
        case file(String)
    }

    public static let defaultAnimeListURL = "https://raw.githubusercontent.com/Anime-Lists/anime-lists/master/anime-list-master.xml"

    /// Proposals at or above this confidence go straight into the mapping file with `--write`.
    public var autoAccept = 0.95
    /// Proposals below this confidence are not shown.
    public var minimum = 0.5
    /// `nil`: no ID database, titles only.
    public var animeList: AnimeListSource? = .url(MatchConfig.defaultAnimeListURL)
    /// A downloaded copy older than this is downloaded again.
    public var animeListMaxAgeSeconds = 7 * 86400
    /// Where proposals for review are written (default: `proposals.yml` beside the mapping file).
    public var proposalsFile: String
    /// Also consider episodes of regular seasons that are at least `minRuntime` minutes long.
    public var regularSeasons = false
    public var minRuntime = 60

    public init(proposalsFile: String) {
        self.proposalsFile = proposalsFile
    }

    public var settings: MatchSettings { MatchSettings(autoAccept: autoAccept, minimum: minimum) }
}

extension UsherConfig {
    static func match(_ node: ConfigNode?, base: String, mappingsFile: String) throws(ConfigError) -> MatchConfig {
        var config = MatchConfig(proposalsFile: Paths.join(Paths.parent(mappingsFile), "proposals.yml"))
        guard let node, !node.isNull else { return config }
        let fields = try node.mapping(allowed: ["auto_accept", "minimum", "anime_list", "anime_list_max_age", "proposals", "regular_seasons", "min_runtime"])
        func fraction(_ key: String) throws(ConfigError) -> Double? {
            guard let n = fields[key] else { return nil }
            guard let value = Double(try n.string()), (0...1).contains(value) else { throw n.fail("expected a number from 0 to 1, such as 0.95") }
            return value
        }
        if let value = try fraction("auto_accept") { config.autoAccept = value }
        if let value = try fraction("minimum") { config.minimum = value }
        if config.minimum > config.autoAccept, let n = fields["minimum"] {
            throw n.fail("must not be above auto_accept (\(config.autoAccept))")
        }
        if let n = fields["anime_list"] {
            let text = n.isNull ? "" : try n.string().trimmingCharacters(in: .whitespaces)
            if text.isEmpty || ["off", "none", "false"].contains(text.lowercased()) {
                config.animeList = nil
            } else if text.lowercased().hasPrefix("http://") || text.lowercased().hasPrefix("https://") {
                config.animeList = .url(try validURL(n))
            } else {
                config.animeList = .file(absolute(text, relativeTo: base))
            }
        }
        if let n = fields["anime_list_max_age"] {
            guard let seconds = DurationText.seconds(try n.string()), seconds > 0 else { throw n.fail("expected a duration such as 12h or 7d") }
            config.animeListMaxAgeSeconds = seconds
        }
        if let n = fields["proposals"] { config.proposalsFile = absolute(try n.nonEmptyString(), relativeTo: base) }
        if let n = fields["regular_seasons"] { config.regularSeasons = try n.bool() }
        if let n = fields["min_runtime"] { config.minRuntime = try n.int(in: 1...1000) }
        return config
    }
}
