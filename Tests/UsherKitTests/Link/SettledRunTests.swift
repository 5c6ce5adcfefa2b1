import Foundation
import Testing
import UsherCore

@testable import UsherKit

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 15, filesystem mode's shortest run (`SettledRun`): after a clean run, a run with nothing changed checks
/// the links without parsing the mapping file; anything that changed sends it the usual way, whose result must be
/// what a `--full` run would do.
@Suite("Filesystem mode: a settled run checks without parsing")
struct SettledRunTests {
    let memo = FolderMemoTests()

    func ledger(_ lib: TestLibrary) throws -> Ledger { try Ledger(path: lib.path("state/usher.db")) }

    @Test func aRunAfterACleanOneIsSettledAndADryRunKeepsTheRecord() async throws {
        let lib = try await memo.warmed()
        let dry = try await lib.link(dryRun: true)
        #expect(dry.settled && dry.plan.isEmpty && dry.unchanged == 1)
        let run = try await lib.link()
        #expect(run.settled && run.plan.isEmpty && run.unchanged == 1 && run.reusedResolutions == 1)
        #expect(try ledger(lib).settledRun() != nil)
        let header = try #require(try ledger(lib).folderMemoHeader(), "SQLite reads the folder index's header")
        #expect(try header == ledger(lib).folderMemo()?.header)
        #expect(!header.folders.isEmpty)
        try await memo.expectSameAsFull(lib)
    }

    @Test func aLinkRemovedByHandIsRecreated() async throws {
        let lib = try await memo.warmed()
        try FileManager.default.removeItem(atPath: lib.path(redemptionTarget))
        let run = try await lib.link()
        #expect(!run.settled && run.created == 1)
        #expect(lib.inode(redemptionTarget) == lib.inode(redemptionSource))
        try await memo.expectSameAsFull(lib)
    }

    /// The link replaced by another file, its folder's time put back: only the link's own `lstat` can tell.
    @Test func aLinkReplacedWithItsFolderTimePutBackIsSeen() async throws {
        let lib = try await memo.warmed()
        let folder = Paths.parent(lib.path(redemptionTarget))
        var before = stat()
        #expect(stat(folder, &before) == 0)
        try FileManager.default.removeItem(atPath: lib.path(redemptionTarget))
        try lib.file(redemptionTarget, size: 5000, seed: 8)
        var times = [before.st_atim, before.st_mtim]
        #expect(utimensat(AT_FDCWD, folder, &times, 0) == 0)
        let run = try await lib.link()
        #expect(!run.settled, "the link is not Usher's any more")
        #expect(!run.plan.isEmpty, "the usual run sees it: \(LinkReport(run).text())")
    }

    @Test func anEditedMappingFileIsReadAgainThenSettles() async throws {
        let lib = try await memo.warmed()
        let text = try String(contentsOfFile: lib.path("links.yml"), encoding: .utf8)
        try lib.writeMappings(text + "\n# a comment\n")
        let edited = try await lib.link()
        #expect(!edited.settled && edited.plan.isEmpty)
        #expect(try await lib.link().settled, "the run after the edited one was clean")
        // A real change: the episode title.
        try lib.writeMappings(text.replacingOccurrences(of: "title: Redemption", with: "title: The Redemption"))
        let renamed = try await lib.link()
        #expect(!renamed.settled && renamed.replaced == 1)
        try await memo.expectSameAsFull(lib)
    }

    @Test func aSourceReplacedOrRewrittenIsSeen() async throws {
        let lib = try await memo.warmed()
        // Rewritten in place: the same inode (the link follows), another size.
        try Data(repeating: 7, count: 6000).write(to: URL(fileURLWithPath: lib.path(redemptionSource)))
        let rewritten = try await lib.link()
        #expect(!rewritten.settled)
        try await memo.expectSameAsFull(lib)
        // Replaced by a new file under the same name: a new inode.
        memo.settle(lib)
        _ = try await lib.link()
        try lib.file("new.mkv", size: 7000, seed: 9)
        try FileManager.default.removeItem(atPath: lib.path(redemptionSource))
        try FileManager.default.moveItem(atPath: lib.path("new.mkv"), toPath: lib.path(redemptionSource))
        let replaced = try await lib.link()
        #expect(!replaced.settled && replaced.replaced == 1)
        #expect(lib.inode(redemptionTarget) == lib.inode(redemptionSource))
        try await memo.expectSameAsFull(lib)
    }

