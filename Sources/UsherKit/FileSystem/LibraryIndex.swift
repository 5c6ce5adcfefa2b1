import Foundation
import UsherCore

/// What a folder holds directly: video file names and sub-folder names.
struct Listing: Sendable {
    var videos: [String]
    var folders: [String]
    /// Why the folder could not be read (then it holds nothing known).
    var unreadable: String? = nil
}

/// A movie or show folder found in the library.
struct MediaFolder: Sendable {
    var path: String
    var name: FolderName
    /// Its contents, if the scan had to read them; else read when a mapping needs them.
    var listing: Listing?
}

/// Every movie folder and show folder under the configured roots, by normalized title and by id.
struct LibraryIndex: Sendable {
    var movies: [MediaFolder] = []
    var shows: [MediaFolder] = []
    var moviesByKey: [String: [Int]] = [:]
    var showsByKey: [String: [Int]] = [:]
    /// The first folder carrying each id tag (`{tmdb-949}`, `{imdb-tt0113277}`, `{tvdb-76290}`).
    var movieByTMDB: [Int: Int] = [:]
    var movieByIMDB: [String: Int] = [:]
    var showByTVDB: [Int: Int] = [:]
    /// Roots that could not be read: nothing under them is judged this run.
    var unreadableRoots: [String] = []
    /// The folders whose listing the scan read (the roots, and folders that may group others), with their
    /// modification time read just before: while none changes, the folders found are the same (`FolderMemo`).
    var readFolders: [String: Int64] = [:]

    enum Kind { case movies, shows }

    /// Walks the roots. A folder whose name carries a year or an id tag (`Heat (1995)`, `Show {tvdb-1}`)
    /// is a movie or show folder and is not read. Another folder within the root's depth is read: it is
    /// a movie folder when it holds a video, a show folder when it holds a season folder or a video, and
    /// otherwise a grouping folder (`A/`, `anime/`) that is descended into. Every folder is indexed, so a
    /// show folder that is still empty can be found.
    static func scan(movies: [LibraryRoot], shows: [LibraryRoot], extensions: Set<String>) -> LibraryIndex {
        var unreadable: [String] = []
        var read: [String: Int64] = [:]
        let movieFolders = scanRoots(movies, kind: .movies, extensions: extensions, unreadable: &unreadable, read: &read)
        let showFolders = scanRoots(shows, kind: .shows, extensions: extensions, unreadable: &unreadable, read: &read)
        return LibraryIndex(movies: movieFolders, shows: showFolders, unreadableRoots: unreadable, readFolders: read)
    }

    /// An index of the given folders, in that order (a folder's listing is read when a mapping needs it, unless
    /// the scan read it).
    init(movies: [MediaFolder], shows: [MediaFolder], unreadableRoots: [String] = [], readFolders: [String: Int64] = [:]) {
        self.movies = movies
        self.shows = shows
        self.unreadableRoots = unreadableRoots
        self.readFolders = readFolders
        for (i, folder) in movies.enumerated() {
            moviesByKey[folder.name.key, default: []].append(i)
            if let tmdb = folder.name.tmdb, movieByTMDB[tmdb] == nil { movieByTMDB[tmdb] = i }
            if let imdb = folder.name.imdb, movieByIMDB[imdb] == nil { movieByIMDB[imdb] = i }
        }
        for (i, folder) in shows.enumerated() {
            showsByKey[folder.name.key, default: []].append(i)
            if let tvdb = folder.name.tvdb, showByTVDB[tvdb] == nil { showByTVDB[tvdb] = i }
        }
    }

    static func skip(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasPrefix("@") || name.hasPrefix("#") || name == "lost+found" || name == "$RECYCLE.BIN"
    }

    static func listing(of path: String, extensions: Set<String>) -> Listing? {
        guard let entries = FileSystem.list(path) else { return nil }
        return listing(entries, extensions: extensions)
    }

    static func listing(_ entries: [FileSystem.Entry], extensions: Set<String>) -> Listing {
        Listing(
            videos: entries.filter { $0.type != .directory && LibraryRules.isVideo($0.name, extensions: extensions) }.map(\.name),
            folders: entries.filter { $0.type == .directory && !skip($0.name) }.map(\.name))
    }

