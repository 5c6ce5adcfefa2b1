import Foundation
import Logging
import Testing
import UsherCore
import UsherFakes

@testable import UsherKit

/// The one follower of Sonarr commands (rescans after a link run, searches in prefetch).
@Suite("Following Sonarr commands")
struct CommandFollowerTests {
    static func services(_ sonarr: FakeSonarr) throws -> (TestLibrary, ArrServices, ServiceHub) {
        let lib = try TestLibrary()
        lib.extraTopConfig = """
            sonarr:
              main: {url: "\(sonarr.url)", api_key: \(sonarr.apiKey)}
            api: {attempts: 1}
            """
        let hub = ServiceHub(config: try lib.config(), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, http: TestHTTP.client)
        return (lib, hub.arr(try lib.config()), hub)
    }

    static func list(_ commands: [(Int, String)]) -> FakeResponse {
        .json(commands.map { ArrCommand(id: $0.0, name: "RescanSeries", status: $0.1) })
    }

    @Test func commandsEndAsSonarrSaysWithOneListReadPerRound() async throws {
        let sonarr = try await FakeSonarr.start()
        defer { Task { await sonarr.stop() } }
        let (lib, services, _) = try Self.services(sonarr)
        _ = lib
        sonarr.answerNext("/api/v3/command", Self.list([(1, "started"), (2, "Failed"), (4, "queued")]))
        sonarr.answerNext("/api/v3/command", Self.list([(1, "completed"), (4, "started")]))
        let follower = CommandFollower(
            services: services, timeout: .seconds(30), firstPause: .milliseconds(1), longestPause: .milliseconds(5),
            giveUpOnReadError: true)
        let started = [
            ArrCommand(id: 1, status: "queued"), ArrCommand(id: 2, status: "queued"), ArrCommand(id: 3, status: "queued"),
            ArrCommand(id: 4, status: "queued"), ArrCommand(id: 5, status: "completed"),
        ]
        let ends = try #require(await follower.follow(["main": started])["main"])
        guard case .completed? = ends[1], case .failed(let failed)? = ends[2], case .vanished? = ends[3],
            case .vanished? = ends[4], case .completed? = ends[5]
        else {
            Issue.record("\(ends)")
            return
        }
        #expect(failed.status == "Failed")
        // Two rounds (4 is gone in the third), one list read each; 5 was done before following began.
        #expect(sonarr.requests.filter { $0.path == "/api/v3/command" }.count == 3)
    }

    @Test func anUnreadableListEndsTheInstanceOrIsTriedAgain() async throws {
        let sonarr = try await FakeSonarr.start()
        defer { Task { await sonarr.stop() } }
        let (lib, services, _) = try Self.services(sonarr)
        _ = lib
        sonarr.failNext("/api/v3/command", status: 500)
        let givingUp = CommandFollower(
            services: services, timeout: .seconds(30), firstPause: .milliseconds(1), longestPause: .milliseconds(5),
            giveUpOnReadError: true)
        guard case .unreadable? = await givingUp.follow(["main": [ArrCommand(id: 7, status: "queued")]])["main"]?[7] else {
            Issue.record("expected unreadable")
            return
        }
        sonarr.failNext("/api/v3/command", status: 500)
        sonarr.answerNext("/api/v3/command", Self.list([(7, "completed")]))
        let trying = CommandFollower(
            services: services, timeout: .seconds(30), firstPause: .milliseconds(1), longestPause: .milliseconds(5),
            giveUpOnReadError: false)
        guard case .completed? = await trying.follow(["main": [ArrCommand(id: 7, status: "queued")]])["main"]?[7] else {
            Issue.record("expected completed after a failed read")
            return
        }
    }

    @Test func aCommandThatNeverEndsTimesOut() async throws {
        let sonarr = try await FakeSonarr.start()
        defer { Task { await sonarr.stop() } }
        let (lib, services, _) = try Self.services(sonarr)
        _ = lib
        sonarr.answerNext("/api/v3/command", Self.list([(9, "started")]), count: 1000)
        let follower = CommandFollower(
            services: services, timeout: .milliseconds(100), firstPause: .milliseconds(5), longestPause: .milliseconds(20),
            giveUpOnReadError: true)
        guard case .timedOut? = await follower.follow(["main": [ArrCommand(id: 9, status: "queued")]])["main"]?[9] else {
            Issue.record("expected timed out")
            return
        }
        #expect(sonarr.requests.count < 100, "growing pauses, not a busy loop")
    }
}
