import Foundation
import Testing
import UsherCore

@testable import UsherKit

/// The one mapping from Sonarr's and Radarr's records to core values: every job reads "unknown" alike.
@Suite("Sonarr and Radarr records as core values")
struct ArrToCoreTests {
    @Test func zeroIdsAndYearsAreUnknownForEveryJob() {
        let series = SonarrSeries(
            id: 3, title: "Show", path: "/tv/Show", tvdbId: 0, year: 0, tags: [2],
            alternateTitles: [SonarrAlternateTitle(title: ""), SonarrAlternateTitle(title: "Alt")])
        let prefetch = series.prefetchSeries(instance: "main")
        let match = series.matchSeries(instance: "main", episodes: [])
        let catalog = series.catalogSeries(instance: "main", PathTranslator([]))
        #expect(prefetch.tvdb == nil && prefetch.year == nil && prefetch.alternateTitles == ["Alt"] && prefetch.tags == [2])
        #expect(match.tvdb == nil && match.year == nil && match.alternateTitles == ["Alt"])
        #expect(catalog?.tvdb == nil && catalog?.year == nil)
        #expect(SonarrSeries(id: 4, title: "No folder").catalogSeries(instance: "main", PathTranslator([])) == nil)

        let movie = RadarrMovie(id: 5, title: "Film", year: 0, tmdbId: 0, imdbId: "", runtime: 0, collection: RadarrCollection(title: ""))
        let m = movie.matchMovie(instance: "main")
        let c = movie.catalogMovie(instance: "main", PathTranslator([]))
        #expect(m.year == nil && m.tmdb == nil && m.imdb == nil && m.runtime == nil && m.collection == nil)
        #expect(c.year == nil && c.tmdb == nil && c.imdb == nil)
        #expect(m.releaseDates.isEmpty)
    }

    /// The days a film came out, for the matcher: Radarr's cinema, physical and digital releases, each as `YYYY-MM-DD`;
    /// a missing or short one is none.
    @Test func releaseDaysForTheMatcher() throws {
        let json = #"[{"id": 1, "title": "Film", "inCinemas": "1986-03-15T00:00:00Z", "physicalRelease": "", "digitalRelease": "1987-01-02T00:00:00Z"}]"#
        let slow = try JSONDecoder().decode([RadarrMovie].self, from: Data(json.utf8))
        #expect(RadarrMovie.fastList(Data(json.utf8)) == slow)
        #expect(slow[0].matchMovie(instance: "main").releaseDates == ["1986-03-15", "1987-01-02"])
    }
}
