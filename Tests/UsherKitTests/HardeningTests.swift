import Foundation
import Testing
@testable import UsherKit
import UsherFakes
import UsherCore

/// The README's promises against what breaks them: truncated files, reused inodes, foreign files at
/// Usher's own names, a deleted lock file.
@Suite("Hardening: the linker")
struct LinkHardeningTests {
    /// Twelve movies, each linked as a special of one show.
    static func twelve(_ lib: TestLibrary) throws -> String {
        var yaml = "links:\n"
        for n in 1...12 {
            try lib.file("movies/Film \(n) (20\(10 + n))/Film \(n) (20\(10 + n)).mkv", size: 100 + n, seed: UInt8(n))
            yaml += "  - {movie: Film \(n), year: 20\(10 + n), show: Anthology, episodes: S00E\(n)}\n"
        }
        try lib.file("tv/Anthology/Season 01/Anthology - S01E01.mkv", size: 50)
        return yaml
    }

    @Test(arguments: ["", "\n\n", "# links:\n#   - {movie: Film 1}\n", "links:\n", "hints: []\n", "links: []\ncrossovers:\n"])
    func mappingFileWithoutLinksIsAnErrorAndNothingIsRemoved(text: String) async throws {
        let lib = try TestLibrary()
        try lib.writeMappings(try Self.twelve(lib))
        #expect(try await lib.link().created == 12)
        try lib.writeMappings(text)
        let error = await #expect(throws: LinkJobError.self) { try await lib.link() }
        #expect(error?.kind == .config)
        #expect(error?.message.contains("links.yml") == true)
        #expect(error?.message.contains(": []'") == true)
        #expect(try lib.ledger().count == 12)
        #expect(lib.snapshot().filter { $0.key.contains("Season 00") }.count == 12)
    }

    @Test func anExplicitEmptyListStillHitsTheMassRemovalGuard() async throws {
        let lib = try TestLibrary()
        try lib.writeMappings(try Self.twelve(lib))
        _ = try await lib.link()
        try lib.writeMappings("links: []\n")
        for dryRun in [true, false] {
            let error = await #expect(throws: LinkJobError.self) { try await lib.link(dryRun: dryRun) }
            #expect(error?.kind == .config)
            #expect(error?.message.contains("would remove 12 of the 12 links") == true)
            #expect(error?.message.contains("--confirm-removals") == true)
        }
        #expect(try lib.ledger().count == 12)
        let confirmed = try await lib.link(confirmRemovals: true)
        #expect(confirmed.removed == 12)
        #expect(try lib.ledger().isEmpty)
    }

    @Test func removingAFewOrHalfIsNormal() async throws {
        let lib = try TestLibrary()
        let all = try Self.twelve(lib)
        try lib.writeMappings(all)
        _ = try await lib.link()
        // Half (6 of 12) is not "more than half".
        let kept = all.split(separator: "\n").prefix(7).joined(separator: "\n") + "\n"
        try lib.writeMappings(kept)
        #expect(try await lib.link().removed == 6)
    }

    @Test func massRemovalNeedsAtLeastTen() {
        var plan = LinkPlan()
        let entry = LedgerEntry(target: "/t", link: LedgerLink(sourcePath: "/s", identity: .hardlink(device: 1, inode: 2), size: 1),
                                mappingKey: "k", show: "s", createdAt: 0, updatedAt: 0)
        plan.removes = Array(repeating: .init(entry: entry, reason: .mappingRemoved, reclaimedBytes: 0), count: 9)
        #expect(LinkJob.massRemoval(plan, ledgerCount: 9) == nil)
        plan.removes.append(.init(entry: entry, reason: .sourceGone, reclaimedBytes: 0))
        #expect(LinkJob.massRemoval(plan, ledgerCount: 19)?.contains("9: mapping removed, 1: the movie or series is gone") == true)
        #expect(LinkJob.massRemoval(plan, ledgerCount: 20) == nil)
    }

    /// The movie and its link deleted by hand, then a new file at the link's path with the same inode
    /// (as ext4 does): simulated by giving the ledger row the new file's inode.
    @Test func aFileThatReusedTheInodeIsNotDeleted() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        _ = try await lib.link()
        try FileManager.default.removeItem(atPath: lib.path(redemptionSource))
        try FileManager.default.removeItem(atPath: lib.path(redemptionTarget))
        try lib.file(redemptionTarget, size: 77, seed: 5)
        let ledger = try Ledger(path: lib.path("state/usher.db"))
        var row = try #require(try ledger.entries().first)
        row.link.identity = .hardlink(device: try #require(FileSystem.status(lib.path(redemptionTarget))?.device), inode: try #require(lib.inode(redemptionTarget)))
        var change = Ledger.Change()
        change.upserts = [row]
        try ledger.apply(change)
        try lib.writeMappings("links: []\n")
        let outcome = try await lib.link()
        #expect(outcome.plan.removes.isEmpty)
        #expect(outcome.plan.forgets.map(\.reason) == [.targetNotOurs])
        #expect(lib.exists(redemptionTarget))
        #expect(try lib.ledger().isEmpty)
    }

