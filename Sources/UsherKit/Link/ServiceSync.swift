import Foundation
import Logging
public import UsherCore

/// What Usher tells Sonarr, Radarr and Plex after the disk changed: planned from the run's outcome,
/// so a dry run can show it and a real run does exactly that.
public struct ServicePlan: Sendable {
    public struct Expectation: Sendable {
        public var target: String
        public var episodeIDs: [Int]
        public var seasons: Set<Int>
        public var label: String
    }
    /// Series with a changed link: one `RescanSeries` each.
    public var rescans: [CatalogSeries] = []
    /// What Sonarr should report after its rescan: the episode's file at the link's path.
    public var expectations: [SeriesKey: [Expectation]] = [:]
    /// Linked episodes still monitored, per Sonarr instance (`unmonitor_linked`).
    public var unmonitor: [String: [Int]] = [:]
    /// Series and movies that hold links after the run, per instance (for the tag).
    public var linkedSeries: [String: Set<Int>] = [:]
    public var linkedMovies: [String: Set<Int>] = [:]
    /// Instances whose answer was complete: only there is a tag removed.
    public var completeSonarr: Set<String> = []
    public var completeRadarr: Set<String> = []
    /// Show folders (on this machine) with a changed link: one partial Plex scan each.
    public var plexFolders: [String] = []
    /// Remembered steps asked again in this plan (their series are in `rescans`, their folders in `plexFolders`).
    public var retrying: [ServiceRetry] = []
    /// Remembered steps that cannot be asked this run (the service did not answer): kept for the next.
    public var carried: [ServiceRetry] = []
}

/// A step a service did not take after the disk changed (Sonarr did not rescan, Plex did not scan):
/// remembered in the state database and asked again by every run until it is taken, or until its
/// series is gone from Sonarr or its service from the config.
public struct ServiceRetry: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable { case rescan, plexScan = "plex_scan" }
    public var kind: Kind
    /// The Sonarr instance (empty for Plex).
    public var instance: String
    /// The series id, or the show folder Plex should scan.
    public var target: String
    public var label: String
    public var reason: String
    /// When it first failed (seconds since 1970), and how many runs tried.
    public var since: Int64
    public var attempts: Int

    public var key: String { "\(kind.rawValue)|\(instance)|\(target)" }

    public init(kind: Kind, instance: String, target: String, label: String, reason: String, since: Int64, attempts: Int) {
        self.kind = kind
        self.instance = instance
        self.target = target
        self.label = label
        self.reason = reason
        self.since = since
        self.attempts = attempts
    }
}

/// What was told, and what Sonarr said back.
public struct ServiceReport: Sendable, Codable {
    public var rescanned: [String] = []
    public var registered = 0
    public var notRegistered: [String] = []
    public var unmonitored = 0
    public var tagged: [String] = []
    public var untagged: [String] = []
    public var plexScans: [String] = []
    /// Steps that failed after the disk changed: the run ends with exit code 1.
    public var errors: [String] = []
    public var warnings: [String] = []
    public var requests = 0
    /// Steps to ask again next run: this run's failures and what could not be tried.
    public var retries: [ServiceRetry] = []
    /// Earlier failures taken this run.
    public var retried: [String] = []
}

/// What the steps changed in what Sonarr and Radarr hold, for the kept catalog (`CatalogRefresh.afterServices`).
struct ServiceEffects: Sendable {
    /// Every series asked to rescan: what was kept of it is stale unless checked below.
    var rescanned = Set<SeriesKey>()
    /// Episodes read after a rescan (`seasons`: the one season asked, `nil`: all), and the season counts of a
    /// series list read after the rescans ended and before those episodes.
    var checked: [SeriesKey: (seasons: Set<Int>?, episodes: [CatalogEpisode], files: [Int: CatalogFile])] = [:]
    var countsAfterRescan: [SeriesKey: [Int: SeasonCounts]] = [:]
    /// Episode ids set unmonitored, by Sonarr instance.
    var unmonitored: [String: [Int]] = [:]
    /// Tags added to (true) or removed from (false) movies.
    var movieTags: [MovieKey: [(tag: Int, added: Bool)]] = [:]
}

