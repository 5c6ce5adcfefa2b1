extension PrefetchJob {
    /// For `usher config check`: does Tautulli answer and accept its key, and does each download
    /// client answer and let Usher in (its queue is read, nothing is changed).
    public static func check(config: UsherConfig, hub: ServiceHub) async -> [ServiceCheck] {
        guard config.tautulli != nil || !config.downloadClients.isEmpty else { return [] }
        let counter = RequestCounter()
        var calls: [@Sendable () async -> ServiceCheck] = []
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