    /// A foreign file at the temporary name of an in-place replacement is left alone, and so is the old link.
    @Test func foreignFileAtTheTemporaryNameIsNotDeleted() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        _ = try await lib.link()
        // The movie is upgraded under the same name: the link is replaced in place, through the temporary name.
        try FileManager.default.removeItem(atPath: lib.path(redemptionSource))
        try lib.file(redemptionSource, size: 6000, seed: 3)
        let temporary = LinkExecutor.temporaryPath(for: lib.path(redemptionTarget))
        try Data("mine".utf8).write(to: URL(fileURLWithPath: temporary))
        let outcome = try await lib.link()
        #expect(outcome.failures.count == 1)
        #expect(outcome.failures.first?.message.contains("temporary name") == true)
        #expect(try String(contentsOfFile: temporary, encoding: .utf8) == "mine")
        #expect(FileSystem.status(lib.path(redemptionTarget))?.size == 5000)  // the old link stays
        #expect(try lib.ledger().first?.link.size == 5000)
        // Once it is moved away, the replacement goes through.
        try FileManager.default.removeItem(atPath: temporary)
        let again = try await lib.link()
        #expect(again.replaced == 1)
        #expect(lib.inode(redemptionTarget) == lib.inode(redemptionSource))
    }

    /// A create that meets exactly the wanted link (another run made it meanwhile) keeps its row.
    @Test func createThatMeetsTheWantedLinkKeepsItsLedgerRow() async throws {
        let lib = try TestLibrary()
        try lib.writeMappings(try Self.twelve(lib))
        // Plan while nothing is there, then let "another run" make two of the links before applying.
        let root = lib.root
        let outcome = try await lib.link(progress: { step, _ in
                guard step == 1 else { return }
                for n in [5, 9] {
                    let source = Paths.join(root, "movies/Film \(n) (20\(10 + n))/Film \(n) (20\(10 + n)).mkv")
                    let target = Paths.join(root, "tv/Anthology/Season 00/Anthology - S00E\(String(format: "%02d", n)).mkv")
                    link(source, target)
                }
            })
        #expect(outcome.failures.isEmpty)
        #expect(try lib.ledger().count == 12)
        #expect(try lib.ledger().allSatisfy { $0.pending == nil })
    }

    /// Someone deletes the lock file during a run and a second run takes a new one: the first stops
    /// changing anything, and what it did not do is settled by the next run.
    @Test func deletedLockFileStopsTheFirstRunBeforeTheSecondOverlaps() async throws {
        let lib = try TestLibrary()
        try lib.writeMappings(try Self.twelve(lib))
        let lockPath = lib.path("state/usher.db.lock")
        let second = Box<RunLock?>(nil)
        let outcome = try await lib.link(progress: { step, _ in
            guard step == 3 else { return }
            unlink(lockPath)
            second.value = try? RunLock(path: lockPath)
        })
        let other = try #require(second.value)
        #expect(outcome.created == 3)
        #expect(outcome.failures.count == 9)
        #expect(outcome.failures.allSatisfy { $0.message.contains("lock") })
        // While the second holds it, no run starts.
        await #expect(throws: LinkJobError.self) { try await lib.link() }
        other.release()
        let next = try await lib.link()
        #expect(next.created == 9)
        #expect(try lib.ledger().count == 12)
    }

    @Test func lockWhoseFileWasDeletedIsTakenAgainByItsHolder() throws {
        let lib = try TestLibrary()
        try FileManager.default.createDirectory(atPath: lib.path("state"), withIntermediateDirectories: true)
        let lockPath = lib.path("state/usher.db.lock")
        let first = try RunLock(path: lockPath)
        unlink(lockPath)
        #expect(first.verify())  // nobody else came: a new file, locked by the holder
        #expect(throws: RunLock.Busy.self) { try RunLock(path: lockPath) }
        first.release()
        let next = try RunLock(path: lockPath)
        next.release()
    }

    @Test func stateFolderThatCannotBeMadeIsNamedWithWhatToDo() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        try lib.file("blocker", size: 1)  // a file where the state folder should be (EACCES needs a non-root user)
        lib.state = "blocker/sub/usher.db"
        let error = await #expect(throws: LinkJobError.self) { try await lib.link() }
        #expect(error?.message.contains("cannot create the state folder \(lib.path("blocker"))") == true)
        #expect(error?.message.contains("'state:'") == true)
        #expect(lib.exists(redemptionTarget) == false)
    }
}

final class Box<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

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

