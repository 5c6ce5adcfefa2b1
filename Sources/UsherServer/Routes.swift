public import Foundation
public import Hummingbird
import UsherCore
public import UsherKit

/// What the routes read and start: the config, the state, the job queue and the schedule.
public struct ServeState: Sendable {
    public var config: UsherConfig
    public var ledger: Ledger
    public var runner: JobRunner
    public var board: ScheduleBoard
    public var counters: ServeCounters
    public var startedAt: Date
    public var apiKey: String
    let mappings: MappingWatch
    let sessions: WebSessions
    /// When each service last answered and last failed (the process's, unless a test gives its own).
    public var health: ServiceHealth = .shared

    public init(config: UsherConfig, ledger: Ledger, runner: JobRunner, board: ScheduleBoard, counters: ServeCounters, startedAt: Date, apiKey: String) {
        self.config = config
        self.ledger = ledger
        self.runner = runner
        self.board = board
        self.counters = counters
        self.startedAt = startedAt
        self.apiKey = apiKey
        self.mappings = MappingWatch(path: config.mappingsFile, environment: config.environment)
        self.sessions = WebSessions(store: ledger)
    }
}

/// Counts kept while the server runs: refused requests and webhooks by source, event and what was done.
public actor ServeCounters {
    public private(set) var unauthorized = 0
    public private(set) var webhooks: [String: Int] = [:]
    let metrics: ServeMetrics?
    public init(metrics: ServeMetrics? = nil) { self.metrics = metrics }
    func refused() {
        unauthorized += 1
        metrics?.unauthorized()
    }
    /// Distinct (source, event, outcome) counted by name; beyond this many, new event names count as `other`, so that
    /// made-up event names cannot grow the status or the metrics without bound.
    static let distinctWebhooks = 200

    func webhook(source: String, event: String, outcome: String) {
        var key = "\(source)/\(event)/\(outcome)"
        var event = event
        if webhooks[key] == nil, webhooks.count >= Self.distinctWebhooks {
            event = "other"
            key = "\(source)/other/\(outcome)"
        }
        webhooks[key, default: 0] += 1
        metrics?.webhook(source: source, event: event, outcome: outcome)
    }
}

/// Bodies larger than this are refused with 413.
let maxBody = 1 << 20

