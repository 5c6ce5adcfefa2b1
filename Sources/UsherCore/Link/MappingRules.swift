/// What a valid mapping is, in one place: the mapping file's reader checks these rules field by field
/// (naming file, line and key), and everything that writes mappings (`import`, `links fmt`,
/// `match --write`, `match review`) produces only values that pass them, so whatever Usher writes,
/// Usher reads.
public enum MappingRules {
    /// Years a film can have.
    public static let years = 1870...2200
    /// TMDB and TVDB ids (positive, 32-bit as the services keep them).
    public static let ids = 1...Int(Int32.max)
    /// Season numbers (Sonarr numbers daily shows by year, so four digits).
    public static let seasons = 0...9999
    /// Episode numbers (anime runs past 1,000; six digits as `EpisodeSpec` reads them).
    public static let episodes = 0...999_999

    /// `tt` and at least two digits.
    public static func isIMDbID(_ text: String) -> Bool {
        text.hasPrefix("tt") && text.count > 3 && text.dropFirst(2).allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// A title or name as it is kept: surrounding white space removed, line breaks and other control
    /// characters inside turned into spaces. `nil` when nothing is left.
    public static func cleanTitle(_ text: String) -> String? {
        // Printable ASCII holds no control character: only the spaces around it can go.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            let trimmed = text.trimmingSpaces()
            return trimmed.isEmpty ? nil : trimmed
        }
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            let control =
                scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .lineSeparator
                || scalar.properties.generalCategory == .paragraphSeparator || scalar.value == 0xFEFF
            out.unicodeScalars.append(control ? " " : scalar)
        }
        let trimmed = out.trimmingSpaces()
        return trimmed.isEmpty ? nil : trimmed
    }

    /// What is wrong with a movie reference, each as `field: reason`.
    public static func problems(_ movie: MovieRef) -> [String] {
        var found: [String] = []
        if cleanTitle(movie.title) != movie.title { found.append("movie: must be a title without surrounding spaces or control characters") }
        if let year = movie.year, !years.contains(year) { found.append("year: must be between \(years.lowerBound) and \(years.upperBound)") }
        if let tmdb = movie.tmdb, !ids.contains(tmdb) { found.append("tmdb: must be a positive id") }
        if let imdb = movie.imdb, !isIMDbID(imdb) { found.append("imdb: an IMDb id looks like tt0123456") }
        if let radarr = movie.radarr, cleanTitle(radarr) != radarr { found.append("radarr: must be an instance name") }
        return found
    }

    public static func problems(_ show: ShowRef) -> [String] {
        var found: [String] = []
        if cleanTitle(show.title) != show.title { found.append("show: must be a title without surrounding spaces or control characters") }
        if let tvdb = show.tvdb, !ids.contains(tvdb) { found.append("tvdb: must be a positive id") }
        if let sonarr = show.sonarr, cleanTitle(sonarr) != sonarr { found.append("sonarr: must be an instance name") }
        return found
    }

    public static func problems(_ episodes: [EpisodeNumber]) -> [String] {
        guard let first = episodes.first else { return ["episodes: no episode given"] }
        if !seasons.contains(first.season) { return ["episodes: the season must be between \(seasons.lowerBound) and \(seasons.upperBound)"] }
        if episodes.contains(where: { $0.season != first.season }) { return ["episodes: one file can only hold episodes of one season"] }
        if episodes.contains(where: { !Self.episodes.contains($0.episode) }) {
            return ["episodes: an episode number must be between \(Self.episodes.lowerBound) and \(Self.episodes.upperBound)"]
        }
        if Set(episodes).count != episodes.count { return ["episodes: an episode is named twice"] }
        return []
    }

    /// Everything wrong with one mapping; empty when the mapping file would accept it.
    public static func problems(_ mapping: LinkMapping) -> [String] {
        var found: [String] = []
        switch mapping.source {
        case .movie(let movie): found += problems(movie)
        case .episode(let show, let episodes): found += problems(show).map { "from." + $0 } + problems(episodes).map { "from." + $0 }
        }
        found += problems(mapping.show) + problems(mapping.episodes)
        if let title = mapping.title, cleanTitle(title) != title { found.append("title: must be a title without surrounding spaces or control characters") }
        return found
    }

    public static func problems(_ hint: MappingHint) -> [String] {
        problems(hint.movie) + problems(hint.show)
    }
}

/// A movie known to be an episode of a show whose episode is not known yet (a Plex Linker entry that
/// named the show but no episode). `usher link` leaves hints alone; `usher match` proposes an episode
/// of that show for the movie.
public struct MappingHint: Hashable, Sendable {
    public var movie: MovieRef
    public var show: ShowRef
    public var location: SourceLocation?

    public init(movie: MovieRef, show: ShowRef, location: SourceLocation? = nil) {
        self.movie = movie
        self.show = show
        self.location = location
    }

    public var label: String { "\(movie.label) → \(show.title) (episode not known)" }
}

/// The mapping file's contents: links, crossovers (both `LinkMapping`s) and hints.
public struct MappingDocument: Hashable, Sendable {
    public var mappings: [LinkMapping]
    public var hints: [MappingHint]

    public init(mappings: [LinkMapping] = [], hints: [MappingHint] = []) {
        self.mappings = mappings
        self.hints = hints
    }

    public var isEmpty: Bool { mappings.isEmpty && hints.isEmpty }
}
