import Foundation
import Logging
import Testing

@testable import UsherKit

// Against the real daemons `scripts/download-clients` starts on 127.0.0.1 (`scripts/test` does it). Each suite adds
// downloads with unique names, removes them at the end, and runs its tests one after the other (they share a queue).
// Without the daemons (plain `swift test`) the suites are skipped with a notice; with USHER_REQUIRE_DAEMONS=1 they fail.

/// Only this test's items, in the queue's order.
private func ours(_ items: [DownloadItem], _ refs: [String]) -> [DownloadItem] {
    items.filter { refs.contains($0.ref) }
}

private func expectNoSecret(_ error: ServiceError, _ secrets: [String], _ logs: LogCollector) {
    for secret in secrets {
        #expect(!error.description.contains(secret), "a secret in: \(error.description)")
        #expect(logs.all.allSatisfy { !$0.contains(secret) }, "a secret in the logs")
    }
}

@Suite("Download clients: real NZBGet", .serialized, .enabled(if: Daemon.nzbget.isEnabled, Daemon.nzbget.skipComment))
struct DownloadClientNZBGetTests {
    /// Adds an NZB (`append`); `drone` as Sonarr sets it (PPParameters `["drone", id]`).
    func append(_ client: NZBGetClient, _ name: String, paused: Bool, drone: String? = nil) async throws -> Int {
        let parameters: [Any] = drone.map { ["drone", $0] } ?? [String]()
        let params: [Any] = ["\(name).nzb", testNZB(name).base64EncodedString(), "tv", 0, false, paused, "", 0, "SCORE", parameters]
        let id = try await client.rpc("append", params, as: Int.self)
        try #require(id > 0, "NZBGet refused \(name)")
        return id
    }

    func delete(_ client: NZBGetClient, _ ids: [Int]) async {
        guard !ids.isEmpty else { return }
        _ = try? await client.rpc("editqueue", ["GroupFinalDelete", "", ids], as: Bool.self)
    }

    @Test func queueMovesAndPriorities() async throws {
        let login = try Daemon.nzbget.require()
        let client = try #require(Daemon.nzbget.client(login) as? NZBGetClient)
        let tag = "usher-\(UUID().uuidString.prefix(8).lowercased())"
        let drone = String(hex(sha1(Array(tag.utf8))).prefix(32))
        var ids: [Int] = []
        try await withCleanup {
            let a = try await append(client, "\(tag)-a", paused: false)
            ids.append(a)
            let b = try await append(client, "\(tag)-b", paused: false, drone: drone)
            ids.append(b)
            let c = try await append(client, "\(tag)-c", paused: true)
            ids.append(c)
            let refs = ids.map(String.init)
            let items = ours(try await client.queue(), refs)
            #expect(items.map(\.ref) == refs)
            #expect(items.map(\.downloadID) == [String(a), drone, String(c)], "the drone parameter, else the NZBID")
            #expect(items.map(\.name) == ["\(tag)-a", "\(tag)-b", "\(tag)-c"])
            #expect(items.map(\.paused) == [false, false, true])
            #expect(items.map(\.priority) == [nil, nil, nil])

            try await client.moveToTop(items[1])
            #expect(try await client.queue().first?.ref == String(b))

            try await client.raisePriority(items[1], to: .high)
            var now = ours(try await client.queue(), refs)
            #expect(now.first { $0.ref == String(b) }?.priority == .high)
            // Paused by hand: no priority change, and moving it or others leaves it paused.
            try await client.raisePriority(items[2], to: .force)
            try await client.moveToTop(items[2])
            try await client.moveToTop(items[0])
            now = ours(try await client.queue(), refs)
            #expect(now.first { $0.ref == String(c) }?.paused == true)
            #expect(now.first { $0.ref == String(c) }?.priority == nil)
            // NZBGet downloads the highest priority first: b (very high) leads though a was moved to the top last.
            #expect(now.map(\.ref) == [String(b), String(a), String(c)])

            try await client.raisePriority(items[0], to: .force)
            now = ours(try await client.queue(), refs)
            #expect(now.map(\.ref) == [String(a), String(b), String(c)])
            #expect(now.first?.priority == .force)
            // Never lowered.
            try await client.raisePriority(now[0], to: .high)
            #expect(ours(try await client.queue(), refs).first?.priority == .force)
            #expect(ours(try await client.queue(), refs).last?.paused == true)
        } cleanup: {
            await delete(client, ids)
        }
        // NZBGet deletes a moment later.
        _ = try await eventually("the test's NZBs deleted") { () async throws -> Bool? in
            ours(try await client.queue(), ids.map(String.init)).isEmpty ? true : nil
        }
    }

