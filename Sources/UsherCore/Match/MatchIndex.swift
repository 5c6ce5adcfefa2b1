#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The token index over every episode and series title, with inverse-document-frequency weights.
struct MatchIndex {
    struct Episode {
        var series: Int
        var episode: MatchEpisode
        var tokens: [Int32]
        var weight: Double
        /// The tokens that are numbers.
        var numbers: [Int32]
        /// The film number the title gives (`Movie 3: …`), left out of the tokens.
        var ordinal: Int?
    }

    struct SeriesVariant {
        var text: String
        var tokens: [Int32]
        var weight: Double
        var numbers: [Int32]
        var ordinal: Int?
    }

    struct Variant {
        var text: String
        /// Known tokens, sorted; unknown ones only add to `weight`.
        var tokens: [Int32]
        var weight: Double
        /// Known tokens that are numbers.
        var numbers: [Int32]
        /// A number no episode or series title has.
        var unknownNumber: Bool
        /// The film number the title gives (`Movie 3: …`), left out of the tokens.
        var ordinal: Int?
        /// The side after the connector of a crossover title.
        var crossover = false
    }

    /// The special episodes that are parts of one film (`… (1)`, `… (2)`), in part order.
    struct PartGroup {
        var series: Int
        var episodes: [Int]
        /// The title without its part marker.
        var tokens: [Int32]
        var weight: Double
        var numbers: [Int32]
        var ordinal: Int?
    }

    var series: [MatchSeries]
    var seriesVariants: [[SeriesVariant]] = []
    var partGroups: [PartGroup] = []
    /// Which part group an episode belongs to.
    var partGroupOf: [Int: Int] = [:]
    var episodes: [Episode] = []
    var seriesByTVDB: [Int: Int] = [:]
    var episodeBySeasonNumber: [Int: [Int: Int]] = [:]
    var episodeByAbsolute: [Int: [Int: Int]] = [:]
    /// Each series' episodes, which are contiguous in `episodes`.
    private(set) var episodeRanges: [Range<Int>] = []
    private var ids: [String: Int32] = [:]
    private var weights: [Double] = []
    private var isNumber: [Bool] = []
    /// The value of each number token (-1 for other tokens).
    private(set) var numberValue: [Int] = []
    private var episodePostings: [[Int32]] = []
    private var seriesPostings: [[Int32]] = []
    private var unknownWeight = 0.0
    /// Two tokens next to each other in some episode or series title (`black nose`): the only splits `knownParts` makes.
    private var adjacent = Set<UInt64>()
    /// Tokens in more titles than this are too common to find candidates with (they still count in scores).
    private var blockingLimit = 0

