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
