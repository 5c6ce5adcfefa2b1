import Foundation
import Hummingbird
import Logging
import UsherCore
import UsherKit

/// The proposals page: `usher match`'s proposals, best first, accepted or rejected through `MatchJob.review` (the
/// path of `usher match review`); and the prefetch page.
extension WebPages {
    static func proposals(_ state: ServeState, _ session: WebSessions.Session, notice: String?, problem: String?, status: HTTPResponse.Status = .ok)
        -> Response
    {
        var context = page(state, session, title: "Proposals", current: "/proposals")
        context["file"] = state.config.match.proposalsFile
        context["mappingFile"] = state.config.mappingsFile
        if let notice { context["notice"] = notice }
        var problems = problem.map { [$0] } ?? []
        var entries: [ProposalEntry] = []
        if FileManager.default.fileExists(atPath: state.config.match.proposalsFile) {
            do { entries = try ProposalsFile.load(path: state.config.match.proposalsFile) } catch { problems.append(error.description) }
        }
        if !problems.isEmpty { context["problem"] = problems.joined(separator: " ") }
        let sorted = entries.enumerated().sorted { ($0.element.confidence, -$0.offset) > ($1.element.confidence, -$1.offset) }
        context["proposals"] = sorted.map { index, entry -> [String: Any] in
            var row: [String: Any] = [
                "index": index, "pair": entry.pairKey, "movie": entry.movie.label, "show": entry.show.title,
                "episodes": EpisodeSpec.format(entry.episodes), "confidence": String(format: "%.2f", entry.confidence), "reasons": entry.reasons,
                "hasReasons": !entry.reasons.isEmpty,
            ]
            if let title = entry.episodeTitle { row["episodeTitle"] = title }
            if let accept = entry.accept { row["decided"] = accept ? "accept" : "reject" }
            return row
        }
        return html(status, WebTemplates.render("proposals", context))
    }

    /// Accept (with the episodes as edited) or reject one proposal; an accepted one is added to the mapping file and
    /// a link run is queued.
    static func decide(_ state: ServeState, _ session: WebSessions.Session, form: [String: String]) async throws -> Response {
        guard let pair = form["pair"], !pair.isEmpty, let decision = form["decision"], decision == "accept" || decision == "reject" else {
            return proposals(state, session, notice: nil, problem: "The form did not say which proposal, or what to do with it.", status: .badRequest)
        }
        var chosen: MatchJob.Decision = .reject
        if decision == "accept" {
            var episodes: [EpisodeNumber]?
            if let text = form["episodes"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
                do { episodes = try EpisodeSpec.parse(text) } catch {
                    return proposals(state, session, notice: nil, problem: "Not accepted: \(error.description).", status: .badRequest)
                }
            }
            chosen = .accept(episodes: episodes)
        }
        let job = MatchJob(config: state.config, logger: Logger(label: "usher.web"))
        let report: ReviewReport
        do { report = try job.review(decisions: [pair: chosen]) } catch {
            return proposals(state, session, notice: nil, problem: error.message, status: .conflict)
        }
        if !report.conflicts.isEmpty {
            return proposals(state, session, notice: nil, problem: report.conflicts.joined(separator: " "), status: .conflict)
        }
        if let accepted = report.accepted.first {
            var notice = "Added \(accepted.label) to \(state.config.mappingsFile)."
            if state.config.requirementError(for: ServeJob.link.command) == nil {
                let (id, _) = try await state.runner.enqueue(.link, trigger: "web:accept")
                notice += " Link run \(id) is queued."
            }
            return proposals(state, session, notice: notice, problem: nil)
        }
        if let rejected = report.rejected.first {
            return proposals(state, session, notice: "Rejected \(rejected.label): it will not be proposed again.", problem: nil)
        }
        return proposals(state, session, notice: nil, problem: nil)
    }

    // MARK: prefetch

    static func prefetch(_ state: ServeState, _ session: WebSessions.Session) throws -> Response {
        var context = page(state, session, title: "Prefetch", current: "/prefetch")
        context["cooldown"] = DurationText.format(seconds: state.config.prefetch.searchCooldownSeconds)
        guard let last = try state.ledger.lastFinishedJobRun(.prefetch) else {
            return html(.ok, WebTemplates.render("prefetch", context))
        }
        var run: [String: Any] = ["id": last.record.id, "dryRun": last.record.dryRun]
        if let finished = last.record.finishedAt { run["finished"] = WebFormat.time(finished) }
        context["run"] = run
        guard let text = last.report, let report = try? JSONDecoder.snakeCase.decode(PrefetchReport.self, from: Data(text.utf8)) else {
            if let message = last.record.message { context["messages"] = [message] }
            context["hasMessages"] = last.record.message != nil
            return html(.ok, WebTemplates.render("prefetch", context))
        }
        var viewers: [String: Set<String>] = [:]
        for item in report.searched + report.prioritized + report.skipped {
            for user in item.users { viewers[user, default: []].insert(item.series) }
        }
        let viewerRows = viewers.sorted { $0.key < $1.key }.map { ["name": $0.key, "shows": $0.value.sorted()] as [String: Any] }
        context["viewers"] = viewerRows
        context["hasViewers"] = !viewerRows.isEmpty
        // An episode searched is not searched again before the cooldown has passed (`prefetch.search_cooldown`).
        let again = report.dryRun ? nil : last.record.finishedAt.map { $0.addingTimeInterval(Double(state.config.prefetch.searchCooldownSeconds)) }
        func rows(_ items: [PrefetchItem], searched: Bool = false) -> [[String: Any]] {
            items.map { item in
                var row: [String: Any] = [
                    "series": item.series, "episode": EpisodeNumber(season: item.season, episode: item.episode).description,
                    "users": item.users.joined(separator: ", "), "reached": WebFormat.duration(Double(item.reachedInMinutes) * 60),
                    "reason": item.reason,
                    "download": [item.client, item.downloadId].compactMap { $0 }.joined(separator: " "),
                ]
                if let title = item.title { row["title"] = title }
                if searched, let again { row["again"] = WebFormat.time(again) }
                return row
            }
        }
        let groups: [(String, [PrefetchItem])] = [
            (report.dryRun ? "Would search" : "Searched", report.searched), (report.dryRun ? "Would move up" : "Moved up", report.prioritized),
            ("Skipped", report.skipped),
        ]
        context["groups"] = groups.enumerated().map { index, group in
            ["title": group.0, "items": rows(group.1, searched: index == 0), "hasItems": !group.1.isEmpty] as [String: Any]
        }
        let messages = report.warnings + report.errors + report.unmatched.map { "\($0.show): \($0.reason)" }
        context["messages"] = messages
        context["hasMessages"] = !messages.isEmpty
        return html(.ok, WebTemplates.render("prefetch", context))
    }
}
