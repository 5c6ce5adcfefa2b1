import Foundation
import Hummingbird
import Logging
import UsherCore
import UsherKit

/// The pages themselves: each reads what the JSON API answers and draws it.
extension WebPages {
    // MARK: overview

    static func overview(_ state: ServeState, _ session: WebSessions.Session) async throws -> Response {
        let status = try await ServeRoutes.statusValue(state)
        let summary = try state.ledger.linkSummary()
        var context = page(state, session, title: "Overview", current: "/")
        context["links"] = WebFormat.count(status.links)
        context["saved"] = WebFormat.bytes(status.bytesSaved)
        context["hardlinks"] = WebFormat.count(summary.hardlinks)
        context["jobs"] = ServeJob.allCases.map { job -> [String: Any] in
            let info = status.jobs[job.rawValue]
            var row: [String: Any] = ["name": job.rawValue, "schedule": info?.schedule ?? "off"]
            if let next = info?.nextRun { row["nextRun"] = WebFormat.time(next) }
            if let last = info?.lastRun { row["last"] = runRow(last) }
            if info?.running != nil { row["state"] = "running" } else if info?.queued != nil { row["state"] = "queued" }
            let needs = state.config.requirementError(for: job.command)
            row["runnable"] = needs == nil
            if let needs { row["needs"] = needs }
            return row
        }
        let services = serviceRows(status.services)
        context["services"] = services
        context["hasServices"] = !services.isEmpty
        let webhooks = status.webhooks.map { ["source": $0.source, "event": $0.event, "outcome": $0.outcome, "count": $0.count] as [String: Any] }
        context["webhooks"] = webhooks
        context["hasWebhooks"] = !webhooks.isEmpty
        if let chart = try chart(state) { context["chart"] = chart }
        return html(.ok, WebTemplates.render("overview", context))
    }

    /// Each configured service as the status answer gives it: its last answer and failure, and the steps it has
    /// not taken yet (a rescan, a Plex scan). A failure after the last answer is the service's problem now.
    static func serviceRows(_ services: [ServeRoutes.ServiceStatus]) -> [[String: Any]] {
        services.map { s in
            var row: [String: Any] = ["name": s.service]
            if let at = s.lastAnswerAt { row["answered"] = WebFormat.time(at) }
            if let at = s.lastFailureAt, let failure = s.lastFailure {
                row["failedAt"] = WebFormat.time(at)
                row["failure"] = failure
                if s.lastAnswerAt.map({ $0 <= at }) ?? true { row["failing"] = true }
            }
            if s.waiting > 0 { row["waiting"] = "\(s.waiting) step\(s.waiting == 1 ? "" : "s") waiting: \(s.waitingReason ?? "")" }
            return row
        }
    }

    /// Links and space saved after each finished link run (not dry runs), oldest first, as two lines in one SVG.
    static func chart(_ state: ServeState) throws -> [String: Any]? {
        let points = try state.ledger.linkHistory(limit: 200)
        guard points.count >= 2, let first = points.first, let last = points.last else { return nil }
        let width = 600.0, height = 200.0
        let maxLinks = max(1, points.map(\.links).max() ?? 1), maxSaved = max(1, points.map(\.bytesSaved).max() ?? 1)
        // Across the width by time; by order when the runs were all in the same instant.
        let span = last.at.timeIntervalSince(first.at)
        let position = Dictionary(points.enumerated().map { ($1.at, Double($0) / Double(points.count - 1)) }, uniquingKeysWith: { a, _ in a })
        func x(_ point: Ledger.LinkHistoryPoint) -> String {
            let fraction = span > 0 ? point.at.timeIntervalSince(first.at) / span : position[point.at] ?? 0
            return String(format: "%.1f", fraction * width)
        }
        func y(_ value: Double) -> String { String(format: "%.1f", height - 4 - value * (height - 8)) }
        return [
            "width": Int(width), "height": Int(height), "first": WebFormat.time(first.at), "last": WebFormat.time(last.at),
            "maxLinks": WebFormat.count(maxLinks), "maxSaved": WebFormat.bytes(maxSaved),
            "linkPoints": points.map { "\(x($0)),\(y(Double($0.links) / Double(maxLinks)))" }.joined(separator: " "),
            "savedPoints": points.map { "\(x($0)),\(y(Double($0.bytesSaved) / Double(maxSaved)))" }.joined(separator: " "),
        ]
    }

    // MARK: runs

    static func runRow(_ record: JobRunRecord) -> [String: Any] {
        var row: [String: Any] = [
            "id": record.id, "job": record.job.rawValue, "trigger": record.trigger, "dryRun": record.dryRun, "outcome": record.outcome.rawValue,
            "queued": WebFormat.time(record.queuedAt), "counts": WebFormat.counts(record.counts),
        ]
        if let started = record.startedAt {
            row["started"] = WebFormat.time(started)
            row["duration"] = WebFormat.duration((record.finishedAt ?? Date()).timeIntervalSince(started))
        } else {
            row["started"] = WebFormat.time(record.queuedAt)
            row["duration"] = "—"
        }
        if let finished = record.finishedAt { row["finished"] = WebFormat.time(finished) }
        if let message = record.message { row["message"] = message }
        return row
    }

