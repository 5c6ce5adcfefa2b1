import Foundation
import UsherCore

/// Filesystem mode's shortest run: nothing to do, told without reading the mapping file's YAML or resolving a
/// mapping.
///
/// A run that ended clean (every mapping linked, no conflict, no error, every resolution kept in the
/// `ResolutionMemo`) keeps a record: a digest of its inputs (the mapping file's text, the settings, the folders'
/// config and Usher's version) and the generation of the links table it left. The next run takes the short way when all
/// of this still holds, and otherwise the usual one:
/// - the mapping file's text and the settings give the same digest, and the text had no tag reading a value from
///   outside it (`!env_var`, `!secret`, `!file`, `!cmd`: then no record is kept);
/// - the ledger holds the same links (no link row changed since: `Ledger.linksGeneration`), none of them left
///   pending by an interrupted run;
/// - the folders the last scan read have not changed (`FolderMemo`) and the daily full scan is not due;
/// - every kept resolution's movie, show and season folders have the times they had;
/// - every link is still Usher's (`lstat`: the same inode, or the same symlink text) and every source is there
///   with the size the ledger has (and, for a hardlink, the link's inode).
///
/// That is the same evidence the usual run's kept resolutions rest on, checked for all mappings at once. Any
/// usual run that may change something forgets the record first, so a run that stops half-way leaves none.
struct SettledRun {
    struct Record: Sendable, Equatable {
        var inputs: String
        /// The links table's generation (`Ledger.linksGeneration`) when the record was made: any change of a link
        /// row since then moved it.
        var generation: Int64
        var mappings: Int
        /// API mode: what Sonarr said that the links rest on (`SettledRun.Services`, as JSON); `nil` in filesystem mode.
        var services: String? = nil
    }

    /// A kept resolution's folders (movie, show, season) and their times.
    struct Folders: Sendable {
        var paths: (String, String, String)
        var times: (Int64, Int64, Int64)
    }

    /// A link as the ledger holds it (not pending), with its mapping's kept resolution's folders in filesystem mode.
    struct Link: Sendable {
        var target: String
        var source: String
        var identity: LinkIdentity
        var size: Int64
        var mappingKey: String
        var show: String
        var folders: Folders?
        var targetDevice: UInt64?
    }

    /// What the check reads of the ledger, at one moment.
    struct Links: Sendable {
        var links: [Link]
        /// Filesystem mode: how many resolutions are kept (one per link when settled); `nil` in API mode.
        var keptResolutions: Int?
        var generation: Int64
    }

    /// The digest of what decides the links besides the folders: the mapping file's text, the resolution
    /// settings (naming, link kind, roots, Usher's version) and the folder scan's settings.
    static func inputs(mappingText: String, config: UsherConfig) -> String {
        var digest = ResolutionMemo.Digest(0)
        digest.add("settled 1", ResolutionMemo.settings(config), FolderMemo.fingerprint(config), config.mappingsFile, mappingText)
        return String(digest.value, radix: 16)
    }

    /// The links, as the usual run would find them all unchanged; `nil` (with the reason) when one thing differs.
    static func unchanged(_ ledger: Links, record: Record, config: UsherConfig) -> Result<[WantedLink], Refusal> {
        guard ledger.generation == record.generation else { return .failure(Refusal("the ledger changed")) }
        guard ledger.links.count == record.mappings else { return .failure(Refusal("the links are not one per mapping")) }
        if let kept = ledger.keptResolutions, kept != record.mappings { return .failure(Refusal("the kept resolutions are not one per link")) }
        let times = ResolutionMemo.Times()
        let checked = ledger.links.parallelMap(threshold: 256) { link -> Result<WantedLink, Refusal> in
            if let folders = link.folders {
                if times.of(folders.paths.0) != folders.times.0 { return .failure(Refusal("\(folders.paths.0) changed")) }
                if times.of(folders.paths.1) != folders.times.1 { return .failure(Refusal("\(folders.paths.1) changed")) }
                if times.of(folders.paths.2) != folders.times.2 { return .failure(Refusal("\(folders.paths.2) changed")) }
            }
            guard case let .file(device, inode, size, _) = FileSystem.observe(link.source), size == link.size else {
                return .failure(Refusal("\(link.source) changed"))
            }
            let wanted = WantedLink(
                target: link.target, source: SourceFile(path: link.source, device: device, inode: inode, size: size),
                kind: link.identity.kind, symlinkTarget: config.symlinkTarget, mappingKey: link.mappingKey,
                mappingLabel: link.mappingKey, show: link.show, targetDevice: link.targetDevice)
            guard wanted.identity == link.identity, FileSystem.observe(link.target).matches(link.identity) else {
                return .failure(Refusal("\(link.target) changed"))
            }
            return .success(wanted)
        }
        var unchanged: [WantedLink] = []
        unchanged.reserveCapacity(ledger.links.count)
        for result in checked {
            switch result {
            case .success(let wanted): unchanged.append(wanted)
            case .failure(let refusal): return .failure(refusal)
            }
        }
        return .success(unchanged)
    }

    struct Refusal: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
