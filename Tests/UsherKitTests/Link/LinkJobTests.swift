import Foundation
import Testing
import UsherCore

@testable import UsherKit

@Suite("Linking on a real filesystem")
struct LinkJobTests {
    @Test func hardlinkIsCreatedAndSecondRunDoesNothing() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        let first = try await lib.link()
        #expect(first.created == 1)
        #expect(!first.hasErrors)
        #expect(lib.inode(redemptionTarget) == lib.inode(redemptionSource))
        let entries = try lib.ledger()
        #expect(entries.count == 1)
        #expect(entries.first?.target == lib.path(redemptionTarget))
        #expect(entries.first?.link.size == 5000)

        let second = try await lib.link()
        #expect(second.plan.isEmpty)
        #expect(second.unchanged == 1 && second.created == 0)
        #expect(LinkReport(second).text().contains("Nothing to do."))
    }

    @Test func dryRunChangesNothingAndShowsTheSamePlan() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        let dry = try await lib.link(dryRun: true)
        #expect(dry.created == 1)
        #expect(!lib.exists(redemptionTarget))
        #expect(!lib.exists("state/usher.db"))
        let real = try await lib.link()
        #expect(LinkReport(dry).actions.map(\.target) == LinkReport(real).actions.map(\.target))
        #expect(LinkReport(dry).actions.map(\.action) == LinkReport(real).actions.map(\.action))
    }

    @Test func relativeSymlinkOnRequest() async throws {
        let lib = try TestLibrary()
        lib.linkType = "symlink"
        try lib.standard()
        _ = try await lib.link()
        let destination = FileSystem.readLink(lib.path(redemptionTarget))
        #expect(destination == "../../../" + redemptionSource)
        #expect(FileManager.default.contents(atPath: lib.path(redemptionTarget)) == FileManager.default.contents(atPath: lib.path(redemptionSource)))
        #expect(try await lib.link().plan.isEmpty)
    }

    @Test func absoluteSymlinkAndSwitchingKindReplacesTheLink() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        _ = try await lib.link()
        lib.linkType = "symlink"
        lib.extraLinkConfig = "  symlink_target: absolute"
        let switched = try await lib.link()
        #expect(switched.replaced == 1)
        #expect(switched.plan.replaces.first?.reason == .kindChanged)
        #expect(FileSystem.readLink(lib.path(redemptionTarget)) == lib.path(redemptionSource))
    }

    @Test func foreignFileIsAConflictAndIsNeverTouched() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        try lib.file(redemptionTarget, size: 123, seed: 9)
        let before = lib.inode(redemptionTarget)
        let outcome = try await lib.link()
        #expect(outcome.plan.conflicts.map(\.kind) == [.foreignFile])
        #expect(outcome.hasErrors)
        #expect(lib.inode(redemptionTarget) == before)
        #expect(try lib.ledger().isEmpty)
    }

    @Test func identicalForeignFileIsReportedAsDuplicateWithSpaceItWouldFree() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        try lib.file(redemptionTarget, size: 5000, seed: 1)  // same bytes as the movie
        let outcome = try await lib.link()
        let conflict = try #require(outcome.plan.conflicts.first)
        #expect(conflict.kind == .duplicate)
        #expect(conflict.freeableBytes == 5000)
        #expect(lib.inode(redemptionTarget) != lib.inode(redemptionSource))
        let json = LinkReport(outcome).json()
        #expect(json.contains("\"freeable_bytes\" : 5000"))
    }

    @Test func linkMadeByHandIsAdoptedOnlyWhenAsked() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        try FileManager.default.createDirectory(atPath: lib.path("tv/24/Season 00"), withIntermediateDirectories: true)
        #expect(link(lib.path(redemptionSource), lib.path(redemptionTarget)) == 0)
        #expect(try await lib.link().plan.conflicts.map(\.kind) == [.alreadyLinked])
        let adopted = try await lib.link(adopt: true)
        #expect(adopted.created == 1 && !adopted.hasErrors)
        #expect(try lib.ledger().count == 1)
    }

    @Test func upgradedMovieReplacesTheLinkAndReportsReclaimedSpace() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        _ = try await lib.link()
        // Radarr upgrades: the old file goes, a new one with a new quality arrives.
        try FileManager.default.removeItem(atPath: lib.path(redemptionSource))
        try lib.file("movies/24- Redemption (2008)/24- Redemption (2008) Bluray-2160p.mkv", size: 9000, seed: 5)
        let outcome = try await lib.link()
        #expect(outcome.replaced == 1 && outcome.created == 0 && outcome.removed == 0)
        let replace = try #require(outcome.plan.replaces.first)
        #expect(replace.reason == .renamed)
        #expect(replace.reclaimedBytes == 5000)
        let newTarget = "tv/24/Season 00/24 - S00E09 - Redemption Bluray-2160p.mkv"
        #expect(!lib.exists(redemptionTarget))
        #expect(lib.inode(newTarget) == lib.inode("movies/24- Redemption (2008)/24- Redemption (2008) Bluray-2160p.mkv"))
        #expect(try lib.ledger().map(\.target) == [lib.path(newTarget)])
        #expect(try await lib.link().plan.isEmpty)
    }

    @Test func sourceReplacedUnderTheSameNameReplacesInPlace() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        _ = try await lib.link()
        try FileManager.default.removeItem(atPath: lib.path(redemptionSource))
        try lib.file(redemptionSource, size: 6000, seed: 7)
        let outcome = try await lib.link()
        #expect(outcome.plan.replaces.first?.reason == .sourceChanged)
        #expect(lib.inode(redemptionTarget) == lib.inode(redemptionSource))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: lib.path("tv/24/Season 00"))
        #expect(leftovers == [Paths.lastComponent(redemptionTarget)])
    }

    @Test func linkDeletedByHandIsRecreated() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        _ = try await lib.link()
        try FileManager.default.removeItem(atPath: lib.path(redemptionTarget))
        let outcome = try await lib.link()
        #expect(outcome.plan.creates.map(\.reason) == [.recreated])
        #expect(lib.inode(redemptionTarget) == lib.inode(redemptionSource))
    }

    @Test func removedMappingRemovesOnlyUshersLinks() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        _ = try await lib.link()
        // Things Usher did not make: a dangling symlink and a file in the same folder.
        #expect(symlink("/nowhere/at/all.mkv", lib.path("tv/24/Season 00/dangling.mkv")) == 0)
        try lib.file("tv/24/Season 00/24 - S00E01 - Other.mkv", size: 10, seed: 3)
        try lib.writeMappings("links: []\n")
        let outcome = try await lib.link()
        #expect(outcome.removed == 1)
        #expect(!lib.exists(redemptionTarget))
        #expect(lib.exists("tv/24/Season 00/dangling.mkv"))
        #expect(lib.exists("tv/24/Season 00/24 - S00E01 - Other.mkv"))
        #expect(lib.exists(redemptionSource))
        #expect(try lib.ledger().isEmpty)
    }

    @Test func linkReplacedByAForeignFileIsForgottenNotDeleted() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        _ = try await lib.link()
        try FileManager.default.removeItem(atPath: lib.path(redemptionTarget))
        try lib.file(redemptionTarget, size: 77, seed: 8)
        try lib.writeMappings("links: []\n")
        let outcome = try await lib.link()
        #expect(outcome.removed == 0)
        #expect(outcome.plan.forgets.map(\.reason) == [.targetNotOurs])
        #expect(lib.exists(redemptionTarget))
    }

    @Test func mappingThatCannotBeResolvedKeepsItsLink() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        _ = try await lib.link()
        try FileManager.default.moveItem(atPath: lib.path("movies/24- Redemption (2008)"), toPath: lib.path("elsewhere"))
        let outcome = try await lib.link()
        #expect(outcome.plan.errors.count == 1)
        #expect(outcome.plan.kept.count == 1)
        #expect(outcome.removed == 0)
        #expect(lib.exists(redemptionTarget))
        #expect(outcome.hasErrors)
    }

    @Test func missingLibraryRootStopsTheRunBeforeAnythingChanges() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        _ = try await lib.link()
        try FileManager.default.moveItem(atPath: lib.path("movies"), toPath: lib.path("unmounted"))
        await #expect(throws: JobError.self) { try await lib.link() }
        #expect(lib.exists(redemptionTarget))
        #expect(try lib.ledger().count == 1)
    }

    @Test func twoEntriesClaimingOneEpisodeBothFailAndTheRestApplies() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        try lib.writeMappings(
            """
            links:
              - {movie: "24: Redemption", year: 2008, show: "24", episodes: S00E09}
              - {movie: Heat, year: 1995, show: "24", episodes: [S00E08, S00E09]}
              - {movie: Heat, year: 1995, show: Heat Show, episodes: S00E01}
            """)
        let outcome = try await lib.link()
        #expect(outcome.plan.errors.count == 2)
        #expect(outcome.plan.errors.allSatisfy { $0.message.contains("also claims") && $0.label.contains("links.yml:") })
        #expect(outcome.created == 1)
        // No title: Sonarr keeps the separator before the quality.
        #expect(lib.exists("tv/Heat Show/Season 00/Heat Show - S00E01 - Bluray-1080p.mkv"))
    }

    @Test func crossoverLinksAnEpisodeOfAnotherShow() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        try lib.file("tv/Chicago Fire (2012)/Season 03/Chicago Fire (2012) - S03E21 - Spartacus WEBDL-1080p.mkv", size: 800, seed: 6)
        try lib.file("tv/Chicago P.D. (2014)/Specials/.keep", size: 0)
        try lib.writeMappings(
            """
            crossovers:
              - from: {show: "Chicago Fire", episodes: S03E21}
                to:   {show: "Chicago P.D.", episodes: S00E05, title: "Chicago Fire crossover"}
            """)
        let outcome = try await lib.link()
        #expect(outcome.created == 1)
        // The show's existing Specials folder is used rather than creating Season 00 beside it.
        #expect(lib.exists("tv/Chicago P.D. (2014)/Specials/Chicago P.D. - S00E05 - Chicago Fire crossover WEBDL-1080p.mkv"))
    }

    @Test func moviesInGroupingFoldersAreFoundWithinDepth() async throws {
        let lib = try TestLibrary()
        try lib.file("movies/H/Heat (1995)/Heat (1995) Bluray-1080p.mkv", size: 3000, seed: 2)
        try lib.file("movies/H/Heat (1995)/Heat (1995)-trailer.mkv", size: 9000, seed: 3)
        try lib.file("movies/H/Heat (1995)/Featurettes/Making of.mkv", size: 99000, seed: 4)
        try lib.file("tv/Heat Show/Season 01/Heat Show - S01E01.mkv", size: 10, seed: 5)
        try lib.writeMappings("links: [{movie: Heat, show: Heat Show, episodes: S00E01-E02, title: Heat}]\n")
        let outcome = try await lib.link()
        #expect(outcome.created == 1)
        #expect(
            lib.inode("tv/Heat Show/Season 00/Heat Show - S00E01-E02 - Heat Bluray-1080p.mkv") == lib.inode("movies/H/Heat (1995)/Heat (1995) Bluray-1080p.mkv")
        )
    }

    @Test func ambiguousMovieIsAnErrorNamingTheCandidates() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        try lib.file("movies/Solaris (1972)/Solaris (1972).mkv", size: 10, seed: 1)
        try lib.file("movies/Solaris (2002)/Solaris (2002).mkv", size: 10, seed: 2)
        try lib.writeMappings("links: [{movie: Solaris, show: \"24\", episodes: S00E01}]\n")
        let outcome = try await lib.link()
        let message = try #require(outcome.plan.errors.first?.message)
        #expect(message.contains("Solaris (1972)") && message.contains("Solaris (2002)"))
    }

    @Test func statsCountEachInodeOnce() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        try lib.writeMappings(
            """
            links:
              - {movie: "24: Redemption", year: 2008, show: "24", episodes: S00E09, title: Redemption}
              - {movie: "24: Redemption", year: 2008, show: Heat Show, episodes: S00E01}
              - {movie: Heat, year: 1995, show: Heat Show, episodes: S00E02}
            """)
        _ = try await lib.link()
        let stats = StatsReport(entries: try lib.ledger(), runs: try Ledger(path: lib.path("state/usher.db")).runs())
        #expect(stats.links == 3)
        #expect(stats.bytesSaved == 5000 + 3000)
        #expect(stats.shows.first { $0.show == "Heat Show" }?.bytesSaved == 8000)
        #expect(stats.runs.count == 1)
        #expect(stats.json().contains("\"bytes_saved\" : 8000"))
    }

    @Test func lockIsExclusiveAndAStaleLockIsTakenOver() async throws {
        let lib = try TestLibrary()
        try lib.standard()
        try FileManager.default.createDirectory(atPath: lib.path("state"), withIntermediateDirectories: true)
        let held = try RunLock(path: lib.path("state/usher.db.lock"))
        await #expect(throws: JobError.self) { try await lib.link() }
        held.release()
        // A lock file left by a process that died (its pid still written in it).
        try "999999\n".write(toFile: lib.path("state/usher.db.lock"), atomically: true, encoding: .utf8)
        let outcome = try await lib.link()
        #expect(outcome.lockNotice?.contains("999999") == true)
        #expect(outcome.created == 1)
    }
}
