/// Just enough XML for the Anime-Lists files: elements, attributes, text, comments, the XML
/// declaration, CDATA and the five named entities plus numeric references.
struct XMLScanner {
    enum Token {
        case open(String, [String: String], selfClosing: Bool)
        case close(String)
    }

    let bytes: [UInt8]
    var i = 0
    var line = 1

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func next() throws(AnimeListError) -> Token? {
        while i < bytes.count {
            if bytes[i] != UInt8(ascii: "<") {
                if bytes[i] == 0x0A { line += 1 }
                i += 1
                continue
            }
            if startsWith("<!--") {
                try skip(past: "-->")
            } else if startsWith("<?") || startsWith("<!") {
                try skip(past: ">")
            } else if startsWith("</") {
                i += 2
                let name = readName()
                try skip(past: ">")
                return .close(name)
            } else {
                i += 1
                let name = readName()
                var attributes: [String: String] = [:]
                while true {
                    skipSpace()
                    guard i < bytes.count else { throw AnimeListError(line: line, message: "unexpected end inside <\(name)>") }
                    if bytes[i] == UInt8(ascii: "/") {
                        try skip(past: ">")
                        return .open(name, attributes, selfClosing: true)
                    }
                    if bytes[i] == UInt8(ascii: ">") {
                        i += 1
                        return .open(name, attributes, selfClosing: false)
                    }
                    let key = readName()
                    guard !key.isEmpty else { throw AnimeListError(line: line, message: "bad attribute in <\(name)>") }
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else {
                        throw AnimeListError(line: line, message: "attribute \(key) of <\(name)> has no value")
                    }
                    i += 1
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else {
                        throw AnimeListError(line: line, message: "attribute \(key) of <\(name)> is not quoted")
                    }
                    let quote = bytes[i]
                    i += 1
                    let start = i
                    while i < bytes.count, bytes[i] != quote { if bytes[i] == 0x0A { line += 1 }; i += 1 }
                    guard i < bytes.count else { throw AnimeListError(line: line, message: "unterminated attribute \(key)") }
                    attributes[key] = Self.decode(bytes[start..<i])
                    i += 1
                }
            }
        }
        return nil
    }

    /// The text up to `</name>`, entities decoded; consumes the closing tag.
    mutating func text(until name: String) throws(AnimeListError) -> String {
        let start = i
        while i < bytes.count, bytes[i] != UInt8(ascii: "<") { if bytes[i] == 0x0A { line += 1 }; i += 1 }
        if startsWith("<![CDATA[") {
            i += 9
            let cdata = i
            try skip(past: "]]>")
            let text = String(decoding: bytes[cdata..<(i - 3)], as: UTF8.self)
            try skip(past: ">")
            return text
        }
        let text = Self.decode(bytes[start..<i])
        guard startsWith("</") else { return text }
        try skip(past: ">")
        return text
    }

    private func startsWith(_ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard i + n <= bytes.count else { return false }
        return s.withUTF8Buffer { buffer in
            for k in 0..<n where bytes[i + k] != buffer[k] { return false }
            return true
        }
    }

    private mutating func skip(past s: StaticString) throws(AnimeListError) {
        let startLine = line
        while i < bytes.count {
            if startsWith(s) { i += s.utf8CodeUnitCount; return }
            if bytes[i] == 0x0A { line += 1 }
            i += 1
        }
        throw AnimeListError(line: startLine, message: "unexpected end of the document")
    }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D {
            if bytes[i] == 0x0A { line += 1 }
            i += 1
        }
    }

    private mutating func readName() -> String {
        let start = i
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == UInt8(ascii: ">") || b == UInt8(ascii: "/") || b == UInt8(ascii: "=") { break }
            i += 1
        }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    static func decode(_ slice: ArraySlice<UInt8>) -> String {
        guard slice.contains(UInt8(ascii: "&")) else { return String(decoding: slice, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(slice.count)
        var k = slice.startIndex
        while k < slice.endIndex {
            if slice[k] == UInt8(ascii: "&"), let semi = slice[k...].firstIndex(of: UInt8(ascii: ";")), semi - k <= 10 {
                let name = String(decoding: slice[(k + 1)..<semi], as: UTF8.self)
                var scalar: Unicode.Scalar?
                switch name {
                case "amp": scalar = "&"
                case "lt": scalar = "<"
                case "gt": scalar = ">"
                case "quot": scalar = "\""
                case "apos": scalar = "'"
                default:
                    if name.hasPrefix("#x") {
                        scalar = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                    } else if name.hasPrefix("#") {
                        scalar = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init)
                    }
                }
                if let scalar {
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    k = semi + 1
                    continue
                }
            }
            out.append(slice[k])
            k += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
