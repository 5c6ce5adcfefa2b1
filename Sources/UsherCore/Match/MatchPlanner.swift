#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Scores movies against episodes and turns the best fits into proposals (see `Matching.swift`).
public struct MatchPlanner: Sendable {
    public var settings: MatchSettings

    public init(settings: MatchSettings = MatchSettings()) {
        self.settings = settings
    }

    /// How a rejected pair is remembered: movie, series and episodes.
    public static func pairKey(movie: String, series: String, episodes: [EpisodeNumber]) -> String {
        "\(movie)→\(series)|\(EpisodeSpec.format(episodes))"
    }

    /// Confidence of a pair found by titles, dates and runtimes alone: never enough on its own to
    /// beat an ID database, and title-only pairs reach auto-accept only when everything agrees.
    static let titleOnlyCap = 0.97
    /// A pair the Anime-Lists mapping places, whose episode Sonarr has.
    static let idBase = 0.96
    static let idWithTitles = 0.99

    public func propose(
        movies: [MatchMovie], series: [MatchSeries], animeList: AnimeList? = nil,
        exclusions: MatchExclusions = MatchExclusions(), hints: [MappingHint] = []
    ) -> MatchResult {
        let index = MatchIndex(series: series)
        let hinted = HintIndex(hints: hints, index: index)
        var scratch = MatchIndex.Scratch(episodes: index.episodes.count, series: series.count)
        var perMovie: [(movie: Int, candidates: [Candidate])] = []
        var scored = 0
        var considered = 0
        for (m, movie) in movies.enumerated() where !exclusions.isMapped(movie) {
            considered += 1
            let variants = index.variants(of: movie)
            var candidates: [Candidate] = []
            var seen = Set<Int>()
            // 1. The ID database.
            if let animeList {
                let hits = animeList.hits(tmdb: movie.tmdb, imdb: movie.imdb)
                for hit in hits {
                    guard let candidate = idCandidate(hit, hitCount: hits.count, movie: movie, variants: variants, index: index) else { continue }
                    seen.insert(candidate.episodes[0])
                    candidates.append(candidate)
                }
            }
            // 2. Titles, through the token index.
            let blocked = index.candidates(for: variants, scratch: &scratch)
            scored += blocked.count
            let namesASeries = blocked.contains { $0.1 }
            let releaseDays = movie.releaseDates.compactMap(MatchEpisode.day)
            for (e, seriesNamed) in blocked where !seen.contains(e) {
                if let candidate = titleCandidate(
                    episode: e, seriesNamed: seriesNamed, namesAnother: namesASeries && !seriesNamed,
                    movie: movie, releaseDays: releaseDays, variants: variants, index: index)
                {
                    candidates.append(candidate)
                }
            }
            // A film shown as several special episodes ("… (1)", "… (2)"): one candidate with all its parts,
            // unless the movie's own title names a part (then it is that part).
            if !index.partGroups.isEmpty, !variants.contains(where: { MatchText.partMarker($0.text) != nil }) {
                mergeParts(&candidates, movie: movie, variants: variants, index: index)
            }
            // The movie's collection names a series: that series' episodes go before the others'.
            if let name = movie.collection.map(MatchText.collectionName), !name.isEmpty, candidates.count > 1 {
                let collection = index.variants(of: MatchMovie(title: name))
                let named = Set(candidates.map(\.series).filter { index.namesSeries($0, collection) })
                if !named.isEmpty {
                    for i in candidates.indices {
                        if named.contains(candidates[i].series) {
                            candidates[i].notes.append("the movie's collection “\(movie.collection!)” names the series")
                        } else {
                            candidates[i].confidence *= 0.85
                        }
                    }
                }
            }
            // A movie whose title agrees with an episode of a series is not "only named after" that
            // series: the episodes it merely shares the series' name with drop out, unless one shares the film's
            // number, or is the only special of its year and length, and is the stronger candidate ("Assassination
            // Classroom the Movie: 365 Days' Time" is "Movie: 365-nichi no Jikan" of its year and length, not
            // "Special: Meeting Time"; "Armored Trooper Votoms: Alone Again" is "Koei Futatabi", not "Votoms Finder").
            var agreeing: [Int: Double] = [:]
            for c in candidates {
                if case .titles(let t) = c.evidence, !t.seriesOnly, t.score >= 0.5 { agreeing[c.series] = max(agreeing[c.series] ?? 0, c.confidence) }
            }
            if !agreeing.isEmpty {
                candidates.removeAll { c in
                    guard case .titles(let t) = c.evidence, t.seriesOnly, let rival = agreeing[c.series] else { return false }
                    return !(t.sameOrdinal || c.confidence >= Self.onlyFeatureReview) || c.confidence <= rival
                }
            }
            // An ID mapping against the titles: when the episode Anime-Lists names shares nothing with the
            // film's titles while another episode of that series carries them, the mapping is likely stale
            // (TheTVDB renumbers specials): the title's episode goes first, and a person decides.
            overruleStaleIDs(&candidates, variants: variants, index: index)
            // A person said which show the movie belongs to (a hint in the mapping file): its episodes are
            // the candidates, every one of them, and no other show's.
            if let hintedSeries = hinted.series(for: movie) {
                candidates.removeAll { if case .titles = $0.evidence { true } else { false } }
                for e in index.episodeRanges[hintedSeries] where !candidates.contains(where: { $0.episodes.contains(e) }) {
                    candidates.append(hintedCandidate(episode: e, movie: movie, variants: variants, index: index))
                }
                candidates.removeAll { $0.series != hintedSeries }
                for i in candidates.indices {
                    candidates[i].notes.insert("the mapping file's hints say the movie is an episode of “\(index.series[hintedSeries].title)”", at: 0)
                }
            }
            // What was decided before stays decided.
            candidates.removeAll { c in
                let s = index.series[c.series]
                let numbers = c.episodes.map { index.episodes[$0].episode.number }
                return exclusions.rejectedPairs.contains(Self.pairKey(movie: movie.key, series: s.key, episodes: numbers))
                    || numbers.contains { exclusions.isClaimed(s, $0) }
            }
            guard !candidates.isEmpty else { continue }
            // Ties are broken by place in the library, so that every run (a dry run too) decides alike.
            candidates.sort { ($0.confidence, $1.episodes[0]) > ($1.confidence, $0.episodes[0]) }
            perMovie.append((m, candidates))
        }
        // One movie fitting several episodes: the best one is less certain when another is close.
        var chosen: [(movie: Int, candidate: Candidate)] = []
        for (m, candidates) in perMovie {
            var best = candidates[0]
            if candidates.count > 1 {
                let runnerUp = candidates[1]
                if runnerUp.confidence >= best.confidence - 0.05 {
                    best.confidence *= 0.85
                    best.contested = true
                    best.notes.append("also fits \(describe(runnerUp, index)) (\(formatConfidence(runnerUp.confidence)))")
                }
            }
            chosen.append((m, best))
        }
        // Two movies wanting one episode: all of them go to review, the weaker ones lowered.
        var byEpisode: [Int: [Int]] = [:]
        for (i, entry) in chosen.enumerated() {
            for e in entry.candidate.episodes { byEpisode[e, default: []].append(i) }
        }
        for (_, all) in byEpisode.sorted(by: { $0.key < $1.key }) where all.count > 1 {
            // Only claims strong enough to be proposed compete.
            let claimants = all.filter { chosen[$0].candidate.confidence >= settings.minimum }
            guard claimants.count > 1 else { continue }
            let ordered = claimants.sorted { (chosen[$0].candidate.confidence, $1) > (chosen[$1].candidate.confidence, $0) }
            let top = chosen[ordered[0]].candidate.confidence
            let close = chosen[ordered[1]].candidate.confidence >= top - 0.1
            for (rank, i) in ordered.enumerated() {
                let others = ordered.filter { $0 != i }.map { movies[chosen[$0].movie].label }
                var c = chosen[i].candidate
                if rank > 0 {
                    c.confidence *= 0.7
                    c.contested = true
                } else if close {
                    // Neither is clearly the one: a person decides.
                    c.confidence *= 0.9
                    c.contested = true
                }
                c.notes.append("\(others.joined(separator: ", ")) also \(others.count == 1 ? "wants" : "want") this episode")
                chosen[i].candidate = c
            }
        }
        var proposals: [MatchProposal] = []
        for (m, c) in chosen where c.confidence >= settings.minimum {
            var s = index.series[c.series]
            s.episodes = []
            let confidence = (c.confidence * 1000).rounded() / 1000
            proposals.append(
                MatchProposal(
                    movie: movies[m], series: s, episodes: c.episodes.map { index.episodes[$0].episode },
                    confidence: confidence, reasons: reasons(c, movie: movies[m], index: index),
                    status: confidence >= settings.autoAccept && !c.contested ? .auto : .review))
        }
        proposals.sort { a, b in
            if a.confidence != b.confidence { return a.confidence > b.confidence }
            let ka = (TitleMatching.normalize(a.movie.title), a.movie.year ?? 0)
            let kb = (TitleMatching.normalize(b.movie.title), b.movie.year ?? 0)
            return ka < kb
        }
        return MatchResult(proposals: proposals, moviesConsidered: considered, candidatesScored: scored)
    }

