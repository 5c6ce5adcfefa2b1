import Foundation
public import Logging

/// Logs to standard error as text or one JSON object per line, with every secret redacted.
public struct StderrLogHandler: LogHandler {
    public enum Format: String, Sendable, CaseIterable { case text, json }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String
    let format: Format
    let redactor: RedactorBox

    /// Secrets become known only once the config is read; the box lets the handler learn them later.
    public final class RedactorBox: @unchecked Sendable {
        private let lock = NSLock()
        private var redactor = Redactor(secrets: [])
        public init() {}
        public func set(_ secrets: [String]) { lock.withLock { redactor = Redactor(secrets: secrets) } }
        public func redact(_ text: String) -> String { lock.withLock { redactor }.redact(text) }
    }

    public init(label: String, level: Logger.Level, format: Format, redactor: RedactorBox) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.redactor = redactor
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let line: String
        switch format {
        case .text:
            let meta = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            line = "\(event.level): \(event.message)\(meta)"
        case .json:
            var object: [String: String] = [
                "level": "\(event.level)", "message": "\(event.message)", "label": label,
                "time": ISO8601DateFormatter().string(from: Date()),
            ]
            for (key, value) in all { object[key] = "\(value)" }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        }
        FileHandle.standardError.write(Data((redactor.redact(line) + "\n").utf8))
    }
}
