import Foundation
import Hummingbird
public import Logging
import NIOCore
import ServiceLifecycle
import UsherCore
public import UsherKit

/// `usher serve`: the HTTP server, the job queue and the scheduler in one service group, until SIGTERM
/// or SIGINT. On either, the server stops taking requests, the scheduler stops, and a job that is
/// running is let finish for up to `shutdownGrace`, then cancelled (it stops at its next request or
/// change, and the next run repairs what it left).
public enum UsherServe {
    public struct Options: Sendable {
        public var apiKey: String
        public var shutdownGrace: Duration = .seconds(120)
        public var maxJitter: Double = 15
        /// Called with the port once the server listens (the configured one, or the one the system picked for 0).
        public var onListening: @Sendable (Int) -> Void = { _ in }

        public init(apiKey: String) { self.apiKey = apiKey }
    }

    public static func run(config: UsherConfig, options: Options, logger: Logger) async throws {
        let ledger = try Ledger(path: config.statePath)
        let metrics = ServeMetrics.bootstrap()
        metrics.links(LinkStatistics(entries: try ledger.entries()))
        let runner = JobRunner(
            ledger: ledger, logger: logger, metrics: metrics, secrets: config.secrets + [options.apiKey],
            execute: { request in
                await ServeJobs.execute(request.job, dryRun: request.dryRun, focus: request.focus, config: config, logger: request.logger ?? logger)
            })
        let board = ScheduleBoard()
        var schedules: [ServeJob: JobSchedule] = [:]
        for job in ServeJob.allCases { schedules[job] = config.schedule(for: job) }
        let lastStarts = try ledger.lastJobRuns().compactMapValues(\.startedAt)
        let scheduler = Scheduler(
            schedules: schedules, runner: runner, board: board, maxJitter: options.maxJitter, lastStarts: lastStarts, logger: logger)
        let state = ServeState(
            config: config, ledger: ledger, runner: runner, board: board, counters: ServeCounters(metrics: metrics), startedAt: Date(), apiKey: options.apiKey)
        let server = config.server
        let onListening = options.onListening
        let app = Application(
            router: ServeRoutes.router(state),
            configuration: .init(address: .hostname(server.host, port: server.port), serverName: "usher/\(UsherVersion.current)"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? server.port
                let host = server.host.contains(":") ? "[\(server.host)]" : server.host
                logger.info("listening on http://\(host):\(port)\(server.urlBase)/", metadata: ["version": "\(UsherVersion.current)"])
                onListening(port)
            },
            logger: logger)
        logger.info(
            "usher \(UsherVersion.current) serving",
            metadata: Dictionary(uniqueKeysWithValues: ServeJob.allCases.map { ("schedule.\($0.rawValue)", "\(schedules[$0] ?? .off)") }))
        var configuration = ServiceGroupConfiguration(
            services: [
                .init(service: runner), .init(service: scheduler), .init(service: app),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = options.shutdownGrace
        configuration.maximumCancellationDuration = .seconds(10)
        try await ServiceGroup(configuration: configuration).run()
        logger.info("stopped")
    }
}