public enum ServeRoutes {
    /// The router of `usher serve`: `{url_base}/ping` for anyone, `{url_base}/metrics` and everything under
    /// `{url_base}/api/v1/` with the API key, and the web page's routes (`WebPages`) behind its own login.
    public static func router(_ state: ServeState) -> Router<ServeRequestContext> {
        let router = Router(context: ServeRequestContext.self)
        let base = router.group(RouterPath(state.config.server.urlBase))
        base.get("ping") { _, _ in
            do {
                _ = try state.ledger.jobRuns(limit: 1)
                return json(.ok, #"{"status":"OK"}"#)
            } catch {
                return json(.internalServerError, #"{"status":"cannot read the state database"}"#)
            }
        }
        let guarded = base.group().add(middleware: APIKeyMiddleware(key: state.apiKey, counters: state.counters))
        guarded.get("metrics") { _, _ in
            guard let metrics = state.counters.metrics else { return Response(status: .notFound) }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.text())))
        }
        WebPages.add(to: base, state: state)
        let api = base.group("api/v1").add(middleware: APIKeyMiddleware(key: state.apiKey, counters: state.counters))
        api.get("openapi.json") { _, _ in json(.ok, OpenAPIDocument.json(urlBase: state.config.server.urlBase)) }
        api.get("status") { _, _ in try await status(state) }
        api.get("runs") { request, _ in try runs(state, request) }
        api.get("runs/{id}") { _, context in try run(state, id: context.parameters.get("id")) }
        api.get("links") { request, _ in try links(state, request) }
        api.post("run/{job}") { request, context in try await start(state, job: context.parameters.get("job"), request: request) }
        for method in [HTTPRequest.Method.post, .put] {
            api.on("webhook/radarr", method: method) { request, _ in try await webhook(state, source: .radarr, request: request) }
            api.on("webhook/sonarr", method: method) { request, _ in try await webhook(state, source: .sonarr, request: request) }
            for source in PlaybackSource.allCases {
                api.on("webhook/\(source.rawValue)", method: method) { request, _ in try await playback(state, source: source, request: request) }
            }
        }
        return router
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func encoded(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        json(status, String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func problem(_ status: HTTPResponse.Status, _ message: String) throws -> Response {
        try encoded(status, ["error": message])
    }

    // MARK: status and runs

    struct Status: Encodable {
        struct Job: Encodable {
            var schedule: String
            var nextRun: Date?
            var running: Int64?
            var queued: Int64?
            var lastRun: JobRunRecord?
        }
        var version: String
        var startedAt: Date
        var jobs: [String: Job]
        var links: Int
        var bytesSaved: Int64
        var webhooks: [WebhookCount]
        var unauthorized: Int
        var services: [ServiceStatus]
    }

    /// A configured service: when it last answered and last failed since the server started, and the steps it has
    /// not taken yet (a rescan, a Plex scan) that the next run asks again.
    struct ServiceStatus: Encodable {
        /// As Usher names it: `sonarr main`, `radarr 4k`, `plex`, `tautulli`, `sabnzbd downloads`.
        var service: String
        var lastAnswerAt: Date?
        var lastFailureAt: Date?
        var lastFailure: String?
        var waiting: Int
        var waitingReason: String?
    }

    /// Every service of the config, in the config's order.
    static func serviceStatuses(_ state: ServeState) -> [ServiceStatus] {
        let retries = (try? state.ledger.serviceRetries()) ?? []
        func status(_ label: String, key: String, waiting kind: ServiceRetry.Kind? = nil, instance: String? = nil) -> ServiceStatus {
            let entry = state.health.entry(key)
            let open = retries.filter { $0.kind == kind && (instance == nil || $0.instance == instance) }
            return ServiceStatus(
                service: label, lastAnswerAt: entry?.lastAnswer, lastFailureAt: entry?.lastFailure, lastFailure: entry?.failure,
                waiting: open.count, waitingReason: open.first?.reason)
        }
        var all: [ServiceStatus] = []
        for i in state.config.sonarr { all.append(status("sonarr \(i.name)", key: "sonarr \(i.name)", waiting: .rescan, instance: i.name)) }
        for i in state.config.radarr { all.append(status("radarr \(i.name)", key: "radarr \(i.name)")) }
        if state.config.plex != nil { all.append(status("plex", key: "plex", waiting: .plexScan)) }
        if state.config.plex?.watchSync != nil { all.append(status("plex.tv", key: "plex.tv")) }
        if state.config.tautulli != nil { all.append(status("tautulli", key: "tautulli")) }
        if state.config.jellyfin != nil { all.append(status("jellyfin", key: "jellyfin")) }
        for client in state.config.downloadClients {
            let label = client.name == client.kind.rawValue ? client.name : "\(client.kind.rawValue) \(client.name)"
            all.append(status(label, key: client.name))
        }
        return all
    }

    struct WebhookCount: Encodable {
        var source: String
        var event: String
        var outcome: String
        var count: Int
    }

    static func status(_ state: ServeState) async throws -> Response {
        try encoded(.ok, try await statusValue(state))
    }

    /// What `GET api/v1/status` answers, and the overview page shows.
    static func statusValue(_ state: ServeState) async throws -> Status {
        let last = try state.ledger.lastJobRuns()
        let snapshot = await state.runner.snapshot()
        var jobs: [String: Status.Job] = [:]
        for job in ServeJob.allCases {
            jobs[job.rawValue] = Status.Job(
                schedule: state.config.schedule(for: job).description, nextRun: await state.board.nextRun(job),
                running: snapshot.running?.job == job ? snapshot.running?.id : nil,
                queued: snapshot.queued.first(where: { $0.job == job })?.id, lastRun: last[job])
        }
        let statistics = try state.ledger.linkSummary()
        return Status(
            version: UsherVersion.current, startedAt: state.startedAt, jobs: jobs, links: statistics.links, bytesSaved: statistics.bytesSaved,
            webhooks: await state.counters.webhooks.sorted(by: { $0.key < $1.key }).map { key, count in
                let parts = key.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
                return WebhookCount(source: parts[0], event: parts[1], outcome: parts[2], count: count)
            }, unauthorized: await state.counters.unauthorized, services: serviceStatuses(state))
    }

    static func runs(_ state: ServeState, _ request: Request) throws -> Response {
        let query = request.uri.queryParameters
        var job: ServeJob?
        if let name = query.get("job") {
            guard let known = ServeJob(rawValue: name) else { return try problem(.badRequest, "job: expected link, prefetch or match") }
            job = known
        }
        guard let limit = integer(query, "limit", in: 1...500, default: 50) else { return try problem(.badRequest, "limit: expected 1 to 500") }
        var before: Int64?
        if let text = query.get("before") {
            guard let n = Int64(text), n > 0 else { return try problem(.badRequest, "before: expected a run id") }
            before = n
        }
        return try encoded(.ok, ["runs": try state.ledger.jobRuns(job: job, limit: limit, before: before)])
    }

    /// A query parameter's whole number within `range`, `fallback` when absent; `nil` when it is not such a number.
    static func integer<Query: Sequence>(_ query: Query, _ name: String, in range: ClosedRange<Int>, default fallback: Int) -> Int?
    where Query.Element == (key: Substring, value: Substring) {
        guard let text = query.first(where: { $0.key == name })?.value else { return fallback }
        guard let n = Int(text), range.contains(n) else { return nil }
        return n
    }

    static func run(_ state: ServeState, id: String?) throws -> Response {
        guard let id = id.flatMap({ Int64($0) }), id > 0 else { return try problem(.badRequest, "expected a run id") }
        guard let (record, report) = try state.ledger.jobRun(id: id) else { return try problem(.notFound, "no run \(id)") }
        let recordJSON = String(decoding: try encoder.encode(record), as: UTF8.self)
        // The log lines the run wrote (what the web page's run page shows), `null` until it ends.
        let lines = try state.ledger.jobRunLog(id: id).map { $0.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
        let logJSON = String(decoding: try encoder.encode(lines), as: UTF8.self)
        return json(.ok, #"{"run":"# + recordJSON + #","report":"# + (report ?? "null") + #","log":"# + logJSON + "}")
    }

    static func start(_ state: ServeState, job name: String?, request: Request) async throws -> Response {
        guard let name, let job = ServeJob(rawValue: name) else { return try problem(.notFound, "no such job (link, prefetch or match)") }
        var dryRun = false
        if let text = request.uri.queryParameters.get("dry_run") {
            guard let flag = ["true": true, "1": true, "false": false, "0": false][text.lowercased()] else {
                return try problem(.badRequest, "dry_run: expected true or false")
            }
            dryRun = flag
        }
        if let needs = state.config.requirementError(for: job.command) { return try problem(.conflict, needs) }
        let (id, coalesced) = try await state.runner.enqueue(job, dryRun: dryRun, trigger: "api")
        return try encoded(.accepted, Started(id: id, coalesced: coalesced))
    }

    // MARK: links

    struct LinkPage: Encodable {
        struct Link: Encodable {
            var target: String
            var source: String
            /// `hardlink` or `symlink`.
            var kind: String
            var size: Int64
            var show: String
            /// The mapping's place in the mapping file (`links.yml:12`) and what it maps.
            var mapping: String
            var createdAt: Date
            var updatedAt: Date
            /// Left by an interrupted run; the next run settles it.
            var pending: Bool
        }
        var total: Int
        var offset: Int
        var limit: Int
        var links: [Link]
        /// The last link run the server finished (not a dry run), whose conflicts and errors follow; `nil` before one.
        var lastRun: JobRunRecord?
        var conflicts: [LinkReport.Conflict]
        var errors: [LinkReport.Problem]
    }

    static func links(_ state: ServeState, _ request: Request) throws -> Response {
        let query = request.uri.queryParameters
        guard let limit = integer(query, "limit", in: 1...500, default: 100) else { return try problem(.badRequest, "limit: expected 1 to 500") }
        guard let offset = integer(query, "offset", in: 0...10_000_000, default: 0) else {
            return try problem(.badRequest, "offset: expected 0 to 10000000")
        }
        var show: String?
        if let text = query.get("show") {
            guard text.count <= 200 else { return try problem(.badRequest, "show: at most 200 characters") }
            show = String(text)
        }
        return try encoded(.ok, try linkPage(state, show: show, limit: limit, offset: offset))
    }

    /// What `GET api/v1/links` answers, and the links page shows.
    static func linkPage(_ state: ServeState, show: String?, limit: Int, offset: Int) throws -> LinkPage {
        let (total, entries) = try state.ledger.linkPage(show: show, limit: limit, offset: offset)
        var page = LinkPage(
            total: total, offset: offset, limit: limit,
            links: entries.map { entry in
                LinkPage.Link(
                    target: entry.target, source: entry.link.sourcePath, kind: entry.link.identity.kind.rawValue, size: entry.link.size,
                    show: entry.show, mapping: entry.mappingKey, createdAt: Date(timeIntervalSince1970: TimeInterval(entry.createdAt)),
                    updatedAt: Date(timeIntervalSince1970: TimeInterval(entry.updatedAt)), pending: entry.pending != nil)
            }, lastRun: nil, conflicts: [], errors: [])
        if let last = try state.ledger.lastFinishedJobRun(.link), let text = last.report,
            let report = try? JSONDecoder.snakeCase.decode(LinkReport.self, from: Data(text.utf8))
        {
            func wanted(_ texts: String?...) -> Bool {
                guard let show, !show.isEmpty else { return true }
                return texts.contains { $0?.range(of: show, options: .caseInsensitive) != nil }
            }
            page.lastRun = last.record
            page.conflicts = report.conflicts.filter { wanted($0.target, $0.mapping) }
            page.errors = report.errors.filter { wanted($0.target, $0.mapping) }
        }
        return page
    }

    struct Started: Encodable {
        var id: Int64
        /// The same job was already waiting: this is its run.
        var coalesced: Bool
    }

    // MARK: webhooks

    enum Source: String { case radarr, sonarr }

    struct WebhookAnswer: Encodable {
        var event: String
        /// `queued`, `ignored` or `test`.
        var action: String
        var run: Int64?
        var reason: String?
    }

    static func webhook(_ state: ServeState, source: Source, request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: maxBody)
        let event: ArrWebhook
        switch ArrWebhook.parse(Data(body.readableBytesView)) {
        case .success(let parsed): event = parsed
        case .failure(let error):
            await state.counters.webhook(source: source.rawValue, event: "malformed", outcome: "refused")
            return try problem(.badRequest, error.message)
        }
        let relinks: Set<String> =
            switch source {
            case .radarr: ["Download", "Rename", "MovieFileDelete", "MovieDelete"]
            case .sonarr: ["Download", "Rename", "EpisodeFileDelete", "SeriesDelete"]
            }
        if event.eventType == "Test" {
            await state.counters.webhook(source: source.rawValue, event: "Test", outcome: "test")
            return try encoded(.ok, WebhookAnswer(event: "Test", action: "test"))
        }
        // Sonarr grabbed a release: a prefetch run of that show moves it up at once if a viewer is about to reach it.
        if source == .sonarr, event.eventType == "Grab", state.config.requirementError(for: .prefetch) == nil,
            !state.config.downloadClients.isEmpty
        {
            var focus: PrefetchFocus?
            if case .series(let title, let tvdb) = event.subject { focus = PrefetchFocus(events: [PlaybackEvent(kind: .grabbed, show: title, tvdb: tvdb)]) }
            let (id, _) = try await state.runner.enqueue(.prefetch, trigger: "webhook:sonarr", focus: focus)
            await state.counters.webhook(source: source.rawValue, event: "Grab", outcome: "queued")
            return try encoded(.accepted, WebhookAnswer(event: "Grab", action: "queued", run: id))
        }
        guard relinks.contains(event.eventType) else {
            await state.counters.webhook(source: source.rawValue, event: event.eventType, outcome: "ignored")
            return try encoded(.ok, WebhookAnswer(event: event.eventType, action: "ignored", reason: "usher does nothing on this event"))
        }
        if let needs = state.config.requirementError(for: .link) {
            await state.counters.webhook(source: source.rawValue, event: event.eventType, outcome: "ignored")
            return try encoded(.ok, WebhookAnswer(event: event.eventType, action: "ignored", reason: needs))
        }
        // A film or series no mapping names changes no link. A mapping file that cannot be read is the run's to report.
        if let subject = event.subject, let names = await state.mappings.names(), !names.names(subject) {
            await state.counters.webhook(source: source.rawValue, event: event.eventType, outcome: "unmapped")
            return try encoded(
                .ok, WebhookAnswer(event: event.eventType, action: "ignored", reason: "no mapping names this \(source == .radarr ? "movie" : "series")"))
        }
        let (id, _) = try await state.runner.enqueue(.link, trigger: "webhook:\(source.rawValue)")
        await state.counters.webhook(source: source.rawValue, event: event.eventType, outcome: "queued")
        return try encoded(.accepted, WebhookAnswer(event: event.eventType, action: "queued", run: id))
    }
}

enum PlaybackSource: String, CaseIterable, Sendable { case tautulli, plex, jellyfin }

extension ServeRoutes {
    /// A viewer started, stopped or finished an episode (Tautulli, Plex or Jellyfin): a prefetch run is queued, so
    /// the next episodes are searched within seconds rather than at the next scheduled run.
    static func playback(_ state: ServeState, source: PlaybackSource, request: Request) async throws -> Response {
        let body = Data(try await request.body.collect(upTo: maxBody).readableBytesView)
        let reading: PlaybackEvent.Reading =
            switch source {
            case .tautulli: PlaybackEvent.tautulli(body)
            case .plex: PlaybackEvent.plex(body, contentType: request.headers[.contentType])
            case .jellyfin: PlaybackEvent.jellyfin(body)
            }
        let name = source.rawValue
        // Watched to the end (Plex's media.scrobble, Tautulli's watched; a movie or an episode): a watch-state sync
        // run, so the other item of a linked pair follows within seconds.
        var sync: Int64?
        if state.config.requirementError(for: .watchSync) == nil {
            let watched =
                switch source {
                case .plex: PlaybackEvent.watchedSignal(plex: body, contentType: request.headers[.contentType])
                case .tautulli: PlaybackEvent.watchedSignal(tautulli: body)
                case .jellyfin: false
                }
            if watched { sync = try await state.runner.enqueue(.watchSync, trigger: "webhook:\(name)").0 }
        }
        switch reading {
        case .malformed(let reason):
            await state.counters.webhook(source: name, event: "malformed", outcome: "refused")
            return try problem(.badRequest, reason)
        case .other(let event):
            if let sync {
                await state.counters.webhook(source: name, event: event, outcome: "queued")
                return try encoded(.accepted, WebhookAnswer(event: event, action: "queued", run: sync))
            }
            await state.counters.webhook(source: name, event: event, outcome: "ignored")
            return try encoded(.ok, WebhookAnswer(event: event, action: "ignored", reason: "usher does nothing on this event"))
        case .episode(let event, let playback):
            if let needs = state.config.requirementError(for: .prefetch) {
                if let sync {
                    await state.counters.webhook(source: name, event: event, outcome: "queued")
                    return try encoded(.accepted, WebhookAnswer(event: event, action: "queued", run: sync, reason: "watch sync; prefetch: \(needs)"))
                }
                await state.counters.webhook(source: name, event: event, outcome: "ignored")
                return try encoded(.ok, WebhookAnswer(event: event, action: "ignored", reason: needs))
            }
            let settings = state.config.prefetch
            if let user = playback.user?.lowercased(),
                settings.excludeUsers.contains(where: { $0.lowercased() == user })
                    || (!settings.users.isEmpty && !settings.users.contains(where: { $0.lowercased() == user }))
            {
                if let sync {
                    await state.counters.webhook(source: name, event: event, outcome: "queued")
                    return try encoded(
                        .accepted, WebhookAnswer(event: event, action: "queued", run: sync, reason: "watch sync; prefetch does not follow this viewer"))
                }
                await state.counters.webhook(source: name, event: event, outcome: "unfollowed")
                return try encoded(
                    .ok, WebhookAnswer(event: event, action: "ignored", reason: "prefetch does not follow this viewer (prefetch.users, exclude_users)"))
            }
            // The run plans this viewer's show, taking the episode they are on as their position.
            let (id, _) = try await state.runner.enqueue(.prefetch, trigger: "webhook:\(name)", focus: PrefetchFocus(events: [playback]))
            await state.counters.webhook(source: name, event: event, outcome: "queued")
            return try encoded(.accepted, WebhookAnswer(event: event, action: "queued", run: id))
        }
    }
}

/// The part of a Sonarr or Radarr webhook that decides what to do.
struct ArrWebhook {
    var eventType: String
    var subject: WebhookSubject?

    private struct Event: Decodable {
        var eventType: String
    }

    /// The movie or series, read apart from the event so that an odd field there never refuses the event.
    private struct Subject: Decodable {
        var movie: Movie?
        var series: Series?

        struct Movie: Decodable {
            var title: String?
            var year: Int?
            var tmdbId: Int?
            var imdbId: String?
        }

        struct Series: Decodable {
            var title: String?
            var tvdbId: Int?
        }

        /// `nil` when the payload names neither usefully (then every relinking event counts).
        var subject: WebhookSubject? {
            if let movie, movie.title != nil || (movie.tmdbId ?? 0) > 0 || movie.imdbId != nil {
                return .movie(title: movie.title, year: movie.year, tmdb: (movie.tmdbId ?? 0) > 0 ? movie.tmdbId : nil, imdb: movie.imdbId)
            }
            if let series, series.title != nil || (series.tvdbId ?? 0) > 0 {
                return .series(title: series.title, tvdb: (series.tvdbId ?? 0) > 0 ? series.tvdbId : nil)
            }
            return nil
        }
    }

    struct Malformed: Error {
        var message: String
    }

    static func parse(_ data: Data) -> Result<ArrWebhook, Malformed> {
        guard !data.isEmpty else { return .failure(Malformed(message: "empty body; expected the JSON of a Sonarr or Radarr webhook")) }
        guard let object = try? JSONSerialization.jsonObject(with: data), object is [String: Any] else {
            return .failure(Malformed(message: "the body is not a JSON object"))
        }
        guard let event = try? JSONDecoder().decode(Event.self, from: data), !event.eventType.isEmpty else {
            return .failure(Malformed(message: "no 'eventType' string in the body"))
        }
        guard event.eventType.count <= 64, event.eventType.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            return .failure(Malformed(message: "'eventType' is not an event name"))
        }
        let subject = (try? JSONDecoder().decode(Subject.self, from: data))?.subject
        return .success(ArrWebhook(eventType: event.eventType, subject: subject))
    }
}

/// Every route but `/ping` needs the API key: the `X-Api-Key` header, the `apikey` query parameter, or the
/// password of HTTP Basic authentication (any user name), compared in constant time. A refusal is a bare 401.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let key: [UInt8]
    let counters: ServeCounters

    init(key: String, counters: ServeCounters) {
        self.key = Array(key.utf8)
        self.counters = counters
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard authorized(request) else {
            await counters.refused()
            return Response(status: .unauthorized)
        }
        return try await next(request, context)
    }

    func authorized(_ request: Request) -> Bool {
        var offered: [String] = []
        for field in request.headers where field.name.canonicalName == "x-api-key" { offered.append(field.value) }
        // Hummingbird has already decoded it once; decoding again would let `%2541` stand for `A`.
        if let value = request.uri.queryParameters.get("apikey") { offered.append(value) }
        for value in request.headers[values: .authorization] {
            let parts = value.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "basic",
                let decoded = Data(base64Encoded: String(parts[1].trimmingCharacters(in: .whitespaces)))
            else { continue }
            let text = String(decoding: decoded, as: UTF8.self)
            if let colon = text.firstIndex(of: ":") { offered.append(String(text[text.index(after: colon)...])) }
        }
        // Every offered value is compared in full, so the time does not depend on which one matched.
        var matched = false
        for value in offered where Self.same(Array(value.utf8), key) { matched = true }
        return matched
    }

    /// Equal in a time that depends only on the lengths.
    static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0 && !b.isEmpty
    }
}
