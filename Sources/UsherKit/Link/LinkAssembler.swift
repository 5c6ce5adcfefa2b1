import Foundation
import Synchronization
import UsherCore

/// Makes the wanted link from its two halves: reads the source's identity and renders the name.
struct LinkAssembler {
    var config: UsherConfig
    /// The show roots with their symlinks followed.
    private let roots: [String]
    /// Folders already resolved this run: thousands of links share a few hundred folders.
    private let folders = FolderFacts()

    init(config: UsherConfig) {
        self.config = config
        roots = config.showRoots.map { FileSystem.resolved($0.path) }
    }

    /// Links are written only inside the show roots or the show folder itself (the one a service
    /// names, or the scan found): a season folder that is a symlink leading elsewhere is refused.
    func outside(_ target: TargetSpec) -> String? {
        let directory = folders.facts(of: target.directory).resolved
        let allowed = roots + [folders.facts(of: target.showFolder).resolved]
        if allowed.contains(where: { PathTranslator.isPrefix($0, of: directory) }) { return nil }
        return directory
    }

    func link(_ mapping: LinkMapping, _ source: SourceSpec, _ target: TargetSpec) -> Swift.Result<WantedLink, MappingProblem> {
        if let real = outside(target) {
            return .failure(
                MappingProblem(
                    mapping: mapping,
                    message:
                        "\(target.directory) leads outside the library, to \(real) (a symlink on the way); Usher writes links only inside library.shows or the show's own folder"
                ))
        }
        guard let status = FileSystem.status(source.path), status.isRegular else {
            let hint =
                source.fromService
                ? " (the path as Radarr or Sonarr reports it, translated by 'paths:'; add a 'paths:' entry if they see the disk under another path)" : ""
            return .failure(MappingProblem(mapping: mapping, message: "cannot read \(source.path)\(hint)"))
        }
        let file = SourceFile(path: source.path, device: status.device, inode: status.inode, size: status.size)
        let fileName = Paths.lastComponent(source.path)
        let (base, ext) = Paths.splitExtension(fileName)
        let input = EpisodeNameInput(
            seriesTitle: target.seriesTitle, seriesYear: target.seriesYear, episodes: mapping.episodes,
            episodeTitles: target.episodeTitles, absoluteNumbers: target.absoluteNumbers,
            quality: source.quality ?? Quality.parse(fileName: fileName), releaseGroup: source.releaseGroup,
            originalFileName: base, tvdbID: target.tvdb)
        guard let name = target.namer.fileName(for: input, extension: ext) else {
            return .failure(
                MappingProblem(
                    mapping: mapping,
                    message:
                        "the episode's file name would be longer than \(target.namer.scheme.maxFileNameBytes) bytes even without its episode title: \(target.namer.baseName(for: input).prefix(80))… (a shorter episode format in Sonarr, or fewer episodes in one file)"
                ))
        }
        let path = Paths.join(target.directory, name)
        if path == source.path { return .failure(MappingProblem(mapping: mapping, message: "the link would be the source file itself: \(path)")) }
        return .success(
            WantedLink(
                target: path, source: file, kind: config.linkKind, symlinkTarget: config.symlinkTarget,
                mappingKey: mapping.key, mappingLabel: mapping.labelWithLocation, show: mapping.show.title,
                targetDevice: folders.facts(of: target.directory).device))
    }
}

/// A folder's real path (symlinks followed) and device, looked up once per run and shared by the threads
/// that assemble links.
final class FolderFacts: Sendable {
    private let known = Mutex<[String: (resolved: String, device: UInt64?)]>([:])

    func facts(of folder: String) -> (resolved: String, device: UInt64?) {
        if let hit = known.withLock({ $0[folder] }) { return hit }
        let facts = (FileSystem.resolved(folder), FileSystem.device(ofNearestExisting: folder))
        known.withLock { $0[folder] = facts }
        return facts
    }
}