    static func isMedia(_ listing: Listing, kind: Kind) -> Bool {
        kind == .movies
            ? !listing.videos.isEmpty
            : !listing.videos.isEmpty || listing.folders.contains { LibraryRules.season(ofFolder: $0) != nil }
    }

    private static func scanRoots(
        _ roots: [LibraryRoot], kind: Kind, extensions: Set<String>, unreadable: inout [String], read: inout [String: Int64]
    ) -> [MediaFolder] {
        var result: [MediaFolder] = []
        for root in roots {
            let rootTime = FileSystem.modificationTime(root.path)
            guard let top = FileSystem.list(root.path), let rootTime else {
                unreadable.append(root.path)
                continue
            }
            read[root.path] = rootTime
            var level: [(path: String, name: String)] = top.filter { $0.type == .directory && !skip($0.name) }
                .map { (Paths.join(root.path, $0.name), $0.name) }
            var depth = 1
            while !level.isEmpty {
                let names = level.map(\.name).parallelMap(threshold: 2048) { FolderName(parsing: $0) }
                // Only folders that may be grouping folders need reading, to know whether to descend.
                let toRead =
                    depth < root.depth
                    ? level.indices.filter { names[$0].year == nil && names[$0].tmdb == nil && names[$0].tvdb == nil && names[$0].imdb == nil }
                    : []
                let listings = toRead.map { level[$0].path }.parallelMap { (FileSystem.modificationTime($0), FileSystem.list($0)) }
                var listingAt: [Int: Listing] = [:]
                for (i, (time, entries)) in zip(toRead, listings) {
                    if let entries { listingAt[i] = listing(entries, extensions: extensions) }
                    // A folder that cannot be read now counts as changed whenever it can.
                    read[level[i].path] = entries == nil ? -1 : time ?? -1
                }
                var next: [(path: String, name: String)] = []
                for i in level.indices {
                    let folderListing = listingAt[i]
                    result.append(MediaFolder(path: level[i].path, name: names[i], listing: folderListing))
                    if let folderListing, !isMedia(folderListing, kind: kind) {
                        next += folderListing.folders.filter { !LibraryRules.isExtrasFolder($0) }.map { (Paths.join(level[i].path, $0), $0) }
                    }
                }
                level = next
                depth += 1
            }
        }
        return result
    }
}

extension LibraryIndex {
    enum Match { case found(MediaFolder), notFound, ambiguous([MediaFolder]) }

    /// The movie folders that may be a mapping's: by TMDB/IMDb id tag in the folder name when present,
    /// else by title (forgiving `:` vs `-` and case) and year.
    func movieCandidates(_ ref: MovieRef) -> [MediaFolder] {
        // By dictionary, not by a walk of every folder: mappings imported from the Plex Linker all carry ids.
        if let tmdb = ref.tmdb, let hit = movieByTMDB[tmdb] { return [movies[hit]] }
        if let imdb = ref.imdb, let hit = movieByIMDB[imdb] { return [movies[hit]] }
        let wanted = FolderName(parsing: ref.title)
        let year = ref.year ?? wanted.year
        var candidates = (moviesByKey[wanted.key] ?? []).map { movies[$0] }
        if let year {
            candidates = candidates.filter { $0.name.year == nil || $0.name.year == year }
            let exact = candidates.filter { $0.name.year == year }
            if !exact.isEmpty { candidates = exact }
        }
        return candidates
    }

    /// The show folders that may be a mapping's: by TVDB id tag when present, else by title; a year in
    /// the title (`Doctor Who (2005)`) picks between shows of the same name.
    func showCandidates(_ ref: ShowRef) -> [MediaFolder] {
        if let tvdb = ref.tvdb, let hit = showByTVDB[tvdb] { return [shows[hit]] }
        let wanted = FolderName(parsing: ref.title)
        var candidates = (showsByKey[wanted.key] ?? []).map { shows[$0] }
        if let year = wanted.year { candidates = candidates.filter { $0.name.year == nil || $0.name.year == year } }
        return candidates
    }
}
