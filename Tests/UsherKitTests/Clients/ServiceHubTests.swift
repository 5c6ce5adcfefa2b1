import Foundation
import Logging
import Testing
import UsherCore
import UsherFakes

@testable import UsherKit

/// The one wiring of issue 14: every client a process makes goes through one hub, so `api.concurrency`
/// bounds the process, not each kind of service.
@Suite("Service hub")
struct ServiceHubTests {
    actor Gauge {
        var now = 0, peak = 0
        func enter() { now += 1; peak = max(peak, now) }
        func leave() { now -= 1 }
    }

    static func config(concurrency: Int) throws -> (TestLibrary, UsherConfig) {
        let lib = try TestLibrary()
        lib.extraTopConfig = "api: {concurrency: \(concurrency), attempts: 1}"
        return (lib, try lib.config())
    }

    /// Three "services" (two Sonarr-like endpoints and a Tautulli-like one, as prefetch asks) on a slow server:
    /// never more than `api.concurrency` requests at once between them.
    @Test func oneGateBoundsEveryServiceOfTheProcess() async throws {
        let gauge = Gauge()
        let server = try await FakeHTTPServer.start { _ in
            await gauge.enter()
            try? await Task.sleep(for: .milliseconds(20))
            await gauge.leave()
            return .json(["ok": true])
        }
        defer { Task { await server.stop() } }
        let (lib, config) = try Self.config(concurrency: 2)
        _ = lib
        let hub = ServiceHub(config: config, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, http: TestHTTP.client)
        let counter = RequestCounter()
        let clients = ["sonarr a", "sonarr b", "tautulli"].map {
            hub.client(ServiceEndpoint(name: $0, baseURL: server.baseURL, credentialHeader: "X-Api-Key", credential: "key"), counter: counter)
        }
        await withTaskGroup(of: Void.self) { group in
            for client in clients {
                for _ in 0..<6 { group.addTask { _ = try? await client.send("GET", "/api/x") } }
            }
        }
        #expect(server.requests.count == 18)
        #expect(counter.total == 18)
        let peak = await gauge.peak
        #expect(peak <= 2 && peak >= 1, "peak \(peak)")
    }
}
