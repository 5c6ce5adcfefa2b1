extension WatchSyncJob {
    /// For `usher config check` when watch sync is on: does plex.tv accept the owner's token, and whose state can
    /// be compared (the users plex.tv lists with a token of this server). Nothing is marked.
    public static func check(config: UsherConfig, hub: ServiceHub) async -> [ServiceCheck] {
        guard let server = config.plex, server.watchSync != nil else { return [] }
        let counter = RequestCounter()
        let plex = PlexClient(
            client: hub.client(
                ServiceEndpoint(name: "plex", baseURL: server.url, credentialHeader: "X-Plex-Token", credential: server.token), counter: counter))
        let plexTV = PlexTVClient(
            client: hub.client(
                ServiceEndpoint(name: "plex.tv", baseURL: server.plexTV, credentialHeader: "X-Plex-Token", credential: server.token),
                counter: counter))
        do throws(ServiceError) {
            let owner = try await plexTV.ownerName()
            let users = try await plexTV.users()
            let tokens = try await plexTV.sharedServerTokens(machine: try await plex.machineIdentifier())
            let reachable = users.filter { tokens[$0.id] != nil }.map(\.name)
            let home = users.filter { tokens[$0.id] == nil && $0.home && !$0.protected }.map(\.name)
            var message = "OK, watch sync: the owner \(owner)"
            if !reachable.isEmpty { message += ", \(reachable.joined(separator: ", ")) (shared)" }
            if !home.isEmpty { message += ", \(home.joined(separator: ", ")) (home users, reached by switching)" }
            let left = users.count - reachable.count - home.count
            if left > 0 { message += "; \(left) user\(left == 1 ? "" : "s") without a token of this server" }
            return [ServiceCheck(service: "plex.tv", ok: true, message: message)]
        } catch {
            return [ServiceCheck(service: "plex.tv", ok: false, message: error.description)]
        }
    }
}
