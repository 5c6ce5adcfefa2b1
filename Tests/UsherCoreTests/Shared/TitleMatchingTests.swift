import Testing
import UsherCore

@Suite("FolderName")
struct FolderNameTests {
    @Test func titleAndYear() {
        let f = FolderName(parsing: "24- Redemption (2008)")
        #expect(f.title == "24- Redemption")
        #expect(f.year == 2008)
        #expect(f.tmdb == nil && f.tvdb == nil && f.imdb == nil)
        #expect(f.key == "24 redemption")
    }

    @Test func tmdbTag() {
        let f = FolderName(parsing: "Movie (2010) {tmdb-123}")
        #expect(f.title == "Movie")
        #expect(f.year == 2010)
        #expect(f.tmdb == 123)
        #expect(f.key == "movie")
    }

    @Test func tvdbTag() {
        let f = FolderName(parsing: "Show [tvdbid-456]")
        #expect(f.title == "Show")
        #expect(f.year == nil)
        #expect(f.tvdb == 456)
        #expect(f.tmdb == nil)
    }

    @Test func yearInTitle() {
        let f = FolderName(parsing: "Doctor Who (2005)")
        #expect(f.title == "Doctor Who")
        #expect(f.year == 2005)
        #expect(f.key == "doctor who")
    }

    @Test func severalTags() {
        let f = FolderName(parsing: "  Movie (2010) {imdb-tt0123456} {edition-Director's Cut} [tmdbid=77]  ")
        #expect(f.title == "Movie")
        #expect(f.year == 2010)
        #expect(f.imdb == "tt0123456")
        #expect(f.tmdb == 77)
    }

    @Test func noYear() {
        let f = FolderName(parsing: "Blade Runner 2049")
        #expect(f.title == "Blade Runner 2049")
        #expect(f.year == nil)
        let notYear = FolderName(parsing: "Movie (123)")
        #expect(notYear.title == "Movie (123)")
        #expect(notYear.year == nil)
        let outOfRange = FolderName(parsing: "Movie (1234)")
        #expect(outOfRange.year == nil)
    }

    @Test func unknownBracketStays() {
        let f = FolderName(parsing: "Show [US]")
        #expect(f.title == "Show [US]")
    }
}

@Suite("TitleMatching")
struct TitleMatchingTests {
    @Test(arguments: [
        ["24: Redemption", "24- Redemption", "24 - redemption", "24 Redemption", " 24...REDEMPTION! "],
        ["Law & Order", "law and order", "Law and Order", "Law&Order"],
        ["Grey's Anatomy", "Greys Anatomy", "Grey’s Anatomy", "greys anatomy"],
        ["Marvel's Agents of S.H.I.E.L.D.", "Marvels Agents of S H I E L D"],
    ])
    func equalUnderNormalization(titles: [String]) {
        let keys = Set(titles.map(TitleMatching.normalize))
        #expect(keys.count == 1, "\(keys)")
    }

    @Test(arguments: [
        ("24: Redemption", "24 redemption"),
        ("Law & Order", "law and order"),
        ("& Juliet", "and juliet"),
        ("Grey's Anatomy", "greys anatomy"),
        ("  Amélie  ", "amélie"),
        ("---", ""),
        ("", ""),
    ])
    func normalizes(title: String, expected: String) {
        #expect(TitleMatching.normalize(title) == expected)
    }

    @Test func differentTitlesDiffer() {
        #expect(TitleMatching.normalize("24") != TitleMatching.normalize("24: Redemption"))
        #expect(TitleMatching.normalize("Doctor Who") != TitleMatching.normalize("Doctor Who 2005"))
    }

    @Test func trailingYear() throws {
        let found = try #require(TitleMatching.trailingYear(in: "Doctor Who (2005)"))
        #expect(found.0 == 2005)
        #expect("Doctor Who (2005)"[found.1] == "(2005)")
        #expect(TitleMatching.trailingYear(in: "Doctor Who") == nil)
        #expect(TitleMatching.trailingYear(in: "Doctor Who (05)") == nil)
        #expect(TitleMatching.trailingYear(in: "(2005) Doctor Who") == nil)
        #expect(TitleMatching.trailingYear(in: "Movie (1869)") == nil)
        #expect(TitleMatching.trailingYear(in: "Movie (1870)")?.0 == 1870)
    }
}
