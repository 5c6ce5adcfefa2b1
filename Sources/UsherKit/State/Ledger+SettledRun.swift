import GRDB

/// Filesystem mode's `SettledRun`: one row, or none.
extension Ledger {
    static let settledRunSchema = """
        CREATE TABLE settled_run (
            id INTEGER PRIMARY KEY CHECK (id = 1), inputs TEXT NOT NULL, ledger TEXT NOT NULL, mappings INTEGER NOT NULL
        );
        """

    func settledRun() throws -> SettledRun.Record? {
        try queue.read { db in
            guard try db.tableExists("settled_run"),
                let row = try Row.fetchOne(db, sql: "SELECT inputs, ledger, mappings FROM settled_run WHERE id = 1")
            else { return nil }
            return SettledRun.Record(inputs: row[0], ledger: row[1], mappings: row[2])
        }
    }

    /// Keeps `record`, or forgets the one kept.
    func setSettledRun(_ record: SettledRun.Record?) throws {
        try queue.write { db in
            try db.execute(sql: "DELETE FROM settled_run")
            if let record {
                try db.execute(
                    sql: "INSERT INTO settled_run (id, inputs, ledger, mappings) VALUES (1, ?, ?, ?)",
                    arguments: [record.inputs, record.ledger, record.mappings])
            }
        }
    }
}
