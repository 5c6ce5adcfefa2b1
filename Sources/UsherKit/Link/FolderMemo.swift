import Foundation
import UsherCore

/// What a filesystem-mode scan found that the next run may take without scanning: the folders that were
/// candidates for the mappings' movies and shows, and the modification time of every folder whose listing the
/// scan read (the roots, and folders that may group others). A new, renamed or removed folder changes its
/// parent's time, so while none of those times moved, the same mappings find the same candidate folders; their
/// contents (an upgraded file, a new season folder) are read again by every run anyway.
///
/// It is not used after `link.full_every`, on `--full`, when the roots or Usher changed, when the mapping file
/// names a movie or show it was not made for, or when a folder's time was too close to the scan to be sure (a
/// change in the same clock tick as the listing leaves the time as it was).
struct FolderMemo: Codable, Sendable, Equatable {
    var fingerprint: String
    /// When the scan started (Unix seconds).
    var scannedAt: Int64
    var refs: Set<String>
    /// Folder → modification time in nanoseconds, read just before its listing; -1: it could not be read.
    var folders: [String: Int64]
    var movies: [String]
    var shows: [String]

    /// A folder changed less than this long before the scan read it is not trusted.
    static let racyNanoseconds: Int64 = 2_000_000_000

    static func fingerprint(_ config: UsherConfig) -> String {
        var parts = ["folders 1", UsherVersion.current]
        parts += config.movieRoots.map { "movies \($0.path) \($0.depth)" } + config.showRoots.map { "shows \($0.path) \($0.depth)" }
        parts.append("videos " + config.videoExtensions.sorted().joined(separator: ","))
        return parts.joined(separator: "\n")
    }

    /// What the mappings look up in the folders: every field of the reference that a lookup reads.
    static func refs(_ mappings: [LinkMapping]) -> Set<String> {
        var refs = Set<String>()
        func show(_ ref: ShowRef) -> String { "show|\(ref.tvdb.map(String.init) ?? "")|\(ref.title)" }
        for mapping in mappings {
            refs.insert(show(mapping.show))
            switch mapping.source {
            case .movie(let ref):
                refs.insert(["movie", ref.tmdb.map(String.init) ?? "", ref.imdb ?? "", ref.title, ref.year.map(String.init) ?? ""].joined(separator: "|"))
            case .episode(let from, _):
                refs.insert(show(from))
            }
        }
        return refs
    }

    /// The memo of a full scan, or `nil` when a folder it read changed too close to the scan to be trusted.
    static func make(_ index: LibraryIndex, mappings: [LinkMapping], fingerprint: String, scannedAt: Date) -> FolderMemo? {
        let started = Int64(scannedAt.timeIntervalSince1970 * 1e9)
        guard index.unreadableRoots.isEmpty, index.readFolders.values.allSatisfy({ $0 >= 0 && $0 < started - racyNanoseconds }) else { return nil }
        var movies = Set<Int>(), shows = Set<Int>()
        let moviePositions = Dictionary(index.movies.enumerated().map { ($1.path, $0) }, uniquingKeysWith: { a, _ in a })
        let showPositions = Dictionary(index.shows.enumerated().map { ($1.path, $0) }, uniquingKeysWith: { a, _ in a })
        for mapping in mappings {
            for folder in index.showCandidates(mapping.show) { shows.insert(showPositions[folder.path]!) }
            switch mapping.source {
            case .movie(let ref): for folder in index.movieCandidates(ref) { movies.insert(moviePositions[folder.path]!) }
            case .episode(let from, _): for folder in index.showCandidates(from) { shows.insert(showPositions[folder.path]!) }
            }
        }
        return FolderMemo(
            fingerprint: fingerprint, scannedAt: Int64(scannedAt.timeIntervalSince1970), refs: refs(mappings), folders: index.readFolders,
            movies: movies.sorted().map { index.movies[$0].path }, shows: shows.sorted().map { index.shows[$0].path })
    }

    /// Why it cannot stand for a scan now, before the mapping file is read; `nil` when it can.
    func refusal(fingerprint: String, now: Int64, fullEvery: Int64, forced: Bool) -> String? {
        header.refusal(fingerprint: fingerprint, now: now, fullEvery: fullEvery, forced: forced)
    }

    var header: Header { Header(fingerprint: fingerprint, scannedAt: scannedAt, folders: folders) }

    /// What decides whether the memo can stand for a scan; the settled check reads only this.
    struct Header: Sendable, Equatable {
        var fingerprint: String
        var scannedAt: Int64
        var folders: [String: Int64]

        func refusal(fingerprint: String, now: Int64, fullEvery: Int64, forced: Bool) -> String? {
            if forced { return "asked for (--full)" }
            if fingerprint != self.fingerprint { return "the library folders in the config, or Usher, changed" }
            if now < scannedAt || now - scannedAt >= fullEvery { return "the daily full scan is due" }
            for (folder, time) in folders.sorted(by: { $0.key < $1.key }) where FileSystem.modificationTime(folder) != time || time < 0 {
                return "\(folder) changed"
            }
            return nil
        }
    }

    /// An index of the remembered folders, in the order the scan found them.
    var index: LibraryIndex {
        func folder(_ path: String) -> MediaFolder { MediaFolder(path: path, name: FolderName(parsing: Paths.lastComponent(path))) }
        return LibraryIndex(movies: movies.map(folder), shows: shows.map(folder), readFolders: folders)
    }
}
