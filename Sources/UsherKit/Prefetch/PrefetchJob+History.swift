import UsherCore

/// The clients of the history sources a run reads (`prefetch.history`): only those named are made.
struct HistoryClients: Sendable {
    var tautulli: TautulliClient?
    var plex: PlexClient?
    var jellyfin: JellyfinClient?

    init(config: UsherConfig, hub: ServiceHub, services: ArrServices) {
        let sources = config.prefetch.history
        tautulli = sources.contains(.tautulli) ? config.tautulli.map { hub.tautulli($0, counter: services.counter) } : nil
        plex = sources.contains(.plex) ? services.plex : nil
        jellyfin = sources.contains(.jellyfin) ? config.jellyfin.map { hub.jellyfin($0, counter: services.counter) } : nil
    }
}

extension PrefetchJob {
    /// Every source's viewers over the last `history_days` × 24 hours, with the same filters (`users`,
    /// `exclude_users`, `libraries`, `watched_percent`); one read per source, paged. A source that fails is one
    /// error and the others still count; a library that does not exist is a config error.
    func readHistory(_ clients: HistoryClients, settings: PrefetchSettings, now: Int64) async throws(JobError) -> (
        positions: [ViewerPosition], failures: [String]
    ) {
        let since = now - Int64(settings.historyDays) * 86400
        var positions: [ViewerPosition] = []
        var failures: [String] = []
        for source in settings.history {
            do {
                let found: [ViewerPosition]
                switch source {
                case .tautulli:
                    guard let tautulli = clients.tautulli else { continue }
                    found = try await tautulliHistory(tautulli, settings: settings, since: since)
                case .plex:
                    guard let plex = clients.plex else { continue }
                    found = try await plexHistory(plex, settings: settings, since: since, now: now)
                case .jellyfin:
                    guard let jellyfin = clients.jellyfin else { continue }
                    found = try await jellyfinHistory(jellyfin, settings: settings, since: since, now: now)
                }
                logger.debug("read the watch history", metadata: ["source": "\(source.rawValue)", "viewers": "\(found.count)"])
                positions += found
            } catch let error as JobError {
                throw error
            } catch {
                failures.append("\(error)")
            }
        }
        return (positions, failures)
    }

    /// Tautulli takes a calendar day in its own time zone: it is asked from the day before, and
    /// `WatchFilter.since` keeps exactly the window. Libraries are Tautulli's section ids.
    private func tautulliHistory(_ tautulli: TautulliClient, settings: PrefetchSettings, since: Int64) async throws -> [ViewerPosition] {
        var sectionIDs: [Int] = []
        if !settings.libraries.isEmpty {
            let libraries = try await tautulli.libraries()
            for name in settings.libraries {
                guard let id = libraries.first(where: { $0.sectionName?.lowercased() == name.lowercased() })?.sectionID else {
                    throw libraryError(name, source: "Tautulli", known: libraries.compactMap(\.sectionName))
                }
                sectionIDs.append(id)
            }
        }
        let rows = try await tautulli.history(after: UTCTime.day(since - 86400), sectionIDs: sectionIDs)
        var filter = settings.filter
        filter.since = since
        return WatchProgress.positions(rows.compactMap(\.watchEvent), filter: filter)
    }

    /// Plex's own play history (only plays that counted as watched), what plays now, and the accounts that
    /// name the viewers. One library is asked for by its section id; several are kept by name.
    private func plexHistory(_ plex: PlexClient, settings: PrefetchSettings, since: Int64, now: Int64) async throws -> [ViewerPosition] {
        var sections: [String: String] = [:]
        if !settings.libraries.isEmpty {
            let all = try await plex.sections()
            for name in settings.libraries {
                guard let section = all.first(where: { $0.title.lowercased() == name.lowercased() }) else {
                    throw libraryError(name, source: "Plex", known: all.map(\.title))
                }
                sections[section.key] = section.title
            }
        }
        let accounts = try await plex.accounts()
        let plays = try await plex.history(since: since, sectionID: sections.count == 1 ? sections.keys.first : nil)
        let playing = try await plex.sessions()
        var filter = settings.filter
        filter.since = since
        filter.libraries = settings.libraries
        return WatchProgress.positions(PlexHistory.events(history: plays, playing: playing, accounts: accounts, sections: sections, now: now), filter: filter)
    }

