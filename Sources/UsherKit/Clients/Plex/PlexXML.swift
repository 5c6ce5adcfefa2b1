public import Foundation

/// Just enough XML for plex.tv's older endpoints, which answer only in XML: the attributes of every start tag of one
/// name (`<User id="1" title="ann" …>`, `<SharedServer userID="2" accessToken="…" …>`). No entities beyond the five
/// predefined ones and character references, no DTD: nothing in the text can make it expand.
public enum PlexXML {
    public static func elements(named name: String, in data: Data) -> [[String: String]] {
        let text = String(decoding: data, as: UTF8.self)
        var found: [[String: String]] = []
        var rest = text[...]
        let opening = "<" + name
        while let start = rest.range(of: opening) {
            rest = rest[start.upperBound...]
            // The name must end here: `<User ` or `<User>` or `<User/>`, not `<Username`.
            guard let next = rest.first, next == " " || next == ">" || next == "/" || next == "\n" || next == "\t" || next == "\r" else {
                continue
            }
            guard let end = tagEnd(rest) else { break }
            found.append(attributes(rest[..<end]))
            rest = rest[end...]
        }
        return found
    }

    /// Where the tag ends: the first `>` outside a quoted value.
    private static func tagEnd(_ text: Substring) -> Substring.Index? {
        var quote: Character?
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == ">" {
                return i
            }
            i = text.index(after: i)
        }
        return nil
    }

    private static func attributes(_ tag: Substring) -> [String: String] {
        var result: [String: String] = [:]
        var i = tag.startIndex
        func skipSpaces() { while i < tag.endIndex, tag[i].isWhitespace || tag[i] == "/" { i = tag.index(after: i) } }
        while true {
            skipSpaces()
            guard i < tag.endIndex else { break }
            let nameStart = i
            while i < tag.endIndex, tag[i] != "=", !tag[i].isWhitespace { i = tag.index(after: i) }
            let name = String(tag[nameStart..<i])
            while i < tag.endIndex, tag[i].isWhitespace { i = tag.index(after: i) }
            guard i < tag.endIndex, tag[i] == "=" else { continue }
            i = tag.index(after: i)
            while i < tag.endIndex, tag[i].isWhitespace { i = tag.index(after: i) }
            guard i < tag.endIndex, tag[i] == "\"" || tag[i] == "'" else { break }
            let quote = tag[i]
            i = tag.index(after: i)
            let valueStart = i
            while i < tag.endIndex, tag[i] != quote { i = tag.index(after: i) }
            let value = String(tag[valueStart..<i])
            if i < tag.endIndex { i = tag.index(after: i) }
            if !name.isEmpty { result[name] = unescaped(value) }
        }
        return result
    }

    static func unescaped(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            rest = rest[amp...]
            guard let semi = rest.firstIndex(of: ";"), rest.distance(from: rest.startIndex, to: semi) <= 10 else {
                out += "&"
                rest = rest.dropFirst()
                continue
            }
            let entity = rest[rest.index(after: rest.startIndex)..<semi]
            let named: [Substring: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"]
            if let value = named[entity] {
                out += value
            } else if entity.hasPrefix("#x"), let code = UInt32(entity.dropFirst(2), radix: 16), let scalar = Unicode.Scalar(code) {
                out.unicodeScalars.append(scalar)
            } else if entity.hasPrefix("#"), let code = UInt32(entity.dropFirst()), let scalar = Unicode.Scalar(code) {
                out.unicodeScalars.append(scalar)
            } else {
                out += rest[...semi]
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}
