/// The Anime-Lists mapping (`anime-list-master.xml`): which TVDB series, season and episode each AniDB
/// entry is, and which TMDB/IMDb movies it is.
///
/// An entry's episodes are placed by, in order: an explicit pair in a `<mapping>` of AniDB season 1
/// (`;1-3;` is AniDB episode 1 → TVDB episode 3 of the mapping's `tvdbseason`; `;1-3+4;` two
/// episodes; `;1-0;` explicitly none), a `<mapping>` range (`start`…`end`, plus `offset`), and
/// otherwise `defaulttvdbseason` plus `episodeoffset`. `defaulttvdbseason="a"` means TVDB absolute
/// numbering. A comma list of movie ids (`tmdbid="1,2,3"`) gives the movie of AniDB episode 1, 2, 3.
public struct AnimeList: Sendable {
    public struct Mapping: Sendable, Hashable {
        public var anidbSeason: Int
        /// `nil` for absolute numbering (`tvdbseason="a"`).
        public var tvdbSeason: Int?
        public var start: Int?
        public var end: Int?
        public var offset: Int
        /// AniDB episode → TVDB episodes (empty: explicitly not mapped).
        public var pairs: [Int: [Int]]

        public init(anidbSeason: Int, tvdbSeason: Int?, start: Int? = nil, end: Int? = nil, offset: Int = 0, pairs: [Int: [Int]] = [:]) {
            self.anidbSeason = anidbSeason
            self.tvdbSeason = tvdbSeason
            self.start = start
            self.end = end
            self.offset = offset
            self.pairs = pairs
        }
    }

    public struct Entry: Sendable, Hashable {
        public var anidb: Int
        public var name: String
        /// `nil` when the entry is not on TVDB (`tvdbid="movie"`, `"OVA"`, `"hentai"`…).
        public var tvdb: Int?
        /// `nil` when empty; see `absolute`.
        public var defaultSeason: Int?
        public var absolute: Bool
        public var episodeOffset: Int
        public var tmdbMovies: [Int]
        public var imdb: [String]
        public var mappings: [Mapping]

        public init(
            anidb: Int, name: String, tvdb: Int?, defaultSeason: Int?, absolute: Bool = false, episodeOffset: Int = 0,
            tmdbMovies: [Int] = [], imdb: [String] = [], mappings: [Mapping] = []
        ) {
            self.anidb = anidb
            self.name = name
            self.tvdb = tvdb
            self.defaultSeason = defaultSeason
            self.absolute = absolute
            self.episodeOffset = episodeOffset
            self.tmdbMovies = tmdbMovies
            self.imdb = imdb
            self.mappings = mappings
        }

        /// Where AniDB episode `episode` (of AniDB season 1) is on TVDB; `nil` when the entry does not say.
        public func placement(ofEpisode episode: Int) -> Placement? {
            guard let tvdb else { return nil }
            for mapping in mappings where mapping.anidbSeason == 1 {
                if let targets = mapping.pairs[episode] {
                    guard !targets.isEmpty else { return nil }
                    return Placement(tvdb: tvdb, season: mapping.tvdbSeason, episodes: targets)
                }
            }
            for mapping in mappings where mapping.anidbSeason == 1 {
                if let start = mapping.start, let end = mapping.end, (start...max(start, end)).contains(episode) {
                    let target = episode + mapping.offset
                    guard target > 0 else { return nil }
                    return Placement(tvdb: tvdb, season: mapping.tvdbSeason, episodes: [target])
                }
            }
            guard defaultSeason != nil || absolute else { return nil }
            let target = episode + episodeOffset
            guard target > 0 else { return nil }
            return Placement(tvdb: tvdb, season: absolute ? nil : defaultSeason, episodes: [target])
        }
    }

    /// Episodes of a TVDB series; `season == nil` means absolute numbers.
    public struct Placement: Sendable, Hashable {
        public var tvdb: Int
        public var season: Int?
        public var episodes: [Int]

        public init(tvdb: Int, season: Int?, episodes: [Int]) {
            self.tvdb = tvdb
            self.season = season
            self.episodes = episodes
        }
    }

    /// What the list says about one movie: the entry, the AniDB episode the movie is, and its place on TVDB.
    public struct MovieHit: Sendable, Hashable {
        public var anidb: Int
        public var name: String
        public var anidbEpisode: Int
        public var placement: Placement
        /// `tmdb` or `imdb`: which id tied the movie to the entry.
        public var via: String
    }

    public private(set) var entries: [Entry]
    private var byTMDB: [Int: [(entry: Int, episode: Int)]] = [:]
    private var byIMDb: [String: [(entry: Int, episode: Int)]] = [:]

