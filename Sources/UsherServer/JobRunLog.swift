public import Logging
import Synchronization
public import UsherKit

/// The log lines of one run `usher serve` makes, kept with the run (its page shows them): what the job logs at the
/// server's level and above, each line with its metadata, secrets redacted, at most `limit` lines (then a count of
/// those left out).
public final class JobRunLog: Sendable {
    let limit: Int
    let redactor: Redactor
    private let lines = Mutex<(kept: [String], dropped: Int)>(([], 0))

    public init(limit: Int = 1000, secrets: [String]) {
        self.limit = limit
        self.redactor = Redactor(secrets: secrets)
    }

    func append(_ line: String) {
        let line = redactor.redact(line)
        lines.withLock { state in
            if state.kept.count < limit { state.kept.append(line) } else { state.dropped += 1 }
        }
    }

    /// The lines, one per line; `nil` when the run logged nothing.
    public var text: String? {
        lines.withLock { state in
            guard !state.kept.isEmpty else { return nil }
            return (state.kept + (state.dropped > 0 ? ["… and \(state.dropped) more lines"] : [])).joined(separator: "\n")
        }
    }

    /// `logger`, also writing into this log.
    public func tee(_ logger: Logger) -> Logger {
        var teed = logger
        teed.handler = MultiplexLogHandler([logger.handler, Handler(log: self, logLevel: logger.logLevel)])
        return teed
    }

    struct Handler: LogHandler {
        let log: JobRunLog
        var logLevel: Logger.Level
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var all = metadata
            if let extra = event.metadata { all.merge(extra) { $1 } }
            let fields = all.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
            log.append("\(event.level): \(event.message)\(fields)")
        }
    }
}
