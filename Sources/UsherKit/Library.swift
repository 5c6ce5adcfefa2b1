import Foundation
import UsherCore

/// A movie or show folder found in the library.
struct MediaFolder: Sendable {
    var path: String
    var name: FolderName
    /// Video files directly inside (movies) — names only.
    var videos: [String]
    /// Sub-folder names directly inside.
    var folders: [String]
}

/// Every movie folder and show folder under the configured roots, by normalized title and by id.
struct LibraryIndex: Sendable {
    var movies: [MediaFolder] = []
    var shows: [MediaFolder] = []
    var moviesByKey: [String: [Int]] = [:]
    var showsByKey: [String: [Int]] = [:]
    /// Roots that could not be read: nothing under them is judged this run.
    var unreadableRoots: [String] = []

    enum Kind { case movies, shows }

    /// Walks the roots. A folder is a movie folder when it holds a video file, a show folder when it
    /// holds a season folder or a video; such folders are not descended into. Other folders (grouping
    /// folders such as `A/` or `anime/`) are descended into down to the root's depth, and are indexed too,
    /// so a show folder that is still empty can be found.
    static func scan(movies: [LibraryRoot], shows: [LibraryRoot], extensions: Set<String>) -> LibraryIndex {
        var index = LibraryIndex()
        let movieFolders = scanRoots(movies, kind: .movies, extensions: extensions, unreadable: &index.unreadableRoots)
        let showFolders = scanRoots(shows, kind: .shows, extensions: extensions, unreadable: &index.unreadableRoots)
        index.movies = movieFolders
        index.shows = showFolders
        for (i, folder) in movieFolders.enumerated() { index.moviesByKey[folder.name.key, default: []].append(i) }
        for (i, folder) in showFolders.enumerated() { index.showsByKey[folder.name.key, default: []].append(i) }
        return index
    }

    private static func skip(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasPrefix("@") || name.hasPrefix("#") || name == "lost+found" || name == "$RECYCLE.BIN"
    }

    private static func scanRoots(_ roots: [LibraryRoot], kind: Kind, extensions: Set<String>, unreadable: inout [String]) -> [MediaFolder] {
        var result: [MediaFolder] = []
        for root in roots {
            guard let top = FileSystem.list(root.path) else {
                unreadable.append(root.path)
                continue
            }
            var level: [String] = top.filter { $0.type == .directory && !skip($0.name) }.map { Paths.join(root.path, $0.name) }
            var depth = 1
            while !level.isEmpty {
                // Reading folders is I/O-bound system calls: spread them over the cores.
                let folders = listAll(level)
                var next: [String] = []
                for (path, entries) in zip(level, folders) {
                    guard let entries else { continue }
                    let videos = entries.filter { $0.type != .directory && RulesCache.isVideo($0.name, extensions) }.map(\.name)
                    let subfolders = entries.filter { $0.type == .directory && !skip($0.name) }.map(\.name)
                    let isMedia = kind == .movies
                        ? !videos.isEmpty
                        : !videos.isEmpty || subfolders.contains { LibraryRules.season(ofFolder: $0) != nil }
                    result.append(MediaFolder(path: path, name: FolderName(parsing: Paths.lastComponent(path)), videos: videos, folders: subfolders))
                    if !isMedia, depth < root.depth {
                        next += subfolders.filter { !LibraryRules.isExtrasFolder($0) }.map { Paths.join(path, $0) }
                    }
                }
                level = next
                depth += 1
            }
        }
        return result
    }

    private static func listAll(_ paths: [String]) -> [[FileSystem.Entry]?] {
        let workers = min(8, max(1, ProcessInfo.processInfo.activeProcessorCount * 2))
        guard paths.count > 256, workers > 1 else { return paths.map(FileSystem.list) }
        let results = UnsafeMutableBufferPointer<[FileSystem.Entry]?>.allocate(capacity: paths.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        let chunk = (paths.count + workers - 1) / workers
        let base = results.baseAddress!
        nonisolated(unsafe) let output = base
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let start = w * chunk
            let end = min(paths.count, start + chunk)
            guard start < end else { return }
            for i in start..<end { output[i] = FileSystem.list(paths[i]) }
        }
        return Array(results)
    }
}

private enum RulesCache {
    static func isVideo(_ name: String, _ extensions: Set<String>) -> Bool {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
        return extensions.contains(name[name.index(after: dot)...].lowercased())
    }
}

extension LibraryIndex {
    enum Match { case found(MediaFolder), notFound, ambiguous([MediaFolder]) }

    /// The movie folder of a mapping: by TMDB/IMDb id tag in the folder name when present, else by
    /// title (forgiving `:` vs `-` and case) and year.
    func movie(_ ref: MovieRef) -> Match {
        if let tmdb = ref.tmdb, let hit = movies.first(where: { $0.name.tmdb == tmdb }) { return .found(hit) }
        if let imdb = ref.imdb, let hit = movies.first(where: { $0.name.imdb == imdb }) { return .found(hit) }
        let wanted = FolderName(parsing: ref.title)
        let year = ref.year ?? wanted.year
        var candidates = (moviesByKey[wanted.key] ?? []).map { movies[$0] }
        if let year { candidates = candidates.filter { $0.name.year == nil || $0.name.year == year } }
        if candidates.count > 1 {
            // Prefer folders that hold a video, then exact year matches.
            let withVideo = candidates.filter { !$0.videos.isEmpty }
            if !withVideo.isEmpty { candidates = withVideo }
            if let year, candidates.count > 1 {
                let exact = candidates.filter { $0.name.year == year }
                if !exact.isEmpty { candidates = exact }
            }
        }
        return Self.pick(candidates)
    }

    /// The show folder of a mapping: by TVDB id tag when present, else by title; a year in the title
    /// (`Doctor Who (2005)`) picks between shows of the same name.
    func show(_ ref: ShowRef) -> Match {
        if let tvdb = ref.tvdb, let hit = shows.first(where: { $0.name.tvdb == tvdb }) { return .found(hit) }
        let wanted = FolderName(parsing: ref.title)
        var candidates = (showsByKey[wanted.key] ?? []).map { shows[$0] }
        if let year = wanted.year { candidates = candidates.filter { $0.name.year == nil || $0.name.year == year } }
        if candidates.count > 1 {
            let media = candidates.filter { !$0.videos.isEmpty || $0.folders.contains { LibraryRules.season(ofFolder: $0) != nil } }
            if !media.isEmpty { candidates = media }
        }
        return Self.pick(candidates)
    }

    private static func pick(_ candidates: [MediaFolder]) -> Match {
        switch candidates.count {
        case 0: .notFound
        case 1: .found(candidates[0])
        default: .ambiguous(candidates)
        }
    }
}
