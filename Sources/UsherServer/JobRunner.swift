public import Foundation
public import Logging
public import ServiceLifecycle
public import UsherCore
public import UsherKit

/// What one run of a job came to.
public struct JobResult: Sendable {
    public var outcome: JobRunRecord.Outcome
    public var message: String?
    public var counts: [String: Int]
    /// The report as the CLI's `--json` prints it.
    public var report: String?

    public init(outcome: JobRunRecord.Outcome, message: String? = nil, counts: [String: Int] = [:], report: String? = nil) {
        self.outcome = outcome
        self.message = message
        self.counts = counts
        self.report = report
    }
}

/// Runs the jobs `usher serve` starts, one at a time and in the order asked, so that no two overlap
/// (and, through the jobs' own run locks, none overlaps a CLI run: that one is `busy`).
///
/// A job asked for while the same job already waits is not queued twice: the caller gets the waiting
/// run's id. A burst of webhooks therefore makes one run after the one in progress, and nothing asked
/// is lost: whatever arrives while a run is going is seen by the run queued after it.
public actor JobRunner: Service {
    public typealias Execute = @Sendable (_ request: Request) async -> JobResult

    /// One queued run.
    public struct Request: Sendable {
        public var id: Int64
        public var job: ServeJob
        public var dryRun: Bool
        public var trigger: String
        /// Prefetch only: the playback webhooks' viewers and positions (`nil`: a run from the history alone).
        public var focus: PrefetchFocus?
        /// The logger the job logs with: the server's, also writing into the run's own log (set when the run starts).
        public var logger: Logger?
    }

    private let ledger: Ledger
    private let execute: Execute
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let metrics: ServeMetrics?
    private var pending: [Request] = []
    private var current: Request?
    private var waiters: [Int64: [CheckedContinuation<Void, Never>]] = [:]
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>
    private var stopped = false

    /// Values no run's log may show (the config's secrets and the API key).
    private let secrets: [String]

    public init(
        ledger: Ledger, logger: Logger, now: @escaping @Sendable () -> Date = Date.init, metrics: ServeMetrics? = nil, secrets: [String] = [],
        execute: @escaping Execute
    ) {
        self.ledger = ledger
        self.secrets = secrets
        self.metrics = metrics
        self.logger = logger
        self.now = now
        self.execute = execute
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues `job` (or finds the same job already waiting); the run's id and whether it was already queued.
    ///
    /// A waiting run takes the new request's focus: two focused prefetches become one focused on both (up to
    /// `PrefetchFocus.limit` events, then one whole run), and a focused one meeting a whole one becomes a whole run
    /// that still counts the events' positions. So the queue holds at most one run per job, and nothing asked is
    /// dropped.
    public func enqueue(_ job: ServeJob, dryRun: Bool = false, trigger: String, focus: PrefetchFocus? = nil) throws -> (id: Int64, coalesced: Bool) {
        if let i = pending.firstIndex(where: { $0.job == job && $0.dryRun == dryRun }) {
            pending[i].focus = Self.merge(pending[i].focus, focus)
            return (pending[i].id, true)
        }
        let id = try ledger.addJobRun(job: job, trigger: trigger, dryRun: dryRun, at: now())
        pending.append(Request(id: id, job: job, dryRun: dryRun, trigger: trigger, focus: focus))
        metrics?.queue(length: pending.count)
        logger.debug("queued a run", metadata: ["job": "\(job.rawValue)", "run": "\(id)", "trigger": "\(trigger)", "dry_run": "\(dryRun)"])
        wake.yield()
        return (id, false)
    }

    /// `nil` is a whole run; whole and focused make a whole run with the focused one's events.
    static func merge(_ a: PrefetchFocus?, _ b: PrefetchFocus?) -> PrefetchFocus? {
        switch (a, b) {
        case (nil, nil): nil
        case (let f?, nil), (nil, let f?): PrefetchFocus(events: f.events, only: false)
        case (let f?, let g?): f.merged(with: g)
        }
    }

    /// The focus of the waiting run `id`, if it waits (for tests and the status).
    public func pendingFocus(_ id: Int64) -> PrefetchFocus?? {
        pending.first(where: { $0.id == id }).map(\.focus)
    }

    /// Waits until run `id` has ended (or the runner stopped).
    public func waitFor(_ id: Int64) async {
        guard !stopped, current?.id == id || pending.contains(where: { $0.id == id }) else { return }
        await withCheckedContinuation { waiters[id, default: []].append($0) }
    }

    /// The job running now and the jobs waiting.
    public func snapshot() -> (running: (id: Int64, job: ServeJob)?, queued: [(id: Int64, job: ServeJob)]) {
        (current.map { ($0.id, $0.job) }, pending.map { ($0.id, $0.job) })
    }

    private func takeNext() -> Request? {
        guard !pending.isEmpty else { return nil }
        let next = pending.removeFirst()
        metrics?.queue(length: pending.count)
        current = next
        return next
    }

    private func done(_ id: Int64) {
        current = nil
        for waiter in waiters.removeValue(forKey: id) ?? [] { waiter.resume() }
    }

    /// Runs queued jobs until a graceful shutdown: the job running then is let finish (the service group
    /// bounds how long), the ones still queued are recorded as interrupted.
    public func run() async {
        if let count = try? ledger.interruptUnfinishedJobRuns(at: now()), count > 0 {
            logger.warning("\(count) run(s) had not ended when the server last stopped; recorded as interrupted")
        }
        wake.yield()
        for await _ in wakes.cancelOnGracefulShutdown() {
            while let request = takeNext() {
                await runOne(request)
                if Task.isShuttingDownGracefully || Task.isCancelled { break }
            }
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
        }
        stopped = true
        _ = try? ledger.interruptUnfinishedJobRuns(at: now())
        pending.removeAll()
        for (_, list) in waiters { for waiter in list { waiter.resume() } }
        waiters.removeAll()
    }

    private func runOne(_ request: Request) async {
        let started = now()
        try? ledger.startJobRun(id: request.id, at: started)
        var metadata: Logger.Metadata = ["job": "\(request.job.rawValue)", "run": "\(request.id)", "trigger": "\(request.trigger)"]
        if request.dryRun { metadata["dry_run"] = "true" }
        logger.info("starting \(request.job.rawValue)\(request.dryRun ? " (dry run)" : "")", metadata: metadata)
        if let focus = request.focus, focus.only { metadata["only"] = "\(focus.descriptions.joined(separator: "; "))" }
        let log = JobRunLog(secrets: secrets)
        var request = request
        request.logger = log.tee(logger)
        let result = await execute(request)
        let ended = now()
        do {
            try ledger.finishJobRun(
                id: request.id, at: ended, outcome: result.outcome, message: result.message, counts: result.counts, report: result.report,
                log: log.text)
        } catch {
            logger.error("cannot record the end of run \(request.id): \(error)")
        }
        metrics?.runEnded(request.job, dryRun: request.dryRun, outcome: result.outcome, seconds: ended.timeIntervalSince(started), counts: result.counts)
        if request.job == .link, !request.dryRun, let metrics, let entries = try? ledger.entries() {
            metrics.links(LinkStatistics(entries: entries))
        }
        metadata["outcome"] = "\(result.outcome.rawValue)"
        metadata["seconds"] = "\(String(format: "%.3f", ended.timeIntervalSince(started)))"
        if let message = result.message { metadata["message"] = "\(message)" }
        switch result.outcome {
        case .ok: logger.info("\(request.job.rawValue) done", metadata: metadata)
        case .busy: logger.notice("\(request.job.rawValue) not run: another run holds the lock", metadata: metadata)
        default: logger.warning("\(request.job.rawValue) ended: \(result.outcome.rawValue)", metadata: metadata)
        }
        done(request.id)
    }
}
