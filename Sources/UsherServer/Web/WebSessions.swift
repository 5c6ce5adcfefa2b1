import Crypto
import Foundation
import UsherKit

/// The web page's sessions: made by a login, each with its own CSRF token, and kept in `usher.db` (by the SHA-256
/// of the token: the token itself is only in the browser's cookie), so that a restart of the server logs nobody out.
/// A session ends after `idle` without a request, at logout, or when more than `limit` exist (the least recently
/// used goes). Logins are limited: after `maxFailures` wrong keys within `failureWindow`, every login is refused
/// until the window has passed. Without a store (tests), sessions live in memory only.
actor WebSessions {
    struct Session: Sendable, Equatable {
        let id: String
        let csrf: String
        var lastSeen: Date
        /// When the store last heard of it: its last-seen time is written at most every `touchEvery`.
        var stored: Date
    }

    let idle: TimeInterval
    let limit: Int
    let maxFailures = 10
    let failureWindow: TimeInterval = 60
    let touchEvery: TimeInterval = 600
    private let store: Ledger?
    private var sessions: [String: Session] = [:]
    private var failures: [Date] = []

    init(idle: TimeInterval = 7 * 24 * 3600, limit: Int = 256, store: Ledger? = nil) {
        self.idle = idle
        self.limit = limit
        self.store = store
    }

    /// 32 random bytes as 64 hexadecimal digits.
    static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
    }

    /// What the store keeps of a token.
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    func create(now: Date = Date()) -> Session {
        if sessions.count >= limit, let oldest = sessions.values.min(by: { $0.lastSeen < $1.lastSeen }) {
            sessions[oldest.id] = nil
        }
        let session = Session(id: Self.token(), csrf: Self.token(), lastSeen: now, stored: now)
        sessions[session.id] = session
        // A session the store could not keep still works until the server stops.
        try? store?.keepWebSession(Ledger.WebSessionRow(hash: Self.hash(session.id), csrf: session.csrf, lastSeen: now), limit: limit)
        return session
    }

    /// The session of this id, seen now; `nil` when there is none or it has been idle too long.
    func session(_ id: String?, now: Date = Date()) -> Session? {
        guard let id, !id.isEmpty else { return nil }
        var found = sessions[id]
        if found == nil, let store, let row = try? store.webSession(hash: Self.hash(id)) {
            // Made before this server started.
            found = Session(id: id, csrf: row.csrf, lastSeen: row.lastSeen, stored: row.lastSeen)
        }
        guard var session = found else { return nil }
        guard now.timeIntervalSince(session.lastSeen) < idle else {
            end(id, now: now)
            return nil
        }
        session.lastSeen = now
        if now.timeIntervalSince(session.stored) >= touchEvery {
            session.stored = now
            try? store?.keepWebSession(Ledger.WebSessionRow(hash: Self.hash(id), csrf: session.csrf, lastSeen: now), limit: limit)
        }
        sessions[id] = session
        return session
    }

    func end(_ id: String, now: Date = Date()) {
        sessions[id] = nil
        try? store?.forgetWebSessions(hash: Self.hash(id), idleSince: now.addingTimeInterval(-idle))
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
