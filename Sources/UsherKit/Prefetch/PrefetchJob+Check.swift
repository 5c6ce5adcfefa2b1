extension PrefetchJob {
    /// For `usher config check`: does each history source answer and accept its key (Tautulli; Plex's play
    /// history, one row of it; Jellyfin), and does each download client answer and let Usher in (its queue is
    /// read, nothing is changed).
    public static func check(config: UsherConfig, hub: ServiceHub) async -> [ServiceCheck] {
        let history = config.prefetch.history
        let plexHistory = history.contains(.plex) ? config.plex : nil
        let jellyfinHistory = history.contains(.jellyfin) ? config.jellyfin : nil
        guard config.tautulli != nil || plexHistory != nil || jellyfinHistory != nil || !config.downloadClients.isEmpty else { return [] }
        let counter = RequestCounter()
        var calls: [@Sendable () async -> ServiceCheck] = []
        if let server = plexHistory {
            let plex = PlexClient(
                client: hub.client(
                    ServiceEndpoint(name: "plex", baseURL: server.url, credentialHeader: "X-Plex-Token", credential: server.token), counter: counter))
            calls.append {
                do throws(ServiceError) {
                    let plays = try await plex.history(since: 0, pageSize: 1, maxPages: 1)
                    return ServiceCheck(
                        service: "plex history", ok: true, message: "OK, the play history can be read (\(plays.isEmpty ? "empty" : "not empty"))")
                } catch {
                    return ServiceCheck(service: "plex history", ok: false, message: error.description)
                }
            }
        }
        if let server = jellyfinHistory {
            let jellyfin = hub.jellyfin(server, counter: counter)
            calls.append {
                do throws(ServiceError) {
                    return ServiceCheck(service: "jellyfin", ok: true, message: "OK, \(try await jellyfin.status())")
                } catch {
                    return ServiceCheck(service: "jellyfin", ok: false, message: error.description)
                }
            }
        }
        if let server = config.tautulli {
            let tautulli = hub.tautulli(server, counter: counter)
            calls.append {
                do throws(ServiceError) {
                    return ServiceCheck(service: "tautulli", ok: true, message: "OK, Tautulli \(try await tautulli.status())")
                } catch {
                    return ServiceCheck(service: "tautulli", ok: false, message: error.description)
                }
            }
        }
        for entry in config.downloadClients {
            let client = hub.downloadClient(entry, counter: counter)
            calls.append {
                do throws(ServiceError) {
                    let queue = try await client.queue()
                    return ServiceCheck(
                        service: entry.name, ok: true, message: "OK, \(entry.kind.rawValue), \(queue.count) download\(queue.count == 1 ? "" : "s") in the queue"
                    )
                } catch {
                    return ServiceCheck(service: entry.name, ok: false, message: error.description)
                }
            }
        }
        return await boundedMap(calls, limit: config.apiConcurrency) { await $0() }
    }
}
