public import Foundation
public import Logging
public import UsherCore

public struct LinkOptions: Sendable {
    public var dryRun: Bool
    public var adopt: Bool
    /// Let a run remove most of the links (see `LinkJob.massRemoval`).
    public var confirmRemovals: Bool
    /// Fault injection for the crash-recovery tests: the process dies by SIGKILL after this many changes.
    /// The `usher` binary sets it from `USHER_TEST_KILL_AFTER`; the library reads no environment.
    public var killAfterChanges: Int?
    public init(dryRun: Bool = false, adopt: Bool = false, confirmRemovals: Bool = false, killAfterChanges: Int? = nil) {
        self.dryRun = dryRun
        self.adopt = adopt
        self.confirmRemovals = confirmRemovals
        self.killAfterChanges = killAfterChanges
    }
}

/// What a run did (or, in a dry run, would do).
public struct LinkOutcome: Sendable {
    public var plan: LinkPlan
    public var dryRun: Bool
    /// Changes that failed while being applied, by target.
    public var failures: [ApplyFailure]
    public var startedAt: Date
    public var duration: Duration
    public var lockNotice: String?
    /// API mode: what was (or, in a dry run, would be) told to Sonarr, Radarr and Plex.
    public var servicePlan: ServicePlan?
    public var services: ServiceReport?
    /// API mode: target episodes Sonarr holds as files of their own (see `usher dedupe`).
    public var duplicates: [EpisodeDuplicate] = []
    /// Requests sent to Sonarr, Radarr and Plex.
    public var requests = 0
    /// API mode: the services (or series) that did not answer, so what they hold is unknown this run.
    public var unanswered: [String] = []

    public var failedTargets: Set<String> { Set(failures.map(\.target)) }
    public var created: Int { (plan.creates.map(\.link.target) + plan.adopts.map(\.target)).filter { !failedTargets.contains($0) }.count }
    public var replaced: Int { plan.replaces.filter { !failedTargets.contains($0.new.target) }.count }
    public var removed: Int { plan.removes.filter { !failedTargets.contains($0.entry.target) }.count }
    public var unchanged: Int { plan.unchanged.count }
    public var hasErrors: Bool {
        !plan.errors.isEmpty || !failures.isEmpty || !plan.conflicts.isEmpty || !(services?.errors.isEmpty ?? true)
    }
}

public struct ApplyFailure: Sendable, Hashable {
    public var target: String
    public var mappingLabel: String
    public var message: String
}

/// The linker: scan the library, resolve the mappings, plan against the ledger and the disk, and
/// apply the plan (unless it is a dry run).
public struct LinkJob: Sendable {
    public var config: UsherConfig
    public var logger: Logger
    /// The process's HTTP client, gate and retry policy; without one, the run makes its own and closes it.
    public var hub: ServiceHub?

    public init(config: UsherConfig, logger: Logger, hub: ServiceHub? = nil) {
        self.config = config
        self.logger = logger
        self.hub = hub
    }

    public func run(_ options: LinkOptions, progress: (@Sendable (Int, Int) -> Void)? = nil) async throws(JobError) -> LinkOutcome {
        try await ServiceHub.using(hub, config: config, logger: logger) { hub throws(JobError) in
            try await run(options, progress: progress, hub: hub)
        }
    }

