import Foundation
import UsherCore

/// Turns mappings into wanted links by looking in the library folders (filesystem mode).
struct FilesystemResolver {
    var index: LibraryIndex
    var config: UsherConfig

    enum Match { case found(MediaFolder, Listing), notFound, ambiguous([MediaFolder]) }

    private let cache = ListingCache()

    init(index: LibraryIndex, config: UsherConfig) {
        self.index = index
        self.config = config
    }

    /// Folder contents read during resolution, shared by the mappings of one show.
    final class ListingCache: @unchecked Sendable {
        private let lock = NSLock()
        private var listings: [String: Listing] = [:]

        func get(_ path: String, _ read: () -> Listing) -> Listing {
            if let found = lock.withLock({ listings[path] }) { return found }
            let listing = read()
            lock.withLock { listings[path] = listing }
            return listing
        }
    }

    /// Reads a folder's contents unless the scan already did.
    private func listing(_ folder: MediaFolder) -> Listing {
        if let listing = folder.listing { return listing }
        return cache.get(folder.path) {
            LibraryIndex.listing(of: folder.path, extensions: config.videoExtensions)
                ?? Listing(videos: [], folders: [], unreadable: String(cString: strerror(errno)))
        }
    }

    /// One folder among candidates; when several match, those holding media are preferred.
    private func pick(_ candidates: [MediaFolder], kind: LibraryIndex.Kind) -> Match {
        var listed = candidates.map { ($0, listing($0)) }
        if listed.count > 1 {
            let media = listed.filter { LibraryIndex.isMedia($0.1, kind: kind) }
            if !media.isEmpty { listed = media }
        }
        switch listed.count {
        case 0: return .notFound
        case 1: return .found(listed[0].0, listed[0].1)
        default: return .ambiguous(listed.map(\.0))
        }
    }

    struct Result {
        var wanted: [WantedLink] = []
        var problems: [MappingProblem] = []
        /// The resolution memo after this run: the entries reused, and the new ones that can be trusted.
        var memo = ResolutionMemo()
        /// How many mappings took their entry from the memo.
        var reused = 0
    }

    /// Resolves every mapping. With `memo`, an entry whose mapping, settings and folder times are unchanged is
    /// reused when `reuse` is set (a run that took the kept folders); `startedAt` (ns) is when the resolution
    /// began, for the new entries.
    func resolve(_ mappings: [LinkMapping], memo: ResolutionMemo? = nil, reuse: Bool = false, startedAt: Int64 = 0) -> Result {
        var result = Result()
        let conflicting = MappingValidation.conflictingClaims(mappings)
        result.problems = conflicting
        let failed = Set(conflicting.map(\.mappingKey))
        let namer = EpisodeNamer(scheme: config.naming)
        let todo = mappings.filter { !failed.contains($0.key) }
        // Each mapping is independent (stat, readdir, naming): spread them over the cores.
        let assembler = LinkAssembler(config: config)
        let settings = memo == nil ? 0 : ResolutionMemo.digest(ResolutionMemo.settings(config))
        let times = ResolutionMemo.Times()
        let outcomes = todo.parallelMap(threshold: 64) { mapping -> (Swift.Result<WantedLink, MappingProblem>, ResolutionMemo.Entry?, Bool) in
            guard let memo, case .movie = mapping.source else { return (resolve(mapping, namer: namer, assembler: assembler).map(\.0), nil, false) }
            let fingerprint = ResolutionMemo.fingerprint(mapping, settings: settings)
            if reuse, let entry = memo.entries[mapping.key], entry.fingerprint == fingerprint, entry.folders.map(times.of) == entry.times,
                let status = FileSystem.status(entry.source), status.isRegular
            {
                let file = SourceFile(path: entry.source, device: status.device, inode: status.inode, size: status.size)
                let link = WantedLink(
                    target: entry.target, source: file, kind: config.linkKind, symlinkTarget: config.symlinkTarget, mappingKey: mapping.key,
                    mappingLabel: mapping.labelWithLocation, show: mapping.show.title, targetDevice: entry.targetDevice)
                return (.success(link), entry, true)
            }
            let resolved = resolve(mapping, namer: namer, assembler: assembler)
            guard case .success(let (link, source, target)) = resolved, let folder = source.folder else { return (resolved.map(\.0), nil, false) }
            let folders = [folder, target.showFolder, target.directory]
            let folderTimes = folders.map(times.of)
            // Only folders that had not changed for 2 s when the resolution began can be trusted to show a change by their time.
            guard folderTimes.allSatisfy({ $0 < startedAt - FolderMemo.racyNanoseconds }) else { return (.success(link), nil, false) }
            let entry = ResolutionMemo.Entry(
                fingerprint: fingerprint, movieFolder: folder, showFolder: target.showFolder, directory: target.directory, times: folderTimes,
                source: link.source.path, target: link.target, targetDevice: link.targetDevice)
            return (.success(link), entry, false)
        }
        for (mapping, (outcome, entry, reused)) in zip(todo, outcomes) {
            switch outcome {
            case .success(let link): result.wanted.append(link)
            case .failure(let problem): result.problems.append(problem)
            }
            if let entry { result.memo.entries[mapping.key] = entry }
            if reused { result.reused += 1 }
        }
        return result
    }

