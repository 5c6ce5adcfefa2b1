import Foundation

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
