import Foundation
import Testing
import UsherCore
@testable import UsherKit

/// The labelled evaluation set in `eval/matching.json` (see `eval/README.md`), scored against the
/// goals of issue 5. The figures themselves are in BENCHMARKS.md (`usher-bench --eval`).
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
        // Traps are never auto-accepted.
        #expect(outcome.byKind["trap"]?.auto == 0, "\(summary)")
    }
}
