import Foundation
import UsherCore
import UsherKit

#if canImport(Glibc)
    import Glibc
#endif

/// `usher-bench match`: times the matching planner on a generated library, and
/// `usher-bench eval`: scores it on the labelled evaluation set.
enum MatchBench {
    static let help = """
        usher-bench match: times `usher match`'s planner on a generated library (in process, no HTTP).

        Usage:
          swift build -c release --product usher-bench
          .build/release/usher-bench match [--movies 20000] [--series 5000] [--specials 50000] [--runs 3]
                                           [--anime-list PATH] [--seed 42] [--markdown]

        Titles are drawn from a Zipf-distributed vocabulary of 40,000 made-up words, so common words are
        common and rare ones rare, as in real titles. One movie in ten is a special of a generated series
        (its title "Series: Episode", or the episode's title alone, with the episode's year), and every
        movie has two alternate titles. With --anime-list (the real anime-list-master.xml) the list is
        parsed and used, and one movie in fifty carries an IMDb id the list knows.

        usher-bench eval [--set eval/matching.json] [--anime-list PATH] [--markdown] [--reviews | --summary]
          scores the planner on the labelled set: precision and recall of the auto-accepted proposals and
          of all proposals, with and without the Anime-Lists mapping, by kind of case, then the mistakes.
          --reviews also lists the right pairs sent to review, with their reasons (for the development
          part); --summary prints the figures only (for the held-out parts, so they stay unseen).
        """

