public import Foundation
public import Logging
public import UsherCore

public struct WatchSyncOptions: Sendable {
    public var dryRun: Bool
    /// The time the run works from (tests set it).
    public var now: Date

    public init(dryRun: Bool = false, now: Date = Date()) {
        self.dryRun = dryRun
        self.now = now
    }
}

/// Keeps a linked film and its special watched alike in Plex, per user (issue 18): finds the two Plex items of every
/// link Usher made (by the file of the item's media part), reads each user's watched state with the user's token,
/// lets `WatchSyncPlanner` decide, and marks the follower with `/:/scrobble` or `/:/unscrobble`.
///
/// Requests: the owner's state of the known items in batches of 100 (which also checks that each `ratingKey` still is
/// that file), each other user's likewise, plex.tv's user list and tokens (3 requests, and 2 more per home user
/// plex.tv gives no token for), and, only when a file's item is not known yet, the listing of the Plex libraries
/// that hold it, in pages of 500.
public struct WatchSyncJob: Sendable {
    public var config: UsherConfig
    public var logger: Logger
    public var hub: ServiceHub?

    public init(config: UsherConfig, logger: Logger, hub: ServiceHub? = nil) {
        self.config = config
        self.logger = logger
        self.hub = hub
    }

    static let batch = 100
    /// The baseline key of the owner: stable whatever plex.tv says their name is.
    static let ownerKey = "owner"

    public func run(_ options: WatchSyncOptions) async throws(JobError) -> WatchSyncReport {
        if let message = config.requirementError(for: .watchSync) { throw JobError(kind: .config, message: message) }
        guard let plex = config.plex else { throw JobError(kind: .config, message: "\(config.file): no 'plex:' section") }
        return try await ServiceHub.using(hub, config: config, logger: logger) { hub throws(JobError) in
            try await run(options, plex: plex, hub: hub)
        }
    }

    /// Someone whose state is compared: a name for people, the key of their baselines, and a Plex client with
    /// their token.
    struct Viewer {
        var name: String
        var key: String
        var plex: PlexClient
    }