    /// Jellyfin's played episodes of each viewer the filters admit (others are not asked for), and what plays
    /// now. Libraries are told apart by their folders.
    private func jellyfinHistory(_ jellyfin: JellyfinClient, settings: PrefetchSettings, since: Int64, now: Int64) async throws -> [ViewerPosition] {
        var filter = settings.filter
        filter.since = since
        filter.libraries = settings.libraries
        var libraries: [JellyfinLibrary] = []
        if !settings.libraries.isEmpty {
            let all = try await jellyfin.libraries()
            for name in settings.libraries {
                guard let library = all.first(where: { $0.name.lowercased() == name.lowercased() }) else {
                    throw libraryError(name, source: "Jellyfin", known: all.map(\.name))
                }
                libraries.append(library)
            }
        }
        let users = try await jellyfin.users().filter { filter.admitsUser($0.name) }
        var played: [(user: String, items: [JellyfinItem])] = []
        for user in users { played.append((user.name, try await jellyfin.played(userID: user.id, since: since))) }
        let playing = try await jellyfin.sessions()
        return WatchProgress.positions(JellyfinHistory.events(played: played, playing: playing, libraries: libraries, now: now), filter: filter)
    }

    private func libraryError(_ name: String, source: String, known: [String]) -> JobError {
        JobError(
            kind: .config,
            message: "\(config.file): prefetch.libraries: \(source) has no library '\(name)' (\(source) knows: \(known.sorted().joined(separator: ", ")))")
    }

    /// The shows of the history with their TVDB ids: from the state when known, else from the show's source
    /// (Tautulli's `get_metadata`, Plex's item with its guids, Jellyfin's series with their provider ids, all of
    /// a run's Jellyfin series in one request), then remembered under the history's show key (Plex's and
    /// Jellyfin's carry their source's name, so no two sources share one). A failed lookup leaves the id unknown
    /// (the title is tried) and is asked again next run.
    func watchedShows(_ positions: [ViewerPosition], history: HistoryClients, state: Ledger, now: Int64, dryRun: Bool) async -> [String: WatchedShow] {
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
        // One answer per key: found (the source knows the show, with or without a TVDB id), or not (ask again).
        var answers: [(key: String, found: Bool, tvdb: Int?)] = []
        let jellyfinKeys = ask.filter { JellyfinHistory.seriesID(inShowKey: $0) != nil }.sorted()
        if !jellyfinKeys.isEmpty, let jellyfin = history.jellyfin {
            let ids = jellyfinKeys.compactMap { JellyfinHistory.seriesID(inShowKey: $0) }
            if let found = try? await jellyfin.tvdbIDs(seriesIDs: ids) {
                for key in jellyfinKeys {
                    let id = JellyfinHistory.seriesID(inShowKey: key) ?? ""
                    answers.append((key, true, found[id] ?? nil))
                }
            }
        }
        let others = ask.filter { JellyfinHistory.seriesID(inShowKey: $0) == nil }.sorted()
        answers += await boundedMap(others, limit: config.apiConcurrency) { key -> (key: String, found: Bool, tvdb: Int?) in
            if let ratingKey = PlexHistory.ratingKey(inShowKey: key) {
                guard let plex = history.plex, let guids = try? await plex.guids(ratingKey: ratingKey) else { return (key, false, nil) }
                return (key, true, PlexHistory.tvdbID(guids: guids))
            }
            guard let tautulli = history.tautulli, let ratingKey = Int(key), let metadata = try? await tautulli.metadata(ratingKey: ratingKey) else {
                return (key, false, nil)
            }
            return (key, true, metadata.tvdbID)
        }
        var learned: [String: Ledger.KnownShow] = [:]
        for title in titles where result[title.key] == nil { result[title.key] = WatchedShow(key: title.key, title: title.value, tvdb: nil) }
        for answer in answers {
            let title = titles[answer.key] ?? ""
            result[answer.key] = WatchedShow(key: answer.key, title: title, tvdb: answer.tvdb)
            if answer.found { learned[answer.key] = Ledger.KnownShow(title: title, tvdb: answer.tvdb, checkedAt: now) }
        }
        if !dryRun { try? state.recordShows(learned) }
        return result
    }
}
