import Foundation

/// An in-process SABnzbd (5.0) for the queue calls Usher makes: `GET /api?mode=queue|switch|version&output=json`
/// with the key only as the `apikey` parameter.
///
/// It keeps SABnzbd's queue model: one list per priority (Force, High, Normal, Low), downloaded and listed in
/// that order; a new job goes to the end of its list (a Force job to the front of its list). What the real
/// server does and Usher must cope with, the fake does too: a priority change un-pauses a paused job
/// (`mode=queue&name=priority`), and a job moved with `mode=switch` takes the priority of the job it lands
/// next to (so a paused job moved in front of a Force job becomes Force, which downloads even when paused).
public final class FakeSABnzbd: @unchecked Sendable {
    public let apiKey: String
    public let urlBase: String
    public private(set) var server: FakeHTTPServer!
    /// The version `mode=version` and the queue report.
    public var version = "5.0.1"
    private let lock = NSLock()
    /// Jobs by priority: 2 Force, 1 High, 0 Normal, -1 Low.
    private var buckets: [Int: [Job]] = [2: [], 1: [], 0: [], -1: []]
    /// The whole queue paused (`mode=pause`), as opposed to single jobs.
    private var queuePaused = false
    private var nextID = 0

    /// SABnzbd's download order of its priority lists.
    static let priorityOrder = [2, 1, 0, -1]
    static let priorityNames = [2: "Force", 1: "High", 0: "Normal", -1: "Low"]

    public struct Job: Sendable, Hashable {
        public var nzoID: String
        public var filename: String
        public var category: String
        /// 2 Force, 1 High, 0 Normal, -1 Low.
        public var priority: Int
        public var paused: Bool
        public var mb: Double
        public var mbLeft: Double
        public var timeAdded: Int

        public var priorityName: String { FakeSABnzbd.priorityNames[priority] ?? "Normal" }
    }

    public var url: String { server.baseURL + urlBase }
    /// The requests received, paths without the URL base.
    public var requests: [FakeRequest] {
        server.requests.map {
            var r = $0; r.path = String(r.path.dropFirst(urlBase.count)); return r
        }
    }

    public static func start(apiKey: String = "sabnzbd-test-key-0123456789", urlBase: String = "") async throws -> FakeSABnzbd {
        let fake = FakeSABnzbd(apiKey: apiKey, urlBase: urlBase)
        fake.server = try await FakeHTTPServer.start { [unowned fake] in fake.handle($0) }
        return fake
    }

    init(apiKey: String, urlBase: String) {
        self.apiKey = apiKey
        self.urlBase = urlBase
    }

    public func stop() async { await server.stop() }

    /// Adds a job as SABnzbd does (a Force job to the front of its list, others to the end) and returns its
    /// nzo_id (`SABnzbd_nzo_…`, or `nzoID` when given, e.g. the download id a fake Sonarr grabbed).
    @discardableResult
    public func add(
        _ filename: String, nzoID: String? = nil, category: String = "tv", priority: Int = 0, paused: Bool = false,
        mb: Double = 1277.65, mbLeft: Double? = nil
    ) -> String {
        lock.withLock {
            nextID += 1
            let id = nzoID ?? "SABnzbd_nzo_" + Self.shortID(nextID)
            let job = Job(
                nzoID: id, filename: filename, category: category, priority: Self.normalised(priority), paused: paused,
                mb: mb, mbLeft: mbLeft ?? mb, timeAdded: 1_800_000_000 + nextID)
            insert(job)
            return id
        }
    }

    /// Six lowercase letters and digits, like SABnzbd's (`p86tgx`), different for each number.
    static func shortID(_ number: Int) -> String {
        let text = String((number &* 1_679_979_167) % 2_176_782_336, radix: 36)  // 36^6
        return String(repeating: "0", count: max(0, 6 - text.count)) + text
    }

    /// The jobs in queue (download) order.
    public var jobs: [Job] { lock.withLock { ordered } }

    public func job(_ nzoID: String) -> Job? { jobs.first { $0.nzoID == nzoID } }

    /// Pauses or resumes one job by hand, as a person in SABnzbd's web interface would.
    public func setPaused(_ nzoID: String, _ paused: Bool) {
        lock.withLock {
            for priority in Self.priorityOrder {
                if let index = buckets[priority]?.firstIndex(where: { $0.nzoID == nzoID }) { buckets[priority]?[index].paused = paused }
            }
        }
    }

    public func setQueuePaused(_ paused: Bool) { lock.withLock { queuePaused = paused } }

    // MARK: - The queue model (under the lock)

    private var ordered: [Job] { Self.priorityOrder.flatMap { buckets[$0] ?? [] } }

    /// Priorities outside the four lists (-2 Paused, -3 Duplicate, -100 Default) land in Normal, as in SABnzbd.
    static func normalised(_ priority: Int) -> Int { priorityOrder.contains(priority) ? priority : 0 }

