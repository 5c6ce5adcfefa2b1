import Foundation
import Logging
import Testing
import UsherCore
import UsherFakes

@testable import UsherKit

/// `usher dedupe` against fake Sonarr and Radarr: the movie and Sonarr's own file of the same special.
@Suite("Dedupe against fake Sonarr and Radarr")
struct DedupeJobTests {
    /// Sonarr holds its own file for the special the movie maps to.
    private func addOwnEpisodeFile(_ api: ApiLibrary, quality: String) throws -> String {
        let own = "tv/24/Specials/24 - S00E09 - Redemption \(quality).mkv"
        try api.lib.file(own, size: 3000, seed: 7)
        api.sonarr.withState { sonarr in
            sonarr.episodeFiles.append(
                SonarrEpisodeFile(
                    id: 900, seriesId: 1, seasonNumber: 0, relativePath: "Specials/" + Paths.lastComponent(own),
                    path: api.lib.path(own), size: 3000,
                    quality: ArrQuality(quality: .init(id: 5, name: quality), revision: .init(version: 1))))
            sonarr.episodes[0].episodeFileId = 900
            sonarr.episodes[0].hasFile = true
        }
        return own
    }

    private func dedupe(_ api: ApiLibrary, _ options: DedupeOptions) async throws -> DedupeJob.Outcome {
        api.configure()
        return try await DedupeJob(config: api.lib.config(), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }).run(options)
    }

    @Test func dedupeReportsThenAppliesThroughSonarr() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        let own = try addOwnEpisodeFile(api, quality: "WEBDL-720p")
        let report = try await dedupe(api, DedupeOptions())
        #expect(report.items.count == 1)
        let item = try #require(report.items.first)
        #expect(item.action == "replace")
        #expect(item.episodeQuality == "WEBDL-720p" && item.movieQuality == "Bluray-1080p")
        #expect(item.freeableBytes == 3000 && report.freeableBytes == 3000)
        #expect(api.lib.exists(own), "report only by default")
        #expect(!api.sonarr.requests.contains { $0.method == "DELETE" })

        let applied = try await dedupe(api, DedupeOptions(apply: true))
        #expect(applied.items.first?.action == "replaced")
        #expect(api.sonarr.requests.filter { $0.method == "DELETE" }.map(\.path) == ["/api/v3/episodefile/900"])
        #expect(!api.lib.exists(own))
        #expect(applied.link?.created == 1)
        #expect(api.lib.inode(ApiLibrary.target) == api.lib.inode(ApiLibrary.movieFile))
        #expect(applied.link?.services?.registered == 1)
        #expect(DedupeReport(applied).text().contains("Freed 3.0 kB"))
    }

    @Test func dedupeKeepsABetterEpisodeFileUnlessTheMovieIsPreferred() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        let own = try addOwnEpisodeFile(api, quality: "Bluray-2160p")
        let kept = try await dedupe(api, DedupeOptions(apply: true))
        #expect(kept.items.first?.action == "keep")
        #expect(kept.link == nil)
        #expect(api.lib.exists(own))
        let preferred = try await dedupe(api, DedupeOptions(apply: true, prefer: .movie))
        #expect(preferred.items.first?.action == "replaced")
        #expect(!api.lib.exists(own))
        #expect(api.lib.exists(ApiLibrary.target))
    }
}