@Suite("Hardening: a !cmd that hangs")
struct CommandTimeoutTests {
    /// Each of these would hold a reader that waits for the end of the output: all are stopped at the deadline.
    @Test(arguments: [
        "sleep 30",                             // hangs
        "printf 'partial'; sleep 30",           // prints, then hangs with its output open
        "sleep 30 & printf key",                // exits at once, leaving a child holding the output
        "(trap '' TERM; sleep 30)",             // ignores SIGTERM
    ])
    func hangingCommandIsStoppedAtItsTimeout(command: String) throws {
        let started = ContinuousClock.now
        #expect(throws: ShellCommand.Failure.self) { try ShellCommand.run(command, timeout: .seconds(1)) }
        #expect(ContinuousClock.now - started < .seconds(10), "bounded well below the command's own 30 s")
    }

    @Test func theWholeGroupIsKilled() throws {
        let lib = try TestLibrary()
        let marker = lib.path("still-running")
        _ = try? ShellCommand.run("(sleep 2; touch '\(marker)') & sleep 30", timeout: .seconds(1))
        Thread.sleep(forTimeInterval: 2.5)
        #expect(!FileManager.default.fileExists(atPath: marker), "a child of the command outlived the timeout")
    }

    @Test func outputAndStatusAreRead() throws {
        #expect(try ShellCommand.run("printf 'a key'; printf ' more' >&2", timeout: .seconds(5)) == "a key")
        #expect(throws: ShellCommand.Failure.self) { try ShellCommand.run("exit 4", timeout: .seconds(5)) }
        let big = try ShellCommand.run("head -c 300000 /dev/zero | tr '\\\\0' x", timeout: .seconds(5))
        #expect(big.count == 300_000)
    }

    @Test func configTimeoutIsConfigurableAndNamedInTheError() throws {
        let lib = try TestLibrary()
        try """
        cmd_timeout_seconds: 1
        sonarr:
          main: {url: http://127.0.0.1:8989, api_key: !cmd "sleep 20"}
        """.write(toFile: lib.path("usher.yml"), atomically: true, encoding: .utf8)
        let started = ContinuousClock.now
        let error = #expect(throws: ConfigError.self) { try UsherConfig.load(path: lib.path("usher.yml")) }
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(error?.line == 3)
        #expect(error?.message.contains("did not finish within 1 s") == true, "\(error?.description ?? "")")
    }

    @Test func configTimeoutMustBeAPlainNumberInRange() throws {
        let lib = try TestLibrary()
        try "cmd_timeout_seconds: 0\nplex: {url: http://h, token: !cmd \"printf t\"}\n".write(toFile: lib.path("usher.yml"), atomically: true, encoding: .utf8)
        let error = #expect(throws: ConfigError.self) { try UsherConfig.load(path: lib.path("usher.yml")) }
        #expect(error?.line == 1)
    }
}

@Suite("Hardening: links stay inside the library")
struct SymlinkEscapeTests {
    @Test func seasonFolderSymlinkedOutsideTheLibraryIsRefused() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        try FileManager.default.createDirectory(atPath: lib.path("elsewhere"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: lib.path("tv/24/Season 00"), withDestinationPath: lib.path("elsewhere"))
        let outcome = try await lib.link()
        #expect(outcome.created == 0)
        #expect(outcome.plan.errors.first?.message.contains("leads outside the library") == true, "\(outcome.plan.errors)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: lib.path("elsewhere")).isEmpty)
    }

    @Test func symlinksThatStayInsideAreFollowed() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        // The show root itself is a symlink (a common NAS layout), and the specials folder points to another folder of the show.
        try FileManager.default.moveItem(atPath: lib.path("tv"), toPath: lib.path("real-tv"))
        try FileManager.default.createSymbolicLink(atPath: lib.path("tv"), withDestinationPath: lib.path("real-tv"))
        try FileManager.default.createDirectory(atPath: lib.path("real-tv/24/Extras Specials"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: lib.path("real-tv/24/Season 00"), withDestinationPath: "Extras Specials")
        let outcome = try await lib.link()
        #expect(outcome.plan.errors.isEmpty, "\(outcome.plan.errors)")
        #expect(outcome.created == 1)
        #expect(lib.exists("real-tv/24/Extras Specials/24 - S00E09 - Redemption Bluray-1080p.mkv"))
    }

    @Test func apiModeSeasonFolderSymlinkedOutsideIsRefused() async throws {
        let api = try await ApiLibrary()
        defer { Task { await api.stop() } }
        try FileManager.default.createDirectory(atPath: api.lib.path("elsewhere"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: api.lib.path("tv/24/Specials"), withDestinationPath: api.lib.path("elsewhere"))
        let outcome = try await api.link()
        #expect(outcome.created == 0)
        #expect(outcome.plan.errors.first?.message.contains("leads outside the library") == true, "\(outcome.plan.errors)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: api.lib.path("elsewhere")).isEmpty)
    }
}

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
        let resolved = FilesystemResolver(index: index, config: config).resolve(try MappingFile.load(path: lib.path("links.yml")))
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
        let error = #expect(throws: ConfigError.self) { try MappingFile.load(path: lib.path("links.yml")) }
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
