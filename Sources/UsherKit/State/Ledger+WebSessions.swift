public import Foundation
import GRDB

/// The web page's sessions (`usher serve`): each by the SHA-256 of its token, which only the browser holds.
extension Ledger {
    public struct WebSessionRow: Sendable, Equatable {
        public var hash: String
        public var csrf: String
        public var lastSeen: Date

        public init(hash: String, csrf: String, lastSeen: Date) {
            self.hash = hash
            self.csrf = csrf
            self.lastSeen = lastSeen
        }
    }

    public func webSession(hash: String) throws -> WebSessionRow? {
        try queue.read { db in
            guard try db.tableExists("web_sessions"),
                let row = try Row.fetchOne(db, sql: "SELECT csrf, last_seen FROM web_sessions WHERE hash = ?", arguments: [hash])
            else { return nil }
            return WebSessionRow(hash: hash, csrf: row[0], lastSeen: Date(timeIntervalSince1970: row[1]))
        }
    }

    /// Keeps `session` (or moves its last-seen time), and keeps at most `limit` sessions, the most recently seen.
    public func keepWebSession(_ session: WebSessionRow, limit: Int) throws {
        try queue.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO web_sessions (hash, csrf, last_seen) VALUES (?, ?, ?)",
                arguments: [session.hash, session.csrf, session.lastSeen.timeIntervalSince1970])
            try db.execute(
                sql: "DELETE FROM web_sessions WHERE hash NOT IN (SELECT hash FROM web_sessions ORDER BY last_seen DESC LIMIT ?)",
                arguments: [limit])
        }
    }

    /// Forgets a session, and every session last seen before `idleSince`.
    public func forgetWebSessions(hash: String?, idleSince: Date) throws {
        try queue.write { db in
            if let hash { try db.execute(sql: "DELETE FROM web_sessions WHERE hash = ?", arguments: [hash]) }
            try db.execute(sql: "DELETE FROM web_sessions WHERE last_seen < ?", arguments: [idleSince.timeIntervalSince1970])
        }
    }

    public func webSessionCount() throws -> Int {
        try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM web_sessions") ?? 0 }
    }
}
