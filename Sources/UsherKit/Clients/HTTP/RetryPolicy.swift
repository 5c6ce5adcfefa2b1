/// How hard to try.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var attempts: Int
    /// Wait before the second attempt; doubled for each further one.
    public var backoff: Duration
    public var timeout: Duration

    public init(attempts: Int = 3, backoff: Duration = .milliseconds(500), timeout: Duration = .seconds(30)) {
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.timeout = timeout
    }
}
