import AsyncHTTPClient
public import Foundation
public import Logging
public import UsherCore

public struct PrefetchOptions: Sendable {
    public var dryRun: Bool
    /// The time the run works from (tests set it).
    public var now: Date
    /// Playback webhooks' viewers, shows and positions (`usher serve`); `nil`: the run plans from the history alone.
    public var focus: PrefetchFocus?

    public init(dryRun: Bool = false, now: Date = Date(), focus: PrefetchFocus? = nil) {
        self.dryRun = dryRun
        self.now = now
        self.focus = focus
    }
}

/// The just-in-time job: who watches what (Tautulli, Plex or Jellyfin: `prefetch.history`), what they reach
/// next (Sonarr), search what is missing and move up what is downloading (the download clients). Decisions are made by the pure
/// planners of `UsherCore`; this type asks and tells the services.
public struct PrefetchJob: Sendable {
    public var config: UsherConfig
    public var logger: Logger
    /// The process's HTTP client, gate and retry policy; without one, the run makes its own and closes it.
    public var hub: ServiceHub?

    public init(config: UsherConfig, logger: Logger, hub: ServiceHub? = nil) {
        self.config = config
        self.logger = logger
        self.hub = hub
    }

    /// A show's TVDB id is asked of its history source again after this long (a show Plex had not matched yet
    /// may have been fixed); a known id is kept for 30 days.
    static let unknownShowRecheck: Int64 = 86400
    static let knownShowRecheck: Int64 = 30 * 86400

    public func run(_ options: PrefetchOptions) async throws(JobError) -> PrefetchReport {
        if let message = config.requirementError(for: .prefetch) { throw JobError(kind: .config, message: message) }
        return try await ServiceHub.using(hub, config: config, logger: logger) { hub throws(JobError) in
            try await run(options, hub: hub)
        }
    }

    /// The steps of a run, each adding to the report.
    private func run(_ options: PrefetchOptions, hub: ServiceHub) async throws(JobError) -> PrefetchReport {
        let lock = try JobState.lock(statePath: config.statePath, suffix: ".prefetch.lock", dryRun: options.dryRun, logger: logger).lock
        defer { lock?.release() }
        let state = try JobState.open(config.statePath)
        let settings = config.prefetch
        let now = Int64(options.now.timeIntervalSince1970)
        let services = hub.arr(config)
        let history = HistoryClients(config: config, hub: hub, services: services)
        // Tautulli may be configured for its notification agents alone.
        let tautulli = config.tautulli.map { hub.tautulli($0, counter: services.counter) }
        var run = PrefetchRun(dryRun: options.dryRun)
        if let focus = options.focus, focus.only { run.focus = focus.descriptions }
        defer { logger.debug("prefetch finished", metadata: ["requests": "\(services.counter.total)"]) }

        // 1. Who watches what.
        let read = try await readHistory(history, settings: settings, now: now)
        run.errors += read.failures
        if read.failures.count == settings.history.count { return run.report(requests: services.counter.total) }
        var positions = read.positions
        if let focus = options.focus, focus.only, let users = focus.users {
            positions = positions.filter { users.contains($0.user.lowercased()) }
        }
        if positions.isEmpty, options.focus?.events.isEmpty ?? true {
            // Nobody watched anything: nothing to ask Sonarr, but the run went through.
            await finish(&run, options: options, settings: settings, hub: hub, counter: services.counter, tautulli: tautulli)
            return run.report(requests: services.counter.total)
        }
        // 2. Which series each show is.
        let matched = await selectShows(positions, services: services, history: history, state: state, options: options, now: now, run: &run)
        // 3. What comes next for each series, and what to do about it.
        let plans = try await planSeries(matched, services: services, state: state, now: now, run: &run)
        // 4. Search (not if another run took the lock: it asks itself).
        if let lock, !lock.verify() {
            return run.failed(
                "the lock file \(lock.path) was deleted and another run took the lock; this run stopped before searching",
                requests: services.counter.total)
        }
        let sent = await search(plans.map { ($0.series, $0.plan) }, services: services, state: state, options: options, now: now, run: &run)
        // 5. Downloads that the searches just started: watched for a short, bounded time.
        var downloading = plans.flatMap(\.plan.downloading)
        if !sent.commands.isEmpty, settings.searchWaitSeconds > 0 {
            let grabbed = await waitForGrabs(services, commands: sent.commands, episodes: sent.episodes, seconds: settings.searchWaitSeconds)
            for item in run.searched {
                guard let download = grabbed[item.sonarr]?[item.episodeID ?? -1] else { continue }
                downloading.append(SeriesPlan.Downloading(item: item, downloadID: download, reachedInMinutes: item.reachedInMinutes))
            }
        }
        // 6. Move the most urgent downloads to the front of their client (not if another run took the lock
        // meanwhile: it moves them itself).
        if let lock, !lock.verify() {
            run.errors.append("the lock file \(lock.path) was deleted and another run took the lock; this run did not move any download")
        } else {
            await prioritize(downloading, settings: settings, options: options, hub: hub, counter: services.counter, run: &run)
        }
        run.sort()
        await finish(&run, options: options, settings: settings, hub: hub, counter: services.counter, tautulli: tautulli)
        return run.report(requests: services.counter.total)
    }

