import Foundation
public import UsherCore

/// What `usher match` proposed, and what `--write` wrote.
public struct MatchReport: Sendable {
    public var proposals: [MatchProposal] = []
    public var warnings: [String] = []
    public var errors: [String] = []
    /// Where the Anime-Lists mapping came from (`nil`: not used).
    public var animeList: String?
    public var movies = 0
    public var series = 0
    public var episodes = 0
    public var moviesConsidered = 0
    public var candidatesScored = 0
    public var requests = 0
    public var linksAdded = 0
    public var archived: String?
    public var proposalsFile: String?
    public var proposalsWritten = 0
    public var proposalsArchived: String?

    public init() {}

    public var hasErrors: Bool { !errors.isEmpty }

    public func json() -> String {
        func movie(_ m: MatchMovie) -> [String: Any] {
            var out: [String: Any] = ["title": m.title, "radarr": m.instance]
            out["year"] = m.year ?? NSNull()
            out["tmdbId"] = m.tmdb ?? NSNull()
            out["imdbId"] = m.imdb ?? NSNull()
            return out
        }
        let proposals: [[String: Any]] = self.proposals.map { p in
            [
                "movie": movie(p.movie),
                "series": ["title": p.series.title, "tvdbId": p.series.tvdb ?? NSNull(), "sonarr": p.series.instance] as [String: Any],
                "episodes": p.episodes.map { ["season": $0.season, "episode": $0.episode, "title": $0.title] as [String: Any] },
                "confidence": p.confidence,
                "reasons": p.reasons,
                "status": p.status.rawValue,
            ]
        }
        var root: [String: Any] = [
            "proposals": proposals,
            "warnings": warnings,
            "errors": errors,
            "animeList": animeList ?? NSNull(),
            "counts": [
                "movies": movies, "series": series, "episodes": episodes, "moviesConsidered": moviesConsidered,
                "candidatesScored": candidatesScored, "requests": requests,
            ],
        ]
        if linksAdded > 0 || proposalsFile != nil {
            root["written"] =
                [
                    "linksAdded": linksAdded, "archived": archived ?? NSNull(),
                    "proposalsFile": proposalsFile ?? NSNull(), "proposals": proposalsWritten,
                ] as [String: Any]
        }
        let data = (try? JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    public func text(verbose: Bool) -> String {
        var lines: [String] = []
        let auto = proposals.filter { $0.status == .auto }
        let review = proposals.filter { $0.status == .review }
        lines.append(
            "\(proposals.count) proposals (\(auto.count) auto-accepted, \(review.count) for review) from \(moviesConsidered) movies not yet mapped, against \(episodes) episodes of \(series) series"
        )
        for p in proposals {
            let episodes = p.episodes.map { "\($0.number)" }.joined(separator: "+")
            let title = p.episodes.first.map { " “\($0.title)”" } ?? ""
            lines.append("  [\(p.status.rawValue)] \(formatConfidence(p.confidence))  \(p.movie.label) → \(p.series.title) \(episodes)\(title)")
            if verbose || p.status == .review {
                for reason in p.reasons { lines.append("      - \(reason)") }
            }
        }
        if let animeList { lines.append("anime-lists: \(animeList)") }
        if linksAdded > 0 { lines.append("added \(linksAdded) links to the mapping file" + (archived.map { " (previous version: \($0))" } ?? "")) }
        if let proposalsFile { lines.append("wrote \(proposalsWritten) proposals for review to \(proposalsFile); decide them, then run `usher match review`") }
        for w in warnings { lines.append("warning: \(w)") }
        for e in errors { lines.append("error: \(e)") }
        return lines.joined(separator: "\n")
    }
}
