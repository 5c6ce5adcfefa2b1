public import Foundation
public import Logging
public import ServiceLifecycle
public import UsherCore
public import UsherKit

/// The wall clock the scheduler reads and sleeps on; tests give a clock they move by hand.
public protocol ServeClock: Sendable {
    func now() -> Date
    /// Returns at `date` or later; throws when the task is cancelled.
    func sleep(until date: Date) async throws
}

/// The system's clock. It sleeps at most 30 s at a time and looks at the wall clock again, so a
/// machine that was suspended, or whose clock was set, finds the right time within 30 s.
public struct SystemServeClock: ServeClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(until date: Date) async throws {
        while true {
            let remaining = date.timeIntervalSinceNow
            if remaining <= 0 { return }
            try await Task.sleep(for: .milliseconds(Int64(min(remaining, 30) * 1000) + 1))
        }
    }
}

/// The next start of each scheduled job, for the status.
public actor ScheduleBoard {
    private var next: [ServeJob: Date] = [:]
    public init() {}
    func set(_ job: ServeJob, _ date: Date?) { next[job] = date }
    public func nextRun(_ job: ServeJob) -> Date? { next[job] }
}

/// Starts each job at the times its schedule names (`schedule:`), by queueing it on the `JobRunner`.
///
/// An interval counts from the job's last start: at start-up the last run in `usher.db` (whatever started it),
/// then the scheduler's own starts (a run a webhook or the API starts meanwhile does not move the schedule). A
/// job that never ran, or whose time passed while the server was down or the machine slept, starts once at
/// start-up (or on waking), not once per missed time. A cron schedule starts at its times; a time missed while the server was
/// down is made up once at start-up. Each start waits a random `jitter` of up to `maxJitter` seconds.
public struct Scheduler: Service {
    let schedules: [ServeJob: JobSchedule]
    let runner: JobRunner
    let board: ScheduleBoard
    let clock: any ServeClock
    let timeZone: TimeZone
    let maxJitter: Double
    let lastStarts: [ServeJob: Date]
    let logger: Logger

    public init(
        schedules: [ServeJob: JobSchedule], runner: JobRunner, board: ScheduleBoard, clock: any ServeClock = SystemServeClock(),
        timeZone: TimeZone = .current, maxJitter: Double = 15, lastStarts: [ServeJob: Date], logger: Logger
    ) {
        self.schedules = schedules
        self.runner = runner
        self.board = board
        self.clock = clock
        self.timeZone = timeZone
        self.maxJitter = maxJitter
        self.lastStarts = lastStarts
        self.logger = logger
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            for (job, schedule) in schedules.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where schedule != .off {
                group.addTask { await loop(job, schedule) }
            }
            await group.waitForAll()
        }
        // Nothing (more) to start on a schedule: a service that ends early would stop the server.
        if !Task.isCancelled { try? await gracefulShutdown() }
    }

    private func loop(_ job: ServeJob, _ schedule: JobSchedule) async {
        var lastStart = lastStarts[job]
        var missedSince = lastStart
        while !Task.isCancelled {
            let now = clock.now()
            guard let next = schedule.next(lastStart: lastStart, missedSince: missedSince, now: now, timeZone: timeZone) else {
                logger.warning("\(job.rawValue): its schedule '\(schedule)' names no time in the next five years; it will not start on its own")
                await board.set(job, nil)
                return
            }
            let jitter = maxJitter > 0 ? Double.random(in: 0..<maxJitter) : 0
            let start = next.addingTimeInterval(jitter)
            await board.set(job, start)
            do {
                try await cancelOnGracefulShutdown { try await clock.sleep(until: start) }
            } catch {
                return
            }
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            let startedAt = clock.now()
            do {
                _ = try await runner.enqueue(job, trigger: "schedule")
            } catch {
                logger.error("\(job.rawValue): cannot queue the scheduled run: \(error)")
            }
            lastStart = startedAt
            missedSince = startedAt
        }
    }
}