    private func run(_ options: WatchSyncOptions, plex server: PlexServer, hub: ServiceHub) async throws(JobError) -> WatchSyncReport {
        let lock = try JobState.lock(statePath: config.statePath, suffix: ".watch-sync.lock", dryRun: options.dryRun, logger: logger).lock
        defer { lock?.release() }
        // A dry run never writes usher.db (it reads an older one migrated in memory); without one there is no link.
        let state: Ledger
        if options.dryRun {
            do {
                guard let present = try Ledger.openIfPresent(path: config.statePath) else {
                    return WatchSyncReport(
                        dryRun: true, pairs: 0, found: 0, waiting: [], users: [], marked: [], conflicts: [], warnings: [], errors: [], requests: 0)
                }
                state = present
            } catch {
                throw JobError(kind: .state, message: "cannot open the state database \(config.statePath): \(error)")
            }
        } else {
            state = try JobState.open(config.statePath)
        }
        let now = Int64(options.now.timeIntervalSince1970)
        let counter = RequestCounter()
        let translator = PathTranslator(config.pathMappings)
        func plexClient(_ token: String) -> PlexClient {
            PlexClient(
                client: hub.client(
                    ServiceEndpoint(name: "plex", baseURL: server.url, credentialHeader: "X-Plex-Token", credential: token), counter: counter))
        }
        let owner = plexClient(server.token)
        var report = WatchSyncReport(
            dryRun: options.dryRun, pairs: 0, found: 0, waiting: [], users: [], marked: [], conflicts: [], warnings: [], errors: [], requests: 0)
        defer { logger.debug("watch sync finished", metadata: ["requests": "\(counter.total)"]) }

        // The pairs: every link Usher made and finished (a link half-way through a change is left for the link run).
        let entries: [LedgerEntry]
        let known: [String: Ledger.WatchItem]
        let baselines: [WatchSyncPlanner.BaselineKey: Bool]
        let notes: [String: String]
        do {
            entries = try state.entries().filter { $0.pending == nil }
            known = try state.watchItems()
            baselines = try state.watchBaselines()
            notes = try state.watchNotes()
        } catch {
            throw JobError(kind: .state, message: "cannot read the state database \(config.statePath): \(error)")
        }
        report.pairs = entries.count
        let paths = Set(entries.flatMap { [$0.link.sourcePath, $0.target] })

        var newNotes: [String: String] = [:]
        // 1. The items: the known ones checked (their file may have moved to another item), the others looked for in
        // the libraries that hold them. The owner's answers carry the owner's state. A file may be several items: a
        // film linked as a special in two parts (S00E01-E02) is one file Plex shows as two episodes.
        var keys: [String: [String]] = [:]
        var ownerState: [String: Bool] = [:]
        var forget: [String] = []
        let knownKeys = Array(Set(paths.flatMap { known[$0]?.keys ?? [] })).sorted()
        var fetchedItems: [String: PlexItem] = [:]
        var ownerFailed = false
        for answer in await Self.metadata(knownKeys, plex: owner, limit: config.apiConcurrency) {
            switch answer {
            case .success(let items): for item in items { fetchedItems[item.ratingKey] = item }
            case .failure(let error):
                if !ownerFailed { report.errors.append("could not ask Plex for the linked items (nothing marked; asked again next run): \(error)") }
                ownerFailed = true
            }
        }
        if ownerFailed { return finish(report, counter: counter) }
        for path in paths {
            guard let known = known[path] else { continue }
            let items = known.keys.compactMap { fetchedItems[$0] }
            if items.count == known.keys.count, items.allSatisfy({ $0.files.contains(known.plexFile) }) {
                keys[path] = known.keys
                for item in items { ownerState[item.ratingKey] = item.watched }
            } else {
                forget.append(path)
            }
        }
        var found: [String: Ledger.WatchItem] = [:]
        func note(_ item: PlexItem, file: String, for path: String) {
            var entry = found[path] ?? Ledger.WatchItem(keys: [], plexFile: file)
            if !entry.keys.contains(item.ratingKey) { entry.keys.append(item.ratingKey) }
            found[path] = entry
            ownerState[item.ratingKey] = item.watched
        }
        let missing = paths.filter { keys[$0] == nil }
        if !missing.isEmpty {
            do {
                for item in try await listItems(holding: missing, plex: owner, translator: translator) {
                    for file in item.files where missing.contains(translator.toLocal(file)) { note(item, file: file, for: translator.toLocal(file)) }
                }
            } catch {
                report.errors.append(
                    "could not list Plex's libraries to find \(missing.count) linked file\(missing.count == 1 ? "" : "s") (looked for again next run): \(error)"
                )
            }
        }
        // What the paths did not find, by the ids of the mapping (a Plex that sees the files under other paths).
        let unfound = missing.filter { found[$0] == nil }
        var byGuid: [String] = []
        if !unfound.isEmpty {
            do {
                for (path, item, file) in try await findByGuid(unfound, entries: entries, plex: owner) {
                    note(item, file: file, for: path)
                    byGuid.append(path)
                }
            } catch {
                report.errors.append("could not list Plex's libraries to find linked files by their ids (looked for again next run): \(error)")
            }
        }
        if let example = byGuid.sorted().first, let plexFile = found[example]?.plexFile {
            newNotes["paths"] =
                "\(byGuid.count) linked file\(byGuid.count == 1 ? " was" : "s were") found in Plex by the ids of the mapping, not by path: Plex sees \(example) as \(plexFile); a 'paths:' mapping ({remote: <Plex's folder>, local: <this machine's>}) lets Usher find new links by path"
        }
        for (path, item) in found {
            found[path]?.keys = item.keys.sorted { ($0.count, $0) < ($1.count, $1) }
            keys[path] = found[path]?.keys
        }
        if !options.dryRun {
            do { try state.updateWatchItems(set: found, forget: forget.filter { keys[$0] == nil }, at: now) } catch {
                report.errors.append("could not keep the Plex items found in \(config.statePath): \(error)")
            }
        }
        // Each pair: the movie and one episode item of the link (its key gets the item's number when the link is
        // several episodes).
        var pairs: [(key: String, entry: LedgerEntry, movie: String, episode: String)] = []
        for entry in entries {
            if let movies = keys[entry.link.sourcePath], let movie = movies.first, let episodes = keys[entry.target] {
                for (index, episode) in episodes.enumerated() {
                    pairs.append((episodes.count == 1 ? entry.target : "\(entry.target)#\(index + 1)", entry, movie, episode))
                }
                report.found += 1
            } else {
                report.waiting.append(entry.target)
            }
        }

        // 2. The viewers: the owner, and each user plex.tv gives a token of this server for.
        let viewers = await viewers(
            server: server, owner: owner, hub: hub, counter: counter, plexClient: plexClient, report: &report, notes: &newNotes, previous: notes)
        for (subject, note) in newNotes.sorted(by: { $0.key < $1.key }) where notes[subject] != note { report.warnings.append(note) }

        // 3. Each viewer's state of the items, the plan, and the marks.
        let itemKeys = Array(Set(pairs.flatMap { [$0.movie, $0.episode] })).sorted()
        var planned: [WatchSyncPlanner.Pair] = []
        var compared: [String] = []
        // Every other viewer's batches at once (at most `api.concurrency` under way).
        let others = viewers.filter { $0.key != Self.ownerKey }
        let batches = others.flatMap { viewer in itemKeys.chunked(Self.batch).map { (viewer, Array($0)) } }
        let limit = config.apiConcurrency
        let answers = await boundedMap(batches, limit: limit) { viewer, keys in
            (viewer.key, await Result.of { () async throws(ServiceError) in try await viewer.plex.metadata(keys) })
        }
        for viewer in viewers {
            var watched: [String: Bool] = [:]
            if viewer.key == Self.ownerKey {
                watched = ownerState
            } else {
                let theirs = answers.filter { $0.0 == viewer.key }.map { $0.1 }
                if let failure = theirs.lazy.compactMap({ if case .failure(let error) = $0 { error } else { nil } }).first {
                    report.errors.append("could not read \(viewer.name)'s watched state (compared again next run): \(failure)")
                    continue
                }
                for case .success(let items) in theirs { for item in items { watched[item.ratingKey] = item.watched } }
            }
            compared.append(viewer.name)
            for pair in pairs {
                // An item the user cannot see (a library not shared with them) leaves the pair out for them.
                guard let movie = watched[pair.movie], let episode = watched[pair.episode] else { continue }
                planned.append(
                    WatchSyncPlanner.Pair(
                        key: pair.key, user: viewer.key, movie: pair.movie, episode: pair.episode, movieWatched: movie,
                        episodeWatched: episode, label: (pair.entry.target as NSString).lastPathComponent))
            }
        }
        report.users = compared
        let plan = WatchSyncPlanner.plan(planned, baselines: baselines)
        var agreed = plan.agreed
        let names = Dictionary(viewers.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        report.conflicts = plan.conflicts.map { conflict in
            names.values.reduce(conflict) { text, viewer in text.hasPrefix(viewer.key + ":") ? viewer.name + text.dropFirst(viewer.key.count) : text }
        }
        let dryRun = options.dryRun
        let outcomes = await boundedMap(plan.actions, limit: limit) { action -> ServiceError? in
            guard !dryRun, let viewer = names[action.user] else { return nil }
            do throws(ServiceError) {
                try await viewer.plex.mark(ratingKey: action.ratingKey, watched: action.watched)
                return nil
            } catch {
                return error
            }
        }
        for (action, failure) in zip(plan.actions, outcomes) {
            guard let viewer = names[action.user] else { continue }
            if let failure {
                report.errors.append(
                    "could not mark the \(action.side.rawValue) of \(action.pair) \(action.watched ? "watched" : "unwatched") for \(viewer.name) (tried again next run): \(failure)"
                )
                agreed[WatchSyncPlanner.BaselineKey(pair: action.pair, user: action.user)] = nil
                continue
            }
            report.marked.append(
                WatchSyncReport.Mark(user: viewer.name, pair: action.pair, item: action.side.rawValue, watched: action.watched, reason: action.reason))
        }
        if !options.dryRun {
            do {
                try state.updateWatchBaselines(agreed, links: Set(entries.map(\.target)))
                try state.setWatchNotes(newNotes, at: now)
            } catch {
                report.errors.append("could not keep the watched state in \(config.statePath): \(error)")
            }
        }
        return finish(report, counter: counter)
    }

    /// The items of `keys` in batches of 100, at most `limit` requests under way; each batch's answer or failure.
    static func metadata(_ keys: [String], plex: PlexClient, limit: Int) async -> [Result<[PlexItem], ServiceError>] {
        await boundedMap(keys.chunked(batch).map(Array.init), limit: limit) { chunk in
            await Result.of { () async throws(ServiceError) in try await plex.metadata(chunk) }
        }
    }

    private func finish(_ report: WatchSyncReport, counter: RequestCounter) -> WatchSyncReport {
        var report = report
        report.requests = counter.total
        return report
    }

    /// The items of the Plex libraries whose folders hold one of `paths` (movies in a movie library, episodes in a
    /// show library), read in pages.
    private func listItems(holding paths: Set<String>, plex: PlexClient, translator: PathTranslator) async throws(ServiceError) -> [PlexItem] {
        let sections = try await plex.sections()
        var items: [PlexItem] = []
        for section in sections where section.type == "movie" || section.type == "show" {
            let holds = section.locations.contains { location in
                let local = translator.toLocal(location)
                return paths.contains { PathTranslator.isPrefix(local, of: $0) }
            }
            guard holds else { continue }
            items += try await plex.allItems(section: section.key, type: section.type == "movie" ? 1 : 4)
        }
        return items
    }

    /// The items of the linked files in `paths` found by the ids their mapping names: a movie by its `tmdb://` or
    /// `imdb://` guid, an episode by its show's `tvdb://` guid, season and number (`includeGuids=1`). Each with the file
    /// as Plex sees it.
    private func findByGuid(_ paths: Set<String>, entries: [LedgerEntry], plex: PlexClient) async throws(ServiceError) -> [(String, PlexItem, String)] {
        let document: MappingDocument
        do { document = try MappingFile.loadDocument(path: config.mappingsFile, environment: ProcessInfo.processInfo.environment) } catch {
            logger.debug("watch sync: the mapping file could not be read for the ids", metadata: ["error": "\(error)"])
            return []
        }
        let mappings = Dictionary(document.mappings.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        var movies: [String: String] = [:]  // guid → path
        var episodes: [String: [EpisodeNumber: String]] = [:]  // show guid → episode → path
        for entry in entries {
            guard let mapping = mappings[entry.mappingKey] else { continue }
            if paths.contains(entry.link.sourcePath), case .movie(let movie) = mapping.source {
                if let tmdb = movie.tmdb { movies["tmdb://\(tmdb)"] = entry.link.sourcePath }
                if let imdb = movie.imdb { movies["imdb://\(imdb)"] = entry.link.sourcePath }
            }
            if paths.contains(entry.target), let tvdb = mapping.show.tvdb {
                for episode in mapping.episodes { episodes["tvdb://\(tvdb)", default: [:]][episode] = entry.target }
            }
        }
        guard !movies.isEmpty || !episodes.isEmpty else { return [] }
        var result: [(String, PlexItem, String)] = []
        let sections = try await plex.sections()
        for section in sections where section.type == "movie" && !movies.isEmpty {
            for item in try await plex.allItems(section: section.key, type: 1, guids: true) {
                guard let path = item.guids.lazy.compactMap({ movies[$0] }).first, let file = item.files.first else { continue }
                result.append((path, item, file))
            }
        }
        for section in sections where section.type == "show" && !episodes.isEmpty {
            for show in try await plex.allItems(section: section.key, type: 2, guids: true) {
                guard let wanted = show.guids.lazy.compactMap({ episodes[$0] }).first else { continue }
                for item in try await plex.episodes(ofShow: show.ratingKey) {
                    guard let season = item.parentIndex, let number = item.index,
                        let path = wanted[EpisodeNumber(season: season, episode: number)], let file = item.files.first
                    else { continue }
                    result.append((path, item, file))
                }
            }
        }
        return result
    }

    /// The owner and the users `plex.watch_sync.users` names (everyone when it names none), each with a client
    /// carrying their token. Whoever cannot be compared is said in `notes`, by subject, for the report to say once.
    private func viewers(
        server: PlexServer, owner: PlexClient, hub: ServiceHub, counter: RequestCounter, plexClient: (String) -> PlexClient,
        report: inout WatchSyncReport, notes: inout [String: String], previous: [String: String]
    ) async -> [Viewer] {
        let wanted = server.watchSync?.users ?? []
        func isWanted(_ user: PlexTVUser) -> Bool { wanted.isEmpty || wanted.contains { user.isNamed($0) } }
        let plexTV = PlexTVClient(
            client: hub.client(
                ServiceEndpoint(name: "plex.tv", baseURL: server.plexTV, credentialHeader: "X-Plex-Token", credential: server.token),
                counter: counter))
        var viewers: [Viewer] = []
        let ownerName: String
        let users: [PlexTVUser]
        let machine: String
        do {
            ownerName = try await plexTV.ownerName()
            users = try await plexTV.users()
            machine = try await owner.machineIdentifier()
        } catch {
            // Without plex.tv only the owner is known, and only when every user is wanted.
            report.errors.append("could not ask plex.tv for the users (only the owner's state was compared): \(error)")
            for (subject, note) in previous where subject.hasPrefix("user:") { notes[subject] = note }
            return wanted.isEmpty ? [Viewer(name: "the owner", key: Self.ownerKey, plex: owner)] : []
        }
        let ownerUser = PlexTVUser(id: "", title: ownerName)
        if isWanted(ownerUser) { viewers.append(Viewer(name: ownerName, key: Self.ownerKey, plex: owner)) }
        for name in wanted where !ownerUser.isNamed(name) && !users.contains(where: { $0.isNamed(name) }) {
            notes["user:\(name.lowercased())"] = "plex.watch_sync.users names '\(name)', whom plex.tv does not list among this server's users"
        }
        let others = users.filter(isWanted)
        guard !others.isEmpty else { return viewers }
        var tokens: [String: String] = [:]
        do { tokens = try await plexTV.sharedServerTokens(machine: machine) } catch {
            report.errors.append("could not ask plex.tv for the users' tokens (only the owner's state was compared): \(error)")
            for (subject, note) in previous where subject.hasPrefix("user:") { notes[subject] = note }
            return viewers
        }
        for user in others {
            var token = tokens[user.id]
            if token == nil, user.home {
                if user.protected {
                    notes["user:\(user.id)"] =
                        "\(user.name) is a home user with a PIN and plex.tv gives no token of this server for them: their state is not compared"
                    continue
                }
                // A home user the server is not shared with by invitation: switch to them and read their token.
                do {
                    if let homeToken = try await plexTV.switchHomeUser(id: user.id) {
                        let theirs = PlexTVClient(
                            client: hub.client(
                                ServiceEndpoint(name: "plex.tv", baseURL: server.plexTV, credentialHeader: "X-Plex-Token", credential: homeToken),
                                counter: counter))
                        token = try await theirs.serverToken(machine: machine)
                    }
                } catch {
                    report.errors.append("could not switch to the home user \(user.name) on plex.tv (compared again next run): \(error)")
                    continue
                }
            }
            guard let token else {
                notes["user:\(user.id)"] = "plex.tv gives no token of this server for \(user.name) (is it shared with them?): their state is not compared"
                continue
            }
            viewers.append(Viewer(name: user.name, key: "user:\(user.id)", plex: plexClient(token)))
        }
        return viewers
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
