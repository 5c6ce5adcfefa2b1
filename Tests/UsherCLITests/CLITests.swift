import Foundation
import Testing
import UsherCore

/// Runs the built `usher` executable as a person or cron would.
struct Usher {
    static let binary: String = {
        // The test bundle sits in the build folder next to the executables.
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("usher").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return "usher-binary-not-found (build with `swift build --build-tests`)"
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the binary on a thread of its own, so in-process fake servers (which answer on the shared
    /// concurrency pool) stay free to answer it.
    static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Swift.Result { try run(arguments, in: directory, environment: environment) as Result })
            }
        }
    }

    @discardableResult
    static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? -process.terminationStatus : process.terminationStatus
        return Result(status: status, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }
}

func temporaryFolder() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("usher-cli-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Every path below a folder with what it is (file size and link count, or symlink text).
func tree(_ root: String) -> [String: String] {
    var result: [String: String] = [:]
    guard let walker = FileManager.default.enumerator(atPath: root) else { return [:] }
    while let item = walker.nextObject() as? String {
        var st = stat()
        guard lstat(root + "/" + item, &st) == 0 else { continue }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: result[item] = "dir"
        case S_IFLNK: result[item] = "symlink"
        default: result[item] = "file \(st.st_size) links=\(st.st_nlink)"
        }
    }
    return result
}

