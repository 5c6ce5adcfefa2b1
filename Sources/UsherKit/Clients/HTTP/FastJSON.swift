import Foundation

/// A forward-only JSON reader over bytes, for the large lists Radarr and Sonarr send (a 50,000-movie
/// list is tens of MB). It reads only the fields Usher uses and skips the rest, about ten times faster
/// than `JSONDecoder` with the `Codable` models. It is as lenient as those models: a field of an
/// unexpected type reads as absent. Anything it does not expect (not an array of objects, a missing
/// `id`, broken JSON) throws, and the caller decodes with `JSONDecoder` instead, which says what is wrong.
struct JSONScanner {
    struct Failure: Error {}

    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")

    mutating func skipSpace() {
        while i < bytes.count {
            let b = bytes[i]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            i += 1
        }
    }

    mutating func peek() throws(Failure) -> UInt8 {
        skipSpace()
        guard i < bytes.count else { throw Failure() }
        return bytes[i]
    }

    mutating func expect(_ c: UInt8) throws(Failure) {
        guard try peek() == c else { throw Failure() }
        i += 1
    }

    /// Calls `body` for each element of an array.
    mutating func elements(_ body: (inout JSONScanner) throws(Failure) -> Void) throws(Failure) {
        try expect(UInt8(ascii: "["))
        if try peek() == UInt8(ascii: "]") { i += 1; return }
        while true {
            try body(&self)
            switch try peek() {
            case UInt8(ascii: ","): i += 1
            case UInt8(ascii: "]"): i += 1; return
            default: throw Failure()
            }
        }
    }

    /// An array of objects, each read key by key (`field` must read or skip the value) into a copy of
    /// `empty`; elements that are not objects are skipped, and a value that is not an array gives `nil`.
    mutating func objects<T>(_ empty: T, _ field: (inout JSONScanner, String, inout T) throws(Failure) -> Void) throws(Failure) -> [T]? {
        guard try isArray() else { return nil }
        var list: [T] = []
        try elements { (s: inout JSONScanner) throws(Failure) in
            guard try s.isObject() else { return }
            var value = empty
            try s.fields { (s: inout JSONScanner, key) throws(Failure) in try field(&s, key, &value) }
            list.append(value)
        }
        return list
    }

    /// Calls `body` with each key of an object, positioned at its value; `body` must read or skip it.
    mutating func fields(_ body: (inout JSONScanner, String) throws(Failure) -> Void) throws(Failure) {
        try expect(UInt8(ascii: "{"))
        if try peek() == UInt8(ascii: "}") { i += 1; return }
        while true {
            guard try peek() == Self.quote else { throw Failure() }
            let key = try rawString()
            try expect(UInt8(ascii: ":"))
            try body(&self, key)
            switch try peek() {
            case UInt8(ascii: ","): i += 1
            case UInt8(ascii: "}"): i += 1; return
            default: throw Failure()
            }
        }
    }

    /// Whether the value here is an object (else it is skipped and `false` returned).
    mutating func isObject() throws(Failure) -> Bool {
        if try peek() == UInt8(ascii: "{") { return true }
        try skipValue()
        return false
    }

    /// Whether the value here is an array (else it is skipped and `false` returned).
    mutating func isArray() throws(Failure) -> Bool {
        if try peek() == UInt8(ascii: "[") { return true }
        try skipValue()
        return false
    }

    mutating func string() throws(Failure) -> String? {
        guard try peek() == Self.quote else { try skipValue(); return nil }
        return try rawString()
    }

    mutating func int() throws(Failure) -> Int? {
        try int64().flatMap { Int(exactly: $0) }
    }

