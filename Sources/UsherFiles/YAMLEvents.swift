// libyaml, as Yams builds it. CYaml is not a product of Yams, but its module is visible to every target that
// depends on Yams; Usher reads the parser's events itself instead of Yams' composed tree, because the
// composer expands every alias into the tree (a few hundred bytes can stand for billions of nodes) and
// cannot read a value that refers to itself, which the Plex Linker script's files contain.
internal import CYaml
import Foundation

/// Builds a `YAMLValue` tree from libyaml's events, without recursion and without ever expanding an
/// alias: in `.config` mode an alias is an error at its position; in `.data` mode it stays an
/// `.alias(name)` node, and `anchors` holds what each anchor named once its value was complete.
struct YAMLEventReader {
    var file: String
    var mode: YAMLReader.Mode

    /// Deeper nesting than this is refused (no file Usher reads needs a tenth of it).
    static let maximumDepth = 200

    private struct Frame {
        enum Kind { case sequence, mapping }
        var kind: Kind
        var line: Int
        var column: Int
        var tag: String?
        var anchor: String?
        var items: [YAMLValue] = []
        var pairs: [(key: String, keyLine: Int, keyColumn: Int, value: YAMLValue)] = []
        /// A mapping's key waiting for its value.
        var pendingKey: (key: String, line: Int, column: Int)?
        var keys: Set<String> = []
    }

    init(file: String, mode: YAMLReader.Mode) {
        self.file = file
        self.mode = mode
    }

    mutating func read(_ text: String) -> YAMLDataDocument {
        var bytes = Array(text.utf8)
        if bytes.isEmpty { bytes = [0x0A] }
        return bytes.withUnsafeBufferPointer { buffer in readEvents(buffer) }
    }

    private func fail(_ line: Int, _ column: Int, key: String? = nil, _ message: String) -> ConfigError {
        ConfigError(file: file, line: line, column: column, key: key, message: message)
    }

    private func readEvents(_ buffer: UnsafeBufferPointer<UInt8>) -> YAMLDataDocument {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            return YAMLDataDocument(root: nil, anchors: [:], error: ConfigError(file: file, message: "cannot start the YAML parser (out of memory)"))
        }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)

        var stack: [Frame] = []
        var root: YAMLValue?
        var anchors: [String: YAMLValue] = [:]
        var documents = 0
        var hasCustomTags = false
        var event = yaml_event_t()

        /// Puts a finished value in its parent (or makes it the root); an error for a duplicate key.
        func add(_ value: YAMLValue, anchor: String?) -> ConfigError? {
            if let anchor, mode == .data { anchors[anchor] = value }
            guard !stack.isEmpty else {
                root = value
                return nil
            }
            let top = stack.count - 1
            switch stack[top].kind {
            case .sequence:
                stack[top].items.append(value)
            case .mapping:
                if let key = stack[top].pendingKey {
                    stack[top].pairs.append((key.key, key.line, key.column, value))
                    stack[top].pendingKey = nil
                } else {
                    // A key: only single values can be keys.
                    guard case .scalar(let text) = value.content else {
                        if case .null = value.content {
                            stack[top].pendingKey = ("", value.line, value.column)
                            return nil
                        }
                        return fail(value.line, value.column, "keys must be plain words")
                    }
                    if !stack[top].keys.insert(text).inserted, mode == .config {
                        return fail(value.line, value.column, key: text, "this key is given twice")
                    }
                    stack[top].pendingKey = (text, value.line, value.column)
                }
            }
            return nil
        }

        func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            guard let pointer else { return nil }
            return String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
        }

        /// What the document held up to an error: the complete top-level entries.
        func partial(_ error: ConfigError) -> YAMLDataDocument {
            var document = YAMLDataDocument(root: root, anchors: anchors, error: error)
            if root == nil, let first = stack.first {
                var value = YAMLValue(content: .null, line: first.line, column: first.column)
                switch first.kind {
                case .mapping:
                    value.content = .mapping(first.pairs)
                    if let key = first.pendingKey { document.cutOff = (key.key, key.line) }
                case .sequence:
                    value.content = .sequence(first.items)
                }
                document.root = value
            }
            return document
        }

        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else {
                let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
                let context = parser.context.map { String(cString: $0) }
                let mark = parser.problem_mark
                var text = [context, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
                if problem.contains("nesting level") { text = "nested more than libyaml's limit of levels deep" }
                return partial(fail(Int(mark.line) + 1, Int(mark.column) + 1, "not valid YAML: \(text)"))
            }
            defer { yaml_event_delete(&event) }
            let line = Int(event.start_mark.line) + 1
            let column = Int(event.start_mark.column) + 1
            var problem: ConfigError?
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return YAMLDataDocument(root: root, anchors: anchors, error: nil, hasCustomTags: hasCustomTags)
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 { problem = fail(line, column, "expected one YAML document, found a second one ('---')") }
            case YAML_ALIAS_EVENT:
                let name = string(event.data.alias.anchor) ?? ""
                if mode == .config {
                    problem = fail(line, column, "YAML aliases (*\(name)) are not supported here")
                } else {
                    problem = add(YAMLValue(content: .alias(name), line: line, column: column), anchor: nil)
                }
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let text = scalar.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: scalar.length), as: UTF8.self) } ?? ""
                let tag = Self.customTag(string(scalar.tag))
                let plain = scalar.style == YAML_PLAIN_SCALAR_STYLE
                var value = YAMLValue(content: .scalar(text), line: line, column: column, tag: tag.custom)
                if tag.custom != nil { hasCustomTags = true }
                if tag.null || (tag.custom == nil && !tag.string && plain && Self.isNull(text)) { value.content = .null }
                problem = add(value, anchor: string(scalar.anchor))
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                guard stack.count < Self.maximumDepth else {
                    problem = fail(line, column, "nested more than \(Self.maximumDepth) levels deep")
                    break
                }
                let isSequence = event.type == YAML_SEQUENCE_START_EVENT
                let tag = isSequence ? string(event.data.sequence_start.tag) : string(event.data.mapping_start.tag)
                let anchor = isSequence ? string(event.data.sequence_start.anchor) : string(event.data.mapping_start.anchor)
                if let pending = stack.last, pending.kind == .mapping, pending.pendingKey == nil {
                    problem = fail(line, column, "keys must be plain words")
                    break
                }
                let custom = Self.customTag(tag).custom
                if custom != nil { hasCustomTags = true }
                stack.append(Frame(kind: isSequence ? .sequence : .mapping, line: line, column: column, tag: custom, anchor: anchor))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                let frame = stack.removeLast()
                let content: YAMLValue.Content = frame.kind == .sequence ? .sequence(frame.items) : .mapping(frame.pairs)
                problem = add(YAMLValue(content: content, line: frame.line, column: frame.column, tag: frame.tag), anchor: frame.anchor)
            default:
                break  // stream start, document end
            }
            if let problem { return partial(problem) }
        }
    }

    /// A tag as the value's kind: YAML's own null and string tags, or a tag of someone's own (`!cmd`).
    /// YAML's other tags (`!!int`, `!!python/…`) change nothing: values are text until read.
    static func customTag(_ tag: String?) -> (custom: String?, null: Bool, string: Bool) {
        guard let tag, !tag.isEmpty, tag != "!" else { return (nil, false, false) }
        let prefix = "tag:yaml.org,2002:"
        if tag.hasPrefix(prefix) {
            let name = tag.dropFirst(prefix.count)
            return (nil, name == "null", name == "str")
        }
        return (tag, false, false)
    }

    /// YAML's plain spellings of null.
    static func isNull(_ text: String) -> Bool {
        text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }
}
