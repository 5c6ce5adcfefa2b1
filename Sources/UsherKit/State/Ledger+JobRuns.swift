public import Foundation
import GRDB

/// One run of a job started by `usher serve` (by its schedule, a webhook or the API): what it was, how
/// it ended, and its report (the JSON the CLI's `--json` prints).
public struct JobRunRecord: Sendable, Equatable, Codable {
    public enum Outcome: String, Sendable, Codable {
        /// Waiting for the job before it, or running now.
        case queued, running
        /// Done; `errors` when a mapping, a service or a change failed (the CLI's exit 1).
        case ok, errors
        /// Not done: the config or the state could not be used (`message` says why).
        case failed
        /// Not done: another run (a CLI run) held the lock.
        case busy
        /// The server stopped before the run ended (it was stopped at a safe point, or killed).
        case interrupted
    }

    public var id: Int64
    public var job: ServeJob
    /// `schedule`, `api`, `webhook:radarr`…
    public var trigger: String
    public var dryRun: Bool
    public var queuedAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var outcome: Outcome
    public var message: String?
    /// Counts from the report (created, replaced, searched…), for the status.
    public var counts: [String: Int]

    public init(
        id: Int64, job: ServeJob, trigger: String, dryRun: Bool, queuedAt: Date, startedAt: Date? = nil, finishedAt: Date? = nil,
        outcome: Outcome, message: String? = nil, counts: [String: Int] = [:]
    ) {
        self.id = id
        self.job = job
        self.trigger = trigger
        self.dryRun = dryRun
        self.queuedAt = queuedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.message = message
        self.counts = counts
    }
}

extension Ledger {
    static let jobRunSchema = """
        CREATE TABLE job_runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            job TEXT NOT NULL,
            trigger TEXT NOT NULL,
            dry_run INTEGER NOT NULL,
            queued_at REAL NOT NULL,
            started_at REAL,
            finished_at REAL,
            outcome TEXT NOT NULL,
            message TEXT,
            counts TEXT NOT NULL DEFAULT '{}',
            report TEXT
        );
        """

    /// How many finished runs are kept (with their reports).
    static let jobRunsKept = 500

    /// A new run, queued; its id.
    public func addJobRun(job: ServeJob, trigger: String, dryRun: Bool, at time: Date) throws -> Int64 {
        try queue.write { db in
            try db.execute(
                sql: "INSERT INTO job_runs (job, trigger, dry_run, queued_at, outcome) VALUES (?, ?, ?, ?, 'queued')",
                arguments: [job.rawValue, trigger, dryRun ? 1 : 0, time.timeIntervalSince1970])
            return db.lastInsertedRowID
        }
    }

    public func startJobRun(id: Int64, at time: Date) throws {
        try queue.write { db in
            try db.execute(sql: "UPDATE job_runs SET outcome = 'running', started_at = ? WHERE id = ?", arguments: [time.timeIntervalSince1970, id])
        }
    }

    public func finishJobRun(
        id: Int64, at time: Date, outcome: JobRunRecord.Outcome, message: String?, counts: [String: Int], report: String?, log: String? = nil
    ) throws {
        let countsText = String(decoding: (try? JSONEncoder.sorted.encode(counts)) ?? Data("{}".utf8), as: UTF8.self)
        try queue.write { db in
            try db.execute(
                sql: "UPDATE job_runs SET outcome = ?, finished_at = ?, message = ?, counts = ?, report = ?, log = ? WHERE id = ?",
                arguments: [outcome.rawValue, time.timeIntervalSince1970, message, countsText, report, log, id])
            try db.execute(
                sql: "DELETE FROM job_runs WHERE id <= (SELECT id FROM job_runs ORDER BY id DESC LIMIT 1 OFFSET ?) AND outcome NOT IN ('queued', 'running')",
                arguments: [Self.jobRunsKept])
        }
    }

    /// The log lines a run wrote (the server's own level and above, secrets redacted), or `nil`.
    public func jobRunLog(id: Int64) throws -> String? {
        try queue.read { db in
            guard try db.columns(in: "job_runs").contains(where: { $0.name == "log" }) else { return nil }
            return try String.fetchOne(db, sql: "SELECT log FROM job_runs WHERE id = ?", arguments: [id])
        }
    }

    /// Runs a server left queued or running when it stopped: they will not end now.
    public func interruptUnfinishedJobRuns(at time: Date) throws -> Int {
        try queue.write { db in
            try db.execute(
                sql:
                    "UPDATE job_runs SET outcome = 'interrupted', finished_at = ?, message = 'the server stopped before this run ended' WHERE outcome IN ('queued', 'running')",
                arguments: [time.timeIntervalSince1970])
            return db.changesCount
        }
    }

    /// The newest runs first; of one job when given.
    public func jobRuns(job: ServeJob? = nil, limit: Int = 50, before: Int64? = nil) throws -> [JobRunRecord] {
        try queue.read { db in
            guard try db.tableExists("job_runs") else { return [] }
            var sql = "SELECT id, job, trigger, dry_run, queued_at, started_at, finished_at, outcome, message, counts FROM job_runs WHERE 1"
            var arguments: StatementArguments = []
            if let job {
                sql += " AND job = ?"
                arguments += [job.rawValue]
            }
            if let before {
                sql += " AND id < ?"
                arguments += [before]
            }
            sql += " ORDER BY id DESC LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap(Self.jobRun(from:))
        }
    }

    public func jobRun(id: Int64) throws -> (record: JobRunRecord, report: String?)? {
        try queue.read { db in
            guard try db.tableExists("job_runs") else { return nil }
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM job_runs WHERE id = ?", arguments: [id]),
                let record = Self.jobRun(from: row)
            else { return nil }
            return (record, row["report"])
        }
    }

    /// The last run of `job` that ended with a report and was not a dry run, with that report.
    public func lastFinishedJobRun(_ job: ServeJob) throws -> (record: JobRunRecord, report: String?)? {
        try queue.read { db in
            guard try db.tableExists("job_runs"),
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM job_runs WHERE job = ? AND dry_run = 0 AND report IS NOT NULL ORDER BY id DESC LIMIT 1",
                    arguments: [job.rawValue]),
                let record = Self.jobRun(from: row)
            else { return nil }
            return (record, row["report"])
        }
    }

    /// The last run of each job that started (any trigger).
    public func lastJobRuns() throws -> [ServeJob: JobRunRecord] {
        var result: [ServeJob: JobRunRecord] = [:]
        for job in ServeJob.allCases {
            if let run = try jobRuns(job: job, limit: 20).first(where: { $0.startedAt != nil }) { result[job] = run }
        }
        return result
    }

    private static func jobRun(from row: Row) -> JobRunRecord? {
        guard let job = ServeJob(rawValue: row["job"]), let outcome = JobRunRecord.Outcome(rawValue: row["outcome"]) else { return nil }
        let countsText: String = row["counts"] ?? "{}"
        let counts = (try? JSONDecoder().decode([String: Int].self, from: Data(countsText.utf8))) ?? [:]
        func date(_ column: String) -> Date? { (row[column] as Double?).map { Date(timeIntervalSince1970: $0) } }
        return JobRunRecord(
            id: row["id"], job: job, trigger: row["trigger"], dryRun: (row["dry_run"] as Int) != 0,
            queuedAt: date("queued_at") ?? Date(timeIntervalSince1970: 0), startedAt: date("started_at"), finishedAt: date("finished_at"),
            outcome: outcome, message: row["message"], counts: counts)
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