    @Test func aChangedLedgerOrAPendingRowIsNotSettled() async throws {
        let lib = try await memo.warmed()
        let ledger = try ledger(lib)
        try await ledger.queue.write { db in try db.execute(sql: "UPDATE links SET pending = 1, previous_source = NULL, pending_temporary = NULL") }
        let repaired = try await lib.link()
        #expect(!repaired.settled)
        #expect(try lib.ledger().allSatisfy { $0.pending == nil })
        try await memo.expectSameAsFull(lib)
    }

    /// A ledger row changed outside Usher (a person with `sqlite3`), in a field no file check can see.
    @Test func aLedgerRowEditedByHandIsNotSettled() async throws {
        let lib = try await memo.warmed()
        let ledger = try ledger(lib)
        try await ledger.queue.write { db in try db.execute(sql: "UPDATE links SET show = 'Another Show'") }
        let run = try await lib.link()
        #expect(!run.settled, "the links table's generation moved")
        try await memo.expectSameAsFull(lib)
    }

    /// A state file from before the links table's generation (v8): its record is dropped by the migration. (v12,
    /// which made `settled_run` as this Usher reads it, runs again after v9.)
    @Test func aRecordOfAnOlderUsherIsDropped() async throws {
        let lib = try await memo.warmed()
        try await ledger(lib).queue.write { db in
            try db.execute(
                sql: """
                    DROP TRIGGER links_generation_insert; DROP TRIGGER links_generation_update; DROP TRIGGER links_generation_delete;
                    DROP TABLE links_generation; DROP TABLE settled_run;
                    CREATE TABLE settled_run (
                        id INTEGER PRIMARY KEY CHECK (id = 1), inputs TEXT NOT NULL, ledger TEXT NOT NULL, mappings INTEGER NOT NULL);
                    INSERT INTO settled_run VALUES (1, 'x', 'y', 1);
                    DELETE FROM grdb_migrations WHERE identifier IN ('v9-links-generation', 'v12-settled-services');
                    """)
        }
        let upgraded = try await lib.link()
        #expect(!upgraded.settled && upgraded.plan.isEmpty)
        #expect(try await lib.link().settled, "the upgraded file keeps a record again")
    }

    @Test func aRunWithAnErrorKeepsNoRecord() async throws {
        let lib = try await memo.warmed()
        #expect(try ledger(lib).settledRun() != nil)
        memo.settle(lib)
        try lib.writeMappings(
            try String(contentsOfFile: lib.path("links.yml"), encoding: .utf8)
                + "\n  - {movie: Nowhere, year: 1990, show: Heat Show, episodes: S00E01}\n")
        let failed = try await lib.link()
        #expect(!failed.settled && failed.plan.errors.count == 1)
        #expect(try ledger(lib).settledRun() == nil, "a run with an error keeps no record, and forgot the old one first")
        memo.settle(lib)
        let again = try await lib.link()
        #expect(!again.settled && again.plan.errors.count == 1, "the error is reported again")
    }

    /// A value taken from outside the mapping file (`!env_var`) may change while the text does not: no record.
    @Test func aMappingFileWithATagNeverSettles() async throws {
        let lib = try await memo.warmed()
        let text = try String(contentsOfFile: lib.path("links.yml"), encoding: .utf8)
        try lib.writeMappings(text.replacingOccurrences(of: "title: Redemption", with: "title: !env_var USHER_TEST_TITLE Redemption"))
        let tagged = try await lib.link()
        #expect(!tagged.settled && tagged.plan.isEmpty)
        #expect(try ledger(lib).settledRun() == nil)
        let again = try await lib.link()
        #expect(!again.settled && again.plan.isEmpty, "still the usual run")
    }

    @Test func digestsChangeWithWhatTheyCover() throws {
        let lib = try TestLibrary()
        let config = try lib.config()
        #expect(SettledRun.inputs(mappingText: "a", config: config) != SettledRun.inputs(mappingText: "b", config: config))
        lib.linkType = "symlink"
        #expect(SettledRun.inputs(mappingText: "a", config: config) != SettledRun.inputs(mappingText: "a", config: try lib.config()))
    }
}
