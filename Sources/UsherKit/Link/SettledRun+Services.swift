import Foundation
import UsherCore

/// API mode's shortest run: the four questions of an incremental pass (each history since the kept position,
/// Sonarr's series list and naming), and, when their answers change nothing the links rest on, no mapping file
/// read, no kept catalog read, nothing resolved or named.
///
/// A clean API-mode run (every mapping linked, no problem, conflict or error, every service answering, no step
/// to retry, no mapping looked up in the library folders) keeps, beside filesystem mode's record, what Sonarr
/// said that its links rest on (`Services`). The next run takes the short way when, besides the mapping file's
/// text, the settings and the links table (as in filesystem mode):
/// - the kept catalog would give an incremental pass (same services and Usher, trusted, daily full pass not due);
/// - no Radarr history record since the kept position may change a file (of any movie: one imported since may be
///   one a mapping waits for), and no Sonarr record may change a file of a series the mappings need;
/// - the series list says the same of every series (instance, id, title, year, tvdb id, folder, type, season
///   folders: what finds a mapping's series and names its links), the needed seasons of the needed series have
///   the same counts (episodes, files, bytes), and each instance's naming is the same;
/// - every link is still Usher's and every source is there with the size the ledger has.
///
/// That is what the incremental pass would conclude from the same answers: nothing to ask again, so the same
/// catalog, the same resolutions and the same links; and, with `tag` or `unmonitor_linked`, nothing to tag or
/// unmonitor (the clean run's steps are in the kept catalog, which is what the incremental pass compares with). As
/// in filesystem mode, the short way is off with Plex configured, with `--full` and with `--adopt`.
extension SettledRun {
    /// What Sonarr said that the links of a clean API-mode run rest on.
    struct Services: Codable, Sendable, Equatable {
        /// `seriesDigest` of the series lists and naming the run read.
        var series: String
        /// The series the mappings need, with the seasons they need.
        var needed: [Needed]

        struct Needed: Codable, Sendable, Equatable {
            var instance: String
            var id: Int
            var seasons: [Int]
        }

        init(series: String, needed: [SeriesKey: Set<Int>]) {
            self.series = series
            self.needed = needed.keys.sorted().map { Needed(instance: $0.instance, id: $0.id, seasons: needed[$0]!.sorted()) }
        }

        var neededSeasons: [SeriesKey: Set<Int>] {
            Dictionary(needed.map { (SeriesKey(instance: $0.instance, id: $0.id), Set($0.seasons)) }, uniquingKeysWith: { a, b in a.union(b) })
        }

        var text: String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
        }

        init?(text: String?) {
            guard let text, let decoded = try? JSONDecoder().decode(Services.self, from: Data(text.utf8)) else { return nil }
            self = decoded
        }
    }

    /// The digest of API mode's inputs besides Sonarr's answers: the mapping file's text, the resolution settings and
    /// the services in the config (`CatalogRefresh.fingerprint`).
    static func serviceInputs(mappingText: String, config: UsherConfig) -> String {
        var digest = ResolutionMemo.Digest(1)
        digest.add("settled api 1", ResolutionMemo.settings(config), CatalogRefresh.fingerprint(config), config.mappingsFile, mappingText)
        return String(digest.value, radix: 16)
    }

    /// A digest of what the series lists and naming say that links rest on: every series' identity, the `needed`
    /// seasons' counts and each instance's naming; `nil` when an instance did not answer, a needed series is gone or
    /// a needed season has no counts (it cannot be vouched for).
    static func seriesDigest(_ snapshot: ArrSnapshot, needed: [SeriesKey: Set<Int>]) -> String? {
        guard snapshot.series.failures.isEmpty, needed.keys.allSatisfy({ snapshot.series.byKey[$0] != nil }) else { return nil }
        var digest = ResolutionMemo.Digest(2)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for instance in snapshot.naming.keys.sorted() {
            guard let naming = try? encoder.encode(snapshot.naming[instance]!) else { return nil }
            digest.add("naming", instance, String(decoding: naming, as: UTF8.self))
        }
        for key in snapshot.series.byKey.keys.sorted() {
            let s = snapshot.series.byKey[key]!
            digest.add(
                s.instance, String(s.id), s.title, s.year.map(String.init), s.tvdb.map(String.init), s.path, s.seriesType,
                s.seasonFolders ? "folders" : "flat")
            for season in needed[key]?.sorted() ?? [] {
                guard let counts = s.seasonCounts[season] else { return nil }
                digest.add(String(season), String(counts.episodes), String(counts.files), String(counts.bytes))
            }
        }
        return String(digest.value, radix: 16)
    }

    /// Whether the histories read since the kept positions leave every link as it is (see the type's comment); the
    /// positions to keep next when they do.
    static func quiet(
        _ histories: CatalogRefresh.Histories, since cursors: [String: HistoryCursor], services: ArrServices, needed: Set<SeriesKey>
    ) -> Result<[String: HistoryCursor], Refusal> {
        switch CatalogRefresh.changes(in: histories, since: cursors, services: services) {
        case .failure(let why): return .failure(Refusal(why.text))
        case .success(let read):
            for (instance, events) in read.movieEvents where events.contains(where: \.mayChangeFiles) {
                return .failure(Refusal("radarr \(instance) imported, renamed or deleted a file since"))
            }
            if let touched = read.touchedSeries.sorted().first(where: needed.contains) {
                return .failure(Refusal("sonarr \(touched.instance) changed a file of series \(touched.id) since"))
            }
            return .success(read.cursors)
        }
    }
}
