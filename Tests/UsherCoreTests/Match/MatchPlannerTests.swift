import Testing
import UsherCore

@Suite("Match planner")
struct MatchPlannerTests {
    static let library: [MatchSeries] = [
        MatchSeries(
            title: "Cowboy Bebop", tvdb: 76885, year: 1998,
            episodes: [
                MatchEpisode(season: 0, episode: 1, title: "Session XX: Mish-Mash Blues", airDate: "1999-06-26", runtime: 25),
                MatchEpisode(season: 0, episode: 3, title: "Knockin' on Heaven's Door", airDate: "2001-09-01", runtime: 115),
            ]),
        MatchSeries(
            title: "24", tvdb: 76290, year: 2001,
            episodes: [
                MatchEpisode(season: 0, episode: 9, title: "Redemption", airDate: "2008-11-23", runtime: 102),
                MatchEpisode(season: 0, episode: 10, title: "Day 7 Prequel", airDate: "2008-11-23", runtime: 10),
            ]),
        MatchSeries(
            title: "Psych", tvdb: 79335, year: 2006,
            episodes: [
                MatchEpisode(season: 0, episode: 20, title: "Psych: The Movie", airDate: "2017-12-07", runtime: 88),
                MatchEpisode(season: 0, episode: 21, title: "Psych 2: Lassie Come Home", airDate: "2020-07-15", runtime: 88),
                MatchEpisode(season: 0, episode: 22, title: "Psych 3: This Is Gus", airDate: "2021-11-18", runtime: 88),
            ]),
        MatchSeries(
            title: "Fargo", tvdb: 269613, year: 2014,
            episodes: [
                MatchEpisode(season: 0, episode: 1, title: "Making of Fargo", airDate: "2014-04-15", runtime: 20)
            ]),
        MatchSeries(
            title: "Breaking Bad", tvdb: 81189, year: 2008,
            episodes: [
                MatchEpisode(season: 0, episode: 1, title: "Good Cop Bad Cop", airDate: "2009-02-17", runtime: 3),
                MatchEpisode(season: 0, episode: 33, title: "El Camino: A Breaking Bad Movie", airDate: "2019-10-11", runtime: 122),
            ]),
    ]

    static func propose(_ movies: [MatchMovie], list: AnimeList? = nil, exclusions: MatchExclusions = MatchExclusions()) -> [MatchProposal] {
        MatchPlanner().propose(movies: movies, series: library, animeList: list, exclusions: exclusions).proposals
    }

    struct Case: Sendable, CustomStringConvertible {
        var movie: MatchMovie
        /// `tvdb S00E09`, or nil when nothing may be proposed.
        var expected: String?
        var status: MatchProposal.Status?
        var description: String { movie.label }
    }

    @Test(arguments: [
        Case(movie: MatchMovie(title: "24: Redemption", year: 2008, runtime: 102), expected: "76290 S00E09", status: .auto),
        Case(movie: MatchMovie(title: "El Camino: A Breaking Bad Movie", year: 2019, runtime: 122), expected: "81189 S00E33", status: .auto),
        Case(movie: MatchMovie(title: "Psych 2: Lassie Come Home", year: 2020), expected: "79335 S00E21", status: .auto),
        Case(movie: MatchMovie(title: "Psych: The Movie", year: 2017), expected: "79335 S00E20", status: .auto),
        Case(movie: MatchMovie(title: "Cowboy Bebop: Knockin' on Heaven's Door", year: 2001), expected: "76885 S00E03", status: .auto),
        // Only the series' name, the year and the runtime agree, but it is the series' only feature-length special
        // near that year: accepted (see MatchKindsTests).
        Case(movie: MatchMovie(title: "Cowboy Bebop: The Movie", year: 2001, runtime: 115), expected: "76885 S00E03", status: .auto),
        // The same without a runtime to agree: for a person to decide.
        Case(movie: MatchMovie(title: "Cowboy Bebop: The Movie", year: 2001), expected: "76885 S00E03", status: .review),
        // Traps: same title as the series, a remake, a numbered sequel the library does not have.
        Case(movie: MatchMovie(title: "Fargo", year: 1996, runtime: 98), expected: nil, status: nil),
        Case(movie: MatchMovie(title: "Psych 4", year: 2024), expected: nil, status: nil),
        Case(movie: MatchMovie(title: "Redemption", year: 2013, runtime: 100), expected: nil, status: nil),
        Case(movie: MatchMovie(title: "The Redemption of Henry Myers", year: 2014), expected: nil, status: nil),
    ])
    func titlesDatesAndTraps(_ c: Case) {
        let proposals = Self.propose([c.movie])
        let got = proposals.first.map { "\($0.series.tvdb ?? 0) \(EpisodeSpec.format($0.episodes.map(\.number)))" }
        #expect(got == c.expected, "\(proposals.first.map { "\($0.confidence) \($0.reasons)" } ?? "")")
        #expect(proposals.first?.status == c.status, "\(proposals.first.map { "\($0.confidence) \($0.reasons)" } ?? "")")
    }
}

