import Foundation
import Testing
import UsherCore

@testable import UsherKit

/// The labelled evaluation set in `eval/matching.json` (see `eval/README.md`), scored against the
/// goals of issues 5 and 13. The figures themselves are in BENCHMARKS.md (`usher-bench eval`).
@Suite("Matching evaluation set", .enabled(if: Contracts.isAvailable, Contracts.missingComment))
struct MatchEvaluationTests {
    static let setPath = Contracts.packageRoot.appendingPathComponent("eval/matching.json").path

    /// Issue 13's goals: auto-accepted precision ≥ 0.98 and recall ≥ 0.65, at least 0.85 of the true pairs
    /// proposed, proposals precision ≥ 0.9, and no trap auto-accepted.
    struct Floors: Sendable {
        var autoRecall = 0.65
        var recall = 0.85
        var precision = 0.9
        static let goals = Floors()
    }

    /// `floors` are lower for the held-out parts that do not meet every goal yet (see BENCHMARKS.md): they keep the
    /// figures from falling while the goal stays open. Auto-accepted precision and traps are never relaxed.
    func expectGoals(_ outcome: MatchEvaluation.Outcome, floors: Floors = .goals, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let score = outcome.overall
        let summary =
            "auto \(score.autoCorrect)/\(score.auto), proposed \(score.proposedCorrect)/\(score.proposed), true \(score.truePairs)\n"
            + score.mistakes.joined(separator: "\n")
        #expect(score.autoPrecision >= 0.98, "\(summary)", sourceLocation: sourceLocation)
        #expect(score.autoRecall >= floors.autoRecall, "\(summary)", sourceLocation: sourceLocation)
        #expect(score.recall >= floors.recall, "\(summary)", sourceLocation: sourceLocation)
        #expect(score.precision >= floors.precision, "\(summary)", sourceLocation: sourceLocation)
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

    /// Held-out parts B, C and G (`eval/matching-heldout-b.json`, `-c.json`, `-g.json`): films of other franchises,
    /// each written by someone who never saw the planner, and scored only when a change is done. B meets every goal
    /// since part F's changes (auto recall 0.74, then 0.76, 0.79); C since the glossary and the franchise-name rules (0.68;
    /// 0.50 at its first score). G proposes 0.89 of its pairs at 0.94 precision and accepts 24 of 37 (0.649; 0.32 at its
    /// first score): one pair under the goal of 0.65, so that one is a floor.
    @Test(
        arguments: [
            ("b", Floors.goals, 50), ("c", Floors.goals, 35), ("g", Floors(autoRecall: 0.64), 50),
        ], [true, false])
    func heldOutPartsWrittenByOthers(part: (name: String, floors: Floors, movies: Int), withAnimeList: Bool) throws {
        let evaluation = try MatchEvaluation(path: Contracts.packageRoot.appendingPathComponent("eval/matching-heldout-\(part.name).json").path)
        #expect(evaluation.movies.count >= part.movies)
        expectGoals(evaluation.run(animeList: withAnimeList ? try Self.animeList() : nil), floors: part.floors)
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

    /// Development part F (`eval/matching-dev-f.json`): 52 films of 17 more franchises by a sixth writer who never saw
    /// the planner. Its first score, before any change, met the goals narrowly (auto recall 0.65); the planner was then
    /// tuned on it (0.78).
    @Test(arguments: [true, false])
    func developmentPartFMeetsTheGoals(withAnimeList: Bool) throws {
        let evaluation = try MatchEvaluation(path: Contracts.packageRoot.appendingPathComponent("eval/matching-dev-f.json").path)
        #expect(evaluation.movies.count >= 50)
        expectGoals(evaluation.run(animeList: withAnimeList ? try Self.animeList() : nil))
    }

    /// Development part H (`eval/matching-dev-h.json`): 52 films of 16 more franchises by an eighth writer who never saw
    /// the planner, asked, like part G's, for a faithful picture of a collector's library. Its first score, before any
    /// change, was auto recall 0.59 (like G's 0.57 after part F's changes); the planner was then tuned on it (0.68).
    @Test(arguments: [true, false])
    func developmentPartHMeetsTheGoals(withAnimeList: Bool) throws {
        let evaluation = try MatchEvaluation(path: Contracts.packageRoot.appendingPathComponent("eval/matching-dev-h.json").path)
        #expect(evaluation.movies.count >= 50)
        expectGoals(evaluation.run(animeList: withAnimeList ? try Self.animeList() : nil))
    }

    /// Development part I (`eval/matching-dev-i.json`): 52 films of 19 more franchises by a ninth writer who never saw
    /// the planner, with the TMDB alternative titles Radarr lists where the writer knew them (45 of 52). Its first score,
    /// after the glossary: auto recall 0.92 (0.84 with the alternative titles taken away).
    @Test(arguments: [true, false])
    func developmentPartIMeetsTheGoals(withAnimeList: Bool) throws {
        let evaluation = try MatchEvaluation(path: Contracts.packageRoot.appendingPathComponent("eval/matching-dev-i.json").path)
        #expect(evaluation.movies.count >= 50)
        expectGoals(evaluation.run(animeList: withAnimeList ? try Self.animeList() : nil))
    }
}
