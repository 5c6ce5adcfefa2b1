import GRDB

/// What `usher prefetch` remembers between runs, in the same SQLite file as the ledger: when each
/// episode was last searched (the cooldown), each watched show's TVDB id (so Tautulli is asked once
/// per show, not once per run), and which unmatched shows were already reported.
extension Ledger {
    /// The searches still within the cooldown, by instance and episode id. Older rows are deleted.
    public func recentSearches(now: Int64, cooldownSeconds: Int) throws -> [String: [Int: Int64]] {
        try queue.write { db in
            try db.execute(sql: "DELETE FROM prefetch_searches WHERE searched_at <= ?", arguments: [now - Int64(cooldownSeconds)])
            var result: [String: [Int: Int64]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT instance, episode_id, searched_at FROM prefetch_searches") {
                result[row["instance"], default: [:]][row["episode_id"]] = row["searched_at"]
            }
            return result
        }
    }

    /// Records searches that Sonarr accepted.
    public func recordSearches(instance: String, episodeIDs: [Int], at time: Int64) throws {
        try queue.write { db in
            let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO prefetch_searches (instance, episode_id, searched_at) VALUES (?, ?, ?)")
            for id in episodeIDs { try statement.execute(arguments: [instance, id, time]) }
        }
    }

    public struct KnownShow: Sendable, Hashable {
        public var title: String
        public var tvdb: Int?
        public var checkedAt: Int64
    }

    /// Shows whose TVDB id was looked up, by history key.
    public func knownShows() throws -> [String: KnownShow] {
        try queue.read { db in
            var result: [String: KnownShow] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT show_key, title, tvdb_id, checked_at FROM prefetch_shows") {
                result[row["show_key"]] = KnownShow(title: row["title"], tvdb: row["tvdb_id"], checkedAt: row["checked_at"])
            }
            return result
        }
    }

    public func recordShows(_ shows: [String: KnownShow]) throws {
        guard !shows.isEmpty else { return }
        try queue.write { db in
            let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO prefetch_shows (show_key, title, tvdb_id, checked_at) VALUES (?, ?, ?, ?)")
            for (key, show) in shows { try statement.execute(arguments: [key, show.title, show.tvdb, show.checkedAt]) }
        }
    }

    /// Unmatched shows already reported, by history key.
    public func reportedUnmatched() throws -> Set<String> {
        try queue.read { db in Set(try String.fetchAll(db, sql: "SELECT show_key FROM prefetch_unmatched")) }
    }

    /// Remembers newly reported unmatched shows, and forgets shows that match now (so a show that
    /// stops matching later is reported again).
    public func updateUnmatched(reported: [String: String], matched: [String], at time: Int64) throws {
        try queue.write { db in
            for key in matched { try db.execute(sql: "DELETE FROM prefetch_unmatched WHERE show_key = ?", arguments: [key]) }
            for (key, title) in reported {
                try db.execute(sql: "INSERT OR IGNORE INTO prefetch_unmatched (show_key, title, reported_at) VALUES (?, ?, ?)", arguments: [key, title, time])
            }
        }
    }
}
