import Foundation
public import Logging
public import UsherCore
public import UsherKit

/// The jobs as `usher serve` runs them: the same code as the CLI commands, their report kept as the
/// JSON `--json` prints.
public enum ServeJobs {
    public static func execute(_ job: ServeJob, dryRun: Bool, focus: PrefetchFocus? = nil, config: UsherConfig, logger: Logger) async -> JobResult {
        if let problem = config.requirementError(for: job.command) { return JobResult(outcome: .failed, message: problem) }
        do throws(JobError) {
            switch job {
            case .link:
                let outcome = try await LinkJob(config: config, logger: logger).run(LinkOptions(dryRun: dryRun), progress: nil)
                return result(json: LinkReport(outcome).json(), hasErrors: outcome.hasErrors)
            case .prefetch:
                let report = try await PrefetchJob(config: config, logger: logger).run(PrefetchOptions(dryRun: dryRun, focus: focus))
                return result(json: report.json(), hasErrors: report.hasErrors)
            case .match:
                let report = try await MatchJob(config: config, logger: logger).run(MatchOptions(write: !dryRun))
                return result(json: report.json(), hasErrors: report.hasErrors)
            case .watchSync:
                let report = try await WatchSyncJob(config: config, logger: logger).run(WatchSyncOptions(dryRun: dryRun))
                return result(json: report.json(), hasErrors: report.hasErrors)
            }
        } catch {
            return JobResult(outcome: error.kind == .busy ? .busy : .failed, message: error.message)
        }
    }

    static func result(json: String, hasErrors: Bool) -> JobResult {
        JobResult(outcome: hasErrors ? .errors : .ok, counts: counts(ofReport: json), report: json)
    }

    /// The counts at the top of a report: its integers, and the length of its lists (`errors`, `conflicts`,
    /// `searched`…).
    static func counts(ofReport json: String) -> [String: Int] {
        struct Count: Decodable {
            var value: Int?
            init(from decoder: any Decoder) throws {
                let single = try decoder.singleValueContainer()
                if (try? single.decode(Bool.self)) != nil {
                    value = nil
                } else if let number = try? single.decode(Int.self) {
                    value = number
                } else if let list = try? decoder.unkeyedContainer() {
                    value = list.count
                } else {
                    value = nil
                }
            }
        }
        guard let top = try? JSONDecoder().decode([String: Count].self, from: Data(json.utf8)) else { return [:] }
        return top.compactMapValues(\.value)
    }
}
