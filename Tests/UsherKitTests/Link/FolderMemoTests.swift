import Foundation
import Testing
import UsherCore

@testable import UsherKit

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 15, filesystem mode: a run takes the folders of the last scan while none of the folders it read has
/// changed. Each kind of change must lead to what a full scan would do; the oracle after each run that took the
/// kept folders is a `--full` dry run that finds nothing left to do.
@Suite("Filesystem mode: scan only when a folder changed")
struct FolderMemoTests {
    /// Sets the modification time of every library folder changed in the last seconds a minute back, as for a
    /// library a cron job finds untouched since its last run (a folder changed less than 2 s before a scan is not
    /// trusted). Each gets a nanosecond of its own, so that it differs from the time a scan read before.
    func settle(_ lib: TestLibrary) {
        let now = Int(Date().timeIntervalSince1970)
        var folders = ["movies", "tv"]
        for root in ["movies", "tv"] { folders += ((try? FileManager.default.subpathsOfDirectory(atPath: lib.path(root))) ?? []).map { root + "/" + $0 } }
        for folder in folders {
            var st = stat()
            guard stat(lib.path(folder), &st) == 0, st.st_mode & S_IFMT == S_IFDIR, st.st_mtim.tv_sec > now - 10 else { continue }
            let back = timespec(tv_sec: now - 60, tv_nsec: Int.random(in: 0..<1_000_000_000))
            var times = [back, back]
            utimensat(AT_FDCWD, lib.path(folder), &times, 0)
        }
    }

    /// The standard library, linked, after a run that took the kept folders (asserted): a change after it that
    /// makes a run scan is what made it scan.
    func warmed(sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws -> TestLibrary {
        let lib = try TestLibrary()
        try lib.standard()
        settle(lib)
        _ = try await lib.link()
        // The first run made tv/24/Season 00: the second scans again and keeps what it found.
        settle(lib)
        _ = try await lib.link()
        try await expectQuick(lib, sourceLocation: sourceLocation)
        return lib
    }

    /// A run that takes the kept folders and has nothing to do.
    func expectQuick(_ lib: TestLibrary, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
        let run = try await lib.link()
        #expect(run.catalogPass == .incremental, "\(String(describing: run.catalogPass))", sourceLocation: sourceLocation)
        #expect(run.plan.isEmpty, sourceLocation: sourceLocation)
    }

    func expectSameAsFull(_ lib: TestLibrary, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
        let check = try await lib.link(dryRun: true, full: true)
        #expect(check.catalogPass?.isFull == true, sourceLocation: sourceLocation)
        #expect(check.plan.isEmpty, "a full scan would still do: \(LinkReport(check).text())", sourceLocation: sourceLocation)
    }

    @Test func aSecondRunTakesTheFoldersOfTheFirst() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        settle(lib)
        let first = try await lib.link()
        #expect(first.created == 1 && first.catalogPass == .full(reason: "no folder index kept"))
        // The first run made tv/24/Season 00 (tv/24 changed): the second scans, and keeps what it found.
        settle(lib)
        #expect(try await lib.link().catalogPass == .full(reason: "\(lib.path("tv/24")) changed"))
        settle(lib)
        let second = try await lib.link()
        #expect(second.catalogPass == .incremental)
        #expect(second.plan.isEmpty && second.unchanged == 1)
        // The run before was clean: this one is a settled run (see SettledRunTests).
        #expect(LinkReport(second).pass == "settled" && second.settled)
        #expect(LinkReport(second).text(verbose: true).contains("checked  that nothing changed since the last clean run"))
        try Ledger(path: lib.path("state/usher.db")).setSettledRun(nil)
        let third = try await lib.link()
        #expect(third.catalogPass == .incremental && !third.settled && third.plan.isEmpty)
        #expect(LinkReport(third).pass == "incremental")
        #expect(LinkReport(third).text(verbose: true).contains("took     the folders of the last scan"))
        try await expectSameAsFull(lib)
        // --full scans again.
        #expect(try await lib.link(full: true).catalogPass == .full(reason: "asked for (--full)"))
    }

