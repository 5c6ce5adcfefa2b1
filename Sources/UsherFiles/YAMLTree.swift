package import Foundation
import UsherCore

/// A problem in a file a person edits, with its position: `usher.yml:12:5: link.type: ...`.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var key: String?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, key: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        return key.map { "\(place): \($0): \(message)" } ?? "\(place): \(message)"
    }
}

/// A YAML document with every value's position kept.
///
/// Read for a file a person configures (`YAMLReader.Mode.config`), custom tags in the style of Recyclarr
/// are resolved: `!env_var NAME [default]`, `!secret key` (from `secrets.yml` beside the file), `!file PATH`
/// (trimmed contents) and `!cmd "COMMAND"` (its trimmed standard output); values from `!secret`, `!file`
/// and `!cmd` are secret: they are never echoed in errors. Read as data (`.data`, for files Usher did not
/// write and that nobody vouches for), nothing is resolved: a tag is only recorded, an alias stays an alias.
package struct YAMLValue: Sendable {
    package enum Content: Sendable {
        case null
        case scalar(String)
        case sequence([YAMLValue])
        case mapping([(key: String, keyLine: Int, keyColumn: Int, value: YAMLValue)])
        /// `*name` (data mode only; a configured file may not use aliases).
        case alias(String)
    }

    package var content: Content
    package var line: Int
    package var column: Int
    package var secret: Bool = false
    /// A tag that is not one of YAML's own (`!cmd`), left unresolved (data mode only).
    package var tag: String?
}

/// A document read as data: what could be read, the anchored values (to look an alias up one step at a
/// time, never expanding it), and the error that stopped the reading, if any. On an error, the root
/// mapping holds the entries that were complete before it; the entry being read when it happened is
/// left out and named in `cutOff`.
package struct YAMLDataDocument: Sendable {
    package var root: YAMLValue?
    package var anchors: [String: YAMLValue]
    package var error: ConfigError?
    /// The top-level key whose value the error interrupted, and its line.
    package var cutOff: (key: String, line: Int)?
    /// Whether any value carries a tag of someone's own (`!secret`): without, there is nothing to resolve.
    package var hasCustomTags = false
}

