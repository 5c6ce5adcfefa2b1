import Foundation

/// Replaces every known secret value in a text by `[redacted]`.
public struct Redactor: Sendable {
    public var secrets: [String]

    public init(secrets: [String]) {
        // Longest first, so a secret that contains another is replaced whole.
        self.secrets = Array(Set(secrets.filter { $0.count >= 3 })).sorted { $0.count > $1.count }
    }

    public func redact(_ text: String) -> String {
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: "[redacted]")
        }
        return result
    }
}