    /// Places a job in its list; returns its index in that list.
    @discardableResult
    private func insert(_ job: Job) -> Int {
        if job.priority == 2 {
            buckets[2, default: []].insert(job, at: 0)
            return 0
        }
        buckets[job.priority, default: []].append(job)
        return buckets[job.priority]!.count - 1
    }

    private func locate(_ nzoID: String) -> (priority: Int, local: Int)? {
        for priority in Self.priorityOrder {
            if let local = buckets[priority]?.firstIndex(where: { $0.nzoID == nzoID }) { return (priority, local) }
        }
        return nil
    }

    private func globalIndex(_ priority: Int, _ local: Int) -> Int {
        var index = 0
        for p in Self.priorityOrder {
            if p == priority { return index + local }
            index += buckets[p]?.count ?? 0
        }
        return -1
    }

    private func bucketPosition(_ global: Int) -> (priority: Int, local: Int)? {
        guard global >= 0 else { return nil }
        var index = 0
        for p in Self.priorityOrder {
            let count = buckets[p]?.count ?? 0
            if global < index + count { return (p, global - index) }
            index += count
        }
        return nil
    }

    /// `mode=queue&name=priority`: returns the new position, -1 for an unknown job. A change of priority
    /// un-pauses a paused job (SABnzbd 5.0.1 does).
    private func setPriority(_ nzoID: String, _ wanted: Int) -> Int {
        guard let (priority, local) = locate(nzoID) else { return -1 }
        if wanted == -2 {  // "Paused" is not a list: it pauses the job
            buckets[priority]![local].paused = true
            return globalIndex(priority, local)
        }
        let target = Self.normalised(wanted)
        if target == priority { return globalIndex(priority, local) }
        var job = buckets[priority]!.remove(at: local)
        job.priority = target
        job.paused = false
        let newLocal = insert(job)
        return globalIndex(target, newLocal)
    }

    /// `mode=switch&value=A&value2=B|index`: returns (position, priority), (-1, 0) when a job is missing or both
    /// are the same job. The moved job keeps its priority only when its new neighbours share it.
    private func switchJobs(_ first: String, _ second: String) -> (Int, Int) {
        var global2 = -1
        var position2: (priority: Int, local: Int)?
        if let found = locate(second) {
            position2 = found
        } else {
            let size = ordered.count
            var index = Int(second) ?? size
            if index < 0 { index += size }
            guard let found = bucketPosition(index) else { return (-1, 0) }
            global2 = index
            position2 = found
        }
        guard let (priority1, local1) = locate(first), let (priority2, local2) = position2 else { return (-1, 0) }
        let job2 = buckets[priority2]![local2]
        if job2.nzoID == first { return (-1, 0) }
        if priority1 == priority2 {
            let job = buckets[priority1]!.remove(at: local1)
            buckets[priority1]!.insert(job, at: local2)
            return (globalIndex(priority1, local2), priority1)
        }
        let global1 = globalIndex(priority1, local1)
        if global2 == -1 { global2 = globalIndex(priority2, local2) }
        var newPriority = priority1
        if let (priority3, _) = bucketPosition(global2 + 1) {
            if (priority2 != priority1 && priority3 != priority1) || priority2 > priority1 { newPriority = priority2 }
        } else {
            newPriority = priority2
        }
        var job = buckets[priority1]!.remove(at: local1)
        job.priority = newPriority
        let newLocal: Int
        if newPriority == priority2 {
            newLocal = global1 < global2 ? local2 + 1 : local2
            buckets[newPriority]!.insert(job, at: min(newLocal, buckets[newPriority]!.count))
        } else {
            buckets[newPriority]!.append(job)
            newLocal = buckets[newPriority]!.count - 1
        }
        return (globalIndex(newPriority, newLocal), newPriority)
    }

    // MARK: - HTTP

    private func json(_ object: Any) -> FakeResponse {
        FakeResponse(status: 200, body: (try? JSONSerialization.data(withJSONObject: object)) ?? Data(), contentType: "application/json;charset=UTF-8")
    }

    private func report(error: String) -> FakeResponse { json(["status": false, "error": error]) }

    private func handle(_ request: FakeRequest) -> FakeResponse {
        guard request.path == urlBase + "/api" || request.path == urlBase + "/api/" else {
            return FakeResponse(status: 404, body: Data("Not Found".utf8), contentType: "text/html;charset=utf-8")
        }
        let mode = request.query("mode") ?? ""
        // mode=version and mode=auth need no key; otherwise a missing key and a wrong one are refused with 403
        // and a plain-text reason (SABnzbd's interface.py).
        if mode != "version" && mode != "auth" {
            guard let key = request.query("apikey"), !key.isEmpty else {
                return FakeResponse(status: 403, body: Data("API Key Required".utf8), contentType: "text/html;charset=utf-8")
            }
            guard key == apiKey else {
                return FakeResponse(status: 403, body: Data("API Key Incorrect".utf8), contentType: "text/html;charset=utf-8")
            }
        }
        return lock.withLock {
            switch mode {
            case "version":
                return json(["version": version])
            case "auth":
                return json(["auth": "apikey"])
            case "queue":
                return queueCommand(request)
            case "switch":
                guard let value = request.query("value"), let value2 = request.query("value2") else { return report(error: "expects two parameters") }
                let (position, priority) = switchJobs(value, value2)
                return json(["result": ["position": position, "priority": priority]])
            case "pause":
                queuePaused = true
                return json(["status": true])
            case "resume":
                queuePaused = false
                return json(["status": true])
            default:
                return report(error: "not implemented")
            }
        }
    }