    // MARK: - Steps

    /// The watched shows matched to Sonarr series (`ShowSelection`); the excluded and unmatched ones go to the
    /// report, new unmatched ones are remembered so they are reported once.
    private func selectShows(
        _ positions: [ViewerPosition], services: ArrServices, history: HistoryClients, state: Ledger,
        options: PrefetchOptions, now: Int64, run: inout PrefetchRun
    ) async -> [(series: PrefetchSeries, viewers: [ViewerPosition])] {
        let settings = config.prefetch
        let (seriesList, tagIDs, seriesFailures) = await sonarrSeries(services, excludeTag: settings.excludeTag)
        run.errors += seriesFailures.values.sorted()
        let shows = await watchedShows(positions, history: history, state: state, now: now, dryRun: options.dryRun)
        let matcher = ShowMatcher(series: seriesList)
        let selection = ShowSelection.select(
            positions: positions, shows: shows, matcher: matcher,
            excludeTag: settings.excludeTag.map { ($0, tagIDs) }, someSonarrFailed: !seriesFailures.isEmpty,
            reported: (try? state.reportedUnmatched()) ?? [])
        run.skipped += selection.excluded
        run.unmatched += selection.unmatched.map { PrefetchReport.Unmatched(show: $0.title, tvdbId: $0.tvdb, reason: $0.reason, new: $0.new) }
        run.warnings += selection.unmatched.filter(\.new).map(\.warning)
        if !options.dryRun {
            let newlyReported = Dictionary(selection.unmatched.filter(\.new).map { ($0.key, $0.title) }, uniquingKeysWith: { a, _ in a })
            try? state.updateUnmatched(reported: newlyReported, matched: selection.matchedKeys, at: now)
        }
        guard let focus = options.focus else { return selection.matched }
        let filter = settings.filter
        return focus.apply(
            to: selection.matched, matcher: matcher,
            excluded: { series in
                guard settings.excludeTag != nil, let tag = tagIDs[series.key.instance] else { return false }
                return series.tags.contains(tag)
            },
            admits: filter.admitsUser, now: now)
    }

    /// Each matched series' episodes and its instance's queue, into a `SeriesPlan`; skipped episodes go to the report.
    private func planSeries(
        _ matched: [(series: PrefetchSeries, viewers: [ViewerPosition])], services: ArrServices, state: Ledger, now: Int64,
        run: inout PrefetchRun
    ) async throws(JobError) -> [(series: PrefetchSeries, plan: SeriesPlan)] {
        let settings = config.prefetch
        let instances = Set(matched.map(\.series.key.instance)).sorted()
        let queues = await sonarrQueues(services, instances)
        var searchedRecently: [String: [Int: Int64]] = [:]
        do { searchedRecently = try state.recentSearches(now: now, cooldownSeconds: settings.searchCooldownSeconds) } catch {
            throw JobError(kind: .state, message: "cannot read the search cooldowns from \(config.statePath): \(error)")
        }
        let episodeLists = await boundedMap(matched, limit: services.concurrency) { entry -> Result<[SonarrEpisode], ServiceError> in
            guard let client = services.sonarr(entry.series.key.instance) else { return .success([]) }
            do throws(ServiceError) { return .success(try await client.episodes(seriesID: entry.series.key.id)) } catch { return .failure(error) }
        }
        var plans: [(series: PrefetchSeries, plan: SeriesPlan)] = []
        for ((series, viewers), answer) in zip(matched, episodeLists) {
            guard case .success(let list) = answer else {
                if case .failure(let error) = answer { run.errors.append(error.description) }
                continue
            }
            guard case .success(let queue) = queues[series.key.instance] ?? .success([:]) else {
                continue  // the instance's queue could not be read: reported once below
            }
            var titles: [Int: String] = [:]
            for episode in list { if let title = episode.title { titles[episode.id] = title } }
            let plan = SeriesPlan.make(
                series: series, viewers: viewers, episodes: list.map(\.upcomingEpisode), titles: titles, queue: queue,
                lastSearched: searchedRecently[series.key.instance] ?? [:], window: settings.window,
                cooldownSeconds: settings.searchCooldownSeconds, seasonSearch: settings.seasonSearch, now: now)
            run.skipped += plan.skipped
            plans.append((series, plan))
        }
        for instance in instances {
            if case .failure(let error) = queues[instance] { run.errors.append(error.description) }
        }
        return plans
    }

