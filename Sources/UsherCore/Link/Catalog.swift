import Synchronization

/// What Radarr and Sonarr answered, as plain values with paths already translated to this machine.
/// The lookups here are pure: the adapters fetch, the core decides.

/// A file Radarr or Sonarr holds.
public struct CatalogFile: Sendable, Hashable {
    public var id: Int
    /// On this machine.
    public var path: String
    public var size: Int64?
    public var quality: Quality?
    public var releaseGroup: String?

    public init(id: Int, path: String, size: Int64? = nil, quality: Quality? = nil, releaseGroup: String? = nil) {
        self.id = id
        self.path = path
        self.size = size
        self.quality = quality
        self.releaseGroup = releaseGroup
    }
}

public struct CatalogMovie: Sendable, Hashable {
    public var instance: String
    public var id: Int
    public var title: String
    public var year: Int?
    public var tmdb: Int?
    public var imdb: String?
    public var tags: [Int]
    public var file: CatalogFile?

    public init(instance: String, id: Int, title: String, year: Int? = nil, tmdb: Int? = nil, imdb: String? = nil, tags: [Int] = [], file: CatalogFile? = nil) {
        self.instance = instance
        self.id = id
        self.title = title
        self.year = year
        self.tmdb = tmdb
        self.imdb = imdb
        self.tags = tags
        self.file = file
    }

    public var label: String { "\(title)\(year.map { " (\($0))" } ?? "") in radarr \(instance)" }
}

/// Names one series of one Sonarr instance.
public struct SeriesKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var instance: String
    public var id: Int

    public init(instance: String, id: Int) {
        self.instance = instance
        self.id = id
    }

    public static func < (a: SeriesKey, b: SeriesKey) -> Bool { (a.instance, a.id) < (b.instance, b.id) }
    public var description: String { "\(instance)#\(id)" }
}

public struct CatalogSeries: Sendable, Hashable {
    public var instance: String
    public var id: Int
    public var title: String
    public var year: Int?
    public var tvdb: Int?
    /// The series folder on this machine.
    public var path: String
    /// `standard`, `daily` or `anime`.
    public var seriesType: String
    public var seasonFolders: Bool
    public var tags: [Int]
    /// Each season's counts from the series list (empty when Sonarr gave none).
    public var seasonCounts: [Int: SeasonCounts]

    public init(
        instance: String, id: Int, title: String, year: Int? = nil, tvdb: Int? = nil, path: String,
        seriesType: String = "standard", seasonFolders: Bool = true, tags: [Int] = [], seasonCounts: [Int: SeasonCounts] = [:]
    ) {
        self.seasonCounts = seasonCounts
        self.instance = instance
        self.id = id
        self.title = title
        self.year = year
        self.tvdb = tvdb
        self.path = path
        self.seriesType = seriesType
        self.seasonFolders = seasonFolders
        self.tags = tags
    }

    public var key: SeriesKey { SeriesKey(instance: instance, id: id) }
    public var label: String { "\(title) in sonarr \(instance)" }
}

public struct CatalogEpisode: Sendable, Hashable {
    public var id: Int
    public var number: EpisodeNumber
    public var absolute: Int?
    public var title: String?
    /// The id of its file in Sonarr, `nil` without one.
    public var fileID: Int?
    public var monitored: Bool

    public init(id: Int, number: EpisodeNumber, absolute: Int? = nil, title: String? = nil, fileID: Int? = nil, monitored: Bool = true) {
        self.id = id
        self.number = number
        self.absolute = absolute
        self.title = title
        self.fileID = fileID.flatMap { $0 == 0 ? nil : $0 }
        self.monitored = monitored
    }
}

/// The answer to "which movie (or series) is this?".
public enum CatalogLookup<Item: Sendable>: Sendable {
    case found(Item)
    /// Every instance that could hold it answered, and none does: it is gone (or never was there).
    case absent(String)
    /// It could not be decided (an instance did not answer, or the mapping names an unknown instance):
    /// whatever was linked before stays.
    case unknown(String)
    case ambiguous([Item])
}

/// Finds a mapping's movie among the movies of every Radarr instance: by TMDB id, then IMDb id, then
/// title and year. Instances are tried in the order of the config, and a pin names one.
public struct MovieCatalog: Sendable {
    public var instances: [String]
    /// Instances that did not answer, with the reason.
    public var failures: [String: String]
    public private(set) var all: [CatalogMovie]
    private var byTMDB: [Int: [Int]] = [:]
    private var byIMDB: [String: [Int]] = [:]
    /// Built on the first lookup by title (most mappings carry an id; a large library need not pay for it).
    private let byTitle: LazyIndex

    public init(instances: [String], movies: [CatalogMovie], failures: [String: String] = [:]) {
        self.instances = instances
        self.failures = failures
        self.all = movies
        byTMDB.reserveCapacity(movies.count)
        for (i, movie) in movies.enumerated() {
            if let tmdb = movie.tmdb { byTMDB[tmdb, default: []].append(i) }
            if let imdb = movie.imdb, !imdb.isEmpty { byIMDB[imdb.lowercased(), default: []].append(i) }
        }
        byTitle = LazyIndex { movies.map { FolderName(parsing: $0.title).key } }
    }

