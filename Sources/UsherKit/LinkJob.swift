public import Foundation
public import Logging
public import UsherCore

/// A run of the linker ended before planning: a config or mapping mistake (exit 2), a busy lock, or
/// a library that cannot be read. Nothing was changed.
public struct LinkJobError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case config, busy, library }
    public var kind: Kind
    public var message: String
    public var description: String { message }
}

public struct LinkOptions: Sendable {
    public var dryRun: Bool
    public var adopt: Bool
    /// Let a run remove most of the links (see `LinkJob.massRemoval`).
    public var confirmRemovals: Bool
    public init(dryRun: Bool = false, adopt: Bool = false, confirmRemovals: Bool = false) {
        self.dryRun = dryRun
        self.adopt = adopt
        self.confirmRemovals = confirmRemovals
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
    /// The services to ask; by default those of the config.
    public var services: ArrServices?

    public init(config: UsherConfig, logger: Logger, services: ArrServices? = nil) {
        self.config = config
        self.logger = logger
        self.services = services
    }

    public func run(_ options: LinkOptions, progress: (@Sendable (Int, Int) -> Void)? = nil) async throws(LinkJobError) -> LinkOutcome {
        if let message = config.requirementError(for: .link) { throw LinkJobError(kind: .config, message: message) }
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
                throw LinkJobError(kind: .busy, message: busy.description)
            } catch {
                throw LinkJobError(kind: .library, message: "\(error)")
            }
        }
        defer { lock?.release() }

        let ledger: Ledger?
        let entries: [LedgerEntry]
        do {
            ledger = options.dryRun ? try Ledger.openIfPresent(path: config.statePath) : try Ledger(path: config.statePath)
            entries = try ledger?.entries() ?? []
        } catch {
            throw LinkJobError(kind: .library, message: "cannot open the state database \(config.statePath): \(error)")
        }
        try checkRoots(entries)

        let services = self.services ?? ArrServices(config: config, logger: logger)
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
            throw LinkJobError(kind: .config, message: refusal)
        }

        var failures: [ApplyFailure] = []
        if !options.dryRun, let ledger {
            // Fault injection for the crash-recovery tests: die by SIGKILL after this many changes.
            let killAfter = ProcessInfo.processInfo.environment["USHER_TEST_KILL_AFTER"].flatMap { Int($0) }
            failures = LinkExecutor(ledger: ledger, logger: logger, now: now, progress: progress, killAfter: killAfter, lock: lock).apply(plan)
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

    private func readMappings(_ reading: Background<([LinkMapping], Duration), ConfigError>) throws(LinkJobError) -> [LinkMapping] {
        switch reading.wait() {
        case .success(let read): return read.0
        case .failure(let error): throw LinkJobError(kind: .config, message: error.description)
        }
    }

    /// Scans the library folders; a root that cannot be read stops the run.
    private func scan() throws(LinkJobError) -> LibraryIndex {
        let clock = ContinuousClock()
        let scanStart = clock.now
        let index = LibraryIndex.scan(movies: config.movieRoots, shows: config.showRoots, extensions: config.videoExtensions)
        logger.debug("scanned the library", metadata: [
            "movie_folders": "\(index.movies.count)", "show_folders": "\(index.shows.count)",
            "seconds": "\(clock.now - scanStart)",
        ])
        if !index.unreadableRoots.isEmpty {
            throw LinkJobError(kind: .library, message: "cannot read \(index.unreadableRoots.joined(separator: ", ")) (not mounted? wrong path?); nothing was changed")
        }
        return index
    }

    /// Every library root must be readable, and a root that holds links or sources Usher knows must
    /// not be empty (an unmounted disk): otherwise nothing is judged this run.
    private func checkRoots(_ entries: [LedgerEntry]) throws(LinkJobError) {
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
            throw LinkJobError(kind: .library, message: "\(bad.joined(separator: "; ")) (not mounted? wrong path?); nothing was changed")
        }
    }
}

/// Work started on another thread, and its result waited for.
final class Background<Value: Sendable, Failure: Error>: @unchecked Sendable {
    private let group = DispatchGroup()
    private var result: Result<Value, Failure>?

