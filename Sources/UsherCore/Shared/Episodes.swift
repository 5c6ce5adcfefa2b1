/// A season and episode number, as Sonarr numbers them (season 0 holds the specials).
public struct EpisodeNumber: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var season: Int
    public var episode: Int

    public init(season: Int, episode: Int) {
        self.season = season
        self.episode = episode
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.season, lhs.episode) < (rhs.season, rhs.episode)
    }

    /// `S00E09`; episodes above 99 keep all their digits (`S01E100`).
    public var description: String { "S\(pad(season, 2))E\(pad(episode, 2))" }
}

/// Why an episode code could not be read.
public struct EpisodeSpecError: Error, Equatable, Sendable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "'\(text)' is not an episode code: \(reason)" }

    public init(text: String, reason: String) {
        self.text = text
        self.reason = reason
    }
}

/// Reads the episode codes people write in mapping files.
///
/// Accepted: `S00E09`, `s0e9`, `S00E01-E03` and `S00E01-03` (ranges), `S01E01E02` (a list), and lists
/// of those. All episodes of one file must be in one season, as in Sonarr.
public enum EpisodeSpec {
    public static func parse(_ text: String) throws(EpisodeSpecError) -> [EpisodeNumber] {
        let trimmed = text.trimmingSpaces()
        let chars = Array(trimmed.uppercased())
        var index = 0

        func number() -> Int? {
            var value = 0
            var digits = 0
            while index < chars.count, let d = chars[index].wholeNumberValue, chars[index].isASCII {
                value = value * 10 + d
                digits += 1
                index += 1
                if digits > 6 { return nil }
            }
            return digits == 0 ? nil : value
        }
        func fail(_ reason: String) -> EpisodeSpecError { EpisodeSpecError(text: text, reason: reason) }

        guard index < chars.count, chars[index] == "S" else { throw fail("expected it to start with S, as in S00E09") }
        index += 1
        guard let season = number() else { throw fail("expected a season number after S") }
        guard index < chars.count, chars[index] == "E" else { throw fail("expected E and an episode number after the season") }
        index += 1
        guard let first = number() else { throw fail("expected an episode number after E") }
        var episodes = [first]
        while index < chars.count {
            if chars[index] == "E" {
                index += 1
                guard let next = number() else { throw fail("expected an episode number after E") }
                episodes.append(next)
            } else if chars[index] == "-" {
                index += 1
                if index < chars.count, chars[index] == "E" { index += 1 }
                guard let last = number() else { throw fail("expected an episode number after '-'") }
                guard let start = episodes.last, last > start else {
                    throw fail("a range must go upwards")
                }
                if last - start > 500 { throw fail("a range of more than 500 episodes is surely a typo") }
                episodes.append(contentsOf: (start + 1)...last)
            } else {
                throw fail("unexpected '\(chars[index])'")
            }
        }
        let numbers = episodes.map { EpisodeNumber(season: season, episode: $0) }
        return try normalize(numbers, text: text)
    }

    /// Parses several codes (a YAML list) into one multi-episode set.
    public static func parse(_ texts: [String]) throws(EpisodeSpecError) -> [EpisodeNumber] {
        var all: [EpisodeNumber] = []
        for text in texts { all += try parse(text) }
        return try normalize(all, text: texts.joined(separator: ", "))
    }

    /// The canonical way to write a set of episodes: `S00E09`, `S00E01-E03` or `S01E01E03`.
    public static func format(_ episodes: [EpisodeNumber]) -> String {
        guard let first = episodes.first else { return "" }
        let contiguous = zip(episodes, episodes.dropFirst()).allSatisfy { $1.episode == $0.episode + 1 }
        if episodes.count > 2, contiguous, let last = episodes.last {
            return "\(first)-E\(pad(last.episode, 2))"
        }
        return first.description + episodes.dropFirst().map { "E\(pad($0.episode, 2))" }.joined()
    }

    private static func normalize(_ numbers: [EpisodeNumber], text: String) throws(EpisodeSpecError) -> [EpisodeNumber] {
        guard let season = numbers.first?.season else {
            throw EpisodeSpecError(text: text, reason: "no episode given")
        }
        guard MappingRules.seasons.contains(season) else {
            throw EpisodeSpecError(text: text, reason: "the season must be between \(MappingRules.seasons.lowerBound) and \(MappingRules.seasons.upperBound)")
        }
        guard numbers.allSatisfy({ $0.season == season }) else {
            throw EpisodeSpecError(text: text, reason: "one file can only hold episodes of one season")
        }
        let unique = Set(numbers)
        guard unique.count == numbers.count else {
            throw EpisodeSpecError(text: text, reason: "an episode is named twice")
        }
        return unique.sorted()
    }
}

extension EpisodeNumber {
    /// Every `SxxEyy` episode named in a file name (`Show - S01E01E02 - Title.mkv`, `S01E01-E03`, `s01e05`).
    public static func codes(inFileName name: String) -> [EpisodeNumber] {
        let chars = Array(name.uppercased().utf8)
        var i = 0
        func digits(_ at: inout Int) -> Int? {
            var value = 0, n = 0
            while at < chars.count, chars[at] >= 48, chars[at] <= 57, n < 4 {
                value = value * 10 + Int(chars[at] - 48)
                at += 1
                n += 1
            }
            return n == 0 ? nil : value
        }
        while i < chars.count {
            // A code starts with S at a word boundary.
            if chars[i] == UInt8(ascii: "S"), i == 0 || !isAlnum(chars[i - 1]) {
                var j = i + 1
                if let season = digits(&j), j < chars.count, chars[j] == UInt8(ascii: "E") {
                    j += 1
                    if let first = digits(&j) {
                        var found = [first]
                        while j < chars.count {
                            var k = j
                            if chars[k] == UInt8(ascii: "-") { k += 1 }
                            let ranged = chars[j] == UInt8(ascii: "-")
                            if k < chars.count, chars[k] == UInt8(ascii: "E") { k += 1 } else if !ranged { break }
                            guard let next = digits(&k) else { break }
                            if ranged, let last = found.last, next > last, next - last <= 50 {
                                found.append(contentsOf: (last + 1)...next)
                            } else if !ranged {
                                found.append(next)
                            } else {
                                break
                            }
                            j = k
                        }
                        if j >= chars.count || !isAlnum(chars[j]) {
                            return found.map { EpisodeNumber(season: season, episode: $0) }
                        }
                    }
                }
            }
            i += 1
        }
        return []
    }

    private static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
    }
}

func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
