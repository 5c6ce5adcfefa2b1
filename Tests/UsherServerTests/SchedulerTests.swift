import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Testing
import UsherCore
import UsherKit

@testable import UsherServer

/// A clock moved by hand: `sleep(until:)` returns once `advance` has passed the date.
final class ManualClock: ServeClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    private var sleepers: [(Date, CheckedContinuation<Void, any Error>)] = []

    init(_ start: Date) { current = start }

    func now() -> Date { lock.withLock { current } }

    func sleep(until date: Date) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let due = lock.withLock { () -> Bool in
                if date <= current { return true }
                sleepers.append((date, continuation))
                return false
            }
            if due { continuation.resume() }
        }
    }

    var sleeping: Int { lock.withLock { sleepers.count } }

    func advance(by seconds: TimeInterval) {
        let due = lock.withLock { () -> [CheckedContinuation<Void, any Error>] in
            current = current.addingTimeInterval(seconds)
            let due = sleepers.filter { $0.0 <= current }.map(\.1)
            sleepers.removeAll { $0.0 <= current }
            return due
        }
        for continuation in due { continuation.resume() }
    }

    func cancelAll() {
        let all = lock.withLock { () -> [CheckedContinuation<Void, any Error>] in
            defer { sleepers.removeAll() }
            return sleepers.map(\.1)
        }
        for continuation in all { continuation.resume(throwing: CancellationError()) }
    }
}

/// Records what ran and how many ran at once.
actor RunLog {
    var runs: [(ServeJob, Bool)] = []
    var running = 0
    var most = 0
    func begin(_ job: ServeJob, _ dryRun: Bool) {
        runs.append((job, dryRun))
        running += 1
        most = max(most, running)
    }
    func end() { running -= 1 }
    var jobs: [ServeJob] { runs.map(\.0) }
}