package struct YAMLReader {
    package enum Mode: Sendable {
        /// Custom tags resolved, aliases refused, duplicate keys refused, any error stops.
        case config
        /// Nothing resolved or run: tags recorded, aliases kept, duplicate keys kept, an error keeps
        /// what was read before it.
        case data
    }

    package var file: String
    package var environment: [String: String]
    /// Whether the last text parsed had a custom tag (`!env_var`, `!secret`, `!file`, `!cmd`): its values then come
    /// from outside the text.
    package private(set) var hadCustomTags = false
    /// Runs `!cmd` commands within a time; returns stdout, or throws a message.
    package var runCommand: @Sendable (String, Duration) throws -> String
    /// How long a `!cmd` may take: the file's top-level `cmd_timeout_seconds`, else 30 s.
    package private(set) var commandTimeout: Duration = .seconds(30)
    /// Whether `!secret`, `!file` and `!cmd` may read files and run commands (not while fuzzing).
    package var readsOutside = true
    private var secrets: [String: String]?
    package private(set) var secretValues: [String] = []

    package init(
        file: String, environment: [String: String],
        runCommand: @escaping @Sendable (String, Duration) throws -> String = YAMLReader.shell
    ) {
        self.file = file
        self.environment = environment
        self.runCommand = runCommand
    }

    package func error(_ line: Int?, _ column: Int?, key: String? = nil, _ message: String) -> ConfigError {
        ConfigError(file: file, line: line, column: column, key: key, message: message)
    }

    package static func readText(_ file: String) throws(ConfigError) -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw ConfigError(file: file, message: "cannot read the file: \(Self.reason(error))")
        }
        return try text(data, file: file)
    }

    /// The bytes as UTF-8 text; anything else is an error at the line and column of the first bad byte.
    package static func text(_ data: Data, file: String) throws(ConfigError) -> String {
        let bytes = [UInt8](data)
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        // Find the first byte that does not decode.
        var iterator = CountingIterator(bytes: bytes)
        var decoder = UTF8()
        var start = 0
        decoding: while true {
            start = iterator.offset
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: break decoding
            case .error: break decoding
            }
        }
        let before = bytes[..<start]
        let line = before.filter { $0 == UInt8(ascii: "\n") }.count + 1
        let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        let column = String(decoding: bytes[lineStart..<start], as: UTF8.self).unicodeScalars.count + 1
        let byte = start < bytes.count ? String(format: "0x%02X", bytes[start]) : "end of file"
        throw ConfigError(
            file: file, line: line, column: column,
            message: "the file is not UTF-8 text (byte \(byte) here); save it as UTF-8")
    }

    private struct CountingIterator: IteratorProtocol {
        var bytes: [UInt8]
        var offset = 0
        mutating func next() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }
    }

    /// Reads and parses a file; `nil` for an empty document.
    package mutating func load() throws(ConfigError) -> YAMLValue? {
        try parse(try Self.readText(file))
    }

    /// Parses a configured file: tags resolved, no aliases; `nil` for an empty document.
    package mutating func parse(_ text: String) throws(ConfigError) -> YAMLValue? {
        var builder = YAMLEventReader(file: file, mode: .config)
        let read = builder.read(text)
        if let error = read.error { throw error }
        hadCustomTags = read.hasCustomTags
        guard let root = read.root else { return nil }
        guard read.hasCustomTags else { return root }
        if case .mapping(let pairs) = root.content, let node = pairs.first(where: { $0.key == "cmd_timeout_seconds" }) {
            guard node.value.tag == nil else { throw error(node.value.line, node.value.column, key: node.key, "cmd_timeout_seconds takes a plain number") }
            commandTimeout = .seconds(try ConfigNode(value: node.value, path: node.key, file: file).int(in: 1...3600))
        }
        return try resolveTags(root)
    }

    /// Parses a file as data (see `Mode.data`); never runs or reads anything the text names.
    package static func parseData(_ text: String, file: String) -> YAMLDataDocument {
        var builder = YAMLEventReader(file: file, mode: .data)
        return builder.read(text)
    }

    /// Replaces every custom-tagged value of a configured file by what the tag names.
    private mutating func resolveTags(_ value: YAMLValue) throws(ConfigError) -> YAMLValue {
        switch value.content {
        case .scalar(let text):
            guard let tag = value.tag else { return value }
            return try resolveTag(tag, text, line: value.line, column: value.column)
        case .sequence(let items):
            if let tag = value.tag { throw error(value.line, value.column, "the tag \(tag) applies to a single value, not a list") }
            var resolved: [YAMLValue] = []
            resolved.reserveCapacity(items.count)
            for item in items { resolved.append(try resolveTags(item)) }
            var copy = value
            copy.content = .sequence(resolved)
            return copy
        case .mapping(let pairs):
            if let tag = value.tag { throw error(value.line, value.column, "the tag \(tag) applies to a single value, not a mapping") }
            var resolved: [(key: String, keyLine: Int, keyColumn: Int, value: YAMLValue)] = []
            resolved.reserveCapacity(pairs.count)
            for pair in pairs { resolved.append((pair.key, pair.keyLine, pair.keyColumn, try resolveTags(pair.value))) }
            var copy = value
            copy.content = .mapping(resolved)
            return copy
        case .null:
            if let tag = value.tag { return try resolveTag(tag, "", line: value.line, column: value.column) }
            return value
        case .alias:
            throw error(value.line, value.column, "YAML aliases are not supported here")
        }
    }

    private mutating func resolveTag(_ tag: String, _ argument: String, line: Int, column: Int) throws(ConfigError) -> YAMLValue {
        let argument = argument.trimmingCharacters(in: .whitespaces)
        var value: String
        var secret = true
        if !readsOutside, ["!secret", "!file", "!cmd"].contains(tag) {
            throw error(line, column, "\(tag) is not read here")
        }
        switch tag {
        case "!env_var":
            let parts = argument.split(separator: " ", maxSplits: 1).map(String.init)
            guard let name = parts.first, !name.isEmpty else { throw error(line, column, "!env_var needs a variable name") }
            if let found = environment[name] {
                value = found
            } else if parts.count == 2 {
                value = Self.unquote(parts[1])
            } else {
                throw error(line, column, "environment variable \(name) is not set and no default is given")
            }
            secret = false
        case "!secret":
            guard !argument.isEmpty else { throw error(line, column, "!secret needs a key") }
            let secretsFile = (file as NSString).deletingLastPathComponent + "/secrets.yml"
            if secrets == nil { secrets = try loadSecrets(secretsFile, line: line, column: column) }
            guard let found = secrets?[argument] else {
                throw error(line, column, "secret '\(argument)' is not in \(secretsFile)")
            }
            value = found
        case "!file":
            guard !argument.isEmpty else { throw error(line, column, "!file needs a path") }
            let path = argument.hasPrefix("/") ? argument : (file as NSString).deletingLastPathComponent + "/" + argument
            do {
                value = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw self.error(line, column, "cannot read \(path): \(Self.reason(error))")
            }
        case "!cmd":
            guard !argument.isEmpty else { throw error(line, column, "!cmd needs a command") }
            do {
                value = try runCommand(argument, commandTimeout).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw self.error(line, column, "command failed: \(error)")
            }
        default:
            throw error(line, column, "unknown tag \(tag) (use !env_var, !secret, !file or !cmd)")
        }
        if secret, !value.isEmpty { secretValues.append(value) }
        return YAMLValue(content: .scalar(value), line: line, column: column, secret: secret)
    }

    private func loadSecrets(_ path: String, line: Int, column: Int) throws(ConfigError) -> [String: String] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw error(line, column, "!secret needs \(path), which does not exist")
        }
        var reader = YAMLReader(file: path, environment: [:], runCommand: { _, _ in throw ConfigError(file: path, message: "no !cmd in secrets") })
        guard let root = try reader.load() else { return [:] }
        guard case .mapping(let pairs) = root.content else {
            throw ConfigError(file: path, line: root.line, column: root.column, message: "secrets.yml must map names to values")
        }
        var result: [String: String] = [:]
        for pair in pairs {
            guard case .scalar(let value) = pair.value.content else {
                throw ConfigError(file: path, line: pair.keyLine, column: pair.keyColumn, key: pair.key, message: "a secret must be a single value")
            }
            result[pair.key] = value
        }
        return result
    }

    package static func unquote(_ text: String) -> String {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.count >= 2, let f = t.first, let l = t.last, f == l, f == "\"" || f == "'" {
            return String(t.dropFirst().dropLast())
        }
        return t
    }

    package static func reason(_ error: any Error) -> String {
        if let cocoa = error as? CocoaError, let underlying = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError,
            underlying.domain == NSPOSIXErrorDomain
        {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if let cocoa = error as? CocoaError {
            switch cocoa.code {
            case .fileReadNoSuchFile, .fileNoSuchFile: return "no such file"
            case .fileReadNoPermission: return "permission denied"
            default: break
            }
        }
        return error.localizedDescription
    }

    /// Runs a `!cmd` command (see `ShellCommand`); its standard error passes through.
    @Sendable package static func shell(_ command: String, timeout: Duration) throws -> String {
        try ShellCommand.run(command, timeout: timeout)
    }

}