    init(_ work: @escaping @Sendable () throws(Failure) -> Value) {
        group.enter()
        DispatchQueue.global().async {
            do throws(Failure) {
                self.result = .success(try work())
            } catch {
                self.result = .failure(error)
            }
            self.group.leave()
        }
    }

    func wait() -> Result<Value, Failure> {
        group.wait()
        return result!
    }
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
    var secondsDouble: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Applies a plan: records intent in the ledger, changes the disk, then records the result.
///
/// Every path is examined again right before it is changed; a path that no longer holds exactly the
/// link the ledger describes is left alone. A run killed at any point leaves pending rows (and at
/// most one temporary link per replacement, named in its row) that the next run settles.
struct LinkExecutor {
    var ledger: Ledger
    var logger: Logger
    var now: Int64
    var progress: (@Sendable (Int, Int) -> Void)?
    var killAfter: Int?
    /// Checked before each change: a run that lost its lock (its file deleted, another run started)
    /// stops changing the disk; the ledger's pending rows let the next run settle the rest.
    var lock: RunLock?

    static func temporaryPath(for target: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in target.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Paths.join(Paths.parent(target), ".usher-tmp-\(String(hash, radix: 16))")
    }

    func apply(_ plan: LinkPlan) -> [ApplyFailure] {
        var failures: [ApplyFailure] = []
        // 1. Intent: settle rows of an interrupted run, and write every create and replace as pending.
        var intent = Ledger.Change()
        for repair in plan.repairs {
            switch repair {
            case .confirm(let entry): intent.upserts.append(entry)
            case .drop(let target): intent.deletes.append(target)
            }
        }
        for create in plan.creates {
            var entry = LedgerEntry(wanted: create.link, at: now)
            entry.pending = PendingChange(previous: nil, temporaryPath: nil)
            intent.upserts.append(entry)
        }
        for replace in plan.replaces {
            var entry = LedgerEntry(wanted: replace.new, at: now, createdAt: replace.old.createdAt)
            if replace.old.target == replace.new.target {
                entry.pending = PendingChange(previous: replace.old.link, temporaryPath: Self.temporaryPath(for: replace.new.target))
            } else {
                entry.pending = PendingChange(previous: nil, temporaryPath: nil)
            }
            intent.upserts.append(entry)
        }
        do {
            try ledger.apply(intent)
        } catch {
            // Without a record of intent nothing may be changed on disk.
            return (plan.creates.map(\.link) + plan.replaces.map(\.new)).map {
                ApplyFailure(target: $0.target, mappingLabel: $0.mappingLabel, message: "could not write the state database: \(error)")
            } + plan.removes.map { ApplyFailure(target: $0.entry.target, mappingLabel: $0.entry.mappingKey, message: "could not write the state database: \(error)") }
        }

        var done = Ledger.Change()
        let total = plan.temporaryCleanups.count + plan.removes.count + plan.replaces.count + plan.creates.count
        var step = 0
        func tick() {
            step += 1
            progress?(step, total)
            if step == killAfter { kill(getpid(), SIGKILL) }
        }
        if killAfter == 0 { kill(getpid(), SIGKILL) }
        var lockLost = false
        func lost(_ target: String, _ label: String) -> Bool {
            if !lockLost, let lock, !lock.verify() {
                lockLost = true
                logger.error("the lock file \(lock.path) was deleted and another run took the lock; this run stops changing anything")
            }
            if lockLost {
                failures.append(ApplyFailure(target: target, mappingLabel: label,
                    message: "not done: the lock file was deleted during the run and another run took the lock"))
            }
            return lockLost
        }

        for temporary in plan.temporaryCleanups {
            if lockLost || !(lock?.verify() ?? true) { lockLost = true; break }
            if FileSystem.observe(temporary.path).holds(temporary.link) { try? FileSystem.remove(temporary.path) }
            tick()
        }
        // 2. Removals first, so a freed path can be reused.
        for remove in plan.removes {
            defer { tick() }
            if lost(remove.entry.target, remove.entry.mappingKey) { continue }
            let seen = FileSystem.observe(remove.entry.target)
            if seen == .missing {
                done.deletes.append(remove.entry.target)
                continue
            }
            guard seen.holds(remove.entry.link) else {
                logger.info("left alone: \(remove.entry.target) no longer holds the link Usher made")
                done.deletes.append(remove.entry.target)
                continue
            }
            do {
                try FileSystem.remove(remove.entry.target)
                done.deletes.append(remove.entry.target)
            } catch {
                failures.append(ApplyFailure(target: remove.entry.target, mappingLabel: remove.entry.mappingKey, message: error.description))
            }
        }
        // 3. Replacements.
        for replace in plan.replaces {
            defer { tick() }
            let new = replace.new
            let old = replace.old
            if lost(new.target, new.mappingLabel) { continue }
            var entry = LedgerEntry(wanted: new, at: now, createdAt: old.createdAt)
            do {
                guard FileSystem.observe(old.target).holds(old.link) else {
                    throw FileSystemError(operation: "replace (the old link changed meanwhile, left alone)", path: old.target, code: EBUSY)
                }
                if old.target == new.target {
                    let temporary = Self.temporaryPath(for: new.target)
                    switch FileSystem.observe(temporary) {
                    case .missing: break
                    case let seen where seen.matches(new.identity): try FileSystem.remove(temporary)  // an earlier attempt at this link
                    default:
                        throw FileSystemError(operation: "replace (a file Usher did not create is at its temporary name, left alone; move it away)", path: temporary, code: EEXIST)
                    }
                    try makeLink(new, at: temporary)
                    do {
                        try FileSystem.move(temporary, to: new.target)
                    } catch {
                        try? FileSystem.remove(temporary)
                        throw error
                    }
                } else {
                    try FileSystem.makeDirectories(Paths.parent(new.target))
                    try makeLink(new, at: new.target)
                    if FileSystem.observe(old.target).holds(old.link) { try? FileSystem.remove(old.target) }
                    done.deletes.append(old.target)
                }
                entry.pending = nil
                done.upserts.append(entry)
            } catch {
                failures.append(ApplyFailure(target: new.target, mappingLabel: new.mappingLabel, message: "\(error)"))
                if old.target == new.target {
                    var restored = old
                    restored.pending = nil
                    done.upserts.append(restored)
                } else {
                    done.deletes.append(new.target)
                }
            }
        }
        // 4. New links: link(2) and symlink(2) create the name atomically and never replace a file.
        for create in plan.creates {
            defer { tick() }
            if lost(create.link.target, create.link.mappingLabel) { continue }
            do {
                try FileSystem.makeDirectories(Paths.parent(create.link.target))
                try makeLink(create.link, at: create.link.target)
                done.upserts.append(LedgerEntry(wanted: create.link, at: now))
            } catch where error.alreadyExists && FileSystem.observe(create.link.target).matches(create.link.identity) {
                // Exactly the wanted link is there already (another run made it): it is this one's too.
                done.upserts.append(LedgerEntry(wanted: create.link, at: now))
            } catch {
                let message = error.alreadyExists ? "a file appeared at the target during the run; it is left alone" : error.description
                failures.append(ApplyFailure(target: create.link.target, mappingLabel: create.link.mappingLabel, message: message))
                done.deletes.append(create.link.target)
            }
        }
        for link in plan.adopts { done.upserts.append(LedgerEntry(wanted: link, at: now)) }
        done.upserts += plan.refreshes
        done.deletes += plan.forgets.map(\.entry.target)
        do {
            try ledger.apply(done)
        } catch {
            logger.error("could not record the results in the state database; the next run will settle them: \(error)")
        }
        return failures
    }

    private func makeLink(_ link: WantedLink, at path: String) throws(FileSystemError) {
        switch link.identity {
        case .hardlink: try FileSystem.hardLink(from: link.source.path, to: path)
        case .symlink(let destination): try FileSystem.symbolicLink(destination: destination, at: path)
        }
    }
}
