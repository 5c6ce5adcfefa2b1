public import AsyncHTTPClient
public import Foundation
public import Logging
import NIOCore
import NIOHTTP1

/// JSON over HTTP with one service: credential header, timeouts, bounded retries with backoff on
/// connection errors and 5xx answers, size-capped bodies, and errors that say what went wrong.
public struct ServiceClient: Sendable {
    public let endpoint: ServiceEndpoint
    public let http: HTTPClient
    public let policy: RetryPolicy
    public let logger: Logger
    /// The largest body read (a full Sonarr series list of a large library is a few MB).
    public var maxBodyBytes = 256 << 20
    /// Counts the requests sent (retries included), when given.
    public let counter: RequestCounter?
    /// Bounds the requests under way at once, across every client that shares it.
    public let gate: RequestGate?
    /// Where the outcome of each request (after its retries) is noted.
    public let health: ServiceHealth?

    public init(
        endpoint: ServiceEndpoint, http: HTTPClient, policy: RetryPolicy = RetryPolicy(), logger: Logger,
        counter: RequestCounter? = nil, gate: RequestGate? = nil, health: ServiceHealth? = .shared
    ) {
        self.endpoint = endpoint
        self.http = http
        self.policy = policy
        self.logger = logger
        self.counter = counter
        self.gate = gate
        self.health = health
    }

    public struct Response: Sendable {
        public var status: Int
        public var body: Data
        /// The answer's header fields, in order (a name may repeat, as `Set-Cookie` does).
        public var headers: [(name: String, value: String)] = []