    struct Candidate {
        var series: Int
        /// Indexes into `MatchIndex.episodes`.
        var episodes: [Int]
        var confidence: Double
        /// What the confidence rests on; put into words only for the pairs that are proposed.
        var evidence: Evidence
        /// Conflicts, already in words.
        var notes: [String] = []
        var contested = false
    }

    enum Evidence {
        case anime(AnimeList.MovieHit, hitCount: Int, support: Support)
        case titles(TitleScore)
        /// An episode of the show a hint in the mapping file names.
        case hint(TitleScore)
    }

    enum Support {
        case none
        case title(TitleScore)
        case namesSeries
    }

    enum NumberNote { case differ, movieOnly, episodeOnly, ordinalsDiffer }

    struct TitleScore {
        var score: Double
        var variant = 0
        /// The series title used with the episode title; -1: the episode title alone.
        var seriesVariant = -1
        var numbers: NumberNote?
        /// Only the series' name matched (`Cowboy Bebop: The Movie`).
        var seriesOnly = false
        /// Named after the series only, but with the episode's film number (`Movie 2`).
        var sameOrdinal = false
        /// How much of the episode's title (by weight) the movie's title holds.
        var episodeCoverage = 0.0

        /// Every word of the episode's title is in the film's: only the film has words the other lacks.
        var coversEpisode: Bool { !seriesOnly && episodeCoverage >= 0.9 }
    }