    public func find(_ ref: MovieRef, pin: String?) -> CatalogLookup<CatalogMovie> {
        let asked: [String]
        switch askedInstances("radarr", instances, pin: pin) {
        case .success(let names): asked = names
        case .failure(let problem): return .unknown(problem.text)
        }
        let order = Dictionary(uniqueKeysWithValues: instances.enumerated().map { ($1, $0) })
        func pick(_ hits: [CatalogMovie]) -> CatalogLookup<CatalogMovie>? {
            let hits = hits.filter { asked.contains($0.instance) }
            guard !hits.isEmpty else { return nil }
            // Several instances may hold the movie (a 4K and an HD Radarr): the first in config order
            // with a file wins. Two movies of one instance is a real ambiguity.
            let sorted = hits.sorted { (order[$0.instance] ?? 0, $0.file == nil ? 1 : 0) < (order[$1.instance] ?? 0, $1.file == nil ? 1 : 0) }
            let best = sorted.first { $0.file != nil } ?? sorted[0]
            let sameInstance = hits.filter { $0.instance == best.instance }
            if sameInstance.count > 1 { return .ambiguous(sameInstance) }
            return .found(best)
        }
        if let tmdb = ref.tmdb, let hit = pick((byTMDB[tmdb] ?? []).map { all[$0] }) { return hit }
        if let imdb = ref.imdb?.lowercased(), let hit = pick((byIMDB[imdb] ?? []).map { all[$0] }) { return hit }
        let wanted = FolderName(parsing: ref.title)
        let year = ref.year ?? wanted.year
        let titled = byTitle[wanted.key].map { all[$0] }.filter { year == nil || $0.year == year }
        if let hit = pick(titled) { return hit }
        return notFound("radarr", asked: asked, failures: failures)
    }
}

/// Finds a mapping's series among the series of every Sonarr instance: by TVDB id, then title (and
/// year, when the mapping's title ends with one).
public struct SeriesCatalog: Sendable {
    public var instances: [String]
    public var failures: [String: String]
    private var byTVDB: [Int: [CatalogSeries]] = [:]
    private var byTitle: [String: [CatalogSeries]] = [:]
    public private(set) var byKey: [SeriesKey: CatalogSeries] = [:]

    public init(instances: [String], series: [CatalogSeries], failures: [String: String] = [:]) {
        self.instances = instances
        self.failures = failures
        for s in series {
            if let tvdb = s.tvdb { byTVDB[tvdb, default: []].append(s) }
            byTitle[FolderName(parsing: s.title).key, default: []].append(s)
            byKey[s.key] = s
        }
    }

    public func find(_ ref: ShowRef, pin: String?) -> CatalogLookup<CatalogSeries> {
        let asked: [String]
        switch askedInstances("sonarr", instances, pin: pin) {
        case .success(let names): asked = names
        case .failure(let problem): return .unknown(problem.text)
        }
        let order = Dictionary(uniqueKeysWithValues: instances.enumerated().map { ($1, $0) })
        func pick(_ hits: [CatalogSeries]) -> CatalogLookup<CatalogSeries>? {
            let hits = hits.filter { asked.contains($0.instance) }.sorted { order[$0.instance] ?? 0 < order[$1.instance] ?? 0 }
            guard let first = hits.first else { return nil }
            let sameInstance = hits.filter { $0.instance == first.instance }
            return sameInstance.count > 1 ? .ambiguous(sameInstance) : .found(first)
        }
        if let tvdb = ref.tvdb, let hit = pick(byTVDB[tvdb] ?? []) { return hit }
        let wanted = FolderName(parsing: ref.title)
        let titled = (byTitle[wanted.key] ?? []).filter { s in
            guard let year = wanted.year else { return true }
            return s.year == year || FolderName(parsing: s.title).year == year
        }
        if let hit = pick(titled) { return hit }
        return notFound("sonarr", asked: asked, failures: failures)
    }
}

/// Positions by a key computed for every item, built once, on first use, by whichever thread needs it.
final class LazyIndex: Sendable {
    private let state: Mutex<(keys: (@Sendable () -> [String])?, index: [String: [Int]])>

    init(_ keys: @escaping @Sendable () -> [String]) {
        state = Mutex((keys, [:]))
    }

    subscript(key: String) -> [Int] {
        state.withLock { state in
            if let keys = state.keys {
                for (i, k) in keys().enumerated() { state.index[k, default: []].append(i) }
                state.keys = nil
            }
            return state.index[key] ?? []
        }
    }
}

/// A reason, as an error value.
struct CatalogProblem: Error { var text: String }

/// The instances to look in: the pinned one (which must exist), else all.
private func askedInstances(_ kind: String, _ instances: [String], pin: String?) -> Result<[String], CatalogProblem> {
    guard let pin else { return .success(instances) }
    guard instances.contains(pin) else {
        return .failure(CatalogProblem(text: "no \(kind) instance is named '\(pin)' (configured: \(instances.joined(separator: ", ")))"))
    }
    return .success([pin])
}

/// Not found: absent when every asked instance answered, else unknown.
private func notFound<Item>(_ kind: String, asked: [String], failures: [String: String]) -> CatalogLookup<Item> {
    let silent = asked.filter { failures[$0] != nil }
    if !silent.isEmpty {
        return .unknown("\(kind) \(silent.joined(separator: ", ")) did not answer: \(silent.compactMap { failures[$0] }.joined(separator: "; "))")
    }
    return .absent("not in \(kind) \(asked.joined(separator: ", "))")
}
