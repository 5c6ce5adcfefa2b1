import Foundation

/// Checks JSON against the schemas of an OpenAPI 3.0 document (the Sonarr and Radarr specs), for tests.
///
/// Supported: `$ref` (JSON pointers into the document, `#/components/schemas/…`), `type` (object, array, string,
/// integer, number, boolean; a list of types as in 3.1), `nullable`, `enum` (case-sensitive; a value that
/// differs only in case is reported as such), `format` int32/int64 ranges, `items`, `uniqueItems` (of scalars),
/// `properties` (recursively), `required`, `additionalProperties` (`false` or a schema), and minimal
/// `allOf` (every branch, knowing the properties of its siblings), `anyOf`/`oneOf` (at least one branch
/// matches). Not checked: string formats (date-time…), lengths, patterns, minimum/maximum, `not`,
/// discriminators (the *arr specs use none of these except date-time formats).
///
/// Each violation is one line with a JSON path: `$.records[0].title: expected string, got number`.
struct OpenAPIContract: @unchecked Sendable {  // immutable after init
    let document: [String: Any]
    let source: String

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    init(specAt url: URL) throws {
        let data = try Data(contentsOf: url)
        guard let document = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Invalid(description: "\(url.path): not a JSON object")
        }
        guard document["paths"] is [String: Any] || document["components"] is [String: Any] else {
            throw Invalid(description: "\(url.path): no paths or components: not an OpenAPI document")
        }
        self.document = document
        self.source = url.lastPathComponent
    }

    // MARK: Schemas

    /// The names under `components/schemas`.
    var schemaNames: [String] {
        (((document["components"] as? [String: Any])?["schemas"] as? [String: Any]) ?? [:]).keys.sorted()
    }

    /// The violations of a value (as `JSONSerialization` gives it) against `components/schemas/<schemaName>`.
    func violations(of json: Any, against schemaName: String) -> [String] {
        let ref = "#/components/schemas/" + schemaName
        guard resolvePointer(ref) != nil else { return ["$: no schema \(schemaName) in \(source)"] }
        var out: [String] = []
        validate(json, ["$ref": ref], path: "$", into: &out)
        return out
    }

    /// The violations of each element of a JSON array (or of a single object) against a schema.
    func violations(of data: Data, against schemaName: String) -> [String] {
        switch parse(data) {
        case .success(let json): violations(of: json, arrayOrSingle: schemaName)
        case .failure(let problem): [problem.description]
        }
    }

    private func violations(of json: Any, arrayOrSingle schemaName: String) -> [String] {
        if json is [Any] {
            let ref = "#/components/schemas/" + schemaName
            guard resolvePointer(ref) != nil else { return ["$: no schema \(schemaName) in \(source)"] }
            var out: [String] = []
            validate(json, ["type": "array", "items": ["$ref": ref]], path: "$", into: &out)
            return out
        }
        return violations(of: json, against: schemaName)
    }

    // MARK: Responses

    /// The violations of a response body against what the spec declares for `method path` answering `status`.
    ///
    /// `path` is concrete (`/api/v3/series/12?includeSeasonImages=false`) and matched against the templates
    /// (`/api/v3/series/{id}`), literal segments winning over parameters. The response is `responses[status]`,
    /// else `"2XX"`-style, else `default`; and, unless `strict`, for a 2xx status the operation's only
    /// declared 2xx response (the *arr specs, made by Swashbuckle, declare 200 where the server answers 201
    /// or 202). The schema is that of `application/json`, else `text/json`, else `text/plain`.
    /// Many *arr operations declare no schema at all: then the answer is `[]`, or, when `strict`, one
    /// violation saying so. A path or method the spec does not know is always a violation.
    func violations(
        of data: Data, forResponseOf method: String, path: String, status: Int,
        strict: Bool = false
    ) -> [String] {
        let what = "\(method.uppercased()) \(path) \(status)"
        let lookup = responseSchema(method: method, path: path, status: status, strict: strict)
        let schema: [String: Any]
        switch lookup {
        case .failure(let problem): return ["$: \(problem) (\(source))"]
        case .success(nil): return strict ? ["$: no schema for \(what) in \(source)"] : []
        case .success(let found?): schema = found
        }
        switch parse(data) {
        case .failure(let problem): return [problem.description + " (\(what))"]
        case .success(let json):
            var out: [String] = []
            validate(json, schema, path: "$", into: &out)
            return out
        }
    }

    /// The path template of the spec that a concrete path matches, if any: the most literal one when several
    /// do (`/series/lookup` over `/series/{id}`, `{id}.json` over `{id}`).
    func pathTemplate(matching path: String) -> String? {
        let concrete = Self.segments(of: path)
        let paths = (document["paths"] as? [String: Any]) ?? [:]
        var best: (template: String, literals: Int, literalCharacters: Int)?
        for template in paths.keys.sorted() {
            let pattern = Self.segments(of: template)
            guard pattern.count == concrete.count else { continue }
            var literals = 0
            var literalCharacters = 0
            var matches = true
            for (p, c) in zip(pattern, concrete) {
                if p.contains("{") {
                    if !Self.segment(c, matchesTemplate: p) { matches = false; break }
                    literalCharacters += Self.literalCharacters(in: p)
                } else if p.lowercased() == c.lowercased() {
                    literals += 1
                } else {
                    matches = false
                    break
                }
            }
            guard matches else { continue }
            if let current = best, (current.literals, current.literalCharacters) >= (literals, literalCharacters) { continue }
            best = (template, literals, literalCharacters)
        }
        return best?.template
    }

    /// `.success(nil)`: the response exists and has no schema; `.failure`: no such operation or response.
    func responseSchema(method: String, path: String, status: Int, strict: Bool = false)
        -> Result<[String: Any]?, Problem>
    {
        guard let template = pathTemplate(matching: path) else {
            return .failure(Problem("no path in the spec matches \(Self.stripQuery(path))"))
        }
        let item = ((document["paths"] as? [String: Any])?[template] as? [String: Any]) ?? [:]
        guard let operation = item[method.lowercased()] as? [String: Any] else {
            let known = item.keys.filter { ["get", "put", "post", "delete", "patch", "head", "options"].contains($0) }
            return .failure(
                Problem("\(template) has no \(method.uppercased()) operation (only \(known.sorted().map { $0.uppercased() }.joined(separator: ", ")))"))
        }
        let responses = (operation["responses"] as? [String: Any]) ?? [:]
        var response =
            responses[String(status)] as? [String: Any]
            ?? responses.first { $0.key.uppercased() == "\(status / 100)XX" }?.value as? [String: Any]
            ?? responses["default"] as? [String: Any]
        if response == nil, !strict, (200..<300).contains(status) {
            let successes = responses.filter { $0.key.hasPrefix("2") }
            if successes.count == 1 { response = successes.first?.value as? [String: Any] }
        }
        guard let response = response.map(resolveRef) else {
            return .failure(
                Problem("\(method.uppercased()) \(template) declares no \(status) response (only \(responses.keys.sorted().joined(separator: ", ")))"))
        }
        guard let content = response["content"] as? [String: Any], !content.isEmpty else { return .success(nil) }
        let preferred = ["application/json", "text/json", "text/plain"]
        let mediaType =
            preferred.first { content[$0] != nil }
            ?? content.keys.sorted().first { $0.contains("json") }
            ?? content.keys.sorted().first!
        return .success((content[mediaType] as? [String: Any])?["schema"] as? [String: Any])
    }

    struct Problem: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: Validation

    private func validate(
        _ value: Any, _ rawSchema: [String: Any], path: String, into out: inout [String],
        siblingProperties: Set<String> = []
    ) {
        let (schema, name, refNullable) = resolve(rawSchema)
        let json = JSONValue(value)
        let nullable = refNullable || (schema["nullable"] as? Bool ?? false) || (rawSchema["nullable"] as? Bool ?? false)
        let types: [String] = (schema["type"] as? String).map { [$0] } ?? (schema["type"] as? [String]) ?? []

        if case .null = json {
            if nullable || types.contains("null") || (types.isEmpty && !Self.hasStructure(schema)) { return }
            let expected = types.first ?? name ?? "a value"
            out.append("\(path): expected \(expected), got null")
            return
        }

        if !types.isEmpty, !types.contains(where: { json.matches(type: $0) }) {
            var got = json.kind
            if types.contains("integer"), case .number(let d) = json { got = "number \(d)" }
            out.append("\(path): expected \(types.joined(separator: " or ")), got \(got)")
            return
        }

        if let allowed = schema["enum"] as? [Any] {
            checkEnum(json, allowed, path: path, schemaName: name, into: &out)
        }

        if let format = schema["format"] as? String, types.contains("integer") || types.isEmpty {
            checkIntegerFormat(json, format, path: path, into: &out)
        }

        switch json {
        case .array(let elements):
            if let items = schema["items"] as? [String: Any] {
                for (index, element) in elements.enumerated() {
                    validate(element, items, path: "\(path)[\(index)]", into: &out)
                }
            }
            if schema["uniqueItems"] as? Bool == true { checkUnique(elements, path: path, into: &out) }
        case .object(let object):
            checkObject(object, schema, name: name, path: path, siblingProperties: siblingProperties, into: &out)
        default:
            break
        }

        if let allOf = schema["allOf"] as? [[String: Any]] {
            var known = Set(((schema["properties"] as? [String: Any]) ?? [:]).keys).union(siblingProperties)
            for branch in allOf { known.formUnion(propertyNames(of: branch)) }
            for branch in allOf { validate(value, branch, path: path, into: &out, siblingProperties: known) }
        }
        for keyword in ["anyOf", "oneOf"] {
            guard let branches = schema[keyword] as? [[String: Any]], !branches.isEmpty else { continue }
            let known = Set(((schema["properties"] as? [String: Any]) ?? [:]).keys).union(siblingProperties)
            let results = branches.map { branch -> [String] in
                var branchOut: [String] = []
                validate(value, branch, path: path, into: &branchOut, siblingProperties: known)
                return branchOut
            }
            if results.contains(where: \.isEmpty) { continue }
            let closest = results.min { $0.count < $1.count }!
            out.append("\(path): matches none of the \(branches.count) alternatives of \(keyword) (closest: \(closest[0]))")
        }
    }

    private func checkObject(
        _ object: [String: Any], _ schema: [String: Any], name: String?, path: String,
        siblingProperties: Set<String>, into out: inout [String]
    ) {
        let properties = (schema["properties"] as? [String: Any]) ?? [:]
        for required in (schema["required"] as? [String]) ?? [] where object[required] == nil {
            out.append("\(Self.join(path, required)): required property missing")
        }
        for key in object.keys.sorted() {
            let childPath = Self.join(path, key)
            if let property = properties[key] as? [String: Any] {
                validate(object[key]!, property, path: childPath, into: &out)
            } else if siblingProperties.contains(key) {
                continue
            } else if let additional = schema["additionalProperties"] as? [String: Any] {
                validate(object[key]!, additional, path: childPath, into: &out)
            } else if schema["additionalProperties"] as? Bool == false {
                out.append("\(childPath): unexpected property (not in \(name ?? "the schema"), additionalProperties: false)")
            }
        }
    }

    private func checkEnum(
        _ json: JSONValue, _ allowed: [Any], path: String, schemaName: String?,
        into out: inout [String]
    ) {
        let names = allowed.map { "\($0)" }
        switch json {
        case .string(let text):
            if names.contains(text) { return }
            let hint = names.first { $0.lowercased() == text.lowercased() }.map { " (case differs from \($0))" } ?? ""
            out.append("\(path): \"\(text)\" is not one of \(schemaName.map { $0 + ": " } ?? "")\(names.joined(separator: ", "))\(hint)")
        case .integer(let number):
            if !names.contains(String(number)) { out.append("\(path): \(number) is not one of \(names.joined(separator: ", "))") }
        case .bool(let flag):
            if !allowed.contains(where: { ($0 as? Bool) == flag && JSONValue($0).kind == "boolean" }) {
                out.append("\(path): \(flag) is not one of \(names.joined(separator: ", "))")
            }
        default:
            break
        }
    }

    private func checkIntegerFormat(_ json: JSONValue, _ format: String, path: String, into out: inout [String]) {
        let range: Range<Double>  // 2^63 is not an Int64
        switch format {
        case "int32": range = Double(Int32.min)..<(Double(Int32.max) + 1)
        case "int64": range = -9_223_372_036_854_775_808.0..<9_223_372_036_854_775_808.0
        default: return
        }
        switch json {
        case .integer(let n):
            if format == "int32", n < Int64(Int32.min) || n > Int64(Int32.max) {
                out.append("\(path): \(n) is out of int32 range")
            }
        case .bigInteger(let text):
            out.append("\(path): \(text) is out of \(format) range")
        case .number(let d) where d.rounded() == d:
            if !range.contains(d) { out.append("\(path): \(d) is out of \(format) range") }
        default:
            break
        }
    }

    private func checkUnique(_ elements: [Any], path: String, into out: inout [String]) {
        var seen = Set<String>()
        for (index, element) in elements.enumerated() {
            let key: String
            switch JSONValue(element) {
            case .string(let s): key = "s:" + s
            case .integer(let n): key = "n:\(n)"
            case .bigInteger(let s): key = "n:" + s
            case .number(let d): key = d.rounded() == d && abs(d) < 9e18 ? "n:\(Int64(d))" : "d:\(d)"
            case .bool(let b): key = "b:\(b)"
            default: continue
            }
            if !seen.insert(key).inserted { out.append("\(path)[\(index)]: duplicate item (uniqueItems)") }
        }
    }

    // MARK: References

    /// The schema with `$ref`s followed, the name of the last schema referred to, and whether a referring
    /// schema said `nullable: true`.
    private func resolve(_ schema: [String: Any]) -> (schema: [String: Any], name: String?, nullable: Bool) {
        var current = schema
        var name: String?
        var nullable = false
        var seen = Set<String>()
        while let ref = current["$ref"] as? String {
            if current["nullable"] as? Bool == true { nullable = true }
            guard seen.insert(ref).inserted, let target = resolvePointer(ref) else {
                return (["x-unresolved": ref], ref.split(separator: "/").last.map(String.init), nullable)
            }
            name = ref.split(separator: "/").last.map(String.init)
            current = target
        }
        return (current, name, nullable)
    }

    private func resolveRef(_ object: [String: Any]) -> [String: Any] {
        guard let ref = object["$ref"] as? String, let target = resolvePointer(ref) else { return object }
        return target
    }

    /// A local JSON pointer (`#/components/schemas/SeriesResource`) into the document.
    private func resolvePointer(_ ref: String) -> [String: Any]? {
        guard ref.hasPrefix("#/") else { return nil }
        var node: Any = document
        for raw in ref.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) {
            let token = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let object = node as? [String: Any], let next = object[token] else { return nil }
            node = next
        }
        return node as? [String: Any]
    }

    private func propertyNames(of schema: [String: Any]) -> Set<String> {
        let resolved = resolve(schema).schema
        var names = Set(((resolved["properties"] as? [String: Any]) ?? [:]).keys)
        for nested in (resolved["allOf"] as? [[String: Any]]) ?? [] { names.formUnion(propertyNames(of: nested)) }
        return names
    }

    private static func hasStructure(_ schema: [String: Any]) -> Bool {
        ["properties", "items", "enum", "allOf", "anyOf", "oneOf", "x-unresolved"].contains { schema[$0] != nil }
    }

    // MARK: Helpers

    private func parse(_ data: Data) -> Result<Any, Problem> {
        if data.isEmpty || data.allSatisfy({ [0x20, 0x0A, 0x0D, 0x09].contains($0) }) {
            return .failure(Problem("$: empty body"))
        }
        do {
            return .success(try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
        } catch {
            return .failure(Problem("$: not JSON: \(error.localizedDescription)"))
        }
    }

    private static func stripQuery(_ path: String) -> String {
        String(path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }

    private static func segments(of path: String) -> [String] {
        var trimmed = stripQuery(path)
        if let scheme = trimmed.range(of: "://"), let slash = trimmed[scheme.upperBound...].firstIndex(of: "/") {
            trimmed = String(trimmed[slash...])  // a full URL: keep only its path
        }
        if !trimmed.hasPrefix("/api/"), let api = trimmed.range(of: "/api/") {
            trimmed = String(trimmed[api.lowerBound...])  // behind a urlBase (`/sonarr/api/v3/…`)
        }
        return trimmed.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
    }

    /// `{id}` matches any non-empty segment; `v{version}.json`-style templates match around the literals.
    private static func segment(_ concrete: String, matchesTemplate template: String) -> Bool {
        var pattern = "^"
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            pattern += NSRegularExpression.escapedPattern(for: String(rest[..<open])) + "[^/]+"
            rest = rest[rest.index(after: close)...]
        }
        pattern += NSRegularExpression.escapedPattern(for: String(rest)) + "$"
        return concrete.range(of: pattern, options: [.regularExpression, .caseInsensitive]) != nil
    }

    private static func literalCharacters(in template: String) -> Int {
        var count = 0
        var depth = 0
        for character in template {
            if character == "{" { depth += 1 } else if character == "}" { depth -= 1 } else if depth == 0 { count += 1 }
        }
        return count
    }

    private static func join(_ path: String, _ key: String) -> String {
        let identifier =
            key.first.map { $0.isLetter || $0 == "_" } == true
            && key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
        return identifier ? "\(path).\(key)" : "\(path)[\"\(key)\"]"
    }
}

