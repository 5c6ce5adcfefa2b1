import Foundation
import Logging
import Testing
import UsherCore

@testable import UsherKit

/// A library in a fresh temporary folder, with a config and a mapping file.
final class TestLibrary {
    let root: String
    var linkType = "hardlink"
    var extraLinkConfig = ""
    /// Top-level config sections (sonarr, radarr, plex, paths, api).
    var extraTopConfig = ""
    var state = "state/usher.db"

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        root = Paths.join(base, "usher-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func path(_ relative: String) -> String { Paths.join(root, relative) }

    /// Writes a file with `size` bytes derived from `seed` (different seeds, different bytes).
    @discardableResult
    func file(_ relative: String, size: Int = 1000, seed: UInt8 = 1) throws -> String {
        let full = path(relative)
        try FileManager.default.createDirectory(atPath: Paths.parent(full), withIntermediateDirectories: true)
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed) &* 7) }
        try Data(bytes).write(to: URL(fileURLWithPath: full))
        return full
    }

    func writeConfig() throws {
        try """
        library:
          movies: [{path: movies, depth: 2}]
          shows: [{path: tv, depth: 2}]
        link:
          type: \(linkType)
          mappings: links.yml
        \(extraLinkConfig)
        state: \(state)
        \(extraTopConfig)
        """.write(toFile: path("usher.yml"), atomically: true, encoding: .utf8)
    }

    func writeMappings(_ yaml: String) throws {
        try yaml.write(toFile: path("links.yml"), atomically: true, encoding: .utf8)
    }

    func config() throws -> UsherConfig {
        try writeConfig()
        return try UsherConfig.load(path: path("usher.yml"), environment: [:])
    }

    func link(
        dryRun: Bool = false, adopt: Bool = false, confirmRemovals: Bool = false, full: Bool = false,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws -> LinkOutcome {
        try await LinkJob(config: config(), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
            .run(LinkOptions(dryRun: dryRun, adopt: adopt, confirmRemovals: confirmRemovals, fullCatalog: full), progress: progress)
    }

    func ledger() throws -> [LedgerEntry] { try Ledger(path: path("state/usher.db")).entries() }

    func inode(_ relative: String) -> UInt64? {
        var st = stat()
        return lstat(path(relative), &st) == 0 ? UInt64(st.st_ino) : nil
    }

    func exists(_ relative: String) -> Bool {
        var st = stat()
        return lstat(path(relative), &st) == 0
    }

    /// Every file below a folder with its inode, for comparing whole trees.
    func snapshot(_ relative: String = "tv") -> [String: String] {
        var result: [String: String] = [:]
        let base = path(relative)
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [:] }
        while let item = walker.nextObject() as? String {
            let full = Paths.join(base, item)
            var st = stat()
            guard lstat(full, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR else { continue }
            if (st.st_mode & S_IFMT) == S_IFLNK {
                result[item] = "symlink:" + (FileSystem.readLink(full) ?? "?")
            } else {
                result[item] = "file:\(st.st_size):links=\(st.st_nlink)"
            }
        }
        return result
    }

    /// The standard small library: one movie mapped to a special of one show.
    func standard() throws {
        try file("movies/24- Redemption (2008)/24- Redemption (2008) Bluray-1080p.mkv", size: 5000, seed: 1)
        try file("movies/Heat (1995)/Heat (1995) Bluray-1080p.mkv", size: 3000, seed: 2)
        try file("tv/24/Season 01/24 - S01E01 - Pilot HDTV-720p.mkv", size: 2000, seed: 3)
        try file("tv/Heat Show/Season 01/Heat Show - S01E01 - One.mkv", size: 2000, seed: 4)
        try writeMappings(
            """
            links:
              - movie: "24: Redemption"
                year: 2008
                show: "24"
                episodes: S00E09
                title: Redemption
            """)
    }
}

let redemptionTarget = "tv/24/Season 00/24 - S00E09 - Redemption Bluray-1080p.mkv"
let redemptionSource = "movies/24- Redemption (2008)/24- Redemption (2008) Bluray-1080p.mkv"
