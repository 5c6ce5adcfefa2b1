import Foundation
import Testing

@testable import UsherKit

/// The fast reader must read exactly what the `Codable` models read.
@Suite("The fast JSON reader agrees with JSONDecoder")
struct FastJSONTests {
    func agree<T: FastDecodable & Equatable>(_ type: T.Type, _ data: Data, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let slow = try JSONDecoder().decode([T].self, from: data)
        let fast = try #require(T.fastList(data), sourceLocation: sourceLocation)
        #expect(fast == slow, sourceLocation: sourceLocation)
        #expect(!fast.isEmpty, sourceLocation: sourceLocation)
    }

    @Test(.enabled(if: Contracts.isAvailable, Contracts.missingComment))
    func capturedResponses() throws {
        try agree(SonarrSeries.self, Contracts.fixture("pyarr/tests/fixtures/sonarr/series_all.json"))
        try agree(SonarrSeries.self, Contracts.fixture("home-assistant/tests/components/sonarr/fixtures/series.json"))
        try agree(SonarrEpisode.self, Contracts.fixture("pyarr/tests/fixtures/sonarr/episode_series.json"))
        try agree(SonarrEpisode.self, Contracts.fixture("pyarr/tests/fixtures/sonarr/calendar.json"))
        try agree(SonarrEpisode.self, Contracts.fixture("home-assistant/tests/components/sonarr/fixtures/episodes.json"))
        try agree(SonarrEpisodeFile.self, Contracts.fixture("pyarr/tests/fixtures/sonarr/episodefile_series.json"))
        try agree(RadarrMovie.self, Contracts.fixture("pyarr/tests/fixtures/radarr/movie_all.json"))
        try agree(RadarrMovie.self, Contracts.fixture("home-assistant/tests/components/radarr/fixtures/movies.json"))
        try agree(RadarrMovieFile.self, Contracts.fixture("pyarr/tests/fixtures/radarr/moviefiles.json"))
    }

    @Test func escapesUnicodeNumbersAndWrongTypes() throws {
        let json = #"""
             [ {"id": 1, "title": "Amélie \"Le\" \u00e9\\/\n\ud83c\udfac", "year": "1999", "tmdbId": 1.5, "hasFile": 1,
                "tags": [1, "x", 3], "path": null, "extra": {"nested": [1, {"a": "]}"}], "s": "\\"}, "sizeOnDisk": -12,
                "movieFile": {"id": 9, "size": 123456789012, "quality": {"quality": {"id": 7, "name": "Bluray-1080p"}, "revision": {"version": 2, "real": 0, "isRepack": true}},
                              "language": {"id": 1, "name": "English"}, "path": "/m/a.mkv"}},
               {"id": 2, "title": "", "movieFile": "not an object", "tmdbId": 99999999999999999999, "tags": null} ]
            """#
        try agree(RadarrMovie.self, Data(json.utf8))
        let movies = try #require(RadarrMovie.fastList(Data(json.utf8)))
        #expect(movies[0].title == "Amélie \"Le\" é\\/\n🎬")
        #expect(movies[0].tags == nil, "one bad element spoils the list, as for [Int]")
        #expect(movies[0].movieFile?.languages == [ArrLanguage(id: 1, name: "English")])
        #expect(movies[0].movieFile?.quality?.usherQuality?.full == "Bluray-1080p Proper")
    }

    /// Radarr v4+ names a collection with `title`, Radarr v3 with `name`: both are read, by both readers.
    @Test func collectionTitleOrName() throws {
        let json =
            #"[{"id": 1, "collection": {"title": "Detective Conan Collection", "tmdbId": 8354}}, {"id": 2, "collection": {"name": "Old Shape", "tmdbId": 1}}, {"id": 3, "collection": null}]"#
        try agree(RadarrMovie.self, Data(json.utf8))
        let movies = try #require(RadarrMovie.fastList(Data(json.utf8)))
        #expect(movies.map { $0.collection?.title } == ["Detective Conan Collection", "Old Shape", nil])
    }

    @Test func anythingUnexpectedFallsBackToTheDecoder() {
        for bad in [#"{"id": 1}"#, #"[{"title": "no id"}]"#, #"[{"id": 1,}]"#, #"[{"id": 1}] trailing"#, #"[{"id": 1, "title": "unterminated}]"#] {
            #expect(RadarrMovie.fastList(Data(bad.utf8)) == nil, "\(bad)")
        }
        #expect(RadarrMovie.fastList(Data("[]".utf8)) == [])
    }

    @Test func largeListsSplitAtTopLevelCommasOnly() throws {
        let movies = (0..<3000).map { i in
            RadarrMovie(id: i, title: "Movie, \"part\" [\(i)] {x}", year: 2000, path: "/m/\(i)", tmdbId: i + 1)
        }
        let data = try JSONEncoder().encode(movies)
        let parts = try #require(ParallelJSON.split(data, partBytes: 10_000))
        #expect(parts.count > 10)
        let decoded = try ParallelJSON.decodeArray(RadarrMovie.self, from: data, partBytes: 10_000)
        #expect(decoded == movies)
        #expect(ParallelJSON.fastArray(RadarrMovie.self, from: data, partBytes: 10_000) == movies)
    }
}
