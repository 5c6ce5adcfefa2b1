import AsyncHTTPClient
import Foundation
import NIOCore

/// Decodes a large JSON array in parts on every core: the array is split at its top-level commas
/// (outside strings), and each part is decoded by its own `JSONDecoder`.
enum ParallelJSON {
    static func decodeArray<Element: Decodable & Sendable>(
        _ type: Element.Type, from data: Data, partBytes: Int = 4 << 20, keeping: (@Sendable (Element) -> Bool)? = nil
    ) throws -> [Element] {
        let parts = data.count < 2 * partBytes ? nil : split(data, partBytes: partBytes)
        guard let parts, parts.count > 1 else {
            let all = try JSONDecoder().decode([Element].self, from: data)
            return keeping.map { all.filter($0) } ?? all
        }
        let results = parts.parallelMap(threshold: 1) { range -> Result<[Element], any Error> in
            var chunk = Data(capacity: range.count + 2)
            chunk.append(UInt8(ascii: "["))
            chunk.append(data[range])
            chunk.append(UInt8(ascii: "]"))
            return Result {
                let list = try JSONDecoder().decode([Element].self, from: chunk)
                return keeping.map { list.filter($0) } ?? list
            }
        }
        var all: [Element] = []
        all.reserveCapacity(results.reduce(0) { $0 + ((try? $1.get().count) ?? 0) })
        for result in results { all += try result.get() }
        return all
    }

    /// The fast reader, a large array in parts on every core; `nil` when it cannot read it.
    static func fastArray<T: FastDecodable>(
        _ type: T.Type, from data: Data, partBytes: Int = 4 << 20, keeping: (@Sendable (any FastDecodable) -> Bool)? = nil
    ) -> [T]? {
        guard data.count >= 2 * partBytes, let parts = split(data, partBytes: partBytes), parts.count > 1 else {
            return T.fastList(data).map { list in keeping.map { keep in list.filter { keep($0) } } ?? list }
        }
        let lists = parts.parallelMap(threshold: 1) { range -> [T]? in
            var chunk = Data(capacity: range.count + 2)
            chunk.append(UInt8(ascii: "["))
            chunk.append(data[range])
            chunk.append(UInt8(ascii: "]"))
            return T.fastList(chunk).map { list in keeping.map { keep in list.filter { keep($0) } } ?? list }
        }
        var all: [T] = []
        for list in lists {
            guard let list else { return nil }
            all += list
        }
        return all
    }

    /// The byte ranges of runs of whole elements, each about `partBytes` long; `nil` when the data is
    /// not a plain top-level array (then the ordinary decoder reports what is wrong).
    static func split(_ data: Data, partBytes: Int) -> [Range<Int>]? {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [Range<Int>]? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var i = 0
            let n = bytes.count
            func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
            while i < n, isSpace(bytes[i]) { i += 1 }
            guard i < n, bytes[i] == UInt8(ascii: "[") else { return nil }
            i += 1
            var ranges: [Range<Int>] = []
            var start = i
            var depth = 0
            var inString = false
            while i < n {
                let b = bytes[i]
                if inString {
                    if b == UInt8(ascii: "\\") { i += 2; continue }
                    if b == UInt8(ascii: "\"") { inString = false }
                } else {
                    switch b {
                    case UInt8(ascii: "\""): inString = true
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"): depth -= 1
                    case UInt8(ascii: "]"):
                        if depth == 0 {
                            ranges.append(start..<i)
                            return ranges.filter { !$0.isEmpty }
                        }
                        depth -= 1
                    case UInt8(ascii: ","):
                        if depth == 0, i - start >= partBytes {
                            ranges.append(start..<i)
                            start = i + 1
                        }
                    default: break
                    }
                }
                i += 1
            }
            return nil
        }.map { ranges in ranges.map { (data.startIndex + $0.lowerBound)..<(data.startIndex + $0.upperBound) } }
    }
}