    private func resolve(_ mapping: LinkMapping, namer: EpisodeNamer, assembler: LinkAssembler)
        -> Swift.Result<(WantedLink, SourceSpec, TargetSpec), MappingProblem>
    {
        let target: TargetSpec
        switch self.target(for: mapping, namer: namer) {
        case .success(let spec): target = spec
        case .failure(let problem): return .failure(problem)
        }
        switch source(for: mapping) {
        case .success(let source): return assembler.link(mapping, source, target).map { ($0, source, target) }
        case .failure(let problem): return .failure(problem)
        }
    }

    /// The show folder a mapping's links go into, and how they are named.
    func target(for mapping: LinkMapping, namer: EpisodeNamer) -> Swift.Result<TargetSpec, MappingProblem> {
        switch pick(index.showCandidates(mapping.show), kind: .shows) {
        case .found(let folder, let contents):
            let season = mapping.episodes[0].season
            let configured = namer.seasonFolder(season: season, seriesTitle: mapping.show.title, seriesYear: folder.name.year)
            let seasonName = LibraryRules.seasonFolder(season: season, existing: contents.folders, configured: configured)
            return .success(
                TargetSpec(
                    showFolder: folder.path, directory: Paths.join(folder.path, seasonName), namer: namer,
                    seriesTitle: mapping.show.title, seriesYear: folder.name.year, tvdb: mapping.show.tvdb ?? folder.name.tvdb,
                    episodeTitles: mapping.title.map { [$0] } ?? []))
        case .notFound:
            let place =
                config.showRoots.isEmpty ? "(no 'library: shows:' folders are configured)" : "in " + config.showRoots.map(\.path).joined(separator: ", ")
            return .failure(MappingProblem(mapping: mapping, message: "no show folder matches '\(mapping.show.title)' \(place)"))
        case .ambiguous(let folders):
            return .failure(
                MappingProblem(
                    mapping: mapping,
                    message:
                        "several show folders match '\(mapping.show.title)': \(folders.map(\.path).joined(separator: ", ")) (add the year to the show title or a tvdb id)"
                ))
        }
    }

    /// The file a mapping links to, found in the library folders.
    func source(for mapping: LinkMapping) -> Swift.Result<SourceSpec, MappingProblem> {
        func problem(_ message: String) -> Swift.Result<SourceSpec, MappingProblem> {
            .failure(MappingProblem(mapping: mapping, message: message))
        }
        switch mapping.source {
        case .movie(let ref):
            switch pick(index.movieCandidates(ref), kind: .movies) {
            case .notFound:
                let place =
                    config.movieRoots.isEmpty ? "(no 'library: movies:' folders are configured)" : "in " + config.movieRoots.map(\.path).joined(separator: ", ")
                return problem("no movie folder matches '\(ref.label)' \(place)")
            case .ambiguous(let folders):
                return problem("several movie folders match '\(ref.label)': \(folders.map(\.path).joined(separator: ", ")) (add the year or a tmdb id)")
            case .found(let folder, let contents):
                if let reason = contents.unreadable { return problem("cannot read \(folder.path): \(reason)") }
                guard let main = mainVideo(of: folder, contents) else { return problem("no video file in \(folder.path)") }
                return .success(SourceSpec(path: main, folder: folder.path))
            }
        case .episode(let fromShow, let episodes):
            let folder: MediaFolder
            let contents: Listing
            switch pick(index.showCandidates(fromShow), kind: .shows) {
            case .found(let found, let foundContents):
                folder = found
                contents = foundContents
            case .notFound: return problem("no show folder matches '\(fromShow.title)'")
            case .ambiguous(let folders): return problem("several show folders match '\(fromShow.title)': \(folders.map(\.path).joined(separator: ", "))")
            }
            if let reason = contents.unreadable { return problem("cannot read \(folder.path): \(reason)") }
            guard let file = episodeFile(episodes, in: folder, contents) else {
                return problem("no file for \(EpisodeSpec.format(episodes)) in \(folder.path)")
            }
            return .success(SourceSpec(path: file))
        }
    }

    /// The largest video of a movie folder, its non-extras sub-folders included.
    private func mainVideo(of folder: MediaFolder, _ contents: Listing) -> String? {
        var files: [(path: String, size: Int64)] = []
        for name in contents.videos {
            let path = Paths.join(folder.path, name)
            if let st = FileSystem.status(path), st.isRegular { files.append((path, st.size)) }
        }
        for sub in contents.folders where !LibraryRules.isExtrasFolder(sub) && LibraryRules.season(ofFolder: sub) == nil {
            let dir = Paths.join(folder.path, sub)
            for entry in FileSystem.list(dir) ?? [] where entry.type != .directory && LibraryRules.isVideo(entry.name, extensions: config.videoExtensions) {
                let path = Paths.join(dir, entry.name)
                if let st = FileSystem.status(path), st.isRegular { files.append((path, st.size)) }
            }
        }
        return LibraryRules.mainFile(files)?.path
    }

    /// The file of a show that holds exactly these episodes (else one that holds them all).
    private func episodeFile(_ episodes: [EpisodeNumber], in folder: MediaFolder, _ contents: Listing) -> String? {
        let season = episodes[0].season
        var dirs = contents.folders.filter { LibraryRules.season(ofFolder: $0) == season }.map { Paths.join(folder.path, $0) }
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
        return (LibraryRules.mainFile(exact) ?? LibraryRules.mainFile(containing))?.path
    }
}
