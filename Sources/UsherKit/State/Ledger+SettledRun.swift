import GRDB

/// Filesystem mode's `SettledRun`: one row, or none; and the links table's generation, which every change of a
/// link row moves (triggers, so that any writer moves it: Usher, an older Usher, a person with `sqlite3`).
extension Ledger {
    static let linksGenerationSchema = """
        DROP TABLE settled_run;
        CREATE TABLE settled_run (
            id INTEGER PRIMARY KEY CHECK (id = 1), inputs TEXT NOT NULL, generation INTEGER NOT NULL, mappings INTEGER NOT NULL
        );
        CREATE TABLE links_generation (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
        INSERT INTO links_generation (id, value) VALUES (1, 0);
        CREATE TRIGGER links_generation_insert AFTER INSERT ON links
            BEGIN UPDATE links_generation SET value = value + 1 WHERE id = 1; END;
        CREATE TRIGGER links_generation_update AFTER UPDATE ON links
            BEGIN UPDATE links_generation SET value = value + 1 WHERE id = 1; END;
        CREATE TRIGGER links_generation_delete AFTER DELETE ON links
            BEGIN UPDATE links_generation SET value = value + 1 WHERE id = 1; END;
        """

    func settledRun() throws -> SettledRun.Record? {
        try queue.read { db in
            // A read-only open of an older file may lack the newer columns: then it has no record this Usher reads.
            guard try db.tableExists("links_generation"), try db.columns(in: "settled_run").contains(where: { $0.name == "services" }),
                let row = try Row.fetchOne(db, sql: "SELECT inputs, generation, mappings, services FROM settled_run WHERE id = 1")
            else { return nil }
            return SettledRun.Record(inputs: row[0], generation: row[1], mappings: row[2], services: row[3])
        }
    }

    /// Keeps `record`, or forgets the one kept.
    func setSettledRun(_ record: SettledRun.Record?) throws {
        try queue.write { db in
            try db.execute(sql: "DELETE FROM settled_run")
            if let record {
                try db.execute(
                    sql: "INSERT INTO settled_run (id, inputs, generation, mappings, services) VALUES (1, ?, ?, ?, ?)",
                    arguments: [record.inputs, record.generation, record.mappings, record.services])
            }
        }
    }

    /// How many link rows there are, and the links table's generation, now.
    func linksGeneration() throws -> (links: Int, generation: Int64) {
        try queue.read { db in
            let links = try Int.fetchOne(db, sql: "SELECT count(*) FROM links") ?? 0
            return (links, try Int64.fetchOne(db, sql: "SELECT value FROM links_generation WHERE id = 1") ?? 0)
        }
    }

    /// What a settled check reads, in one read transaction: every link with its mapping's kept resolution, how
    /// many resolutions are kept, and the links table's generation; `nil` as soon as a link is pending or is not
    /// its mapping's kept resolution. Only the columns the check uses are read.
    /// `resolutions: false` (API mode, which keeps no resolutions): every link, `nil` as soon as one is pending.
    func settledLinks(resolutions: Bool = true) throws -> SettledRun.Links? {
        try queue.read { db in
            let generation = try Int64.fetchOne(db, sql: "SELECT value FROM links_generation WHERE id = 1") ?? 0
            let kept = resolutions ? try Int.fetchOne(db, sql: "SELECT count(*) FROM resolution_memo") ?? 0 : nil
            var links: [SettledRun.Link] = []
            let rows = try Row.fetchCursor(
                db,
                sql: resolutions
                    ? """
                    SELECT l.pending = 0 AND m.mapping IS NOT NULL AND m.source = l.source AND m.target = l.target,
                        l.target, l.source, l.kind, l.device, l.inode, l.symlink_destination, l.size, l.mapping_key, l.show,
                        m.movie_folder, m.movie_folder_time, m.show_folder, m.show_folder_time, m.directory, m.directory_time,
                        m.target_device
                    FROM links l LEFT JOIN resolution_memo m ON m.mapping = l.mapping_key ORDER BY l.target
                    """
                    : """
                    SELECT l.pending = 0, l.target, l.source, l.kind, l.device, l.inode, l.symlink_destination, l.size,
                        l.mapping_key, l.show
                    FROM links l ORDER BY l.target
                    """)
            while let row = try rows.next() {
                guard (row[0] as Int?) == 1 else { return nil }
                let identity = Self.identity(kind: row[3], device: row[4], inode: row[5], destination: row[6])
                var link = SettledRun.Link(
                    target: row[1], source: row[2], identity: identity, size: row[7], mappingKey: row[8], show: row[9], folders: nil,
                    targetDevice: nil)
                if resolutions {
                    let device: Int64? = row[16]
                    link.folders = SettledRun.Folders(paths: (row[10], row[12], row[14]), times: (row[11], row[13], row[15]))
                    link.targetDevice = device.map { UInt64(bitPattern: $0) }
                } else if case .hardlink(let device, _) = identity {
                    // A hardlink is on its source's device, which is the target folder's.
                    link.targetDevice = device
                }
                links.append(link)
            }
            return SettledRun.Links(links: links, keptResolutions: kept, generation: generation)
        }
    }
}