    @Test func aFolderChangedInTheSecondsBeforeTheScanIsNotTrusted() async throws {
        let lib = try TestLibrary()
        try lib.standard()  // just written: every folder's time is now
        _ = try await lib.link()
        let second = try await lib.link()
        #expect(second.catalogPass?.isFull == true)
    }

    @Test func aNewMovieFolderIsFound() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        try lib.writeMappings(
            """
            links:
              - {movie: "24: Redemption", year: 2008, show: "24", episodes: S00E09}
              - {movie: "Heat", year: 1995, show: "Heat Show", episodes: S00E01}
              - {movie: "Ronin", year: 1998, show: "Heat Show", episodes: S00E02}
            """)
        settle(lib)
        let first = try await lib.link()
        #expect(first.created == 2 && first.plan.errors.count == 1)
        settle(lib)
        _ = try await lib.link()
        try lib.file("movies/Ronin (1998)/Ronin (1998) Bluray-1080p.mkv", size: 4000, seed: 7)
        let run = try await lib.link()
        #expect(run.catalogPass?.isFull == true)
        if case .full(let reason)? = run.catalogPass { #expect(reason.contains("/movies changed")) }
        #expect(run.created == 1 && run.plan.errors.isEmpty)
        settle(lib)
        _ = try await lib.link()
        try await expectQuick(lib)
        try await expectSameAsFull(lib)
    }

    @Test func aRenamedOrRemovedFolderIsSeen() async throws {
        let lib = try await warmed()
        try FileManager.default.moveItem(atPath: lib.path("movies/24- Redemption (2008)"), toPath: lib.path("movies/24 - Redemption (2008) {tmdb-15035}"))
        let renamed = try await lib.link()
        #expect(renamed.catalogPass?.isFull == true)
        #expect(renamed.plan.errors.isEmpty, "\(renamed.plan.errors)")
        #expect(try lib.ledger().first?.link.sourcePath == lib.path("movies/24 - Redemption (2008) {tmdb-15035}/24- Redemption (2008) Bluray-1080p.mkv"))
        try await expectSameAsFull(lib)
        settle(lib)
        _ = try await lib.link()
        try await expectQuick(lib)
        try FileManager.default.removeItem(atPath: lib.path("movies/24 - Redemption (2008) {tmdb-15035}"))
        let removed = try await lib.link()
        #expect(removed.catalogPass?.isFull == true)
        try await expectSameAsFull(lib)
    }

    @Test func anUpgradedFileIsSeenWithoutAScan() async throws {
        let lib = try await warmed()
        // Radarr's upgrade: a new file in the movie folder, the old one gone. The roots did not change.
        try lib.file("movies/24- Redemption (2008)/24- Redemption (2008) WEBDL-1080p.mkv", size: 7000, seed: 9)
        try FileManager.default.removeItem(atPath: lib.path(redemptionSource))
        let run = try await lib.link()
        #expect(run.catalogPass == .incremental)
        #expect(run.replaced == 1)
        #expect(lib.exists("tv/24/Season 00/24 - S00E09 - Redemption WEBDL-1080p.mkv"))
        try await expectSameAsFull(lib)
    }

    @Test func otherMappingsOrAnUnreadableMemoMeanAScan() async throws {
        let lib = try await warmed()
        try lib.writeMappings("links:\n  - {movie: Heat, year: 1995, show: Heat Show, episodes: S00E01}\n")
        let other = try await lib.link()
        #expect(other.catalogPass == .full(reason: "the mapping file names a movie or show the last scan was not made for"))
        #expect(other.created == 1)
        // A memo that cannot be read is no memo.
        let ledger = try Ledger(path: lib.path("state/usher.db"))
        try await ledger.queue.write { db in try db.execute(sql: "UPDATE folder_memo SET memo = '{not json'") }
        let next = try await lib.link()
        #expect(next.catalogPass == .full(reason: "no folder index kept") && next.plan.isEmpty)
    }