    private func idCandidate(_ hit: AnimeList.MovieHit, hitCount: Int, movie: MatchMovie, variants: [MatchIndex.Variant], index: MatchIndex) -> Candidate? {
        guard let s = index.seriesByTVDB[hit.placement.tvdb] else { return nil }
        var episodes: [Int] = []
        for number in hit.placement.episodes {
            let found: Int? =
                if let season = hit.placement.season {
                    index.episodeBySeasonNumber[s]?[season * 100_000 + number]
                } else {
                    index.episodeByAbsolute[s]?[number]
                }
            guard let found else { return nil }  // the list names an episode Sonarr does not have
            episodes.append(found)
        }
        let title = titleScore(variants: variants, episode: episodes[0], index: index)
        var confidence = Self.idBase
        var support = Support.none
        if title.score >= 0.4 {
            confidence = Self.idWithTitles
            support = .title(title)
        } else if index.namesSeries(s, variants) {
            confidence = Self.idWithTitles
            support = .namesSeries
        }
        if yearFactor(movie.year, index.episodes[episodes[0]].episode) < 0.9 { confidence = min(confidence, 0.9) }
        if hitCount > 1 { confidence *= 0.9 }
        return Candidate(series: s, episodes: episodes, confidence: confidence, evidence: .anime(hit, hitCount: hitCount, support: support))
    }

    private func titleCandidate(
        episode e: Int, seriesNamed: Bool, namesAnother: Bool, movie: MatchMovie, releaseDays: [Int], variants: [MatchIndex.Variant], index: MatchIndex
    ) -> Candidate? {
        let entry = index.episodes[e]
        var title = titleScore(variants: variants, episode: e, index: index)
        let runtime = runtimeFactor(movie.runtime, entry.episode.runtime)
        let long = (entry.episode.runtime ?? 0) >= 60 && runtime >= 1
        let movieOrdinal = entry.ordinal == nil ? nil : variants.lazy.compactMap(\.ordinal).first
        if seriesNamed, let movieOrdinal, movieOrdinal == entry.ordinal {
            // Named after the series, with the episode's film number ("Max Heart the Movie 2" and
            // "Movie 2: Max Heart 2 - Yukizora no Tomodachi"): as good as a fair title match.
            if title.score < (long ? 0.8 : 0.65) {
                title = TitleScore(score: long ? 0.8 : 0.65, seriesOnly: true, sameOrdinal: true)
            } else {
                title.sameOrdinal = true
            }
        } else if title.score < 0.3 {
            // The movie is named after the series ("Cowboy Bebop: The Movie") but not after this
            // episode: a weak hint that dates and runtime must carry, unless the film numbers differ.
            guard seriesNamed, movieOrdinal == nil || movieOrdinal == entry.ordinal else { return nil }
            title = TitleScore(score: long ? 0.7 : 0.55, seriesOnly: true)
        }
        let year = yearFactor(movie.year, entry.episode)
        let named = seriesNamed && !title.seriesOnly && (movieOrdinal == nil || movieOrdinal == entry.ordinal)
        var confidence = min(Self.namedSeriesScore(title.score, named: named, long: long, year: year) * year * runtime, Self.titleOnlyCap)
        guard confidence >= 0.2 else { return nil }
        var notes: [String] = []
        // Not when the film's title names another series: "Star Knights: Festival of Lanterns" against
        // Moon Guard's "Festival of Lanterns" is for a person to judge.
        if title.coversEpisode, !namesAnother, title.score >= Self.corroboratedTitle, let minutes = entry.episode.runtime,
            corroborates(movie, year: entry.episode.airYear, minutes: minutes)
        {
            confidence = max(confidence, Self.corroborated)
            notes.append(Self.corroborationNote)
        } else if title.sameOrdinal, !namesAnother, confidence < Self.corroborated, let minutes = entry.episode.runtime,
            corroborates(movie, year: entry.episode.airYear, minutes: minutes)
        {
            // Named after the series with the episode's film number ("Touch 3: Don't Pass Me By" and "Movie 3: Kimi
            // ga Toorisugita Ato ni"), released the year it aired and as long: four things agree, the words aside.
            confidence = Self.corroborated
            notes.append(Self.sameNumberNote)
        } else if seriesNamed, !namesAnother, confidence < Self.onlyFeatureConfidence, movieOrdinal == nil || movieOrdinal == entry.ordinal,
            let minutes = entry.episode.runtime, corroborates(movie, year: entry.episode.airYear, minutes: minutes),
            let year = movie.year, startsWithSeries(variants, entry.series, index: index)
        {
            // Named after the series, and the series has one feature-length special near that year, as long
            // as the film and of its year: the title's words may be another language's ("Saishuu Seisen no
            // Senshitachi" and "Warriors of the Final Holy Battle"). Accepted: on the development parts (D, E) this
            // was right every time it fired, and a film TheTVDB does not list would have to share the year and the
            // length within 3 minutes with the series' only feature special of those years.
            // Or the series has other feature-length specials near that year, but none as long as the film (part F:
            // a film in two halves a week apart across New Year, 100 and 95 minutes).
            // Accepted only as "Series: Subtitle" (the series' name, then a colon or a dash): a title that merely
            // begins with a short series' name ("Lost in Translation" and Lost) is for a person to judge.
            // The film's words after the series' name, when all are in the special's title ("Saiyuki Requiem" and
            // "Gekijouban: Requiem - …", "Space Brothers #0" and "Uchuu Kyoudai #0").
            let rest = restInEpisode(variants, entry.series, episode: e, index: index)
            var note: String? =
                onlyFeature(of: entry.series, near: year, but: e, index: index)
                ? Self.onlyFeatureNote : onlyOneAsLong(movie, series: entry.series, but: e, index: index) ? Self.onlyOneAsLongNote : nil
            // Or a sibling is as long, but the film's other words are in this special's title alone ("Appleseed XIII:
            // Tartaros" and "… Remix-ban: Yuigon - Tartaros", beside "… Yogen - Ouranos" of the same month).
            if note == nil, let rest, onlyHolder(of: rest, series: entry.series, but: e, index: index) { note = Self.onlyHolderNote }
            // Or the title agrees fairly, and no other special's title holds all the rare words it shares with this one
            // ("Kinnikuman: Crisis in New York!" and "New York Kiki Ippatsu!", beside other films of that year and length).
            if note == nil, !title.seriesOnly, title.score >= 0.5, sharedOnlyHere(variants, entry.series, episode: e, index: index) {
                note = Self.sharedOnlyHereNote
            }
            if let note {
                let subtitled = subtitled(variants, entry.series, index: index)
                confidence = max(confidence, subtitled || rest != nil ? Self.onlyFeatureConfidence : Self.onlyFeatureReview)
                notes.append(!subtitled && rest != nil && note != Self.onlyHolderNote ? note + Self.restInEpisodeNote : note)
            }
        }
        // Released the day the special aired (a day either way, for time zones), as long as it, and no other special of
        // the series aired then: with a title that names the series or shares the special's words, a day and a length
        // that agree are too unlikely a coincidence to doubt ("Captain Tsubasa: Run Toward Tomorrow!" and "Movie 3: Asu ni
        // Mukatte Hashire!" of 1986-03-15 and 60 minutes, beside "Movie 2" of three months before, as long).
        // Named as a franchise names a film ("Series: Subtitle"), or a title that agrees well: a title that merely holds
        // the series' name ("Fargo") or a few of the special's common words is not enough with a day.
        if !releaseDays.isEmpty, confidence < Self.sameDay, !namesAnother, movieOrdinal == nil || movieOrdinal == entry.ordinal,
            let aired = entry.episode.airDay, let day = releaseDays.first(where: { abs($0 - aired) <= 1 }),
            asLong(movie.runtime, entry.episode.runtime),
            (!title.seriesOnly && title.score >= Self.corroboratedTitle) || (seriesNamed && subtitled(variants, entry.series, index: index)),
            onlySpecialAired(near: day, series: entry.series, but: e, index: index)
        {
            confidence = Self.sameDay
            notes.append("released \(entry.episode.airDate?.prefix(10) ?? ""), the day it aired, and as long as the film")
        }
        return Candidate(series: entry.series, episodes: [e], confidence: confidence, evidence: .titles(title), notes: notes)
    }

