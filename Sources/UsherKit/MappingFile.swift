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
        return try mappings(from: try reader.load(), path: path)
    }

    /// Reads and validates mapping-file text as if it were the file at `path`.
    public static func load(text: String, path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> [LinkMapping] {
        var reader = YAMLReader(file: path, environment: environment)
        return try mappings(from: try reader.parse(text), path: path)
    }

    private static func mappings(from rootValue: YAMLValue?, path: String) throws(ConfigError) -> [LinkMapping] {
        guard let rootValue else { return [] }
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
        var out = "# Usher mappings: movies that are also episodes of a show (see README, \"Mapping file\").\n"
        out += "links:\n"
        if movies.isEmpty { out = out.replacingOccurrences(of: "links:\n", with: "links: []\n") }
        for (ref, m) in movies { out += entry(ref, m, indent: "  ") }
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

    private static func str(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// One movie link in the file's layout, its dash at `indent`.
    static func entry(_ ref: MovieRef, _ m: LinkMapping, indent: String) -> String {
        let inner = indent + "  "
        var out = "\(indent)- movie: \(str(ref.title))\n"
        if let year = ref.year { out += "\(inner)year: \(year)\n" }
        if let tmdb = ref.tmdb { out += "\(inner)tmdb: \(tmdb)\n" }
        if let imdb = ref.imdb { out += "\(inner)imdb: \(imdb)\n" }
        if let radarr = ref.radarr { out += "\(inner)radarr: \(str(radarr))\n" }
        out += "\(inner)show: \(str(m.show.title))\n"
        if let tvdb = m.show.tvdb { out += "\(inner)tvdb: \(tvdb)\n" }
        if let sonarr = m.show.sonarr { out += "\(inner)sonarr: \(str(sonarr))\n" }
        out += "\(inner)episodes: \(EpisodeSpec.format(m.episodes))\n"
        if let title = m.title { out += "\(inner)title: \(str(title))\n" }
        return out
    }

    /// The mapping file's text with movie links added at the end of its `links:` list, leaving every
    /// other line (comments included) as it was; `nil` when the file's layout is not one this can
    /// extend line by line (the caller then renders the whole file).
    public static func appending(_ added: [LinkMapping], to text: String) -> String? {
        let entries = added.compactMap { m -> (MovieRef, LinkMapping)? in
            if case .movie(let ref) = m.source { return (ref, m) }
            return nil
        }
        guard !entries.isEmpty else { return text }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        func isTopLevelKey(_ line: String) -> Bool {
            guard let first = line.first else { return false }
            return first != " " && first != "#" && first != "-" && first != "\t" && !line.hasPrefix("---") && !line.hasPrefix("...")
        }
        let linksLine = lines.firstIndex { $0.hasPrefix("links:") }
        guard let linksLine else {
            // No list yet: add one at the end.
            guard !lines.contains(where: { $0.hasPrefix("---") || $0.hasPrefix("...") }) else { return nil }
            let body = entries.map { entry($0.0, $0.1, indent: "  ") }.joined()
            return (lines + ["links:"]).joined(separator: "\n") + "\n" + body
        }
        let rest = lines[linksLine].dropFirst("links:".count).trimmingCharacters(in: .whitespaces)
        var indent = "  "
        if rest == "[]" {
            lines[linksLine] = "links:"
        } else if !rest.isEmpty, !rest.hasPrefix("#") {
            return nil  // a flow list or a scalar: not extended line by line
        }
        // The end of the list: the next top-level key (or the end), before any blank or comment lines.
        var end = lines.count
        for i in (linksLine + 1)..<lines.count where isTopLevelKey(lines[i]) { end = i; break }
        var insertAt = end
        while insertAt > linksLine + 1 {
            let previous = lines[insertAt - 1].trimmingCharacters(in: .whitespaces)
            if previous.isEmpty || previous.hasPrefix("#") { insertAt -= 1 } else { break }
        }
        // Match the existing items' indentation (a YAML list's items must line up).
        if let item = lines[(linksLine + 1)..<end].first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("- ") }) {
            indent = String(item.prefix { $0 == " " })
        }
        let body = entries.map { entry($0.0, $0.1, indent: indent) }.joined().split(separator: "\n").map(String.init)
        lines.insert(contentsOf: body, at: insertAt)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Adds movie links to the mapping file: line by line when its layout allows (comments stay),
    /// else by rendering the whole file. Either way the result is read back and must hold the old
    /// links plus the new ones, and the current file is archived first. Returns the archived copy.
    @discardableResult
    public static func append(_ added: [LinkMapping], to path: String, existing: [LinkMapping], keep: Int, now: Date = Date()) throws -> String? {
        let current = FileManager.default.fileExists(atPath: path) ? try String(contentsOfFile: path, encoding: .utf8) : ""
        let expected = existing.count + added.count
        var text = current.isEmpty ? render(existing + added) : appending(added, to: current)
        if let candidate = text, (try? load(text: candidate, path: path).count) != expected {
            text = nil
        }
        let final = text ?? render(existing + added)
        guard (try? load(text: final, path: path).count) == expected else {
            throw ConfigError(file: path, message: "could not add the new links to the mapping file (nothing was changed)")
        }
        return try write(final, to: path, keep: keep, now: now)
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
