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
    /// API mode: ask Sonarr and Radarr for everything, not only what changed since the last run (`--full`).
    public var fullCatalog: Bool
    public init(dryRun: Bool = false, adopt: Bool = false, confirmRemovals: Bool = false, killAfterChanges: Int? = nil, fullCatalog: Bool = false) {
        self.dryRun = dryRun
        self.adopt = adopt
        self.confirmRemovals = confirmRemovals
        self.killAfterChanges = killAfterChanges
        self.fullCatalog = fullCatalog
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
    /// API mode: whether Sonarr and Radarr were asked for everything or only for what changed, and why.
    public var catalogPass: CatalogPass?
    /// Filesystem mode: links whose resolution was taken from the last run's.
    public var reusedResolutions = 0
    /// Nothing that decides the links changed since the last clean run (`SettledRun`; in API mode, as the
    /// histories and Sonarr's series list tell), so the mapping file was not parsed nor any mapping resolved.
    public var settled = false

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

    /// The steps of a run, each a value the report can show.
    private func run(_ options: LinkOptions, progress: (@Sendable (Int, Int) -> Void)?, hub: ServiceHub) async throws(JobError) -> LinkOutcome {
        if let message = config.requirementError(for: .link) { throw JobError(kind: .config, message: message) }
        let clock = ContinuousClock()
        let start = clock.now
        let startedAt = Date()
        let now = Int64(startedAt.timeIntervalSince1970)
        let (lock, lockNotice) = try JobState.lock(statePath: config.statePath, suffix: ".lock", dryRun: options.dryRun, logger: logger)
        defer { lock?.release() }
        let ledger = try openLedger(options)
        try checkRoots(ledger)
        let services = hub.arr(config)
        let apiMode = services.usesSonarr || services.usesRadarr
        let settleable = services.plex == nil && !options.fullCatalog && !options.adopt
        var check: SettledCheck?
        var asked: CatalogRefresh.Asked?
        if settleable, let ledger {
            if apiMode {
                (check, asked) = await settled(ledger: ledger, services: services, now: now)
            } else {
                check = settled(ledger: ledger, now: now)
            }
        }
        if let ledger, let unchanged = check?.unchanged {
            var plan = LinkPlan()
            plan.unchanged = unchanged
            var outcome = LinkOutcome(
                plan: plan, dryRun: options.dryRun, failures: [], startedAt: startedAt, duration: clock.now - start, lockNotice: lockNotice)
            outcome.catalogPass = .incremental
            outcome.reusedResolutions = unchanged.count
            outcome.settled = true
            if apiMode {
                // Nothing to tell Sonarr or Radarr: an empty plan, as the usual run's would be.
                outcome.servicePlan = ServicePlan()
                if !options.dryRun { outcome.services = ServiceReport() }
                outcome.requests = services.counter.total
                // The histories may have moved past records about other movies and series.
                if !options.dryRun, let cursors = check?.cursors, !cursors.isEmpty {
                    var update = CatalogUpdate()
                    update.cursors = cursors
                    keep(update, in: ledger)
                }
            }
            if !options.dryRun { record(outcome, in: ledger, duration: clock.now - start) }
            outcome.duration = clock.now - start
            return outcome
        }
        // This run may change links: the record of a settled run is forgotten first, so that a run stopped half-way
        // leaves none.
        if check?.hadRecord == true, !options.dryRun, let ledger {
            do { try ledger.setSettledRun(nil) } catch {
                throw JobError(kind: .state, message: "cannot write the state database \(config.statePath): \(error)")
            }
        }
        let entries = try entries(of: ledger)
        // The mapping file is read while the services are asked or the library is scanned.
        let (mappingsFile, environment) = (config.mappingsFile, config.environment)
        let readingMappings = Background { () throws(ConfigError) -> MappingRead in
            let started = ContinuousClock.now
            let read = try MappingFile.loadWithText(path: mappingsFile, environment: environment)
            return MappingRead(mappings: read.mappings, duration: ContinuousClock.now - started, text: read.text, readsOutside: read.readsOutside)
        }
        let resolved = try await resolve(
            readingMappings, services: services, asked: asked, ledgerTargets: Set(entries.map(\.target)), ledger: ledger, options: options, now: now)
        if !options.dryRun, let update = resolved.catalogUpdate { keep(update, in: ledger) }
        let plan = planLinks(resolved, entries: entries, options: options, now: now)
        if !options.confirmRemovals, let refusal = Self.massRemoval(plan, ledgerCount: entries.count) {
            throw JobError(kind: .config, message: refusal)
        }
        var failures: [ApplyFailure] = []
        if !options.dryRun, let ledger {
            failures = LinkExecutor(ledger: ledger, logger: logger, now: now, progress: progress, killAfter: options.killAfterChanges, lock: lock)
                .apply(plan)
        }
        var outcome = LinkOutcome(
            plan: plan, dryRun: options.dryRun, failures: failures, startedAt: startedAt,
            duration: clock.now - start, lockNotice: lockNotice)
        outcome.duplicates = resolved.api?.duplicates ?? []
        outcome.unanswered = resolved.snapshot?.unanswered ?? []
        outcome.catalogPass = resolved.catalogPass
        outcome.reusedResolutions = resolved.reusedResolutions
        if resolved.apiMode || services.plex != nil {
            await tellServices(&outcome, resolved: resolved, services: services, ledger: ledger, options: options, now: now)
        } else if !options.dryRun, !((try? ledger?.serviceRetries()) ?? []).isEmpty {
            remember([], in: ledger)  // the services they were for are no longer configured
        }
        if !options.dryRun { record(outcome, in: ledger, duration: clock.now - start) }
        if settleable, !options.dryRun, let ledger { keepSettled(outcome, resolved: resolved, reading: readingMappings, ledger: ledger) }
        outcome.duration = clock.now - start
        return outcome
    }

    /// The mapping file as a run read it: its mappings, and its text for `SettledRun`.
    struct MappingRead: Sendable {
        var mappings: [LinkMapping]
        var duration: Duration
        var text: String
        var readsOutside: Bool
    }

    /// What the settled check found: the links, unchanged, or `nil` when the usual run must look; and whether a
    /// record was kept (the usual run then forgets it first).
    struct SettledCheck {
        var unchanged: [WantedLink]?
        var hadRecord: Bool
        /// API mode: the history positions to keep (moved past records about other movies and series).
        var cursors: [String: HistoryCursor]? = nil
    }

    /// Filesystem mode: the links as the last clean run left them, when nothing that decides them has changed
    /// (`SettledRun`). The mapping file's digest is taken on another thread while SQLite is read.
    private func settled(ledger: Ledger, now: Int64) -> SettledCheck {
        let clock = ContinuousClock()
        let started = clock.now
        let record: SettledRun.Record?
        do { record = try ledger.settledRun() } catch {
            logger.debug("could not read the settled run: \(error)")
            return SettledCheck(unchanged: nil, hadRecord: true)
        }
        guard let record else { return SettledCheck(unchanged: nil, hadRecord: false) }
        func refuse(_ why: String) -> SettledCheck {
            logger.debug("the last run's links need a look", metadata: ["why": "\(why)"])
            return SettledCheck(unchanged: nil, hadRecord: true)
        }
        guard record.services == nil else { return refuse("the last clean run was in API mode") }
        let config = config
        let inputs = Background { () throws(Never) -> String? in
            MappingFile.text(path: config.mappingsFile).map { SettledRun.inputs(mappingText: $0, config: config) }
        }
        let header: FolderMemo.Header?
        do { header = try ledger.folderMemoHeader() } catch { return refuse("cannot read the folder index: \(error)") }
        guard let header else { return refuse("no folder index kept") }
        if let why = header.refusal(fingerprint: FolderMemo.fingerprint(config), now: now, fullEvery: Int64(config.fullPassEverySeconds), forced: false) {
            return refuse(why)
        }
        let links: SettledRun.Links?
        do { links = try ledger.settledLinks() } catch { return refuse("cannot read the ledger: \(error)") }
        guard let links else { return refuse("a link is pending, or is not its mapping's kept resolution") }
        guard case .success(let digest) = inputs.wait(), let digest else { return refuse("cannot read the mapping file") }
        guard digest == record.inputs else { return refuse("the mapping file or the settings changed") }
        switch SettledRun.unchanged(links, record: record, config: config) {
        case .failure(let refusal): return refuse(refusal.reason)
        case .success(let unchanged):
            logger.debug("nothing changed since the last run", metadata: ["links": "\(unchanged.count)", "seconds": "\(clock.now - started)"])
            return SettledCheck(unchanged: unchanged, hadRecord: true)
        }
    }

    /// API mode: the links as the last clean run left them, when the histories, Sonarr's series lists and naming
    /// say nothing they rest on changed (`SettledRun+Services`). What it asks is handed on to the usual run when the
    /// check refuses, so a refused check costs no request.
    private func settled(ledger: Ledger, services: ArrServices, now: Int64) async -> (SettledCheck, CatalogRefresh.Asked?) {
        let clock = ContinuousClock()
        let started = clock.now
        let record: SettledRun.Record?
        do { record = try ledger.settledRun() } catch {
            logger.debug("could not read the settled run: \(error)")
            return (SettledCheck(unchanged: nil, hadRecord: true), nil)
        }
        guard let record else { return (SettledCheck(unchanged: nil, hadRecord: false), nil) }
        let logger = logger
        let config = config
        func refuse(_ why: String) -> SettledCheck {
            logger.debug("the last run's links need a look", metadata: ["why": "\(why)"])
            return SettledCheck(unchanged: nil, hadRecord: true)
        }
        // Either pass asks these first.
        var asked = CatalogRefresh.Asked(series: Task { await ArrSnapshot.fetchSeries(services, logger: logger) })
        guard let kept = SettledRun.Services(text: record.services) else { return (refuse("the last clean run was in filesystem mode"), asked) }
        let facts: (facts: CatalogChanges.Kept, cursors: [String: HistoryCursor])?
        do { facts = try ledger.keptCatalogFacts() } catch { return (refuse("cannot read the kept catalog: \(error)"), asked) }
        guard let facts else { return (refuse("no catalog kept"), asked) }
        let pass = CatalogChanges.pass(
            kept: facts.facts, fingerprint: CatalogRefresh.fingerprint(config), movieRefs: facts.facts.movieRefs, now: now,
            fullEvery: Int64(config.fullPassEverySeconds), forced: false)
        if case .full(let why) = pass { return (refuse(why), asked) }
        let inputs = Background { () throws(Never) -> String? in
            MappingFile.text(path: config.mappingsFile).map { SettledRun.serviceInputs(mappingText: $0, config: config) }
        }
        let links: SettledRun.Links?
        do { links = try ledger.settledLinks(resolutions: false) } catch { return (refuse("cannot read the ledger: \(error)"), asked) }
        guard let links else { return (refuse("a link is pending"), asked) }
        guard case .success(let digest) = inputs.wait(), let digest else { return (refuse("cannot read the mapping file"), asked) }
        guard digest == record.inputs else { return (refuse("the mapping file or the settings changed"), asked) }
        guard (try? ledger.serviceRetries().isEmpty) == true else { return (refuse("a service step waits to be retried"), asked) }
        // Asked once the pass is sure to be incremental (the same mappings name the same movies), so that a
        // refusal from here on hands the histories to it.
        let refresh = CatalogRefresh(
            config: config, services: services, logger: logger, kept: nil, fingerprint: "", fullEvery: 0, forced: false, now: now)
        let histories = Task { await refresh.readHistories(since: facts.cursors) }
        asked.histories = (facts.cursors, histories)
        let needed = kept.neededSeasons
        let cursors: [String: HistoryCursor]
        switch SettledRun.quiet(await histories.value, since: facts.cursors, services: services, needed: Set(needed.keys)) {
        case .failure(let refusal): return (refuse(refusal.reason), asked)
        case .success(let moved): cursors = moved
        }
        guard SettledRun.seriesDigest(await asked.series.value, needed: needed) == kept.series else {
            return (refuse("sonarr's series list or naming changed"), asked)
        }
        switch SettledRun.unchanged(links, record: record, config: config) {
        case .failure(let refusal): return (refuse(refusal.reason), asked)
        case .success(let unchanged):
            logger.debug("nothing changed since the last run", metadata: ["links": "\(unchanged.count)", "seconds": "\(clock.now - started)"])
            return (SettledCheck(unchanged: unchanged, hadRecord: true, cursors: cursors == facts.cursors ? [:] : cursors), asked)
        }
    }

    /// Keeps the record of a clean run (`SettledRun`): every mapping linked, nothing in conflict or in error, and a
    /// mapping file whose text alone says what it means; in filesystem mode every resolution kept, in API mode what
    /// Sonarr said that the links rest on (`SettledRun.Services`).
    private func keepSettled(_ outcome: LinkOutcome, resolved: Resolution, reading: Background<MappingRead, ConfigError>, ledger: Ledger) {
        guard case .success(let read) = reading.wait(), !read.readsOutside,
            outcome.plan.conflicts.isEmpty, outcome.plan.errors.isEmpty, outcome.plan.kept.isEmpty, outcome.failures.isEmpty,
            resolved.gone.isEmpty, resolved.problems.isEmpty
        else { return }
        var record: SettledRun.Record
        if resolved.apiMode {
            // API mode: besides, every service answered and took every step, no mapping was looked up in the
            // folders, and the catalog this run kept can be trusted.
            guard let snapshot = resolved.snapshot, let api = resolved.api, api.duplicates.isEmpty, outcome.unanswered.isEmpty,
                outcome.services.map({ $0.errors.isEmpty && $0.retries.isEmpty }) ?? true, resolved.catalogUpdate?.facts?.trusted != false,
                api.wanted.count == read.mappings.count, (try? ledger.serviceRetries().isEmpty) == true,
                (try? ledger.keptCatalogFacts()?.facts.trusted) == true
            else { return }
            guard let needed = resolved.neededSeries, let digest = SettledRun.seriesDigest(snapshot, needed: needed), let now = try? ledger.linksGeneration(),
                now.links == read.mappings.count
            else { return }
            record = SettledRun.Record(
                inputs: SettledRun.serviceInputs(mappingText: read.text, config: config), generation: now.generation, mappings: now.links)
            record.services = SettledRun.Services(series: digest, needed: needed).text
        } else {
            guard resolved.keptResolutions == read.mappings.count, let now = try? ledger.linksGeneration(), now.links == read.mappings.count
            else { return }
            record = SettledRun.Record(
                inputs: SettledRun.inputs(mappingText: read.text, config: config), generation: now.generation, mappings: now.links)
        }
        do { try ledger.setSettledRun(record) } catch { logger.debug("could not keep the settled run: \(error)") }
    }

    /// What the mappings ask for, as links, problems and mappings whose movie or series is gone.
    struct Resolution {
        var mappings: [LinkMapping]
        var wanted: [WantedLink]
        var problems: [MappingProblem]
        var gone: [MappingProblem] = []
        var apiMode: Bool
        var snapshot: ArrSnapshot?
        var api: ApiResolver.Result?
        var catalogPass: CatalogPass?
        /// What the next run may take from this one (`CatalogRefresh`), and what was kept before it.
        var catalogUpdate: CatalogUpdate?
        var keptCatalog: KeptCatalog?
        /// API mode: the series the mappings need, with their seasons; `nil` when a mapping was looked up in the
        /// library folders.
        var neededSeries: [SeriesKey: Set<Int>]?
        /// Filesystem mode: mappings whose resolution was taken from the last run's (`ResolutionMemo`).
        var reusedResolutions = 0
        /// Filesystem mode: mappings whose resolution is kept for the next run.
        var keptResolutions = 0
    }

    /// The ledger: read-only (and perhaps absent) in a dry run.
    private func openLedger(_ options: LinkOptions) throws(JobError) -> Ledger? {
        options.dryRun ? try readOnlyLedger() : try JobState.open(config.statePath)
    }

    private func entries(of ledger: Ledger?) throws(JobError) -> [LedgerEntry] {
        do { return try ledger?.entries() ?? [] } catch {
            throw JobError(kind: .state, message: "cannot read the state database \(config.statePath): \(error)")
        }
    }

    private func readOnlyLedger() throws(JobError) -> Ledger? {
        do { return try Ledger.openIfPresent(path: config.statePath) } catch {
            throw JobError(kind: .state, message: "cannot open the state database \(config.statePath): \(error)")
        }
    }

    /// Through Sonarr and Radarr when they are configured (and the folders for mappings that need them),
    /// else through the folders alone.
    private func resolve(
        _ reading: Background<MappingRead, ConfigError>, services: ArrServices, asked: CatalogRefresh.Asked?,
        ledgerTargets: Set<String>, ledger: Ledger?, options: LinkOptions, now: Int64
    ) async throws(JobError) -> Resolution {
        let clock = ContinuousClock()
        let started = clock.now
        defer {
            let readSeconds = (try? reading.wait().get().duration).map { "\($0)" } ?? "?"
            logger.debug("read the mapping file", metadata: ["seconds": "\(readSeconds)"])
        }
        guard services.usesSonarr || services.usesRadarr else {
            let (index, mappings, pass) = try folders(reading, ledger: ledger, options: options, now: now)
            let kept: ResolutionMemo
            do { kept = try ledger?.resolutionMemo() ?? ResolutionMemo() } catch {
                logger.debug("could not read the kept resolutions: \(error)")
                kept = ResolutionMemo()
            }
            let resolvingAt = Int64(Date().timeIntervalSince1970 * 1e9)
            let resolved = FilesystemResolver(index: index, config: config).resolve(
                mappings, memo: kept, reuse: pass == .incremental, startedAt: resolvingAt)
            logger.debug(
                "resolved the mappings",
                metadata: ["links": "\(resolved.wanted.count)", "reused": "\(resolved.reused)", "seconds": "\(clock.now - started)"])
            if !options.dryRun, let ledger {
                do { try ledger.updateResolutionMemo(from: kept, to: resolved.memo) } catch {
                    logger.warning("could not keep the resolutions in \(config.statePath) (the next run resolves again): \(error)")
                }
            }
            var resolution = Resolution(mappings: mappings, wanted: resolved.wanted, problems: resolved.problems, apiMode: false, catalogPass: pass)
            resolution.reusedResolutions = resolved.reused
            resolution.keptResolutions = resolved.memo.entries.count
            return resolution
        }
        // Sonarr's series lists and naming, which either pass needs, are asked before anything else.
        let asked = asked ?? CatalogRefresh.Asked(series: Task { [logger] in await ArrSnapshot.fetchSeries(services, logger: logger) })
        var kept: KeptCatalog?
        do { kept = try ledger?.keptCatalog() } catch {
            logger.warning("could not read the catalog kept in \(config.statePath), so everything is asked for: \(error)")
        }
        logger.debug(
            "read the kept catalog",
            metadata: ["movies": "\(kept?.movies.count ?? 0)", "series": "\(kept?.series.count ?? 0)", "seconds": "\(clock.now - started)"])
        let refresh = CatalogRefresh(
            config: config, services: services, logger: logger, kept: kept, fingerprint: CatalogRefresh.fingerprint(config),
            fullEvery: Int64(config.fullPassEverySeconds), forced: options.fullCatalog, now: now)
        let (fetched, mappings) = try await refresh.fetch({ () throws(JobError) in try readMappings(reading) }, asked: asked)
        let snapshot = fetched.snapshot
        logger.debug(
            "asked sonarr and radarr",
            metadata: [
                "pass": "\(fetched.pass.isFull ? "full" : "incremental")",
                "movies": "\(snapshot.movies.all.count)", "series": "\(snapshot.series.byKey.count)",
                "requests": "\(services.counter.total)", "seconds": "\(clock.now - started)",
            ])
        let askedAt = clock.now
        let resolver = ApiResolver(config: config, snapshot: snapshot, usesSonarr: services.usesSonarr, usesRadarr: services.usesRadarr)
        let lookups = resolver.lookup(mappings)
        let filesystem = lookups.contains(where: \.needsFilesystem) ? FilesystemResolver(index: try scan(), config: config) : nil
        let result = resolver.resolve(lookups, filesystem: filesystem, ledgerTargets: ledgerTargets)
        logger.debug("resolved the mappings", metadata: ["links": "\(result.wanted.count)", "seconds": "\(clock.now - askedAt)"])
        var resolution = Resolution(
            mappings: mappings, wanted: result.wanted, problems: result.problems, gone: result.gone, apiMode: true,
            snapshot: snapshot, api: result, catalogPass: fetched.pass, catalogUpdate: fetched.update,
            keptCatalog: kept)
        resolution.neededSeries = filesystem == nil ? ApiResolver.neededSeries(lookups) : nil
        return resolution
    }

    /// Looks at every path the plan may touch (`lstat`; bytes only for a foreign file of the source's size), then plans.
    private func planLinks(_ resolved: Resolution, entries: [LedgerEntry], options: LinkOptions, now: Int64) -> LinkPlan {
        let clock = ContinuousClock()
        let started = clock.now
        var paths = Set(resolved.wanted.map(\.target)).union(entries.map(\.target))
        for entry in entries { if let t = entry.pending?.temporaryPath { paths.insert(t) } }
        var observations: [String: PathObservation] = [:]
        for path in paths { observations[path] = FileSystem.observe(path) }
        let ledgerTargets = Set(entries.map(\.target))
        var identical = Set<String>()
        for link in resolved.wanted where !ledgerTargets.contains(link.target) {
            if case let .file(device, inode, size, _) = observations[link.target], size == link.source.size,
                !(device == link.source.device && inode == link.source.inode),
                FileSystem.sameContents(link.target, link.source.path)
            {
                identical.insert(link.target)
            }
        }
        logger.debug("examined the targets", metadata: ["paths": "\(paths.count)", "seconds": "\(clock.now - started)"])
        return LinkPlanner().plan(
            .init(
                wanted: resolved.wanted, ledger: entries, observations: observations, identicalToSource: identical,
                problems: resolved.problems, gone: resolved.gone, adopt: options.adopt, now: now))
    }

    /// Rescans, tags, unmonitoring and Plex scans (`ServiceSync`), and the steps left for the next run.
    private func tellServices(
        _ outcome: inout LinkOutcome, resolved: Resolution, services: ArrServices, ledger: Ledger?,
        options: LinkOptions, now: Int64
    ) async {
        var retries: [ServiceRetry] = []
        do { retries = try ledger?.serviceRetries() ?? [] } catch {
            logger.warning("could not read the service steps to retry from \(config.statePath): \(error)")
        }
        let servicePlan = ServiceSync.plan(outcome: outcome, resolved: resolved.api, snapshot: resolved.snapshot, config: config, retries: retries)
        outcome.servicePlan = servicePlan
        if !options.dryRun {
            let keeping = resolved.catalogUpdate != nil && ledger != nil
            let (report, effects) = await ServiceSync.applyNoting(
                servicePlan, snapshot: resolved.snapshot, services: services, config: config, logger: logger, now: now, countsAfterRescan: keeping)
            if keeping, let written = resolved.catalogUpdate, let snapshot = resolved.snapshot {
                keep(CatalogRefresh.afterServices(effects, written: written, kept: resolved.keptCatalog, snapshot: snapshot), in: ledger)
            }
            outcome.services = report
            if report.retries != retries { remember(report.retries, in: ledger) }
        }
        outcome.requests = services.counter.total
    }

    /// The run's line in `usher stats`.
    private func record(_ outcome: LinkOutcome, in ledger: Ledger?, duration: Duration) {
        guard let ledger else { return }
        var change = Ledger.Change()
        change.run = RunRecord(
            startedAt: outcome.startedAt, durationMilliseconds: Int(duration.milliseconds),
            created: outcome.created, replaced: outcome.replaced, removed: outcome.removed, unchanged: outcome.unchanged,
            conflicts: outcome.plan.conflicts.count, errors: outcome.plan.errors.count + outcome.failures.count, reclaimedBytes: outcome.plan.reclaimedBytes)
        do { try ledger.apply(change) } catch {
            logger.warning("could not record the run in \(config.statePath): \(error)")
        }
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

    /// Keeps what this run learned from Sonarr and Radarr; a failure costs the next run a full pass, nothing else.
    private func keep(_ update: CatalogUpdate, in ledger: Ledger?) {
        let started = ContinuousClock.now
        defer {
            logger.debug(
                "kept what sonarr and radarr said",
                metadata: ["movies": "\(update.movies.count)", "series": "\(update.series.count)", "seconds": "\(ContinuousClock.now - started)"])
        }
        do { try ledger?.updateCatalog(update) } catch {
            logger.warning("could not keep what sonarr and radarr said in \(config.statePath) (the next run asks for everything): \(error)")
            try? ledger?.forgetCatalog()
        }
    }

    private func remember(_ retries: [ServiceRetry], in ledger: Ledger?) {
        do { try ledger?.setServiceRetries(retries) } catch {
            logger.error("could not remember the service steps to retry in \(config.statePath): \(error)")
        }
    }

    private func readMappings(_ reading: Background<MappingRead, ConfigError>) throws(JobError) -> [LinkMapping] {
        switch reading.wait() {
        case .success(let read): return read.mappings
        case .failure(let error): throw JobError(kind: .config, message: error.description)
        }
    }

    /// Filesystem mode: the folders the mappings may name, from the last scan when no folder it read has
    /// changed since (`FolderMemo`), else from a scan (kept for the next run).
    private func folders(
        _ reading: Background<MappingRead, ConfigError>, ledger: Ledger?, options: LinkOptions, now: Int64
    ) throws(JobError) -> (LibraryIndex, [LinkMapping], CatalogPass) {
        let fingerprint = FolderMemo.fingerprint(config)
        var memo: FolderMemo?
        do { memo = try ledger?.folderMemo() } catch { logger.debug("could not read the kept folder index: \(error)") }
        let fullEvery = Int64(config.fullPassEverySeconds)
        var why = memo.map { $0.refusal(fingerprint: fingerprint, now: now, fullEvery: fullEvery, forced: options.fullCatalog) } ?? "no folder index kept"
        var mappings: [LinkMapping]?
        if let memo, why == nil {
            let read = try readMappings(reading)
            mappings = read
            if FolderMemo.refs(read).isSubset(of: memo.refs) {
                logger.debug("took the folders of the last scan: none it read has changed", metadata: ["folders": "\(memo.folders.count)"])
                return (memo.index, read, .incremental)
            }
            why = "the mapping file names a movie or show the last scan was not made for"
        }
        logger.debug("scanning the library folders", metadata: ["why": "\(why ?? "")"])
        let started = Date()
        let index = try scan()
        var read: [LinkMapping]
        if let mappings { read = mappings } else { read = try readMappings(reading) }
        if !options.dryRun, let ledger {
            do { try ledger.setFolderMemo(FolderMemo.make(index, mappings: read, fingerprint: fingerprint, scannedAt: started)) } catch {
                logger.warning("could not keep the folder index in \(config.statePath) (the next run scans again): \(error)")
            }
        }
        return (index, read, .full(reason: why ?? ""))
    }

    /// Scans the library folders; a root that cannot be read stops the run.
    private func scan() throws(JobError) -> LibraryIndex {
        let clock = ContinuousClock()
        let scanStart = clock.now
        let index = LibraryIndex.scan(movies: config.movieRoots, shows: config.showRoots, extensions: config.videoExtensions)
        logger.debug(
            "scanned the library",
            metadata: [
                "movie_folders": "\(index.movies.count)", "show_folders": "\(index.shows.count)",
                "seconds": "\(clock.now - scanStart)",
            ])
        if !index.unreadableRoots.isEmpty {
            throw JobError(
                kind: .library, message: "cannot read \(index.unreadableRoots.joined(separator: ", ")) (not mounted? wrong path?); nothing was changed")
        }
        return index
    }

    /// Every library root must be readable, and a root that holds links or sources Usher knows must
    /// not be empty (an unmounted disk): otherwise nothing is judged this run. The ledger is read only when a root
    /// is empty.
    private func checkRoots(_ ledger: Ledger?) throws(JobError) {
        var bad: [String] = []
        var entries: [LedgerEntry]?
        for root in config.movieRoots + config.showRoots {
            guard let holdsAny = FileSystem.holdsAny(root.path, where: { !LibraryIndex.skip($0) }) else {
                bad.append("\(root.path) cannot be read")
                continue
            }
            if entries == nil, !holdsAny { entries = try self.entries(of: ledger) }
            if !holdsAny,
                (entries ?? []).contains(where: {
                    PathTranslator.isPrefix(root.path, of: $0.target) || PathTranslator.isPrefix(root.path, of: $0.link.sourcePath)
                })
            {
                bad.append("\(root.path) is empty but held links")
            }
        }
        if !bad.isEmpty {
            throw JobError(kind: .library, message: "\(bad.joined(separator: "; ")) (not mounted? wrong path?); nothing was changed")
        }
    }
}