    /// The title score a pair's confidence starts from. Named after the series, within a year of the special, a title that
    /// shares a word or two with the episode is no weaker a hint than one that shares none (the level a title named after
    /// the series alone gets), and a little stronger: "The Two Doctors of Darkness" (in the Black Jack collection) shares
    /// only "two" with "Futari no Kuroi Isha", and scored under the series' other specials that share nothing.
    static func namedSeriesScore(_ score: Double, named: Bool, long: Bool, year: Double) -> Double {
        guard named, year >= 0.97 else { return score }
        return max(score, (long ? 0.7 : 0.55) + 0.15 * score)
    }

    /// A release on the day the special aired, with the length and the series: as sure as corroborated titles.
    static let sameDay = 0.96

    /// Both lengths known and within 15% of each other: a film is not the half-hour TV special aired the day it opened.
    private func asLong(_ movie: Int?, _ episode: Int?) -> Bool {
        guard let movie, let episode, movie > 0, episode > 0 else { return false }
        return Double(min(movie, episode)) / Double(max(movie, episode)) >= 0.85
    }

    /// Whether no other special of series `s` (`e`'s own parts aside) aired within a day of `day`.
    private func onlySpecialAired(near day: Int, series s: Int, but e: Int, index: MatchIndex) -> Bool {
        let group = index.partGroupOf[e]
        for other in index.episodeRanges[s] where other != e && (group == nil || index.partGroupOf[other] != group) {
            if let aired = index.episodes[other].episode.airDay, abs(aired - day) <= 1 { return false }
        }
        return true
    }

    /// A film whose title holds every word of the episode's, close enough overall, released the year the
    /// special aired and as long as it: the words only the film has ("The Final Chapter") no longer hold it back.
    static let corroboratedTitle = 0.7
    /// Above the default auto-accept threshold, below agreeing titles and IDs.
    static let corroborated = 0.96
    public static let corroborationNote = "the same year and the same feature length: the title's other words are forgiven"

    static let sameNumberNote = "named after the series with the episode's film number, released the year it aired and as long"

    /// Just above the default auto-accept threshold, below agreeing titles (`corroborated`) and IDs: the series'
    /// name, the year, a feature length within 3 minutes, and no other feature-length special within a year.
    static let onlyFeatureConfidence = 0.955
    /// The same when the series' name is not followed by a colon or a dash: below the auto-accept threshold.
    static let onlyFeatureReview = 0.9
    static let onlyFeatureNote = "named after the series, and its only feature-length special of that year, as long as the film"
    static let onlyOneAsLongNote = "named after the series, and its only special near that year as long as the film"

