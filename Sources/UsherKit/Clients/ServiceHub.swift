public import AsyncHTTPClient
public import Logging
import Synchronization

/// What every job shares to talk to the outside world: one HTTP client, one request gate and one retry
/// policy, built once per process from the config — by a CLI command for its one run, by `usher serve` for
/// all of its runs — and shut down once at the end. `api.concurrency` is the gate's limit, so it bounds the
/// whole process, however many jobs and service kinds are under way. Each run brings its own
/// `RequestCounter`, so its report counts its own requests.
public final class ServiceHub: Sendable {
    public let policy: RetryPolicy
    public let gate: RequestGate
    public let logger: Logger
    private let given: HTTPClient?
    private let made = Mutex<HTTPClient?>(nil)

    /// `http`, when given, is used and not shut down by the hub (tests share one client).
    public init(config: UsherConfig, logger: Logger, http: HTTPClient? = nil) {
        self.policy = RetryPolicy(attempts: config.apiAttempts, timeout: config.apiTimeout)
        self.gate = RequestGate(limit: config.apiConcurrency)
        self.logger = logger
        self.given = http
    }

    /// The client, made on first use: making one starts NIO's threads, which a filesystem-mode run does not need.
    /// Usher retries by itself (`RetryPolicy`), so the pool does not keep retrying a refused connection until
    /// the request's deadline.
    public var http: HTTPClient {
        if let given { return given }
        return made.withLock { client in
            if let client { return client }
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool.retryConnectionEstablishment = false
            configuration.timeout.connect = .seconds(10)
            let new = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            client = new
            return new
        }
    }

    /// A client for one endpoint, through the hub's gate; `policy` overrides the config's (a large download).
    public func client(_ endpoint: ServiceEndpoint, counter: RequestCounter?, policy: RetryPolicy? = nil) -> ServiceClient {
        ServiceClient(endpoint: endpoint, http: http, policy: policy ?? self.policy, logger: logger, counter: counter, gate: gate)
    }

    /// The Sonarr, Radarr and Plex servers of `config`, for one run.
    public func arr(_ config: UsherConfig, counter: RequestCounter = RequestCounter()) -> ArrServices {
        ArrServices(config: config, hub: self, counter: counter)
    }

    public func tautulli(_ server: TautulliServer, counter: RequestCounter?) -> TautulliClient {
        TautulliClient(server: server, http: http, policy: policy, logger: logger, counter: counter, gate: gate)
    }

    public func downloadClient(_ entry: DownloadClientConfig, counter: RequestCounter?) -> any DownloadClient {
        DownloadClients.make(
            kind: entry.kind, name: entry.name, url: entry.url, apiKey: entry.apiKey, username: entry.username,
            password: entry.password, http: http, policy: policy, logger: logger, counter: counter, gate: gate)
    }

    /// Closes the client the hub made, if it made one. Safe to call more than once.
    public func shutdown() async {
        guard
            let client = made.withLock({ client -> HTTPClient? in
                defer { client = nil }; return client
            })
        else { return }
        do { try await client.shutdown() } catch { logger.debug("closing the HTTP client: \(error)") }
    }

    /// Runs `body` with `hub`, or with a hub of its own made from `config` and shut down afterwards (a job
    /// started without one: tests, one-off calls).
    public static func using<T, E: Error>(
        _ hub: ServiceHub?, config: UsherConfig, logger: Logger,
        _ body: (ServiceHub) async throws(E) -> T
    ) async throws(E) -> T {
        if let hub { return try await body(hub) }
        let own = ServiceHub(config: config, logger: logger)
        let result: Result<T, E>
        do throws(E) { result = .success(try await body(own)) } catch { result = .failure(error) }
        await own.shutdown()
        return try result.get()
    }
}