/// Typed access to a `YAMLValue` that names the file, line, column and key of every mistake.
package struct ConfigNode {
    package var value: YAMLValue
    package var path: String
    package var file: String

    package init(value: YAMLValue, path: String, file: String) {
        self.value = value
        self.path = path
        self.file = file
    }

    package func fail(_ message: String) -> ConfigError {
        ConfigError(file: file, line: value.line, column: value.column, key: path.isEmpty ? nil : path, message: message)
    }

    private var shown: String {
        if value.secret { return "(a secret value)" }
        if case .scalar(let s) = value.content { return "'\(s)'" }
        return "this value"
    }

    package var isNull: Bool { if case .null = value.content { true } else { false } }

    /// The entries of a mapping; any key not in `allowed` is an error that lists the allowed ones.
    package func mapping(allowed: [String]) throws(ConfigError) -> [String: ConfigNode] {
        if isNull { return [:] }
        guard case .mapping(let pairs) = value.content else { throw fail("expected a mapping with keys \(allowed.joined(separator: ", "))") }
        var result: [String: ConfigNode] = [:]
        for pair in pairs {
            let keyPath = path.isEmpty ? pair.key : "\(path).\(pair.key)"
            guard allowed.contains(pair.key) else {
                throw ConfigError(
                    file: file, line: pair.keyLine, column: pair.keyColumn, key: keyPath,
                    message: "unknown key (expected one of: \(allowed.joined(separator: ", ")))")
            }
            result[pair.key] = ConfigNode(value: pair.value, path: keyPath, file: file)
        }
        return result
    }

    /// The entries of a mapping with free-form keys (e.g. instance names).
    package func entries() throws(ConfigError) -> [(String, ConfigNode)] {
        if isNull { return [] }
        guard case .mapping(let pairs) = value.content else { throw fail("expected a mapping") }
        return pairs.map { ($0.key, ConfigNode(value: $0.value, path: path.isEmpty ? $0.key : "\(path).\($0.key)", file: file)) }
    }

    package func string() throws(ConfigError) -> String {
        guard case .scalar(let s) = value.content else { throw fail("expected a single value") }
        return s
    }

    package func nonEmptyString() throws(ConfigError) -> String {
        let s = try string().trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty else { throw fail("must not be empty") }
        return s
    }

    package func int(in range: ClosedRange<Int>? = nil) throws(ConfigError) -> Int {
        guard case .scalar(let s) = value.content, let n = Int(s.trimmingCharacters(in: .whitespaces)) else {
            throw fail("expected a whole number, not \(shown)")
        }
        if let range, !range.contains(n) { throw fail("must be between \(range.lowerBound) and \(range.upperBound)") }
        return n
    }

    package func bool() throws(ConfigError) -> Bool {
        guard case .scalar(let s) = value.content else { throw fail("expected true or false") }
        switch s.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw fail("expected true or false, not \(shown)")
        }
    }

    package func choice<E: RawRepresentable & CaseIterable>(_ type: E.Type) throws(ConfigError) -> E where E.RawValue == String {
        let s = try string()
        guard let e = E(rawValue: s.lowercased()) else {
            throw fail("\(shown) is not one of: \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return e
    }

    package func list() throws(ConfigError) -> [ConfigNode] {
        if isNull { return [] }
        guard case .sequence(let items) = value.content else { throw fail("expected a list") }
        return items.enumerated().map { ConfigNode(value: $1, path: "\(path)[\($0)]", file: file) }
    }

    /// A single value or a list of values.
    package func strings() throws(ConfigError) -> [String] {
        if case .scalar(let s) = value.content { return [s] }
        var result: [String] = []
        for item in try list() { result.append(try item.string()) }
        return result
    }
}
