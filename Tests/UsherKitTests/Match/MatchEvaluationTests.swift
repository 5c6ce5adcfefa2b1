import Foundation
import Testing
import UsherCore

@testable import UsherKit

/// The labelled evaluation set in `eval/matching.json` (see `eval/README.md`), scored against the
/// goals of issues 5 and 13. The figures themselves are in BENCHMARKS.md (`usher-bench eval`).
@Suite("Matching evaluation set", .enabled(if: Contracts.isAvailable, Contracts.missingComment))
struct MatchEvaluationTests {
    static let setPath = Contracts.packageRoot.appendingPathComponent("eval/matching.json").path

    /// Issue 13's goals, for both parts: auto-accepted precision ≥ 0.98 and recall ≥ 0.65, at least 0.85
    /// of the true pairs proposed, proposals precision ≥ 0.9, and no trap auto-accepted.
    /// `autoRecall` is lower for part B, which does not meet that goal yet (see BENCHMARKS.md).
    func expectGoals(_ outcome: MatchEvaluation.Outcome, autoRecall: Double = 0.65, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let score = outcome.overall
        let summary =
            "auto \(score.autoCorrect)/\(score.auto), proposed \(score.proposedCorrect)/\(score.proposed), true \(score.truePairs)\n"
            + score.mistakes.joined(separator: "\n")
        #expect(score.autoPrecision >= 0.98, "\(summary)", sourceLocation: sourceLocation)
        #expect(score.autoRecall >= autoRecall, "\(summary)", sourceLocation: sourceLocation)
        #expect(score.recall >= 0.85, "\(summary)", sourceLocation: sourceLocation)
        #expect(score.precision >= 0.9, "\(summary)", sourceLocation: sourceLocation)
        #expect(outcome.byKind["trap"]?.auto == 0, "\(summary)", sourceLocation: sourceLocation)
    }

    static func animeList() throws -> AnimeList {
        try AnimeList.parse(Array(Data(contentsOf: Contracts.url("anime-lists/anime-list-master.xml"))))
    }

    /// The development part (`eval/matching.json`), tuned on since issue 5.
    @Test func meetsTheAccuracyGoals() throws {
        let evaluation = try MatchEvaluation(path: Self.setPath)
        #expect(evaluation.movies.count >= 150)
        #expect(evaluation.movies.filter { $0.truth == nil }.count >= 40, "traps")
        expectGoals(evaluation.run(animeList: try Self.animeList()))
    }

    /// The held-out part (`eval/matching-heldout.json`): cases of the kinds issue 13 found missed on a real
    /// library, written before the planner changes they score (see BENCHMARKS.md for how independent it
    /// still is). With the ID list and with titles, dates and runtimes alone.
    @Test(arguments: [true, false])
    func heldOutMeetsTheGoals(withAnimeList: Bool) throws {
        let evaluation = try MatchEvaluation(path: Contracts.packageRoot.appendingPathComponent("eval/matching-heldout.json").path)
        #expect(evaluation.movies.count >= 25)
        expectGoals(evaluation.run(animeList: withAnimeList ? try Self.animeList() : nil))
    }

    /// Held-out parts B and C (`eval/matching-heldout-b.json`, `-c.json`): films of other franchises, written
    /// by someone who never saw the planner, and scored only when a change is done. Their auto-accepted recall
    /// (0.62 and 0.54 since part E's changes; 0.52 and 0.50 before) is under the 0.65 goal: these floors keep it
    /// from falling while the goal stays open; every other goal holds.
    @Test(arguments: [("b", 0.6, 50), ("c", 0.52, 35)], [true, false])
    func heldOutPartsWrittenByOthers(part: (name: String, autoRecall: Double, movies: Int), withAnimeList: Bool) throws {
        let evaluation = try MatchEvaluation(path: Contracts.packageRoot.appendingPathComponent("eval/matching-heldout-\(part.name).json").path)
        #expect(evaluation.movies.count >= part.movies)
        expectGoals(evaluation.run(animeList: withAnimeList ? try Self.animeList() : nil), autoRecall: part.autoRecall)
    }

    /// Development part D (`eval/matching-dev-d.json`): 52 films of 15 other franchises by a fourth writer who never
    /// saw the planner. Its first score, before any change was made knowing it, met every goal (auto recall 0.73).
    @Test(arguments: [true, false])
    func developmentPartDMeetsTheGoals(withAnimeList: Bool) throws {
        let evaluation = try MatchEvaluation(path: Contracts.packageRoot.appendingPathComponent("eval/matching-dev-d.json").path)
        #expect(evaluation.movies.count >= 50)
        expectGoals(evaluation.run(animeList: withAnimeList ? try Self.animeList() : nil))
    }

    /// Development part E (`eval/matching-dev-e.json`): 52 films of 15 more franchises by a fifth writer who never saw
    /// the planner. Its first score, before any change, was auto recall 0.41 (like B and C); the planner was then
    /// tuned on it (0.78).
    @Test(arguments: [true, false])
    func developmentPartEMeetsTheGoals(withAnimeList: Bool) throws {
        let evaluation = try MatchEvaluation(path: Contracts.packageRoot.appendingPathComponent("eval/matching-dev-e.json").path)
        #expect(evaluation.movies.count >= 50)
        expectGoals(evaluation.run(animeList: withAnimeList ? try Self.animeList() : nil))
    }
}
