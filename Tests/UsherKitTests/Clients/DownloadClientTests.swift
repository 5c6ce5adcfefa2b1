import Foundation
import Logging
import Testing
import UsherFakes

@testable import UsherKit

private func sabnzbd(_ fake: FakeSABnzbd, key: String?? = .none, logs: LogCollector? = nil) -> any DownloadClient {
    DownloadClients.make(
        kind: .sabnzbd, name: "sabnzbd", url: fake.url, apiKey: key ?? fake.apiKey, username: nil, password: nil,
        http: TestHTTP.client, policy: RetryPolicy(attempts: 1, timeout: .seconds(5)),
        logger: logs?.logger ?? Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, counter: nil, gate: nil)
}

/// A raw client for requests Usher never sends (what a person or another program does).
private func raw(_ fake: FakeSABnzbd) -> ServiceClient {
    ServiceClient(
        endpoint: ServiceEndpoint(name: "sabnzbd", baseURL: fake.url, credentialHeader: "", credential: fake.apiKey, credentialQueryName: "apikey"),
        http: TestHTTP.client, policy: RetryPolicy(attempts: 1, timeout: .seconds(5)),
        logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
}

private func priorityRequests(_ fake: FakeSABnzbd) -> [FakeRequest] {
    fake.requests.filter { $0.query("mode") == "queue" && $0.query("name") == "priority" }
}

@Suite("Download clients: SABnzbd against the fake")
struct DownloadClientSABnzbdTests {
    @Test func queueIsInDownloadOrderWithPausedAndPriority() async throws {
        let fake = try await FakeSABnzbd.start()
        defer { Task { await fake.stop() } }
        let a = fake.add("Show.S01E01.720p")
        let b = fake.add("Show.S01E02.720p", priority: 1)
        let c = fake.add("Show.S01E03.720p", paused: true)
        let d = fake.add("Show.S01E04.720p", priority: 2)
        let e = fake.add("Show.S01E05.720p", priority: -1)
        let items = try await sabnzbd(fake).queue()
        // SABnzbd downloads Force, then High, Normal and Low, each in queue order.
        #expect(items.map(\.ref) == [d, b, a, c, e])
        #expect(items.map(\.downloadID) == [d, b, a, c, e], "Sonarr's downloadId is the nzo_id")
        #expect(items.map(\.name) == ["Show.S01E04.720p", "Show.S01E02.720p", "Show.S01E01.720p", "Show.S01E03.720p", "Show.S01E05.720p"])
        #expect(items.map(\.paused) == [false, false, false, true, false])
        #expect(items.map(\.priority) == [.force, .high, nil, nil, nil])
        // The key travels only as the apikey parameter.
        let request = try #require(fake.requests.last)
        #expect(request.path == "/api" && request.query("mode") == "queue" && request.query("output") == "json")
        #expect(request.query("apikey") == fake.apiKey && request.header("X-Api-Key") == nil && request.header("Authorization") == nil)
    }

    @Test func urlBaseIsKept() async throws {
        let fake = try await FakeSABnzbd.start(urlBase: "/sabnzbd")
        defer { Task { await fake.stop() } }
        let a = fake.add("Film.2020.1080p")
        #expect(try await sabnzbd(fake).queue().map(\.ref) == [a])
    }

    @Test func moveToTopPutsTheJobFirst() async throws {
        let fake = try await FakeSABnzbd.start()
        defer { Task { await fake.stop() } }
        let a = fake.add("A")
        let b = fake.add("B")
        let c = fake.add("C")
        let client = sabnzbd(fake)
        let items = try await client.queue()
        try await client.moveToTop(try #require(items.first { $0.ref == c }))
        #expect(fake.jobs.map(\.nzoID) == [c, a, b])
        #expect(fake.jobs.allSatisfy { $0.priority == 0 && !$0.paused })
        #expect(try await client.queue().map(\.ref) == [c, a, b])
        let switches = fake.requests.filter { $0.query("mode") == "switch" }
        #expect(switches.count == 1 && switches.first?.query("value") == c && switches.first?.query("value2") == "0")
        // Already first: nothing is sent beyond a look at the head of the queue.
        let before = fake.requests.count
        try await client.moveToTop(try #require(try await client.queue().first))
        #expect(fake.requests.count == before + 2)
        #expect(fake.requests.filter { $0.query("mode") == "switch" }.count == 1)
    }

    @Test func aJobMovedInFrontOfAHighOneTakesItsPriority() async throws {
        let fake = try await FakeSABnzbd.start()
        defer { Task { await fake.stop() } }
        let high = fake.add("High", priority: 1)
        let normal = fake.add("Normal")
        let client = sabnzbd(fake)
        try await client.moveToTop(try #require(try await client.queue().last))
        // As SABnzbd does: the moved job joins the High list, in front, and is still not paused.
        #expect(fake.jobs.map(\.nzoID) == [normal, high])
        #expect(fake.job(normal)?.priority == 1 && fake.job(normal)?.paused == false)
        #expect(try await client.queue().first?.priority == .high)
    }

    @Test func aPausedJobIsNeverMovedInFrontOfAForceOne() async throws {
        let fake = try await FakeSABnzbd.start()
        defer { Task { await fake.stop() } }
        let force = fake.add("Forced", priority: 2)
        let paused = fake.add("Paused by hand", paused: true)
        let client = sabnzbd(fake)
        let item = try #require(try await client.queue().first { $0.ref == paused })
        do {
            try await client.moveToTop(item)
            Issue.record("expected a refusal")
        } catch {
            #expect(error.kind == .rejected)
            #expect(error.description.contains("Force"))
        }
        #expect(fake.requests.filter { $0.query("mode") == "switch" }.isEmpty)
        #expect(fake.jobs.map(\.nzoID) == [force, paused])
        #expect(fake.job(paused)?.paused == true && fake.job(paused)?.priority == 0)
    }

    @Test func raisePriorityHighThenForceNeverLowers() async throws {
        let fake = try await FakeSABnzbd.start()
        defer { Task { await fake.stop() } }
        let first = fake.add("First")
        let urgent = fake.add("Urgent")
        let client = sabnzbd(fake)
        let item = try #require(try await client.queue().last)
        try await client.raisePriority(item, to: .high)
        #expect(fake.job(urgent)?.priority == 1 && fake.job(urgent)?.paused == false)
        #expect(fake.jobs.map(\.nzoID) == [urgent, first], "a High job downloads before Normal ones")
        #expect(priorityRequests(fake).map { $0.query("value2") } == ["1"])
        #expect(try await client.queue().first?.priority == .high)
        // Asked again: nothing to do; top: nothing to do.
        try await client.raisePriority(item, to: .high)
        try await client.raisePriority(item, to: .top)
        #expect(priorityRequests(fake).count == 1)
        try await client.raisePriority(item, to: .force)
        #expect(fake.job(urgent)?.priority == 2)
        // Never lowered, whatever the (stale) item says.
        try await client.raisePriority(item, to: .high)
        #expect(fake.job(urgent)?.priority == 2)
        #expect(priorityRequests(fake).map { $0.query("value2") } == ["1", "2"])
    }

    @Test func aPausedJobIsNeverUnpaused() async throws {
        let fake = try await FakeSABnzbd.start()
        defer { Task { await fake.stop() } }
        let a = fake.add("A")
        let paused = fake.add("Paused by hand", paused: true)
        let b = fake.add("B")
        let client = sabnzbd(fake)
        let items = try await client.queue()
        let pausedItem = try #require(items.first { $0.ref == paused })
        #expect(pausedItem.paused)
        // Usher raises priorities and moves other jobs: the paused job stays paused.
        try await client.raisePriority(pausedItem, to: .force)
        try await client.raisePriority(pausedItem, to: .high)
        try await client.moveToTop(try #require(items.first { $0.ref == b }))
        try await client.raisePriority(try #require(items.first { $0.ref == b }), to: .force)
        try await client.moveToTop(try #require(items.first { $0.ref == a }))
        #expect(fake.job(paused)?.paused == true)
        #expect(priorityRequests(fake).allSatisfy { $0.query("value") != paused })
        // Paused by a person after Usher read the queue: the stale item says unpaused, the job is read again first.
        fake.setPaused(a, true)
        let stale = try #require(items.first { $0.ref == a })
        #expect(!stale.paused)
        try await client.raisePriority(stale, to: .high)
        #expect(fake.job(a)?.paused == true && fake.job(a)?.priority != 1)
        #expect(priorityRequests(fake).allSatisfy { $0.query("value") != a })
        // What Usher avoids: SABnzbd (and the fake) un-pause a job whose priority changes.
        let answer = try await raw(fake).send(
            "GET", "/api", query: [("mode", "queue"), ("name", "priority"), ("value", paused), ("value2", "1"), ("output", "json")])
        #expect(String(decoding: answer.body, as: UTF8.self).contains("\"position\""))
        #expect(fake.job(paused)?.paused == false)
    }

    @Test func unknownJobsAreErrors() async throws {
        let fake = try await FakeSABnzbd.start()
        defer { Task { await fake.stop() } }
        fake.add("A")
        let client = sabnzbd(fake)
        let ghost = DownloadItem(downloadID: "SABnzbd_nzo_gone00", ref: "SABnzbd_nzo_gone00", name: "Gone", paused: false)
        await #expect { try await client.moveToTop(ghost) } throws: { ($0 as? ServiceError)?.kind == .notFound }
        await #expect { try await client.raisePriority(ghost, to: .high) } throws: { ($0 as? ServiceError)?.kind == .notFound }
        // The raw answers: {"position": -1} and {"result": {"position": -1, …}}.
        let priority = try await raw(fake).send(
            "GET", "/api", query: [("mode", "queue"), ("name", "priority"), ("value", ghost.ref), ("value2", "1"), ("output", "json")])
        #expect(try JSONSerialization.jsonObject(with: priority.body) as? [String: Int] == ["position": -1])
        let move = try await raw(fake).send("GET", "/api", query: [("mode", "switch"), ("value", ghost.ref), ("value2", "0"), ("output", "json")])
        #expect((try JSONSerialization.jsonObject(with: move.body) as? [String: [String: Int]])?["result"]?["position"] == -1)
    }

    @Test func wrongOrMissingKeyIsUnauthorizedAndTheKeyIsNeverShown() async throws {
        let fake = try await FakeSABnzbd.start()
        defer { Task { await fake.stop() } }
        fake.add("A")
        let logs = LogCollector()
        let wrong = "wrong-key-98765"
        do {
            _ = try await sabnzbd(fake, key: wrong, logs: logs).queue()
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .unauthorized)
            #expect(error.status == 403)
            #expect(error.excerpt == "API Key Incorrect")
            #expect(error.url.contains("apikey=[redacted]"))
            #expect(!error.description.contains(wrong))
        }
        do {
            _ = try await sabnzbd(fake, key: .some(nil)).queue()
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .unauthorized && error.excerpt == "API Key Required")
        }
        // The right key is never shown either: not in an error, not in any log line.
        let good = LogCollector()
        let client = sabnzbd(fake, logs: good)
        let ghost = DownloadItem(downloadID: "x", ref: "SABnzbd_nzo_gone00", name: "Gone", paused: false)
        do {
            try await client.moveToTop(ghost)
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains(fake.apiKey) && error.description.contains("apikey=[redacted]"))
        }
        _ = try await client.queue()
        #expect(!good.all.isEmpty)
        #expect((logs.all + good.all).allSatisfy { !$0.contains(fake.apiKey) && !$0.contains(wrong) })
        // mode=version needs no key.
        let version = try await ServiceClient(
            endpoint: ServiceEndpoint(name: "sabnzbd", baseURL: fake.url, credentialHeader: "", credential: ""),
            http: TestHTTP.client, policy: RetryPolicy(attempts: 1, timeout: .seconds(5)), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        ).send("GET", "/api", query: [("mode", "version"), ("output", "json")])
        #expect(String(decoding: version.body, as: UTF8.self).contains("5.0.1"))
    }
}

@Suite("Download clients: decoding the captured and constructed answers", .enabled(if: Contracts.isAvailable, Contracts.missingComment))
struct DownloadClientFixtureTests {
    @Test func sabnzbdDocsQueue() throws {
        let queue = try JSONDecoder().decode(SABnzbdClient.QueueAnswer.self, from: Contracts.fixture("sabnzbd-docs/mode=queue.docs-example.json")).queue
        let items = (queue.slots ?? []).map(\.item)
        #expect(items.map(\.downloadID) == ["SABnzbd_nzo_p86tgx", "SABnzbd_nzo_ksfai6"])
        #expect(items.map(\.paused) == [false, true])
        #expect(items.map(\.priority) == [nil, nil])
        #expect(items.first?.name == "TV.Show.S04E11.720p.HDTV.x264")
        let empty = try JSONDecoder().decode(SABnzbdClient.QueueAnswer.self, from: Contracts.fixture("aiosabnzbd/tests/fixtures/queue.json")).queue
        #expect(empty.slots?.isEmpty == true && empty.paused == true)
    }

    @Test func nzbgetListgroups() throws {
        let envelope = try JSONDecoder().decode(
            NZBGetClient.Envelope<[NZBGetClient.Group]>.self,
            from: Contracts.fixture("constructed-download-clients/nzbget.jsonrpc.listgroups.response.json"))
        let item = try #require(envelope.result?.first?.item)
        #expect(item == DownloadItem(downloadID: "3f2b8c1d9e7a4b6c8d0e1f2a3b4c5d6e", ref: "17", name: "House.S02E01.1080p.BluRay.x264-GRP", paused: false))
    }

    @Test func qbittorrentTorrentsInfo() throws {
        let torrents = try JSONDecoder().decode(
            [QBittorrentClient.Torrent].self, from: Contracts.fixture("constructed-download-clients/qbittorrent.torrents.info.json"))
        let item = try #require(torrents.first?.item)
        // Sonarr's queue (home-assistant queue_season_pack.json) names it in upper case.
        #expect(item.downloadID.caseInsensitiveCompare("CA4552774085F1B5DB3C8E7D39DD220B0474FE4B") == .orderedSame)
        #expect(item.paused, "stoppedDL is qBittorrent 5's pausedDL")
    }
}

@Suite("Download clients: HTTP details")
struct DownloadClientHTTPTests {
    @Test func sha1MatchesTheStandardVectors() {
        #expect(hex(sha1(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(sha1([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(hex(sha1(Array(String(repeating: "a", count: 1000).utf8))) == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
    }

    @Test func formBodiesAreEncoded() {
        let body = RequestBody.form([("username", "ann"), ("password", "p&ss=w rd+/ü")])
        #expect(body.contentType == "application/x-www-form-urlencoded")
        #expect(String(decoding: body.data, as: UTF8.self) == "username=ann&password=p%26ss%3Dw%20rd%2B%2F%C3%BC")
    }

    @Test func basicAuthSecretsAreRedacted() {
        let endpoint = ServiceEndpoint(
            name: "nzbget", baseURL: "http://127.0.0.1:6789", credentialHeader: "", credential: "",
            basicAuth: .init(username: "usher", password: "s3cret pass"))
        let token = Data("usher:s3cret pass".utf8).base64EncodedString()
        let text = "Authorization: Basic \(token) password=s3cret pass or s3cret%20pass"
        let redacted = ServiceClient.redact(text, endpoint.secrets)
        #expect(!redacted.contains("s3cret") && !redacted.contains(token))
        #expect(!redacted.contains("usher:s3cret"))
    }

    @Test func transmissionURLMayAlreadyNameTheRPC() {
        let make = { (url: String) in
            DownloadClients.make(
                kind: .transmission, name: "t", url: url, apiKey: nil, username: nil, password: nil, http: TestHTTP.client,
                policy: RetryPolicy(), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, counter: nil, gate: nil) as? TransmissionClient
        }
        #expect(make("http://127.0.0.1:9091")?.path == "/transmission/rpc")
        #expect(make("http://127.0.0.1:9091/")?.path == "/transmission/rpc")
        #expect(make("http://127.0.0.1:9091/transmission/rpc")?.path == "")
        #expect(make("http://127.0.0.1:9091/transmission/rpc")?.client.endpoint.baseURL == "http://127.0.0.1:9091/transmission/rpc")
    }
}
