import Foundation
public import UsherCore

/// Reads the collection file of the old Plex Linker script, as data: no tag is resolved (`!cmd`, `!file`,
/// `!secret` are not run or read; such a value is reported), an alias is followed one step at most, and a
/// file that stops being valid YAML half-way still gives the entries before the damage.
public enum LegacyImportFile {
    public struct Contents: Sendable {
        public var movies: [LegacyMovie]
        /// The YAML error that stopped the reading, if any (the movies are those read before it).
        public var error: ConfigError?
        /// The entry the error interrupted (left out).
        public var cutOff: LegacyImport.Skip?
    }

    public static func load(path: String) throws(ConfigError) -> Contents {
        let text = try YAMLReader.readText(path)
        return read(text, path: path)
    }

    /// Reads collection-file text as if it were the file at `path`.
    public static func read(_ text: String, path: String) -> Contents {
        let document = YAMLReader.parseData(text, file: path)
        var reader = FieldReader(anchors: document.anchors, budget: max(100_000, text.utf8.count * 2))
        var contents = Contents(movies: [], error: document.error)
        if let cut = document.cutOff {
            contents.cutOff = LegacyImport.Skip(
                location: SourceLocation(file: path, line: cut.line, column: 1), entry: cut.key,
                reason: "cut off by the error in the file; not imported")
        }
        guard let root = document.root else { return contents }
        guard case .mapping(let pairs) = reader.follow(root).content else {
            if contents.error == nil {
                contents.error = ConfigError(
                    file: path, line: root.line, column: root.column,
                    message: "expected a mapping of movie folder names to their details (a Plex Linker collection file)")
            }
            return contents
        }
        for pair in pairs {
            let movie = reader.movie(pair, file: path)
            // Out of budget: this entry may be incomplete, so it is left out with the rest.
            guard reader.budget >= 0 else {
                contents.error = ConfigError(
                    file: path, line: pair.keyLine, column: pair.keyColumn,
                    message: "the file refers to the same entries too many times to be read; nothing from this line on was read")
                contents.cutOff = LegacyImport.Skip(location: movie.location, entry: pair.key, reason: "cut off by the error in the file; not imported")
                break
            }
            contents.movies.append(movie)
        }
        return contents
    }

    /// Turns YAML values into `LegacyField`s: only the fields the import reads, an alias followed at
    /// most one step (never into a value that is being defined, nor from an alias into another), and a
    /// budget of values read, so that a hostile file cannot make the reading expensive.
    package struct FieldReader {
        var anchors: [String: YAMLValue]
        var budget: Int

        mutating func spend(_ amount: Int = 1) -> Bool {
            budget -= amount
            return budget >= 0
        }

        /// The value an alias names, one step; anything else as it is.
        func follow(_ value: YAMLValue) -> YAMLValue {
            if case .alias(let name) = value.content, let target = anchors[name] {
                if case .alias = target.content { return value }
                return target
            }
            return value
        }

        mutating func field(_ raw: YAMLValue, depth: Int = 0) -> LegacyField {
            guard spend() else { return .unreadable("too expensive to read") }
            let value = depth == 0 ? follow(raw) : raw
            if let tag = value.tag { return .unreadable("a value with the YAML tag \(tag)") }
            switch value.content {
            case .null: return .null
            case .scalar(let text): return .text(text)
            case .alias(let name): return .unreadable("an alias (*\(name)) to a value that is not complete or not plain")
            case .mapping: return .unreadable("a mapping")
            case .sequence(let items):
                guard depth < 2, items.count <= 10_000 else { return .unreadable("a list nested too deep or too long") }
                guard spend(items.count) else { return .unreadable("too expensive to read") }
                return .list(items.map { field($0, depth: depth + 1) })
            }
        }

        mutating func movie(_ pair: (key: String, keyLine: Int, keyColumn: Int, value: YAMLValue), file: String) -> LegacyMovie {
            let location = SourceLocation(file: file, line: pair.keyLine, column: pair.keyColumn)
            let value = follow(pair.value)
            guard case .mapping(let details) = value.content, value.tag == nil else {
                return LegacyMovie(folderName: pair.key, shape: .other(field(pair.value)), location: location)
            }
            var movie = LegacyMovie(folderName: pair.key, location: location)
            for detail in details {
                guard spend() else { break }
                if LegacyImport.movieFields.contains(detail.key), movie.fields[detail.key] == nil {
                    movie.fields[detail.key] = field(detail.value)
                } else if detail.key == "Shows", case .absent = movie.showsField {
                    let shows = follow(detail.value)
                    guard case .mapping(let entries) = shows.content, shows.tag == nil else {
                        movie.showsField = field(detail.value)
                        continue
                    }
                    movie.showsField = .list([])
                    for entry in entries {
                        guard spend() else { break }
                        movie.shows.append(show(entry, file: file))
                    }
                }
            }
            return movie
        }

        mutating func show(_ entry: (key: String, keyLine: Int, keyColumn: Int, value: YAMLValue), file: String) -> LegacyShow {
            let location = SourceLocation(file: file, line: entry.keyLine, column: entry.keyColumn)
            let value = follow(entry.value)
            guard case .mapping(let pairs) = value.content, value.tag == nil else {
                return LegacyShow(name: entry.key, fields: nil, value: field(entry.value), location: location)
            }
            var fields: [String: LegacyField] = [:]
            for pair in pairs {
                guard spend() else { break }
                if LegacyImport.showFields.contains(pair.key), fields[pair.key] == nil { fields[pair.key] = field(pair.value) }
            }
            return LegacyShow(name: entry.key, fields: fields, value: .absent, location: location)
        }
    }
}
