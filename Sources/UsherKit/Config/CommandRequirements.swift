public import UsherCore

/// What each command needs from the config, so that a person who uses one feature never has to
/// configure another: `usher prefetch` needs its history sources (Tautulli by default) and Sonarr, not library folders; `usher link`
/// needs a way to find movies and shows, from the services or the folders.
public enum UsherCommand: String, CaseIterable, Sendable {
    case link, prefetch, match, dedupe
    case watchSync = "watch-sync"

    public var name: String { "usher \(rawValue)" }
}

extension UsherConfig {
    /// What the command needs that this config lacks, each in words a person can act on; empty when
    /// the command can run.
    public func missing(for command: UsherCommand) -> [String] {
        switch command {
        case .link:
            var needs: [String] = []
            if radarr.isEmpty && movieRoots.isEmpty {
                needs.append("a way to find movies: a 'radarr:' section (API mode) or 'library: movies:' folders (filesystem mode)")
            }
            if sonarr.isEmpty && showRoots.isEmpty {
                needs.append("a way to find shows: a 'sonarr:' section (API mode) or 'library: shows:' folders (filesystem mode)")
            }
            return needs
        case .prefetch:
            var needs: [String] = []
            for source in prefetch.history where !hasSection(for: source) {
                let what: String =
                    switch source {
                    case .tautulli: "a 'tautulli:' section (url and api_key)"
                    case .plex: "a 'plex:' section (url and token)"
                    case .jellyfin: "a 'jellyfin:' section (url and api_key)"
                    }
                // Named in the config: say where; the default needs no pointer.
                let place = prefetch.historyLine.map { " (prefetch.history at line \($0) names \(source.rawValue))" } ?? ""
                needs.append("\(what), for the watch history\(place)")
            }
            if sonarr.isEmpty { needs.append("a 'sonarr:' section, to search and to read the queue") }
            return needs
        case .match:
            var needs: [String] = []
            if radarr.isEmpty { needs.append("a 'radarr:' section, for the movies") }
            if sonarr.isEmpty { needs.append("a 'sonarr:' section, for the specials") }
            return needs
        case .dedupe:
            return sonarr.isEmpty ? ["a 'sonarr:' section (it compares Sonarr's episode files with the linked movies)"] : []
        case .watchSync:
            if plex == nil { return ["a 'plex:' section (url and the owner's token) with 'watch_sync: true'"] }
            return plex?.watchSync == nil ? ["'watch_sync: true' in the 'plex:' section"] : []
        }
    }

    /// Whether the section a history source reads is configured.
    public func hasSection(for source: HistorySource) -> Bool {
        switch source {
        case .tautulli: tautulli != nil
        case .plex: plex != nil
        case .jellyfin: jellyfin != nil
        }
    }

    /// The error a command gives when the config lacks what it needs: `usher.yml: usher prefetch needs
    /// a 'tautulli:' section ...`.
    public func requirementError(for command: UsherCommand) -> String? {
        let needs = missing(for: command)
        guard !needs.isEmpty else { return nil }
        return "\(file): \(command.name) needs " + needs.joined(separator: ", and ")
    }

    /// What a configured command will use, for `usher config check`.
    public func configured(for command: UsherCommand) -> String {
        func names(_ kind: String, _ instances: [ServiceInstance]) -> String? {
            instances.isEmpty ? nil : "\(kind) " + instances.map(\.name).joined(separator: ", ")
        }
        switch command {
        case .link:
            let services = [names("sonarr", sonarr), names("radarr", radarr), plex.map { _ in "plex" }].compactMap { $0 }
            let folders = movieRoots.count + showRoots.count
            let mode = sonarr.isEmpty && radarr.isEmpty ? "filesystem mode" : "API mode"
            return ([mode] + services + (folders > 0 ? ["\(folders) library folder\(folders == 1 ? "" : "s")"] : [])).joined(separator: "; ")
        case .prefetch:
            let clients =
                downloadClients.isEmpty ? "no download clients (searches only)" : "download clients " + downloadClients.map(\.name).joined(separator: ", ")
            // The history sources: `tautulli`, or `plex, jellyfin`.
            let history = prefetch.history.map(\.rawValue).joined(separator: ", ")
            return [history, names("sonarr", sonarr), clients].compactMap { $0 }.joined(separator: "; ")
        case .match:
            return [names("radarr", radarr), names("sonarr", sonarr)].compactMap { $0 }.joined(separator: "; ")
        case .dedupe:
            return names("sonarr", sonarr) ?? ""
        case .watchSync:
            guard let sync = plex?.watchSync else { return "" }
            return "plex; " + (sync.users.isEmpty ? "every user" : "users " + sync.users.joined(separator: ", "))
        }
    }
}
