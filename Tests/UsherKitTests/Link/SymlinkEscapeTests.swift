import Foundation
import Testing
import UsherCore
import UsherFakes

@testable import UsherKit

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
