import Foundation
import UsherCore

/// Turns mappings into wanted links by looking in the library folders (filesystem mode).
struct FilesystemResolver {
    var index: LibraryIndex
    var config: UsherConfig

    struct Result {
        var wanted: [WantedLink] = []
        var problems: [MappingProblem] = []
    }

    func resolve(_ mappings: [LinkMapping]) -> Result {
        var result = Result()
        let conflicting = MappingValidation.conflictingClaims(mappings)
        result.problems = conflicting
        let failed = Set(conflicting.map(\.mappingKey))
        let namer = EpisodeNamer(scheme: config.naming)
        for mapping in mappings where !failed.contains(mapping.key) {
            switch resolve(mapping, namer: namer) {
            case .success(let link): result.wanted.append(link)
            case .failure(let problem): result.problems.append(problem)
            }
        }
        return result
    }

    private func resolve(_ mapping: LinkMapping, namer: EpisodeNamer) -> Swift.Result<WantedLink, MappingProblem> {
        func problem(_ message: String) -> Swift.Result<WantedLink, MappingProblem> {
            .failure(MappingProblem(mapping: mapping, message: message))
        }
        let showFolder: MediaFolder
        switch index.show(mapping.show) {
        case .found(let folder): showFolder = folder
        case .notFound: return problem("no show folder matches '\(mapping.show.title)' in \(config.showRoots.map(\.path).joined(separator: ", "))")
        case .ambiguous(let folders): return problem("several show folders match '\(mapping.show.title)': \(folders.map(\.path).joined(separator: ", ")) (add the year to the show title or a tvdb id)")
        }

        let sourcePath: String
        let sourceSize: Int64
        switch mapping.source {
        case .movie(let ref):
            switch index.movie(ref) {
            case .notFound:
                return problem("no movie folder matches '\(ref.label)' in \(config.movieRoots.map(\.path).joined(separator: ", "))")
            case .ambiguous(let folders):
                return problem("several movie folders match '\(ref.label)': \(folders.map(\.path).joined(separator: ", ")) (add the year or a tmdb id)")
            case .found(let folder):
                guard let main = mainVideo(of: folder) else { return problem("no video file in \(folder.path)") }
                (sourcePath, sourceSize) = main
            }
        case .episode(let fromShow, let episodes):
            let folder: MediaFolder
            switch index.show(fromShow) {
            case .found(let found): folder = found
            case .notFound: return problem("no show folder matches '\(fromShow.title)'")
            case .ambiguous(let folders): return problem("several show folders match '\(fromShow.title)': \(folders.map(\.path).joined(separator: ", "))")
            }
            guard let file = episodeFile(episodes, in: folder) else {
                return problem("no file for \(EpisodeSpec.format(episodes)) in \(folder.path)")
            }
            (sourcePath, sourceSize) = file
        }
        guard let status = FileSystem.status(sourcePath), status.isRegular else {
            return problem("cannot read \(sourcePath)")
        }
        _ = sourceSize
        let source = SourceFile(path: sourcePath, device: status.device, inode: status.inode, size: status.size)
        let season = mapping.episodes[0].season
        let configured = namer.seasonFolder(season: season, seriesTitle: mapping.show.title, seriesYear: showFolder.name.year)
        let seasonName = LibraryRules.seasonFolder(season: season, existing: showFolder.folders, configured: configured)
        let fileName = Paths.lastComponent(sourcePath)
        let (base, ext) = Paths.splitExtension(fileName)
        let name = namer.fileName(for: EpisodeNameInput(
            seriesTitle: mapping.show.title, seriesYear: showFolder.name.year, episodes: mapping.episodes,
            episodeTitles: mapping.title.map { [$0] } ?? [], quality: Quality.parse(fileName: fileName),
            originalFileName: base, tvdbID: mapping.show.tvdb ?? showFolder.name.tvdb), extension: ext)
        let directory = Paths.join(showFolder.path, seasonName)
        let target = Paths.join(directory, name)
        if target == sourcePath { return problem("the link would be the source file itself: \(target)") }
        return .success(WantedLink(
            target: target, source: source, kind: config.linkKind, symlinkTarget: config.symlinkTarget,
            mappingKey: mapping.key, mappingLabel: mapping.labelWithLocation, show: mapping.show.title,
            targetDevice: FileSystem.device(ofNearestExisting: directory)))
    }

    /// The largest video of a movie folder, its non-extras sub-folders included.
    private func mainVideo(of folder: MediaFolder) -> (String, Int64)? {
        var files: [(path: String, size: Int64)] = []
        for name in folder.videos {
            let path = Paths.join(folder.path, name)
            if let st = FileSystem.status(path), st.isRegular { files.append((path, st.size)) }
        }
        for sub in folder.folders where !LibraryRules.isExtrasFolder(sub) && LibraryRules.season(ofFolder: sub) == nil {
            let dir = Paths.join(folder.path, sub)
            for entry in FileSystem.list(dir) ?? [] where entry.type != .directory && LibraryRules.isVideo(entry.name, extensions: config.videoExtensions) {
                let path = Paths.join(dir, entry.name)
                if let st = FileSystem.status(path), st.isRegular { files.append((path, st.size)) }
            }
        }
        return LibraryRules.mainFile(files).map { ($0.path, $0.size) }
    }

    /// The file of a show that holds exactly these episodes (else one that holds them all).
    private func episodeFile(_ episodes: [EpisodeNumber], in folder: MediaFolder) -> (String, Int64)? {
        let season = episodes[0].season
        var dirs = folder.folders.filter { LibraryRules.season(ofFolder: $0) == season }.map { Paths.join(folder.path, $0) }
        dirs.append(folder.path)
        var exact: [(path: String, size: Int64)] = []
        var containing: [(path: String, size: Int64)] = []
        for dir in dirs {
            for entry in FileSystem.list(dir) ?? [] where entry.type != .directory && LibraryRules.isVideo(entry.name, extensions: config.videoExtensions) {
                let codes = EpisodeNumber.codes(inFileName: entry.name)
                guard Set(episodes).isSubset(of: codes) else { continue }
                let path = Paths.join(dir, entry.name)
                guard let st = FileSystem.status(path), st.isRegular else { continue }
                if codes.count == episodes.count { exact.append((path, st.size)) } else { containing.append((path, st.size)) }
            }
        }
        return (LibraryRules.mainFile(exact) ?? LibraryRules.mainFile(containing)).map { ($0.path, $0.size) }
    }
}
