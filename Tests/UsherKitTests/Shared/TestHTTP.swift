import AsyncHTTPClient

/// One HTTP client for the tests that build service clients by hand (the jobs make their own through a
/// `ServiceHub`). Configured as `ServiceHub`'s: no pool retries of a refused connection, 10 s to connect.
enum TestHTTP {
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