        /// The first value of a header field (names compare case-insensitively).
        public func header(_ name: String) -> String? { headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value }
        /// Every value of a header field.
        public func headerValues(_ name: String) -> [String] { headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value) }
    }

    /// Sends a request and returns the raw answer of a 2xx status; anything else throws.
    public func send(
        _ method: String, _ path: String, query: [(String, String)] = [], json body: Data? = nil,
        accept: String = "application/json"
    ) async throws(ServiceError) -> Response {
        try await send(ServiceRequest(method, path, query: query, body: body.map(RequestBody.json), accept: accept))
    }

    /// Sends a request and returns the raw answer of a 2xx status or of a status in `passThrough`;
    /// anything else throws. The outcome is noted in `health`: an answer (a 404 too), or the failure.
    public func send(_ call: ServiceRequest) async throws(ServiceError) -> Response {
        do {
            let response = try await attempts(call)
            health?.answered(endpoint.name)
            return response
        } catch {
            // A 404 is an answer; another refusal is one too, and a failure to see.
            if error.kind == .notFound || error.kind == .rejected { health?.answered(endpoint.name) }
            if error.kind != .notFound { health?.failed(endpoint.name, error.description) }
            throw error
        }
    }

    private func attempts(_ call: ServiceRequest) async throws(ServiceError) -> Response {
        let method = call.method
        let path = call.path
        let url = displayURL(path, call.query)
        let realURL = endpoint.baseURL + path + Self.encode(call.query + (endpoint.credentialQueryName.map { [($0, endpoint.credential)] } ?? []))
        var request = HTTPClientRequest(url: realURL)
        request.method = HTTPMethod(rawValue: method)
        if endpoint.credentialQueryName == nil, !endpoint.credentialHeader.isEmpty {
            request.headers.add(name: endpoint.credentialHeader, value: endpoint.credential)
        }
        if let basic = endpoint.basicAuth { request.headers.add(name: "Authorization", value: basic.header) }
        request.headers.add(name: "Accept", value: call.accept)
        request.headers.add(name: "User-Agent", value: "Usher")
        for (name, value) in call.headers { request.headers.add(name: name, value: value) }
        if let body = call.body {
            request.headers.add(name: "Content-Type", value: body.contentType)
            request.body = .bytes(ByteBuffer(bytes: body.data))
        }
        let secrets = endpoint.secrets
        let refused =
            endpoint.basicAuth != nil
            ? "the username or password was refused; check them in the config"
            : "the API key or token was refused; check it in the config"
        func failure(_ kind: ServiceError.Kind, _ status: Int?, _ message: String, _ excerpt: String? = nil) -> ServiceError {
            ServiceError(
                kind: kind, service: endpoint.name, method: method, url: url, status: status, message: Self.redact(message, secrets),
                excerpt: excerpt.map { Self.redact($0, secrets) })
        }
        var attempt = 1
        var wait = policy.backoff
        while true {
            let retryable: ServiceError
            counter?.count(endpoint.name)
            await gate?.enter()
            var outcome = "unreachable"
            do {
                defer {
                    gate?.leaveSoon()
                    ServiceMetrics.request(service: endpoint.name, outcome: outcome)
                }
                let response = try await http.execute(request, timeout: .nanoseconds(Self.nanoseconds(policy.timeout)), logger: logger)
                let data = try await Self.collect(response.body, expected: response.headers.first(name: "Content-Length"), upTo: maxBodyBytes)
                let status = Int(response.status.code)
                outcome = ServiceMetrics.outcome(status: status)
                logger.trace("service answered", metadata: ["service": "\(endpoint.name)", "method": "\(method)", "path": "\(path)", "status": "\(status)"])
                if (200..<300).contains(status) || call.passThrough.contains(status) {
                    return Response(status: status, body: data, headers: response.headers.map { (name: $0.name, value: $0.value) })
                }
                switch status {
                case 401, 403:
                    throw failure(.unauthorized, status, refused, Self.excerpt(data))
                case 404:
                    throw failure(.notFound, status, "not found", Self.excerpt(data))
                case 500...:
                    retryable = failure(.server, status, "server error", Self.excerpt(data))
                default:
                    throw failure(.rejected, status, "the request was refused", Self.excerpt(data))
                }
            } catch let error as ServiceError {
                throw error
            } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
                retryable = failure(.timeout, nil, "no answer within \(policy.timeout)")
            } catch let error as NIOTooManyBytesError {
                throw failure(.badResponse, nil, "the answer was larger than \(maxBodyBytes) bytes: \(error)")
            } catch {
                retryable = failure(.unreachable, nil, "cannot connect: \(String(describing: error))")
            }
            guard attempt < policy.attempts else { throw retryable }
            logger.debug("retrying", metadata: ["service": "\(endpoint.name)", "attempt": "\(attempt + 1)", "reason": "\(retryable.message)"])
            try? await Task.sleep(for: wait)
            wait *= 2
            attempt += 1
        }
    }

    /// The whole body, read as it arrives into one buffer of the announced length (a 40 MB movie list is held
    /// once, not in NIO's buffer and a copy of it).
    static func collect(_ body: HTTPClientResponse.Body, expected: String?, upTo limit: Int) async throws -> Data {
        var data = Data()
        if let expected, let length = Int(expected), length > 0 {
            guard length <= limit else { throw NIOTooManyBytesError(maxBytes: limit) }
            data.reserveCapacity(length)
        }
        for try await chunk in body {
            guard data.count + chunk.readableBytes <= limit else { throw NIOTooManyBytesError(maxBytes: limit) }
            chunk.withUnsafeReadableBytes { data.append(contentsOf: $0) }
        }
        return data
    }

    /// Sends a request and decodes its JSON answer.
    public func request<T: Decodable>(
        _ type: T.Type, _ method: String = "GET", _ path: String, query: [(String, String)] = [], json body: Data? = nil
    ) async throws(ServiceError) -> T {
        let response = try await send(method, path, query: query, json: body)
        do {
            return try JSONDecoder().decode(T.self, from: response.body)
        } catch {
            throw decodingFailure(error, method, path, query, response)
        }
    }

    /// Decodes the JSON of an answer `send` returned, failing as `request` does.
    public func decode<T: Decodable>(
        _ type: T.Type, from response: Response, _ method: String, _ path: String, query: [(String, String)] = []
    ) throws(ServiceError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: response.body)
        } catch {
            throw decodingFailure(error, method, path, query, response)
        }
    }

    /// An error about a request to this service that answered but not as expected (a refusal in a
    /// 200 answer, an unknown id); the URL, message and excerpt without secrets.
    public func failure(
        _ kind: ServiceError.Kind, _ method: String, _ path: String, query: [(String, String)] = [], status: Int? = nil,
        _ message: String, excerpt: Data? = nil
    ) -> ServiceError {
        ServiceError(
            kind: kind, service: endpoint.name, method: method, url: displayURL(path, query), status: status,
            message: redacted(message), excerpt: excerpt.map { redacted(Self.excerpt($0)) })
    }

    /// Sends a request and decodes its answer, a JSON array: with the fast reader for the models it
    /// knows, else (or when it cannot) with `JSONDecoder`, a large array in parallel parts.
    /// With `keeping`, only the elements it accepts are kept, part by part as they are read: a list of 50,000
    /// movies of which a run needs 2,000 never exists in memory whole.
    public func requestList<Element: Decodable & Sendable>(
        _ type: Element.Type, _ path: String, query: [(String, String)] = [], keeping: (@Sendable (Element) -> Bool)? = nil
    ) async throws(ServiceError) -> [Element] {
        let response = try await send("GET", path, query: query)
        do {
            return try Self.decodeList(Element.self, from: response.body, keeping: keeping)
        } catch {
            throw decodingFailure(error, "GET", path, query, response)
        }
    }

    /// A JSON array as `requestList` decodes it.
    public static func decodeList<Element: Decodable & Sendable>(
        _ type: Element.Type, from data: Data, keeping: (@Sendable (Element) -> Bool)? = nil
    ) throws -> [Element] {
        if let fast = Element.self as? any FastDecodable.Type {
            var erased: (@Sendable (any FastDecodable) -> Bool)?
            if let keeping {
                erased = { element in (element as? Element).map(keeping) ?? false }
            }
            if let list = ParallelJSON.fastArray(fast, from: data, keeping: erased) as? [Element] { return list }
        }
        return try ParallelJSON.decodeArray(Element.self, from: data, keeping: keeping)
    }

    private func decodingFailure(_ error: any Error, _ method: String, _ path: String, _ query: [(String, String)], _ response: Response) -> ServiceError {
        do { throw error } catch {
            return ServiceError(
                kind: .badResponse, service: endpoint.name, method: method,
                url: displayURL(path, query),
                status: response.status, message: "the answer is not the JSON expected: \(Self.describe(error))",
                excerpt: Self.redact(Self.excerpt(response.body), endpoint.secrets))
        }
    }

    /// The URL as messages show it: the key, when it travels in the query, as `[redacted]`.
    func displayURL(_ path: String, _ query: [(String, String)]) -> String {
        var url = endpoint.baseURL + path + Self.encode(query)
        if let name = endpoint.credentialQueryName { url += (query.isEmpty ? "?" : "&") + name + "=[redacted]" }
        return url
    }

    /// Encodes a request body.
    public static func json(_ value: some Encodable) -> Data {
        (try? JSONEncoder().encode(value)) ?? Data("{}".utf8)
    }

    static func encode(_ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return "" }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#/")
        return "?"
            + query.map {
                "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)"
            }.joined(separator: "&")
    }

    static func excerpt(_ data: Data) -> String {
        let text = String(decoding: data.prefix(200), as: UTF8.self)
        return text.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
    }

    /// `text` with every one of `secrets` shown as `[redacted]` (the one `Redactor` of Usher).
    static func redact(_ text: String, _ secrets: [String]) -> String {
        Redactor(secrets: secrets).redact(text)
    }

    /// A text with this endpoint's secrets redacted, for messages built outside `send`.
    public func redacted(_ text: String) -> String { Self.redact(text, endpoint.secrets) }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing '\(key.stringValue)' at \(path(context.codingPath))"
        case DecodingError.typeMismatch(let type, let context), DecodingError.valueNotFound(let type, let context):
            return "expected \(type) at \(path(context.codingPath))"
        case DecodingError.dataCorrupted(let context):
            return "\(context.debugDescription) at \(path(context.codingPath))"
        default:
            return "\(error)"
        }
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        "$" + codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }
}
