import Testing
import UsherCore

/// One row of the matcher's table-driven tests: a movie, the pair it must be proposed as (`tvdb SxxEyy`, or nil
/// when nothing may be proposed), the status, and words one of the reasons must contain.
struct MatchCase: Sendable, CustomStringConvertible {
    var movie: MatchMovie
    var expected: String?
    var status: MatchProposal.Status?
    var reason: String? = nil
    var description: String { movie.label }

    /// Proposes for the movie alone against `series` and checks the best proposal; returns it for further checks.
    @discardableResult
    func check(_ series: [MatchSeries], list: AnimeList? = nil, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> MatchProposal? {
        let p = MatchPlanner().propose(movies: [movie], series: series, animeList: list).proposals.first
        let got = p.map { "\($0.series.tvdb ?? 0) \(EpisodeSpec.format($0.episodes.map(\.number)))" }
        let detail = p.map { "\($0.confidence) \($0.reasons)" } ?? ""
        #expect(got == expected, "\(detail)", sourceLocation: sourceLocation)
        #expect(p?.status == status, "\(detail)", sourceLocation: sourceLocation)
        if let reason { #expect(p?.reasons.contains { $0.contains(reason) } == true, "\(detail)", sourceLocation: sourceLocation) }
        return p
    }
}