    /// Whether one of the movie's titles begins with a title of series `s` and goes on ("Saint Seiya: …",
    /// "Cowboy Bebop: The Movie"), which a title that merely holds the series' words somewhere, or is only
    /// the series' name ("Fargo"), does not.
    private func startsWithSeries(_ variants: [MatchIndex.Variant], _ s: Int, index: MatchIndex) -> Bool {
        // Folded as tokens are (`Gunso` = `Gunsou`), a year in parentheses left out (`Black Jack (2004)`), film words kept
        // (`Cowboy Bebop: The Movie` goes on after the name).
        func words(_ text: String) -> [String] {
            TitleMatching.normalize(MatchText.stripParenthesizedYears(text)).split(separator: " ").map { MatchText.fold($0) }
        }
        let names = index.seriesVariants[s].map { words($0.text) }.filter { !$0.isEmpty }
        return variants.contains { variant in
            let title = words(variant.text)
            return names.contains { title.count > $0.count && title.starts(with: $0) }
        }
    }

    /// Whether one of the movie's titles names series `s` as a franchise does: its name (maybe with a number, or
    /// `Part` and a number), then a colon, a dash or a tilde ("Kochikame: The Movie", "Touch 3: …", "Kabaneri of
    /// the Iron Fortress Part 1: …", "Free! -Timeless Medley-",
    /// "Kaguya-sama: Love Is War - The First Kiss…"), or then a title with a film word ("Love Live! The School
    /// Idol Movie"). A title that merely begins with the words of a short series' name ("Lost in Translation"
    /// and Lost) does not.
    private func subtitled(_ variants: [MatchIndex.Variant], _ s: Int, index: MatchIndex) -> Bool {
        let names = Set(index.seriesVariants[s].map { MatchText.tokens($0.text) }.filter { !$0.isEmpty })
        let separators: Set<Character> = [":", "-", "–", "—", "~", "～", "("]
        return variants.contains { variant in
            let words = variant.text.split(separator: " ")
            guard words.count > 1 else { return false }
            for i in 1..<words.count {
                let prefix = words[..<i].joined(separator: " ")
                // The name, maybe with a film's number after it ("Touch 3:"), or a name that ends with a number ("Digimon
                // Adventure 02:").
                var tokens = MatchText.tokens(prefix)
                if !names.contains(tokens), tokens.count > 1, let last = tokens.last, MatchText.isNumber(last) { tokens.removeLast() }
                guard names.contains(tokens) else { continue }
                if let last = prefix.last, separators.contains(last) { return true }
                if let next = words[i].first, separators.contains(next) { return true }
                // "Mazinger Z vs. the Great General of Darkness": the series' film against a foe (a crossover names the
                // other series, which the callers rule out).
                if ["vs", "vs.", "versus"].contains(words[i].lowercased()), i + 1 < words.count { return true }
                // "… Part 1: Subtitle"
                if i + 1 < words.count, words[i].lowercased() == "part", MatchText.isNumber(String(words[i + 1].filter { !separators.contains($0) })) {
                    if let last = words[i + 1].last, separators.contains(last) { return true }
                    if i + 2 < words.count, let next = words[i + 2].first, separators.contains(next) { return true }
                }
                let rest = TitleMatching.normalize(words[i...].joined(separator: " ")).split(separator: " ")
                if rest.contains(where: { MatchText.filler.contains(String($0)) || $0 == "gekijouban" }) { return true }
                // Else a longer name may follow ("Digimon Adventure" and "Digimon Adventure 02: …").
            }
            return false
        }
    }

    static let restInEpisodeNote = ", and the title's other words are the special's"

    static let onlyHolderNote = "named after the series, released the year it aired and as long, and the title's other words are in this special's title alone"

    /// The words of one of the movie's titles after a title of series `s`, when they are all in episode `e`'s title
    /// (film words such as "Movie" aside) and one of them is distinctive: "Saiyuki Requiem" (Saiyuki) and
    /// "Gekijouban: Requiem - Erabarezaru…".
    private func restInEpisode(_ variants: [MatchIndex.Variant], _ s: Int, episode e: Int, index: MatchIndex) -> [String]? {
        let names = index.seriesVariants[s].map { MatchText.tokens($0.text) }.filter { !$0.isEmpty }
        let episode = Set(MatchText.tokens(index.episodes[e].episode.title))
        for variant in variants {
            let title = MatchText.tokens(variant.text)
            for name in names where title.count > name.count && title.starts(with: name) {
                let rest = title.dropFirst(name.count).filter { !MatchText.filler.contains($0) }
                // At least one of them a word few titles hold: a common word shared proves nothing.
                if !rest.isEmpty, rest.allSatisfy(episode.contains), rest.contains(where: index.isDistinctive) { return Array(rest) }
            }
        }
        return nil
    }

    static let sharedOnlyHereNote =
        "named after the series, released the year it aired and as long, and no other special's title holds the rare words its title shares with this special's"

    /// Whether one of the movie's titles begins with a title of series `s` and shares distinctive words with episode `e`'s
    /// title that no other special of the series (`e`'s own parts aside) has all of.
    private func sharedOnlyHere(_ variants: [MatchIndex.Variant], _ s: Int, episode e: Int, index: MatchIndex) -> Bool {
        let names = index.seriesVariants[s].map { MatchText.tokens($0.text) }.filter { !$0.isEmpty }
        let episode = Set(MatchText.tokens(index.episodes[e].episode.title))
        let group = index.partGroupOf[e]
        let siblings = index.episodeRanges[s].filter { $0 != e && (group == nil || index.partGroupOf[$0] != group) }
            .map { Set(MatchText.tokens(index.episodes[$0].episode.title)) }
        for variant in variants {
            let title = MatchText.tokens(variant.text)
            for name in names where title.count > name.count && title.starts(with: name) {
                let shared = Set(title.dropFirst(name.count).filter { episode.contains($0) && !MatchText.filler.contains($0) && index.isDistinctive($0) })
                if !shared.isEmpty, !siblings.contains(where: { shared.isSubset(of: $0) }) { return true }
            }
        }
        return false
    }