    private func run(_ options: LinkOptions, progress: (@Sendable (Int, Int) -> Void)?, hub: ServiceHub) async throws(JobError) -> LinkOutcome {
        if let message = config.requirementError(for: .link) { throw JobError(kind: .config, message: message) }
        let clock = ContinuousClock()
        let start = clock.now
        let startedAt = Date()
        // The mapping file is read while the services are asked or the library is scanned.
        let mappingsFile = config.mappingsFile
        let readingMappings = Background { () throws(ConfigError) -> ([LinkMapping], Duration) in
            let started = ContinuousClock.now
            let read = try MappingFile.load(path: mappingsFile)
            return (read, ContinuousClock.now - started)
        }

        var lock: RunLock?
        var lockNotice: String?
        if !options.dryRun {
            do {
                lock = try RunLock.beside(statePath: config.statePath, suffix: ".lock")
                if let pid = lock?.takenOverFrom {
                    lockNotice = "took over the lock of an earlier run (pid \(pid)) that did not finish"
                    logger.warning("\(lockNotice!)")
                }
            } catch let busy as RunLock.Busy {
                throw JobError(kind: .busy, message: busy.description)
            } catch {
                throw JobError(kind: .library, message: "\(error)")
            }
        }
        defer { lock?.release() }

        let ledger: Ledger?
        let entries: [LedgerEntry]
        do {
            ledger = options.dryRun ? try Ledger.openIfPresent(path: config.statePath) : try Ledger(path: config.statePath)
            entries = try ledger?.entries() ?? []
        } catch {
            throw JobError(kind: .library, message: "cannot open the state database \(config.statePath): \(error)")
        }
        try checkRoots(entries)

        let services = hub.arr(config)
        let apiMode = services.usesSonarr || services.usesRadarr
        let resolveStart = clock.now
        var snapshot: ArrSnapshot?
        let mappings: [LinkMapping]
        var wanted: [WantedLink]
        var problems: [MappingProblem]
        var gone: [MappingProblem] = []
        var apiResult: ApiResolver.Result?
        if apiMode {
            // Radarr's movie list (the largest answer) is fetched and decoded while Sonarr is asked.
            let movies = Task { [logger] in await ArrSnapshot.fetchMovies(services, logger: logger) }
            var current = await ArrSnapshot.fetchSeries(services, logger: logger)
            mappings = try readMappings(readingMappings)
            let needed = ApiResolver(config: config, snapshot: current, usesSonarr: services.usesSonarr, usesRadarr: false).lookup(mappings)
            await current.fetchDetails(of: ApiResolver.neededSeries(needed), services)
            current.movies = await movies.value
            snapshot = current
            logger.debug("asked sonarr and radarr", metadata: [
                "movies": "\(current.movies.all.count)", "series": "\(current.series.byKey.count)",
                "requests": "\(services.counter.total)", "seconds": "\(clock.now - resolveStart)",
            ])
            let askedAt = clock.now
            let resolver = ApiResolver(config: config, snapshot: current, usesSonarr: services.usesSonarr, usesRadarr: services.usesRadarr)
            let lookups = resolver.lookup(mappings)
            let filesystem = lookups.contains(where: \.needsFilesystem) ? FilesystemResolver(index: try scan(), config: config) : nil
            let result = resolver.resolve(lookups, filesystem: filesystem, ledgerTargets: Set(entries.map(\.target)))
            wanted = result.wanted
            problems = result.problems
            gone = result.gone
            apiResult = result
            logger.debug("resolved the mappings", metadata: ["links": "\(wanted.count)", "seconds": "\(clock.now - askedAt)"])
        } else {
            let index = try scan()
            mappings = try readMappings(readingMappings)
            let resolved = FilesystemResolver(index: index, config: config).resolve(mappings)
            wanted = resolved.wanted
            problems = resolved.problems
            logger.debug("resolved the mappings", metadata: ["links": "\(wanted.count)", "seconds": "\(clock.now - resolveStart)"])
        }
        let readSeconds = (try? readingMappings.wait().get().1).map { "\($0)" } ?? "?"
        logger.debug("read the mapping file", metadata: ["mappings": "\(mappings.count)", "seconds": "\(readSeconds)"])
        let observeStart = clock.now

        var paths = Set(wanted.map(\.target)).union(entries.map(\.target))
        for entry in entries { if let t = entry.pending?.temporaryPath { paths.insert(t) } }
        var observations: [String: PathObservation] = [:]
        for path in paths { observations[path] = FileSystem.observe(path) }
        let ledgerTargets = Set(entries.map(\.target))
        var identical = Set<String>()
        for link in wanted where !ledgerTargets.contains(link.target) {
            if case let .file(device, inode, size, _) = observations[link.target], size == link.source.size,
               !(device == link.source.device && inode == link.source.inode),
               FileSystem.sameContents(link.target, link.source.path) {
                identical.insert(link.target)
            }
        }
        let now = Int64(startedAt.timeIntervalSince1970)
        logger.debug("examined the targets", metadata: ["paths": "\(paths.count)", "seconds": "\(clock.now - observeStart)"])
        let plan = LinkPlanner().plan(.init(
            wanted: wanted, ledger: entries, observations: observations, identicalToSource: identical,
            problems: problems, gone: gone, adopt: options.adopt, now: now))

        if !options.confirmRemovals, let refusal = Self.massRemoval(plan, ledgerCount: entries.count) {
            throw JobError(kind: .config, message: refusal)
        }

        var failures: [ApplyFailure] = []
        if !options.dryRun, let ledger {
            failures = LinkExecutor(ledger: ledger, logger: logger, now: now, progress: progress, killAfter: options.killAfterChanges, lock: lock)
                .apply(plan)
        }
        var outcome = LinkOutcome(plan: plan, dryRun: options.dryRun, failures: failures, startedAt: startedAt,
                                  duration: clock.now - start, lockNotice: lockNotice)
        outcome.duplicates = apiResult?.duplicates ?? []
        if let snapshot {
            outcome.unanswered = snapshot.series.failures.sorted { $0.key < $1.key }.map { "sonarr \($0.key): \($0.value)" }
                + snapshot.movies.failures.sorted { $0.key < $1.key }.map { "radarr \($0.key): \($0.value)" }
                + snapshot.seriesFailures.sorted { $0.key < $1.key }.map { "sonarr \($0.key.instance), series \($0.key.id): \($0.value)" }
        }
        var retries: [ServiceRetry] = []
        do { retries = try ledger?.serviceRetries() ?? [] } catch {
            logger.warning("could not read the service steps to retry from \(config.statePath): \(error)")
        }
        if apiMode || services.plex != nil {
            let servicePlan = ServiceSync.plan(outcome: outcome, resolved: apiResult, snapshot: snapshot, config: config, retries: retries)
            outcome.servicePlan = servicePlan
            if !options.dryRun {
                let report = await ServiceSync.apply(servicePlan, snapshot: snapshot, services: services, config: config, logger: logger, now: now)
                outcome.services = report
                if report.retries != retries { remember(report.retries, in: ledger) }
            }
            outcome.requests = services.counter.total
        } else if !options.dryRun, !retries.isEmpty {
            remember([], in: ledger)  // the services they were for are no longer configured
        }
        if !options.dryRun, let ledger {
            let run = RunRecord(
                startedAt: startedAt, durationMilliseconds: Int((clock.now - start).milliseconds),
                created: outcome.created, replaced: outcome.replaced, removed: outcome.removed, unchanged: outcome.unchanged,
                conflicts: plan.conflicts.count, errors: plan.errors.count + failures.count, reclaimedBytes: plan.reclaimedBytes)
            var change = Ledger.Change()
            change.run = run
            do { try ledger.apply(change) } catch {
                logger.warning("could not record the run in \(config.statePath): \(error)")
            }
        }
        outcome.duration = clock.now - start
        return outcome
    }

