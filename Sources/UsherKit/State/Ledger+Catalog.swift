import Foundation
import GRDB
public import UsherCore

/// What a link run learned from Sonarr and Radarr, kept in `usher.db` so that the next run asks only what
/// changed (`CatalogChanges`): the movies the mappings name (with their files), the episodes and episode files
/// of the series they need, where each service's history was read up to, and when the last full pass was.
///
/// One row per movie and per episode, so that a webhook (`usher serve`) can bring one movie or one series up
/// to date without rewriting the rest.
public struct KeptCatalog: Sendable {
    public var facts: CatalogChanges.Kept
    /// By `"radarr NAME"` / `"sonarr NAME"`.
    public var cursors: [String: HistoryCursor]
    public var movies: [CatalogMovie]
    public var series: [SeriesKey: KeptSeriesDetails]

    public init(facts: CatalogChanges.Kept, cursors: [String: HistoryCursor], movies: [CatalogMovie], series: [SeriesKey: KeptSeriesDetails]) {
        self.facts = facts
        self.cursors = cursors
        self.movies = movies
        self.series = series
    }
}

/// The kept episodes of one series: the seasons read (`nil`: all), the season counts of the series list when
/// they were read, the episodes and their files.
public struct KeptSeriesDetails: Sendable, Hashable {
    public var seasons: Set<Int>?
    public var counts: [Int: SeasonCounts]
    public var episodes: [CatalogEpisode]
    public var files: [Int: CatalogFile]

    public init(seasons: Set<Int>?, counts: [Int: SeasonCounts], episodes: [CatalogEpisode], files: [Int: CatalogFile]) {
        self.seasons = seasons
        self.counts = counts
        self.episodes = episodes
        self.files = files
    }

    var kept: CatalogChanges.KeptSeries { CatalogChanges.KeptSeries(seasons: seasons, counts: counts) }
}

/// A change to the kept catalog: everything (after a full pass), or some movies and series.
public struct CatalogUpdate: Sendable {
    public var replaceAll = false
    public var facts: CatalogChanges.Kept?
    public var cursors: [String: HistoryCursor] = [:]
    public var movies: [CatalogMovie] = []
    public var removedMovies: [MovieKey] = []
    public var series: [SeriesKey: KeptSeriesDetails] = [:]
    public var removedSeries: [SeriesKey] = []

    public init() {}

    public var isEmpty: Bool {
        !replaceAll && facts == nil && cursors.isEmpty && movies.isEmpty && removedMovies.isEmpty && series.isEmpty && removedSeries.isEmpty
    }
}

extension Ledger {
    static let catalogSchema = """
        CREATE TABLE catalog_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
        CREATE TABLE folder_memo (id INTEGER PRIMARY KEY CHECK (id = 1), memo TEXT NOT NULL);
        CREATE TABLE catalog_movies (
            instance TEXT NOT NULL, id INTEGER NOT NULL, title TEXT NOT NULL, year INTEGER, tmdb INTEGER, imdb TEXT, tags TEXT NOT NULL,
            file_id INTEGER, file_path TEXT, file_size INTEGER, quality TEXT, proper INTEGER, real INTEGER, release_group TEXT,
            PRIMARY KEY (instance, id)
        );
        CREATE TABLE catalog_series (
            instance TEXT NOT NULL, id INTEGER NOT NULL, seasons TEXT, counts TEXT NOT NULL,
            PRIMARY KEY (instance, id)
        );
        CREATE TABLE catalog_episodes (
            instance TEXT NOT NULL, series_id INTEGER NOT NULL, id INTEGER NOT NULL, season INTEGER NOT NULL, episode INTEGER NOT NULL,
            absolute INTEGER, title TEXT, file_id INTEGER, monitored INTEGER NOT NULL,
            PRIMARY KEY (instance, series_id, id)
        );
        CREATE TABLE catalog_episode_files (
            instance TEXT NOT NULL, series_id INTEGER NOT NULL, id INTEGER NOT NULL, path TEXT NOT NULL, size INTEGER,
            quality TEXT, proper INTEGER, real INTEGER, release_group TEXT,
            PRIMARY KEY (instance, series_id, id)
        );
        """

