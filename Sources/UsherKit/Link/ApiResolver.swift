import Foundation
public import UsherCore

/// How one half of a mapping (its source, or its target show) is answered this run.
enum HalfLookup<Item: Sendable>: Sendable {
    /// Found in Radarr or Sonarr.
    case api(Item)
    /// Not a service's to answer: looked up in the library folders.
    case filesystem
    /// Cannot be decided this run; its links stay.
    case keep(String)
    /// Gone from the service that had it; its links go.
    case gone(String)
}

/// A reason, as an error value.
struct Message: Error { var text: String }

/// A mapping's source as a service knows it.
enum SourceItem: Sendable {
    case movie(CatalogMovie)
    case episodes(CatalogSeries)
}

/// A target episode Sonarr already holds as its own file, while the mapping would link the movie there.
public struct EpisodeDuplicate: Sendable {
    public var mappingLabel: String
    public var mappingKey: String
    public var series: CatalogSeries
    public var episodes: [EpisodeNumber]
    /// Sonarr's file for the episode.
    public var episodeFile: CatalogFile
    public var episodeFileBytes: Int64
    /// Bytes deleting it would free (0 when it is another name of the movie's file).
    public var freeableBytes: Int64
    public var sameFileAsMovie: Bool
    public var sourcePath: String
    public var sourceBytes: Int64
    public var sourceQuality: Quality?
    /// What would be linked in its place.
    public var link: WantedLink
}

/// Resolves mappings through Sonarr and Radarr (API mode), falling back to the library folders for
/// mappings a service does not know and that carry no id.
struct ApiResolver {
    var config: UsherConfig
    var snapshot: ArrSnapshot
    var usesSonarr: Bool
    var usesRadarr: Bool

    struct Lookup: Sendable {
        var mapping: LinkMapping
        var source: HalfLookup<SourceItem>
        var target: HalfLookup<CatalogSeries>

        var needsFilesystem: Bool {
            if case .filesystem = source { return true }
            if case .filesystem = target { return true }
            return false
        }
    }

    func lookup(_ mappings: [LinkMapping]) -> [Lookup] {
        mappings.map { Lookup(mapping: $0, source: source($0), target: series($0.show)) }
    }

    private func source(_ mapping: LinkMapping) -> HalfLookup<SourceItem> {
        switch mapping.source {
        case .movie(let ref):
            guard usesRadarr || ref.radarr != nil else { return .filesystem }
            switch snapshot.movies.find(ref, pin: ref.radarr) {
            case .found(let movie):
                return movie.file == nil ? .keep("radarr \(movie.instance) has no file for \(movie.title) yet") : .api(.movie(movie))
            case .absent(let why):
                return ref.tmdb != nil || ref.imdb != nil || ref.radarr != nil ? .gone("\(ref.label) is \(why)") : .filesystem
            case .unknown(let why):
                return .keep(why)
            case .ambiguous(let movies):
                return .keep(
                    "several movies match in radarr \(movies[0].instance): \(movies.map { "\($0.title) (id \($0.id))" }.joined(separator: ", ")); add a tmdb id"
                )
            }
        case .episode(let show, _):
            switch series(show) {
            case .api(let s): return .api(.episodes(s))
            case .filesystem: return .filesystem
            case .keep(let why): return .keep(why)
            case .gone(let why): return .gone(why)
            }
        }
    }

    private func series(_ show: ShowRef) -> HalfLookup<CatalogSeries> {
        guard usesSonarr || show.sonarr != nil else { return .filesystem }
        switch snapshot.series.find(show, pin: show.sonarr) {
        case .found(let s): return .api(s)
        case .absent(let why): return show.tvdb != nil || show.sonarr != nil ? .gone("\(show.title) is \(why)") : .filesystem
        case .unknown(let why): return .keep(why)
        case .ambiguous(let list):
            return .keep(
                "several series match '\(show.title)' in sonarr \(list[0].instance): \(list.map { "\($0.title) (tvdb \($0.tvdb.map(String.init) ?? "?"))" }.joined(separator: ", ")); add a tvdb id"
            )
        }
    }

    /// The series whose episodes the lookups need, with the seasons they need.
    static func neededSeries(_ lookups: [Lookup]) -> [SeriesKey: Set<Int>] {
        var needed: [SeriesKey: Set<Int>] = [:]
        for lookup in lookups {
            if case .api(let s) = lookup.target { needed[s.key, default: []].formUnion(lookup.mapping.episodes.map(\.season)) }
            if case .api(.episodes(let s)) = lookup.source, case .episode(_, let episodes) = lookup.mapping.source {
                needed[s.key, default: []].formUnion(episodes.map(\.season))
            }
        }
        return needed
    }

