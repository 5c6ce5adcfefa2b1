/// A show from the watch history, as far as it is known: its history key, its title and (from its
/// Plex guids) its TVDB id.
public struct WatchedShow: Sendable, Hashable {
    public var key: String
    public var title: String
    public var tvdb: Int?

    public init(key: String, title: String, tvdb: Int?) {
        self.key = key
        self.title = title
        self.tvdb = tvdb
    }
}

/// A series of a Sonarr instance, for matching shows to it.
public struct PrefetchSeries: Sendable, Hashable {
    public var key: SeriesKey
    public var title: String
    public var year: Int?
    public var tvdb: Int?
    public var alternateTitles: [String]
    public var tags: [Int]

    public init(key: SeriesKey, title: String, year: Int? = nil, tvdb: Int? = nil, alternateTitles: [String] = [], tags: [Int] = []) {
        self.key = key
        self.title = title
        self.year = year
        self.tvdb = tvdb
        self.alternateTitles = alternateTitles
        self.tags = tags
    }
}

public enum ShowMatch: Sendable, Hashable {
    /// `by` says how: `tvdb` or `title`.
    case matched(PrefetchSeries, by: String)
    case unmatched(reason: String)
}

/// Finds the Sonarr series of a watched show: by TVDB id, then by normalized title among every
/// series' title and alternate titles (a year in either narrows it). Instances are searched in the
/// order given, so a series that two instances hold is handled by the first.
public struct ShowMatcher: Sendable {
    private var byTVDB: [Int: PrefetchSeries] = [:]
    private var byTitle: [String: [PrefetchSeries]] = [:]

    public init(series: [PrefetchSeries]) {
        for s in series {
            if let tvdb = s.tvdb, byTVDB[tvdb] == nil { byTVDB[tvdb] = s }
            var names = Set<String>()
            for title in [s.title] + s.alternateTitles {
                names.insert(TitleMatching.normalize(title))
                names.insert(TitleMatching.normalize(Self.withoutYear(title)))
            }
            for name in names where !name.isEmpty { byTitle[name, default: []].append(s) }
        }
    }

    public func match(_ show: WatchedShow) -> ShowMatch {
        if let tvdb = show.tvdb, let series = byTVDB[tvdb] { return .matched(series, by: "tvdb") }
        let year = TitleMatching.trailingYear(in: show.title)?.0
        var candidates = byTitle[TitleMatching.normalize(show.title)] ?? byTitle[TitleMatching.normalize(Self.withoutYear(show.title))] ?? []
        if candidates.count > 1, let year { candidates = candidates.filter { $0.year == year } }
        // Two instances holding the same series are one candidate: the first instance handles it.
        var seen = Set<Int>()
        candidates = candidates.filter { $0.tvdb.map { seen.insert($0).inserted } ?? true }
        switch candidates.count {
        case 1:
            return .matched(candidates[0], by: "title")
        case 0:
            let ids = show.tvdb.map { "TVDB \($0) is in no Sonarr instance, and " } ?? "no TVDB id known, and "
            return .unmatched(reason: ids + "no series is titled '\(show.title)'")
        default:
            return .unmatched(
                reason: "the title '\(show.title)' fits several series: " + candidates.map { "\($0.title) (\($0.key.instance))" }.joined(separator: ", "))
        }
    }

    static func withoutYear(_ title: String) -> String {
        guard let (_, range) = TitleMatching.trailingYear(in: title) else { return title }
        return String(title[..<range.lowerBound])
    }
}