    init(series: [MatchSeries]) {
        self.series = series
        var df: [Int32] = []
        func intern(_ token: String) -> Int32 {
            if let id = ids[token] { return id }
            let id = Int32(df.count)
            ids[token] = id
            df.append(0)
            episodePostings.append([])
            seriesPostings.append([])
            isNumber.append(MatchText.isNumber(token))
            numberValue.append(MatchText.isNumber(token) ? Int(token.prefix(6)) ?? -1 : -1)
            return id
        }
        for (s, show) in series.enumerated() {
            if let tvdb = show.tvdb, seriesByTVDB[tvdb] == nil { seriesByTVDB[tvdb] = s }
            var variants: [SeriesVariant] = []
            var all = Set<Int32>()
            for title in [show.title] + show.alternateTitles.prefix(8) {
                let ordered = MatchText.tokens(title).map(intern)
                for (a, b) in zip(ordered, ordered.dropFirst()) { adjacent.insert(UInt64(UInt32(a)) << 32 | UInt64(UInt32(b))) }
                let tokens = Array(Set(ordered)).sorted()
                guard !tokens.isEmpty, !variants.contains(where: { $0.tokens == tokens }) else { continue }
                variants.append(SeriesVariant(text: title, tokens: tokens, weight: 0, numbers: tokens.filter { isNumber[Int($0)] }))
                all.formUnion(tokens)
            }
            seriesVariants.append(variants)
            for t in all.sorted() {
                df[Int(t)] += 1
                seriesPostings[Int(t)].append(Int32(s))
            }
            let firstEpisode = episodes.count
            var bySeason: [Int: Int] = [:]
            var byAbsolute: [Int: Int] = [:]
            let names = ([show.title] + show.alternateTitles.prefix(8)).map(MatchText.tokens).filter { !$0.isEmpty }
            for episode in show.episodes {
                let e = episodes.count
                var (words, ordinal) = MatchText.tokensAndOrdinal(episode.title)
                // "Psych 2: Lassie Come Home" as a special of Psych: the film's number, as on the film's side.
                if ordinal == nil, let (at, number) = MatchText.sequelNumber(words, after: { prefix in names.contains(prefix) }) {
                    ordinal = number
                    words.remove(at: at)
                }
                let ordered = words.map(intern)
                for (a, b) in zip(ordered, ordered.dropFirst()) { adjacent.insert(UInt64(UInt32(a)) << 32 | UInt64(UInt32(b))) }
                let tokens = Array(Set(ordered)).sorted()
                for t in tokens {
                    df[Int(t)] += 1
                    episodePostings[Int(t)].append(Int32(e))
                }
                episodes.append(Episode(series: s, episode: episode, tokens: tokens, weight: 0, numbers: tokens.filter { isNumber[Int($0)] }, ordinal: ordinal))
                bySeason[episode.season * 100_000 + episode.episode] = e
                if let absolute = episode.absolute { byAbsolute[absolute] = e }
            }
            // Parts of one film: the same title with markers 1…n, in one season, numbered in a row.
            var byBase: [String: [(part: Int, e: Int, base: String)]] = [:]
            for e in firstEpisode..<episodes.count {
                guard let (base, part) = MatchText.partMarker(episodes[e].episode.title) else { continue }
                byBase["\(episodes[e].episode.season)|" + MatchText.tokens(base).joined(separator: " "), default: []].append((part, e, base))
            }
            // One title may make two films in parts ("Go-Toubun no Hanayome∽ (1)", "(2)", then "Go-Toubun no Hanayome* (1)",
            // "(2)" a year later, whose marks the tokens drop): each run from a part 1 on is a film of its own.
            var runs: [[(part: Int, e: Int, base: String)]] = []
            for key in byBase.keys.sorted() {
                for entry in byBase[key]!.sorted(by: { episodes[$0.e].episode.episode < episodes[$1.e].episode.episode }) {
                    if entry.part == 1 || runs.isEmpty || runs[runs.count - 1].isEmpty {
                        runs.append([entry])
                    } else {
                        runs[runs.count - 1].append(entry)
                    }
                }
                runs.append([])  // the next title starts afresh
            }
            for parts in runs {
                guard parts.count >= 2, parts.map(\.part) == Array(1...parts.count),
                    zip(parts, parts.dropFirst()).allSatisfy({ episodes[$1.e].episode.episode == episodes[$0.e].episode.episode + 1 })
                else { continue }
                let (words, ordinal) = MatchText.tokensAndOrdinal(parts[0].base)
                let tokens = Array(Set(words.map(intern))).sorted()
                guard !tokens.isEmpty else { continue }
                for p in parts { partGroupOf[p.e] = partGroups.count }
                partGroups.append(
                    PartGroup(series: s, episodes: parts.map(\.e), tokens: tokens, weight: 0, numbers: tokens.filter { isNumber[Int($0)] }, ordinal: ordinal))
            }
            episodeRanges.append(firstEpisode..<episodes.count)
            episodeBySeasonNumber[s] = bySeason
            episodeByAbsolute[s] = byAbsolute
        }
        let documents = Double(episodes.count + series.count)
        weights = df.map { log(1 + documents / Double(1 + $0)) }
        unknownWeight = log(1 + documents)
        blockingLimit = max(200, (episodes.count + series.count) / 50)
        for e in episodes.indices { episodes[e].weight = episodes[e].tokens.reduce(0) { $0 + weights[Int($1)] } }
        for g in partGroups.indices { partGroups[g].weight = partGroups[g].tokens.reduce(0) { $0 + weights[Int($1)] } }
        for s in seriesVariants.indices {
            for v in seriesVariants[s].indices {
                seriesVariants[s][v].weight = seriesVariants[s][v].tokens.reduce(0) { $0 + weights[Int($1)] }
            }
        }
    }

    /// Whether a word is in few enough titles to find candidates with (see `blockingLimit`): "Requiem" and "Tartaros"
    /// are, a word a fifth of the library's titles hold is not. A word no title holds is.
    func isDistinctive(_ token: String) -> Bool {
        guard let id = ids[token] else { return true }
        let documents = Double(episodes.count + series.count)
        return weights[Int(id)] > log(1 + documents / Double(1 + blockingLimit))
    }

    func weight(ofCommon a: [Int32], _ b: [Int32]) -> Double {
        var total = 0.0
        var i = 0, j = 0
        while i < a.count, j < b.count {
            if a[i] < b[j] { i += 1 } else if b[j] < a[i] { j += 1 } else { total += weights[Int(a[i])]; i += 1; j += 1 }
        }
        return total
    }

