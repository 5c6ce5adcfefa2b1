/// Follows Sonarr commands (a rescan, a search) until each has ended or time runs out, with one look at
/// each instance's command list per round and growing pauses between rounds: 500 commands cost a handful
/// of requests, not one each.
struct CommandFollower {
    /// How a followed command ended.
    enum End: Sendable {
        case completed(ArrCommand)
        /// `failed`, `aborted`, `cancelled` or `orphaned`.
        case failed(ArrCommand)
        /// No longer listed: it ended long enough ago for Sonarr to drop it.
        case vanished
        /// The instance's command list could not be read (with `giveUpOnReadError`).
        case unreadable(ServiceError)
        case timedOut
    }

    var services: ArrServices
    var timeout: Duration
    var firstPause: Duration
    var longestPause: Duration
    /// Stop following an instance whose command list cannot be read (else keep trying until the timeout).
    var giveUpOnReadError: Bool

    /// Instance → command id → how it ended.
    func follow(_ started: [String: [ArrCommand]]) async -> [String: [Int: End]] {
        var ends: [String: [Int: End]] = [:]
        var open: [String: [ArrCommand]] = [:]
        for (instance, commands) in started {
            for command in commands {
                if command.isFinished { ends[instance, default: [:]][command.id] = Self.end(command) } else { open[instance, default: []].append(command) }
            }
        }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var pause = firstPause
        while !open.isEmpty {
            for instance in open.keys.sorted() {
                let commands = open[instance] ?? []
                guard let client = services.sonarr(instance) else {
                    for command in commands { ends[instance, default: [:]][command.id] = .vanished }
                    open[instance] = nil
                    continue
                }
                let listed: [ArrCommand]
                do throws(ServiceError) { listed = try await client.commands() } catch {
                    if giveUpOnReadError {
                        for command in commands { ends[instance, default: [:]][command.id] = .unreadable(error) }
                        open[instance] = nil
                    }
                    continue
                }
                let byID = Dictionary(listed.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
                var still: [ArrCommand] = []
                for command in commands {
                    guard let current = byID[command.id] else { ends[instance, default: [:]][command.id] = .vanished; continue }
                    if current.isFinished { ends[instance, default: [:]][command.id] = Self.end(current) } else { still.append(current) }
                }
                open[instance] = still.isEmpty ? nil : still
            }
            if open.isEmpty { break }
            guard clock.now < deadline else {
                for (instance, commands) in open { for command in commands { ends[instance, default: [:]][command.id] = .timedOut } }
                break
            }
            try? await Task.sleep(for: min(pause, deadline - clock.now))
            pause = min(pause * 2, longestPause)
        }
        return ends
    }

    private static func end(_ command: ArrCommand) -> End {
        command.status?.lowercased() == "completed" ? .completed(command) : .failed(command)
    }
}