    /// Whether no other special of series `s` (`e`'s own parts aside) has all of `words` in its title.
    private func onlyHolder(of words: [String], series s: Int, but e: Int, index: MatchIndex) -> Bool {
        let group = index.partGroupOf[e]
        for other in index.episodeRanges[s] where other != e && (group == nil || index.partGroupOf[other] != group) {
            let title = Set(MatchText.tokens(index.episodes[other].episode.title))
            if words.allSatisfy(title.contains) { return false }
        }
        return true
    }

    /// Whether episode `e` is the only special of series `s` at feature length (40 minutes or more) that aired
    /// within a year of `year` (its own parts aside).
    private func onlyFeature(of s: Int, near year: Int, but e: Int, index: MatchIndex) -> Bool {
        let group = index.partGroupOf[e]
        for other in index.episodeRanges[s] where other != e && (group == nil || index.partGroupOf[other] != group) {
            let episode = index.episodes[other].episode
            guard let aired = episode.airYear, abs(aired - year) <= 1, (episode.runtime ?? 0) >= 40 else { continue }
            return false
        }
        return true
    }

    /// Whether episode `e` is the only special of series `s` within a year of the movie that is as long as it
    /// (within `corroborates`' margin), its own parts aside: a film in two halves a week apart, across New Year
    /// ("Kabaneri … Part 1" of 2016 and 100 minutes, "Part 2" of 2017 and 95), is told apart by its length though
    /// each half has a feature-length sibling within a year. (A sibling as long a year apart still blocks: a
    /// film's year on TMDB and its special's air date may differ by one.)
    private func onlyOneAsLong(_ movie: MatchMovie, series s: Int, but e: Int, index: MatchIndex) -> Bool {
        let group = index.partGroupOf[e]
        for other in index.episodeRanges[s] where other != e && (group == nil || index.partGroupOf[other] != group) {
            let episode = index.episodes[other].episode
            guard let minutes = episode.runtime, let aired = episode.airYear, let year = movie.year, abs(aired - year) <= 1,
                corroborates(movie, year: year, minutes: minutes)
            else { continue }
            return false
        }
        return true
    }

    /// Released the year the special aired, and as long as it within 3 minutes (or 3%), at least 40 minutes:
    /// few specials of one show share both.
    private func corroborates(_ movie: MatchMovie, year: Int?, minutes: Int) -> Bool {
        guard let movieYear = movie.year, let year, movieYear == year, let runtime = movie.runtime, minutes >= 40 else { return false }
        return abs(runtime - minutes) <= max(3, Int((Double(max(runtime, minutes)) * 0.03).rounded()))
    }

    /// See `propose`: an ID candidate whose episode title disagrees with the film's, against a title
    /// candidate of the same series that agrees strongly.
    private func overruleStaleIDs(_ candidates: inout [Candidate], variants: [MatchIndex.Variant], index: MatchIndex) {
        for i in candidates.indices {
            guard case .anime(_, _, let support) = candidates[i].evidence else { continue }
            if case .title = support { continue }
            let idEpisode = index.episodes[candidates[i].episodes[0]].episode
            guard titleScore(variants: variants, episode: candidates[i].episodes[0], index: index).score < 0.3 else { continue }
            let rivals = candidates.indices.filter { j in
                guard candidates[j].series == candidates[i].series, candidates[j].episodes != candidates[i].episodes,
                    case .titles(let t) = candidates[j].evidence
                else { return false }
                return !t.seriesOnly && t.score >= 0.75 && t.numbers == nil
            }
            guard let j = rivals.max(by: { candidates[$0].confidence < candidates[$1].confidence }) else { continue }
            let titled = index.episodes[candidates[j].episodes[0]].episode
            let note =
                "Anime-Lists says \(idEpisode.number), but its title “\(idEpisode.title)” shares nothing with the film's; "
                + "\(titled.number) “\(titled.title)” matches the film's title"
            candidates[j].confidence = max(candidates[j].confidence, 0.9)
            candidates[j].contested = true
            candidates[j].notes.append(note)
            candidates[i].confidence = min(candidates[i].confidence, candidates[j].confidence) * 0.8
            candidates[i].contested = true
            candidates[i].notes.append(note)
        }
    }

