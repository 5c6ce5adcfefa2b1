import Foundation
import UsherCore
import Yams

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

/// A YAML document with every custom tag resolved and every value's position kept.
///
/// Tags in the style of Recyclarr: `!env_var NAME [default]`, `!secret key` (from `secrets.yml`
/// beside the file), `!file PATH` (trimmed contents) and `!cmd "COMMAND"` (its trimmed standard output).
/// Values from `!secret`, `!file` and `!cmd` are secret: they are never echoed in errors.
struct YAMLValue: Sendable {
    enum Content: Sendable {
        case null
        case scalar(String)
        case sequence([YAMLValue])
        case mapping([(key: String, keyLine: Int, keyColumn: Int, value: YAMLValue)])
    }

    var content: Content
    var line: Int
    var column: Int
    var secret: Bool = false
}

struct YAMLReader {
    var file: String
    var environment: [String: String]
    /// Runs `!cmd` commands; returns stdout, or throws a message.
    var runCommand: @Sendable (String) throws -> String
    private var secrets: [String: String]?
    private(set) var secretValues: [String] = []

    init(file: String, environment: [String: String] = ProcessInfo.processInfo.environment,
         runCommand: @escaping @Sendable (String) throws -> String = YAMLReader.shell) {
        self.file = file
        self.environment = environment
        self.runCommand = runCommand
    }

    func error(_ line: Int?, _ column: Int?, key: String? = nil, _ message: String) -> ConfigError {
        ConfigError(file: file, line: line, column: column, key: key, message: message)
    }