    static func main(_ arguments: [String]) -> Int32 {
        guard let mode = arguments.first, ["match", "eval"].contains(mode) else { return 2 }
        var movies = 20_000, seriesCount = 5_000, specials = 50_000, runs = 3, seed: UInt64 = 42
        var animeListPath: String?, setPath = "eval/matching.json", markdown = false, reviews = false, summary = false
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            func value() -> String? { rest.popFirst() }
            func number() -> Int? { value().flatMap { Int($0.replacingOccurrences(of: "_", with: "")) } }
            switch argument {
            case "-h", "--help": say(help); return 0
            case "--movies": guard let n = number(), n > 0 else { return fail("--movies needs a number") }; movies = n
            case "--series": guard let n = number(), n > 0 else { return fail("--series needs a number") }; seriesCount = n
            case "--specials": guard let n = number(), n > 0 else { return fail("--specials needs a number") }; specials = n
            case "--runs": guard let n = number(), n > 0 else { return fail("--runs needs a number") }; runs = n
            case "--seed": guard let n = number(), n >= 0 else { return fail("--seed needs a number") }; seed = UInt64(n)
            case "--anime-list": guard let p = value() else { return fail("--anime-list needs a path") }; animeListPath = p
            case "--set": guard let p = value() else { return fail("--set needs a path") }; setPath = p
            case "--markdown": markdown = true
            case "--reviews": reviews = true
            case "--summary": summary = true
            default: return fail("unknown option '\(argument)' (see usher-bench match --help)")
            }
        }
        var animeList: AnimeList?
        var parseSeconds: Double?
        if let animeListPath {
            guard let data = FileManager.default.contents(atPath: animeListPath) else { return fail("cannot read \(animeListPath)") }
            let start = DispatchTime.now().uptimeNanoseconds
            do { animeList = try AnimeList.parse(Array(data)) } catch { return fail("\(animeListPath): \(error)") }
            parseSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        if mode == "eval" { return evaluate(setPath: setPath, animeList: animeList, markdown: markdown, reviews: reviews, summary: summary) }

        say("generating \(movies) movies, \(seriesCount) series, \(specials) season-0 episodes (seed \(seed))…")
        let library = MatchLibrary(movies: movies, series: seriesCount, specials: specials, seed: seed, animeList: animeList)
        var times: [Double] = []
        var result: MatchResult?
        for run in 1...runs {
            let start = DispatchTime.now().uptimeNanoseconds
            result = MatchPlanner().propose(movies: library.movies, series: library.series, animeList: animeList)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            times.append(seconds)
            say(String(format: "  run %d: %.2f s, %d proposals", run, seconds, result!.proposals.count))
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let rssMiB = Double(usage.ru_maxrss) / 1024
        let median = times.sorted()[times.count / 2]
        let found = result!.proposals.filter { library.truth[$0.movie.id] == "\($0.series.id)|\($0.episodes[0].episode)" }.count
        let auto = result!.proposals.filter { $0.status == .auto }.count
        let autoCorrect = result!.proposals.filter { $0.status == .auto && library.truth[$0.movie.id] == "\($0.series.id)|\($0.episodes[0].episode)" }.count
        say(
            String(
                format:
                    "median %.2f s over %d runs; %d candidate pairs scored (of %d movie × episode pairs); peak RSS %.0f MiB (whole process, library included)",
                median, runs, result!.candidatesScored, movies * specials, rssMiB))
        say(
            "planted specials: \(library.truth.count); proposed correctly: \(found); proposals: \(result!.proposals.count) (\(auto) auto, \(autoCorrect) of them planted pairs)"
        )
        if reviews {
            // `match --reviews`: the accepted pairs that were not planted, with their reasons.
            for p in result!.proposals where p.status == .auto && library.truth[p.movie.id] != "\(p.series.id)|\(p.episodes[0].episode)" {
                say(
                    "  not planted: \(p.movie.title) (\(p.movie.year.map(String.init) ?? "?")) → \(p.series.title) \(p.episodes[0].episode) “\(p.episodes[0].title)”: \(p.reasons.joined(separator: "; "))"
                )
            }
        }
        if let parseSeconds { say(String(format: "anime-list-master.xml parsed in %.2f s (%d entries)", parseSeconds, animeList!.entries.count)) }
        if markdown {
            let machine = MachineFacts.collect(folder: "/tmp")
            var out = "\n### Matching: \(movies) movies × \(seriesCount) series / \(specials) specials\n\n"
            out += "- Machine: \(machine.cpu), \(machine.cores) cores, \(machine.memory) RAM; \(machine.kernel)\n"
            out += "- Command: `usher-bench match --movies \(movies) --series \(seriesCount) --specials \(specials) --runs \(runs)"
            out += animeListPath == nil ? "`\n\n" : " --anime-list …/anime-list-master.xml`\n\n"
            out += "| what | figure |\n|---|---|\n"
            out += String(format: "| planner, median of %d runs | %.2f s |\n", runs, median)
            out += "| candidate pairs scored | \(result!.candidatesScored) (all pairs would be \(movies * specials)) |\n"
            out += "| planted specials found (any status) | \(found) of \(library.truth.count) |\n"
            out += "| auto-accepted / of them planted pairs | \(auto) / \(autoCorrect) |\n"
            out += "| proposals in all | \(result!.proposals.count) |\n"
            out += String(format: "| peak RSS (process, generated library included) | %.0f MiB |\n", rssMiB)
            if let parseSeconds { out += String(format: "| parsing anime-list-master.xml (%d entries) | %.2f s |\n", animeList!.entries.count, parseSeconds) }
            say(out)
        }
        return 0
    }

    static func evaluate(setPath: String, animeList: AnimeList?, markdown: Bool, reviews: Bool = false, summary: Bool = false) -> Int32 {
        let evaluation: MatchEvaluation
        do { evaluation = try MatchEvaluation(path: setPath) } catch { return fail("\(setPath): \(error)") }
        var runs: [(String, MatchEvaluation.Outcome)] = []
        if let animeList { runs.append(("with Anime-Lists", evaluation.run(animeList: animeList))) }
        runs.append(("titles, dates and runtimes only", evaluation.run(animeList: nil)))
        func pct(_ v: Double) -> String { String(format: "%.2f", v) }
        var out = "| run | cases | true pairs | auto precision | auto recall | all-proposal precision | proposed recall |\n|---|---|---|---|---|---|---|\n"
        for (name, outcome) in runs {
            let s = outcome.overall
            out +=
                "| \(name) | \(evaluation.movies.count) | \(s.truePairs) | \(pct(s.autoPrecision)) (\(s.autoCorrect)/\(s.auto)) | \(pct(s.autoRecall)) | \(pct(s.precision)) (\(s.proposedCorrect)/\(s.proposed)) | \(pct(s.recall)) |\n"
        }
        out += "\nBy kind (\(runs[0].0)):\n\n| kind | cases | auto correct / auto | proposed correct / proposed | true pairs |\n|---|---|---|---|---|\n"
        for (kind, s) in runs[0].1.byKind.sorted(by: { $0.key < $1.key }) {
            let cases = evaluation.movies.filter { $0.kind == kind }.count
            out += "| \(kind) | \(cases) | \(s.autoCorrect)/\(s.auto) | \(s.proposedCorrect)/\(s.proposed) | \(s.truePairs) |\n"
        }
        say(out)
        for (name, outcome) in runs where !outcome.overall.mistakes.isEmpty && !summary {
            say("\(markdown ? "<details><summary>" : "")Mistakes (\(name)):\(markdown ? "</summary>\n" : "")")
            for m in outcome.overall.mistakes { say("- \(m)") }
            if markdown { say("\n</details>\n") }
        }
        if reviews, !summary, !runs[0].1.overall.reviews.isEmpty {
            say("Right, but sent to review (\(runs[0].0)):")
            for r in runs[0].1.overall.reviews { say("- \(r)") }
        }
        return 0
    }

    static func fail(_ message: String) -> Int32 {
        Bench.printError(message)
        return 2
    }
}

/// A generated library for the matching benchmark.
struct MatchLibrary {
    var movies: [MatchMovie] = []
    var series: [MatchSeries] = []
    /// Movie id → `series id|episode` of the special it was made from.
    var truth: [Int: String] = [:]