    /// Replaces the candidates that are parts of one film by a single candidate holding every part,
    /// scored on the title without its part marker and on the parts' runtimes together.
    private func mergeParts(_ candidates: inout [Candidate], movie: MatchMovie, variants: [MatchIndex.Variant], index: MatchIndex) {
        // Only title candidates make way: an ID mapping to one part stays, to be weighed against the whole.
        func isPart(_ c: Candidate, of group: MatchIndex.PartGroup) -> Bool {
            guard c.episodes.count == 1, group.episodes.contains(c.episodes[0]), case .titles = c.evidence else { return false }
            return true
        }
        var groups: [Int] = []
        for c in candidates where c.episodes.count == 1 {
            if let g = index.partGroupOf[c.episodes[0]], !groups.contains(g) { groups.append(g) }
        }
        for g in groups {
            let group = index.partGroups[g]
            // Another piece of evidence (Anime-Lists' `1-2+3`) already names the whole film: its parts go.
            if candidates.contains(where: { $0.episodes == group.episodes }) {
                candidates.removeAll { isPart($0, of: group) }
                continue
            }
            var title = titleScore(variants: variants, title: (group.tokens, group.weight, group.numbers, group.ordinal), series: group.series, index: index)
            guard title.score >= 0.3 else { continue }
            title.seriesOnly = false
            let first = index.episodes[group.episodes[0]].episode
            let parts = group.episodes.map { "“\(index.episodes[$0].episode.title)”" }.joined(separator: ", ")
            let runtimes = group.episodes.compactMap { index.episodes[$0].episode.runtime }
            let runtime = runtimes.count == group.episodes.count ? runtimeFactor(movie.runtime, runtimes.reduce(0, +)) : 1
            let long = runtimes.reduce(0, +) >= 60 && runtime >= 1
            let year = yearFactor(movie.year, first)
            let named = index.namesSeries(group.series, variants)
            var confidence = min(Self.namedSeriesScore(title.score, named: named, long: long, year: year) * year * runtime, Self.titleOnlyCap)
            var notes = ["one film in \(group.episodes.count) parts: \(parts)"]
            if title.episodeCoverage >= 0.9, title.score >= Self.corroboratedTitle, runtimes.count == group.episodes.count,
                corroborates(movie, year: first.airYear, minutes: runtimes.reduce(0, +))
            {
                confidence = max(confidence, Self.corroborated)
                notes.append(Self.corroborationNote)
            }
            let best = candidates.filter { $0.episodes.count == 1 && group.episodes.contains($0.episodes[0]) }.map(\.confidence).max() ?? 0
            guard confidence > best else { continue }
            candidates.removeAll { isPart($0, of: group) }
            candidates.append(
                Candidate(
                    series: group.series, episodes: group.episodes, confidence: confidence, evidence: .titles(title),
                    notes: notes))
        }
    }

    /// An episode of the show a hint names: the show is known, so any title agreement with the
    /// episode counts, and dates and runtimes decide the rest.
    private func hintedCandidate(episode e: Int, movie: MatchMovie, variants: [MatchIndex.Variant], index: MatchIndex) -> Candidate {
        let entry = index.episodes[e]
        let title = titleScore(variants: variants, episode: e, index: index)
        let runtime = runtimeFactor(movie.runtime, entry.episode.runtime)
        let confidence = min((0.5 + 0.5 * title.score) * yearFactor(movie.year, entry.episode) * runtime, Self.titleOnlyCap)
        return Candidate(series: entry.series, episodes: [e], confidence: confidence, evidence: .hint(title))
    }

    /// The best title agreement between any of the movie's titles and the episode's title, alone or
    /// after any of its series' titles.
    private func titleScore(variants: [MatchIndex.Variant], episode e: Int, index: MatchIndex) -> TitleScore {
        let entry = index.episodes[e]
        return titleScore(variants: variants, title: (entry.tokens, entry.weight, entry.numbers, entry.ordinal), series: entry.series, index: index)
    }

    @inline(__always)
    private func titleScore(
        variants: [MatchIndex.Variant], title entry: (tokens: [Int32], weight: Double, numbers: [Int32], ordinal: Int?), series: Int,
        index: MatchIndex
    ) -> TitleScore {
        let seriesVariants = index.seriesVariants[series]
        var best = TitleScore(score: 0)
        guard entry.weight > 0 else { return best }
        for (v, variant) in variants.enumerated() where variant.weight > 0 {
            let onEpisode = index.weight(ofCommon: variant.tokens, entry.tokens)
            let episodeCoverage = onEpisode / entry.weight
            guard episodeCoverage > 0 else { continue }
            for s in -1..<seriesVariants.count {
                // Movie words found in the episode title or in this series title.
                var matched = onEpisode
                if s >= 0 {
                    let series = seriesVariants[s].tokens
                    matched += index.weight(ofCommon: variant.tokens, series) - index.weight(ofCommon: variant.tokens, series, entry.tokens)
                }
                var score = (matched / variant.weight * episodeCoverage).squareRoot()
                guard score > best.score else { continue }
                // Numbers must agree: "Psych 2" is not "Psych: The Movie", "Part 1" is not "Part 2".
                // A film number on the other side counts as that number ("Max Heart the Movie 2" has the 2 of "Max Heart 2").
                let movieExtra =
                    variant.unknownNumber
                    || variant.numbers.contains { n in
                        !entry.numbers.contains(n) && !(s >= 0 && seriesVariants[s].numbers.contains(n)) && index.numberValue[Int(n)] != entry.ordinal
                    }
                let episodeExtra = entry.numbers.contains { !variant.numbers.contains($0) && index.numberValue[Int($0)] != variant.ordinal }
                var note: NumberNote?
                if movieExtra, episodeExtra {
                    score *= 0.3; note = .differ
                } else if movieExtra {
                    score *= 0.7; note = .movieOnly
                } else if episodeExtra {
                    score *= 0.7; note = .episodeOnly
                }
                // Film numbers count only when both titles give one ("Movie 1" is not "Movie 2").
                if let a = variant.ordinal, let b = entry.ordinal, a != b { score *= 0.3; note = .ordinalsDiffer }
                if score > best.score { best = TitleScore(score: score, variant: v, seriesVariant: s, numbers: note, episodeCoverage: episodeCoverage) }
            }
        }
        return best
    }

