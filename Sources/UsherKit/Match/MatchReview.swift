public import Foundation
public import UsherCore

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
        try review(decisions: nil, dryRun: dryRun, now: now)
    }

    /// A decision taken outside the file (the web page): accept, with the episodes a person may have corrected, or
    /// reject.
    public enum Decision: Sendable, Equatable {
        case accept(episodes: [EpisodeNumber]?)
        case reject
    }

    /// The same review with the decisions given by pair key (`ProposalEntry.pairKey` as the file has it): only
    /// those entries are decided, each as given; the others stay as they are, whatever the file says of them. A
    /// decision whose pair is not in the file (decided or changed since the page was drawn) is refused, and nothing
    /// changes. An accepted entry that conflicts stays in the file as it was (not marked accepted).
    public func review(decisions: [String: Decision]?, dryRun: Bool = false, now: Date = Date()) throws(JobError) -> ReviewReport {
        let path = config.match.proposalsFile
        var entries: [ProposalEntry]
        do { entries = try ProposalsFile.load(path: path) } catch {
            throw JobError(kind: .config, message: error.description)
        }
        var undecidedHere = Set<Int>()
        let original = entries
        if let decisions {
            let keys = Set(entries.map(\.pairKey))
            let missing = decisions.keys.filter { !keys.contains($0) }.sorted()
            for index in entries.indices {
                switch decisions[entries[index].pairKey] {
                case nil:
                    // Not decided here: kept as it is, even if the file says accept or reject.
                    undecidedHere.insert(index)
                case .reject?:
                    entries[index].accept = false
                case .accept(let episodes)?:
                    entries[index].accept = true
                    if let episodes, !episodes.isEmpty { entries[index].episodes = episodes }
                }
            }
            if !missing.isEmpty {
                throw JobError(kind: .config, message: "no such proposal in \(path) (decided or changed since): \(missing.joined(separator: ", "))")
            }
        }
        let document = try loadMappings()
        let existing = document.mappings
        var report = ReviewReport(dryRun: dryRun)
        var keep: [ProposalEntry] = []
        var claimed = existing
        for (index, entry) in entries.enumerated() {
            if undecidedHere.contains(index) {
                keep.append(entry)
                continue
            }
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
                    // A decision from the page is not written into the file: the entry stays as it was.
                    keep.append(decisions == nil ? entry : original[index])
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
