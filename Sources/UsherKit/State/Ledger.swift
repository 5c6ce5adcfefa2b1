public import Foundation
import GRDB
import Synchronization
public import UsherCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A finished run, for `usher stats`.
public struct RunRecord: Sendable, Codable, Hashable {
    public var startedAt: Date
    public var durationMilliseconds: Int
    public var created: Int
    public var replaced: Int
    public var removed: Int
    public var unchanged: Int
    public var conflicts: Int
    public var errors: Int
    public var reclaimedBytes: Int64

    public init(
        startedAt: Date, durationMilliseconds: Int, created: Int, replaced: Int, removed: Int, unchanged: Int, conflicts: Int, errors: Int,
        reclaimedBytes: Int64
    ) {
        self.startedAt = startedAt
        self.durationMilliseconds = durationMilliseconds
        self.created = created
        self.replaced = replaced
        self.removed = removed
        self.unchanged = unchanged
        self.conflicts = conflicts
        self.errors = errors
        self.reclaimedBytes = reclaimedBytes
    }
}

/// The SQLite state (`usher.db`): every link Usher made, the history of runs, and the tables of match
/// and prefetch. One store, all migrations here.
public final class Ledger: Sendable {
    /// A pool (WAL) when opened for writing, so readers (a page, an API call) never wait for a running
    /// job; a read-only connection, or an in-memory copy, when opened with `openIfPresent`.
    let queue: any DatabaseWriter
    public let path: String
    /// `linkSummary()` as it was at a generation of the links table (`links_generation`): counting 50,000 links
    /// takes a tenth of a second, and a page asks for it on every view.
    let summaryCache = Mutex<(generation: Int64, summary: LinkSummary)?>(nil)

