import Foundation
public import UsherCore

/// The labelled evaluation set (`eval/matching.json`): a library of movies and series in which each
/// movie is known to be a given special, or known to be none. Running the planner over it measures
/// precision and recall, of the auto-accepted proposals and of all of them.
public struct MatchEvaluation: Sendable {
    struct File: Decodable {
        struct Series: Decodable {
            var title: String
            var year: Int?
            var tvdbId: Int
            var alternateTitles: [String]
            var episodes: [Episode]
        }
        struct Episode: Decodable {
            var season: Int
            var episode: Int
            var title: String
            var airDate: String?
            var runtime: Int?
        }
        struct Movie: Decodable {
            var title: String
            var originalTitle: String?
            var alternateTitles: [String]
            var year: Int?
            var tmdbId: Int?
            var imdbId: String?
            var runtime: Int?
            var collection: String?
            var kind: String
            var truth: Truth?
        }
        struct Truth: Decodable {
            var tvdbId: Int
            var episodes: [[Int]]
        }
        var series: [Series]
        var movies: [Movie]
    }

    public struct Labelled: Sendable {
        public var movie: MatchMovie
        public var kind: String
        /// `tvdb|S00E03`, or nil when the movie is no special.
        public var truth: String?
    }

    public var movies: [Labelled]
    public var series: [MatchSeries]

    public init(path: String) throws {
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        series = file.series.map { s in
            MatchSeries(
                instance: "eval", id: s.tvdbId, title: s.title, alternateTitles: s.alternateTitles, tvdb: s.tvdbId, year: s.year,
                episodes: s.episodes.map { MatchEpisode(season: $0.season, episode: $0.episode, title: $0.title, airDate: $0.airDate, runtime: $0.runtime) })
        }
        movies = file.movies.enumerated().map { i, m in
            Labelled(
                movie: MatchMovie(
                    instance: "eval", id: i + 1, title: m.title, originalTitle: m.originalTitle, alternateTitles: m.alternateTitles,
                    year: m.year, tmdb: m.tmdbId, imdb: m.imdbId, runtime: m.runtime, collection: m.collection),
                kind: m.kind,
                truth: m.truth.map { t in Self.pair(t.tvdbId, t.episodes.map { EpisodeNumber(season: $0[0], episode: $0[1]) }) })
        }
    }

    static func pair(_ tvdb: Int, _ episodes: [EpisodeNumber]) -> String { "\(tvdb)|\(EpisodeSpec.format(episodes.sorted()))" }

    public struct Score: Sendable {
        public var truePairs = 0
        public var proposed = 0
        public var proposedCorrect = 0
        public var auto = 0
        public var autoCorrect = 0
        /// Wrong proposals and missed pairs, for people: `auto 0.97 Movie → Series S00E01 (truth: …)`.
        public var mistakes: [String] = []
        /// Right pairs sent to review, with their reasons: what kept them from being accepted.
        public var reviews: [String] = []

        public var autoPrecision: Double { auto == 0 ? 1 : Double(autoCorrect) / Double(auto) }
        public var autoRecall: Double { truePairs == 0 ? 1 : Double(autoCorrect) / Double(truePairs) }
        public var precision: Double { proposed == 0 ? 1 : Double(proposedCorrect) / Double(proposed) }
        public var recall: Double { truePairs == 0 ? 1 : Double(proposedCorrect) / Double(truePairs) }
    }

    public struct Outcome: Sendable {
        public var overall: Score
        public var byKind: [String: Score]
    }

    /// Runs the planner over the set and scores its proposals against the labels.
    public func run(animeList: AnimeList?, settings: MatchSettings = MatchSettings()) -> Outcome {
        let result = MatchPlanner(settings: settings).propose(movies: movies.map(\.movie), series: series, animeList: animeList)
        var byMovie: [Int: MatchProposal] = [:]
        for p in result.proposals { byMovie[p.movie.id] = p }
        var overall = Score()
        var byKind: [String: Score] = [:]
        for (i, labelled) in movies.enumerated() {
            let proposal = byMovie[i + 1]
            let got = proposal.map { Self.pair($0.series.tvdb ?? 0, $0.episodes.map(\.number)) }
            let correct = got != nil && got == labelled.truth
            var notes: [String] = []
            func count(_ score: inout Score) {
                if labelled.truth != nil { score.truePairs += 1 }
                if let proposal {
                    score.proposed += 1
                    if correct { score.proposedCorrect += 1 }
                    if proposal.status == .auto {
                        score.auto += 1
                        if correct { score.autoCorrect += 1 }
                    }
                }
            }
            count(&overall)
            count(&byKind[labelled.kind, default: Score()])
            if let proposal, !correct {
                notes.append(
                    "\(proposal.status.rawValue) \(proposal.confidence) \(labelled.movie.label) → \(proposal.series.title) \(EpisodeSpec.format(proposal.episodes.map(\.number))) (truth: \(labelled.truth ?? "none"))"
                )
            } else if proposal == nil, let truth = labelled.truth {
                notes.append("missed \(labelled.movie.label) (truth: \(truth))")
            }
            overall.mistakes += notes
            if let proposal, correct, proposal.status != .auto {
                overall.reviews.append(
                    "\(proposal.confidence) \(labelled.movie.label) → \(proposal.series.title) \(EpisodeSpec.format(proposal.episodes.map(\.number))): \(proposal.reasons.joined(separator: "; "))"
                )
            }
        }
        return Outcome(overall: overall, byKind: byKind)
    }
}
