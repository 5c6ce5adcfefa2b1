import Foundation
import Testing
import UsherCore
import UsherFakes

@testable import UsherKit

@Suite("Hardening: a service step that fails after the disk changed")
struct ServiceStepHardeningTests {
    static let garbage = FakeResponse(status: 200, body: Data("<html>not json</html>".utf8), contentType: "text/html")

    /// Sonarr does not take the rescan: the run is an error, and every next run asks again until it does.
    @Test(arguments: [FakeResponse.error(401, "Unauthorized"), .error(500, "boom"), garbage])
    func rescanSonarrDidNotTakeIsAnErrorAndAskedAgain(answer: FakeResponse) async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        api.sonarr.answerNext("/api/v3/command", answer, count: 1)
        let first = try await api.link()
        #expect(first.created == 1)
        #expect(first.hasErrors)
        #expect(first.services?.errors.count == 1)
        #expect(first.services?.errors.first?.contains("rescan 24") == true)
        #expect(first.services?.retries.map(\.kind) == [.rescan])
        let text = LinkReport(first).text()
        #expect(text.contains("pending  sonarr main: rescan of 24 in sonarr main"), "\(text)")
        #expect(text.contains("1 service step failed"))
        let ledger = try Ledger(path: api.lib.path("state/usher.db"))
        #expect(try ledger.serviceRetries().map(\.target) == ["1"])

        // A dry run shows it would ask again and changes nothing.
        let dry = try await api.link(dryRun: true)
        #expect(LinkReport(dry).services?.retried.count == 1)
        #expect(try ledger.serviceRetries().count == 1)

        // Nothing changed on disk, yet the rescan is asked again, and the link checked.
        let mark = api.sonarr.requests.count
        let second = try await api.link()
        #expect(second.plan.isEmpty)
        #expect(!second.hasErrors, "\(second.services?.errors ?? [])")
        #expect(api.sonarrCalls(after: mark).contains("POST /api/v3/command"))
        #expect(second.services?.retried == ["rescan of 24 in sonarr main"])
        #expect(second.services?.registered == 1)
        #expect(try ledger.serviceRetries().isEmpty)

        let mark2 = api.sonarr.requests.count
        _ = try await api.link()
        #expect(!api.sonarrCalls(after: mark2).contains("POST /api/v3/command"))
    }

    @Test func retryKeepsItsFirstDateAndCountsAttemptsWhileSonarrKeepsFailing() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        api.sonarr.failNext("/api/v3/command", status: 500, count: 2)
        _ = try await api.link()
        let ledger = try Ledger(path: api.lib.path("state/usher.db"))
        let first = try #require(try ledger.serviceRetries().first)
        let second = try await api.link()
        #expect(second.hasErrors)
        let again = try #require(try ledger.serviceRetries().first)
        #expect(again.attempts == 2)
        #expect(again.since == first.since)
        #expect(!(try await api.link()).hasErrors)
        #expect(try ledger.serviceRetries().isEmpty)
    }

    /// Sonarr is down at the start of the next run: the retry is kept, not dropped.
    @Test func retryIsKeptWhileSonarrDoesNotAnswer() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        api.sonarr.failNext("/api/v3/command", status: 500)
        _ = try await api.link()
        api.sonarr.failNext("/api/v3/series", status: 503)
        let down = try await api.link()
        #expect(down.hasErrors)
        let ledger = try Ledger(path: api.lib.path("state/usher.db"))
        #expect(try ledger.serviceRetries().count == 1)
        _ = try await api.link()
        #expect(try ledger.serviceRetries().isEmpty)
    }

    @Test func tagAndUnmonitorFailuresAreErrorsAndTheNextRunDoesThem() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        api.lib.extraLinkConfig = "  tag: usher-linked\n  unmonitor_linked: true"
        api.sonarr.failNext("/api/v3/episode/monitor", status: 500)
        api.radarr.failNext("/api/v3/tag", status: 500)
        let first = try await api.link()
        #expect(first.hasErrors)
        #expect(first.services?.errors.count == 2, "\(first.services?.errors ?? [])")
        let second = try await api.link()
        #expect(!second.hasErrors, "\(second.services?.errors ?? [])")
        #expect(api.sonarr.withState { $0.episodes.first { $0.id == 109 }?.monitored } == false)
        #expect(api.radarr.withState { $0.movies.first { $0.id == 10 }?.tags?.count } == 1)
    }

    @Test func plexScanThatFailedIsAskedAgain() async throws {
        let api = try await ApiLibrary(plexSections: [.init(key: "2", type: "show", title: "TV Shows", locations: ["/data/tv"])])
        defer { Task { await api.stop() } }
        api.extra = "paths:\n  - {remote: /data, local: \"\(api.lib.root)\"}"
        api.plex?.failNext()
        let first = try await api.link()
        #expect(first.hasErrors)
        #expect(api.plex?.refreshes.isEmpty == true)
        #expect(first.services?.retries.map(\.kind) == [.plexScan])
        let second = try await api.link()
        #expect(!second.hasErrors)
        #expect(api.plex?.refreshes.map(\.path) == ["/data/tv/24"])
        _ = try await api.link()
        #expect(api.plex?.refreshes.count == 1)
    }
}