    public init(entries: [Entry]) {
        self.entries = entries
        for (index, entry) in entries.enumerated() {
            for (i, id) in entry.tmdbMovies.enumerated() {
                byTMDB[id, default: []].append((index, entry.tmdbMovies.count > 1 ? i + 1 : 1))
            }
            for (i, id) in entry.imdb.enumerated() {
                byIMDb[id, default: []].append((index, entry.imdb.count > 1 ? i + 1 : 1))
            }
        }
    }

    /// The TVDB places the list gives a movie, by its TMDB id first, then its IMDb id.
    public func hits(tmdb: Int?, imdb: String?) -> [MovieHit] {
        var result: [MovieHit] = []
        var seen = Set<Placement>()
        func add(_ refs: [(entry: Int, episode: Int)], via: String) {
            for ref in refs {
                let entry = entries[ref.entry]
                guard let placement = entry.placement(ofEpisode: ref.episode), seen.insert(placement).inserted else { continue }
                result.append(MovieHit(anidb: entry.anidb, name: entry.name, anidbEpisode: ref.episode, placement: placement, via: via))
            }
        }
        if let tmdb, let refs = byTMDB[tmdb] { add(refs, via: "tmdb") }
        if let imdb, let refs = byIMDb[imdb] { add(refs, via: "imdb") }
        return result
    }
}

/// A problem in the mapping file's XML, with its line.
public struct AnimeListError: Error, Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
}

extension AnimeList {
    /// Parses `anime-list-master.xml`. Unknown elements are skipped; an `<anime>` without a numeric
    /// `anidbid`, or a document without `<anime-list>`, is an error.
    public static func parse(_ bytes: [UInt8]) throws(AnimeListError) -> AnimeList {
        var scanner = XMLScanner(bytes: bytes)
        var entries: [Entry] = []
        var sawRoot = false
        var current: Entry?
        while let token = try scanner.next() {
            switch token {
            case .open(let name, let attributes, let selfClosing):
                switch name {
                case "anime-list":
                    sawRoot = true
                case "anime":
                    guard let anidb = attributes["anidbid"].flatMap({ Int($0) }) else {
                        throw AnimeListError(line: scanner.line, message: "<anime> without a numeric anidbid")
                    }
                    let season = attributes["defaulttvdbseason"] ?? ""
                    current = Entry(
                        anidb: anidb, name: "", tvdb: attributes["tvdbid"].flatMap { Int($0) },
                        defaultSeason: Int(season), absolute: season == "a",
                        episodeOffset: attributes["episodeoffset"].flatMap { Int($0) } ?? 0,
                        tmdbMovies: ids(attributes["tmdbid"]).compactMap { Int($0) },
                        imdb: ids(attributes["imdbid"]).filter { $0.hasPrefix("tt") })
                    if selfClosing, let entry = current { entries.append(entry); current = nil }
                case "name":
                    if current != nil, !selfClosing { current?.name = try scanner.text(until: "name") }
                case "mapping":
                    guard current != nil else { break }
                    let tvdbSeason = attributes["tvdbseason"] ?? ""
                    var mapping = Mapping(
                        anidbSeason: attributes["anidbseason"].flatMap { Int($0) } ?? 1,
                        tvdbSeason: Int(tvdbSeason),
                        start: attributes["start"].flatMap { Int($0) }, end: attributes["end"].flatMap { Int($0) },
                        offset: attributes["offset"].flatMap { Int($0) } ?? 0)
                    if mapping.tvdbSeason == nil, tvdbSeason != "a" { break }
                    if selfClosing {
                        current?.mappings.append(mapping)
                    } else {
                        mapping.pairs = pairs(try scanner.text(until: "mapping"))
                        current?.mappings.append(mapping)
                    }
                default:
                    break
                }
            case .close(let name):
                if name == "anime", let entry = current {
                    entries.append(entry)
                    current = nil
                }
            }
        }
        guard sawRoot else { throw AnimeListError(line: 1, message: "not an anime-list document (no <anime-list> element)") }
        return AnimeList(entries: entries)
    }

    private static func ids(_ value: String?) -> [String] {
        guard let value, !value.isEmpty else { return [] }
        return value.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
    }

    /// `;1-3;2-0;3-4+5;` → [1: [3], 2: [], 3: [4, 5]].
    static func pairs(_ text: String) -> [Int: [Int]] {
        var result: [Int: [Int]] = [:]
        for part in text.split(separator: ";") {
            let sides = part.split(separator: "-", maxSplits: 1)
            guard sides.count == 2, let from = Int(sides[0].trimmingSpaces()) else { continue }
            let targets = sides[1].split(separator: "+").compactMap { Int($0.trimmingSpaces()) }
            result[from] = targets.filter { $0 > 0 }
        }
        return result
    }
}