enum ServiceSync {
    /// Plans the follow-up of a run: which series to rescan, what to check, unmonitor and tag, and
    /// which folders Plex should scan.
    static func plan(
        outcome: LinkOutcome, resolved: ApiResolver.Result?, snapshot: ArrSnapshot?, config: UsherConfig, retries: [ServiceRetry] = []
    ) -> ServicePlan {
        var plan = ServicePlan()
        let linkPlan = outcome.plan
        let failed = outcome.failedTargets
        var changed: [String] = []
        var madeNow: [WantedLink] = []
        for c in linkPlan.creates where !failed.contains(c.link.target) { changed.append(c.link.target); madeNow.append(c.link) }
        for r in linkPlan.replaces where !failed.contains(r.new.target) {
            changed.append(r.new.target)
            if r.old.target != r.new.target { changed.append(r.old.target) }
            madeNow.append(r.new)
        }
        for r in linkPlan.removes where !failed.contains(r.entry.target) { changed.append(r.entry.target) }

        // Plex: the show folder of every changed link (the series folder, or the folder above the season folder).
        var folders = Set<String>()
        let seriesByPath = snapshot.map { Dictionary($0.series.byKey.values.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a }) } ?? [:]
        func series(containing path: String) -> CatalogSeries? {
            var dir = Paths.parent(path)
            while dir != "/" && !dir.isEmpty {
                if let s = seriesByPath[dir] { return s }
                dir = Paths.parent(dir)
            }
            return nil
        }
        for target in changed {
            if let s = series(containing: target) {
                folders.insert(s.path)
            } else {
                let dir = Paths.parent(target)
                folders.insert(LibraryRules.season(ofFolder: Paths.lastComponent(dir)) != nil ? Paths.parent(dir) : dir)
            }
        }
        // Plex scans that failed before: asked again while Plex is configured.
        for retry in retries where retry.kind == .plexScan && config.plex != nil {
            folders.insert(retry.target)
            plan.retrying.append(retry)
        }
        plan.plexFolders = folders.sorted()

        let sonarrNames = Set(config.sonarr.map(\.name))
        let rescanRetries = retries.filter { $0.kind == .rescan && sonarrNames.contains($0.instance) }
        guard let snapshot, let resolved else {
            plan.carried = rescanRetries
            return plan
        }
        var rescans: [SeriesKey: CatalogSeries] = [:]
        for target in changed { if let s = series(containing: target) { rescans[s.key] = s } }
        // Rescans that failed before: asked again; a series Sonarr no longer lists is dropped, one of
        // an instance that did not answer is kept for the next run.
        var retriedSeries = Set<SeriesKey>()
        for retry in rescanRetries {
            guard let id = Int(retry.target) else { continue }
            let key = SeriesKey(instance: retry.instance, id: id)
            if let s = snapshot.series.byKey[key] {
                rescans[key] = s
                retriedSeries.insert(key)
                plan.retrying.append(retry)
            } else if snapshot.series.failures[retry.instance] != nil {
                plan.carried.append(retry)
            }
        }
        plan.rescans = rescans.keys.sorted().compactMap { rescans[$0] }
        for link in madeNow {
            guard let spec = resolved.targets[link.mappingKey], let key = spec.series else { continue }
            plan.expectations[key, default: []].append(
                .init(
                    target: link.target, episodeIDs: spec.episodes.map(\.id), seasons: Set(spec.episodes.map(\.number.season)), label: link.mappingLabel))
        }

