public import Foundation
public import UsherCore

/// The human-edited mapping file, `links.yml`.
public enum MappingFile {
    /// Reads and validates the mapping file. A mistake anywhere stops everything (nothing is linked or
    /// pruned on a half-read file); the error names the file, line, column and key.
    public static func load(path: String, environment: [String: String]) throws(ConfigError) -> [LinkMapping] {
        try loadDocument(path: path, environment: environment).mappings
    }

    /// The whole mapping file: links, crossovers and hints.
    public static func loadDocument(path: String, environment: [String: String]) throws(ConfigError) -> MappingDocument {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigError(
                file: path, message: "the mapping file does not exist (set link.mappings in the config, or create it: see README, 'Mapping file')")
        }
        var reader = YAMLReader(file: path, environment: environment)
        return try document(from: try reader.load(), path: path)
    }

    /// The mappings, with the text they were read from, and whether a tag took a value from outside that text
    /// (then the same text may not mean the same mappings next time). For `usher link`'s settled runs.
    public static func loadWithText(path: String, environment: [String: String]) throws(ConfigError)
        -> (mappings: [LinkMapping], text: String, readsOutside: Bool)
    {
        guard FileManager.default.fileExists(atPath: path) else { return (try load(path: path, environment: environment), "", true) }
        let text = try YAMLReader.readText(path)
        var reader = YAMLReader(file: path, environment: environment)
        let document = try document(from: try reader.parse(text), path: path)
        return (document.mappings, text, reader.hadCustomTags)
    }

    /// The file's text as `loadWithText` reads it, or `nil` when it cannot be read.
    public static func text(path: String) -> String? { try? YAMLReader.readText(path) }

    /// Reads and validates mapping-file text as if it were the file at `path`.
    public static func load(text: String, path: String, environment: [String: String]) throws(ConfigError)
        -> [LinkMapping]
    {
        try loadDocument(text: text, path: path, environment: environment).mappings
    }

    public static func loadDocument(text: String, path: String, environment: [String: String]) throws(ConfigError)
        -> MappingDocument
    {
        try loadDocument(text: text, reader: YAMLReader(file: path, environment: environment))
    }

    package static func loadDocument(text: String, reader: YAMLReader) throws(ConfigError) -> MappingDocument {
        var reader = reader
        return try document(from: try reader.parse(text), path: reader.file)
    }

    package static let movieKeys = ["movie", "year", "tmdb", "imdb", "radarr"]
    package static let showKeys = ["show", "tvdb", "sonarr"]

    /// A file with no `links:` list is refused: an empty or comment-only file is what a truncated
    /// write, a full disk or a failed sync leaves, and reading it as "no mappings" would remove every link.
    private static func document(from rootValue: YAMLValue?, path: String) throws(ConfigError) -> MappingDocument {
        let say = "to mean no links at all, write 'links: []'"
        guard let rootValue else {
            throw ConfigError(
                file: path,
                message: "the mapping file holds no mappings, not even an empty 'links:' list (truncated? emptied by a failed sync?); nothing was done; \(say)")
        }
        let root = ConfigNode(value: rootValue, path: "", file: path)
        let top = try root.mapping(allowed: ["links", "crossovers", "hints"])
        // A file of crossovers alone is fine; a file with neither list is not.
        let lists = [top["links"], top["crossovers"]].compactMap { $0 }
        guard !lists.isEmpty else {
            throw root.fail("the mapping file has no 'links:' list (truncated?); nothing was done; \(say)")
        }
        if let empty = lists.first(where: \.isNull) {
            throw empty.fail("'\(empty.path):' is empty (truncated?); nothing was done; to mean none, write '\(empty.path): []'")
        }
        var document = MappingDocument()
        for item in try top["links"]?.list() ?? [] {
            let f = try item.mapping(allowed: movieKeys + showKeys + ["episodes", "title"])
            let movie = try movieRef(f, in: item), show = try showRef(f, in: item)
            guard let episodes = f["episodes"] else { throw item.fail("missing key 'episodes' (e.g. S00E09)") }
            document.mappings.append(
                LinkMapping(
                    source: .movie(movie), show: show, episodes: try parseEpisodes(episodes),
                    title: try title(f["title"]), location: SourceLocation(file: path, line: item.value.line, column: item.value.column)))
        }
        for item in try top["crossovers"]?.list() ?? [] {
            let f = try item.mapping(allowed: ["from", "to"])
            guard let fromNode = f["from"], let toNode = f["to"] else { throw item.fail("a crossover needs 'from' and 'to'") }
            let from = try fromNode.mapping(allowed: showKeys + ["episodes"])
            let to = try toNode.mapping(allowed: showKeys + ["episodes", "title"])
            guard from["show"] != nil, let fromEpisodes = from["episodes"] else { throw fromNode.fail("needs 'show' and 'episodes'") }
            guard to["show"] != nil, let toEpisodes = to["episodes"] else { throw toNode.fail("needs 'show' and 'episodes'") }
            document.mappings.append(
                LinkMapping(
                    source: .episode(show: try showRef(from, in: fromNode), episodes: try parseEpisodes(fromEpisodes)),
                    show: try showRef(to, in: toNode), episodes: try parseEpisodes(toEpisodes), title: try title(to["title"]),
                    location: SourceLocation(file: path, line: item.value.line, column: item.value.column)))
        }
        for item in try top["hints"]?.list() ?? [] {
            let f = try item.mapping(allowed: movieKeys + showKeys)
            document.hints.append(
                MappingHint(
                    movie: try movieRef(f, in: item), show: try showRef(f, in: item),
                    location: SourceLocation(file: path, line: item.value.line, column: item.value.column)))
        }
        return document
    }

    /// A movie from the fields `movie`, `year`, `tmdb`, `imdb` and `radarr` of `item`, checked against
    /// `MappingRules` (the proposals file reads its movies the same way).
    package static func movieRef(_ f: [String: ConfigNode], in item: ConfigNode) throws(ConfigError) -> MovieRef {
        guard let movie = f["movie"] else { throw item.fail("missing key 'movie' (the movie's title)") }
        return MovieRef(
            title: try cleanTitle(movie), year: try f["year"]?.int(in: MappingRules.years),
            tmdb: try f["tmdb"]?.int(in: MappingRules.ids), imdb: try f["imdb"].map { n throws(ConfigError) in try imdbID(n) },
            radarr: try f["radarr"].map { n throws(ConfigError) in try cleanTitle(n) })
    }

    package static func showRef(_ f: [String: ConfigNode], in item: ConfigNode) throws(ConfigError) -> ShowRef {
        guard let show = f["show"] else { throw item.fail("missing key 'show' (the show's title)") }
        return ShowRef(
            title: try cleanTitle(show), tvdb: try f["tvdb"]?.int(in: MappingRules.ids),
            sonarr: try f["sonarr"].map { n throws(ConfigError) in try cleanTitle(n) })
    }

    private static func title(_ node: ConfigNode?) throws(ConfigError) -> String? {
        guard let node, !node.isNull else { return nil }
        return MappingRules.cleanTitle(try node.string())
    }

    /// A title or name: what `MappingRules.cleanTitle` keeps of it, and not empty.
    package static func cleanTitle(_ node: ConfigNode) throws(ConfigError) -> String {
        guard let clean = MappingRules.cleanTitle(try node.string()) else { throw node.fail("must not be empty") }
        return clean
    }

    package static func parseEpisodes(_ node: ConfigNode) throws(ConfigError) -> [EpisodeNumber] {
        let texts = try node.strings()
        do {
            return try EpisodeSpec.parse(texts)
        } catch {
            throw node.fail(error.description)
        }
    }

    package static func imdbID(_ node: ConfigNode) throws(ConfigError) -> String {
        let s = try node.nonEmptyString()
        guard MappingRules.isIMDbID(s) else { throw node.fail("an IMDb id looks like tt0123456") }
        return s
    }

    /// The mapping file in Usher's stable layout: links sorted by movie title, then year, show and
    /// episode; crossovers sorted by show; hints sorted by movie. Comments are not kept.
    public static func render(_ mappings: [LinkMapping]) -> String {
        render(MappingDocument(mappings: mappings))
    }

    public static func render(_ document: MappingDocument) -> String {
        var movies: [(MovieRef, LinkMapping)] = []
        var crossovers: [(ShowRef, [EpisodeNumber], LinkMapping)] = []
        for m in document.mappings {
            switch m.source {
            case .movie(let ref): movies.append((ref, m))
            case .episode(let show, let episodes): crossovers.append((show, episodes, m))
            }
        }
        func movieKey(_ ref: MovieRef, _ show: ShowRef) -> (String, Int, String, String, Int) {
            (TitleMatching.normalize(ref.title), ref.year ?? 0, TitleMatching.normalize(show.title), ref.title + "\u{1F}" + show.title, ref.tmdb ?? 0)
        }
        movies.sort { a, b in
            let ka = movieKey(a.0, a.1.show), kb = movieKey(b.0, b.1.show)
            if ka != kb { return ka < kb }
            return a.1.episodes.lexicographicallyPrecedes(b.1.episodes)
        }
        crossovers.sort { a, b in
            let ka = (TitleMatching.normalize(a.0.title), TitleMatching.normalize(a.2.show.title), a.0.title + "\u{1F}" + a.2.show.title)
            let kb = (TitleMatching.normalize(b.0.title), TitleMatching.normalize(b.2.show.title), b.0.title + "\u{1F}" + b.2.show.title)
            if ka != kb { return ka < kb }
            return a.1.lexicographicallyPrecedes(b.1)
        }
        let hints = document.hints.sorted { movieKey($0.movie, $0.show) < movieKey($1.movie, $1.show) }
        var out = "# Usher mappings: movies that are also episodes of a show (see README, \"Mapping file\").\n"
        out += movies.isEmpty ? "links: []\n" : "links:\n"
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
        if !hints.isEmpty {
            out += "# Movies known to be an episode of a show whose episode is not known yet: `usher match` proposes one.\n"
            out += "hints:\n"
            for hint in hints { out += movieLines(hint.movie, indent: "  ") + showLines(hint.show, indent: "    ") }
        }
        return out
    }

    private static func str(_ s: String) -> String { YAMLText.doubleQuoted(s) }

    private static func movieLines(_ ref: MovieRef, indent: String) -> String {
        let inner = indent + "  "
        var out = "\(indent)- movie: \(str(ref.title))\n"
        if let year = ref.year { out += "\(inner)year: \(year)\n" }
        if let tmdb = ref.tmdb { out += "\(inner)tmdb: \(tmdb)\n" }
        if let imdb = ref.imdb { out += "\(inner)imdb: \(imdb)\n" }
        if let radarr = ref.radarr { out += "\(inner)radarr: \(str(radarr))\n" }
        return out
    }

    private static func showLines(_ show: ShowRef, indent: String) -> String {
        var out = "\(indent)show: \(str(show.title))\n"
        if let tvdb = show.tvdb { out += "\(indent)tvdb: \(tvdb)\n" }
        if let sonarr = show.sonarr { out += "\(indent)sonarr: \(str(sonarr))\n" }
        return out
    }

    /// One movie link in the file's layout, its dash at `indent`.
    package static func entry(_ ref: MovieRef, _ m: LinkMapping, indent: String) -> String {
        let inner = indent + "  "
        var out = movieLines(ref, indent: indent) + showLines(m.show, indent: inner)
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
    /// else by rendering the whole file. Either way the result is read back and must hold exactly what
    /// the file held plus the new links, and the current file is archived first. Returns the archived copy.
    @discardableResult
    public static func append(_ added: [LinkMapping], to path: String, existing: MappingDocument, keep: Int, now: Date = Date()) throws -> String? {
        let current = FileManager.default.fileExists(atPath: path) ? try String(contentsOfFile: path, encoding: .utf8) : ""
        var expected = existing
        expected.mappings += added
        var text = current.isEmpty ? render(expected) : appending(added, to: current)
        if let candidate = text, !holds(candidate, expected, path: path) {
            text = nil
        }
        let final = text ?? render(expected)
        guard holds(final, expected, path: path) else {
            throw ConfigError(file: path, message: "could not add the new links to the mapping file (nothing was changed)")
        }
        return try write(final, to: path, keep: keep, now: now)
    }

    /// Writes a whole mapping document in the stable layout, after reading the text back: what is
    /// written is exactly what `usher link` will read, or nothing is written.
    @discardableResult
    public static func save(_ document: MappingDocument, to path: String, keep: Int, now: Date = Date()) throws -> String? {
        let text = render(document)
        guard holds(text, document, path: path) else {
            let problems =
                document.mappings.flatMap { m in MappingRules.problems(m).map { "\(m.label): \($0)" } }
                + document.hints.flatMap { h in MappingRules.problems(h).map { "\(h.label): \($0)" } }
            throw ConfigError(
                file: path,
                message: "the mappings would not read back as written (nothing was changed)"
                    + (problems.isEmpty ? "" : ": " + problems.prefix(3).joined(separator: "; ")))
        }
        return try write(text, to: path, keep: keep, now: now)
    }

    /// Whether mapping-file text reads back as exactly this document (positions aside, in any order).
    package static func holds(_ text: String, _ expected: MappingDocument, path: String) -> Bool {
        guard let read = try? loadDocument(text: text, path: path, environment: [:]) else { return false }
        func counted<T: Hashable>(_ items: [T]) -> [T: Int] { items.reduce(into: [:]) { $0[$1, default: 0] += 1 } }
        func unplaced(_ m: LinkMapping) -> LinkMapping { var m = m; m.location = nil; return m }
        func unplaced(_ h: MappingHint) -> MappingHint { var h = h; h.location = nil; return h }
        return counted(read.mappings.map(unplaced)) == counted(expected.mappings.map(unplaced))
            && counted(read.hints.map(unplaced)) == counted(expected.hints.map(unplaced))
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
