import AsyncHTTPClient
import Foundation
import Logging
import Testing
import UsherCore
import UsherFakes

@testable import UsherKit

/// Issue 17: `usher serve` shows when each service last answered and last failed. Every request notes its outcome,
/// after its retries: an answer (a 404 too), or the failure, without the key.
@Suite("Service health: each request's outcome, noted")
struct ServiceHealthTests {
    func client(_ url: String, key: String, health: ServiceHealth) -> SonarrClient {
        SonarrClient(
            client: ServiceClient(
                endpoint: ServiceEndpoint(name: "sonarr main", baseURL: url, credentialHeader: "X-Api-Key", credential: key),
                http: TestHTTP.client, policy: RetryPolicy(attempts: 2, backoff: .milliseconds(5), timeout: .seconds(5)),
                logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, health: health))
    }

    @Test func anAnswerAFailureAndANotFound() async throws {
        let sonarr = try await FakeSonarr.start()
        defer { Task { await sonarr.stop() } }
        let health = ServiceHealth()
        #expect(health.entry("sonarr main") == nil, "not asked yet")

        let before = Date()
        _ = try await client(sonarr.url, key: sonarr.apiKey, health: health).series()
        let answered = try #require(health.entry("sonarr main"))
        #expect(answered.lastAnswer.map { $0 >= before } == true && answered.lastFailure == nil)

        // The key refused: a failure, in words without the key.
        _ = try? await client(sonarr.url, key: "wrong-key-123", health: health).series()
        let refused = try #require(health.entry("sonarr main"))
        #expect(refused.lastFailure.map { $0 >= answered.lastAnswer! } == true)
        #expect(refused.failure?.contains("refused") == true && refused.failure?.contains("wrong-key-123") == false, "\(refused.failure ?? "")")
        #expect(refused.lastAnswer == answered.lastAnswer)

        // A 404 is an answer: the service is there.
        _ = try? await client(sonarr.url, key: sonarr.apiKey, health: health).client.send("GET", "/api/v3/nothing-here")
        let found = try #require(health.entry("sonarr main"))
        #expect(found.lastAnswer! > answered.lastAnswer! && found.lastFailure == refused.lastFailure)
    }

    @Test func nothingListeningIsAFailureAfterTheRetries() async throws {
        // A port bound but not listening, held for the test (see `HeldPort`): nothing answers there.
        let held = HeldPort()
        let health = ServiceHealth()
        _ = try? await client(held.url, key: "k", health: health).series()
        withExtendedLifetime(held) {}
        let entry = try #require(health.entry("sonarr main"))
        #expect(entry.lastAnswer == nil && entry.failure?.contains("cannot connect") == true, "\(entry.failure ?? "")")
    }
}