    /// `usher prefetch` end to end with a real NZBGet: Sonarr's queue names the downloads by their `drone` ids; the
    /// next episodes' downloads are moved to the front in urgency order, a paused one stays paused and in place.
    @Test func prefetchMovesTheNextEpisodesDownloadsUp() async throws {
        let login = try Daemon.nzbget.require()
        let client = try #require(Daemon.nzbget.client(login) as? NZBGetClient)
        let world = try await PrefetchWorld()
        defer { Task { await world.stop() } }
        let tag = "usher-\(UUID().uuidString.prefix(8).lowercased())"
        func drone(_ name: String) -> String { String(hex(sha1(Array((tag + name).utf8))).prefix(32)) }
        var ids: [Int] = []
        try await withCleanup {
            ids.append(try await append(client, "\(tag)-other", paused: false))
            ids.append(try await append(client, "\(tag)-S02E02", paused: false, drone: drone("s02e02")))
            ids.append(try await append(client, "\(tag)-S02E01", paused: true, drone: drone("s02e01")))
            ids.append(try await append(client, "\(tag)-S01E03", paused: false, drone: drone("s01e03")))
            world.queue(53, download: drone("s01e03").uppercased())
            world.queue(61, download: drone("s02e01"))
            world.queue(62, download: drone("s02e02"))
            world.tautulli.add([world.play("ann", 1, 2)])
            world.extra = """
                download_clients:
                  nzbget: {url: "\(login.url)", username: "\(login.user)", password: "\(login.password)"}
                """
            let report = try await world.prefetch()
            #expect(report.errors.isEmpty, "\(report.errors)")
            #expect(PrefetchWorld.codes(report.prioritized) == ["S01E03", "S02E02"])
            #expect(report.prioritized.allSatisfy { $0.client == "nzbget" })
            let refs = ids.map(String.init)
            let after = ours(try await client.queue(), refs)
            #expect(after.map(\.name) == ["\(tag)-S01E03", "\(tag)-S02E02", "\(tag)-other", "\(tag)-S02E01"])
            #expect(after.map(\.paused) == [false, false, false, true])
            #expect(!report.json().contains(login.password))

            // In order now: the next run moves nothing.
            let again = try await world.prefetch()
            #expect(again.prioritized.isEmpty && again.errors.isEmpty)
            #expect(ours(try await client.queue(), refs).map(\.name) == after.map(\.name))
        } cleanup: {
            await delete(client, ids)
        }
        _ = try await eventually("the test's NZBs deleted") { () async throws -> Bool? in
            ours(try await client.queue(), ids.map(String.init)).isEmpty ? true : nil
        }
    }

    @Test func unknownGroupIsAnError() async throws {
        let login = try Daemon.nzbget.require()
        let client = Daemon.nzbget.client(login)
        let ghost = DownloadItem(downloadID: "999999", ref: "999999", name: "Gone", paused: false)
        await #expect { try await client.moveToTop(ghost) } throws: { ($0 as? ServiceError)?.kind == .notFound }
    }

    @Test func wrongPasswordIsUnauthorizedWithoutThePassword() async throws {
        let login = try Daemon.nzbget.require()
        let logs = LogCollector()
        let wrong = "wrong-\(UUID().uuidString.prefix(12))"
        do {
            _ = try await Daemon.nzbget.client(login, password: wrong, logs: logs).queue()
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .unauthorized)
            #expect(error.status == 401)
            #expect(error.description.contains("username or password"))
            expectNoSecret(error, [wrong, Data("\(login.user):\(wrong)".utf8).base64EncodedString()], logs)
        }
    }
}

@Suite("Download clients: real qBittorrent", .serialized, .enabled(if: Daemon.qbittorrent.isEnabled, Daemon.qbittorrent.skipComment))
struct DownloadClientQBittorrentTests {
    func add(_ client: QBittorrentClient, _ torrent: TestTorrent, paused: Bool) async throws {
        let answer = try await client.call(ServiceRequest("POST", "/api/v2/torrents/add", body: torrent.multipart(paused: paused), accept: "*/*"))
        try #require(String(decoding: answer.body, as: UTF8.self) == "Ok.", "qBittorrent refused \(torrent.name)")
    }

    func delete(_ client: QBittorrentClient, _ hashes: [String]) async {
        guard !hashes.isEmpty else { return }
        _ = try? await client.call(
            ServiceRequest(
                "POST", "/api/v2/torrents/delete",
                body: .form([("hashes", hashes.joined(separator: "|")), ("deleteFiles", "true")]), accept: "*/*"))
    }

