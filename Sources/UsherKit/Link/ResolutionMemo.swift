import Foundation
import UsherCore

/// What filesystem mode resolved for each movie mapping (the source file and the link's path), with the
/// modification times of the folders that decided it: the movie folder, the show folder and the season folder.
/// A run that took the kept folders (`FolderMemo`: no root changed) reuses an entry while the mapping, the
/// settings and those three times are the same, and so skips choosing the folders, finding the main video and
/// naming the link. The source is still looked at (`stat`) every run.
///
/// An entry is made only when each of its folders was last changed more than 2 s before the resolution began (a
/// change within the same clock tick would go unseen), and a full scan (daily, `--full`) never reuses one.
struct ResolutionMemo: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        /// The mapping (every field, its place in the file included) and the settings it was resolved under.
        var fingerprint: String
        var movieFolder: String
        var showFolder: String
        var directory: String
        /// Nanoseconds; -1 when the folder did not exist.
        var times: [Int64]
        var source: String
        var target: String
        var targetDevice: UInt64?

        var folders: [String] { [movieFolder, showFolder, directory] }
    }

    /// Entries by mapping key.
    var entries: [String: Entry] = [:]

    /// What else decides a resolution: naming, the link kind, video extensions, the roots as resolved now, Usher.
    static func settings(_ config: UsherConfig) -> String {
        var parts = ["resolution 1", UsherVersion.current, "\(config.naming)", config.linkKind.rawValue, config.symlinkTarget.rawValue]
        parts.append(config.videoExtensions.sorted().joined(separator: ","))
        parts += (config.movieRoots + config.showRoots).map { "\($0.path) \($0.depth) \(FileSystem.resolved($0.path))" }
        return parts.joined(separator: "\n")
    }

    /// A stable digest (FNV-1a, 64 bits) of every field of the mapping (its place in the file too: the link's
    /// label carries it) and of the settings' digest.
    static func fingerprint(_ mapping: LinkMapping, settings: UInt64) -> String {
        var digest = Digest(settings)
        switch mapping.source {
        case .movie(let movie):
            digest.add("movie", movie.title, movie.year.map(String.init), movie.tmdb.map(String.init), movie.imdb, movie.radarr)
        case .episode(let show, let episodes):
            digest.add("episode", show.title, show.tvdb.map(String.init), show.sonarr, episodes.map(\.description).joined(separator: ","))
        }
        digest.add(mapping.show.title, mapping.show.tvdb.map(String.init), mapping.show.sonarr)
        digest.add(mapping.episodes.map(\.description).joined(separator: ","), mapping.title)
        digest.add(mapping.location?.file, mapping.location.map { "\($0.line):\($0.column)" })
        return String(digest.value, radix: 16)
    }

    static func digest(_ settings: String) -> UInt64 {
        var digest = Digest(0)
        digest.add(settings)
        return digest.value
    }

    struct Digest {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325

        init(_ seed: UInt64) {
            for shift in stride(from: 0, to: 64, by: 8) { mix(UInt8(truncatingIfNeeded: seed >> UInt64(shift))) }
        }

        mutating func mix(_ byte: UInt8) {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01b3
        }

        /// Each field with a marker of absence and an end, so that ("ab", nil) and ("a", "b") differ.
        mutating func add(_ fields: String?...) {
            for field in fields {
                if let field {
                    for byte in field.utf8 { mix(byte) }
                    mix(0x1f)
                } else {
                    mix(0x1e)
                }
            }
        }
    }

    /// A folder's modification time in nanoseconds (-1 when it is not there), each folder read once per run.
    final class Times: @unchecked Sendable {
        private let lock = NSLock()
        private var known: [String: Int64] = [:]

        func of(_ folder: String) -> Int64 {
            if let hit = lock.withLock({ known[folder] }) { return hit }
            let time = FileSystem.modificationTime(folder) ?? -1
            lock.withLock { known[folder] = time }
            return time
        }
    }
}