    // MARK: the kept resolutions (each mapping's source and link, by its folders' times)

    @Test func aQuickRunReusesEachMappingsResolution() async throws {
        let lib = try await warmed()
        let run = try await lib.link()
        #expect(run.catalogPass == .incremental && run.reusedResolutions == 1 && run.unchanged == 1)
        // A full scan resolves everything again.
        #expect(try await lib.link(full: true).reusedResolutions == 0)
    }

    @Test func aChangedMappingIsResolvedAgain() async throws {
        let lib = try await warmed()
        // A new episode title: the same folders, another name.
        try lib.writeMappings("links:\n  - {movie: \"24: Redemption\", year: 2008, show: \"24\", episodes: S00E09, title: The Redemption}\n")
        let run = try await lib.link()
        #expect(run.catalogPass == .incremental && run.reusedResolutions == 0)
        #expect(run.replaced == 1 || (run.created == 1 && run.removed == 1), "\(LinkReport(run).text())")
        #expect(lib.exists("tv/24/Season 00/24 - S00E09 - The Redemption Bluray-1080p.mkv"))
        try await expectSameAsFull(lib)
    }

    @Test func aFileReplacedUnderTheSameNameIsSeen() async throws {
        let lib = try await warmed()
        // Another file renamed over the source: the movie folder's time moves, its name stays.
        let replacement = try lib.file("movies/24- Redemption (2008)/incoming.mkv", size: 6000, seed: 5)
        #expect(rename(replacement, lib.path(redemptionSource)) == 0)
        let run = try await lib.link()
        #expect(run.catalogPass == .incremental && run.reusedResolutions == 0)
        #expect(run.replaced == 1)
        try await expectSameAsFull(lib)
    }

    @Test func aLargerVideoBesideTheSourceBecomesTheSource() async throws {
        let lib = try await warmed()
        // The old file stays: only the movie folder's time says that its main video changed.
        try lib.file("movies/24- Redemption (2008)/24- Redemption (2008) Remux-2160p.mkv", size: 9000, seed: 6)
        let run = try await lib.link()
        #expect(run.catalogPass == .incremental && run.reusedResolutions == 0)
        #expect(run.replaced == 1)
        #expect(try lib.ledger().first?.link.sourcePath == lib.path("movies/24- Redemption (2008)/24- Redemption (2008) Remux-2160p.mkv"))
        try await expectSameAsFull(lib)
    }

    @Test func aSourceGoneWithoutAFolderChangeIsNotTrusted() async throws {
        let lib = try await warmed()
        // The source removed and the movie folder's time put back: the kept entry's file is gone, so it is resolved again.
        var before = stat()
        stat(lib.path("movies/24- Redemption (2008)"), &before)
        try FileManager.default.removeItem(atPath: lib.path(redemptionSource))
        var times = [before.st_atim, before.st_mtim]
        utimensat(AT_FDCWD, lib.path("movies/24- Redemption (2008)"), &times, 0)
        let run = try await lib.link()
        #expect(run.reusedResolutions == 0)
        #expect(run.plan.errors.count == 1, "\(LinkReport(run).text())")
    }

    @Test func aSeasonFolderMadeASymlinkIsSeen() async throws {
        let lib = try await warmed()
        // tv/24/Season 00 replaced by a symlink that leads out of the library: tv/24's time moves.
        let outside = lib.path("elsewhere")
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try FileManager.default.removeItem(atPath: lib.path("tv/24/Season 00"))
        try FileManager.default.createSymbolicLink(atPath: lib.path("tv/24/Season 00"), withDestinationPath: outside)
        let run = try await lib.link()
        #expect(run.reusedResolutions == 0)
        #expect(run.plan.errors.contains { $0.message.contains("leads outside the library") }, "\(LinkReport(run).text())")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: outside))?.isEmpty == true)
    }
}
