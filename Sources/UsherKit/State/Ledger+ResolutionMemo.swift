import Foundation
import GRDB

/// Filesystem mode's `ResolutionMemo`, one row per movie mapping.
extension Ledger {
    static let resolutionMemoSchema = """
        CREATE TABLE resolution_memo (
            mapping TEXT PRIMARY KEY NOT NULL, fingerprint TEXT NOT NULL,
            movie_folder TEXT NOT NULL, movie_folder_time INTEGER NOT NULL,
            show_folder TEXT NOT NULL, show_folder_time INTEGER NOT NULL,
            directory TEXT NOT NULL, directory_time INTEGER NOT NULL,
            source TEXT NOT NULL, target TEXT NOT NULL, target_device INTEGER
        );
        """

    func resolutionMemo() throws -> ResolutionMemo {
        try queue.read { db in
            guard try db.tableExists("resolution_memo") else { return ResolutionMemo() }
            var memo = ResolutionMemo()
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT mapping, fingerprint, movie_folder, movie_folder_time, show_folder, show_folder_time, directory, directory_time,
                        source, target, target_device FROM resolution_memo
                    """)
            while let row = try rows.next() {
                let device: Int64? = row[10]
                memo.entries[row[0]] = ResolutionMemo.Entry(
                    fingerprint: row[1], movieFolder: row[2], showFolder: row[4], directory: row[6], times: [row[3], row[5], row[7]],
                    source: row[8], target: row[9], targetDevice: device.map { UInt64(bitPattern: $0) })
            }
            return memo
        }
    }

    /// Writes the entries that changed and drops the ones of mappings that were not resolved this run.
    func updateResolutionMemo(from old: ResolutionMemo, to new: ResolutionMemo) throws {
        let gone = old.entries.keys.filter { new.entries[$0] == nil }
        let changed = new.entries.filter { old.entries[$0.key] != $0.value }
        guard !gone.isEmpty || !changed.isEmpty else { return }
        try queue.write { db in
            for key in gone { try db.execute(sql: "DELETE FROM resolution_memo WHERE mapping = ?", arguments: [key]) }
            let insert = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO resolution_memo (mapping, fingerprint, movie_folder, movie_folder_time, show_folder, show_folder_time,
                        directory, directory_time, source, target, target_device) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for (key, e) in changed {
                try insert.execute(arguments: [
                    key, e.fingerprint, e.movieFolder, e.times[0], e.showFolder, e.times[1], e.directory, e.times[2], e.source, e.target,
                    e.targetDevice.map { Int64(bitPattern: $0) },
                ])
            }
        }
    }

    /// Forgets every entry (a full scan that keeps none).
    func clearResolutionMemo() throws {
        try queue.write { db in try db.execute(sql: "DELETE FROM resolution_memo") }
    }
}