@Suite("Match planner: hints from the mapping file")
struct MatchPlannerHintTests {
    static let library: [MatchSeries] = [
        MatchSeries(
            title: "South Park", tvdb: 75897, year: 1997,
            episodes: [
                MatchEpisode(season: 0, episode: 1, title: "Jay Leno Comes to South Park", airDate: "1998-02-04", runtime: 3),
                MatchEpisode(season: 0, episode: 41, title: "Six Days to Air", airDate: "2011-10-09", runtime: 43),
                MatchEpisode(season: 0, episode: 42, title: "The Chef Experience", airDate: "2011-10-22", runtime: 22),
            ]),
        MatchSeries(
            title: "Documentaries", tvdb: 1, year: 2010,
            episodes: [
                MatchEpisode(season: 0, episode: 5, title: "The Making of South Park", airDate: "2011-10-09", runtime: 43)
            ]),
    ]
    /// 50 minutes against the special's 43: too far for year and length alone to find it.
    static let movie = MatchMovie(title: "6 Days to Air: The Making of South Park", year: 2011, tmdb: 76360, runtime: 50)

    @Test func aHintKeepsTheCandidatesToItsShow() throws {
        let unhinted = MatchPlanner().propose(movies: [Self.movie], series: Self.library).proposals
        // Without the hint, the special is at best a guess for a person ("6" is not "Six"), beside another show's.
        #expect(!unhinted.contains { $0.series.tvdb == 75897 && $0.status == .auto }, "\(unhinted.map { ($0.series.title, $0.reasons) })")
        let hint = MappingHint(
            movie: MovieRef(title: "6 Days to Air: The Making of South Park", year: 2011, tmdb: 76360), show: ShowRef(title: "South Park", tvdb: 75897))
        let proposals = MatchPlanner().propose(movies: [Self.movie], series: Self.library, hints: [hint]).proposals
        let proposal = try #require(proposals.first)
        #expect(proposals.count == 1)
        #expect(proposal.series.tvdb == 75897)
        #expect(proposal.episodes.map(\.number) == [EpisodeNumber(season: 0, episode: 41)], "\(proposal.reasons)")
        #expect(proposal.reasons.contains("the mapping file's hints say the movie is an episode of “South Park”"), "\(proposal.reasons)")
    }

    @Test func aHintByTitleAndYearWhenThereAreNoIds() {
        let movie = MatchMovie(title: "Six Days", year: 2011, runtime: 43)
        let hint = MappingHint(movie: MovieRef(title: "Six Days", year: 2011), show: ShowRef(title: "south park"))
        let proposals = MatchPlanner().propose(movies: [movie], series: Self.library, hints: [hint]).proposals
        #expect(proposals.first?.series.title == "South Park")
        #expect(proposals.first?.episodes.first?.episode == 41)
    }

    @Test func aHintForAShowSonarrDoesNotHaveChangesNothing() {
        let hint = MappingHint(movie: MovieRef(title: "6 Days to Air: The Making of South Park", tmdb: 76360), show: ShowRef(title: "Futurama", tvdb: 73871))
        let hinted = MatchPlanner().propose(movies: [Self.movie], series: Self.library, hints: [hint]).proposals
        let plain = MatchPlanner().propose(movies: [Self.movie], series: Self.library).proposals
        #expect(hinted == plain)
    }
}
