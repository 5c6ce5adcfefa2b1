import Testing
import UsherCore

private func e(_ season: Int, _ episode: Int) -> EpisodeNumber { EpisodeNumber(season: season, episode: episode) }

private func show(_ name: String, season: Int? = 0, episodes: [Int], tvdb: Int? = nil, parsed: String? = nil,
                  location: UsherCore.SourceLocation? = nil) -> LegacyShow {
    LegacyShow(name: name, season: season, episodes: episodes, tvdb: tvdb, parsedEpisodeTitle: parsed, location: location)
}

@Suite("LegacyImport.convert")
struct LegacyImportTests {
    @Test func redemption() throws {
        let movie = LegacyMovie(
            folderName: "24- Redemption (2008)", tmdb: 13989, year: nil,
            shows: [show("24", episodes: [9], tvdb: 76290, parsed: "tv/staging/24/Season 00/24 - S00E09 - Redemption")],
            location: UsherCore.SourceLocation(file: "collection.yml", line: 3, column: 1))
        let result = LegacyImport.convert([movie])
        #expect(result.skipped.isEmpty)
        #expect(result.conflicts.isEmpty)
        let mapping = try #require(result.mappings.first)
        #expect(result.mappings.count == 1)
        #expect(mapping.source == .movie(MovieRef(title: "24: Redemption", year: 2008, tmdb: 13989)))
        #expect(mapping.show == ShowRef(title: "24", tvdb: 76290))
        #expect(mapping.episodes == [e(0, 9)])
        #expect(EpisodeSpec.format(mapping.episodes) == "S00E09")
        #expect(mapping.title == "Redemption")
        #expect(mapping.location == UsherCore.SourceLocation(file: "collection.yml", line: 3, column: 1))
        #expect(mapping.key == "24|S00E09")
        #expect(mapping.label == "24: Redemption (2008) → 24 S00E09")
    }

    @Test func yearAndTmdbFromTheFolderWhenNotGiven() {
        let movie = LegacyMovie(folderName: "Movie (2010) {tmdb-123}", tmdb: nil, year: nil,
                                shows: [show("Show", season: 1, episodes: [3, 1, 2, 3])], location: nil)
        let mapping = LegacyImport.convert([movie]).mappings.first
        #expect(mapping?.source == .movie(MovieRef(title: "Movie", year: 2010, tmdb: 123)))
        #expect(mapping?.episodes == [e(1, 1), e(1, 2), e(1, 3)])
        #expect(mapping?.title == nil)
    }

    @Test func givenYearWins() {
        let movie = LegacyMovie(folderName: "Movie (2010)", tmdb: 5, year: 2011, shows: [show("Show", episodes: [1])], location: nil)
        #expect(LegacyImport.convert([movie]).mappings.first?.source == .movie(MovieRef(title: "Movie", year: 2011, tmdb: 5)))
    }

    @Test func showLocationWins() {
        let movieAt = UsherCore.SourceLocation(file: "c.yml", line: 1, column: 1)
        let showAt = UsherCore.SourceLocation(file: "c.yml", line: 4, column: 5)
        let movie = LegacyMovie(folderName: "M (2000)", tmdb: nil, year: nil, shows: [show("S", episodes: [1], location: showAt)], location: movieAt)
        #expect(LegacyImport.convert([movie]).mappings.first?.location == showAt)
    }

    @Test(arguments: [
        ("tv/staging/24/Season 00/24 - S00E09 - Redemption", "Redemption" as String?),
        ("24 - S00E09 - Redemption - Part 1", "Redemption - Part 1"),
        ("Show - S01E01E02 - Pilot", "Pilot"),
        ("Show - S00E09 - ", nil),
        ("Show - Redemption", nil),
        ("", nil),
    ])
    func episodeTitleFromParsedName(parsed: String, title: String?) {
        let movie = LegacyMovie(folderName: "M (2000)", tmdb: nil, year: nil, shows: [show("S", episodes: [1], parsed: parsed)], location: nil)
        #expect(LegacyImport.convert([movie]).mappings.first?.title == title)
    }

    @Test(arguments: [
        ("24- Redemption", "24: Redemption"),
        ("Mission- Impossible - Fallout", "Mission: Impossible - Fallout"),
        ("Spider-Man", "Spider-Man"),
        ("Title -", "Title -"),
    ])
    func colonIsRestored(folder: String, title: String) {
        let movie = LegacyMovie(folderName: folder, tmdb: nil, year: nil, shows: [show("S", episodes: [1])], location: nil)
        #expect(LegacyImport.convert([movie]).mappings.first?.source == .movie(MovieRef(title: title)))
    }

    @Test func movieWithoutShowsIsSkipped() {
        let at = UsherCore.SourceLocation(file: "c.yml", line: 7, column: 3)
        let result = LegacyImport.convert([LegacyMovie(folderName: "Lonely (2001)", tmdb: nil, year: nil, shows: [], location: at)])
        #expect(result.mappings.isEmpty)
        #expect(result.skipped == ["Lonely (2001) (c.yml:7:3): no shows listed"])
    }

    @Test func showWithoutSeasonIsSkipped() {
        let movie = LegacyMovie(folderName: "M (2000)", tmdb: nil, year: nil,
                                shows: [show("A", season: nil, episodes: [1]), show("B", episodes: [2])], location: nil)
        let result = LegacyImport.convert([movie])
        #expect(result.skipped == ["M (2000) → A: no Season"])
        #expect(result.mappings.map(\.show.title) == ["B"])
    }

    @Test func showWithoutEpisodesIsSkipped() {
        let movie = LegacyMovie(folderName: "M (2000)", tmdb: nil, year: nil, shows: [show("A", episodes: [])], location: nil)
        let result = LegacyImport.convert([movie])
        #expect(result.skipped == ["M (2000) → A: no Episode"])
        #expect(result.mappings.isEmpty)
    }

    @Test func twoMoviesClaimingOneEpisodeConflict() {
        let a = LegacyMovie(folderName: "A (2000)", tmdb: nil, year: nil, shows: [show("Show", episodes: [5])], location: nil)
        let b = LegacyMovie(folderName: "B (2001)", tmdb: nil, year: nil, shows: [show("show", episodes: [4, 5])], location: nil)
        let result = LegacyImport.convert([a, b])
        #expect(result.mappings.count == 2)
        #expect(result.conflicts.count == 2)
        #expect(result.conflicts.map(\.mappingKey) == ["show|S00E05", "show|S00E04E05"])
        #expect(result.conflicts[0].message.contains("B (2001)"))
        #expect(result.conflicts[1].message.contains("A (2000)"))
    }

    @Test func emptyInput() {
        let result = LegacyImport.convert([])
        #expect(result.mappings.isEmpty && result.skipped.isEmpty && result.conflicts.isEmpty)
    }
}
