import Foundation
public import UsherCore

/// One proposal in `proposals.yml`, with the decision a person wrote on it.
public struct ProposalEntry: Sendable, Hashable {
    /// `true`: add to the mapping file; `false`: never propose again; `nil`: not decided yet.
    public var accept: Bool?
    public var confidence: Double
    public var movie: MovieRef
    public var show: ShowRef
    public var episodes: [EpisodeNumber]
    public var episodeTitle: String?
    public var reasons: [String]
    public var location: SourceLocation?

    public init(
        accept: Bool? = nil, confidence: Double, movie: MovieRef, show: ShowRef, episodes: [EpisodeNumber],
        episodeTitle: String? = nil, reasons: [String] = [], location: SourceLocation? = nil
    ) {
        self.accept = accept
        self.confidence = confidence
        self.movie = movie
        self.show = show
        self.episodes = episodes
        self.episodeTitle = episodeTitle
        self.reasons = reasons
        self.location = location
    }

    /// The same key `MatchProposal.pairKey` gives, so a rejection here is recognised by the planner.
    public var pairKey: String {
        let movieKey = MatchMovie(title: movie.title, year: movie.year, tmdb: movie.tmdb, imdb: movie.imdb).key
        let seriesKey = MatchSeries(title: show.title, tvdb: show.tvdb, episodes: []).key
        return MatchPlanner.pairKey(movie: movieKey, series: seriesKey, episodes: episodes)
    }

    public var mapping: LinkMapping {
        LinkMapping(source: .movie(movie), show: show, episodes: episodes, location: location)
    }

    public var label: String { "\(movie.label) → \(show.title) \(EpisodeSpec.format(episodes))" }
}

/// `proposals.yml`: what `usher match --write` could not accept on its own, for a person to decide.
public enum ProposalsFile {
    public static func load(path: String) throws(ConfigError) -> [ProposalEntry] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigError(file: path, message: "no proposals file here (run `usher match --write` first)")
        }
        var reader = YAMLReader(file: path, environment: [:])
        guard let rootValue = try reader.load() else { return [] }
        let root = ConfigNode(value: rootValue, path: "", file: path)
        let top = try root.mapping(allowed: ["proposals"])
        var entries: [ProposalEntry] = []
        for item in try top["proposals"]?.list() ?? [] {
            let f = try item.mapping(allowed: [
                "accept", "confidence", "movie", "year", "tmdb", "imdb", "radarr", "show", "tvdb", "sonarr", "episodes", "episode_title", "reasons",
            ])
            guard let episodesNode = f["episodes"] else { throw item.fail("missing key 'episodes'") }
            var accept: Bool?
            if let n = f["accept"], !n.isNull, (try? n.string())?.trimmingCharacters(in: .whitespaces).isEmpty != true {
                do { accept = try n.bool() } catch {
                    throw n.fail("write accept: true (add it to the mapping file) or accept: false (never propose it again), or leave it empty")
                }
            }
            let episodes = try MappingFile.parseEpisodes(episodesNode)
            var confidence = 0.0
            if let n = f["confidence"] {
                guard let value = Double(try n.string()), (0...1).contains(value) else { throw n.fail("expected a number from 0 to 1") }
                confidence = value
            }
            entries.append(
                ProposalEntry(
                    accept: accept, confidence: confidence,
                    movie: try MappingFile.movieRef(f, in: item), show: try MappingFile.showRef(f, in: item),
                    episodes: episodes, episodeTitle: try f["episode_title"]?.string(), reasons: try f["reasons"]?.strings() ?? [],
                    location: SourceLocation(file: path, line: item.value.line, column: item.value.column)))
        }
        return entries
    }

    public static func render(_ entries: [ProposalEntry]) -> String {
        func str(_ s: String) -> String { YAMLText.quote(s) }
        var out = """
            # Usher match proposals, for a person to decide (written by `usher match --write`).
            # On each entry write `accept: true` (add it to the mapping file) or `accept: false` (never
            # propose it again), then run `usher match review`. Entries left empty stay for later.

            """
        if entries.isEmpty { return out + "proposals: []\n" }
        out += "proposals:\n"
        for e in entries {
            out += "  - accept: \(e.accept.map { $0 ? "true" : "false" } ?? "")\n"
            out += "    confidence: \(e.confidence)\n"
            out += "    movie: \(str(e.movie.title))\n"
            if let year = e.movie.year { out += "    year: \(year)\n" }
            if let tmdb = e.movie.tmdb { out += "    tmdb: \(tmdb)\n" }
            if let imdb = e.movie.imdb { out += "    imdb: \(imdb)\n" }
            if let radarr = e.movie.radarr { out += "    radarr: \(str(radarr))\n" }
            out += "    show: \(str(e.show.title))\n"
            if let tvdb = e.show.tvdb { out += "    tvdb: \(tvdb)\n" }
            if let sonarr = e.show.sonarr { out += "    sonarr: \(str(sonarr))\n" }
            out += "    episodes: \(EpisodeSpec.format(e.episodes))\n"
            if let title = e.episodeTitle { out += "    episode_title: \(str(title))\n" }
            if !e.reasons.isEmpty {
                out += "    reasons:\n"
                for reason in e.reasons { out += "      - \(str(reason))\n" }
            }
        }
        return out
    }
}