    /// Sets monitored where needed and sends one command per series (or season); the cooldown is recorded only
    /// for searches Sonarr accepted. Returns the commands sent and the episodes they search.
    private func search(
        _ plans: [(PrefetchSeries, SeriesPlan)], services: ArrServices, state: Ledger, options: PrefetchOptions, now: Int64,
        run: inout PrefetchRun
    ) async -> (commands: [String: [Int]], episodes: [String: Set<Int>]) {
        var sentCommands: [String: [Int]] = [:]
        var searchedEpisodes: [String: Set<Int>] = [:]
        for (series, plan) in plans where !plan.searches.isEmpty {
            guard let client = services.sonarr(series.key.instance) else { continue }
            if !options.dryRun, !plan.monitor.isEmpty {
                do { try await client.setMonitored(episodeIDs: plan.monitor, true) } catch {
                    run.errors.append(error.description)
                    continue
                }
            }
            for request in plan.searches {
                var accepted = options.dryRun
                if !options.dryRun {
                    do {
                        let command: ArrCommand
                        switch request {
                        case .episodes(_, let ids): command = try await client.searchEpisodes(ids)
                        case .season(let id, let season, _): command = try await client.searchSeason(seriesID: id, season: season)
                        }
                        sentCommands[series.key.instance, default: []].append(command.id)
                        accepted = true
                        do { try state.recordSearches(instance: series.key.instance, episodeIDs: request.episodeIDs, at: now) } catch {
                            run.warnings.append("could not record the search cooldown in \(config.statePath): \(error)")
                        }
                    } catch {
                        run.errors.append(error.description)
                    }
                }
                guard accepted else { continue }
                for id in request.episodeIDs {
                    guard let item = plan.searched(id, by: request) else { continue }
                    run.searched.append(item)
                    searchedEpisodes[series.key.instance, default: []].insert(id)
                }
            }
        }
        return (sentCommands, searchedEpisodes)
    }

    /// Tells people what is new (nothing on a quiet run), and the health check that the run went through.
    private func finish(
        _ run: inout PrefetchRun, options: PrefetchOptions, settings: PrefetchSettings, hub: ServiceHub,
        counter: RequestCounter, tautulli: TautulliClient?
    ) async {
        guard !options.dryRun else { return }
        let redactor = Redactor(secrets: config.secrets)
        if !run.searched.isEmpty || !run.prioritized.isEmpty {
            let notifier = Notifier(http: hub.http, policy: hub.policy, logger: logger, counter: counter, tautulli: tautulli)
            let news = run.report(requests: 0)
            for target in config.notify {
                do throws(ServiceError) {
                    try await notifier.send(news, to: target)
                    run.notified.append(target.kind)
                } catch {
                    run.warnings.append("notification by \(target.kind) failed: \(redactor.redact(error.description))")
                }
            }
        }
        if run.errors.isEmpty, let url = settings.healthURL {
            let client = ServiceClient.plain("health check", url, http: hub.http, policy: hub.policy, logger: logger, counter: counter)
            do throws(ServiceError) {
                _ = try await client.send("GET", "", accept: "*/*")
                run.healthChecked = true
            } catch {
                run.warnings.append("health check failed: \(redactor.redact(error.description))")
            }
        }
    }

    /// Every series of every instance (instances in config order), each instance's exclude-tag id,
    /// and the instances that did not answer.
    private func sonarrSeries(_ services: ArrServices, excludeTag: String?) async -> ([PrefetchSeries], [String: Int], [String: String]) {
        let answers = await services.eachSonarr { client throws(ServiceError) in (try await client.series(), excludeTag == nil ? [] : try await client.tags()) }
        var list: [PrefetchSeries] = []
        var tagIDs: [String: Int] = [:]
        var failures: [String: String] = [:]
        for (name, answer) in answers {
            switch answer {
            case .success(let (series, tags)):
                if let excludeTag, let tag = tags.first(where: { $0.label.lowercased() == excludeTag }) { tagIDs[name] = tag.id }
                list += series.map { $0.prefetchSeries(instance: name) }
            case .failure(let error):
                failures[name] = error.description
            }
        }
        return (list, tagIDs, failures)
    }

