public import Foundation
public import Logging
import UsherCore
import AsyncHTTPClient

public struct PrefetchOptions: Sendable {
    public var dryRun: Bool
    /// The time the run works from (tests set it).
    public var now: Date

    public init(dryRun: Bool = false, now: Date = Date()) {
        self.dryRun = dryRun
        self.now = now
    }
}

/// The just-in-time job: who watches what (Tautulli), what they reach next (Sonarr), search what is
/// missing and move up what is downloading (the download clients). Decisions are made by the pure
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

    /// A show's TVDB id is asked of Tautulli again after this long (a show Plex had not matched yet
    /// may have been fixed); a known id is kept for 30 days.
    static let unknownShowRecheck: Int64 = 86400
    static let knownShowRecheck: Int64 = 30 * 86400

    public func run(_ options: PrefetchOptions) async throws(JobError) -> PrefetchReport {
        if let message = config.requirementError(for: .prefetch) { throw JobError(kind: .config, message: message) }
        guard let tautulliServer = config.tautulli else { throw JobError(kind: .config, message: "\(config.file): no 'tautulli:' section") }
        return try await ServiceHub.using(hub, config: config, logger: logger) { hub throws(JobError) in
            try await run(options, tautulliServer: tautulliServer, hub: hub)
        }
    }

    private func run(_ options: PrefetchOptions, tautulliServer: TautulliServer, hub: ServiceHub) async throws(JobError) -> PrefetchReport {
        var lock: RunLock?
        if !options.dryRun {
            do {
                lock = try RunLock.beside(statePath: config.statePath, suffix: ".prefetch.lock")
            } catch let busy as RunLock.Busy {
                throw JobError(kind: .busy, message: busy.description)
            } catch {
                throw JobError(kind: .state, message: "\(error)")
            }
        }
        defer { lock?.release() }
        let state: Ledger
        do { state = try Ledger(path: config.statePath) } catch {
            throw JobError(kind: .state, message: "cannot open the state database \(config.statePath): \(error)")
        }

        let settings = config.prefetch
        let now = Int64(options.now.timeIntervalSince1970)
        let services = hub.arr(config)
        let tautulli = hub.tautulli(tautulliServer, counter: services.counter)
        var run = PrefetchRun(dryRun: options.dryRun)
        defer { logger.debug("prefetch finished", metadata: ["requests": "\(services.counter.total)"]) }

        // 1. Who watches what.
        let sectionIDs: [Int]
        do {
            sectionIDs = try await librarySections(tautulli, settings.libraries)
        } catch let error as JobError {
            throw error
        } catch {
            return run.failed("\(error)", requests: services.counter.total)
        }
        // Tautulli takes a calendar day in its own time zone: ask from the day before, and keep exactly
        // the last `history_days` × 24 hours (`WatchFilter.since`).
        let since = now - Int64(settings.historyDays) * 86400
        let after = Self.day(since - 86400)
        let rows: [TautulliHistoryRow]
        do { rows = try await tautulli.history(after: after, sectionIDs: sectionIDs) } catch {
            return run.failed(error.description, requests: services.counter.total)
        }
        var filter = settings.filter
        filter.since = since
        let positions = WatchProgress.positions(rows.compactMap(\.watchEvent), filter: filter)
        logger.debug("read the watch history", metadata: ["plays": "\(rows.count)", "viewers": "\(positions.count)"])

        if positions.isEmpty {
            // Nobody watched anything: nothing to ask Sonarr, but the run went through.
            await finish(&run, options: options, settings: settings, hub: hub, counter: services.counter, tautulli: tautulli)
            return run.report(requests: services.counter.total)
        }

        // 2. Which series each show is, and what Sonarr holds.
        let (seriesList, tagIDs, seriesFailures) = await sonarrSeries(services, excludeTag: settings.excludeTag)
        run.errors += seriesFailures.values.sorted()
        let matcher = ShowMatcher(series: seriesList)
        let shows = await watchedShows(positions, tautulli: tautulli, state: state, now: now, dryRun: options.dryRun)
        var byShow: [String: [ViewerPosition]] = [:]
        for position in positions { byShow[position.show, default: []].append(position) }
        var matched: [(PrefetchSeries, [ViewerPosition])] = []
        var unmatched: [String: String] = [:]
        var matchedKeys: [String] = []
        let reported = (try? state.reportedUnmatched()) ?? []
        for (key, viewers) in byShow.sorted(by: { $0.key < $1.key }) {
            let show = shows[key] ?? WatchedShow(key: key, title: viewers[0].showTitle, tvdb: nil)
            switch matcher.match(show) {
            case .matched(let series, _):
                matchedKeys.append(key)
                if let tag = tagIDs[series.key.instance], series.tags.contains(tag) {
                    for viewer in viewers {
                        run.skipped.append(PrefetchItem(series: series, season: viewer.furthest.season, episode: viewer.furthest.episode, title: nil,
                                                        users: [viewer.user], reason: "series has the tag '\(settings.excludeTag ?? "")' (last watched)"))
                    }
                    continue
                }
                matched.append((series, viewers))
            case .unmatched(let reason):
                // A failed Sonarr instance may hold it: not reported as unmatched then.
                if !seriesFailures.isEmpty { continue }
                let isNew = !reported.contains(key)
                run.unmatched.append(.init(show: show.title, tvdbId: show.tvdb, reason: reason, new: isNew))
                if isNew { unmatched[key] = show.title; run.warnings.append("no Sonarr series for the watched show '\(show.title)': \(reason) (reported once)") }
            }
        }
        if !options.dryRun { try? state.updateUnmatched(reported: unmatched, matched: matchedKeys, at: now) }

        // 3. What comes next, and what to do about it.
        let instances = Set(matched.map(\.0.key.instance)).sorted()
        let queues = await sonarrQueues(services, instances)
        var searchedRecently: [String: [Int: Int64]] = [:]
        do { searchedRecently = try state.recentSearches(now: now, cooldownSeconds: settings.searchCooldownSeconds) } catch {
            throw JobError(kind: .state, message: "cannot read the search cooldowns from \(config.statePath): \(error)")
        }
        let episodeLists = await boundedMap(matched, limit: services.concurrency) { entry -> Result<[SonarrEpisode], ServiceError> in
            guard let client = services.sonarr(entry.0.key.instance) else { return .success([]) }
            do throws(ServiceError) { return .success(try await client.episodes(seriesID: entry.0.key.id)) } catch { return .failure(error) }
        }
        var searches: [(PrefetchSeries, [SearchRequest], [Int: PrefetchItem], monitor: [Int])] = []
        var downloading: [(PrefetchItem, String, Int)] = []
        for ((series, viewers), answer) in zip(matched, episodeLists) {
            guard case .success(let list) = answer else {
                if case .failure(let error) = answer { run.errors.append(error.description) }
                continue
            }
            guard case .success(let queue) = queues[series.key.instance] ?? .success([:]) else {
                continue  // the instance's queue could not be read: reported once below
            }
            let episodes = list.map(Self.upcoming)
            var titles: [Int: String] = [:]
            for episode in list { if let title = episode.title { titles[episode.id] = title } }
            let needs = NextEpisodes.needs(of: viewers, in: episodes, settings.window, now: now)
            let actions = PrefetchPlanner.actions(for: needs, queue: queue, lastSearched: searchedRecently[series.key.instance] ?? [:],
                                                  cooldownSeconds: Int64(settings.searchCooldownSeconds), now: now)
            var toSearch: [UpcomingEpisode] = []
            var items: [Int: PrefetchItem] = [:]
            var monitor: [Int] = []
            for (need, action) in actions {
                var item = PrefetchItem(series: series, season: need.episode.number.season, episode: need.episode.number.episode,
                                        title: titles[need.episode.id], users: need.users.sorted(), reason: "", episodeID: need.episode.id)
                item.reachedInMinutes = need.reachedInMinutes
                switch action {
                case .onDisk:
                    item.reason = "on disk"
                    run.skipped.append(item)
                case .notAired:
                    item.reason = "not aired yet" + (need.episode.airsAt.map { " (airs \(Self.timestamp($0)))" } ?? "")
                    run.skipped.append(item)
                case .coolingDown(let at):
                    item.reason = "searched \(Self.timestamp(at)); next search after the \(DurationText.format(seconds: settings.searchCooldownSeconds)) cooldown"
                    run.skipped.append(item)
                case .search(let monitorFirst):
                    item.reason = monitorFirst ? "missing (set monitored)" : "missing"
                    toSearch.append(need.episode)
                    items[need.episode.id] = item
                    if monitorFirst { monitor.append(need.episode.id) }
                case .prioritize(let downloadID):
                    downloading.append((item, downloadID, need.reachedInMinutes))
                }
            }
            let queued = Set(queue.keys)
            let requests = SearchBatcher.requests(seriesID: series.key.id, searching: toSearch, episodes: episodes, queued: queued,
                                                  seasonSearch: settings.seasonSearch, now: now)
            if !requests.isEmpty { searches.append((series, requests, items, monitor)) }
        }
        for instance in instances {
            if case .failure(let error) = queues[instance] { run.errors.append(error.description) }
        }

        // 4. Search: set monitored where needed, one command per series (or season), the cooldown
        // recorded only for searches Sonarr accepted.
        var sentCommands: [String: [Int]] = [:]
        var searchedEpisodes: [String: Set<Int>] = [:]
        // A run whose lock file was deleted and taken by another run stops asking for anything.
        if let lock, !lock.verify() {
            return run.failed("the lock file \(lock.path) was deleted and another run took the lock; this run stopped before searching", requests: services.counter.total)
        }
        for (series, requests, items, monitor) in searches {
            guard let client = services.sonarr(series.key.instance) else { continue }
            if !options.dryRun, !monitor.isEmpty {
                do { try await client.setMonitored(episodeIDs: monitor, true) } catch {
                    run.errors.append(error.description)
                    continue
                }
            }
            for request in requests {
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
                    guard var item = items[id] else { continue }
                    if case .season(_, let season, _) = request { item.reason += "; season \(season) searched whole (every remaining episode is missing)" }
                    run.searched.append(item)
                    searchedEpisodes[series.key.instance, default: []].insert(id)
                }
            }
        }

        // 5. Downloads that the searches just started: watched for a short, bounded time.
        if !sentCommands.isEmpty, settings.searchWaitSeconds > 0 {
            let grabbed = await waitForGrabs(services, commands: sentCommands, episodes: searchedEpisodes, seconds: settings.searchWaitSeconds)
            for item in run.searched {
                guard let download = grabbed[item.sonarr]?[item.episodeID ?? -1] else { continue }
                downloading.append((item, download, item.reachedInMinutes))
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

    /// Tells people what is new (nothing on a quiet run), and the health check that the run went through.
    private func finish(
        _ run: inout PrefetchRun, options: PrefetchOptions, settings: PrefetchSettings, hub: ServiceHub,
        counter: RequestCounter, tautulli: TautulliClient
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

    private func librarySections(_ tautulli: TautulliClient, _ names: [String]) async throws -> [Int] {
        guard !names.isEmpty else { return [] }
        let libraries = try await tautulli.libraries()
        var ids: [Int] = []
        for name in names {
            guard let id = libraries.first(where: { $0.sectionName?.lowercased() == name.lowercased() })?.sectionID else {
                let known = libraries.compactMap(\.sectionName).sorted().joined(separator: ", ")
                throw JobError(kind: .config, message: "\(config.file): prefetch.libraries: Plex has no library '\(name)' (Tautulli knows: \(known))")
            }
            ids.append(id)
        }
        return ids
    }

    /// Every series of every instance (instances in config order), each instance's exclude-tag id,
    /// and the instances that did not answer.
    private func sonarrSeries(_ services: ArrServices, excludeTag: String?) async -> ([PrefetchSeries], [String: Int], [String: String]) {
        let answers = await boundedMap(services.sonarr, limit: services.concurrency) { named -> (String, Result<([SonarrSeries], [ArrTag]), ServiceError>) in
            do throws(ServiceError) {
                let series = try await named.client.series()
                let tags = excludeTag == nil ? [] : try await named.client.tags()
                return (named.name, .success((series, tags)))
            } catch { return (named.name, .failure(error)) }
        }
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

    /// The shows of the history with their TVDB ids: from the state when known, else from Tautulli's
    /// `get_metadata` of the show (then remembered). A failed lookup leaves the id unknown (the title
    /// is tried) and is asked again next run.
    private func watchedShows(_ positions: [ViewerPosition], tautulli: TautulliClient, state: Ledger, now: Int64, dryRun: Bool) async -> [String: WatchedShow] {
        let known = (try? state.knownShows()) ?? [:]
        var titles: [String: String] = [:]
        for p in positions { titles[p.show] = p.showTitle }
        var result: [String: WatchedShow] = [:]
        var ask: [String] = []
        for (key, title) in titles {
            if let entry = known[key], now - entry.checkedAt < (entry.tvdb == nil ? Self.unknownShowRecheck : Self.knownShowRecheck) {
                result[key] = WatchedShow(key: key, title: title, tvdb: entry.tvdb)
            } else {
                ask.append(key)
            }
        }
        let answers = await boundedMap(ask.sorted(), limit: config.apiConcurrency) { key -> (String, TautulliMetadata?) in
            guard let ratingKey = Int(key) else { return (key, nil) }
            return (key, try? await tautulli.metadata(ratingKey: ratingKey))
        }
        var learned: [String: Ledger.KnownShow] = [:]
        for (key, metadata) in answers {
            let title = titles[key] ?? ""
            result[key] = WatchedShow(key: key, title: title, tvdb: metadata?.tvdbID)
            if let metadata { learned[key] = Ledger.KnownShow(title: title, tvdb: metadata.tvdbID, checkedAt: now) }
        }
        if !dryRun { try? state.recordShows(learned) }
        return result
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
        let follower = CommandFollower(services: services, timeout: .seconds(seconds), firstPause: .milliseconds(250), longestPause: .seconds(5),
                                       giveUpOnReadError: false)
        _ = await follower.follow(commands.mapValues { $0.map { ArrCommand(id: $0) } })
        var result: [String: [Int: String]] = [:]
        for (instance, wanted) in episodes {
            guard let client = services.sonarr(instance), let queue = try? await client.queue() else { continue }
            result[instance] = Self.downloads(queue).filter { wanted.contains($0.key) }
        }
        return result
    }

    private func prioritize(
        _ downloading: [(PrefetchItem, String, Int)], settings: PrefetchSettings, options: PrefetchOptions, hub: ServiceHub,
        counter: RequestCounter, run: inout PrefetchRun
    ) async {
        guard !downloading.isEmpty else { return }
        // Most urgent first, across shows: the episode someone reaches first leads.
        let ordered = downloading.sorted { ($0.2, $0.0.series, $0.0.season, $0.0.episode) < ($1.2, $1.0.series, $1.0.season, $1.0.episode) }
        guard !config.downloadClients.isEmpty else {
            for (item, download, _) in ordered {
                run.skipped.append(item.with(reason: "downloading; no download client is configured to move it up", download: download))
            }
            return
        }
        let clients = config.downloadClients.map { hub.downloadClient($0, counter: counter) }
        let queues = await boundedMap(Array(clients.indices), limit: config.apiConcurrency) { index -> Result<[DownloadItem], ServiceError> in
            do throws(ServiceError) { return .success(try await clients[index].queue()) } catch { return .failure(error) }
        }
        var located: [String: (Int, DownloadItem)] = [:]
        var failedClients = false
        for (index, answer) in queues.enumerated() {
            switch answer {
            case .success(let items): for item in items { located[item.downloadID.lowercased()] = located[item.downloadID.lowercased()] ?? (index, item) }
            case .failure(let error): run.errors.append(error.description); failedClients = true
            }
        }
        var urgent: [Int: [DownloadItem]] = [:]
        var itemsOf: [String: [PrefetchItem]] = [:]
        for (item, download, _) in ordered {
            let found = located[download.lowercased()]
            guard let (index, entry) = found else {
                let reason = failedClients ? "downloading; its download client did not answer" : "downloading, but in none of the configured download clients"
                run.skipped.append(item.with(reason: reason, download: download))
                continue
            }
            var item = item.with(reason: "", download: download)
            item.client = clients[index].name
            if entry.paused {
                item.reason = "paused in \(clients[index].name) by someone; left paused"
                run.skipped.append(item)
                continue
            }
            if !(urgent[index]?.contains { $0.ref == entry.ref } ?? false) { urgent[index, default: []].append(entry) }
            itemsOf[entry.ref, default: []].append(item)
        }
        for (index, wanted) in urgent.sorted(by: { $0.key < $1.key }) {
            let client = clients[index]
            var queue = (try? queues[index].get()) ?? []
            var raised = Set<String>()
            if settings.priority != .top, client.kind == .sabnzbd || client.kind == .nzbget {
                for entry in wanted where Self.rank(entry.priority) < Self.rank(settings.priority) {
                    if !options.dryRun {
                        do { try await client.raisePriority(entry, to: settings.priority) } catch { run.errors.append(error.description); continue }
                    }
                    raised.insert(entry.ref)
                }
                if !raised.isEmpty, !options.dryRun, let fresh = try? await client.queue() { queue = fresh }
            }
            let moves = QueueOrder.movesToTop(queue: queue.map { QueueItem(id: $0.ref, paused: $0.paused) }, urgent: wanted.map(\.ref))
            var moved = Set<String>()
            for ref in moves {
                guard let entry = queue.first(where: { $0.ref == ref }) else { continue }
                if !options.dryRun {
                    do { try await client.moveToTop(entry) } catch { run.errors.append(error.description); continue }
                }
                moved.insert(ref)
            }
            for entry in wanted {
                for var item in itemsOf[entry.ref] ?? [] {
                    var done: [String] = []
                    if raised.contains(entry.ref) { done.append("priority set to \(settings.priority.rawValue)") }
                    if moved.contains(entry.ref) { done.append("moved to the front of \(client.name)") }
                    if done.isEmpty {
                        item.reason = "downloading in \(client.name), already in order"
                        run.skipped.append(item)
                    } else {
                        item.reason = done.joined(separator: ", ")
                        run.prioritized.append(item)
                    }
                }
            }
        }
    }

    static func rank(_ priority: DownloadPriority?) -> Int {
        switch priority {
        case nil, .top?: 0
        case .high?: 1
        case .force?: 2
        }
    }

    // MARK: - Values

    static func upcoming(_ episode: SonarrEpisode) -> UpcomingEpisode {
        UpcomingEpisode(id: episode.id, number: EpisodeNumber(season: episode.seasonNumber, episode: episode.episodeNumber),
                        airsAt: episode.airDateUtc.flatMap(parseTimestamp), runtimeMinutes: episode.runtime.flatMap { $0 > 0 ? $0 : nil },
                        hasFile: episode.hasFile ?? ((episode.episodeFileId ?? 0) != 0), monitored: episode.monitored ?? true)
    }

    /// `2024-03-01T02:00:00Z`, with or without fractional seconds.
    static func parseTimestamp(_ text: String) -> Int64? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return Int64(date.timeIntervalSince1970) }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text).map { Int64($0.timeIntervalSince1970) }
    }

    static func timestamp(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// `YYYY-MM-DD` (UTC) of a moment.
    static func day(_ seconds: Int64) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        return String(format: "%04d-%02d-%02d", c.year ?? 1970, c.month ?? 1, c.day ?? 1)
    }
}