        // Links alive after the run: wanted and in place, or kept.
        var alive: [WantedLink] = linkPlan.unchanged + linkPlan.adopts
        alive += linkPlan.creates.map(\.link).filter { !failed.contains($0.target) }
        alive += linkPlan.replaces.map(\.new).filter { !failed.contains($0.target) }
        // A retried rescan checks the series' links that were made by an earlier run.
        for link in linkPlan.unchanged + linkPlan.adopts {
            guard let spec = resolved.targets[link.mappingKey], let key = spec.series, retriedSeries.contains(key) else { continue }
            plan.expectations[key, default: []].append(
                .init(
                    target: link.target, episodeIDs: spec.episodes.map(\.id), seasons: Set(spec.episodes.map(\.number.season)), label: link.mappingLabel))
        }
        if config.unmonitorLinked {
            for link in alive {
                guard let spec = resolved.targets[link.mappingKey], let key = spec.series else { continue }
                let ids = spec.episodes.filter(\.monitored).map(\.id)
                if !ids.isEmpty { plan.unmonitor[key.instance, default: []] += ids }
            }
            for key in plan.unmonitor.keys { plan.unmonitor[key] = Array(Set(plan.unmonitor[key]!)).sorted() }
        }
        if config.tag != nil {
            var moviesByFile: [String: CatalogMovie] = [:]
            for movie in snapshot.movies.all { if let file = movie.file { moviesByFile[file.path] = movie } }
            var paths: [(target: String, source: String)] = alive.map { ($0.target, $0.source.path) }
            paths += linkPlan.kept.map { ($0.entry.target, $0.entry.link.sourcePath) }
            for (target, source) in paths {
                if let s = series(containing: target) { plan.linkedSeries[s.instance, default: []].insert(s.id) }
                if let movie = moviesByFile[source] { plan.linkedMovies[movie.instance, default: []].insert(movie.id) }
            }
            // An instance with a mapping left unresolved may hold links Usher cannot place: no removals there.
            let unsure = !linkPlan.errors.isEmpty
            plan.completeSonarr = unsure ? [] : Set(snapshot.series.instances.filter { snapshot.series.failures[$0] == nil })
            // An incremental pass knows only the movies the mappings name: no removals from the others.
            plan.completeRadarr =
                unsure || snapshot.partialMovies ? [] : Set(snapshot.movies.instances.filter { snapshot.movies.failures[$0] == nil })
        }
        return plan
    }

    /// Carries out the plan. A failure is never a change on disk: a step that was not taken is an
    /// error of the run, and a rescan or Plex scan is remembered in `retries` for the next run (tags
    /// and monitoring are compared afresh by every run, so they need no memory).
    static func apply(_ plan: ServicePlan, snapshot: ArrSnapshot?, services: ArrServices, config: UsherConfig, logger: Logger, now: Int64) async
        -> ServiceReport
    {
        await applyNoting(plan, snapshot: snapshot, services: services, config: config, logger: logger, now: now, countsAfterRescan: false).0
    }

    /// As `apply`, and what the steps changed in Sonarr and Radarr; with `countsAfterRescan`, Sonarr's series
    /// list is read again once the rescans ended (for the kept catalog's season counts).
    static func applyNoting(
        _ plan: ServicePlan, snapshot: ArrSnapshot?, services: ArrServices, config: UsherConfig, logger: Logger, now: Int64,
        countsAfterRescan: Bool
    ) async -> (ServiceReport, ServiceEffects) {
        var report = ServiceReport()
        var failed: [ServiceRetry] = []
        var effects = ServiceEffects()
        if let snapshot {
            await rescanAndVerify(plan, services: services, into: &report, failed: &failed, effects: &effects, countsAfterRescan: countsAfterRescan)
            await unmonitor(plan, services: services, into: &report, effects: &effects)
            if let tag = config.tag { await keepTags(tag, plan, snapshot: snapshot, services: services, into: &report, effects: &effects) }
        }
        if let plex = services.plex, !plan.plexFolders.isEmpty {
            await scanPlex(plex, plan.plexFolders, translator: services.translator, into: &report, failed: &failed)
        }
        // Earlier failures keep their first date and count their attempts.
        let earlier = Dictionary((plan.retrying + plan.carried).map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        var next: [String: ServiceRetry] = [:]
        for var retry in failed {
            if let before = earlier[retry.key] {
                retry.since = before.since
                retry.attempts = before.attempts + 1
            }
            retry.since = retry.since == 0 ? now : retry.since
            next[retry.key] = retry
        }
        for retry in plan.carried where next[retry.key] == nil { next[retry.key] = retry }
        report.retries = next.values.sorted { $0.key < $1.key }
        report.retried = plan.retrying.filter { next[$0.key] == nil }.map { "\($0.kind == .rescan ? "rescan" : "Plex scan") of \($0.label)" }
        for error in report.errors { logger.error("\(error)") }
        for warning in report.warnings { logger.warning("\(warning)") }
        return (report, effects)
    }

    private static func retry(_ kind: ServiceRetry.Kind, _ instance: String, _ target: String, _ label: String, _ reason: String) -> ServiceRetry {
        ServiceRetry(kind: kind, instance: instance, target: target, label: label, reason: reason, since: 0, attempts: 1)
    }

    private static func rescanAndVerify(
        _ plan: ServicePlan, services: ArrServices, into report: inout ServiceReport, failed: inout [ServiceRetry], effects: inout ServiceEffects,
        countsAfterRescan: Bool
    ) async {
        let rescans = plan.rescans
        guard !rescans.isEmpty else { return }
        effects.rescanned.formUnion(rescans.map(\.key))
        let started = await boundedMap(rescans, limit: services.concurrency) { s -> Result<ArrCommand, ServiceError>? in
            guard let client = services.sonarr(s.instance) else { return nil }
            return await Result.of { () async throws(ServiceError) in try await client.rescan(seriesID: s.id) }
        }
        var waiting: [String: [(series: CatalogSeries, command: ArrCommand)]] = [:]
        for (s, answer) in zip(rescans, started) {
            switch answer {
            case .success(let command)?: waiting[s.instance, default: []].append((s, command))
            case .failure(let error)?:
                let message = "could not ask sonarr \(s.instance) to rescan \(s.title) (asked again next run): \(error)"
                report.errors.append(message)
                failed.append(retry(.rescan, s.instance, "\(s.id)", s.label, "\(error)"))
            case nil: break
            }
        }
        // Follow the commands with one look at each instance's command list per round.
        var finished: [SeriesKey] = []
        let follower = CommandFollower(
            services: services, timeout: .seconds(min(600, 30 + 2 * rescans.count)),
            firstPause: .milliseconds(50), longestPause: .seconds(2), giveUpOnReadError: true)
        let ends = await follower.follow(waiting.mapValues { $0.map(\.command) })
        var unreadable = Set<String>()
        for instance in waiting.keys.sorted() {
            for item in waiting[instance] ?? [] {
                switch ends[instance]?[item.command.id] {
                case .completed?, .vanished?:
                    // A command no longer listed finished long enough ago to be dropped; check the result anyway.
                    finished.append(item.series.key)
                    report.rescanned.append(item.series.label)
                case .failed(let current)?:
                    let why = "ended \(current.status ?? "?"): \(current.message ?? "")"
                    report.errors.append("sonarr's rescan of \(item.series.label) \(why) (asked again next run)")
                    failed.append(retry(.rescan, instance, "\(item.series.id)", item.series.label, why))
                case .unreadable(let error)?:
                    if unreadable.insert(instance).inserted {
                        report.errors.append("could not follow the rescans in sonarr \(instance), so they were not checked (asked again next run): \(error)")
                    }
                    failed.append(retry(.rescan, instance, "\(item.series.id)", item.series.label, "\(error)"))
                case .timedOut?, nil:
                    report.warnings.append("sonarr's rescan of \(item.series.label) did not finish in time; the link is not checked this run")
                }
            }
        }

        let toCheck = finished.filter { plan.expectations[$0] != nil }.sorted()
        var seasons: [SeriesKey: Set<Int>] = [:]
        for key in toCheck { seasons[key] = (plan.expectations[key] ?? []).reduce(into: Set<Int>()) { $0.formUnion($1.seasons) } }
        if countsAfterRescan {
            // Read before the episodes below: counts older than the episodes can only make the next run read them again.
            let instances = Set(toCheck.map(\.instance))
            let lists = await services.eachSonarr { client throws(ServiceError) in try await client.series() }
            for (name, answer) in lists where instances.contains(name) {
                guard case .success(let list) = answer else { continue }
                for s in list where toCheck.contains(SeriesKey(instance: name, id: s.id)) {
                    effects.countsAfterRescan[SeriesKey(instance: name, id: s.id)] = s.seasonCounts
                }
            }
        }
        let details = await ArrSnapshot.details(of: toCheck, seasons: seasons, services)
        for (key, answer) in zip(toCheck, details) {
            switch answer {
            case .failure(let error):
                report.warnings.append("could not check what sonarr \(key.instance) registered: \(error)")
            case .success(let (episodes, files)):
                let asked = seasons[key] ?? []
                effects.checked[key] = (asked.count == 1 ? asked : nil, episodes, files)
                let byID = Dictionary(episodes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
                for expected in plan.expectations[key] ?? [] {
                    let paths = expected.episodeIDs.map { byID[$0]?.fileID.flatMap { files[$0]?.path } }
                    if paths.allSatisfy({ $0 == expected.target }) {
                        report.registered += 1
                    } else {
                        let seen = paths.compactMap { $0 }.first.map { "it lists \($0)" } ?? "it lists no file for the episode"
                        report.notRegistered.append("\(expected.label): sonarr \(key.instance) did not register \(expected.target) after its rescan (\(seen))")
                    }
                }
            }
        }
    }

    private static func unmonitor(_ plan: ServicePlan, services: ArrServices, into report: inout ServiceReport, effects: inout ServiceEffects) async {
        for (instance, ids) in plan.unmonitor.sorted(by: { $0.key < $1.key }) where !ids.isEmpty {
            guard let client = services.sonarr(instance) else { continue }
            do {
                try await client.setMonitored(episodeIDs: ids, false)
                report.unmonitored += ids.count
                effects.unmonitored[instance, default: []] += ids
            } catch {
                report.errors.append("could not set \(ids.count) linked episode(s) unmonitored in sonarr \(instance) (tried again next run): \(error)")
            }
        }
    }

    private static func keepTags(
        _ label: String, _ plan: ServicePlan, snapshot: ArrSnapshot, services: ArrServices, into report: inout ServiceReport, effects: inout ServiceEffects
    ) async {
        for s in services.sonarr {
            let linked = plan.linkedSeries[s.name] ?? []
            let all = snapshot.series.byKey.values.filter { $0.instance == s.name }
            let names = Dictionary(all.map { ($0.id, $0.title) }, uniquingKeysWith: { a, _ in a })
            await keepTag(
                label, service: "sonarr \(s.name)", linked: linked, current: { tag in Set(all.filter { $0.tags.contains(tag) }.map(\.id)) },
                removeAllowed: plan.completeSonarr.contains(s.name), names: names,
                tags: { () async throws(ServiceError) in try await s.client.tags() },
                create: { () async throws(ServiceError) in try await s.client.createTag(label) },
                edit: { (ids, tag, mode) async throws(ServiceError) in try await s.client.editTags(seriesIDs: ids, tagIDs: [tag], apply: mode) },
                into: &report, edited: { _, _, _ in })
        }
        for r in services.radarr {
            let linked = plan.linkedMovies[r.name] ?? []
            let all = snapshot.movies.all.filter { $0.instance == r.name }
            let names = Dictionary(all.map { ($0.id, $0.title) }, uniquingKeysWith: { a, _ in a })
            await keepTag(
                label, service: "radarr \(r.name)", linked: linked, current: { tag in Set(all.filter { $0.tags.contains(tag) }.map(\.id)) },
                removeAllowed: plan.completeRadarr.contains(r.name), names: names,
                tags: { () async throws(ServiceError) in try await r.client.tags() },
                create: { () async throws(ServiceError) in try await r.client.createTag(label) },
                edit: { (ids, tag, mode) async throws(ServiceError) in try await r.client.editTags(movieIDs: ids, tagIDs: [tag], apply: mode) },
                into: &report,
                edited: { ids, tag, added in
                    for id in ids { effects.movieTags[MovieKey(instance: r.name, id: id), default: []].append((tag, added)) }
                })
        }
    }

    private static func keepTag(
        _ label: String, service: String, linked: Set<Int>, current: (Int) -> Set<Int>, removeAllowed: Bool, names: [Int: String],
        tags: () async throws(ServiceError) -> [ArrTag], create: () async throws(ServiceError) -> ArrTag,
        edit: ([Int], Int, String) async throws(ServiceError) -> Void, into report: inout ServiceReport,
        edited: ([Int], Int, Bool) -> Void
    ) async {
        do {
            var tag = try await tags().first { $0.label.lowercased() == label }
            if tag == nil, linked.isEmpty { return }
            if tag == nil { tag = try await create() }
            guard let tag else { return }
            let has = current(tag.id)
            let add = linked.subtracting(has).sorted()
            let remove = removeAllowed ? has.subtracting(linked).sorted() : []
            if !add.isEmpty {
                try await edit(add, tag.id, "add")
                edited(add, tag.id, true)
                report.tagged += add.map { "\(names[$0] ?? "#\($0)") (\(service))" }
            }
            if !remove.isEmpty {
                try await edit(remove, tag.id, "remove")
                edited(remove, tag.id, false)
                report.untagged += remove.map { "\(names[$0] ?? "#\($0)") (\(service))" }
            }
        } catch {
            report.errors.append("could not keep the tag '\(label)' in \(service) (tried again next run): \(error)")
        }
    }

    private static func scanPlex(
        _ plex: PlexClient, _ folders: [String], translator: PathTranslator, into report: inout ServiceReport, failed: inout [ServiceRetry]
    ) async {
        let sections: [PlexSection]
        do { sections = try await plex.sections() } catch {
            report.errors.append("could not ask Plex for its libraries, so no scan was requested (asked again next run): \(error)")
            for folder in folders { failed.append(retry(.plexScan, "", folder, folder, "\(error)")) }
            return
        }
        for folder in folders {
            // The section whose folder holds this one (its locations are Plex's paths: translated here).
            var match: (section: PlexSection, location: String, local: String)?
            for section in sections {
                for location in section.locations {
                    let local = translator.toLocal(location)
                    if PathTranslator.isPrefix(local, of: folder), local.count > (match?.local.count ?? -1) { match = (section, location, local) }
                }
            }
            guard let match else {
                report.warnings.append("no Plex library holds \(folder); add it to one, or a 'paths:' mapping if Plex sees it under another path")
                continue
            }
            let rest = String(folder.dropFirst(match.local == "/" ? 0 : match.local.count))
            let plexPath = match.location.hasSuffix("/") && rest.hasPrefix("/") ? match.location + rest.dropFirst() : match.location + rest
            do {
                try await plex.refresh(section: match.section.key, path: plexPath)
                report.plexScans.append("\(match.section.title): \(plexPath)")
            } catch {
                report.errors.append("could not ask Plex to scan \(plexPath) (asked again next run): \(error)")
                failed.append(retry(.plexScan, "", folder, folder, "\(error)"))
            }
        }
    }
}
