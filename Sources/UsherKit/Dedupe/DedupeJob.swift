import Foundation
public import Logging
import UsherCore

public struct DedupeOptions: Sendable {
    public enum Prefer: String, Sendable, CaseIterable {
        /// Replace only when the movie's file is at least the episode file's quality.
        case better
        /// Always replace the episode file by a link to the movie.
        case movie
    }
    public var apply: Bool
    public var prefer: Prefer

    public init(apply: Bool = false, prefer: Prefer = .better) {
        self.apply = apply
        self.prefer = prefer
    }
}

/// `usher dedupe`: specials Sonarr holds as a file of their own while the mapped movie could be linked
/// there instead. Reports them; with `--apply`, deletes the episode files through Sonarr (so Sonarr
/// knows, and its recycle bin applies) and runs the linker, which links the movies in their place.
public struct DedupeJob: Sendable {
    public var config: UsherConfig
    public var logger: Logger
    /// The process's HTTP client, gate and retry policy; without one, the run makes its own and closes it.
    public var hub: ServiceHub?

    public init(config: UsherConfig, logger: Logger, hub: ServiceHub? = nil) {
        self.config = config
        self.logger = logger
        self.hub = hub
    }

    public struct Item: Sendable, Codable {
        public var mapping: String
        public var series: String
        public var episodes: String
        public var episodeFile: String
        public var episodeQuality: String?
        public var episodeBytes: Int64
        public var movieFile: String
        public var movieQuality: String?
        public var movieBytes: Int64
        /// What linking in its place frees (0 when the episode file already is another name of the movie's file).
        public var freeableBytes: Int64
        /// `report`, `replace` (with --apply: `replaced`), `keep` (the episode file is better), or `failed`.
        public var action: String
        public var reason: String
    }

    public struct Outcome: Sendable {
        public var items: [Item]
        public var applied: Bool
        /// The link run that followed the deletions.
        public var link: LinkOutcome?
        /// Services that did not answer: what they hold is unknown, so "no duplicates" cannot be said.
        public var errors: [String] = []
        public var freeableBytes: Int64 { items.filter { $0.action == "replace" || $0.action == "replaced" }.reduce(0) { $0 + $1.freeableBytes } }
        public var hasErrors: Bool { !errors.isEmpty || items.contains { $0.action == "failed" } || (link?.hasErrors ?? false) }
    }

    public func run(_ options: DedupeOptions) async throws(JobError) -> Outcome {
        if let message = config.requirementError(for: .dedupe) { throw JobError(kind: .config, message: message) }
        guard !config.sonarr.isEmpty else { throw JobError(kind: .config, message: "\(config.file): no 'sonarr:' section") }
        return try await ServiceHub.using(hub, config: config, logger: logger) { hub throws(JobError) in
            try await run(options, hub: hub)
        }
    }

    private func run(_ options: DedupeOptions, hub: ServiceHub) async throws(JobError) -> Outcome {
        let services = hub.arr(config)
        let job = LinkJob(config: config, logger: logger, hub: hub)
        let survey = try await job.run(LinkOptions(dryRun: true))
        var items: [Item] = []
        var toDelete: [(EpisodeDuplicate, Int)] = []
        for duplicate in survey.duplicates {
            let better = duplicate.sourceQuality?.isAtLeast(duplicate.episodeFile.quality) ?? (duplicate.episodeFile.quality == nil)
            let replace = options.prefer == .movie || better || duplicate.sameFileAsMovie
            let item = Item(
                mapping: duplicate.mappingLabel, series: duplicate.series.label, episodes: EpisodeSpec.format(duplicate.episodes),
                episodeFile: duplicate.episodeFile.path, episodeQuality: duplicate.episodeFile.quality?.full, episodeBytes: duplicate.episodeFileBytes,
                movieFile: duplicate.sourcePath, movieQuality: duplicate.sourceQuality?.full, movieBytes: duplicate.sourceBytes,
                freeableBytes: duplicate.freeableBytes,
                action: replace ? "replace" : "keep",
                reason: duplicate.sameFileAsMovie
                    ? "the episode file already is another name of the movie's file"
                    : replace
                        ? (better ? "the movie is at least as good" : "--prefer movie")
                        : "the episode file is better than the movie; --prefer movie replaces it anyway")
            if replace, options.apply { toDelete.append((duplicate, items.count)) }
            items.append(item)
        }
        guard options.apply, !toDelete.isEmpty else { return Outcome(items: items, applied: false, link: nil, errors: survey.unanswered) }
        for (duplicate, index) in toDelete {
            guard let client = services.sonarr(duplicate.series.instance) else { continue }
            do {
                try await client.deleteEpisodeFile(id: duplicate.episodeFile.id)
                items[index].action = "replaced"
                logger.info("deleted through sonarr \(duplicate.series.instance): \(duplicate.episodeFile.path)")
            } catch {
                items[index].action = "failed"
                items[index].reason = "sonarr did not delete it: \(error)"
            }
        }
        // The deleted episodes are free now: the linker links the movies there (and tells Sonarr and Plex).
        let link = try await job.run(LinkOptions())
        return Outcome(items: items, applied: true, link: link, errors: survey.unanswered)
    }
}

/// The result of `usher dedupe`.
public struct DedupeReport: Codable, Sendable {
    public var applied: Bool
    public var duplicates: [DedupeJob.Item]
    public var freeableBytes: Int64
    public var link: LinkReport?
    /// Services that did not answer (exit code 1): duplicates they hold are not listed.
    public var errors: [String]

    public init(_ outcome: DedupeJob.Outcome) {
        applied = outcome.applied
        duplicates = outcome.items
        errors = outcome.errors
        freeableBytes = outcome.freeableBytes
        link = outcome.link.map(LinkReport.init)
    }

    public func json() -> String { encodeReport(self) }

    public func text() -> String {
        var lines: [String] = []
        for error in errors { lines.append("  error    could not ask \(error)") }
        if duplicates.isEmpty {
            lines.append(
                errors.isEmpty
                    ? "No duplicates: no mapped special has a file of its own in Sonarr."
                    : "No duplicates found among what did answer; what the services above hold is unknown.")
        }
        for d in duplicates {
            lines.append("  \(d.action.padding(toLength: 8, withPad: " ", startingAt: 0)) \(d.series) \(d.episodes)  (\(d.reason))")
            lines.append("           episode file: \(d.episodeFile)  [\(d.episodeQuality ?? "unknown quality"), \(formatBytes(d.episodeBytes))]")
            lines.append("           movie file:   \(d.movieFile)  [\(d.movieQuality ?? "unknown quality"), \(formatBytes(d.movieBytes))]")
        }
        if !duplicates.isEmpty {
            let verb = applied ? "Freed" : "Linking would free"
            lines.append("\(verb) \(formatBytes(freeableBytes)) in \(duplicates.filter { $0.action != "keep" }.count) of \(duplicates.count) duplicate(s).")
            if !applied { lines.append("Run `usher dedupe --apply` to delete those episode files through Sonarr and link the movies in their place.") }
        }
        if let link {
            lines.append("")
            lines.append(link.text())
        }
        return lines.joined(separator: "\n")
    }
}