    @Test func queueAndMoveToTop() async throws {
        let login = try Daemon.qbittorrent.require()
        let client = try #require(Daemon.qbittorrent.client(login) as? QBittorrentClient)
        let tag = "usher-\(UUID().uuidString.prefix(8).lowercased())"
        let torrents = ["a", "b", "c"].map { TestTorrent(name: "\(tag)-\($0)") }
        let hashes = torrents.map(\.hash)
        var added: [String] = []
        try await withCleanup {
            for (index, torrent) in torrents.enumerated() {
                try await add(client, torrent, paused: index == 2)
                added.append(torrent.hash)
            }
            // Added torrents are checked first; wait until all three are listed and the paused one shows as paused.
            let items = try await eventually("the three torrents in qBittorrent's queue") { () async throws -> [DownloadItem]? in
                let items = ours(try await client.queue(), hashes)
                return items.count == 3 && items.last?.paused == true ? items : nil
            }
            #expect(items.map(\.ref) == hashes, "in the order they were added")
            #expect(items.map(\.downloadID) == hashes, "the info-hash, lower case")
            #expect(items.map(\.name) == torrents.map(\.name))
            #expect(items.map(\.paused) == [false, false, true])

            try await client.moveToTop(items[1])
            // qBittorrent applies the new order a moment later.
            _ = try await eventually("b first in qBittorrent's queue") { () async throws -> Bool? in
                try await client.queue().first?.ref == hashes[1] ? true : nil
            }
            // The paused one: no priority to raise, and moving it leaves it paused.
            try await client.raisePriority(items[2], to: .force)
            #expect(ours(try await client.queue(), hashes).last?.paused == true)
            try await client.moveToTop(items[2])
            let last = try await eventually("c first in qBittorrent's queue") { () async throws -> [DownloadItem]? in
                let queue = try await client.queue()
                return queue.first?.ref == hashes[2] ? ours(queue, hashes) : nil
            }
            #expect(last.map(\.ref) == [hashes[2], hashes[1], hashes[0]])
            #expect(last.map(\.paused) == [true, false, false])
        } cleanup: {
            await delete(client, added)
        }
    }

    @Test func queueingOffIsAClearError() async throws {
        let login = try Daemon.qbittorrent.require()
        let client = try #require(Daemon.qbittorrent.client(login) as? QBittorrentClient)
        func queueing(_ on: Bool) async throws {
            _ = try await client.call(
                ServiceRequest(
                    "POST", "/api/v2/app/setPreferences", body: .form([("json", "{\"queueing_enabled\":\(on)}")]),
                    accept: "*/*"))
        }
        let torrent = TestTorrent(name: "usher-\(UUID().uuidString.prefix(8).lowercased())-q")
        try await withCleanup {
            try await add(client, torrent, paused: true)
            let item = try await eventually("the torrent in qBittorrent's list") { () async throws -> DownloadItem? in
                ours(try await client.queue(), [torrent.hash]).first
            }
            try await queueing(false)
            do throws(ServiceError) {
                try await client.moveToTop(item)
                Issue.record("expected an error")
            } catch {
                #expect(error.kind == .rejected && error.status == 409)
                #expect(error.description.contains("enable it"))
            }
        } cleanup: {
            try? await queueing(true)
            await delete(client, [torrent.hash])
        }
    }

    @Test func anExpiredSessionLogsInAgain() async throws {
        let login = try Daemon.qbittorrent.require()
        let logs = LogCollector()
        let client = try #require(Daemon.qbittorrent.client(login, logs: logs) as? QBittorrentClient)
        _ = try await client.queue()
        // The session ends behind the client's back (as when qBittorrent restarts or the session times out).
        let cookie = try #require(client.cookieHeader)
        let other = ServiceClient(
            endpoint: ServiceEndpoint(name: "qbittorrent", baseURL: login.url, credentialHeader: "", credential: ""),
            http: TestHTTP.client, policy: RetryPolicy(attempts: 1, timeout: .seconds(5)),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        _ = try await other.send(ServiceRequest("POST", "/api/v2/auth/logout", headers: [("Cookie", cookie)], accept: "*/*"))
        _ = try await client.queue()
        #expect(logs.all.contains { $0.contains("logging in again") })
        let logins = logs.all.filter { $0.contains("path=/api/v2/auth/login") }
        #expect(logins.count == 2, "\(logins)")
        #expect(logs.all.allSatisfy { !$0.contains(login.password) })
    }

    @Test func wrongPasswordIsUnauthorizedWithoutThePassword() async throws {
        let login = try Daemon.qbittorrent.require()
        let logs = LogCollector()
        let wrong = "wrong-\(UUID().uuidString.prefix(12))"
        do {
            _ = try await Daemon.qbittorrent.client(login, password: wrong, logs: logs).queue()
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .unauthorized)
            #expect(error.status == 200, "qBittorrent answers a wrong password with 200 Fails.")
            #expect(error.excerpt == "Fails.")
            expectNoSecret(error, [wrong], logs)
        }
    }

