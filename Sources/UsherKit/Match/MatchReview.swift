public import Foundation
import UsherCore

/// What `usher match review` did with the decisions in the proposals file.
public struct ReviewReport: Sendable {
    public var accepted: [ProposalEntry] = []
    public var rejected: [ProposalEntry] = []
    public var undecided = 0
    /// Accepted entries that claim an episode already claimed: left in the proposals file.
    public var conflicts: [String] = []
    public var archived: String?
    public var proposalsArchived: String?
    public var dryRun = false

    public var hasErrors: Bool { !conflicts.isEmpty }

    public func text() -> String {
        var lines: [String] = []
        let verb = dryRun ? "would add" : "added"
        lines.append(
            "\(verb) \(accepted.count) links to the mapping file, \(dryRun ? "would remember" : "remembered") \(rejected.count) rejections, \(undecided) proposals left undecided"
        )
        for e in accepted { lines.append("  + \(e.label)") }
        for e in rejected { lines.append("  - \(e.label) (never proposed again)") }
        for c in conflicts { lines.append("error: \(c)") }
        if let archived { lines.append("previous mapping file: \(archived)") }
        return lines.joined(separator: "\n")
    }
}

extension MatchJob {
    /// Applies the decisions in the proposals file: accepted entries are added to the mapping file,
    /// rejected ones remembered in the state database (and never proposed again); both leave the
    /// proposals file, undecided ones stay. An accepted entry that claims an episode the mapping file
    /// (or another accepted entry) already claims is not added and stays, with an error.
    public func review(dryRun: Bool = false, now: Date = Date()) throws(JobError) -> ReviewReport {
        let path = config.match.proposalsFile
        let entries: [ProposalEntry]
        do { entries = try ProposalsFile.load(path: path) } catch {
            throw JobError(kind: .config, message: error.description)
        }
        let document = try loadMappings()
        let existing = document.mappings
        var report = ReviewReport(dryRun: dryRun)
        var keep: [ProposalEntry] = []
        var claimed = existing
        for entry in entries {
            switch entry.accept {
            case nil:
                report.undecided += 1
                keep.append(entry)
            case false?:
                report.rejected.append(entry)
            case true? where existing.contains(where: { $0.key == entry.mapping.key && $0.source == entry.mapping.source }):
                // Already in the mapping file (a review that stopped half-way): done.
                break
            case true?:
                let problems = MappingValidation.conflictingClaims(claimed + [entry.mapping])
                if let problem = problems.first(where: { $0.mappingKey == entry.mapping.key && $0.label == entry.mapping.labelWithLocation }) ?? problems.first
                {
                    report.conflicts.append("\(entry.location.map { "\($0): " } ?? "")\(entry.label) was not added: \(problem.message)")
                    keep.append(entry)
                } else {
                    report.accepted.append(entry)
                    claimed.append(entry.mapping)
                }
            }
        }
        guard !dryRun else { return report }
        let state = try openState()
        let nowSeconds = Int64(now.timeIntervalSince1970)
        do {
            try state.recordRejections(
                report.rejected.map {
                    Ledger.Rejection(
                        pairKey: $0.pairKey, movie: $0.movie.label, target: "\($0.show.title) \(EpisodeSpec.format($0.episodes))", rejectedAt: nowSeconds)
                })
        } catch {
            throw JobError(kind: .state, message: "cannot remember the rejections in \(config.statePath): \(error) (nothing was changed)")
        }
        if !report.accepted.isEmpty {
            let mappings = report.accepted.map { e in LinkMapping(source: .movie(e.movie), show: e.show, episodes: e.episodes) }
            do {
                report.archived = try MappingFile.append(mappings, to: config.mappingsFile, existing: document, keep: config.archiveKeep, now: now)
            } catch {
                throw JobError(kind: .state, message: "cannot write \(config.mappingsFile): \(error) (the proposals file was left as it was)")
            }
        }
        if keep.count != entries.count {
            do {
                report.proposalsArchived = try MappingFile.write(ProposalsFile.render(keep), to: path, keep: config.archiveKeep, now: now)
            } catch {
                throw JobError(kind: .state, message: "cannot write \(path): \(error)")
            }
        }
        return report
    }
}
