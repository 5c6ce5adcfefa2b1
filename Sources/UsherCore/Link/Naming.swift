import Synchronization

/// How Sonarr writes several episodes held by one file.
public enum MultiEpisodeStyle: String, CaseIterable, Sendable, Codable {
    case extend, duplicate, `repeat`, scene, range
    case prefixedRange = "prefixed_range"
}

/// What Sonarr puts in place of a colon when it replaces illegal characters.
public enum ColonReplacement: String, CaseIterable, Sendable, Codable {
    case delete, dash, smart
    case spaceDash = "space_dash"
    case spaceDashSpace = "space_dash_space"

    var text: String {
        switch self {
        case .delete: ""
        case .dash, .smart: "-"
        case .spaceDash: " -"
        case .spaceDashSpace: " - "
        }
    }
}

/// The naming settings Usher renders file and folder names with: the same settings as Sonarr's
/// Media Management page, so a linked special is named as Sonarr would name it.
public struct NamingScheme: Sendable, Equatable {
    public var episodeFormat: String
    public var seasonFolderFormat: String
    /// The folder for season 0; `nil` uses `seasonFolderFormat` (`Season 00`).
    public var specialsFolderFormat: String?
    public var multiEpisodeStyle: MultiEpisodeStyle
    public var colonReplacement: ColonReplacement
    public var replaceIllegalCharacters: Bool
    /// Longest file name in bytes, extension included (255 on ext4, XFS, ZFS and Btrfs).
    public var maxFileNameBytes: Int

    public static let defaultEpisodeFormat = "{Series Title} - S{season:00}E{episode:00} - {Episode Title} {Quality Full}"
    public static let defaultSeasonFolderFormat = "Season {season:00}"

    public init(
        episodeFormat: String = NamingScheme.defaultEpisodeFormat,
        seasonFolderFormat: String = NamingScheme.defaultSeasonFolderFormat,
        specialsFolderFormat: String? = nil,
        multiEpisodeStyle: MultiEpisodeStyle = .prefixedRange,
        colonReplacement: ColonReplacement = .smart,
        replaceIllegalCharacters: Bool = true,
        maxFileNameBytes: Int = 255
    ) {
        self.episodeFormat = episodeFormat
        self.seasonFolderFormat = seasonFolderFormat
        self.specialsFolderFormat = specialsFolderFormat
        self.multiEpisodeStyle = multiEpisodeStyle
        self.colonReplacement = colonReplacement
        self.replaceIllegalCharacters = replaceIllegalCharacters
        self.maxFileNameBytes = maxFileNameBytes
    }
}

/// What a file name is made of.
public struct EpisodeNameInput: Sendable, Equatable {
    public var seriesTitle: String
    public var seriesYear: Int?
    public var episodes: [EpisodeNumber]
    public var episodeTitles: [String]
    public var absoluteNumbers: [Int]?
    public var quality: Quality?
    public var releaseGroup: String?
    public var originalFileName: String?
    public var tvdbID: Int?
    public var imdbID: String?

    public init(
        seriesTitle: String, seriesYear: Int? = nil, episodes: [EpisodeNumber], episodeTitles: [String] = [],
        absoluteNumbers: [Int]? = nil, quality: Quality? = nil, releaseGroup: String? = nil,
        originalFileName: String? = nil, tvdbID: Int? = nil, imdbID: String? = nil
    ) {
        self.seriesTitle = seriesTitle
        self.seriesYear = seriesYear
        self.episodes = episodes.sorted()
        self.episodeTitles = episodeTitles
        self.absoluteNumbers = absoluteNumbers
        self.quality = quality
        self.releaseGroup = releaseGroup
        self.originalFileName = originalFileName
        self.tvdbID = tvdbID
        self.imdbID = imdbID
    }
}