    /// Opens the state for reading and writing, creating it and bringing its schema up to date.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        do { try FileSystem.makeDirectories(Paths.parent(path)) } catch {
            throw RunLock.StateFolderError(
                message:
                    "cannot create the state folder \(error.path): \(String(cString: strerror(error.code))) (set 'state:' in the config to a file in a folder Usher can write)"
            )
        }
        // Set WAL and `synchronous` before the pool opens its readers (a pool needs WAL). A file already in WAL mode
        // says so in its header (bytes 18 and 19 are 2), and is not opened twice.
        if !Self.isWAL(path) {
            try DatabaseQueue(path: path, configuration: configuration).writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL")
            }
        }
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
        queue = pool
    }

    /// Whether the SQLite file at `path` is in WAL mode, by its header.
    static func isWAL(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: 20), header.count == 20 else { return false }
        return header.starts(with: Array("SQLite format 3\0".utf8)) && header[18] == 2 && header[19] == 2
    }

    private init(path: String, reader: any DatabaseWriter) {
        self.path = path
        self.queue = reader
    }

    /// Opens the state for reading only (a dry run, `usher stats`), or `nil` when no run has made one yet.
    /// The file is never written: a state from an older Usher is copied into memory and brought up to date
    /// there, so reading it sees the current schema.
    public static func openIfPresent(path: String) throws -> Ledger? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        let file = try DatabaseQueue(path: path, configuration: configuration)
        if try file.read({ try migrator.hasCompletedMigrations($0) }) { return Ledger(path: path, reader: file) }
        let copy = try DatabaseQueue()
        try file.backup(to: copy)
        try migrator.migrate(copy)
        return Ledger(path: path, reader: copy)
    }

    /// For tests: a state file with only the migrations up to `name`, as an older Usher left it.
    static func makeOld(path: String, upTo name: String) throws {
        try FileSystem.makeDirectories(Paths.parent(path))
        try migrator.migrate(DatabaseQueue(path: path), upTo: name)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE links (
                        target TEXT PRIMARY KEY NOT NULL,
                        source TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        device INTEGER,
                        inode INTEGER,
                        symlink_destination TEXT,
                        size INTEGER NOT NULL,
                        mapping_key TEXT NOT NULL,
                        show TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        pending INTEGER NOT NULL DEFAULT 0,
                        pending_temporary TEXT,
                        previous_source TEXT,
                        previous_kind TEXT,
                        previous_device INTEGER,
                        previous_inode INTEGER,
                        previous_symlink_destination TEXT,
                        previous_size INTEGER
                    );
                    CREATE INDEX links_mapping ON links(mapping_key);
                    CREATE TABLE runs (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        started_at REAL NOT NULL,
                        duration_ms INTEGER NOT NULL,
                        created INTEGER NOT NULL,
                        replaced INTEGER NOT NULL,
                        removed INTEGER NOT NULL,
                        unchanged INTEGER NOT NULL,
                        conflicts INTEGER NOT NULL,
                        errors INTEGER NOT NULL,
                        reclaimed_bytes INTEGER NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v2-prefetch") { db in
            try db.execute(
                sql: """
                    CREATE TABLE prefetch_searches (
                        instance TEXT NOT NULL,
                        episode_id INTEGER NOT NULL,
                        searched_at INTEGER NOT NULL,
                        PRIMARY KEY (instance, episode_id)
                    );
                    CREATE TABLE prefetch_shows (
                        show_key TEXT PRIMARY KEY NOT NULL,
                        title TEXT NOT NULL,
                        tvdb_id INTEGER,
                        checked_at INTEGER NOT NULL
                    );
                    CREATE TABLE prefetch_unmatched (
                        show_key TEXT PRIMARY KEY NOT NULL,
                        title TEXT NOT NULL,
                        reported_at INTEGER NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v3-match") { db in
            try db.execute(
                sql: """
                    CREATE TABLE match_rejections (
                        pair_key TEXT PRIMARY KEY NOT NULL,
                        movie TEXT NOT NULL,
                        target TEXT NOT NULL,
                        rejected_at INTEGER NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v4-service-retries") { db in
            try db.execute(
                sql: """
                    CREATE TABLE service_retries (
                        kind TEXT NOT NULL,
                        instance TEXT NOT NULL,
                        target TEXT NOT NULL,
                        label TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        since INTEGER NOT NULL,
                        attempts INTEGER NOT NULL,
                        PRIMARY KEY (kind, instance, target)
                    );
                    """)
        }
        migrator.registerMigration("v5-catalog") { db in
            try db.execute(sql: Self.catalogSchema)
        }
        migrator.registerMigration("v6-job-runs") { db in
            try db.execute(sql: Self.jobRunSchema)
        }
        migrator.registerMigration("v7-resolution-memo") { db in
            try db.execute(sql: Self.resolutionMemoSchema)
        }
        migrator.registerMigration("v8-settled-run") { db in
            try db.execute(
                sql: """
                    CREATE TABLE settled_run (
                        id INTEGER PRIMARY KEY CHECK (id = 1), inputs TEXT NOT NULL, ledger TEXT NOT NULL, mappings INTEGER NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v9-links-generation") { db in
            try db.execute(sql: Self.linksGenerationSchema)
        }
        migrator.registerMigration("v10-run-totals") { db in
            // The links and space saved after each run, for the page's chart; older runs have none. The index pages
            // the links in the order the page and the API show them.
            try db.execute(
                sql: """
                    ALTER TABLE runs ADD COLUMN links INTEGER; ALTER TABLE runs ADD COLUMN bytes_saved INTEGER;
                    CREATE INDEX links_show_target ON links(show, target);
                    """)
        }
        migrator.registerMigration("v11-run-log") { db in
            // The log lines of each run `usher serve` made, for the run's page.
            try db.execute(sql: "ALTER TABLE job_runs ADD COLUMN log TEXT")
        }
        migrator.registerMigration("v12-settled-services") { db in
            // API mode's settled run: what Sonarr said that the links rest on (`SettledRun.Services`); a record
            // without it is filesystem mode's.
            try db.execute(sql: "ALTER TABLE settled_run ADD COLUMN services TEXT")
        }
        migrator.registerMigration("v13-web-sessions") { db in
            // The web page's sessions, so that a restart of `usher serve` logs nobody out: the SHA-256 of each
            // session's token (never the token), its CSRF token and when it was last seen.
            try db.execute(
                sql: "CREATE TABLE web_sessions (hash TEXT PRIMARY KEY NOT NULL, csrf TEXT NOT NULL, last_seen REAL NOT NULL)")
        }
        migrator.registerMigration("v14-watch-sync") { db in
            // Watch-state sync (issue 18): the Plex item of each linked file (by its path here), the state each pair
            // last agreed on per user, and what was said once about a user.
            try db.execute(sql: Self.watchSyncSchema)
        }
        return migrator
    }

    /// Steps a service did not take (a rescan, a Plex scan), asked again by the next run.
    public func serviceRetries() throws -> [ServiceRetry] {
        try queue.read { db in
            guard try db.tableExists("service_retries") else { return [] }  // a read-only open of an older file
            return try Row.fetchAll(db, sql: "SELECT * FROM service_retries ORDER BY kind, instance, target").compactMap { row in
                guard let kind = ServiceRetry.Kind(rawValue: row["kind"]) else { return nil }
                return ServiceRetry(
                    kind: kind, instance: row["instance"], target: row["target"], label: row["label"],
                    reason: row["reason"], since: row["since"], attempts: row["attempts"])
            }
        }
    }

    /// Replaces the remembered steps by `retries`.
    public func setServiceRetries(_ retries: [ServiceRetry]) throws {
        try queue.write { db in
            try db.execute(sql: "DELETE FROM service_retries")
            for r in retries {
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO service_retries (kind, instance, target, label, reason, since, attempts)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [r.kind.rawValue, r.instance, r.target, r.label, r.reason, r.since, r.attempts])
            }
        }
    }

    public func entries() throws -> [LedgerEntry] {
        try queue.read { db in
            var entries: [LedgerEntry] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT \(Self.entryColumns()) FROM links ORDER BY target")
            while let row = try rows.next() { entries.append(Self.entry(at: row)) }
            return entries
        }
    }

    /// The columns `entry(at:)` reads, in its order (by position: a run reads every row, and names cost a lookup each),
    /// each after `table.` when a query joins another table.
    static func entryColumns(of table: String? = nil) -> String {
        let names = [
            "target", "source", "kind", "device", "inode", "symlink_destination", "size", "mapping_key", "show", "created_at", "updated_at",
            "pending", "pending_temporary", "previous_source", "previous_kind", "previous_device", "previous_inode",
            "previous_symlink_destination", "previous_size",
        ]
        return names.map { name in table.map { "\($0).\(name)" } ?? name }.joined(separator: ", ")
    }

    /// How many columns `entry(at:)` reads.
    static let entryColumnCount = 19

    static func entry(at row: Row) -> LedgerEntry {
        let link = LedgerLink(sourcePath: row[1], identity: identity(kind: row[2], device: row[3], inode: row[4], destination: row[5]), size: row[6])
        var pending: PendingChange?
        if (row[11] as Int) != 0 {
            var previous: LedgerLink?
            if let source: String = row[13] {
                previous = LedgerLink(
                    sourcePath: source, identity: identity(kind: row[14], device: row[15], inode: row[16], destination: row[17]), size: row[18] ?? 0)
            }
            pending = PendingChange(previous: previous, temporaryPath: row[12])
        }
        return LedgerEntry(
            target: row[0], link: link, mappingKey: row[7], show: row[8], createdAt: row[9], updatedAt: row[10], pending: pending)
    }

    public func runs(limit: Int = 20) throws -> [RunRecord] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY id DESC LIMIT ?", arguments: [limit]).map { row in
                RunRecord(
                    startedAt: Date(timeIntervalSince1970: row["started_at"]), durationMilliseconds: row["duration_ms"],
                    created: row["created"], replaced: row["replaced"], removed: row["removed"], unchanged: row["unchanged"],
                    conflicts: row["conflicts"], errors: row["errors"], reclaimedBytes: row["reclaimed_bytes"])
            }
        }
    }

    /// Changes to write in one transaction.
    public struct Change: Sendable {
        public var upserts: [LedgerEntry] = []
        public var deletes: [String] = []
        public var run: RunRecord?
        public init() {}
    }

    public func apply(_ change: Change) throws {
        try queue.write { db in
            for target in change.deletes {
                try db.execute(sql: "DELETE FROM links WHERE target = ?", arguments: [target])
            }
            let statement = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO links (target, source, kind, device, inode, symlink_destination, size, mapping_key, show,
                        created_at, updated_at, pending, pending_temporary, previous_source, previous_kind, previous_device,
                        previous_inode, previous_symlink_destination, previous_size)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for entry in change.upserts {
                let (kind, device, inode, destination) = Self.columns(entry.link.identity)
                let previous = entry.pending?.previous
                let (pKind, pDevice, pInode, pDestination) = previous.map { Self.columns($0.identity) } ?? (nil, nil, nil, nil)
                try statement.execute(arguments: [
                    entry.target, entry.link.sourcePath, kind, device, inode, destination, entry.link.size, entry.mappingKey,
                    entry.show, entry.createdAt, entry.updatedAt, entry.pending == nil ? 0 : 1, entry.pending?.temporaryPath,
                    previous?.sourcePath, pKind, pDevice, pInode, pDestination, previous?.size,
                ])
            }
            if let run = change.run {
                try db.execute(
                    sql: """
                        INSERT INTO runs (started_at, duration_ms, created, replaced, removed, unchanged, conflicts, errors, reclaimed_bytes)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        run.startedAt.timeIntervalSince1970, run.durationMilliseconds, run.created, run.replaced,
                        run.removed, run.unchanged, run.conflicts, run.errors, run.reclaimedBytes,
                    ])
                try Self.keepTotals(db, id: db.lastInsertedRowID, changed: run.created + run.replaced + run.removed > 0)
            }
        }
    }

    private static func columns(_ identity: LinkIdentity) -> (String?, Int64?, Int64?, String?) {
        switch identity {
        case let .hardlink(device, inode): ("hardlink", Int64(bitPattern: device), Int64(bitPattern: inode), nil)
        case let .symlink(destination): ("symlink", nil, nil, destination)
        }
    }

    static func identity(kind: String?, device: Int64?, inode: Int64?, destination: String?) -> LinkIdentity {
        if kind == "symlink" { return .symlink(destination: destination ?? "") }
        return .hardlink(device: UInt64(bitPattern: device ?? 0), inode: UInt64(bitPattern: inode ?? 0))
    }

    static func entry(from row: Row) -> LedgerEntry {
        let link = LedgerLink(
            sourcePath: row["source"],
            identity: identity(kind: row["kind"], device: row["device"], inode: row["inode"], destination: row["symlink_destination"]),
            size: row["size"])
        var pending: PendingChange?
        if (row["pending"] as Int) != 0 {
            var previous: LedgerLink?
            if let source: String = row["previous_source"] {
                previous = LedgerLink(
                    sourcePath: source,
                    identity: identity(
                        kind: row["previous_kind"], device: row["previous_device"], inode: row["previous_inode"],
                        destination: row["previous_symlink_destination"]),
                    size: row["previous_size"] ?? 0)
            }
            pending = PendingChange(previous: previous, temporaryPath: row["pending_temporary"])
        }
        return LedgerEntry(
            target: row["target"], link: link, mappingKey: row["mapping_key"], show: row["show"],
            createdAt: row["created_at"], updatedAt: row["updated_at"], pending: pending)
    }
}