func waitUntil(_ what: String, _ condition: @Sendable () async -> Bool) async throws {
    for _ in 0..<500 {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("timed out waiting until \(what)")
}

struct JobRunnerTests {
    @Test func jobsRunOneAtATimeInOrderAndTheRecordSaysHowEachEnded() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        let log = RunLog()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let runner = JobRunner(ledger: f.state.ledger, logger: logger) { request in
            await log.begin(request.job, request.dryRun)
            try? await Task.sleep(for: .milliseconds(20))
            await log.end()
            switch request.job {
            case .link: return JobResult(outcome: .ok, counts: ["created": 2], report: #"{"created":2}"#)
            case .prefetch: return JobResult(outcome: .busy, message: "another usher run holds the lock")
            case .match: return JobResult(outcome: .errors, counts: ["errors": 1])
            case .watchSync: return JobResult(outcome: .ok)
            }
        }
        let link = try await runner.enqueue(.link, trigger: "api")
        let prefetch = try await runner.enqueue(.prefetch, trigger: "schedule")
        let match = try await runner.enqueue(.match, dryRun: true, trigger: "api")
        let again = try await runner.enqueue(.link, trigger: "webhook:radarr")
        #expect(again.id == link.id && again.coalesced)
        let task = Task { await runner.run() }
        await runner.waitFor(match.id)
        #expect(await log.jobs == [.link, .prefetch, .match])
        #expect(await log.most == 1, "never two at once")
        let records = try f.state.ledger.jobRuns()
        #expect(records.map(\.outcome) == [.errors, .busy, .ok])
        #expect(try f.state.ledger.jobRun(id: link.id)?.report == #"{"created":2}"#)
        #expect(records.last?.counts == ["created": 2])
        #expect(records.first?.dryRun == true)
        #expect(try f.state.ledger.jobRun(id: prefetch.id)?.record.message?.contains("lock") == true)
        // A job asked while one runs waits for it and then runs.
        let later = try await runner.enqueue(.link, trigger: "api")
        #expect(!later.coalesced)
        await runner.waitFor(later.id)
        #expect(await log.jobs == [.link, .prefetch, .match, .link])
        task.cancel()
        await task.value
    }

    /// A run's log lines are kept with it: the server's level and above, with their metadata, secrets redacted.
    @Test func eachRunKeepsItsLogLines() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        var logger = Logger(label: "test")
        logger.logLevel = .info
        let secret = "s3cret-token-value"
        let runner = JobRunner(ledger: f.state.ledger, logger: logger, secrets: [secret]) { request in
            request.logger?.info("asked Sonarr with \(secret)", metadata: ["series": "42"])
            request.logger?.debug("not at the server's level")
            request.logger?.warning("a service did not answer")
            return JobResult(outcome: .ok)
        }
        let run = try await runner.enqueue(.link, trigger: "api")
        let quiet = try await runner.enqueue(.prefetch, trigger: "api")
        let task = Task { await runner.run() }
        await runner.waitFor(quiet.id)
        #expect(try f.state.ledger.jobRunLog(id: run.id) == "info: asked Sonarr with [redacted] series=42\nwarning: a service did not answer")
        // The JSON API gives the same lines.
        try await f.test { client in
            try await client.execute(uri: "/api/v1/runs/\(run.id)", method: .get, headers: [.init("X-Api-Key")!: ServeFixture.key]) { response in
                #expect(body(response)["log"] as? [String] == ["info: asked Sonarr with [redacted] series=42", "warning: a service did not answer"])
            }
        }
        task.cancel()
        await task.value
        let log = JobRunLog(limit: 2, secrets: [])
        for n in 1...5 { log.tee(logger).info("line \(n)") }
        #expect(log.text == "info: line 1\ninfo: line 2\n… and 3 more lines")
        #expect(JobRunLog(secrets: []).text == nil)
    }

    /// Playback webhooks queue prefetches focused on their viewer; while one waits, the next joins its focus, a whole
    /// run absorbs them (keeping their positions), and past the limit the run becomes whole.
    @Test func focusedPrefetchesJoinWhileTheyWait() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let seen = FocusLog()
        let runner = JobRunner(ledger: f.state.ledger, logger: logger) { request in
            await seen.add(request.focus)
            return JobResult(outcome: .ok)
        }
        func event(_ user: String, _ episode: Int) -> PlaybackEvent {
            PlaybackEvent(kind: .started, user: user, show: "Frieren", season: 1, episode: episode)
        }
        let first = try await runner.enqueue(.prefetch, trigger: "webhook:plex", focus: PrefetchFocus(events: [event("ann", 3)]))
        let second = try await runner.enqueue(.prefetch, trigger: "webhook:plex", focus: PrefetchFocus(events: [event("bob", 5)]))
        let repeated = try await runner.enqueue(.prefetch, trigger: "webhook:plex", focus: PrefetchFocus(events: [event("ann", 3)]))
        #expect(second.id == first.id && repeated.id == first.id)
        let joined = try #require(await runner.pendingFocus(first.id) ?? nil)
        #expect(joined.only && joined.events.map(\.user) == ["ann", "bob"])
        // A dry run is its own run.
        let dry = try await runner.enqueue(.prefetch, dryRun: true, trigger: "api")
        #expect(dry.id != first.id)
        // A whole run asked meanwhile makes the waiting one whole, with the viewers' positions kept.
        _ = try await runner.enqueue(.prefetch, trigger: "schedule")
        let whole = try #require(await runner.pendingFocus(first.id) ?? nil)
        #expect(!whole.only && whole.events.count == 2)

        let task = Task { await runner.run() }
        await runner.waitFor(first.id)
        await runner.waitFor(dry.id)
        let focuses = await seen.focuses
        #expect(focuses.count == 2)
        #expect(focuses[0].map { !$0.only && $0.events.count == 2 } == true)
        #expect(focuses[1] == nil, "the dry run asked by the API plans from the history")

        // Past the limit of events, joined focuses make one whole run that keeps the newest positions.
        var merged: PrefetchFocus? = PrefetchFocus(events: [event("viewer0", 1)])
        for i in 1...PrefetchFocus.limit {
            merged = JobRunner.merge(merged, PrefetchFocus(events: [event("viewer\(i)", 1)]))
            #expect(merged?.only == (i < PrefetchFocus.limit), "\(i)")
        }
        #expect(merged?.events.count == PrefetchFocus.limit)
        #expect(merged?.events.last?.user == "viewer\(PrefetchFocus.limit)" && merged?.events.first?.user == "viewer1")
        task.cancel()
        await task.value
    }

    @Test func runsLeftByAStoppedServerAreRecordedAsInterrupted() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        let id = try f.state.ledger.addJobRun(job: .link, trigger: "schedule", dryRun: false, at: Date())
        try f.state.ledger.startJobRun(id: id, at: Date())
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let runner = JobRunner(ledger: f.state.ledger, logger: logger) { _ in JobResult(outcome: .ok) }
        let task = Task { await runner.run() }
        try await waitUntil("the old run is marked") { (try? f.state.ledger.jobRun(id: id)?.record.outcome) == .interrupted }
        task.cancel()
        await task.value
    }
}

actor FocusLog {
    var focuses: [PrefetchFocus?] = []
    func add(_ focus: PrefetchFocus?) { focuses.append(focus) }
}