    /// Each instance's queue: episode id → download id.
    private func sonarrQueues(_ services: ArrServices, _ instances: [String]) async -> [String: Result<[Int: String], ServiceError>] {
        let answers = await boundedMap(instances, limit: services.concurrency) { name -> (String, Result<[Int: String], ServiceError>) in
            guard let client = services.sonarr(name) else { return (name, .success([:])) }
            do throws(ServiceError) { return (name, .success(Self.downloads(try await client.queue()))) } catch { return (name, .failure(error)) }
        }
        return Dictionary(answers, uniquingKeysWith: { a, _ in a })
    }

    static func downloads(_ records: [SonarrQueueRecord]) -> [Int: String] {
        var result: [Int: String] = [:]
        for record in records {
            guard let episode = record.episodeId, let id = record.downloadId, !id.isEmpty else { continue }
            if ["completed", "failed"].contains(record.status?.lowercased() ?? "") { continue }
            result[episode] = id
        }
        return result
    }

    /// Follows the search commands until Sonarr has finished them (or `seconds` pass), then reads the
    /// queue once: the downloads of searched episodes that are there now. Polls at growing intervals.
    private func waitForGrabs(_ services: ArrServices, commands: [String: [Int]], episodes: [String: Set<Int>], seconds: Int) async -> [String: [Int: String]] {
        let follower = CommandFollower(
            services: services, timeout: .seconds(seconds), firstPause: .milliseconds(250), longestPause: .seconds(5),
            giveUpOnReadError: false)
        _ = await follower.follow(commands.mapValues { $0.map { ArrCommand(id: $0) } })
        var result: [String: [Int: String]] = [:]
        for (instance, wanted) in episodes {
            guard let client = services.sonarr(instance), let queue = try? await client.queue() else { continue }
            result[instance] = Self.downloads(queue).filter { wanted.contains($0.key) }
        }
        return result
    }

    /// Moves the urgent downloads up in their clients: where each is and what to do is `DownloadPlacement`'s
    /// and `QueueOrder`'s to say; this reads the queues and makes the calls.
    private func prioritize(
        _ downloading: [SeriesPlan.Downloading], settings: PrefetchSettings, options: PrefetchOptions, hub: ServiceHub,
        counter: RequestCounter, run: inout PrefetchRun
    ) async {
        guard !downloading.isEmpty else { return }
        let clients = config.downloadClients.map { hub.downloadClient($0, counter: counter) }
        let queues = await boundedMap(Array(clients.indices), limit: config.apiConcurrency) { index -> Result<[DownloadItem], ServiceError> in
            do throws(ServiceError) { return .success(try await clients[index].queue()) } catch { return .failure(error) }
        }
        var located: [String: DownloadPlacement.Located] = [:]
        var failedClients = false
        for (index, answer) in queues.enumerated() {
            switch answer {
            case .success(let items):
                for item in items where located[item.downloadID.lowercased()] == nil {
                    located[item.downloadID.lowercased()] = .init(client: index, clientName: clients[index].name, ref: item.ref, paused: item.paused)
                }
            case .failure(let error): run.errors.append(error.description); failedClients = true
            }
        }
        let placement = DownloadPlacement.place(downloading, located: located, clientsConfigured: !clients.isEmpty, someClientFailed: failedClients)
        run.skipped += placement.skipped
        for (index, refs) in placement.urgent.sorted(by: { $0.key < $1.key }) {
            let client = clients[index]
            var queue = (try? queues[index].get()) ?? []
            var raised = Set<String>()
            if client.kind == .sabnzbd || client.kind == .nzbget {
                for ref in refs {
                    guard let entry = queue.first(where: { $0.ref == ref }), settings.priority.raises(entry.priority) else { continue }
                    if !options.dryRun {
                        do { try await client.raisePriority(entry, to: settings.priority) } catch { run.errors.append(error.description); continue }
                    }
                    raised.insert(ref)
                }
                if !raised.isEmpty, !options.dryRun, let fresh = try? await client.queue() { queue = fresh }
            }
            var moved = Set<String>()
            for ref in QueueOrder.movesToTop(queue: queue.map { QueueItem(id: $0.ref, paused: $0.paused) }, urgent: refs) {
                guard let entry = queue.first(where: { $0.ref == ref }) else { continue }
                if !options.dryRun {
                    do { try await client.moveToTop(entry) } catch { run.errors.append(error.description); continue }
                }
                moved.insert(ref)
            }
            for ref in refs {
                for item in placement.items[ref] ?? [] {
                    let outcome = DownloadPlacement.outcome(
                        item, raisedTo: raised.contains(ref) ? settings.priority : nil, moved: moved.contains(ref),
                        clientName: client.name)
                    if outcome.prioritized { run.prioritized.append(outcome.item) } else { run.skipped.append(outcome.item) }
                }
            }
        }
    }
}
