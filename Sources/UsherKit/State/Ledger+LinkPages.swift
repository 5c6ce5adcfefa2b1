import Foundation
import GRDB
public import UsherCore

/// Reads of the links table for the server's status and `links` page: counted by SQLite, paged, so that a
/// library of 50,000 links is not read whole for one page.
extension Ledger {
    /// Links and space saved, as `LinkStatistics` counts them (rows of an interrupted change left out, each file
    /// once), without reading every row into memory.
    public func linkSummary() throws -> (links: Int, hardlinks: Int, bytesSaved: Int64) {
        try queue.read { db in
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
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM links" + filter + " ORDER BY show, target LIMIT ? OFFSET ?", arguments: arguments + [limit, offset])
            return (total, rows.map(Self.entry(from:)))
        }
    }
}
