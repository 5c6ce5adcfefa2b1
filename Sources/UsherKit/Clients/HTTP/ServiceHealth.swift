public import Foundation
import Synchronization

/// When each service last answered, and its last failure, by the service's name in Usher's words (`sonarr main`,
/// `radarr 4k`, `plex`, `tautulli`, a download client's name). Kept for the process, as the request metrics are:
/// `usher serve` shows it on its overview and in `GET api/v1/status`, so that a service that stopped answering, or
/// refuses the key, is seen without reading logs. The failure is the error's text, which holds no secret
/// (`ServiceClient` redacts it).
public final class ServiceHealth: Sendable {
    public struct Entry: Sendable, Equatable {
        /// The last request it answered (any status but a refusal of the key or a server error: a 404 is an answer).
        public var lastAnswer: Date?
        /// The last request that failed after its retries, and why.
        public var lastFailure: Date?
        public var failure: String?
    }

    /// The process's: every `ServiceClient` notes here unless given another.
    public static let shared = ServiceHealth()

    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    public func answered(_ service: String, at time: Date = Date()) {
        entries.withLock { $0[service, default: Entry()].lastAnswer = time }
    }

    public func failed(_ service: String, _ failure: String, at time: Date = Date()) {
        entries.withLock { all in
            all[service, default: Entry()].lastFailure = time
            all[service, default: Entry()].failure = failure
        }
    }

    /// A service's entry, or `nil` when the process has not asked it anything yet.
    public func entry(_ service: String) -> Entry? { entries.withLock { $0[service] } }
}