    mutating func int64() throws(Failure) -> Int64? {
        let c = try peek()
        guard c == UInt8(ascii: "-") || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) else { try skipValue(); return nil }
        let start = i
        var negative = false
        if c == UInt8(ascii: "-") { negative = true; i += 1 }
        var value: Int64 = 0
        var digits = 0
        var overflow = false
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int64(bytes[i] - UInt8(ascii: "0")))
            overflow = overflow || o1 || o2
            value = sum
            digits += 1
            i += 1
        }
        guard digits > 0 else { throw Failure() }
        // A fraction or an exponent: not an integer (as for the Codable models).
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i = start
            try skipValue()
            return nil
        }
        if overflow { return nil }
        return negative ? -value : value
    }

    mutating func bool() throws(Failure) -> Bool? {
        switch try peek() {
        case UInt8(ascii: "t"): try literal("true"); return true
        case UInt8(ascii: "f"): try literal("false"); return false
        default: try skipValue(); return nil
        }
    }

    /// An array of integers; `nil` when it is not one (as `[Int]` decodes: one bad element spoils it).
    mutating func ints() throws(Failure) -> [Int]? {
        guard try isArray() else { return nil }
        var result: [Int] = []
        var spoiled = false
        try elements { (s: inout JSONScanner) throws(Failure) in
            if let n = try s.int() { result.append(n) } else { spoiled = true }
        }
        return spoiled ? nil : result
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard i + count <= bytes.count else { throw Failure() }
        for k in 0..<count where bytes[i + k] != word.utf8Start[k] { throw Failure() }
        i += count
    }

    mutating func skipValue() throws(Failure) {
        switch try peek() {
        case Self.quote:
            _ = try rawString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while i < bytes.count {
                let b = bytes[i]
                if b == Self.quote {
                    _ = try rawString()
                    continue
                }
                if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") { depth += 1 }
                if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { i += 1; return }
                }
                i += 1
            }
            throw Failure()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            let start = i
            while i < bytes.count {
                let b = bytes[i]
                guard
                    (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
                        || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
                else { break }
                i += 1
            }
            if i == start { throw Failure() }
        }
    }

    /// The string at the current position (which must be a quote), escapes resolved.
    private mutating func rawString() throws(Failure) -> String {
        i += 1
        let start = i
        while i < bytes.count {
            let b = bytes[i]
            if b == Self.quote {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                i += 1
                return text
            }
            if b == Self.backslash { return try escapedString(from: start) }
            i += 1
        }
        throw Failure()
    }

    private mutating func escapedString(from start: Int) throws(Failure) -> String {
        var out: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[start..<i]))
        while i < bytes.count {
            let b = bytes[i]
            if b == Self.quote {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            guard b == Self.backslash else { out.append(b); i += 1; continue }
            guard i + 1 < bytes.count else { throw Failure() }
            let e = bytes[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), i + 1 < bytes.count, bytes[i] == Self.backslash, bytes[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw Failure() }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw Failure() }
                out.append(contentsOf: Array(String(Character(unicode)).utf8))
            default: throw Failure()
            }
        }
        throw Failure()
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard i + 4 <= bytes.count else { throw Failure() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw Failure()
            }
            value = value << 4 | UInt32(digit)
            i += 1
        }
        return value
    }
}

/// A model the fast reader can read (the fields Usher uses; the rest are left at their defaults).
protocol FastDecodable: Decodable, Sendable {
    static func read(_ s: inout JSONScanner) throws(JSONScanner.Failure) -> Self
}

extension FastDecodable {
    /// A JSON array of these, read by the fast reader (`nil` when it cannot: use `JSONDecoder`).
    static func fastList(_ data: Data) -> [Self]? {
        data.withUnsafeBytes { raw -> [Self]? in
            var scanner = JSONScanner(raw.bindMemory(to: UInt8.self))
            var list: [Self] = []
            do {
                try scanner.elements { (s: inout JSONScanner) throws(JSONScanner.Failure) in list.append(try Self.read(&s)) }
                scanner.skipSpace()
                return scanner.i == scanner.bytes.count ? list : nil
            } catch {
                return nil
            }
        }
    }
}