    /// The kept catalog, or `nil` when there is none (or it cannot be read: then a full pass makes a new one).
    public func keptCatalog() throws -> KeptCatalog? {
        try queue.read { db in
            guard try db.tableExists("catalog_meta") else { return nil }
            guard let (facts, cursors) = try Self.catalogMeta(db, movieRefs: true) else { return nil }
            // Columns by position: thousands of rows, and a lookup by name costs more than the value.
            var movies: [CatalogMovie] = []
            let movieRows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT instance, id, title, year, tmdb, imdb, tags, file_id, file_path, file_size, quality, proper, real, release_group
                    FROM catalog_movies
                    """)
            while let row = try movieRows.next() {
                var file: CatalogFile?
                if let id: Int = row[7], let path: String = row[8] {
                    file = CatalogFile(id: id, path: path, size: row[9], quality: Self.quality(row, at: 10), releaseGroup: row[13])
                }
                movies.append(
                    CatalogMovie(instance: row[0], id: row[1], title: row[2], year: row[3], tmdb: row[4], imdb: row[5], tags: Self.ints(row[6]), file: file))
            }
            var series: [SeriesKey: KeptSeriesDetails] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT instance, id, seasons, counts FROM catalog_series") {
                let key = SeriesKey(instance: row[0], id: row[1])
                let seasons: String? = row[2]
                guard let counts = Self.counts(row[3]) else { return nil }
                series[key] = KeptSeriesDetails(seasons: seasons.map { Set(Self.ints($0)) }, counts: counts, episodes: [], files: [:])
            }
            let episodeRows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT instance, series_id, id, season, episode, absolute, title, file_id, monitored FROM catalog_episodes
                    ORDER BY instance, series_id, season, episode
                    """)
            while let row = try episodeRows.next() {
                let key = SeriesKey(instance: row[0], id: row[1])
                series[key]?.episodes.append(
                    CatalogEpisode(
                        id: row[2], number: EpisodeNumber(season: row[3], episode: row[4]), absolute: row[5], title: row[6], fileID: row[7],
                        monitored: row[8]))
            }
            let fileRows = try Row.fetchCursor(
                db, sql: "SELECT instance, series_id, id, path, size, quality, proper, real, release_group FROM catalog_episode_files")
            while let row = try fileRows.next() {
                let key = SeriesKey(instance: row[0], id: row[1])
                let id: Int = row[2]
                series[key]?.files[id] = CatalogFile(id: id, path: row[3], size: row[4], quality: Self.quality(row, at: 5), releaseGroup: row[8])
            }
            return KeptCatalog(facts: facts, cursors: cursors, movies: movies, series: series)
        }
    }

    /// The kept catalog's facts and history positions, without its movies and series (`movieRefs` left empty);
    /// `nil` when there is none.
    func keptCatalogFacts() throws -> (facts: CatalogChanges.Kept, cursors: [String: HistoryCursor])? {
        try queue.read { db in
            guard try db.tableExists("catalog_meta") else { return nil }
            return try Self.catalogMeta(db, movieRefs: false)
        }
    }

    private static func catalogMeta(_ db: Database, movieRefs: Bool) throws -> (facts: CatalogChanges.Kept, cursors: [String: HistoryCursor])? {
        var meta: [String: String] = [:]
        let sql = movieRefs ? "SELECT key, value FROM catalog_meta" : "SELECT key, value FROM catalog_meta WHERE key != 'movie_refs'"
        for row in try Row.fetchAll(db, sql: sql) { meta[row[0]] = row[1] }
        guard let fullAt = meta["full_at"].flatMap({ Int64($0) }), let fingerprint = meta["fingerprint"] else { return nil }
        let refs = Set((meta["movie_refs"] ?? "").split(separator: "\n", omittingEmptySubsequences: true).map(String.init))
        var cursors: [String: HistoryCursor] = [:]
        for (key, value) in meta where key.hasPrefix("cursor ") {
            let parts = value.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2, let id = Int(parts[1]) else { continue }
            cursors[String(key.dropFirst("cursor ".count))] = HistoryCursor(date: String(parts[0]), id: id)
        }
        return (CatalogChanges.Kept(fullAt: fullAt, fingerprint: fingerprint, trusted: meta["trusted"] == "1", movieRefs: refs), cursors)
    }

    /// Writes `update` in one transaction: a run killed while writing leaves the catalog as it was.
    public func updateCatalog(_ update: CatalogUpdate) throws {
        guard !update.isEmpty else { return }
        try queue.write { db in
            if update.replaceAll {
                for table in ["catalog_meta", "catalog_movies", "catalog_series", "catalog_episodes", "catalog_episode_files"] {
                    try db.execute(sql: "DELETE FROM \(table)")
                }
            }
            let meta = try db.cachedStatement(sql: "INSERT OR REPLACE INTO catalog_meta (key, value) VALUES (?, ?)")
            if let facts = update.facts {
                try meta.execute(arguments: ["full_at", String(facts.fullAt)])
                try meta.execute(arguments: ["fingerprint", facts.fingerprint])
                try meta.execute(arguments: ["trusted", facts.trusted ? "1" : "0"])
                try meta.execute(arguments: ["movie_refs", facts.movieRefs.sorted().joined(separator: "\n")])
            }
            for (name, cursor) in update.cursors { try meta.execute(arguments: ["cursor \(name)", "\(cursor.date)\t\(cursor.id)"]) }
            let deleteMovie = try db.cachedStatement(sql: "DELETE FROM catalog_movies WHERE instance = ? AND id = ?")
            for key in update.removedMovies { try deleteMovie.execute(arguments: [key.instance, key.id]) }
            let movie = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO catalog_movies
                    (instance, id, title, year, tmdb, imdb, tags, file_id, file_path, file_size, quality, proper, real, release_group)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for m in update.movies {
                let f = m.file
                try movie.execute(
                    arguments: [
                        m.instance, m.id, m.title, m.year, m.tmdb, m.imdb, m.tags.map(String.init).joined(separator: ","), f?.id, f?.path, f?.size,
                        f?.quality?.title, f?.quality?.proper, f?.quality?.real, f?.releaseGroup,
                    ])
            }
            for key in update.removedSeries + Array(update.series.keys) {
                for table in ["catalog_series", "catalog_episodes", "catalog_episode_files"] {
                    let column = table == "catalog_series" ? "id" : "series_id"
                    try db.execute(sql: "DELETE FROM \(table) WHERE instance = ? AND \(column) = ?", arguments: [key.instance, key.id])
                }
            }
            let series = try db.cachedStatement(sql: "INSERT INTO catalog_series (instance, id, seasons, counts) VALUES (?, ?, ?, ?)")
            let episode = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO catalog_episodes (instance, series_id, id, season, episode, absolute, title, file_id, monitored)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            let file = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO catalog_episode_files (instance, series_id, id, path, size, quality, proper, real, release_group)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for (key, details) in update.series {
                try series.execute(
                    arguments: [key.instance, key.id, details.seasons.map { $0.sorted().map(String.init).joined(separator: ",") }, Self.text(details.counts)])
                for e in details.episodes {
                    try episode.execute(
                        arguments: [key.instance, key.id, e.id, e.number.season, e.number.episode, e.absolute, e.title, e.fileID, e.monitored])
                }
                for f in details.files.values {
                    try file.execute(
                        arguments: [key.instance, key.id, f.id, f.path, f.size, f.quality?.title, f.quality?.proper, f.quality?.real, f.releaseGroup])
                }
            }
        }
    }

    /// What the last filesystem-mode scan found (`FolderMemo`), or `nil` (none, or unreadable: then a run scans).
    func folderMemo() throws -> FolderMemo? {
        try queue.read { db in
            guard try db.tableExists("folder_memo"), let text = try String.fetchOne(db, sql: "SELECT memo FROM folder_memo WHERE id = 1") else { return nil }
            return try? JSONDecoder().decode(FolderMemo.self, from: Data(text.utf8))
        }
    }

    /// What `FolderMemo.refusal` reads of the kept folder index, without decoding its lists of folders (SQLite
    /// picks the three fields out of the JSON).
    func folderMemoHeader() throws -> FolderMemo.Header? {
        try queue.read { db in
            guard try db.tableExists("folder_memo"),
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT json_extract(memo, '$.fingerprint'), json_extract(memo, '$.scannedAt'), json_extract(memo, '$.folders')
                        FROM folder_memo WHERE id = 1 AND json_valid(memo)
                        """),
                let fingerprint: String = row[0], let scannedAt: Int64 = row[1], let folders: String = row[2],
                let times = try? JSONDecoder().decode([String: Int64].self, from: Data(folders.utf8))
            else { return nil }
            return FolderMemo.Header(fingerprint: fingerprint, scannedAt: scannedAt, folders: times)
        }
    }

    /// Keeps `memo` for the next run, or forgets the last one.
    func setFolderMemo(_ memo: FolderMemo?) throws {
        let text = try memo.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try queue.write { db in
            try db.execute(sql: "DELETE FROM folder_memo")
            if let text { try db.execute(sql: "INSERT INTO folder_memo (id, memo) VALUES (1, ?)", arguments: [text]) }
        }
    }

    /// Forgets the kept catalog: the next run makes a full pass.
    public func forgetCatalog() throws {
        try queue.write { db in try db.execute(sql: "DELETE FROM catalog_meta") }
    }

    /// The quality title at `index`, then its `proper` and `real` flags.
    private static func quality(_ row: Row, at index: Int) -> Quality? {
        guard let title: String = row[index] else { return nil }
        return Quality(title: title, proper: row[index + 1] ?? false, real: row[index + 2] ?? false)
    }

    private static func ints(_ text: String?) -> [Int] {
        (text ?? "").split(separator: ",").compactMap { Int($0) }
    }

    /// `0:12/10/123456;1:24/24/999`
    static func text(_ counts: [Int: SeasonCounts]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value.episodes)/\($0.value.files)/\($0.value.bytes)" }.joined(separator: ";")
    }

    static func counts(_ text: String?) -> [Int: SeasonCounts]? {
        var counts: [Int: SeasonCounts] = [:]
        for part in (text ?? "").split(separator: ";") {
            let fields = part.split(separator: ":")
            guard fields.count == 2, let season = Int(fields[0]) else { return nil }
            let numbers = fields[1].split(separator: "/")
            guard numbers.count == 3, let e = Int(numbers[0]), let f = Int(numbers[1]), let b = Int64(numbers[2]) else { return nil }
            counts[season] = SeasonCounts(episodes: e, files: f, bytes: b)
        }
        return counts
    }
}