    private func queueCommand(_ request: FakeRequest) -> FakeResponse {
        let ids = (request.query("value") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        switch request.query("name") {
        case nil, "":
            return json(["queue": queueObject(request)])
        case "priority":
            guard !ids.isEmpty, let text = request.query("value2") else { return report(error: "expects one parameter") }
            guard let priority = Int(text) else { return report(error: "expects an integer") }
            var position = -1
            for id in ids { position = setPriority(id, priority) }
            return json(["position": position])
        case "pause", "resume":
            let pause = request.query("name") == "pause"
            var handled: [String] = []
            for id in ids {
                guard let (priority, local) = locate(id) else { continue }
                buckets[priority]![local].paused = pause
                handled.append(id)
            }
            return json(["status": true, "nzo_ids": handled])
        case "delete":
            var handled: [String] = []
            for id in ids {
                guard let (priority, _) = locate(id) else { continue }
                buckets[priority]!.removeAll { $0.nzoID == id }
                handled.append(id)
            }
            return json(["status": true, "nzo_ids": handled])
        default:
            return report(error: "not implemented")
        }
    }

    private static func size(_ mb: Double) -> String {
        mb >= 1024 ? String(format: "%.1f GB", mb / 1024) : String(format: "%.1f MB", mb)
    }

    /// The `queue` object of `mode=queue`, with the keys SABnzbd 5 sends (see the docs' example).
    private func queueObject(_ request: FakeRequest) -> [String: Any] {
        let all = ordered
        let wanted = request.query("nzo_ids").map { Set($0.split(separator: ",").map(String.init)) }
        let matching = all.filter { wanted?.contains($0.nzoID) ?? true }
        let start = max(0, request.query("start").flatMap(Int.init) ?? 0)
        let limit = max(0, request.query("limit").flatMap(Int.init) ?? 0)
        let page = Array(matching.dropFirst(start).prefix(limit > 0 ? limit : Int.max))
        // The first job that may download shows as Downloading (Force ones download even in a paused queue).
        let downloading = all.first { !$0.paused && (!queuePaused || $0.priority == 2) }?.nzoID
        let slots: [[String: Any]] = page.enumerated().map { offset, job in
            let status = job.paused ? "Paused" : (job.nzoID == downloading || (job.priority == 2 && !job.paused) ? "Downloading" : "Queued")
            let done = job.mb > 0 ? Int(((job.mb - job.mbLeft) / job.mb * 100).rounded(.down)) : 0
            return [
                "status": status,
                "index": start + offset,
                "password": "",
                "avg_age": "2d",
                "time_added": job.timeAdded,
                "script": "None",
                "direct_unpack": NSNull(),
                "mb": String(format: "%.2f", job.mb),
                "mbleft": String(format: "%.2f", job.mbLeft),
                "mbmissing": "0.0",
                "size": Self.size(job.mb),
                "sizeleft": Self.size(job.mbLeft),
                "filename": job.filename,
                "labels": [String](),
                "priority": job.priorityName,
                "cat": job.category,
                "timeleft": status == "Paused" ? "0:00:00" : "0:16:44",
                "percentage": String(done),
                "nzo_id": job.nzoID,
                "unpackopts": "3",
            ]
        }
        let mb = all.reduce(0) { $0 + $1.mb }
        let mbLeft = all.reduce(0) { $0 + $1.mbLeft }
        return [
            "status": queuePaused ? "Paused" : (all.contains { !$0.paused } ? "Downloading" : "Idle"),
            "speedlimit": "100",
            "speedlimit_abs": "",
            "paused": queuePaused,
            "noofslots_total": all.count,
            "noofslots": matching.count,
            "limit": limit,
            "start": start,
            "timeleft": queuePaused ? "0:00:00" : "0:16:44",
            "speed": "0 ",
            "kbpersec": "0.00",
            "size": Self.size(mb),
            "sizeleft": Self.size(mbLeft),
            "mb": String(format: "%.2f", mb),
            "mbleft": String(format: "%.2f", mbLeft),
            "slots": slots,
            "diskspace1": "161.16",
            "diskspace2": "161.16",
            "diskspacetotal1": "465.21",
            "diskspacetotal2": "465.21",
            "diskspace1_norm": "161.2 G",
            "diskspace2_norm": "161.2 G",
            "have_warnings": "0",
            "pause_int": "0",
            "left_quota": "0 ",
            "version": version,
            "finish": 0,
            "cache_art": "0",
            "cache_size": "0 B",
            "finishaction": NSNull(),
            "paused_all": false,
            "quota": "0 ",
            "have_quota": false,
        ]
    }
}