/// Renders names the way Sonarr's file name builder does: tokens such as `{Series Title}`,
/// `{season:00}`, `{Episode Title}` and `{[Quality Full]}`, multi-episode styles, illegal characters,
/// separator clean-up and the file-name length limit.
public struct EpisodeNamer: Sendable {
    public let scheme: NamingScheme
    /// The token keys the formats use: only those are computed.
    private let usedKeys: Set<String>
    /// Patterns already split into text and tokens: a run names thousands of files with a few patterns.
    private let parsed = ParsedPatterns()

    public init(scheme: NamingScheme) {
        self.scheme = scheme
        var keys = Set<String>()
        for format in [scheme.episodeFormat, scheme.seasonFolderFormat, scheme.specialsFolderFormat ?? ""] {
            var rest = Substring(format)
            while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
                if let token = Token(rest[rest.index(after: open)..<close]) { keys.insert(token.key) }
                rest = rest[rest.index(after: close)...]
            }
        }
        usedKeys = keys
    }

    /// The file name, extension included (`ext` without its dot, or empty); `nil` when even without
    /// its episode title the name is longer than `maxFileNameBytes` (cutting it could cut the episode
    /// code, and Sonarr would not read the file as the episode).
    public func fileName(for input: EpisodeNameInput, extension ext: String) -> String? {
        let suffix = ext.isEmpty ? "" : "." + ext
        let limit = scheme.maxFileNameBytes - suffix.utf8.count
        var input = input
        var name = baseName(for: input)
        // Too long: shorten the episode title first (as Sonarr does), then cut the name itself.
        var titleBudget = input.episodeTitles.joined(separator: " + ").utf8.count
        while name.utf8.count > limit, titleBudget > 0 {
            titleBudget = max(0, titleBudget - (name.utf8.count - limit) - 3)
            let joined = input.episodeTitles.joined(separator: " + ").replacingAll(Self.ellipsis, with: "")
            var cut = Substring(joined.prefix(utf8Bytes: titleBudget).trimmingSpaces())
            while let c = cut.last, c == " " || c == "." { cut.removeLast() }
            input.episodeTitles = cut.isEmpty ? [] : [String(cut) + Self.ellipsis]
            name = baseName(for: input).replacingAll(Self.ellipsis, with: "...")
            if cut.isEmpty { break }
        }
        if name.utf8.count > limit { return nil }
        return name + suffix
    }

    /// Stands for the `...` of a shortened title until the name is built, as Sonarr's `{ellipsis}` does:
    /// the title trim (` .?`) and the separator clean-up would otherwise eat the dots. Same UTF-8 length.
    static let ellipsis = "\u{E000}"

    /// The file name without its extension, before any length limit.
    public func baseName(for input: EpisodeNameInput) -> String {
        var tokens = TokenValues()
        let numbered = parsed.numbered(episodes: input.episodes, absolute: input.absoluteNumbers) {
            var tokens = TokenValues()
            var pattern = scheme.episodeFormat
            pattern = expandSeasonEpisode(pattern, episodes: input.episodes, into: &tokens)
            pattern = expandAbsolute(pattern, numbers: input.absoluteNumbers, into: &tokens)
            return NumberedPattern(pattern: pattern, text: tokens.text)
        }
        let pattern = numbered.pattern
        tokens.text = numbered.text
        addSeriesTokens(&tokens, title: input.seriesTitle, year: input.seriesYear)
        if let first = input.episodes.first {
            tokens.numbers["season"] = first.season
            tokens.numbers["episode"] = first.episode
            if input.episodes.count > 1, let last = input.episodes.last {
                tokens.rangeEpisode = (first.episode, last.episode)
            }
        }
        let title = Self.episodeTitle(input.episodeTitles)
        tokens.text["episodetitle"] = title
        if usedKeys.contains("episodecleantitle") { tokens.text["episodecleantitle"] = Self.cleanTitle(title) }
        tokens.text["qualityfull"] = input.quality?.full ?? ""
        tokens.text["qualitytitle"] = input.quality?.title ?? ""
        tokens.text["qualityproper"] = input.quality?.proper == true ? "Proper" : ""
        tokens.text["qualityreal"] = input.quality?.real == true ? "REAL" : ""
        tokens.text["releasegroup"] = input.releaseGroup ?? ""
        tokens.text["originaltitle"] = input.originalFileName ?? ""
        tokens.text["originalfilename"] = input.originalFileName ?? ""
        tokens.text["tvdbid"] = input.tvdbID.map(String.init) ?? ""
        tokens.text["imdbid"] = input.imdbID ?? ""
        var name = replaceTokens(pattern, tokens).trimmingSpaces()
        name = Self.collapseRepeatedSeparators(name)
        return Self.trimTrailingSeparators(name)
    }

    /// The season folder name (`Season 00`), using the specials format for season 0 when set.
    public func seasonFolder(season: Int, seriesTitle: String, seriesYear: Int? = nil) -> String {
        let format = season == 0 ? (scheme.specialsFolderFormat ?? scheme.seasonFolderFormat) : scheme.seasonFolderFormat
        var tokens = TokenValues()
        addSeriesTokens(&tokens, title: seriesTitle, year: seriesYear)
        tokens.numbers["season"] = season
        var name = replaceTokens(format, tokens)
        name = cleanFileName(name)
        name = Self.collapseRepeatedSeparators(name)
        return name.trimming(characters: " .")
    }

    // MARK: Tokens

    struct TokenValues {
        var text: [String: String] = [:]
        var numbers: [String: Int] = [:]
        var rangeEpisode: (Int, Int)?
    }

    private func addSeriesTokens(_ tokens: inout TokenValues, title: String, year: Int?) {
        func set(_ key: String, _ value: @autoclosure () -> String) {
            if usedKeys.contains(key) { tokens.text[key] = value() }
        }
        set("seriestitle", title)
        set("seriescleantitle", Self.cleanTitle(title))
        set("seriestitleyear", Self.titleYear(title, year))
        set("seriescleantitleyear", Self.cleanTitle(Self.titleYear(title, year)))
        set("seriestitlethe", Self.titleThe(title))
        set("seriestitletheyear", Self.titleYear(Self.titleThe(title), year))
        set("seriestitlefirstcharacter", Self.titleThe(title).first.map { String($0).uppercased() } ?? "")
        set("seriestitlewithoutyear", Self.titleWithoutYear(title))
    }

    private func replaceTokens(_ pattern: String, _ tokens: TokenValues) -> String {
        var out = ""
        for segment in parsed.segments(of: pattern) {
            switch segment {
            case .text(let text): out += text
            case .token(let token): out += render(token, tokens)
            }
        }
        return out
    }

    /// A pattern as text and `{...}` tokens; a `{` that opens no token is text.
    enum Segment: Sendable {
        case text(String)
        case token(Token)
    }

    static func segments(of pattern: String) -> [Segment] {
        var segments: [Segment] = []
        var text = ""
        var rest = Substring(pattern)
        while let open = rest.firstIndex(of: "{") {
            text += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}"),
                let token = Token(rest[rest.index(after: open)..<close])
            else {
                text.append("{")
                rest = rest[rest.index(after: open)...]
                continue
            }
            if !text.isEmpty { segments.append(.text(text)) }
            text = ""
            segments.append(.token(token))
            rest = rest[rest.index(after: close)...]
        }
        text += rest
        if !text.isEmpty { segments.append(.text(text)) }
        return segments
    }

    private func render(_ token: Token, _ tokens: TokenValues) -> String {
        var value: String
        if let number = tokens.numbers[token.key] {
            if token.key == "episode", let (first, last) = tokens.rangeEpisode {
                value = Self.format(first, token.customFormat) + "-" + Self.format(last, token.customFormat)
            } else {
                value = Self.format(number, token.customFormat)
            }
        } else {
            value = tokens.text[token.key] ?? ""
        }
        value = value.trimmingSpaces()
        switch token.letterCase {
        case .lower: value = value.lowercased()
        case .upper: value = value.uppercased()
        case .asIs: break
        }
        if let separator = token.separator, separator != " " {
            value = value.replacingAll(" ", with: separator)
        }
        value = cleanFileName(value)
        return value.allSatisfy(\.isWhitespace) ? value : token.prefix + value + token.suffix
    }

    /// A `{...}` token: `{[Quality Full]}` has prefix `[`, name `Quality Full`, suffix `]`.
    struct Token: Sendable {
        var prefix: String
        var name: String
        var separator: String?
        var customFormat: String?
        var suffix: String
        /// The name without case or separators, as Sonarr compares tokens (`Series.Title` = `series title`).
        var key: String
        /// `{series title}` gives the value in lower case, `{SERIES TITLE}` in upper case.
        var letterCase: LetterCase

        enum LetterCase: Sendable { case lower, upper, asIs }

        init?(_ body: Substring) {
            let prefixChars: Set<Character> = ["-", " ", ".", "_", "[", "("]
            let suffixChars: Set<Character> = ["-", " ", ".", "_", ")", "]"]
            let separators: Set<Character> = ["-", " ", ".", "_"]
            var s = body
            var prefix = ""
            while let c = s.first, prefixChars.contains(c) { prefix.append(c); s.removeFirst() }
            var word1 = ""
            while let c = s.first, c.isASCII, c.isLetter || c.isNumber { word1.append(c); s.removeFirst() }
            guard !word1.isEmpty else { return nil }
            var name = word1
            var separator: String?
            var sep = ""
            var look = s
            while let c = look.first, separators.contains(c) { sep.append(c); look.removeFirst() }
            var word2 = ""
            while let c = look.first, c.isASCII, c.isLetter || c.isNumber { word2.append(c); look.removeFirst() }
            if !sep.isEmpty, !word2.isEmpty {
                name += sep + word2
                separator = sep
                s = look
            }
            var customFormat: String?
            if s.first == ":" {
                s.removeFirst()
                var format = ""
                while let c = s.first, c.isASCII, c.isLetter || c.isNumber { format.append(c); s.removeFirst() }
                guard !format.isEmpty else { return nil }
                customFormat = format
            }
            var suffix = ""
            while let c = s.first, suffixChars.contains(c) { suffix.append(c); s.removeFirst() }
            guard s.isEmpty else { return nil }
            self.prefix = prefix
            self.name = name
            self.separator = separator
            self.customFormat = customFormat
            self.suffix = suffix
            self.key = name.lowercased().filter { !separators.contains($0) }
            let letters = name.filter(\.isLetter)
            if !letters.isEmpty, letters.allSatisfy(\.isLowercase) {
                letterCase = .lower
            } else if !letters.isEmpty, letters.allSatisfy(\.isUppercase) {
                letterCase = .upper
            } else {
                letterCase = .asIs
            }
        }
    }

    static func format(_ number: Int, _ customFormat: String?) -> String {
        guard let customFormat, customFormat.allSatisfy({ $0 == "0" }) else { return String(number) }
        return pad(number, customFormat.count)
    }

    // MARK: Season/episode and absolute patterns

    /// Finds `S{season:00}E{episode:00}` (and `{season}x{episode}`) and expands it for every episode
    /// of the file in the configured multi-episode style.
    private func expandSeasonEpisode(_ pattern: String, episodes: [EpisodeNumber], into tokens: inout TokenValues) -> String {
        guard let first = episodes.first, let last = episodes.last else { return pattern }
        var result = pattern
        var searchFrom = result.startIndex
        var index = 1
        while let found = Self.findSeasonEpisode(in: result, from: searchFrom) {
            let base = String(result[found.range])
            let sepEpisode = found.episodeSeparator + found.episodePattern
            var parts: [(pattern: String, episode: Int)]
            switch scheme.multiEpisodeStyle {
            case .duplicate:
                parts = [(base, first.episode)] + episodes.dropFirst().map { (found.separator + base, $0.episode) }
            case .repeat:
                parts = [(base, first.episode)] + episodes.dropFirst().map { (sepEpisode, $0.episode) }
            case .scene:
                parts = [(base, first.episode)] + episodes.dropFirst().map { ("-" + sepEpisode, $0.episode) }
            case .range:
                parts = [(base, first.episode)]
                if episodes.count > 1 { parts.append(("-" + found.episodePattern, last.episode)) }
            case .prefixedRange:
                parts = [(base, first.episode)]
                if episodes.count > 1 { parts.append(("-" + sepEpisode, last.episode)) }
            case .extend:
                parts = [(base, first.episode)] + episodes.dropFirst().map { ("-" + found.episodePattern, $0.episode) }
            }
            var expanded = ""
            for part in parts {
                expanded += Self.replaceNumber(in: part.pattern, name: "episode", value: part.episode)
            }
            expanded = Self.replaceNumber(in: expanded, name: "season", value: first.season)
            let key = "seasonepisode\(index)"
            tokens.text[key] = expanded
            let placeholder = "{Season Episode\(index)}"
            result.replaceSubrange(found.range, with: placeholder)
            searchFrom = result.index(found.range.lowerBound, offsetBy: placeholder.count)
            index += 1
        }
        return result
    }

    private func expandAbsolute(_ pattern: String, numbers: [Int]?, into tokens: inout TokenValues) -> String {
        var result = pattern
        var index = 1
        while let range = Self.findNumberToken("absolute", in: result) {
            let base = String(result[range])
            var expanded = ""
            if let numbers, let first = numbers.first {
                var list = [first]
                switch scheme.multiEpisodeStyle {
                case .range, .prefixedRange:
                    if numbers.count > 1, let last = numbers.last { list.append(last) }
                default:
                    list = numbers
                }
                expanded = list.map { Self.replaceNumber(in: base, name: "absolute", value: $0) }.joined(separator: "-")
            }
            let placeholder = "{Absolute Pattern\(index)}"
            tokens.text["absolutepattern\(index)"] = expanded
            result.replaceSubrange(range, with: placeholder)
            index += 1
        }
        return result
    }

    /// Whether a format holds the season and episode numbers (`S{season:00}E{episode:00}`).
    public static func containsSeasonEpisode(_ format: String) -> Bool {
        findSeasonEpisode(in: format, from: format.startIndex) != nil
    }

    struct SeasonEpisodeMatch {
        var range: Range<String.Index>
        var episodeSeparator: String
        var episodePattern: String
        var separator: String
    }

    static func findSeasonEpisode(in text: String, from start: String.Index) -> SeasonEpisodeMatch? {
        var cursor = start
        while let season = findNumberToken("season", in: text, from: cursor) {
            var lower = season.lowerBound
            if lower > text.startIndex {
                let before = text.index(before: lower)
                if text[before] == "s" || text[before] == "S" { lower = before }
            }
            var i = season.upperBound
            var episodeSeparator = ""
            if i < text.endIndex, "-. _".contains(text[i]) {
                episodeSeparator.append(text[i])
                i = text.index(after: i)
            }
            if i < text.endIndex, "eExX".contains(text[i]) {
                episodeSeparator.append(text[i])
                let afterLetter = text.index(after: i)
                if let episode = findNumberToken("episode", in: text, from: afterLetter), episode.lowerBound == afterLetter {
                    // Separator for the duplicate style: the run of separators up to the next token,
                    // or else the one before the pattern that follows a token.
                    var separator = ""
                    var j = episode.upperBound
                    while j < text.endIndex, "-. _".contains(text[j]) { separator.append(text[j]); j = text.index(after: j) }
                    if separator.isEmpty || j == text.endIndex || text[j] != "{" {
                        separator = ""
                        var k = lower
                        var run = ""
                        while k > text.startIndex {
                            let p = text.index(before: k)
                            guard "-. _".contains(text[p]) else {
                                if text[p] == "}" { separator = run }
                                break
                            }
                            run = String(text[p]) + run
                            k = p
                        }
                    }
                    if separator.isEmpty { separator = " - " }
                    return SeasonEpisodeMatch(
                        range: lower..<episode.upperBound, episodeSeparator: episodeSeparator,
                        episodePattern: String(text[episode]), separator: separator)
                }
            }
            cursor = season.upperBound
        }
        return nil
    }

    /// `{name}` or `{name:00}`, case-insensitive.
    static func findNumberToken(_ name: String, in text: String, from start: String.Index? = nil) -> Range<String.Index>? {
        var cursor = start ?? text.startIndex
        while let open = text[cursor...].firstIndex(of: "{") {
            guard let close = text[open...].firstIndex(of: "}") else { return nil }
            let body = text[text.index(after: open)..<close]
            let parts = body.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            if parts[0].lowercased() == name, parts.count == 1 || (!parts[1].isEmpty && parts[1].allSatisfy { $0 == "0" }) {
                return open..<text.index(after: close)
            }
            cursor = text.index(after: open)
        }
        return nil
    }

    static func replaceNumber(in pattern: String, name: String, value: Int) -> String {
        var result = pattern
        while let range = findNumberToken(name, in: result) {
            let body = result[result.index(after: range.lowerBound)..<result.index(before: range.upperBound)]
            let format = body.split(separator: ":", maxSplits: 1).dropFirst().first.map(String.init)
            result.replaceSubrange(range, with: Self.format(value, format))
        }
        return result
    }

    // MARK: Cleaning

    /// Sonarr's illegal-character replacement, with the configured colon replacement.
    public func cleanFileName(_ name: String) -> String {
        var result = ""
        result.reserveCapacity(name.utf8.count)
        let replace = scheme.replaceIllegalCharacters
        let colon = scheme.colonReplacement
        var scalars = name.unicodeScalars.makeIterator()
        var pending = scalars.next()
        while let scalar = pending {
            pending = scalars.next()
            switch scalar {
            case "\\", "/": if replace { result += "+" }
            case "<", ">", "|", "\"": break
            case "?": if replace { result += "!" }
            case "*": if replace { result += "-" }
            case ":":
                guard replace else { break }
                if colon == .smart, pending == " " {
                    // "Title: Subtitle" reads best as "Title - Subtitle".
                    result += " -"
                } else {
                    result += colon.text
                }
            default:
                // Control characters are never part of a name.
                if scalar.value >= 0x20, scalar.value != 0x7F { result.unicodeScalars.append(scalar) }
            }
        }
        var s = Substring(result)
        while let c = s.first, c == " " || c == "." { s.removeFirst() }
        while let c = s.last, c == " " { s.removeLast() }
        return String(s)
    }

    static func collapseRepeatedSeparators(_ text: String) -> String {
        var out = ""
        var previous: Character?
        for c in text {
            if c == previous, "-. _".contains(c) { continue }
            out.append(c)
            previous = c
        }
        return out
    }

    static func trimTrailingSeparators(_ text: String) -> String {
        var s = Substring(text)
        while let c = s.last, "-. _".contains(c) { s.removeLast() }
        return String(s)
    }

    static func episodeTitle(_ titles: [String]) -> String {
        let trimmed = titles.map { t -> String in
            var s = Substring(t.trimmingSpaces())
            while let c = s.last, " .?".contains(c) { s.removeLast() }
            return String(s)
        }.filter { !$0.isEmpty }
        var unique: [String] = []
        for t in trimmed where !unique.contains(t) { unique.append(t) }
        return unique.joined(separator: " + ")
    }

    static func cleanTitle(_ title: String) -> String {
        var s = title.replacingAll("&", with: "and").replacingAll("/", with: " ")
        s = String(s.filter { !"()[]{}".contains($0) })
        // Drop punctuation that stands alone between spaces, and ' : ? , before a space or the end.
        var out = ""
        let chars = Array(s)
        for (i, c) in chars.enumerated() {
            let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
            let prev: Character? = i > 0 ? chars[i - 1] : nil
            if ",<>;:'\"|`~!?@$%^*-_=".contains(c), prev == " ", next == " " { continue }
            if "':?,".contains(c), next == nil || next == " " { continue }
            out.append(c)
        }
        return collapseRepeatedSeparators(out.trimmingSpaces())
    }

    static func titleThe(_ title: String) -> String {
        for article in ["The", "An", "A"] {
            let prefix = article + " "
            if title.count > prefix.count, title.lowercased().hasPrefix(prefix.lowercased()) {
                let rest = title.dropFirst(prefix.count)
                // Keep a trailing "(2010)" after the moved article.
                if let open = rest.lastIndex(of: "("), rest.hasSuffix(")") {
                    return rest[..<open].trimmingSpaces() + ", " + title.prefix(article.count) + " " + rest[open...]
                }
                return rest + ", " + title.prefix(article.count)
            }
        }
        return title
    }

    static func titleYear(_ title: String, _ year: Int?) -> String {
        guard let year, year > 0 else { return title }
        if TitleMatching.trailingYear(in: title) != nil { return title }
        return "\(title) (\(year))"
    }

    static func titleWithoutYear(_ title: String) -> String {
        guard let (_, range) = TitleMatching.trailingYear(in: title) else { return title }
        return title[..<range.lowerBound].trimmingSpaces()
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var out = ""
        var rest = Substring(self)
        while let range = rest.range(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        out += rest
        return out
    }

    /// The longest prefix of at most `bytes` UTF-8 bytes that does not split a character.
    func prefix(utf8Bytes bytes: Int) -> String {
        guard utf8.count > bytes else { return self }
        var count = 0
        var end = startIndex
        for index in indices {
            let size = self[index].utf8.count
            if count + size > bytes { break }
            count += size
            end = self.index(after: index)
        }
        return String(self[..<end])
    }

    func trimming(characters: String) -> String {
        var s = Substring(self)
        while let c = s.first, characters.contains(c) { s.removeFirst() }
        while let c = s.last, characters.contains(c) { s.removeLast() }
        return String(s)
    }
}

