public import Foundation
import GRDB
public import UsherCore

/// Reads of the links table for the server's status and `links` page: counted by SQLite, paged, so that a
/// library of 50,000 links is not read whole for one page.
extension Ledger {
    /// Links and space saved, as `LinkStatistics` counts them (rows of an interrupted change left out, each file
    /// once), without reading every row into memory.
    /// Kept while no link row changes (the links table's generation; an older file without it is counted each time).
    public func linkSummary() throws -> LinkSummary {
        try queue.read { db in
            guard try db.tableExists("links_generation") else { return try Self.linkSummary(db) }
            let generation = try Int64.fetchOne(db, sql: "SELECT value FROM links_generation WHERE id = 1") ?? -1
            if let cached = summaryCache.withLock({ $0 }), cached.generation == generation { return cached.summary }
            let summary = try Self.linkSummary(db)
            summaryCache.withLock { $0 = (generation, summary) }
            return summary
        }
    }

    public typealias LinkSummary = (links: Int, hardlinks: Int, bytesSaved: Int64)

    static func linkSummary(_ db: Database) throws -> LinkSummary {
        let counts = try Row.fetchOne(
            db, sql: "SELECT COUNT(*) AS links, COALESCE(SUM(kind <> 'symlink'), 0) AS hardlinks FROM links WHERE pending = 0")
        // One size per file: a hardlink's inode, or a symlink's source path (the key LinkStatistics uses).
        let saved = try Int64.fetchOne(
            db,
            sql: """
                SELECT COALESCE(SUM(size), 0) FROM (
                    SELECT MIN(size) AS size FROM links WHERE pending = 0
                    GROUP BY CASE WHEN kind = 'symlink' THEN 'p:' || source ELSE 'i:' || device || ':' || inode END)
                """)
        return (counts?["links"] ?? 0, counts?["hardlinks"] ?? 0, saved ?? 0)
    }

    /// Keeps the links and space saved after the run of row `id`: counted again when the run changed a link, else the
    /// last run's totals (a run that changed nothing left the same links).
    static func keepTotals(_ db: Database, id: Int64, changed: Bool) throws {
        var totals: (links: Int, bytesSaved: Int64)?
        if !changed,
            let row = try Row.fetchOne(
                db, sql: "SELECT links, bytes_saved FROM runs WHERE id < ? AND links IS NOT NULL ORDER BY id DESC LIMIT 1", arguments: [id])
        {
            totals = (row[0], row[1])
        }
        if totals == nil {
            let summary = try linkSummary(db)
            totals = (summary.links, summary.bytesSaved)
        }
        try db.execute(sql: "UPDATE runs SET links = ?, bytes_saved = ? WHERE id = ?", arguments: [totals?.links, totals?.bytesSaved, id])
    }

    public struct LinkHistoryPoint: Sendable, Equatable {
        public var at: Date
        public var links: Int
        public var bytesSaved: Int64
    }

    /// The links and space saved after each of the last `limit` link runs that kept them, oldest first.
    public func linkHistory(limit: Int) throws -> [LinkHistoryPoint] {
        try queue.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT started_at, links, bytes_saved FROM (
                        SELECT id, started_at, links, bytes_saved FROM runs WHERE links IS NOT NULL ORDER BY id DESC LIMIT ?)
                    ORDER BY id
                    """, arguments: [limit]
            ).map { LinkHistoryPoint(at: Date(timeIntervalSince1970: $0[0]), links: $0[1], bytesSaved: $0[2]) }
        }
    }

    /// One page of links in target order, and how many match: `show` keeps the links whose show holds it
    /// (ignoring case).
    public func linkPage(show: String? = nil, limit: Int, offset: Int) throws -> (total: Int, entries: [LedgerEntry]) {
        try queue.read { db in
            var filter = ""
            var arguments: StatementArguments = []
            if let show, !show.isEmpty {
                filter = #" WHERE show LIKE ? ESCAPE '\'"#
                let escaped = show.replacingOccurrences(of: #"\"#, with: #"\\"#).replacingOccurrences(of: "%", with: #"\%"#)
                    .replacingOccurrences(of: "_", with: #"\_"#)
                arguments += ["%\(escaped)%"]
            }
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM links" + filter, arguments: arguments) ?? 0
            // The page's rows found in the (show, target) index first, then read: an offset of 49,900 steps over index
            // entries, not over rows.
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM links WHERE rowid IN (SELECT rowid FROM links\(filter) ORDER BY show, target LIMIT ? OFFSET ?)
                    ORDER BY show, target
                    """, arguments: arguments + [limit, offset])
            return (total, rows.map(Self.entry(from:)))
        }
    }
}