    /// Reads and parses a file; `nil` for an empty document.
    mutating func load() throws(ConfigError) -> YAMLValue? {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw self.error(nil, nil, "cannot read the file: \(Self.reason(error))")
        }
        return try parse(text)
    }

    mutating func parse(_ text: String) throws(ConfigError) -> YAMLValue? {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let yamlError as YamlError {
            throw Self.describe(yamlError, file: file)
        } catch {
            throw self.error(nil, nil, "not valid YAML: \(error)")
        }
        guard let node else { return nil }
        return try resolve(node)
    }

    static func describe(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let text = [context.map { "\($0.text)" }, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return ConfigError(file: file, line: mark.line, column: mark.column, message: "not valid YAML: \(text)")
        default:
            return ConfigError(file: file, message: "not valid YAML: \(error)")
        }
    }

    private mutating func resolve(_ node: Node) throws(ConfigError) -> YAMLValue {
        let line = node.mark?.line ?? 0
        let column = node.mark?.column ?? 0
        switch node {
        case .scalar(let scalar):
            let tag = scalar.tag.rawValue
            if tag.hasPrefix("!"), !tag.hasPrefix("!!") {
                return try resolveTag(tag, scalar.string, line: line, column: column)
            }
            if tag == Tag.Name.null.rawValue { return YAMLValue(content: .null, line: line, column: column) }
            return YAMLValue(content: .scalar(scalar.string), line: line, column: column)
        case .sequence(let sequence):
            var items: [YAMLValue] = []
            for item in sequence { items.append(try resolve(item)) }
            return YAMLValue(content: .sequence(items), line: line, column: column)
        case .mapping(let mapping):
            var pairs: [(key: String, keyLine: Int, keyColumn: Int, value: YAMLValue)] = []
            var seen = Set<String>()
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw error(key.mark?.line, key.mark?.column, "keys must be plain words")
                }
                guard seen.insert(keyScalar.string).inserted else {
                    throw error(key.mark?.line, key.mark?.column, key: keyScalar.string, "this key is given twice")
                }
                pairs.append((keyScalar.string, key.mark?.line ?? line, key.mark?.column ?? column, try resolve(value)))
            }
            return YAMLValue(content: .mapping(pairs), line: line, column: column)
        case .alias:
            throw error(line, column, "YAML aliases are not supported here")
        }
    }

    private mutating func resolveTag(_ tag: String, _ argument: String, line: Int, column: Int) throws(ConfigError) -> YAMLValue {
        let argument = argument.trimmingCharacters(in: .whitespaces)
        var value: String
        var secret = true
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
                value = try runCommand(argument).trimmingCharacters(in: .whitespacesAndNewlines)
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
        var reader = YAMLReader(file: path, environment: [:], runCommand: { _ in throw ConfigError(file: path, message: "no !cmd in secrets") })
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

    static func unquote(_ text: String) -> String {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.count >= 2, let f = t.first, let l = t.last, f == l, f == "\"" || f == "'" {
            return String(t.dropFirst().dropLast())
        }
        return t
    }

    static func reason(_ error: any Error) -> String {
        if let cocoa = error as? CocoaError, let underlying = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain {
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

    /// Runs a command with `/bin/sh -c`, 30 seconds at most; its standard error passes through.
    @Sendable static func shell(_ command: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = DispatchTime.now() + .seconds(30)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        while process.isRunning {
            if DispatchTime.now() > deadline {
                process.terminate()
                throw ShellError(message: "timed out after 30 s")
            }
            usleep(10_000)
        }
        guard process.terminationStatus == 0 else {
            throw ShellError(message: "exited with status \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    struct ShellError: Error, CustomStringConvertible { var message: String; var description: String { message } }
}

/// Typed access to a `YAMLValue` that names the file, line, column and key of every mistake.
struct ConfigNode {
    var value: YAMLValue
    var path: String
    var file: String

    func fail(_ message: String) -> ConfigError {
        ConfigError(file: file, line: value.line, column: value.column, key: path.isEmpty ? nil : path, message: message)
    }

    private var shown: String {
        if value.secret { return "(a secret value)" }
        if case .scalar(let s) = value.content { return "'\(s)'" }
        return "this value"
    }

    var isNull: Bool { if case .null = value.content { true } else { false } }

    /// The entries of a mapping; any key not in `allowed` is an error that lists the allowed ones.
    func mapping(allowed: [String]) throws(ConfigError) -> [String: ConfigNode] {
        if isNull { return [:] }
        guard case .mapping(let pairs) = value.content else { throw fail("expected a mapping with keys \(allowed.joined(separator: ", "))") }
        var result: [String: ConfigNode] = [:]
        for pair in pairs {
            let keyPath = path.isEmpty ? pair.key : "\(path).\(pair.key)"
            guard allowed.contains(pair.key) else {
                throw ConfigError(file: file, line: pair.keyLine, column: pair.keyColumn, key: keyPath,
                    message: "unknown key (expected one of: \(allowed.joined(separator: ", ")))")
            }
            result[pair.key] = ConfigNode(value: pair.value, path: keyPath, file: file)
        }
        return result
    }

    /// The entries of a mapping with free-form keys (e.g. instance names).
    func entries() throws(ConfigError) -> [(String, ConfigNode)] {
        if isNull { return [] }
        guard case .mapping(let pairs) = value.content else { throw fail("expected a mapping") }
        return pairs.map { ($0.key, ConfigNode(value: $0.value, path: path.isEmpty ? $0.key : "\(path).\($0.key)", file: file)) }
    }

    func string() throws(ConfigError) -> String {
        guard case .scalar(let s) = value.content else { throw fail("expected a single value") }
        return s
    }

    func nonEmptyString() throws(ConfigError) -> String {
        let s = try string().trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty else { throw fail("must not be empty") }
        return s
    }

    func int(in range: ClosedRange<Int>? = nil) throws(ConfigError) -> Int {
        guard case .scalar(let s) = value.content, let n = Int(s.trimmingCharacters(in: .whitespaces)) else {
            throw fail("expected a whole number, not \(shown)")
        }
        if let range, !range.contains(n) { throw fail("must be between \(range.lowerBound) and \(range.upperBound)") }
        return n
    }

    func bool() throws(ConfigError) -> Bool {
        guard case .scalar(let s) = value.content else { throw fail("expected true or false") }
        switch s.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw fail("expected true or false, not \(shown)")
        }
    }

    func choice<E: RawRepresentable & CaseIterable>(_ type: E.Type) throws(ConfigError) -> E where E.RawValue == String {
        let s = try string()
        guard let e = E(rawValue: s.lowercased()) else {
            throw fail("\(shown) is not one of: \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return e
    }

    func list() throws(ConfigError) -> [ConfigNode] {
        if isNull { return [] }
        guard case .sequence(let items) = value.content else { throw fail("expected a list") }
        return items.enumerated().map { ConfigNode(value: $1, path: "\(path)[\($0)]", file: file) }
    }

    /// A single value or a list of values.
    func strings() throws(ConfigError) -> [String] {
        if case .scalar(let s) = value.content { return [s] }
        var result: [String] = []
        for item in try list() { result.append(try item.string()) }
        return result
    }
}
