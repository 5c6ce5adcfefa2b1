/// What a run may take from the catalog it kept (`usher.db`) and what it must ask Sonarr and Radarr again.
/// Pure decisions: the adapters fetch and store, these say what.
///
/// A full pass reads every movie, every series and the episodes of every mapped series. An incremental
/// pass reads each Radarr's and Sonarr's history since the last pass, Sonarr's series list (its season
/// counts and folders) and naming, and then only the movies and series that changed.

/// A movie of one Radarr instance.
public struct MovieKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var instance: String
    public var id: Int

    public init(instance: String, id: Int) {
        self.instance = instance
        self.id = id
    }

    public static func < (a: MovieKey, b: MovieKey) -> Bool { (a.instance, a.id) < (b.instance, b.id) }
    public var description: String { "\(instance)#\(id)" }
}

/// How many episodes and files a season has, as Sonarr's series list counts them
/// (`totalEpisodeCount`, `episodeFileCount`, `sizeOnDisk`). A change of any says the season changed.
public struct SeasonCounts: Sendable, Hashable, Codable {
    public var episodes: Int
    public var files: Int
    public var bytes: Int64

    public init(episodes: Int, files: Int, bytes: Int64) {
        self.episodes = episodes
        self.files = files
        self.bytes = bytes
    }
}

/// The newest history record a pass has seen, in the service's own words (its date is sent back as it came).
public struct HistoryCursor: Sendable, Hashable, Codable {
    public var date: String
    public var id: Int

    public init(date: String, id: Int) {
        self.date = date
        self.id = id
    }
}

/// One record of Sonarr's or Radarr's history: what happened to which movie or series.
public struct HistoryEvent: Sendable, Hashable {
    public var id: Int
    public var date: String
    /// The movie (Radarr) or series (Sonarr) it is about.
    public var itemID: Int
    public var eventType: String

    public init(id: Int, date: String, itemID: Int, eventType: String) {
        self.id = id
        self.date = date
        self.itemID = itemID
        self.eventType = eventType
    }

    /// Grabs and failed downloads change no file; everything else (imports, upgrades, renames,
    /// deletions, and kinds a later version adds) may.
    public var mayChangeFiles: Bool {
        !["grabbed", "downloadFailed", "downloadIgnored"].contains(eventType)
    }
}

/// Whether a run may trust what the last one kept, and why not.
public enum CatalogPass: Sendable, Hashable {
    case full(reason: String)
    case incremental

    public var isFull: Bool { if case .full = self { return true } else { return false } }
}

public enum CatalogChanges {
    /// The facts of the kept catalog that decide whether it can be trusted.
    public struct Kept: Sendable {
        /// When the last full pass finished (Unix seconds).
        public var fullAt: Int64
        /// Of the config parts that shape the catalog (instances, their addresses, path mappings) and of Usher.
        public var fingerprint: String
        /// Cleared by a pass that ended with a service not answering, or an error while keeping.
        public var trusted: Bool
        /// The movie references (`MovieRef.catalogKey`) the kept catalog can answer.
        public var movieRefs: Set<String>

        public init(fullAt: Int64, fingerprint: String, trusted: Bool, movieRefs: Set<String>) {
            self.fullAt = fullAt
            self.fingerprint = fingerprint
            self.trusted = trusted
            self.movieRefs = movieRefs
        }
    }

    /// A full pass when forced, with nothing kept, after `fullEvery` seconds, when the config or Usher changed,
    /// when the last pass could not be trusted, or when the mappings name other movies than at the last pass (a
    /// movie never looked up needs the whole list; a movie no longer named may carry a tag to take off).
    public static func pass(kept: Kept?, fingerprint: String, movieRefs: Set<String>, now: Int64, fullEvery: Int64, forced: Bool) -> CatalogPass {
        if forced { return .full(reason: "asked for (--full)") }
        guard let kept else { return .full(reason: "no catalog kept yet") }
        if kept.fingerprint != fingerprint { return .full(reason: "the services in the config, or Usher, changed") }
        if !kept.trusted { return .full(reason: "the last pass did not end cleanly") }
        if now < kept.fullAt { return .full(reason: "the clock went back") }
        if now - kept.fullAt >= fullEvery { return .full(reason: "the daily verification is due (every \(fullEvery / 3600)h)") }
        let added = movieRefs.subtracting(kept.movieRefs).count, removed = kept.movieRefs.subtracting(movieRefs).count
        if added + removed > 0 { return .full(reason: "the mapping file names \(added) movie(s) more and \(removed) fewer than at the last pass") }
        return .incremental
    }

    /// The history records after `cursor` (a service may repeat the record at the cursor's date), and the
    /// cursor to keep for the next pass.
    public static func newEvents(_ events: [HistoryEvent], after cursor: HistoryCursor?) -> (events: [HistoryEvent], cursor: HistoryCursor?) {
        // Seen: at the cursor's date, up to its id. A record of a later date is new even with a smaller id
        // (SQLite may give the id of a deleted last record again).
        let fresh = events.filter { event in
            guard let cursor else { return true }
            return !(event.date == cursor.date && event.id <= cursor.id)
        }
        var newest = cursor
        for event in fresh where newest.map({ ($0.date, $0.id) < (event.date, event.id) }) ?? true {
            newest = HistoryCursor(date: event.date, id: event.id)
        }
        return (fresh, newest)
    }

    /// The movies to ask Radarr about again: those the history says changed (kept or not: a movie imported
    /// since may be one a mapping waits for), and kept movies whose file is no longer where Radarr said.
    public static func moviesToFetch(events: [String: [HistoryEvent]], kept: Set<MovieKey>, missingFiles: Set<MovieKey>) -> [MovieKey] {
        var wanted = missingFiles.intersection(kept)
        for (instance, list) in events {
            for event in list where event.mayChangeFiles { wanted.insert(MovieKey(instance: instance, id: event.itemID)) }
        }
        return wanted.sorted()
    }

    /// The kept episode lists of one series: which seasons they cover (`nil`: all) and the season counts seen
    /// in the series list when they were read.
    public struct KeptSeries: Sendable, Hashable {
        public var seasons: Set<Int>?
        public var counts: [Int: SeasonCounts]

        public init(seasons: Set<Int>?, counts: [Int: SeasonCounts]) {
            self.seasons = seasons
            self.counts = counts
        }
    }

    /// The series whose episodes must be read again: not kept (or not the seasons now needed), touched by the
    /// history, or whose season counts changed; the rest are answered from what was kept.
    public static func seriesToFetch(
        needed: [SeriesKey: Set<Int>], kept: [SeriesKey: KeptSeries], counts: [SeriesKey: [Int: SeasonCounts]], touched: Set<SeriesKey>
    ) -> [SeriesKey: Set<Int>] {
        needed.filter { key, seasons in
            guard let entry = kept[key], !touched.contains(key) else { return true }
            if let have = entry.seasons, !seasons.isSubset(of: have) { return true }
            let now = counts[key] ?? [:]
            let compared = entry.seasons ?? Set(entry.counts.keys).union(now.keys)
            // A season without counts cannot be vouched for.
            return compared.contains { now[$0] == nil || entry.counts[$0] != now[$0] }
        }
    }
}
