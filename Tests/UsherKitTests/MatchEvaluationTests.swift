import Foundation
import Testing
import UsherCore
@testable import UsherKit

/// The labelled evaluation set in `eval/matching.json` (see `eval/README.md`), scored against the
/// goals of issues 5 and 13. The figures themselves are in BENCHMARKS.md (`usher-bench eval`).
@Suite("Matching evaluation set", .enabled(if: Contracts.isAvailable, Contracts.missingComment))
struct MatchEvaluationTests {
    static let setPath = Contracts.packageRoot.appendingPathComponent("eval/matching.json").path

    @Test func meetsTheAccuracyGoals() throws {
        let evaluation = try MatchEvaluation(path: Self.setPath)
        #expect(evaluation.movies.count >= 150)
        #expect(evaluation.movies.filter { $0.truth == nil }.count >= 40, "traps")
        let list = try AnimeList.parse(Array(Data(contentsOf: Contracts.url("anime-lists/anime-list-master.xml"))))
        let outcome = evaluation.run(animeList: list)
        let score = outcome.overall
        let summary = "auto \(score.autoCorrect)/\(score.auto), proposed \(score.proposedCorrect)/\(score.proposed), true \(score.truePairs)\n" + score.mistakes.joined(separator: "\n")
        #expect(score.autoPrecision >= 0.98, "\(summary)")
        #expect(score.autoRecall >= 0.6, "\(summary)")
        #expect(score.recall >= 0.85, "\(summary)")
        #expect(score.precision >= 0.9, "\(summary)")
        // Traps are never auto-accepted.
        #expect(outcome.byKind["trap"]?.auto == 0, "\(summary)")
    }

    /// The held-out part (`eval/matching-heldout.json`): cases of the kinds issue 13 found missed on a real
    /// library, written before the planner changes they score and never tuned on. The goals of issue 13,
    /// with the ID list and with titles, dates and runtimes alone.
    @Test(arguments: [true, false])
    func heldOutMeetsTheGoals(withAnimeList: Bool) throws {
        let evaluation = try MatchEvaluation(path: Contracts.packageRoot.appendingPathComponent("eval/matching-heldout.json").path)
        #expect(evaluation.movies.count >= 25)
        let list = withAnimeList ? try AnimeList.parse(Array(Data(contentsOf: Contracts.url("anime-lists/anime-list-master.xml")))) : nil
        let outcome = evaluation.run(animeList: list)
        let score = outcome.overall
        let summary = "auto \(score.autoCorrect)/\(score.auto), proposed \(score.proposedCorrect)/\(score.proposed), true \(score.truePairs)\n" + score.mistakes.joined(separator: "\n")
        #expect(score.autoPrecision >= 0.98, "\(summary)")
        #expect(score.autoRecall >= 0.65, "\(summary)")
        #expect(score.recall >= 0.85, "\(summary)")
        #expect(score.precision >= 0.9, "\(summary)")
        #expect(outcome.byKind["trap"]?.auto == 0, "\(summary)")
    }
}