/// A value from `JSONSerialization` (or built in Swift), classified as JSON sees it.
private enum JSONValue {
    case null
    case bool(Bool)
    case integer(Int64)
    /// Integral, but outside Int64 (a large unsigned number).
    case bigInteger(String)
    case number(Double)
    case string(String)
    case array([Any])
    case object([String: Any])

    init(_ value: Any) {
        let type = Swift.type(of: value)
        switch value {
        case is NSNull:
            self = .null
        case let text as String:
            self = .string(text)
        case let number as NSNumber where type is NSNumber.Type:
            self = Self.classify(number)
        case let flag as Bool where type == Bool.self:
            self = .bool(flag)
        case let n as Int where type == Int.self: self = .integer(Int64(n))
        case let n as Int64 where type == Int64.self: self = .integer(n)
        case let n as Int32 where type == Int32.self: self = .integer(Int64(n))
        case let n as UInt64 where type == UInt64.self:
            self = n <= UInt64(Int64.max) ? .integer(Int64(n)) : .bigInteger(String(n))
        case let d as Double where type == Double.self: self = .number(d)
        case let array as [Any]: self = .array(array)
        case let object as [String: Any]: self = .object(object)
        default: self = .string("\(value)")  // not a JSON value; reported as a string
        }
    }

    private static func classify(_ number: NSNumber) -> JSONValue {
        switch String(cString: number.objCType) {
        case "c", "B": return .bool(number.boolValue)  // JSONSerialization's true/false
        case "d", "f": return .number(number.doubleValue)
        case "Q", "L", "I", "S", "C":
            let unsigned = number.uint64Value
            return unsigned <= UInt64(Int64.max) ? .integer(Int64(unsigned)) : .bigInteger(String(unsigned))
        default: return .integer(number.int64Value)
        }
    }

    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer, .bigInteger, .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    func matches(type: String) -> Bool {
        switch (type, self) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): true
        case ("integer", .integer), ("integer", .bigInteger): true
        case ("integer", .number(let d)): d.rounded() == d && d.isFinite  // 1.0 is an integer in JSON Schema
        case ("number", .integer), ("number", .bigInteger), ("number", .number): true
        default: false
        }
    }
}
