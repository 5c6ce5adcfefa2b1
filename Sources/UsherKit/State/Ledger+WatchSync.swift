public import Foundation
import GRDB
public import UsherCore

/// Watch-state sync (issue 18): which Plex item each linked file is, the state each pair last agreed on per user
/// (the planner's baseline), and what was said once about a user (so a user without a token is reported once, not
/// every run).
extension Ledger {
    static let watchSyncSchema = """
        CREATE TABLE watch_items (
            path TEXT PRIMARY KEY NOT NULL, rating_key TEXT NOT NULL, plex_file TEXT NOT NULL, seen_at INTEGER NOT NULL);
        CREATE TABLE watch_sync (pair TEXT NOT NULL, user TEXT NOT NULL, watched INTEGER NOT NULL, PRIMARY KEY (pair, user));
        CREATE TABLE watch_notes (subject TEXT PRIMARY KEY NOT NULL, note TEXT NOT NULL, noted_at INTEGER NOT NULL);
        """

    /// A linked file as Plex holds it: its items' `ratingKey`s (several when Plex shows one file as several episodes)
    /// and the file's path as Plex sees it, which says the items are still that file.
    public struct WatchItem: Sendable, Hashable {
        public var keys: [String]
        public var plexFile: String

        public init(keys: [String], plexFile: String) {
            self.keys = keys
            self.plexFile = plexFile
        }
    }

    /// The Plex items of each file (path here) found so far.
    public func watchItems() throws -> [String: WatchItem] {
        try queue.read { db in
            guard try db.tableExists("watch_items") else { return [:] }
            var items: [String: WatchItem] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT path, rating_key, plex_file FROM watch_items") {
                items[row[0]] = WatchItem(keys: (row[1] as String).split(separator: ",").map(String.init), plexFile: row[2])
            }
            return items
        }
    }

    /// Keeps the items found (`set`) and forgets the ones that went away (`forget`) in one transaction.
    public func updateWatchItems(set: [String: WatchItem], forget: [String], at time: Int64) throws {
        guard !set.isEmpty || !forget.isEmpty else { return }
        try queue.write { db in
            for path in forget { try db.execute(sql: "DELETE FROM watch_items WHERE path = ?", arguments: [path]) }
            for (path, item) in set.sorted(by: { $0.key < $1.key }) {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO watch_items (path, rating_key, plex_file, seen_at) VALUES (?, ?, ?, ?)",
                    arguments: [path, item.keys.joined(separator: ","), item.plexFile, time])
            }
        }
    }

    public func watchBaselines() throws -> [WatchSyncPlanner.BaselineKey: Bool] {
        try queue.read { db in
            guard try db.tableExists("watch_sync") else { return [:] }
            var baselines: [WatchSyncPlanner.BaselineKey: Bool] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT pair, user, watched FROM watch_sync") {
                baselines[WatchSyncPlanner.BaselineKey(pair: row[0], user: row[1])] = (row[2] as Int) != 0
            }
            return baselines
        }
    }

    /// Keeps the state each pair agrees on now; forgets the pairs whose link is gone (`links` are the targets of every
    /// link there is; a pair is a link's target, or its target and `#N` for the N-th episode of a multi-episode link).
    /// A pair whose items Plex does not show this run keeps its state.
    public func updateWatchBaselines(_ agreed: [WatchSyncPlanner.BaselineKey: Bool], links: Set<String>) throws {
        func isKept(_ pair: String) -> Bool {
            if links.contains(pair) { return true }
            guard let hash = pair.lastIndex(of: "#"), Int(pair[pair.index(after: hash)...]) != nil else { return false }
            return links.contains(String(pair[..<hash]))
        }
        try queue.write { db in
            for (key, watched) in agreed.sorted(by: { $0.key < $1.key }) {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO watch_sync (pair, user, watched) VALUES (?, ?, ?)",
                    arguments: [key.pair, key.user, watched ? 1 : 0])
            }
            let known = try String.fetchAll(db, sql: "SELECT DISTINCT pair FROM watch_sync")
            for pair in known where !isKept(pair) {
                try db.execute(sql: "DELETE FROM watch_sync WHERE pair = ?", arguments: [pair])
            }
        }
    }

    /// What was last said about each subject (a user without a token…).
    public func watchNotes() throws -> [String: String] {
        try queue.read { db in
            guard try db.tableExists("watch_notes") else { return [:] }
            var notes: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT subject, note FROM watch_notes") { notes[row[0]] = row[1] }
            return notes
        }
    }

    /// Replaces the notes with `notes`: a subject no longer noted is forgotten, so it is said again if it comes back.
    public func setWatchNotes(_ notes: [String: String], at time: Int64) throws {
        try queue.write { db in
            try db.execute(sql: "DELETE FROM watch_notes")
            for (subject, note) in notes.sorted(by: { $0.key < $1.key }) {
                try db.execute(sql: "INSERT INTO watch_notes (subject, note, noted_at) VALUES (?, ?, ?)", arguments: [subject, note, time])
            }
        }
    }
}
