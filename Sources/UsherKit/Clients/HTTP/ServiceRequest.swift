public import Foundation
import NIOCore

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

    public init(
        name: String, baseURL: String, credentialHeader: String, credential: String, credentialQueryName: String? = nil,
        basicAuth: BasicAuth? = nil, otherSecrets: [String] = []
    ) {
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

    public init(
        _ method: String, _ path: String, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: RequestBody? = nil, accept: String = "application/json", passThrough: Set<Int> = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.accept = accept
        self.passThrough = passThrough
    }
}