    struct Result {
        var wanted: [WantedLink] = []
        /// Mappings not resolved this run: their links stay.
        var problems: [MappingProblem] = []
        /// Mappings whose movie or series is gone: their links go.
        var gone: [MappingProblem] = []
        var targets: [String: TargetSpec] = [:]
        var sources: [String: SourceSpec] = [:]
        var duplicates: [EpisodeDuplicate] = []
    }

    func resolve(_ lookups: [Lookup], filesystem: FilesystemResolver?, ledgerTargets: Set<String>) -> Result {
        var result = Result()
        let mappings = lookups.map(\.mapping)
        let conflicting = MappingValidation.conflictingClaims(mappings)
        result.problems = conflicting
        let failed = Set(conflicting.map(\.mappingKey))
        let localNamer = EpisodeNamer(scheme: config.naming)
        var namers: [String: EpisodeNamer] = [:]
        var folders: [String: String] = [:]
        let assembler = LinkAssembler(config: config)
        var halves: [(LinkMapping, SourceSpec, TargetSpec)] = []

        for lookup in lookups where !failed.contains(lookup.mapping.key) {
            let mapping = lookup.mapping
            func keep(_ message: String) { result.problems.append(MappingProblem(mapping: mapping, message: message)) }
            // Unknown wins over gone: nothing is removed on a half-answered question.
            if case .keep(let why) = lookup.source { keep(why); continue }
            if case .keep(let why) = lookup.target { keep(why); continue }
            if case .gone(let why) = lookup.source { result.gone.append(MappingProblem(mapping: mapping, message: why)); continue }
            if case .gone(let why) = lookup.target { result.gone.append(MappingProblem(mapping: mapping, message: why)); continue }

            let target: TargetSpec
            switch lookup.target {
            case .api(let s):
                switch apiTarget(mapping, s, namers: &namers, folders: &folders) {
                case .success(let spec): target = spec
                case .failure(let problem): result.problems.append(problem); continue
                }
            default:
                guard let filesystem else { keep("the library folders were not read"); continue }
                switch filesystem.target(for: mapping, namer: localNamer) {
                case .success(let spec): target = spec
                case .failure(let problem): result.problems.append(problem); continue
                }
            }
            let source: SourceSpec
            switch lookup.source {
            case .api(.movie(let movie)):
                let file = movie.file!
                source = SourceSpec(
                    path: file.path, quality: file.quality, releaseGroup: file.releaseGroup, movie: MovieKey(instance: movie.instance, id: movie.id),
                    fromService: true)
            case .api(.episodes(let s)):
                guard case .episode(_, let numbers) = mapping.source else { continue }
                switch episodeSource(s, numbers) {
                case .success(let spec): source = spec
                case .failure(let message): keep(message.text); continue
                }
            default:
                guard let filesystem else { keep("the library folders were not read"); continue }
                switch filesystem.source(for: mapping) {
                case .success(let spec): source = spec
                case .failure(let problem): result.problems.append(problem); continue
                }
            }
            halves.append((mapping, source, target))
        }
        // Reading each source (`stat`), rendering each name and looking at Sonarr's own files are
        // independent: spread them over the cores.
        enum Made: Sendable { case link(WantedLink), duplicate(EpisodeDuplicate), problem(MappingProblem) }
        let made = halves.parallelMap(threshold: 64) { (mapping, source, target) -> Made in
            switch assembler.link(mapping, source, target) {
            case .failure(let problem): return .problem(problem)
            case .success(let link):
                if let duplicate = duplicate(of: link, mapping: mapping, target: target, source: source, ledgerTargets: ledgerTargets) {
                    return .duplicate(duplicate)
                }
                return .link(link)
            }
        }
        for ((mapping, source, target), outcome) in zip(halves, made) {
            switch outcome {
            case .problem(let problem):
                result.problems.append(problem)
            case .duplicate(let duplicate):
                result.duplicates.append(duplicate)
                let quality = duplicate.episodeFile.quality?.full ?? "unknown quality"
                result.problems.append(
                    MappingProblem(
                        mapping: mapping,
                        message:
                            "sonarr \(duplicate.series.instance) already has its own file for \(EpisodeSpec.format(mapping.episodes)): \(duplicate.episodeFile.path) (\(quality)); `usher dedupe` shows it and can replace it with a link"
                    ))
            case .link(let link):
                result.wanted.append(link)
                result.targets[mapping.key] = target
                result.sources[mapping.key] = source
            }
        }
        return result
    }

