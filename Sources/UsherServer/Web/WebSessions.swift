import Foundation

/// The web page's sessions: made by a login, kept in memory (a restart logs everyone out), each with its own CSRF
/// token. A session ends after `idle` without a request, at logout, or when more than `limit` exist (the least
/// recently used goes). Logins are limited: after `maxFailures` wrong keys within `failureWindow`, every login is
/// refused until the window has passed.
actor WebSessions {
    struct Session: Sendable, Equatable {
        let id: String
        let csrf: String
        var lastSeen: Date
    }

    let idle: TimeInterval
    let limit: Int
    let maxFailures = 10
    let failureWindow: TimeInterval = 60
    private var sessions: [String: Session] = [:]
    private var failures: [Date] = []

    init(idle: TimeInterval = 7 * 24 * 3600, limit: Int = 256) {
        self.idle = idle
        self.limit = limit
    }

    /// 32 random bytes as 64 hexadecimal digits.
    static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
    }

    func create(now: Date = Date()) -> Session {
        if sessions.count >= limit, let oldest = sessions.values.min(by: { $0.lastSeen < $1.lastSeen }) {
            sessions[oldest.id] = nil
        }
        let session = Session(id: Self.token(), csrf: Self.token(), lastSeen: now)
        sessions[session.id] = session
        return session
    }

    /// The session of this id, seen now; `nil` when there is none or it has been idle too long.
    func session(_ id: String?, now: Date = Date()) -> Session? {
        guard let id, var session = sessions[id] else { return nil }
        guard now.timeIntervalSince(session.lastSeen) < idle else {
            sessions[id] = nil
            return nil
        }
        session.lastSeen = now
        sessions[id] = session
        return session
    }

    func end(_ id: String) {
        sessions[id] = nil
    }

    var count: Int { sessions.count }

    /// Whether a login may be tried now.
    func mayTry(now: Date = Date()) -> Bool {
        failures.removeAll { now.timeIntervalSince($0) >= failureWindow }
        return failures.count < maxFailures
    }

    func failed(now: Date = Date()) {
        failures.append(now)
        if failures.count > maxFailures * 2 { failures.removeFirst(failures.count - maxFailures * 2) }
    }
}
