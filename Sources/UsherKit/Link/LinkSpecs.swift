import Foundation
import UsherCore

/// Where a link's bytes come from.
struct SourceSpec: Sendable {
    var path: String
    /// From Radarr or Sonarr; else read from the file name.
    var quality: Quality?
    var releaseGroup: String?
    /// The Radarr movie, in API mode.
    var movie: MovieKey?
    /// Whether a service named the file (else the library folders did).
    var fromService = false
    /// Filesystem mode: the movie folder the file was chosen in.
    var folder: String?
}

/// Where a link goes and how it is named.
struct TargetSpec: Sendable {
    var showFolder: String
    var directory: String
    var namer: EpisodeNamer
    var seriesTitle: String
    var seriesYear: Int?
    var tvdb: Int?
    var episodeTitles: [String]
    var absoluteNumbers: [Int]?
    /// The Sonarr series and its target episodes, in API mode.
    var series: SeriesKey?
    var episodes: [CatalogEpisode] = []
}