    init(movies movieCount: Int, series seriesCount: Int, specials: Int, seed: UInt64, animeList: AnimeList?) {
        var random = SplitMix64(seed: seed)
        let syllables = [
            "ka", "ri", "to", "mu", "sen", "dor", "la", "vek", "an", "shi", "ro", "bel", "tan", "gu", "ne", "mor", "it", "za", "pho", "lin",
            "the", "ash", "qu", "el", "bra", "on", "yu", "kei", "dra", "fen",
        ]
        var vocabulary: [String] = []
        var seen = Set<String>()
        while vocabulary.count < 40_000 {
            let parts = random.int(2...4)  // 30 syllables: 837,900 possible words
            let word = (0..<parts).map { _ in random.pick(syllables) }.joined()
            if seen.insert(word).inserted { vocabulary.append(word) }
        }
        // Zipf: word k is drawn with probability ∝ 1/(k+1).
        var cumulative: [Double] = []
        var total = 0.0
        for k in 0..<vocabulary.count { total += 1 / Double(k + 1); cumulative.append(total) }
        func word() -> String {
            let x = random.unit() * total
            var lo = 0, hi = cumulative.count - 1
            while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] < x { lo = mid + 1 } else { hi = mid } }
            return vocabulary[lo].capitalized
        }
        func title(_ range: ClosedRange<Int>) -> String { (0..<random.int(range)).map { _ in word() }.joined(separator: " ") }
        var episodeCount = 0
        for s in 0..<seriesCount {
            let share = specials / seriesCount + (s < specials % seriesCount ? 1 : 0)
            let year = random.int(1970...2024)
            let episodes = (0..<share).map { e in
                MatchEpisode(
                    season: 0, episode: e + 1, title: random.int(0...9) == 0 ? "Special \(e + 1)" : title(2...6),
                    airDate: "\(year + random.int(0...10))-0\(random.int(1...9))-1\(random.int(0...9))", runtime: random.pick([24, 25, 45, 90, 110]))
            }
            episodeCount += episodes.count
            series.append(
                MatchSeries(
                    instance: "bench", id: s + 1, title: title(1...4), alternateTitles: [title(1...3)], tvdb: 100_000 + s, year: year, episodes: episodes))
        }
        // Release days from a stream of their own, so that the titles and years drawn stay those of earlier runs: a
        // movie made from a special came out the day it aired, any other on a day of its year.
        var days = SplitMix64(seed: seed ^ 0xDA7E)
        let imdbIDs = animeList.map { list in list.entries.filter { $0.tvdb != nil && $0.defaultSeason == 0 }.flatMap(\.imdb) } ?? []
        for m in 0..<movieCount {
            var movie = MatchMovie(
                instance: "bench", id: m + 1, title: title(1...5), alternateTitles: [title(1...5), title(2...4)],
                year: random.int(1950...2025), tmdb: 1_000_000 + m, runtime: random.int(80...150))
            if m % 10 == 0, !series.isEmpty {
                let s = random.int(0...(series.count - 1))
                if let episode = series[s].episodes.randomElement(using: &random) {
                    movie.title = random.int(0...1) == 0 ? "\(series[s].title): \(episode.title)" : episode.title
                    movie.year = Int(episode.airDate!.prefix(4))
                    movie.runtime = episode.runtime
                    movie.releaseDates = [episode.airDate!]
                    truth[m + 1] = "\(s + 1)|\(episode.episode)"
                }
            } else if m % 50 == 1, !imdbIDs.isEmpty {
                movie.imdb = imdbIDs[m % imdbIDs.count]
            }
            if movie.releaseDates.isEmpty, let year = movie.year {
                movie.releaseDates = ["\(year)-0\(days.int(1...9))-1\(days.int(0...9))"]
            }
            movies.append(movie)
        }
    }
}
