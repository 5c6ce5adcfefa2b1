import Foundation
import Testing
import UsherCore
import UsherFakes

@testable import UsherKit

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
        let error = await #expect(throws: JobError.self) { try await lib.link() }
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
            let error = await #expect(throws: JobError.self) { try await lib.link(dryRun: dryRun) }
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
        let entry = LedgerEntry(
            target: "/t", link: LedgerLink(sourcePath: "/s", identity: .hardlink(device: 1, inode: 2), size: 1),
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
        row.link.identity = .hardlink(
            device: try #require(FileSystem.status(lib.path(redemptionTarget))?.device), inode: try #require(lib.inode(redemptionTarget)))
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
        await #expect(throws: JobError.self) { try await lib.link() }
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
        let error = await #expect(throws: JobError.self) { try await lib.link() }
        #expect(error?.message.contains("cannot create the state folder \(lib.path("blocker"))") == true)
        #expect(error?.message.contains("'state:'") == true)
        #expect(lib.exists(redemptionTarget) == false)
    }
}

final class Box<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
