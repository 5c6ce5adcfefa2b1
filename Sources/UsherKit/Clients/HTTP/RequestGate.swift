import Foundation

/// Requests sent per service, for the run's report and the benchmark.
public final class RequestCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    public init() {}

    func count(_ service: String) { lock.withLock { counts[service, default: 0] += 1 } }

    public var byService: [String: Int] { lock.withLock { counts } }
    public var total: Int { lock.withLock { counts.values.reduce(0, +) } }
}

/// At most `limit` requests under way at once; the others wait their turn, first come first served.
public actor RequestGate {
    private let limit: Int
    private var active = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(limit: Int) { self.limit = max(1, limit) }

    func enter() async {
        if active < limit {
            active += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty {
            active -= 1
        } else {
            waiting.removeFirst().resume()  // the slot passes on
        }
    }

    /// `leave()` from a synchronous context (a `defer`).
    nonisolated func leaveSoon() { Task { await self.leave() } }
}