@Suite("The usher command")
struct CLITests {
    @Test func demoLinksAndASecondRunHasNothingToDo() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try Usher.run(["demo", "lib"], in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("Done: 5 created, 0 replaced, 0 removed, 0 unchanged, 0 conflicts, 0 errors."))
        #expect(first.stdout.contains("5 links (5 hardlinks, 0 symlinks)"))
        let second = try Usher.run(["demo", "lib"], in: dir)
        #expect(second.status == 0)
        #expect(second.stdout.contains("Nothing to do."))
        #expect(second.stdout.contains("0 created, 0 replaced, 0 removed, 5 unchanged"))
    }

    @Test func linkJSONAndExitCodes() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Usher.run(["demo", "lib"], in: dir)
        let config = dir + "/lib/usher.yml"
        let json = try Usher.run(["link", "--config", config, "--json"])
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        for key in ["created", "replaced", "removed", "unchanged", "conflicts", "errors"] { #expect(object[key] != nil, "\(key)") }
        #expect(object["unchanged"] as? Int == 5)

        let stats = try Usher.run(["stats", "--config", config, "--json"])
        let statsObject = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        #expect(statsObject["links"] as? Int == 5)
        #expect(statsObject["bytes_saved"] as? Int == 2_820_000)

        // A config mistake: exit 2 and the message names file, line and key.
        try "library:\n  movies: [movies]\n  shows: [tv]\nlink:\n  type: copy\n".write(toFile: dir + "/lib/bad.yml", atomically: true, encoding: .utf8)
        let bad = try Usher.run(["link", "--config", dir + "/lib/bad.yml"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("bad.yml:5:9: link.type: 'copy' is not one of: hardlink, symlink"))
        let usage = try Usher.run(["link", "--no-such-flag"])
        #expect(usage.status == 2)
    }

    @Test func failedMappingExitsWithOneAndTheRestApplies() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Usher.run(["demo", "lib"], in: dir)
        let links = dir + "/lib/links.yml"
        var text = try String(contentsOfFile: links, encoding: .utf8)
        text = text.replacingOccurrences(of: "crossovers:", with: "  - {movie: Nonexistent, show: Firefly, episodes: S00E02}\ncrossovers:")
        text = text.replacingOccurrences(of: "    title: Serenity\n", with: "    title: Serenity (Big Damn Movie)\n")
        try text.write(toFile: links, atomically: true, encoding: .utf8)
        let result = try Usher.run(["link", "--config", dir + "/lib/usher.yml"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("no movie folder matches 'Nonexistent'"))
        #expect(result.stdout.contains("links.yml:"))
        #expect(FileManager.default.fileExists(atPath: dir + "/lib/tv/Firefly (2002)/Season 00/Firefly - S00E01 - Serenity (Big Damn Movie) Bluray-1080p.mkv"))
    }

    @Test func importPlexLinkerProducesMappingsThatLink() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Usher.run(["demo", "lib"], in: dir)
        // Start over without mappings or links, then import the old script's collection.
        try FileManager.default.removeItem(atPath: dir + "/lib/usher.db")
        try "links: []\n".write(toFile: dir + "/lib/links.yml", atomically: true, encoding: .utf8)
        _ = try Usher.run(["link", "--config", dir + "/lib/usher.yml"])
        let legacy = """
            24- Redemption (2008):
              Movie DB ID: 13989
              Year: 2008
              Shows:
                '24':
                  Season: 0
                  Episode: 9
                  Episode ID: 4441
                  seriesId: 12
                  tvdbId: 76290
                  Anime: false
                  Parsed Episode Title: tv/staging/24/Season 00/24 - S00E09 - Redemption
            Cowboy Bebop- The Movie (2001):
              Movie DB ID: 11299
              Year: 2001
              Shows:
                Cowboy Bebop:
                  Season: 0
                  Episode: [1]
                  Episode ID: 9000
                  seriesId: 30
                  tvdbId: 76885
                  Anime: true
                  Parsed Episode Title: anime/Cowboy Bebop/Season 00/Cowboy Bebop - S00E01 - Knockin' on Heaven's Door
            Serenity (2005):
              Movie DB ID: 16320
              Year: 2005
              Shows: {}
            Heat (1995):
              Movie DB ID: 949
              Year: 1995
              Shows:
                Cowboy Bebop:
                  Season: 0
                  Episode: 1
                  tvdbId: 76885
                Firefly:
                  Season: '-1'
                  Episode: 3
            """
        try legacy.write(toFile: dir + "/collection.yml", atomically: true, encoding: .utf8)
        let imported = try Usher.run(["import", "plex-linker", dir + "/collection.yml", "--output", dir + "/lib/links.yml"])
        #expect(imported.status == 1)  // something could not be converted
        #expect(imported.stdout.contains("Wrote 3 mappings"))
        #expect(imported.stdout.contains("Serenity (2005)"))
        #expect(imported.stdout.contains("Season -1 is not a season number"))
        #expect(imported.stdout.contains("also claims"))
        let written = try String(contentsOfFile: dir + "/lib/links.yml", encoding: .utf8)
        #expect(written.contains("movie: \"24: Redemption\""))
        #expect(written.contains("title: \"Redemption\""))
        // Settle the conflict the import reported by deleting the Heat entry, then link without other edits.
        let heat = "  - movie: \"Heat\"\n    year: 1995\n    tmdb: 949\n    show: \"Cowboy Bebop\"\n    tvdb: 76885\n    episodes: S00E01\n"
        #expect(written.contains(heat))
        try written.replacingOccurrences(of: heat, with: "").write(toFile: dir + "/lib/links.yml", atomically: true, encoding: .utf8)
        let mappings = try String(contentsOfFile: dir + "/lib/links.yml", encoding: .utf8)
        #expect(!mappings.contains("Heat"), "\(mappings)")
        // The demo's links are still on disk but no longer in the (deleted) ledger: adopt them.
        let foreign = try Usher.run(["link", "--config", dir + "/lib/usher.yml"])
        #expect(foreign.status == 1 && foreign.stdout.contains("--adopt"))
        let linked = try Usher.run(["link", "--config", dir + "/lib/usher.yml", "--adopt"])
        #expect(linked.status == 0, "\(linked.stdout)\(linked.stderr)")
        #expect(linked.stdout.contains("2 created"))
        #expect(
            FileManager.default.fileExists(
                atPath: dir + "/lib/tv/Cowboy Bebop (1998)/Season 00/Cowboy Bebop - S00E01 - Knockin' on Heaven's Door Bluray-720p.mkv"))
    }

    @Test func configShowRedactsAndLinksFmtArchives() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Usher.run(["demo", "lib"], in: dir)
        try "plex_token: tok-abcdef-123\n".write(toFile: dir + "/lib/secrets.yml", atomically: true, encoding: .utf8)
        var config = try String(contentsOfFile: dir + "/lib/usher.yml", encoding: .utf8)
        config += "plex:\n  url: http://127.0.0.1:9\n  token: !secret plex_token\napi: {attempts: 1}\n"
        try config.write(toFile: dir + "/lib/usher.yml", atomically: true, encoding: .utf8)
        let shown = try Usher.run(["config", "show", "--config", dir + "/lib/usher.yml", "-vv", "--log-format", "json"])
        #expect(shown.status == 0)
        #expect(!shown.stdout.contains("tok-abcdef-123") && !shown.stderr.contains("tok-abcdef-123"))
        #expect(shown.stdout.contains("[redacted]"))
        // Nothing listens where Plex should be: config check says so, without the token.
        let check = try Usher.run(["config", "check", "--config", dir + "/lib/usher.yml"])
        #expect(check.status == 1, "\(check.stdout)")
        #expect(check.stdout.contains("plex: plex: GET http://127.0.0.1:9/library/sections: cannot connect"), "\(check.stdout)")
        #expect(!check.stdout.contains("tok-abcdef-123") && !check.stderr.contains("tok-abcdef-123"))
        let fmt = try Usher.run(["links", "fmt", "--config", dir + "/lib/usher.yml"])
        #expect(fmt.status == 0)
        #expect(fmt.stdout.contains("previous version kept as"))
        let again = try Usher.run(["links", "fmt", "--check", "--config", dir + "/lib/usher.yml"])
        #expect(again.status == 0 && again.stdout.contains("already formatted"))
        let relinked = try Usher.run(["link", "--config", dir + "/lib/usher.yml"])
        #expect(relinked.stdout.contains("Nothing to do."))
    }
}

