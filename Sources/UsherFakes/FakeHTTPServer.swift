public import Foundation
import Hummingbird
import Logging
import NIOCore

/// A request as a fake server sees it.
public struct FakeRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [(String, String)]
    public var headers: [String: String]
    public var body: Data

    /// The first value of a query parameter.
    public func query(_ name: String) -> String? { query.first { $0.0 == name }?.1 }
    /// Every value of a repeated query parameter (`episodeIds=1&episodeIds=2`).
    public func queryAll(_ name: String) -> [String] { query.filter { $0.0 == name }.map(\.1) }
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

public struct FakeResponse: Sendable {
    public var status: Int
    public var body: Data
    public var contentType: String

    public init(status: Int, body: Data = Data(), contentType: String = "application/json; charset=utf-8") {
        self.status = status
        self.body = body
        self.contentType = contentType
    }

    public static func json(_ value: some Encodable, status: Int = 200) -> FakeResponse {
        let encoder = JSONEncoder()
        return FakeResponse(status: status, body: (try? encoder.encode(value)) ?? Data())
    }

    public static func error(_ status: Int, _ message: String) -> FakeResponse {
        FakeResponse(status: status, body: Data("{\"message\":\"\(message)\"}".utf8))
    }
}

/// An HTTP server on 127.0.0.1 and a port the system picks, answering with a handler. Every request is
/// recorded, so tests can count them.
public final class FakeHTTPServer: @unchecked Sendable {
    public let port: Int
    private let task: Task<Void, any Error>
    private let lock = NSLock()
    private var recorded: [FakeRequest] = []

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The requests received so far.
    public var requests: [FakeRequest] { lock.withLock { recorded } }

    public func resetRequests() { lock.withLock { recorded = [] } }

    private init(port: Int, task: Task<Void, any Error>) {
        self.port = port
        self.task = task
    }

    public static func start(_ handler: @escaping @Sendable (FakeRequest) async -> FakeResponse) async throws -> FakeHTTPServer {
        let box = Box()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let body = try await request.body.collect(upTo: 64 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            var query: [(String, String)] = []
            for (key, value) in request.uri.queryParameters {
                query.append((String(key).removingPercentEncoding ?? String(key), String(value).removingPercentEncoding ?? String(value)))
            }
            let fake = FakeRequest(
                method: request.method.rawValue, path: request.uri.path, query: query, headers: headers,
                body: Data(body.readableBytesView))
            box.server?.record(fake)
            let answer = await handler(fake)
            var fields = HTTPFields()
            fields[.contentType] = answer.contentType
            return Response(status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        var logger = Logger(label: "fake-server")
        logger.logLevel = .critical
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger)
        let task = Task { try await app.run() }
        var port = 0
        for await p in portStream { port = p; break }
        let server = FakeHTTPServer(port: port, task: task)
        box.server = server
        return server
    }

    public func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    fileprivate func record(_ request: FakeRequest) { lock.withLock { recorded.append(request) } }

    private final class Box: @unchecked Sendable {
        var server: FakeHTTPServer?
    }
}
