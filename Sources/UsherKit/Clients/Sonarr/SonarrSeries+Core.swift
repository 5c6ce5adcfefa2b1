import Foundation
import UsherCore

/// A Sonarr series as each job's core values see it: the one place where Sonarr's record becomes Usher's,
/// so every job reads "unknown" the same way (a TVDB id or year of 0 is unknown, an empty title is none).
extension SonarrSeries {
    var knownTVDB: Int? { tvdbId.flatMap { $0 > 0 ? $0 : nil } }
    var knownYear: Int? { year.flatMap { $0 > 0 ? $0 : nil } }
    var alternateTitleTexts: [String] { (alternateTitles ?? []).compactMap(\.title).filter { !$0.isEmpty } }

    /// For the linker; nil without a folder.
    func catalogSeries(instance: String, _ translator: PathTranslator) -> CatalogSeries? {
        guard let path, !path.isEmpty else { return nil }
        return CatalogSeries(
            instance: instance, id: id, title: title, year: knownYear, tvdb: knownTVDB, path: translator.toLocal(path),
            seriesType: seriesType?.lowercased() ?? "standard", seasonFolders: seasonFolder ?? true, tags: tags ?? [],
            seasonCounts: seasonCounts)
    }

    /// Each season's counts, when Sonarr gave them all (an incremental pass compares them with the kept ones).
    var seasonCounts: [Int: SeasonCounts] {
        var counts: [Int: SeasonCounts] = [:]
        for season in seasons ?? [] {
            guard let s = season.statistics, let total = s.totalEpisodeCount, let files = s.episodeFileCount, let bytes = s.sizeOnDisk else { continue }
            counts[season.seasonNumber] = SeasonCounts(episodes: total, files: files, bytes: bytes)
        }
        return counts
    }

    /// For `usher match`, with the episodes it kept.
    func matchSeries(instance: String, episodes: [MatchEpisode]) -> MatchSeries {
        MatchSeries(instance: instance, id: id, title: title, alternateTitles: alternateTitleTexts, tvdb: knownTVDB, year: knownYear, episodes: episodes)
    }

    /// For `usher prefetch`.
    func prefetchSeries(instance: String) -> PrefetchSeries {
        PrefetchSeries(
            key: SeriesKey(instance: instance, id: id), title: title, year: knownYear, tvdb: knownTVDB,
            alternateTitles: alternateTitleTexts, tags: tags ?? [])
    }
}

extension SonarrEpisode {
    /// For `usher match`.
    var matchEpisode: MatchEpisode {
        MatchEpisode(
            season: seasonNumber, episode: episodeNumber, absolute: absoluteEpisodeNumber, title: title ?? "", airDate: airDate,
            runtime: runtime.flatMap { $0 > 0 ? $0 : nil })
    }

    /// For `usher prefetch`: an episode without a file is to be had (`hasFile`, else a file id), an unknown air
    /// time is "not aired".
    var upcomingEpisode: UpcomingEpisode {
        UpcomingEpisode(
            id: id, number: EpisodeNumber(season: seasonNumber, episode: episodeNumber),
            airsAt: airDateUtc.flatMap(Self.parseTimestamp), runtimeMinutes: runtime.flatMap { $0 > 0 ? $0 : nil },
            hasFile: hasFile ?? ((episodeFileId ?? 0) != 0), monitored: monitored ?? true)
    }

    /// `2024-03-01T02:00:00Z`, with or without fractional seconds.
    static func parseTimestamp(_ text: String) -> Int64? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return Int64(date.timeIntervalSince1970) }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text).map { Int64($0.timeIntervalSince1970) }
    }
}