    static func runs(_ state: ServeState, _ session: WebSessions.Session, _ request: Request) throws -> Response {
        let before = request.uri.queryParameters.get("before").flatMap { Int64($0) }.flatMap { $0 > 0 ? $0 : nil }
        let records = try state.ledger.jobRuns(limit: 50, before: before)
        var context = page(state, session, title: "Runs", current: "/runs")
        context["runs"] = records.map(runRow)
        if records.count == 50, let oldest = records.last { context["older"] = oldest.id }
        return html(.ok, WebTemplates.render("runs", context))
    }

    static func run(_ state: ServeState, _ session: WebSessions.Session, id: String?) throws -> Response {
        guard let id = id.flatMap({ Int64($0) }), id > 0, let (record, report) = try state.ledger.jobRun(id: id) else {
            return message(state, session, status: .notFound, title: "No such run", "There is no run with this number.", back: "/runs")
        }
        var context = page(state, session, title: "Run \(id)", current: "/runs")
        for (key, value) in runRow(record) { context[key] = value }
        if record.counts.isEmpty { context["counts"] = nil }
        let waiting = record.outcome == .queued || record.outcome == .running
        context["waiting"] = waiting
        if waiting { context["refresh"] = 2 }
        if let report { context["report"] = reportText(job: record.job, json: report) }
        if let log = try state.ledger.jobRunLog(id: id) { context["log"] = log }
        return html(.ok, WebTemplates.render("run", context))
    }

    /// A run's report as the CLI prints it; the JSON itself when it cannot be read back.
    static func reportText(job: ServeJob, json: String) -> String {
        let data = Data(json.utf8)
        switch job {
        case .link: if let report = try? JSONDecoder.snakeCase.decode(LinkReport.self, from: data) { return report.text(verbose: true) }
        case .prefetch: if let report = try? JSONDecoder.snakeCase.decode(PrefetchReport.self, from: data) { return report.text(verbose: true) }
        case .watchSync: if let report = try? JSONDecoder.snakeCase.decode(WatchSyncReport.self, from: data) { return report.text(verbose: true) }
        case .match: break
        }
        guard let object = try? JSONSerialization.jsonObject(with: data),
            let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        else { return json }
        return String(decoding: pretty, as: UTF8.self)
    }

    static func start(_ state: ServeState, _ session: WebSessions.Session, job name: String?, form: [String: String]) async throws -> Response {
        guard let name, let job = ServeJob(rawValue: name) else {
            return message(state, session, status: .notFound, title: "No such job", "Usher has the jobs link, prefetch and match.", back: "/")
        }
        if let needs = state.config.requirementError(for: job.command) {
            return message(state, session, status: .conflict, title: "Cannot run \(job.rawValue)", needs, back: "/")
        }
        let (id, _) = try await state.runner.enqueue(job, dryRun: form["dry_run"] == "true", trigger: "web")
        return redirect("\(state.config.server.urlBase)/runs/\(id)")
    }

    // MARK: links

    static func links(_ state: ServeState, _ session: WebSessions.Session, _ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        let show = query.get("show").map { String($0.prefix(200)) }.flatMap { $0.isEmpty ? nil : $0 }
        let perPage = 100
        let offset = max(0, min(ServeRoutes.integer(query, "offset", in: 0...10_000_000, default: 0) ?? 0, 10_000_000))
        let value = try ServeRoutes.linkPage(state, show: show, limit: perPage, offset: offset)
        var context = page(state, session, title: "Links", current: "/links")
        context["show"] = show ?? ""
        context["links"] = value.links.map { link -> [String: Any] in
            [
                "show": link.show, "episode": Paths.lastComponent(link.target), "movie": Paths.lastComponent(link.source), "target": link.target,
                "source": link.source, "kind": link.kind, "size": WebFormat.bytes(link.size), "mapping": link.mapping, "pending": link.pending,
            ]
        }
        let shown = value.links.isEmpty ? "none" : "\(offset + 1)–\(offset + value.links.count)"
        context["summary"] =
            "\(WebFormat.count(value.total)) link\(value.total == 1 ? "" : "s")\(show.map { " of shows matching “\($0)”" } ?? ""), showing \(shown)"
        func pageQuery(_ offset: Int) -> String {
            var items = ["offset=\(offset)"]
            if let show { items.append("show=" + (show.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")) }
            return items.joined(separator: "&")
        }
        if offset > 0 { context["previous"] = pageQuery(max(0, offset - perPage)) }
        if offset + value.links.count < value.total { context["next"] = pageQuery(offset + perPage) }
        context["conflicts"] = value.conflicts.map { ["target": $0.target, "reason": $0.reason, "mapping": $0.mapping] }
        context["errors"] = value.errors.map { problem -> [String: Any] in
            var row: [String: Any] = ["message": problem.reason, "mapping": problem.mapping]
            if let target = problem.target { row["target"] = target }
            return row
        }
        context["hasProblems"] = !value.conflicts.isEmpty || !value.errors.isEmpty
        if let last = value.lastRun { context["lastRun"] = ["id": last.id] }
        if let problem = await state.mappings.problem() { context["mappingProblem"] = problem }
        return html(.ok, WebTemplates.render("links", context))
    }
}
