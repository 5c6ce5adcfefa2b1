import Foundation
import Testing
import UsherCore

/// Nine levels of nine aliases: 387 million values if anything expanded them. Every file Usher reads
/// must refuse (or, as data, not expand) it, with the memory of the process bounded well below that.
@Suite("An alias bomb in every YAML file Usher reads")
struct AliasBombTests {
    static let bomb: String = {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 { text += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n" }
        return text
    }()

    /// Runs `usher` with its address space limited to 400 MB (it needs about 100 MB; the bomb, gigabytes).
    func bounded(_ arguments: [String], in dir: String) async throws -> Usher.Result {
        let quoted = ([Usher.binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    with: Swift.Result {
                        let process = Process()
                        process.executableURL = URL(fileURLWithPath: "/bin/sh")
                        process.arguments = ["-c", "ulimit -v 400000 && exec \(quoted)"]
                        process.currentDirectoryURL = URL(fileURLWithPath: dir)
                        let out = Pipe(), err = Pipe()
                        process.standardOutput = out
                        process.standardError = err
                        try process.run()
                        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
                        process.waitUntilExit()
                        return Usher.Result(
                            status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
                    })
            }
        }
    }

    @Test func inTheConfigAndTheMappingFileItIsRefusedAtItsPosition() async throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/m", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/s", withIntermediateDirectories: true)
        try ("library:\n  movies: [m]\n  shows: [s]\n" + Self.bomb).write(toFile: dir + "/bomb.yml", atomically: true, encoding: .utf8)
        let config = try await bounded(["config", "check", "--config", "bomb.yml"], in: dir)
        #expect(config.status == 2, "\(config.stdout)\(config.stderr)")
        #expect(config.stderr.contains("bomb.yml:5:10: YAML aliases (*a0) are not supported here"), "\(config.stderr)")

        try "library:\n  movies: [m]\n  shows: [s]\nlink: {mappings: links.yml}\nstate: usher.db\n".write(
            toFile: dir + "/usher.yml", atomically: true, encoding: .utf8)
        try ("links:\n  - {movie: A, show: B, episodes: S00E01}\n" + Self.bomb).write(toFile: dir + "/links.yml", atomically: true, encoding: .utf8)
        for command in [["link"], ["link", "--dry-run"], ["links", "fmt"]] {
            let run = try await bounded(command + ["--config", "usher.yml"], in: dir)
            #expect(run.status == 2, "\(command): \(run.stdout)\(run.stderr)")
            #expect(run.stderr.contains("links.yml:4:10: YAML aliases"), "\(command): \(run.stderr)")
        }
    }

    @Test func inAPlexLinkerCollectionItIsReadAsDataWithoutExpanding() async throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try (Self.bomb + "Movie (2010):\n  Movie DB ID: 7\n  Shows:\n    Show: {Season: 0, Episode: *a9}\n")
            .write(toFile: dir + "/collection.yml", atomically: true, encoding: .utf8)
        let run = try await bounded(["import", "plex-linker", "collection.yml", "--output", "links.yml"], in: dir)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")  // nothing could be converted: the episode is an alias to a list of lists
        #expect(run.stdout.contains("is an alias"), "\(run.stdout)")
    }
}
