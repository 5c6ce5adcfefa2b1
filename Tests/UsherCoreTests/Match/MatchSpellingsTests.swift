import Testing
import UsherCore

/// The other kinds of issue 13: other spellings (romanized against English titles, the subtitle alone,
/// "Episode of X", word order), crossover specials, series known by an alternate title, and films whose
/// title leaves the series out. Made-up or outside examples in the shapes TheTVDB gives specials, each
/// with look-alike traps that must not be proposed.
@Suite("Match planner: other spellings, crossovers, alternate titles")
struct MatchSpellingsTests {
    static let library: [MatchSeries] = [
        MatchSeries(
            title: "The Melancholy of Haruhi Suzumiya", alternateTitles: ["Suzumiya Haruhi no Yuuutsu", "涼宮ハルヒの憂鬱"], tvdb: 10, year: 2006,
            episodes: [
                MatchEpisode(season: 0, episode: 1, title: "Suzumiya Haruhi-chan no Yuuutsu", airDate: "2009-02-13", runtime: 5),
                MatchEpisode(season: 0, episode: 8, title: "Suzumiya Haruhi no Shoushitsu", airDate: "2010-02-06", runtime: 162),
            ]),
        MatchSeries(
            title: "Naruto Shippuden", alternateTitles: ["Naruto Shippuuden", "ナルト 疾風伝"], tvdb: 11, year: 2007,
            episodes: [
                MatchEpisode(season: 0, episode: 5, title: "Bonds", airDate: "2008-08-02", runtime: 93),
                MatchEpisode(season: 0, episode: 6, title: "The Will of Fire", airDate: "2009-08-01", runtime: 95),
                MatchEpisode(season: 1, episode: 1, title: "Homecoming", airDate: "2007-02-15", runtime: 24),
            ]),
        MatchSeries(
            title: "Star Knights", tvdb: 12, year: 2010,
            episodes: [
                MatchEpisode(season: 0, episode: 1, title: "Star Knights: The Lost Crown", airDate: "2012-05-01", runtime: 100),
                MatchEpisode(season: 0, episode: 2, title: "Recap: Knights Assemble", airDate: "2011-05-01", runtime: 24),
            ]),
        MatchSeries(
            title: "Moon Guard", tvdb: 13, year: 2011,
            episodes: [
                MatchEpisode(season: 0, episode: 3, title: "Star Knights x Moon Guard: Crossing Skies", airDate: "2014-08-01", runtime: 105),
                MatchEpisode(season: 0, episode: 4, title: "Moon Guard Special", airDate: "2013-01-01", runtime: 24),
                MatchEpisode(season: 0, episode: 5, title: "Festival of Lanterns", airDate: "2016-08-01", runtime: 95),
                MatchEpisode(season: 0, episode: 6, title: "Moon Guard vs. Star Knights: Second Dawn", airDate: "2018-08-01", runtime: 95),
            ]),
        MatchSeries(
            title: "Hunter x Hunter", tvdb: 17, year: 2011,
            episodes: [
                MatchEpisode(season: 0, episode: 1, title: "Phantom Rouge", airDate: "2013-01-12", runtime: 97)
            ]),
        MatchSeries(
            title: "One Piece", tvdb: 14, year: 1999,
            episodes: [
                MatchEpisode(season: 0, episode: 10, title: "Episode of Alabasta: The Desert Princess and the Pirates", airDate: "2007-03-03", runtime: 90),
                MatchEpisode(
                    season: 0, episode: 11, title: "Episode of Chopper Plus: Bloom in the Winter, Miracle Sakura", airDate: "2008-03-01", runtime: 113),
                MatchEpisode(
                    season: 0, episode: 20, title: "Episode of Nami: Tears of a Navigator and the Bonds of Friends", airDate: "2012-08-25", runtime: 106),
            ]),
        MatchSeries(
            title: "Attack on Titan", alternateTitles: ["Shingeki no Kyojin", "進撃の巨人"], tvdb: 15, year: 2013,
            episodes: [
                MatchEpisode(season: 0, episode: 10, title: "Crimson Bow and Arrow", airDate: "2014-11-22", runtime: 120),
                MatchEpisode(season: 0, episode: 11, title: "Wings of Freedom", airDate: "2015-06-27", runtime: 120),
            ]),
        MatchSeries(
            title: "Detective Conan", alternateTitles: ["Case Closed", "Meitantei Conan", "名探偵コナン"], tvdb: 1, year: 1996,
            episodes: [
                MatchEpisode(season: 0, episode: 3, title: "Movie 3: The Last Wizard of the Century", airDate: "1999-04-17", runtime: 100)
            ]),
        MatchSeries(
            title: "Magic Kaito", tvdb: 16, year: 2010,
            episodes: [
                MatchEpisode(season: 0, episode: 1, title: "The Last Wizard of the Century", airDate: "2011-01-01", runtime: 24)
            ]),
    ]

    typealias Case = MatchCase

    static func check(_ c: Case) { c.check(library) }