    @Test func withoutALoginTheRefusalSaysWhatToSet() async throws {
        let login = try Daemon.qbittorrent.require()
        do {
            _ = try await Daemon.qbittorrent.client(login, username: .some(nil), password: .some(nil)).queue()
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .unauthorized && error.status == 403)
            #expect(error.description.contains("username and password"))
        }
    }
}

@Suite("Download clients: real Transmission", .serialized, .enabled(if: Daemon.transmission.isEnabled, Daemon.transmission.skipComment))
struct DownloadClientTransmissionTests {
    struct Added: Decodable {
        struct Torrent: Decodable { var hashString: String }
        var added: Torrent?
        var duplicate: Torrent?
        enum CodingKeys: String, CodingKey { case added = "torrent-added", duplicate = "torrent-duplicate" }
    }

    func add(_ client: TransmissionClient, _ torrent: TestTorrent, paused: Bool) async throws {
        let answer = try await client.rpc("torrent-add", ["metainfo": torrent.metainfo.base64EncodedString(), "paused": paused], as: Added.self)
        try #require(answer?.added?.hashString == torrent.hash, "Transmission did not add \(torrent.name)")
    }

    func delete(_ client: TransmissionClient, _ hashes: [String]) async {
        guard !hashes.isEmpty else { return }
        _ = try? await client.rpc("torrent-remove", ["ids": hashes, "delete-local-data": true], as: TransmissionClient.Nothing.self)
    }

    /// Status of each torrent (1 and 2: being checked, after which a paused torrent shows 0).
    func statuses(_ client: TransmissionClient, _ hashes: [String]) async throws -> [Int] {
        let list = try await client.rpc("torrent-get", ["ids": hashes, "fields": ["hashString", "status"]], as: TransmissionClient.TorrentList.self)
        return (list?.torrents ?? []).compactMap(\.status)
    }

    @Test func queueAndMoveToTop() async throws {
        let login = try Daemon.transmission.require()
        let counter = RequestCounter()
        let client = try #require(Daemon.transmission.client(login, counter: counter) as? TransmissionClient)
        let tag = "usher-\(UUID().uuidString.prefix(8).lowercased())"
        let torrents = ["a", "b", "c"].map { TestTorrent(name: "\(tag)-\($0)") }
        let hashes = torrents.map(\.hash)
        var added: [String] = []
        try await withCleanup {
            for (index, torrent) in torrents.enumerated() {
                try await add(client, torrent, paused: index == 2)
                added.append(torrent.hash)
            }
            // The session id from the first 409 is kept: one request per call after the first.
            #expect(counter.total == 4)
            _ = try await eventually("the checks of the new torrents") { () async throws -> Bool? in
                let statuses = try await statuses(client, hashes)
                return statuses.count == 3 && !statuses.contains(1) && !statuses.contains(2) ? true : nil
            }
            let items = ours(try await client.queue(), hashes)
            #expect(items.map(\.ref) == hashes, "in the order they were added")
            #expect(items.map(\.downloadID) == hashes, "the info-hash, lower case")
            #expect(items.map(\.name) == torrents.map(\.name))
            #expect(items.map(\.paused) == [false, false, true])

            try await client.moveToTop(items[1])
            #expect(try await client.queue().first?.ref == hashes[1])
            try await client.raisePriority(items[2], to: .force)
            try await client.moveToTop(items[2])
            let now = ours(try await client.queue(), hashes)
            #expect(now.map(\.ref) == [hashes[2], hashes[1], hashes[0]])
            #expect(now.map(\.paused) == [true, false, false])
            #expect(try await statuses(client, [hashes[2]]) == [0], "still stopped")
        } cleanup: {
            await delete(client, added)
        }
    }

    @Test func theURLMayNameTheRPC() async throws {
        let login = try Daemon.transmission.require()
        let client = Daemon.transmission.client(login, url: login.url + "/transmission/rpc")
        _ = try await client.queue()
    }

    @Test func wrongPasswordIsUnauthorizedWithoutThePassword() async throws {
        let login = try Daemon.transmission.require()
        let logs = LogCollector()
        let wrong = "wrong-\(UUID().uuidString.prefix(12))"
        do {
            _ = try await Daemon.transmission.client(login, password: wrong, logs: logs).queue()
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .unauthorized)
            #expect(error.status == 401)
            expectNoSecret(error, [wrong, Data("\(login.user):\(wrong)".utf8).base64EncodedString()], logs)
        }
    }
}