    /// The evidence of a proposed pair, in words.
    func reasons(_ c: Candidate, movie: MatchMovie, index: MatchIndex) -> [String] {
        let variants = index.variants(of: movie)
        let entry = index.episodes[c.episodes[0]]
        let series = index.series[c.series]
        var out: [String] = []
        func title(_ t: TitleScore) {
            guard !t.seriesOnly, t.variant < variants.count else {
                out.append(
                    t.sameOrdinal
                        ? "the movie is named after the series “\(series.title)” and the film number, not after this episode's other words"
                        : "the movie is named after the series “\(series.title)”, not after this episode")
                return
            }
            let seriesPart = t.seriesVariant < 0 ? "" : "“\(index.seriesVariants[c.series][t.seriesVariant].text)” + "
            out.append("title “\(variants[t.variant].text)” ~ \(seriesPart)“\(entry.episode.title)” (\(formatConfidence(t.score)))")
            if variants[t.variant].crossover { out.append("“\(movie.title)” is a crossover: its side after the “x” or “vs.” is filed under this series") }
        }
        func numbers(_ t: TitleScore) {
            guard let note = t.numbers, t.variant < variants.count else { return }
            let movieNumbers = MatchText.tokens(variants[t.variant].text).filter(MatchText.isNumber)
            let episodeNumbers = MatchText.tokens(entry.episode.title).filter(MatchText.isNumber)
            switch note {
            case .differ:
                out.append("numbers differ: \(movieNumbers.joined(separator: ", ")) in the movie, \(episodeNumbers.joined(separator: ", ")) in the episode")
            case .movieOnly: out.append("the movie's number \(movieNumbers.joined(separator: ", ")) is not in the episode title")
            case .episodeOnly: out.append("the episode's number \(episodeNumbers.joined(separator: ", ")) is not in the movie title")
            case .ordinalsDiffer:
                let movie = MatchText.tokensAndOrdinal(variants[t.variant].text).ordinal.map(String.init) ?? "?"
                let episode = MatchText.tokensAndOrdinal(entry.episode.title).ordinal.map(String.init) ?? "?"
                out.append("film numbers differ: \(movie) in the movie, \(episode) in the episode")
            }
        }
        switch c.evidence {
        case .anime(let hit, let hitCount, let support):
            let place =
                hit.placement.season == nil
                ? "absolute \(hit.placement.episodes.map(String.init).joined(separator: "+"))"
                : EpisodeSpec.format(c.episodes.map { index.episodes[$0].episode.number })
            let id = hit.via == "tmdb" ? "TMDB \(movie.tmdb ?? 0)" : "IMDb \(movie.imdb ?? "")"
            out.append(
                "anime-lists: \(id) is AniDB \(hit.anidb) “\(hit.name)”\(hit.anidbEpisode > 1 ? " episode \(hit.anidbEpisode)" : ""), TVDB \(hit.placement.tvdb) \(place)"
            )
            switch support {
            case .none: break
            case .title(let t): title(t)
            case .namesSeries: out.append("the movie's title names the series “\(series.title)”")
            }
            if let year = yearReason(movie.year, entry.episode) { out.append(year) }
            if hitCount > 1 { out.append("anime-lists ties this movie to \(hitCount) places") }
        case .titles(let t):
            title(t)
            if let year = yearReason(movie.year, entry.episode) { out.append(year) }
            if let runtime = runtimeReason(movie.runtime, entry.episode.runtime) { out.append(runtime) }
            numbers(t)
        case .hint(let t):
            if t.score > 0 { title(t) } else { out.append("no title agreement with “\(entry.episode.title)”") }
            if let year = yearReason(movie.year, entry.episode) { out.append(year) }
            if let runtime = runtimeReason(movie.runtime, entry.episode.runtime) { out.append(runtime) }
            numbers(t)
        }
        return out + c.notes
    }

    private func yearFactor(_ movieYear: Int?, _ episode: MatchEpisode) -> Double {
        guard let movieYear, let airYear = episode.airYear else { return 0.9 }
        switch abs(movieYear - airYear) {
        case 0: return 1
        case 1: return 0.97
        case 2: return 0.75
        case 3...9: return 0.4
        default: return 0.25
        }
    }

    private func yearReason(_ movieYear: Int?, _ episode: MatchEpisode) -> String? {
        guard let movieYear, let airYear = episode.airYear else { return nil }
        let date = episode.airDate ?? String(airYear)
        return abs(movieYear - airYear) <= 1 ? "released \(movieYear), aired \(date)" : "years differ: released \(movieYear), aired \(date)"
    }

    private func runtimeFactor(_ movie: Int?, _ episode: Int?) -> Double {
        guard let movie, let episode, movie > 0, episode > 0 else { return 1 }
        let ratio = Double(min(movie, episode)) / Double(max(movie, episode))
        if ratio >= 0.8 { return 1 }
        if ratio >= 0.5 { return 0.95 }
        if ratio >= 0.3 { return 0.85 }
        return 0.75
    }

    private func runtimeReason(_ movie: Int?, _ episode: Int?) -> String? {
        guard let movie, let episode, movie > 0, episode > 0 else { return nil }
        let ratio = Double(min(movie, episode)) / Double(max(movie, episode))
        return ratio >= 0.5 ? "runtime \(movie) min, episode \(episode) min" : "runtimes differ: \(movie) min, episode \(episode) min"
    }

    private func describe(_ c: Candidate, _ index: MatchIndex) -> String {
        let episode = index.episodes[c.episodes[0]].episode
        return "\(index.series[c.series].title) \(episode.number) “\(episode.title)”"
    }
}

/// `0.87`: two decimals, for reasons and confidences people read.
public func formatConfidence(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}
