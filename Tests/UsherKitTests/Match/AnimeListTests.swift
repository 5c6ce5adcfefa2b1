import Foundation
import Testing
import UsherCore

@Suite("Anime-Lists mapping")
struct AnimeListTests {
    static func parse(_ xml: String) throws -> AnimeList {
        try AnimeList.parse(Array(xml.utf8))
    }

    @Test func mappingListOffsetAndRangeForms() throws {
        let list = try Self.parse(
            """
            <?xml version="1.0" encoding="utf-8"?>
            <!-- a comment with <anime> in it -->
            <anime-list>
              <anime anidbid="219" tvdbid="76885" defaulttvdbseason="0" episodeoffset="" tmdbid="" imdbid="tt0275277">
                <name>Cowboy Bebop: Tengoku no Tobira</name>
                <mapping-list>
                  <mapping anidbseason="0" tvdbseason="0">;1-0;2-0;</mapping>
                  <mapping anidbseason="1" tvdbseason="0">;1-3;2-0;</mapping>
                </mapping-list>
              </anime>
              <anime anidbid="11" tvdbid="70900" defaulttvdbseason="0" episodeoffset="2" tmdbid="1390599" imdbid="tt7941838">
                <name>Initial D Battle Stage</name>
              </anime>
              <anime anidbid="50" tvdbid="1000" defaulttvdbseason="1" episodeoffset="" tmdbid="10,20,30" imdbid="">
                <name>Three Films &amp; More</name>
                <mapping-list>
                  <mapping anidbseason="1" tvdbseason="0" start="2" end="3" offset="5"/>
                  <mapping anidbseason="1" tvdbseason="0">;1-4+5;</mapping>
                </mapping-list>
              </anime>
              <anime anidbid="60" tvdbid="2000" defaulttvdbseason="a" episodeoffset="12" tmdbid="40" imdbid="tt0000040,tt0000041"><name>Absolute</name></anime>
              <anime anidbid="70" tvdbid="movie" defaulttvdbseason="" tmdbid="50" imdbid=""><name>Only a movie</name></anime>
            </anime-list>
            """)
        #expect(list.entries.count == 5)
        // mapping-list pair, found by IMDb id
        let bebop = list.hits(tmdb: nil, imdb: "tt0275277")
        #expect(bebop.map(\.placement) == [AnimeList.Placement(tvdb: 76885, season: 0, episodes: [3])])
        #expect(bebop.first?.via == "imdb")
        // episodeoffset: AniDB 1 + 2
        #expect(list.hits(tmdb: 1390599, imdb: nil).map(\.placement) == [AnimeList.Placement(tvdb: 70900, season: 0, episodes: [3])])
        // comma list: the i-th id is AniDB episode i; `1-4+5` is two TVDB episodes; a range with an offset
        #expect(list.hits(tmdb: 10, imdb: nil).map(\.placement) == [AnimeList.Placement(tvdb: 1000, season: 0, episodes: [4, 5])])
        #expect(list.hits(tmdb: 20, imdb: nil).map(\.placement) == [AnimeList.Placement(tvdb: 1000, season: 0, episodes: [7])])
        #expect(list.hits(tmdb: 30, imdb: nil).map(\.anidbEpisode) == [3])
        #expect(list.entries[2].name == "Three Films & More")
        // absolute numbering; the second IMDb id of a list is AniDB episode 2
        #expect(list.hits(tmdb: nil, imdb: "tt0000041").map(\.placement) == [AnimeList.Placement(tvdb: 2000, season: nil, episodes: [14])])
        // not on TVDB, and unknown ids
        #expect(list.hits(tmdb: 50, imdb: nil).isEmpty)
        #expect(list.hits(tmdb: 999, imdb: "tt9999999").isEmpty)
        // an explicit 0 means "not mapped", not "use the default"
        #expect(list.entries[0].placement(ofEpisode: 2) == nil)
    }

    @Test func malformedDocuments() {
        #expect(throws: AnimeListError.self) { try Self.parse("<html><body>404</body></html>") }
        #expect(throws: AnimeListError.self) { try Self.parse("<anime-list><anime tvdbid=\"1\"><name>x</name></anime></anime-list>") }
        do {
            _ = try Self.parse("<anime-list>\n<anime anidbid=\"1\" tvdbid=\"2\n")
            Issue.record("an unterminated attribute must fail")
        } catch {
            #expect("\(error)".contains("line"))
        }
    }

    @Test(.enabled(if: Contracts.isAvailable, Contracts.missingComment))
    func sampleFromTheSharedContracts() throws {
        let list = try AnimeList.parse(Array(Data(contentsOf: Contracts.url("anime-lists/anime-list-master.sample.xml"))))
        #expect(list.entries.map(\.anidb) == [219, 11, 379])
        #expect(list.hits(tmdb: 43967, imdb: nil).map(\.placement) == [AnimeList.Placement(tvdb: 75113, season: 0, episodes: [4])])
        #expect(list.hits(tmdb: nil, imdb: "tt0088334").count == 1, "the same place by either id is one hit")
    }

    @Test(.enabled(if: Contracts.isAvailable, Contracts.missingComment))
    func theFullFile() throws {
        let list = try AnimeList.parse(Array(Data(contentsOf: Contracts.url("anime-lists/anime-list-master.xml"))))
        #expect(list.entries.count == 16865)
        #expect(list.entries.filter { $0.tvdb != nil }.count > 7000, "about 7,500 entries are on TVDB")
        // Kizumonogatari: three films as one AniDB entry, `;1-2;2-19;3-20;` into TVDB 102261 season 0.
        #expect(list.hits(tmdb: 357786, imdb: nil).map(\.placement) == [AnimeList.Placement(tvdb: 102261, season: 0, episodes: [2])])
        #expect(list.hits(tmdb: 362584, imdb: "tt5084196").map(\.placement) == [AnimeList.Placement(tvdb: 102261, season: 0, episodes: [19])])
        #expect(list.hits(tmdb: 362585, imdb: nil).map(\.anidbEpisode) == [3])
        // Rozen Maiden: Ouverture: offset form, two IMDb ids for two AniDB episodes.
        #expect(list.hits(tmdb: nil, imdb: "tt0936320").map(\.placement) == [AnimeList.Placement(tvdb: 75411, season: 0, episodes: [3])])
        // Names with entities are decoded.
        #expect(!list.entries.contains { $0.name.contains("&amp;") })
    }
}
