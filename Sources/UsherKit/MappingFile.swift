public import Foundation
public import UsherCore

/// The human-edited mapping file, `links.yml`.
public enum MappingFile {
    /// Reads and validates the mapping file. A mistake anywhere stops everything (nothing is linked or
    /// pruned on a half-read file); the error names the file, line, column and key.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> [LinkMapping] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigError(file: path, message: "the mapping file does not exist (set link.mappings in the config, or create it: see README, 'Mapping file')")
        }
        var reader = YAMLReader(file: path, environment: environment)
        guard let rootValue = try reader.load() else { return [] }
        let root = ConfigNode(value: rootValue, path: "", file: path)
        let top = try root.mapping(allowed: ["links", "crossovers"])
        var mappings: [LinkMapping] = []
        for item in try top["links"]?.list() ?? [] {
            let f = try item.mapping(allowed: ["movie", "year", "tmdb", "imdb", "radarr", "show", "tvdb", "sonarr", "episodes", "title"])
            guard let movie = f["movie"] else { throw item.fail("missing key 'movie' (the movie's title)") }
            guard let show = f["show"] else { throw item.fail("missing key 'show' (the show's title)") }
            guard let episodes = f["episodes"] else { throw item.fail("missing key 'episodes' (e.g. S00E09)") }
            let ref = MovieRef(
                title: try movie.nonEmptyString(), year: try f["year"]?.int(in: 1870...2200),
                tmdb: try f["tmdb"]?.int(in: 1...Int(Int32.max)), imdb: try f["imdb"].map { n throws(ConfigError) in try imdbID(n) },
                radarr: try f["radarr"]?.nonEmptyString())
            mappings.append(LinkMapping(
                source: .movie(ref),
                show: ShowRef(title: try show.nonEmptyString(), tvdb: try f["tvdb"]?.int(in: 1...Int(Int32.max)), sonarr: try f["sonarr"]?.nonEmptyString()),
                episodes: try parseEpisodes(episodes),
                title: try f["title"].map { n throws(ConfigError) in try n.string() }.flatMap { $0.isEmpty ? nil : $0 },
                location: SourceLocation(file: path, line: item.value.line, column: item.value.column)))
        }
        for item in try top["crossovers"]?.list() ?? [] {
            let f = try item.mapping(allowed: ["from", "to"])
            guard let fromNode = f["from"], let toNode = f["to"] else { throw item.fail("a crossover needs 'from' and 'to'") }
            let from = try fromNode.mapping(allowed: ["show", "tvdb", "sonarr", "episodes"])
            let to = try toNode.mapping(allowed: ["show", "tvdb", "sonarr", "episodes", "title"])
            guard let fromShow = from["show"], let fromEpisodes = from["episodes"] else { throw fromNode.fail("needs 'show' and 'episodes'") }
            guard let toShow = to["show"], let toEpisodes = to["episodes"] else { throw toNode.fail("needs 'show' and 'episodes'") }
            let sourceShow = ShowRef(title: try fromShow.nonEmptyString(), tvdb: try from["tvdb"]?.int(in: 1...Int(Int32.max)), sonarr: try from["sonarr"]?.nonEmptyString())
            mappings.append(LinkMapping(
                source: .episode(show: sourceShow, episodes: try parseEpisodes(fromEpisodes)),
                show: ShowRef(title: try toShow.nonEmptyString(), tvdb: try to["tvdb"]?.int(in: 1...Int(Int32.max)), sonarr: try to["sonarr"]?.nonEmptyString()),
                episodes: try parseEpisodes(toEpisodes),
                title: try to["title"].map { n throws(ConfigError) in try n.string() }.flatMap { $0.isEmpty ? nil : $0 },
                location: SourceLocation(file: path, line: item.value.line, column: item.value.column)))
        }
        return mappings
    }

    private static func parseEpisodes(_ node: ConfigNode) throws(ConfigError) -> [EpisodeNumber] {
        let texts = try node.strings()
        do {
            return try EpisodeSpec.parse(texts)
        } catch {
            throw node.fail(error.description)
        }
    }

    private static func imdbID(_ node: ConfigNode) throws(ConfigError) -> String {
        let s = try node.nonEmptyString()
        guard s.hasPrefix("tt"), s.dropFirst(2).allSatisfy(\.isNumber), s.count > 3 else { throw node.fail("an IMDb id looks like tt0123456") }
        return s
    }

    /// The mapping file in Usher's stable layout: links sorted by movie title, then year, show and
    /// episode; crossovers sorted by show. Comments are not kept.
    public static func render(_ mappings: [LinkMapping]) -> String {
        var movies: [(MovieRef, LinkMapping)] = []
        var crossovers: [(ShowRef, [EpisodeNumber], LinkMapping)] = []
        for m in mappings {
            switch m.source {
            case .movie(let ref): movies.append((ref, m))
            case .episode(let show, let episodes): crossovers.append((show, episodes, m))
            }
        }
        movies.sort { a, b in
            let ka = (TitleMatching.normalize(a.0.title), a.0.year ?? 0, TitleMatching.normalize(a.1.show.title))
            let kb = (TitleMatching.normalize(b.0.title), b.0.year ?? 0, TitleMatching.normalize(b.1.show.title))
            if ka != kb { return ka < kb }
            return a.1.episodes.lexicographicallyPrecedes(b.1.episodes)
        }
        crossovers.sort { a, b in
            let ka = (TitleMatching.normalize(a.0.title), TitleMatching.normalize(a.2.show.title))
            let kb = (TitleMatching.normalize(b.0.title), TitleMatching.normalize(b.2.show.title))
            if ka != kb { return ka < kb }
            return a.1.lexicographicallyPrecedes(b.1)
        }
        func str(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        var out = "# Usher mappings: movies that are also episodes of a show (see README, \"Mapping file\").\n"
        out += "links:\n"
        if movies.isEmpty { out = out.replacingOccurrences(of: "links:\n", with: "links: []\n") }
        for (ref, m) in movies {
            out += "  - movie: \(str(ref.title))\n"
            if let year = ref.year { out += "    year: \(year)\n" }
            if let tmdb = ref.tmdb { out += "    tmdb: \(tmdb)\n" }
            if let imdb = ref.imdb { out += "    imdb: \(imdb)\n" }
            if let radarr = ref.radarr { out += "    radarr: \(str(radarr))\n" }
            out += "    show: \(str(m.show.title))\n"
            if let tvdb = m.show.tvdb { out += "    tvdb: \(tvdb)\n" }
            if let sonarr = m.show.sonarr { out += "    sonarr: \(str(sonarr))\n" }
            out += "    episodes: \(EpisodeSpec.format(m.episodes))\n"
            if let title = m.title { out += "    title: \(str(title))\n" }
        }
        if !crossovers.isEmpty {
            out += "crossovers:\n"
            for (show, episodes, m) in crossovers {
                let fromID = (show.tvdb.map { ", tvdb: \($0)" } ?? "") + (show.sonarr.map { ", sonarr: \(str($0))" } ?? "")
                let toID = (m.show.tvdb.map { ", tvdb: \($0)" } ?? "") + (m.show.sonarr.map { ", sonarr: \(str($0))" } ?? "")
                let title = m.title.map { ", title: \(str($0))" } ?? ""
                out += "  - from: {show: \(str(show.title))\(fromID), episodes: \(EpisodeSpec.format(episodes))}\n"
                out += "    to: {show: \(str(m.show.title))\(toID), episodes: \(EpisodeSpec.format(m.episodes))\(title)}\n"
            }
        }
        return out
    }

    /// Writes the mapping file atomically, first keeping the current one as a timestamped copy in
    /// `archive/` beside it (the newest `keep` copies are kept). Returns the archived copy, if any.
    @discardableResult
    public static func write(_ text: String, to path: String, keep: Int, now: Date = Date()) throws -> String? {
        let fm = FileManager.default
        var archived: String?
        if fm.fileExists(atPath: path), keep > 0 {
            let archive = Paths.join(Paths.parent(path), "archive")
            try fm.createDirectory(atPath: archive, withIntermediateDirectories: true)
            let (base, ext) = Paths.splitExtension(Paths.lastComponent(path))
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.dateFormat = "yyyyMMdd-HHmmss"
            let stamp = formatter.string(from: now)
            // Names sort in time order: base-yyyyMMdd-HHmmss-NN.ext.
            var n = 1
            var candidate: String
            repeat {
                candidate = Paths.join(archive, "\(base)-\(stamp)-\(n < 10 ? "0" : "")\(n).\(ext)")
                n += 1
            } while fm.fileExists(atPath: candidate)
            try fm.copyItem(atPath: path, toPath: candidate)
            archived = candidate
            let copies = try fm.contentsOfDirectory(atPath: archive)
                .filter { $0.hasPrefix(base + "-") && $0.hasSuffix("." + ext) }
                .sorted(by: >)
            for old in copies.dropFirst(keep) { try? fm.removeItem(atPath: Paths.join(archive, old)) }
        }
        let temporary = Paths.join(Paths.parent(path), ".\(Paths.lastComponent(path)).usher-tmp")
        try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        return archived
    }
}