struct SchedulerTests {
    let utc = TimeZone(identifier: "UTC")!

    func start(
        _ schedules: [ServeJob: JobSchedule], lastStarts: [ServeJob: Date] = [:], clock: ManualClock, f: ServeFixture, log: RunLog
    ) -> (JobRunner, Task<Void, Never>, Task<Void, any Error>) {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let runner = JobRunner(
            ledger: f.state.ledger, logger: logger, now: { clock.now() },
            execute: { request in
                await log.begin(request.job, request.dryRun)
                await log.end()
                return JobResult(outcome: .ok)
            })
        let scheduler = Scheduler(
            schedules: schedules, runner: runner, board: f.state.board, clock: clock, timeZone: utc, maxJitter: 0, lastStarts: lastStarts,
            logger: logger)
        return (runner, Task { await runner.run() }, Task { try await scheduler.run() })
    }

    @Test func anIntervalJobStartsAtOnceThenEveryIntervalAndAnOffJobNever() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let log = RunLog()
        let (_, runnerTask, schedulerTask) = start([.link: .every(seconds: 1800), .match: .off], clock: clock, f: f, log: log)
        try await waitUntil("the first link run") { await log.jobs == [.link] }
        try await waitUntil("the scheduler sleeps") { clock.sleeping == 1 }
        #expect(await f.state.board.nextRun(.link) == clock.now().addingTimeInterval(1800))
        #expect(await f.state.board.nextRun(.match) == nil)
        clock.advance(by: 1799)
        try await Task.sleep(for: .milliseconds(50))
        #expect(await log.jobs == [.link])
        clock.advance(by: 1)
        try await waitUntil("the second link run") { await log.jobs == [.link, .link] }
        // The machine sleeps for 5 hours: one run on waking, not ten.
        try await waitUntil("the scheduler sleeps") { clock.sleeping == 1 }
        clock.advance(by: 5 * 3600)
        try await waitUntil("the run on waking") { await log.jobs.count == 3 }
        try await waitUntil("the scheduler sleeps") { clock.sleeping == 1 }
        try await Task.sleep(for: .milliseconds(50))
        #expect(await log.jobs.count == 3)
        #expect(await f.state.board.nextRun(.link) == clock.now().addingTimeInterval(1800))
        #expect(try f.state.ledger.jobRuns().allSatisfy { $0.trigger == "schedule" })
        schedulerTask.cancel()
        clock.cancelAll()
        _ = try? await schedulerTask.value
        runnerTask.cancel()
        await runnerTask.value
    }

    @Test func anIntervalCountsFromTheLastRunBeforeARestart() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let log = RunLog()
        let (_, runnerTask, schedulerTask) = start(
            [.link: .every(seconds: 1800)], lastStarts: [.link: clock.now().addingTimeInterval(-600)], clock: clock, f: f, log: log)
        try await waitUntil("the scheduler sleeps") { clock.sleeping == 1 }
        #expect(await log.jobs.isEmpty)
        #expect(await f.state.board.nextRun(.link) == clock.now().addingTimeInterval(1200))
        clock.advance(by: 1200)
        try await waitUntil("the link run") { await log.jobs == [.link] }
        schedulerTask.cancel()
        clock.cancelAll()
        _ = try? await schedulerTask.value
        runnerTask.cancel()
        await runnerTask.value
    }

    @Test func aCronJobStartsAtItsTimes() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        // 2027-01-15 07:50 UTC.
        let clock = ManualClock(Date(timeIntervalSince1970: 1_799_999_400))
        let log = RunLog()
        let cron = try CronExpression.parse("0 * * * *").get()
        let (_, runnerTask, schedulerTask) = start([.prefetch: .cron(cron)], clock: clock, f: f, log: log)
        try await waitUntil("the scheduler sleeps") { clock.sleeping == 1 }
        let first = try #require(await f.state.board.nextRun(.prefetch))
        #expect(Calendar(identifier: .gregorian).dateComponents(in: utc, from: first).minute == 0)
        #expect(await log.jobs.isEmpty, "a cron job does not start at start-up")
        clock.advance(by: first.timeIntervalSince(clock.now()))
        try await waitUntil("the prefetch run") { await log.jobs == [.prefetch] }
        try await waitUntil("the scheduler sleeps") { clock.sleeping == 1 }
        #expect(await f.state.board.nextRun(.prefetch) == first.addingTimeInterval(3600))
        schedulerTask.cancel()
        clock.cancelAll()
        _ = try? await schedulerTask.value
        runnerTask.cancel()
        await runnerTask.value
    }
}