    /// The weight of the tokens in all three sorted lists.
    func weight(ofCommon a: [Int32], _ b: [Int32], _ c: [Int32]) -> Double {
        var total = 0.0
        var i = 0, j = 0, k = 0
        while i < a.count, j < b.count, k < c.count {
            let x = a[i], y = b[j], z = c[k]
            if x == y, y == z { total += weights[Int(x)]; i += 1; j += 1; k += 1; continue }
            let low = min(x, y, z)
            if x == low { i += 1 }
            if y == low { j += 1 }
            if z == low { k += 1 }
        }
        return total
    }

    /// The movie's titles as token sets: title, original title, then alternate titles.
    func variants(of movie: MatchMovie) -> [Variant] {
        var out: [Variant] = []
        var texts = [movie.title]
        if let original = movie.originalTitle { texts.append(original) }
        // The collection names the franchise a title may leave out ("The Last Wizard of the Century" in
        // the "Detective Conan Collection"): the title after it, as a title of its own.
        if let collection = movie.collection.map(MatchText.collectionName), !collection.isEmpty,
            !MatchText.tokens(movie.title).starts(with: MatchText.tokens(collection))
        {
            texts.append(collection + ": " + movie.title)
        }
        texts.append(contentsOf: movie.alternateTitles)
        // A crossover ("Show A x Show B: Subtitle") is filed under one show, often as "Show B: Subtitle":
        // the side after the connector is a title of its own when the side before it names a series.
        var crossovers: [String] = []
        for text in texts.prefix(2) {
            guard let (left, right) = MatchText.crossover(text), namesSomeSeries(MatchText.tokens(left)) else { continue }
            let rest = MatchText.tokens(right)
            guard rest.count >= 2, !isOnlyASeriesName(rest) else { continue }
            crossovers.append(right)
        }
        texts.append(contentsOf: crossovers)
        for text in texts {
            var (words, ordinal) = MatchText.tokensAndOrdinal(text)
            if ordinal == nil, let (at, number) = sequelNumber(words) {
                ordinal = number
                words.remove(at: at)
            }
            // A word no title in the library has, read as the library's words it is made of: "Blacknose" is TheTVDB's "Black
            // Nose", "Magical" its "Magic".
            if words.contains(where: { ids[$0] == nil }) {
                words = words.flatMap { ids[$0] == nil ? knownParts(of: $0) ?? [$0] : [$0] }
            }
            let raw = Set(words).sorted()
            guard !raw.isEmpty else { continue }
            var known: [Int32] = []
            var weight = 0.0
            var unknownNumber = false
            for token in raw {
                if let id = ids[token] {
                    known.append(id)
                    weight += weights[Int(id)]
                } else {
                    weight += unknownWeight
                    if MatchText.isNumber(token) { unknownNumber = true }
                }
            }
            known.sort()
            guard !out.contains(where: { $0.tokens == known && abs($0.weight - weight) < 1e-9 }) else { continue }
            out.append(
                Variant(
                    text: text, tokens: known, weight: weight, numbers: known.filter { isNumber[Int($0)] }, unknownNumber: unknownNumber,
                    ordinal: ordinal, crossover: crossovers.contains(text)))
            if out.count == 16 { break }
        }
        return out
    }

    /// An unknown word as known ones: its stem without `-ing` or `-al` (`magical` → `magic`), or two words of four letters
    /// or more written together that some title has side by side (`blacknose` → `black`, `nose`; the longest first part
    /// first). Nil when none is known.
    func knownParts(of word: String) -> [String]? {
        guard word.utf8.count >= 6, !MatchText.isNumber(word) else { return nil }
        for suffix in ["ing", "al"] where word.hasSuffix(suffix) {
            let stem = String(word.dropLast(suffix.count))
            if stem.utf8.count >= 4, ids[stem] != nil { return [stem] }
        }
        let letters = Array(word)
        guard letters.count >= 8 else { return nil }
        for i in stride(from: letters.count - 4, through: 4, by: -1) {
            let first = String(letters[..<i]), second = String(letters[i...])
            if let a = ids[first], let b = ids[second], adjacent.contains(UInt64(UInt32(a)) << 32 | UInt64(UInt32(b))) { return [first, second] }
        }
        return nil
    }

    struct Scratch {
        var episodeScore: [Double]
        var seriesScore: [Double]
        var touchedEpisodes: [Int32] = []
        var touchedSeries: [Int32] = []

        init(episodes: Int, series: Int) {
            episodeScore = Array(repeating: 0, count: episodes)
            seriesScore = Array(repeating: 0, count: series)
        }
    }