@Suite("Crash recovery")
struct CrashRecoveryTests {
    /// A library with `count` movies mapped to specials of a few shows.
    func makeLibrary(_ dir: String, count: Int, quality: String = "Bluray-1080p") throws {
        var links = "links:\n"
        for i in 0..<count {
            let movie = "\(dir)/movies/Movie \(i) (2001)/Movie \(i) (2001) \(quality).mkv"
            try FileManager.default.createDirectory(atPath: (movie as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: movie) {
                _ = FileManager.default.createFile(atPath: movie, contents: Data("movie \(i) \(quality)".utf8))
            }
            links += "  - {movie: \"Movie \(i)\", year: 2001, show: \"Show \(i % 10)\", episodes: S00E\(i / 10 + 1), title: \"Part \(i)\"}\n"
        }
        for s in 0..<10 {
            try FileManager.default.createDirectory(atPath: "\(dir)/tv/Show \(s)/Season 01", withIntermediateDirectories: true)
        }
        try links.write(toFile: "\(dir)/links.yml", atomically: true, encoding: .utf8)
        try "library:\n  movies: [movies]\n  shows: [tv]\nlink:\n  mappings: links.yml\nstate: usher.db\n"
            .write(toFile: "\(dir)/usher.yml", atomically: true, encoding: .utf8)
    }

    /// Removes every movie file and puts a new one of another quality in its place (an upgrade).
    func upgrade(_ dir: String, count: Int) throws {
        for i in 0..<count {
            let folder = "\(dir)/movies/Movie \(i) (2001)"
            for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
                try FileManager.default.removeItem(atPath: "\(folder)/\(name)")
            }
        }
        try makeLibrary(dir, count: count, quality: "Bluray-2160p")
    }

    @Test(arguments: [0, 1, 7, 60, 119, 120])
    func killedAtAnyStepTheNextRunConverges(killAfter: Int) throws {
        let count = 120
        let clean = try temporaryFolder(), crashed = try temporaryFolder()
        defer {
            try? FileManager.default.removeItem(atPath: clean)
            try? FileManager.default.removeItem(atPath: crashed)
        }
        for dir in [clean, crashed] { try makeLibrary(dir, count: count) }
        // First pass (creates), then an upgrade pass (replacements), each killed in the crashed copy.
        for phase in 0..<2 {
            if phase == 1 { for dir in [clean, crashed] { try upgrade(dir, count: count) } }
            #expect(try Usher.run(["link", "--config", clean + "/usher.yml"]).status == 0)
            let killed = try Usher.run(["link", "--config", crashed + "/usher.yml"], environment: ["USHER_TEST_KILL_AFTER": "\(killAfter)"])
            #expect(killed.status == -9, "the run should have been killed: \(killed.stderr)")
            let recovered = try Usher.run(["link", "--config", crashed + "/usher.yml"])
            #expect(recovered.status == 0, "\(recovered.stdout)")
            #expect(tree(clean + "/tv") == tree(crashed + "/tv"))
            let again = try Usher.run(["link", "--config", crashed + "/usher.yml", "--json"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
            #expect(object["unchanged"] as? Int == count)
            #expect((object["actions"] as? [Any])?.isEmpty == true)
        }
        #expect(!tree(crashed + "/tv").keys.contains { $0.contains(".usher-tmp") })
    }

    @Test func killedFromOutsideAtRandomMomentsTheNextRunConverges() throws {
        let count = 400
        let clean = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: clean) }
        try makeLibrary(clean, count: count)
        #expect(try Usher.run(["link", "--config", clean + "/usher.yml"]).status == 0)
        for delay in [0.005, 0.02, 0.05, 0.1] {
            let dir = try temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try makeLibrary(dir, count: count)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Usher.binary)
            process.arguments = ["link", "--config", dir + "/usher.yml"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let recovered = try Usher.run(["link", "--config", dir + "/usher.yml"])
            #expect(recovered.status == 0, "\(recovered.stdout)")
            #expect(tree(clean + "/tv") == tree(dir + "/tv"))
        }
    }
}