    private func apiTarget(
        _ mapping: LinkMapping, _ s: CatalogSeries, namers: inout [String: EpisodeNamer], folders: inout [String: String]
    ) -> Swift.Result<TargetSpec, MappingProblem> {
        func problem(_ message: String) -> Swift.Result<TargetSpec, MappingProblem> { .failure(MappingProblem(mapping: mapping, message: message)) }
        if let failure = snapshot.seriesFailures[s.key] { return problem("could not read the episodes of \(s.label): \(failure)") }
        guard let all = snapshot.episodes[s.key], let naming = snapshot.naming[s.instance] else {
            return problem("the episodes of \(s.label) were not read")
        }
        var episodes: [CatalogEpisode] = []
        for number in mapping.episodes {
            guard let episode = all.first(where: { $0.number == number }) else {
                return problem("sonarr \(s.instance) has no \(number) in \(s.title) (refresh the series in Sonarr, or fix the mapping)")
            }
            episodes.append(episode)
        }
        // With library folders configured, Usher writes only under them; without, where Sonarr keeps the series.
        guard config.showRoots.isEmpty || config.showRoots.contains(where: { PathTranslator.isPrefix($0.path, of: s.path) }) else {
            return problem(
                "sonarr \(s.instance) keeps \(s.title) in \(s.path), which is not under library.shows (\(config.showRoots.map(\.path).joined(separator: ", "))); add a 'paths:' mapping if Sonarr sees the disk under another path"
            )
        }
        let absolute = episodes.allSatisfy { $0.absolute != nil } ? episodes.compactMap(\.absolute) : nil
        let namerKey = "\(s.instance)|\(s.seriesType)|\(absolute != nil)"
        let namer = namers[namerKey] ?? EpisodeNamer(scheme: naming.namingScheme(seriesType: s.seriesType, hasAbsoluteNumbers: absolute != nil))
        namers[namerKey] = namer
        let season = mapping.episodes[0].season
        var directory = s.path
        if s.seasonFolders {
            // Named once per series and season: many mappings share a season folder.
            let folderKey = "\(namerKey)|\(s.key)|\(season)"
            let folder = folders[folderKey] ?? namer.seasonFolder(season: season, seriesTitle: s.title, seriesYear: s.year)
            folders[folderKey] = folder
            directory = Paths.join(s.path, folder)
        }
        var titles = episodes.compactMap { $0.title?.isEmpty == false ? $0.title : nil }
        if titles.isEmpty, let title = mapping.title { titles = [title] }
        return .success(
            TargetSpec(
                showFolder: s.path, directory: directory, namer: namer, seriesTitle: s.title, seriesYear: s.year, tvdb: s.tvdb,
                episodeTitles: titles, absoluteNumbers: absolute, series: s.key, episodes: episodes))
    }

    private func episodeSource(_ s: CatalogSeries, _ numbers: [EpisodeNumber]) -> Swift.Result<SourceSpec, Message> {
        if let failure = snapshot.seriesFailures[s.key] { return .failure(Message(text: "could not read the episodes of \(s.label): \(failure)")) }
        guard let all = snapshot.episodes[s.key] else { return .failure(Message(text: "the episodes of \(s.label) were not read")) }
        let fileIDs = Set(numbers.map { n in all.first { $0.number == n }?.fileID })
        guard fileIDs.count == 1, let id = fileIDs.first ?? nil, let file = snapshot.episodeFiles[s.key]?[id] else {
            return .failure(Message(text: "sonarr \(s.instance) has no single file holding \(EpisodeSpec.format(numbers)) of \(s.title)"))
        }
        return .success(SourceSpec(path: file.path, quality: file.quality, releaseGroup: file.releaseGroup, fromService: true))
    }

    /// Sonarr holds a file of its own for a target episode: not the link, not a link Usher made.
    private func duplicate(of link: WantedLink, mapping: LinkMapping, target: TargetSpec, source: SourceSpec, ledgerTargets: Set<String>) -> EpisodeDuplicate? {
        guard let key = target.series, let s = snapshot.series.byKey[key] else { return nil }
        for episode in target.episodes {
            guard let id = episode.fileID, let file = snapshot.episodeFiles[key]?[id] else { continue }
            if file.path == link.target || ledgerTargets.contains(file.path) { continue }
            // A record of a file that is no longer there is Sonarr's to forget on its next scan.
            guard let status = FileSystem.status(file.path), status.isRegular else { continue }
            let same = status.device == link.source.device && status.inode == link.source.inode
            return EpisodeDuplicate(
                mappingLabel: mapping.labelWithLocation, mappingKey: mapping.key, series: s, episodes: mapping.episodes,
                episodeFile: file, episodeFileBytes: status.size, freeableBytes: same || status.links > 1 ? 0 : status.size,
                sameFileAsMovie: same, sourcePath: link.source.path, sourceBytes: link.source.size, sourceQuality: source.quality,
                link: link)
        }
        return nil
    }
}
