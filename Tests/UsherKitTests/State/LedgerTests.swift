import Foundation
import GRDB
import Synchronization
import Testing
import UsherCore

@testable import UsherKit

@Suite("The state database")
struct LedgerTests {
    static func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    /// A dry run (and `usher stats`) opens the state read-only: a file left by an older Usher is read
    /// through an up-to-date copy in memory, and the file itself is not touched.
    @Test func aReadOnlyOpenNeverWritesEvenAnOldState() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        let statePath = lib.path("state/usher.db")
        try Ledger.makeOld(path: statePath, upTo: "v1")
        let before = try #require(Self.bytes(statePath))

        let reader = try #require(try Ledger.openIfPresent(path: statePath))
        #expect(try reader.entries().isEmpty)
        #expect(try reader.serviceRetries().isEmpty, "a table of a later migration, read from the copy")
        let dry = try await lib.link(dryRun: true)
        #expect(dry.plan.creates.count > 0)
        #expect(Self.bytes(statePath) == before)
        #expect(!FileManager.default.fileExists(atPath: statePath + "-wal"))

        // A real run brings the file up to date; a read-only open of a current file refuses writes.
        _ = try await lib.link()
        #expect(try Ledger(path: statePath).entries().count == dry.plan.creates.count)
        let current = try #require(try Ledger.openIfPresent(path: statePath))
        #expect(throws: (any Error).self) { try current.setServiceRetries([]) }
    }

    /// A file in rollback-journal mode (made by `makeOld`, or by hand) is switched to WAL; one in WAL mode is
    /// recognised by its header and opened once.
    @Test func aStateFileIsInWALModeAfterAnOpen() throws {
        let lib = try TestLibrary()
        let statePath = lib.path("state/usher.db")
        try Ledger.makeOld(path: statePath, upTo: "v1")
        #expect(!Ledger.isWAL(statePath))
        _ = try Ledger(path: statePath)
        #expect(Ledger.isWAL(statePath))
        let ledger = try Ledger(path: statePath)
        #expect(try ledger.queue.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
        #expect(!Ledger.isWAL(lib.path("nothing.db")))
        try Data("SQLite format 3".utf8).write(to: URL(fileURLWithPath: lib.path("short.db")))
        #expect(!Ledger.isWAL(lib.path("short.db")))
    }

    /// Each link run keeps the links and space saved after it (the page's chart): counted when it changed a link,
    /// carried over when it changed none.
    @Test func runsKeepTheirTotals() throws {
        let lib = try TestLibrary()
        let ledger = try Ledger(path: lib.path("state/usher.db"))
        func run(_ created: Int, at seconds: Double) -> RunRecord {
            RunRecord(
                startedAt: Date(timeIntervalSince1970: seconds), durationMilliseconds: 5, created: created, replaced: 0, removed: 0, unchanged: 0,
                conflicts: 0, errors: 0, reclaimedBytes: 0)
        }
        func entry(_ n: Int, inode: UInt64) -> LedgerEntry {
            LedgerEntry(
                target: "/tv/S/\(n).mkv", link: LedgerLink(sourcePath: "/m/\(n).mkv", identity: .hardlink(device: 1, inode: inode), size: 1000),
                mappingKey: "k\(n)", show: "S", createdAt: 1, updatedAt: 1)
        }
        var first = Ledger.Change()
        first.upserts = [entry(1, inode: 1), entry(2, inode: 2), entry(3, inode: 2)]
        first.run = run(3, at: 100)
        try ledger.apply(first)
        var unchanged = Ledger.Change()
        unchanged.run = run(0, at: 200)
        try ledger.apply(unchanged)
        // A row changed by hand between runs: a run that changed nothing carries the last totals over.
        try ledger.queue.write { db in try db.execute(sql: "DELETE FROM links WHERE target = '/tv/S/1.mkv'") }
        try ledger.apply(unchanged)
        var more = Ledger.Change()
        more.upserts = [entry(4, inode: 4)]
        more.run = run(1, at: 300)
        try ledger.apply(more)
        let history = try ledger.linkHistory(limit: 10)
        #expect(history.map(\.links) == [3, 3, 3, 3])
        #expect(history.map(\.bytesSaved) == [2000, 2000, 2000, 2000], "one size per inode")
        #expect(history.first?.at == Date(timeIntervalSince1970: 100))
        #expect(try ledger.linkHistory(limit: 2).map(\.at) == [Date(timeIntervalSince1970: 200), Date(timeIntervalSince1970: 300)], "the newest, oldest first")
    }

    /// Readers do not wait for a writer: a read made while a write transaction is open finishes before it.
    @Test func aReaderDoesNotWaitForAWriter() throws {
        let lib = try TestLibrary()
        let ledger = try Ledger(path: lib.path("state/usher.db"))
        let inTransaction = DispatchSemaphore(value: 0)
        let readFinished = DispatchSemaphore(value: 0)
        let writerDone = DispatchSemaphore(value: 0)
        let sawTheRead = Mutex(false)
        DispatchQueue.global().async {
            try? ledger.queue.write { _ in
                inTransaction.signal()
                sawTheRead.withLock { $0 = readFinished.wait(timeout: .now() + 10) == .success }
            }
            writerDone.signal()
        }
        inTransaction.wait()
        _ = try ledger.entries()
        readFinished.signal()
        writerDone.wait()
        #expect(sawTheRead.withLock { $0 })
    }
}
