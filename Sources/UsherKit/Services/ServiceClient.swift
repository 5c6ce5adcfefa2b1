public import AsyncHTTPClient
public import Foundation
public import Logging
import NIOCore
import NIOHTTP1

/// A failed call to a service: which service, which URL (never the key), what happened.
public struct ServiceError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// 401/403: the API key, token or password is wrong.
        case unauthorized
        case notFound
        /// Another 4xx: the request itself was refused.
        case rejected
        /// 5xx after the retries.
        case server
        /// The answer was not the JSON expected.
        case badResponse
        /// No connection, or the connection broke, after the retries.
        case unreachable
        case timeout
    }

    public var kind: Kind
    public var service: String
    public var method: String
    public var url: String
    public var status: Int?
    public var message: String
    /// The start of the answer's body, for diagnosis.
    public var excerpt: String?

    public var description: String {
        var text = "\(service): \(method) \(url)"
        if let status { text += " answered \(status)" }
        text += ": \(message)"
        if let excerpt, !excerpt.isEmpty { text += " (\(excerpt))" }
        return text
    }
}

/// Where a service is and how to prove who we are.
public struct ServiceEndpoint: Sendable {
    /// For messages: `sonarr main`.
    public var name: String
    /// `http://host:port/urlbase`, without a trailing slash.
    public var baseURL: String
    /// The header that carries `credential` on every request; none is sent when it is empty.
    public var credentialHeader: String
    public var credential: String
    /// For services that take the key only as a query parameter (Tautulli's `apikey`): its name. The
    /// key is then sent in the URL, and every URL in a message shows `[redacted]` in its place.
    public var credentialQueryName: String?
    /// HTTP Basic credentials (NZBGet, Transmission), sent on every request. Neither the password nor
    /// the encoded token ever appears in a message.
    public var basicAuth: BasicAuth?
    /// Further secrets no message may show (a password sent in a login form).
    public var otherSecrets: [String]

    public struct BasicAuth: Sendable, Hashable {
        public var username: String
        public var password: String

        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }

        /// The `Authorization` header's value.
        public var header: String { "Basic " + token }
        var token: String { Data("\(username):\(password)".utf8).base64EncodedString() }
    }

    public init(name: String, baseURL: String, credentialHeader: String, credential: String, credentialQueryName: String? = nil,
                basicAuth: BasicAuth? = nil, otherSecrets: [String] = []) {
        self.credentialQueryName = credentialQueryName
        self.name = name
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.credentialHeader = credentialHeader
        self.credential = credential
        self.basicAuth = basicAuth
        self.otherSecrets = otherSecrets
    }

    /// Every secret of the endpoint, as sent and as percent-encoded in a URL, longest first (so a
    /// secret that contains another is replaced whole).
    var secrets: [String] {
        var all = [credential] + otherSecrets
        if let basicAuth { all += [basicAuth.password, basicAuth.token, "\(basicAuth.username):\(basicAuth.password)"] }
        all += all.compactMap { $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) }
        return Array(Set(all.filter { $0.count >= 3 })).sorted { $0.count > $1.count }
    }
}

/// A request body and its content type.
public struct RequestBody: Sendable {
    public var contentType: String
    public var data: Data

    public init(contentType: String, data: Data) {
        self.contentType = contentType
        self.data = data
    }

    public static func json(_ data: Data) -> RequestBody { RequestBody(contentType: "application/json", data: data) }

    /// `application/x-www-form-urlencoded` fields.
    public static func form(_ fields: [(String, String)]) -> RequestBody {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        let text = fields.map { field in
            [field.0, field.1].map { ($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0) }.joined(separator: "=")
        }.joined(separator: "&")
        return RequestBody(contentType: "application/x-www-form-urlencoded", data: Data(text.utf8))
    }
}

/// One request, with what the plain `send` does not cover: headers, any body, statuses the caller
/// handles itself.
public struct ServiceRequest: Sendable {
    public var method: String
    /// Appended to the endpoint's base URL (may be empty).
    public var path: String
    public var query: [(String, String)]
    public var headers: [(String, String)]
    public var body: RequestBody?
    public var accept: String
    /// Statuses returned as an answer instead of thrown: a 409 that asks for a session header
    /// (Transmission), a 403 after which the caller logs in again (qBittorrent).
    public var passThrough: Set<Int>