    @Test(arguments: [
        // A romanized alternate title of the film is the special's title: sure.
        Case(
            movie: MatchMovie(
                title: "The Disappearance of Haruhi Suzumiya", originalTitle: "涼宮ハルヒの消失",
                alternateTitles: ["Suzumiya Haruhi no Shoushitsu"], year: 2010, runtime: 162),
            expected: "10 S00E08", status: .auto, reason: "“Suzumiya Haruhi no Shoushitsu” ~ “Suzumiya Haruhi no Shoushitsu”"),
        Case(movie: MatchMovie(title: "Suzumiya Haruhi no Shoushitsu", year: 2010, runtime: 162), expected: "10 S00E08", status: .auto),
        // The English title alone shares only the names with the romanized special: for a person to judge.
        Case(
            movie: MatchMovie(title: "The Disappearance of Haruhi Suzumiya", originalTitle: "涼宮ハルヒの消失", year: 2010, runtime: 162),
            expected: "10 S00E08", status: .review),
        Case(movie: MatchMovie(title: "Haruhi Suzumiya: The Disappearance", year: 2010, runtime: 162), expected: "10 S00E08", status: .review),
        // The film's subtitle alone is the episode's title.
        Case(movie: MatchMovie(title: "Naruto Shippuden the Movie: Bonds", year: 2008, runtime: 93), expected: "11 S00E05", status: .auto),
        // "Episode of X": the same words in another order, a near-synonym; each is the only special near its year as
        // long as the film (the other is a year apart and 23 minutes longer or shorter): accepted.
        Case(
            movie: MatchMovie(title: "One Piece: The Desert Princess and the Pirates: Adventures in Alabasta", year: 2007, runtime: 90),
            expected: "14 S00E10", status: .auto, reason: "only special near that year as long as the film"),
        Case(
            movie: MatchMovie(title: "One Piece: Episode of Chopper Plus: Bloom in the Winter, Miracle Cherry Blossom", year: 2008, runtime: 113),
            expected: "14 S00E11", status: .auto, reason: "only special near that year as long as the film"),
        // Without the length, the same titles are for a person to judge.
        Case(
            movie: MatchMovie(title: "One Piece: The Desert Princess and the Pirates: Adventures in Alabasta", year: 2007),
            expected: "14 S00E10", status: .review),
        // Traps: a film that is only the subtitle's word; an "Episode of" the series does not have.
        Case(movie: MatchMovie(title: "Bonds", year: 1990, runtime: 100), expected: nil, status: nil),
        Case(movie: MatchMovie(title: "One Piece: Episode of Sabo", year: 2015, runtime: 100), expected: nil, status: nil),
    ])
    func otherSpellings(_ c: Case) { Self.check(c) }

    @Test(arguments: [
        // "Show A x Show B: Subtitle" under Show B, with the subtitle alone or the whole title, in either order.
        Case(movie: MatchMovie(title: "Star Knights x Moon Guard: Crossing Skies", year: 2014, runtime: 105), expected: "13 S00E03", status: .auto),
        Case(
            movie: MatchMovie(title: "Star Knights × Moon Guard: Festival of Lanterns", year: 2016, runtime: 95), expected: "13 S00E05", status: .auto,
            reason: "a crossover"),
        Case(movie: MatchMovie(title: "Star Knights vs. Moon Guard: Second Dawn", year: 2018, runtime: 95), expected: "13 S00E06", status: .auto),
        // A series whose own name holds an "x" is no crossover.
        Case(movie: MatchMovie(title: "Hunter x Hunter: Phantom Rouge", year: 2013, runtime: 97), expected: "17 S00E01", status: .auto),
        // Traps: a crossover neither series has; a film of Show A whose subtitle is a special of Show B.
        Case(movie: MatchMovie(title: "Star Knights x Moon Guard: Night Parade", year: 2016, runtime: 100), expected: nil, status: nil),
        Case(movie: MatchMovie(title: "Star Knights: Festival of Lanterns", year: 2016, runtime: 95), expected: "13 S00E05", status: .review),
    ])
    func crossovers(_ c: Case) { Self.check(c) }

    @Test func crossoverSides() {
        #expect(MatchText.crossover("Star Knights x Moon Guard: Crossing Skies")! == ("Star Knights", "Moon Guard: Crossing Skies"))
        #expect(MatchText.crossover("Lupin the 3rd vs. Detective Conan: The Movie")! == ("Lupin the 3rd", "Detective Conan: The Movie"))
        #expect(MatchText.crossover("A × B")! == ("A", "B"))
        #expect(MatchText.crossover("Malcolm X") == nil)
        #expect(MatchText.crossover("X Marks the Spot") == nil)
        #expect(MatchText.crossover("Texas vs") == nil)
    }

    @Test(arguments: [
        // The film names the series by its alternate (romanized) title only.
        Case(movie: MatchMovie(title: "Shingeki no Kyojin Movie 2: Wings of Freedom", year: 2015, runtime: 120), expected: "15 S00E11", status: .auto),
        // The title leaves the series out; the original title names it (in Latin or Japanese script), and
        // another series' shorter special of the same name loses on date and runtime.
        Case(
            movie: MatchMovie(title: "The Last Wizard of the Century", originalTitle: "名探偵コナン 世紀末の魔術師", year: 1999, runtime: 100),
            expected: "1 S00E03", status: .auto),
        Case(
            movie: MatchMovie(title: "The Last Wizard of the Century", originalTitle: "Meitantei Conan: Seikimatsu no Majutsushi", year: 1999, runtime: 100),
            expected: "1 S00E03", status: .auto),
        // Trap: a film that shares the special's title and nothing else.
        Case(movie: MatchMovie(title: "Wings of Freedom", year: 2019, runtime: 80), expected: nil, status: nil),
    ])
    func seriesByAnotherName(_ c: Case) { Self.check(c) }
}