    /// Candidate episodes for a movie: those sharing its rarer title words (the best 25), and every
    /// episode of a series whose title the movie's title contains. `true` marks the latter.
    func candidates(for variants: [Variant], scratch: inout Scratch) -> [(Int, Bool)] {
        var tokens = Set<Int32>()
        for v in variants { tokens.formUnion(v.tokens) }
        for t in tokens.sorted() {
            let postings = episodePostings[Int(t)]
            let seriesHits = seriesPostings[Int(t)]
            guard postings.count + seriesHits.count <= blockingLimit else { continue }
            let w = weights[Int(t)]
            for e in postings {
                if scratch.episodeScore[Int(e)] == 0 { scratch.touchedEpisodes.append(e) }
                scratch.episodeScore[Int(e)] += w
            }
            for s in seriesHits {
                if scratch.seriesScore[Int(s)] == 0 { scratch.touchedSeries.append(s) }
                scratch.seriesScore[Int(s)] += w
            }
        }
        var result: [(Int, Bool)] = []
        var named = Set<Int>()
        for s in scratch.touchedSeries {
            let score = scratch.seriesScore[Int(s)]
            // Named: some title of the series is (nearly) all in the movie's words.
            if seriesVariants[Int(s)].contains(where: { $0.weight > 0 && score >= 0.9 * $0.weight && containedInAny($0.tokens, variants) }) {
                named.insert(Int(s))
            }
            scratch.seriesScore[Int(s)] = 0
        }
        scratch.touchedSeries.removeAll(keepingCapacity: true)
        var scoredEpisodes = scratch.touchedEpisodes.map { (Int($0), scratch.episodeScore[Int($0)]) }
        for e in scratch.touchedEpisodes { scratch.episodeScore[Int(e)] = 0 }
        scratch.touchedEpisodes.removeAll(keepingCapacity: true)
        if scoredEpisodes.count > 25 {
            scoredEpisodes.sort { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
            scoredEpisodes.removeLast(scoredEpisodes.count - 25)
        }
        var seen = Set<Int>()
        for (e, _) in scoredEpisodes where seen.insert(e).inserted {
            result.append((e, named.contains(episodes[e].series)))
        }
        // A title names a few series at most: the ones with the weightiest titles.
        func titleWeight(_ s: Int) -> Double { seriesVariants[s].map(\.weight).max() ?? 0 }
        let namedSeries = Array(named.sorted { (titleWeight($0), $1) > (titleWeight($1), $0) }.prefix(4))
        for s in namedSeries {
            for e in episodeRanges[s].prefix(400) where seen.insert(e).inserted { result.append((e, true)) }
        }
        return result
    }

    /// Whether these tokens hold all of some series title.
    func namesSomeSeries(_ tokens: [String]) -> Bool {
        let known = Set(tokens.compactMap { ids[$0] })
        return known.contains { t in
            seriesPostings[Int(t)].contains { s in seriesVariants[Int(s)].contains { !$0.tokens.isEmpty && $0.tokens.allSatisfy(known.contains) } }
        }
    }

    /// A sequel's number right after a series' name, before the rest of the title (`Touch 2: The Farewell Gift`,
    /// `KochiKame 2 …`): the film's number in its franchise, as `Movie 2` is on TheTVDB's side. Its place among
    /// the tokens, and the number (1–20; not when another number follows, as in `2.0`).
    func sequelNumber(_ words: [String]) -> (Int, Int)? {
        MatchText.sequelNumber(words) { name in isOnlyASeriesName(name) && namesSomeSeries(name) }
    }

    /// Whether these tokens are all words of one series title: a name, not a title of its own.
    func isOnlyASeriesName(_ tokens: [String]) -> Bool {
        let known = tokens.compactMap { ids[$0] }
        guard known.count == tokens.count, let first = known.first else { return false }
        return seriesPostings[Int(first)].contains { s in seriesVariants[Int(s)].contains { v in known.allSatisfy { v.tokens.contains($0) } } }
    }

    /// Whether some title of series `s` is all in one of the movie's titles.
    func namesSeries(_ s: Int, _ variants: [Variant]) -> Bool {
        seriesVariants[s].contains { $0.weight > 0 && containedInAny($0.tokens, variants) }
    }

    private func containedInAny(_ tokens: [Int32], _ variants: [Variant]) -> Bool {
        variants.contains { v in
            var i = 0, j = 0
            var found = 0
            while i < tokens.count, j < v.tokens.count {
                if tokens[i] < v.tokens[j] { i += 1 } else if v.tokens[j] < tokens[i] { j += 1 } else { found += 1; i += 1; j += 1 }
            }
            return found == tokens.count
        }
    }

}