    public init(_ method: String, _ path: String, query: [(String, String)] = [], headers: [(String, String)] = [],
                body: RequestBody? = nil, accept: String = "application/json", passThrough: Set<Int> = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.accept = accept
        self.passThrough = passThrough
    }
}

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

    public init(endpoint: ServiceEndpoint, http: HTTPClient, policy: RetryPolicy = RetryPolicy(), logger: Logger,
                counter: RequestCounter? = nil, gate: RequestGate? = nil) {
        self.endpoint = endpoint
        self.http = http
        self.policy = policy
        self.logger = logger
        self.counter = counter
        self.gate = gate
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
    /// anything else throws.
    public func send(_ call: ServiceRequest) async throws(ServiceError) -> Response {
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
        let refused = endpoint.basicAuth != nil
            ? "the username or password was refused; check them in the config"
            : "the API key or token was refused; check it in the config"
        func failure(_ kind: ServiceError.Kind, _ status: Int?, _ message: String, _ excerpt: String? = nil) -> ServiceError {
            ServiceError(kind: kind, service: endpoint.name, method: method, url: url, status: status, message: Self.redact(message, secrets),
                         excerpt: excerpt.map { Self.redact($0, secrets) })
        }
        var attempt = 1
        var wait = policy.backoff
        while true {
            let retryable: ServiceError
            counter?.count(endpoint.name)
            await gate?.enter()
            do {
                defer { gate?.leaveSoon() }
                let response = try await http.execute(request, timeout: .nanoseconds(Self.nanoseconds(policy.timeout)), logger: logger)
                let buffer = try await response.body.collect(upTo: maxBodyBytes)
                let data = Data(buffer.readableBytesView)
                let status = Int(response.status.code)
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
        ServiceError(kind: kind, service: endpoint.name, method: method, url: displayURL(path, query), status: status,
                     message: redacted(message), excerpt: excerpt.map { redacted(Self.excerpt($0)) })
    }

    /// Sends a request and decodes its answer, a JSON array: with the fast reader for the models it
    /// knows, else (or when it cannot) with `JSONDecoder`, a large array in parallel parts.
    public func requestList<Element: Decodable & Sendable>(
        _ type: Element.Type, _ path: String, query: [(String, String)] = []
    ) async throws(ServiceError) -> [Element] {
        let response = try await send("GET", path, query: query)
        do {
            return try Self.decodeList(Element.self, from: response.body)
        } catch {
            throw decodingFailure(error, "GET", path, query, response)
        }
    }

    /// A JSON array as `requestList` decodes it.
    public static func decodeList<Element: Decodable & Sendable>(_ type: Element.Type, from data: Data) throws -> [Element] {
        if let fast = Element.self as? any FastDecodable.Type, let list = ParallelJSON.fastArray(fast, from: data) as? [Element] { return list }
        return try ParallelJSON.decodeArray(Element.self, from: data)
    }

    private func decodingFailure(_ error: any Error, _ method: String, _ path: String, _ query: [(String, String)], _ response: Response) -> ServiceError {
        do { throw error } catch {
            return ServiceError(kind: .badResponse, service: endpoint.name, method: method,
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
        return "?" + query.map {
            "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)"
        }.joined(separator: "&")
    }

    static func excerpt(_ data: Data) -> String {
        let text = String(decoding: data.prefix(200), as: UTF8.self)
        return text.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
    }

    static func redact(_ text: String, _ secret: String) -> String {
        secret.count >= 3 ? text.replacingOccurrences(of: secret, with: "[redacted]") : text
    }

    /// `text` with every one of `secrets` (longest first) shown as `[redacted]`.
    static func redact(_ text: String, _ secrets: [String]) -> String {
        secrets.reduce(text) { redact($0, $1) }
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

/// Decodes a large JSON array in parts on every core: the array is split at its top-level commas
/// (outside strings), and each part is decoded by its own `JSONDecoder`.
enum ParallelJSON {
    static func decodeArray<Element: Decodable & Sendable>(_ type: Element.Type, from data: Data, partBytes: Int = 4 << 20) throws -> [Element] {
        let parts = data.count < 2 * partBytes ? nil : split(data, partBytes: partBytes)
        guard let parts, parts.count > 1 else { return try JSONDecoder().decode([Element].self, from: data) }
        let results = parts.parallelMap(threshold: 1) { range -> Result<[Element], any Error> in
            var chunk = Data(capacity: range.count + 2)
            chunk.append(UInt8(ascii: "["))
            chunk.append(data[range])
            chunk.append(UInt8(ascii: "]"))
            return Result { try JSONDecoder().decode([Element].self, from: chunk) }
        }
        var all: [Element] = []
        all.reserveCapacity(results.reduce(0) { $0 + ((try? $1.get().count) ?? 0) })
        for result in results { all += try result.get() }
        return all
    }

    /// The fast reader, a large array in parts on every core; `nil` when it cannot read it.
    static func fastArray<T: FastDecodable>(_ type: T.Type, from data: Data, partBytes: Int = 4 << 20) -> [T]? {
        guard data.count >= 2 * partBytes, let parts = split(data, partBytes: partBytes), parts.count > 1 else { return T.fastList(data) }
        let lists = parts.parallelMap(threshold: 1) { range -> [T]? in
            var chunk = Data(capacity: range.count + 2)
            chunk.append(UInt8(ascii: "["))
            chunk.append(data[range])
            chunk.append(UInt8(ascii: "]"))
            return T.fastList(chunk)
        }
        var all: [T] = []
        for list in lists {
            guard let list else { return nil }
            all += list
        }
        return all
    }

    /// The byte ranges of runs of whole elements, each about `partBytes` long; `nil` when the data is
    /// not a plain top-level array (then the ordinary decoder reports what is wrong).
    static func split(_ data: Data, partBytes: Int) -> [Range<Int>]? {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [Range<Int>]? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var i = 0
            let n = bytes.count
            func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
            while i < n, isSpace(bytes[i]) { i += 1 }
            guard i < n, bytes[i] == UInt8(ascii: "[") else { return nil }
            i += 1
            var ranges: [Range<Int>] = []
            var start = i
            var depth = 0
            var inString = false
            while i < n {
                let b = bytes[i]
                if inString {
                    if b == UInt8(ascii: "\\") { i += 2; continue }
                    if b == UInt8(ascii: "\"") { inString = false }
                } else {
                    switch b {
                    case UInt8(ascii: "\""): inString = true
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"): depth -= 1
                    case UInt8(ascii: "]"):
                        if depth == 0 {
                            ranges.append(start..<i)
                            return ranges.filter { !$0.isEmpty }
                        }
                        depth -= 1
                    case UInt8(ascii: ","):
                        if depth == 0, i - start >= partBytes {
                            ranges.append(start..<i)
                            start = i + 1
                        }
                    default: break
                    }
                }
                i += 1
            }
            return nil
        }.map { ranges in ranges.map { (data.startIndex + $0.lowerBound)..<(data.startIndex + $0.upperBound) } }
    }
}