extension Substring {
    func range(of target: String) -> Range<Index>? {
        guard let first = target.first else { return nil }
        var i = startIndex
        while let start = self[i...].firstIndex(of: first) {
            if self[start...].hasPrefix(target) {
                return start..<self.index(start, offsetBy: target.count)
            }
            i = self.index(after: start)
        }
        return nil
    }
}

/// The episode format with its season/episode and absolute numbers written in, for one set of numbers.
struct NumberedPattern: Sendable {
    var pattern: String
    /// The `{Season Episode1}`… and `{Absolute Pattern1}`… values the pattern now names.
    var text: [String: String]
}

/// The patterns an `EpisodeNamer` split (`EpisodeNamer.segments`), and its episode format numbered for
/// each set of episode numbers it met, shared by the threads that name links.
final class ParsedPatterns: Sendable {
    private let known = Mutex<[String: [EpisodeNamer.Segment]]>([:])
    private let numberedFormats = Mutex<[NumbersKey: NumberedPattern]>([:])

    struct NumbersKey: Hashable {
        var episodes: [EpisodeNumber]
        var absolute: [Int]?
    }

    func numbered(episodes: [EpisodeNumber], absolute: [Int]?, make: () -> NumberedPattern) -> NumberedPattern {
        let key = NumbersKey(episodes: episodes, absolute: absolute)
        if let hit = numberedFormats.withLock({ $0[key] }) { return hit }
        let made = make()
        numberedFormats.withLock { $0[key] = made }
        return made
    }

    func segments(of pattern: String) -> [EpisodeNamer.Segment] {
        if let hit = known.withLock({ $0[pattern] }) { return hit }
        let segments = EpisodeNamer.segments(of: pattern)
        known.withLock { $0[pattern] = segments }
        return segments
    }
}
