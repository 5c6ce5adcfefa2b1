import Foundation
import Logging
import Testing
import UsherCore
import UsherFakes

@testable import UsherKit

@Suite("Hardening: smaller promises")
struct SmallerHardeningTests {
    /// A movie folder that cannot be read is said so, not reported as holding no video.
    @Test func unreadableMovieFolderIsNotNoVideoFile() throws {
        let lib = try TestLibrary()
        try lib.standard()
        let config = try lib.config()
        let index = LibraryIndex.scan(movies: config.movieRoots, shows: config.showRoots, extensions: config.videoExtensions)
        // Gone between the scan and the read (as root, permissions cannot make a folder unreadable).
        try FileManager.default.removeItem(atPath: lib.path("movies/24- Redemption (2008)"))
        let resolved = FilesystemResolver(index: index, config: config).resolve(try MappingFile.load(path: lib.path("links.yml"), environment: [:]))
        let message = try #require(resolved.problems.first?.message)
        #expect(message.contains("cannot read \(lib.path("movies/24- Redemption (2008)"))"), "\(message)")
        #expect(!message.contains("no video file"))
    }

    @Test func fileThatIsNotUTF8IsAnErrorWithLineAndColumn() throws {
        let lib = try TestLibrary()
        try lib.writeMappings("links:\n  - {movie: \"Amélie\", show: X, episodes: S00E01}\n")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: lib.path("links.yml"))))
        // Latin-1 é instead of UTF-8, after "  - {movie: \"Am" on line 2.
        let at = bytes.firstIndex(of: 0xC3)!
        bytes.replaceSubrange(at...(at + 1), with: [0xE9])
        try Data(bytes).write(to: URL(fileURLWithPath: lib.path("links.yml")))
        let error = #expect(throws: ConfigError.self) { try MappingFile.load(path: lib.path("links.yml"), environment: [:]) }
        #expect(error?.line == 2)
        #expect(error?.column == 16)
        #expect(error?.message.contains("0xE9") == true)
        #expect(error?.description.hasPrefix(lib.path("links.yml") + ":2:16:") == true, "\(error?.description ?? "")")
    }

    @Test func nameTooLongForTheDiskIsAMappingError() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        let episodes = (1...90).map { String(format: "S00E%02d", $0) }.joined(separator: ", ")
        try lib.writeMappings("links:\n  - {movie: \"24: Redemption\", year: 2008, show: \"24\", episodes: [\(episodes)]}\n")
        lib.extraLinkConfig = "  multi_episode_style: repeat"
        let outcome = try await lib.link()
        #expect(outcome.created == 0)
        #expect(outcome.plan.errors.first?.message.contains("longer than 255 bytes") == true, "\(outcome.plan.errors)")
    }
}

/// The libraries read no environment of their own (issue 14): the mapping file's `!env_var` takes the
/// environment the config was loaded with, which the `usher` binary passes.
@Suite("The environment is passed, not read")
struct PassedEnvironmentTests {
    @Test func theMappingFileReadsTheEnvironmentTheConfigWasLoadedWith() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        try lib.writeMappings(
            """
            links:
              - {movie: "24: Redemption", year: 2008, show: !env_var USHER_TEST_SHOW, episodes: S00E09, title: Redemption}
            """)
        try lib.writeConfig()
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let config = try UsherConfig.load(path: lib.path("usher.yml"), environment: ["USHER_TEST_SHOW": "24"])
        let outcome = try await LinkJob(config: config, logger: logger).run(LinkOptions())
        #expect(outcome.created == 1, "\(outcome.plan.errors)")
        #expect(lib.exists(redemptionTarget))
        let without = try UsherConfig.load(path: lib.path("usher.yml"), environment: [:])
        await #expect(throws: JobError.self) { try await LinkJob(config: without, logger: logger).run(LinkOptions(dryRun: true)) }
    }
}