    /// A plan that removes more than half of the links, and at least 10, is refused unless confirmed:
    /// it is far more often a mapping file cut short, a wrong `mappings:` path or a service answering
    /// an empty list than a person's wish. Removing a few is normal.
    static func massRemoval(_ plan: LinkPlan, ledgerCount: Int) -> String? {
        let removing = plan.removes.count
        guard removing >= 10, removing * 2 > ledgerCount else { return nil }
        var reasons: [String: Int] = [:]
        for remove in plan.removes { reasons[remove.reason.rawValue, default: 0] += 1 }
        let why = reasons.sorted { $0.value > $1.value }.map { "\($0.value): \($0.key)" }.joined(separator: ", ")
        let examples = plan.removes.prefix(3).map(\.entry.target).joined(separator: "; ")
        return "this run would remove \(removing) of the \(ledgerCount) links Usher made (\(why); e.g. \(examples)); "
            + "nothing was changed. If that is what you want, run `usher link --dry-run --confirm-removals` to see them all, "
            + "then `usher link --confirm-removals`"
    }

    private func remember(_ retries: [ServiceRetry], in ledger: Ledger?) {
        do { try ledger?.setServiceRetries(retries) } catch {
            logger.error("could not remember the service steps to retry in \(config.statePath): \(error)")
        }
    }

    private func readMappings(_ reading: Background<([LinkMapping], Duration), ConfigError>) throws(JobError) -> [LinkMapping] {
        switch reading.wait() {
        case .success(let read): return read.0
        case .failure(let error): throw JobError(kind: .config, message: error.description)
        }
    }

    /// Scans the library folders; a root that cannot be read stops the run.
    private func scan() throws(JobError) -> LibraryIndex {
        let clock = ContinuousClock()
        let scanStart = clock.now
        let index = LibraryIndex.scan(movies: config.movieRoots, shows: config.showRoots, extensions: config.videoExtensions)
        logger.debug("scanned the library", metadata: [
            "movie_folders": "\(index.movies.count)", "show_folders": "\(index.shows.count)",
            "seconds": "\(clock.now - scanStart)",
        ])
        if !index.unreadableRoots.isEmpty {
            throw JobError(kind: .library, message: "cannot read \(index.unreadableRoots.joined(separator: ", ")) (not mounted? wrong path?); nothing was changed")
        }
        return index
    }

    /// Every library root must be readable, and a root that holds links or sources Usher knows must
    /// not be empty (an unmounted disk): otherwise nothing is judged this run.
    private func checkRoots(_ entries: [LedgerEntry]) throws(JobError) {
        var bad: [String] = []
        for root in config.movieRoots + config.showRoots {
            guard let holdsAny = FileSystem.holdsAny(root.path, where: { !LibraryIndex.skip($0) }) else {
                bad.append("\(root.path) cannot be read")
                continue
            }
            if !holdsAny, entries.contains(where: { PathTranslator.isPrefix(root.path, of: $0.target) || PathTranslator.isPrefix(root.path, of: $0.link.sourcePath) }) {
                bad.append("\(root.path) is empty but held links")
            }
        }
        if !bad.isEmpty {
            throw JobError(kind: .library, message: "\(bad.joined(separator: "; ")) (not mounted? wrong path?); nothing was changed")
        }
    }
}
