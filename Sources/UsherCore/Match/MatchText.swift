/// Titles reduced to comparable tokens, for proposing which movies are specials of which shows.
///
/// `TitleMatching.normalize` already forgives case, punctuation, apostrophes and `&`. On top of that
/// a match token forgets diacritics (`Shōjo` = `Shojo`), Japanese romanization variants (`Shoujo`,
/// `Shôjo` and `Shojo`; `wo` = `o`), TheTVDB's romanized `tai` for `vs.`,
/// roman numerals (`II` = `2`), English plurals (`Doctors` = `Doctor`), a year in parentheses, and filler that says
/// "this is a film" (`The Movie`, `Gekijouban`, `Eiga`, `The Motion Picture`); and it reads romanized Japanese words as
/// the English an official title uses (`glossary`: `Byouki no Kuni` = `Country of Illness`).
public enum MatchText {
    /// The tokens of a title, in order.
    public static func tokens(_ title: String) -> [String] {
        tokensAndOrdinal(title).tokens
    }

    /// The tokens, and the film's number within its franchise when the title gives one next to a film
    /// word (`Movie 3: …`, `Special Edition II …`, `Patlabor 2: The Movie`), which the tokens leave out.
    public static func tokensAndOrdinal(_ title: String) -> (tokens: [String], ordinal: Int?) {
        let words = TitleMatching.normalize(stripParenthesizedYears(title)).split(separator: " ")
        var out: [String] = []
        out.reserveCapacity(words.count)
        for (index, word) in words.enumerated() {
            let folded = fold(word)
            if folded.isEmpty { continue }
            if let number = romanValue(folded), folded.count > 1 || index == words.count - 1, index > 0 {
                out.append(String(number))
            } else if let english = glossary[folded] {
                out.append(contentsOf: english)
            } else {
                out.append(folded)
            }
        }
        let (kept, ordinal) = dropOrdinals(out)
        return (dropFiller(kept), ordinal)
    }

    /// A TMDB collection's name without the word that says it is one: `Detective Conan Collection` →
    /// `Detective Conan`, `Pokémon: The Movie Collection` → `Pokémon: The Movie`.
    public static func collectionName(_ name: String) -> String {
        var text = name.trimmingSpaces()
        for suffix in [" Collection", " collection", " - Saga", " Saga", " Filmreihe", " Collezione"] where text.hasSuffix(suffix) {
            text = String(text.dropLast(suffix.count)).trimmingSpaces()
            break
        }
        while let c = text.last, c == ":" || c == "-" { text = String(text.dropLast()).trimmingSpaces() }
        return text
    }

    /// A crossover title, "Show A x Show B: Subtitle" (also `×`, `vs.`, `versus`): the text before the
    /// connector and the text after it. TheTVDB files such a film under one of the two shows, often
    /// without the other's name. Nil when either side is empty.
    public static func crossover(_ title: String) -> (left: String, right: String)? {
        let words = title.split(separator: " ")
        guard words.count >= 3 else { return nil }
        for i in 1..<(words.count - 1) {
            switch words[i].lowercased() {
            case "x", "×", "vs", "vs.", "versus":
                return (words[..<i].joined(separator: " "), words[(i + 1)...].joined(separator: " "))
            default: continue
            }
        }
        return nil
    }

    /// A part marker at the end of a title: `Childhood's End (2)`, `Lights in the Sky Part 2`,
    /// `… Part Two`, `… Part II`; or a `(N)` marker followed by the part's own subtitle, `Re: Cutie Honey (2) - Chi no
    /// Maki` (TheTVDB's shape for an OVA in parts, each named). The title before it, and the part number (1–9).
    public static func partMarker(_ title: String) -> (base: String, part: Int)? {
        guard mayHavePartMarker(title) else { return midPartMarker(title) }
        var text = Substring(title).trimmingSpaces()
        if text.hasSuffix(")"), let open = text.lastIndex(of: "(") {
            let inside = text[text.index(after: open)..<text.index(before: text.endIndex)]
            if inside.count == 1, let n = Int(inside), (1...9).contains(n) {
                let base = text[..<open].trimmingSpaces()
                return base.isEmpty ? nil : (String(base), n)
            }
            return nil
        }
        let words = text.split(separator: " ")
        guard words.count >= 3, words[words.count - 2].lowercased() == "part" else { return nil }
        let last = words[words.count - 1].lowercased()
        let spelled = ["one": 1, "two": 2, "three": 3, "four": 4, "five": 5]
        guard let n = Int(last) ?? spelled[last] ?? romanNumerals[last], (1...9).contains(n) else { return nil }
        text = text[..<words[words.count - 2].startIndex].trimmingSpaces()
        while let c = text.last, c == ":" || c == "-" || c == "," || c == "–" { text = text.dropLast().trimmingSpaces() }
        return text.isEmpty ? nil : (String(text), n)
    }

    /// `Base (N) - Subtitle`, `Base (N): Subtitle`: a one-digit marker in parentheses, then a dash or a colon and more
    /// words.
    static func midPartMarker(_ title: String) -> (base: String, part: Int)? {
        let bytes = Array(title.utf8)
        guard bytes.count >= 8 else { return nil }
        var i = 0
        while i + 2 < bytes.count {
            defer { i += 1 }
            guard bytes[i] == UInt8(ascii: "("), bytes[i + 2] == UInt8(ascii: ")"), (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(bytes[i + 1]) else {
                continue
            }
            var j = i + 3
            while j < bytes.count, bytes[j] == 0x20 { j += 1 }
            guard j < bytes.count else { return nil }
            // A dash, an en dash (E2 80 93) or a colon, then more text.
            var after = j
            if bytes[j] == UInt8(ascii: "-") || bytes[j] == UInt8(ascii: ":") {
                after = j + 1
            } else if j + 2 < bytes.count, bytes[j] == 0xE2, bytes[j + 1] == 0x80, bytes[j + 2] == 0x93 {
                after = j + 3
            } else {
                continue
            }
            let rest = String(decoding: bytes[after...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            let base = String(decoding: bytes[..<i], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            guard !rest.isEmpty, !base.isEmpty else { return nil }
            return (base, Int(bytes[i + 1] - UInt8(ascii: "0")))
        }
        return nil
    }

    /// A quick look at the bytes (no allocation): the title ends with `)`, or its next-to-last word is
    /// `part` in any case. Most titles are neither.
    static func mayHavePartMarker(_ title: String) -> Bool {
        var bytes = title.utf8.reversed().drop { $0 == 0x20 }.makeIterator()
        guard let last = bytes.next() else { return false }
        if last == UInt8(ascii: ")") { return true }
        // Skip the last word, then the spaces before it, then read four letters backwards.
        var b = bytes.next()
        while let c = b, c != 0x20 { b = bytes.next() }
        while let c = b, c == 0x20 { b = bytes.next() }
        var word: UInt64 = 0, length = 0
        while let c = b, c != 0x20, length < 5 { word = word << 8 | UInt64(c | 0x20); length += 1; b = bytes.next() }
        return length == 4 && word == 0x74_72_61_70  // "part", read backwards: t r a p
    }

    /// Words after which a number only counts films or editions (`Movie 3`, `Film 2`, `Special Edition
    /// II`): the franchise's numbering, which one side often has and the other not ("Detective Conan: The
    /// Last Wizard of the Century" is "Movie 3: The Last Wizard of the Century").
    static let ordinalMarkers: Set<String> = ["movie", "film", "gekijoban", "gekijban", "eiga", "edition"]

    /// The romanized counters of `第N部` (part), `第N章` (chapter) and `第N話` (episode) after `Dai N`: TheTVDB's
    /// `Sotsugyou Shashin Dai 1-bu` is the film's `Graduation Photo Part 1`.
    static let partCounters: Set<String> = ["bu", "sho", "wa"]

    /// Drops the number after an ordinal marker (`movie 3`), or just before `[the] movie` after another word
    /// (`patlabor 2 the movie`), unless nothing else would be left; returns the first such number, or else a part's
    /// (`part 2`, which stays a word). `Dai N-bu` is read as `part N`.
    private static func dropOrdinals(_ tokens: [String]) -> ([String], Int?) {
        guard tokens.count > 2, tokens.contains(where: { ordinalMarkers.contains($0) || $0 == "part" || $0 == "dai" }) else { return (tokens, nil) }
        var out: [String] = []
        out.reserveCapacity(tokens.count)
        var ordinal: Int?
        var skip = false
        for (i, t) in tokens.enumerated() {
            if skip {
                skip = false
                continue
            }
            // A part's number stays a word of the title ("Part 1" and "Part 2" differ) and is its number too.
            if isNumber(t), i > 0, tokens[i - 1] == "dai", i + 1 < tokens.count, partCounters.contains(tokens[i + 1]) {
                if ordinal == nil { ordinal = Int(t.prefix(6)) }
                out.removeLast()
                out += ["part", t]
                skip = true
                continue
            }
            if isNumber(t), i > 0, tokens[i - 1] == "part" {
                if ordinal == nil { ordinal = Int(t.prefix(6)) }
                out.append(t)
                continue
            }
            if isNumber(t) {
                let after = i > 0 && ordinalMarkers.contains(tokens[i - 1])
                let before =
                    i > 0 && i + 1 < tokens.count
                    && (tokens[i + 1] == "movie" || (tokens[i + 1] == "the" && i + 2 < tokens.count && tokens[i + 2] == "movie"))
                if after || before {
                    if ordinal == nil { ordinal = Int(t.prefix(6)) }
                    continue
                }
            }
            out.append(t)
        }
        return (out, ordinal)
    }

    /// The first number among the first words that follows a series' name (`isName` of the words before it) and
    /// comes before more words: its place and value (1–20; not when another number follows, as in `2.0`, nor when
    /// the name and the number are a series' name together, as in `Appleseed XIII: Tartaros`).
    static func sequelNumber(_ words: [String], after isName: ([String]) -> Bool) -> (Int, Int)? {
        guard words.count > 2 else { return nil }
        for i in 1..<min(words.count - 1, 7) where isNumber(words[i]) {
            guard let n = Int(words[i].prefix(3)), (1...20).contains(n), !isNumber(words[i + 1]) else { return nil }
            return isName(Array(words[..<i])) && !isName(Array(words[...i])) ? (i, n) : nil
        }
        return nil
    }

    /// Whether a token is a number (not a year in parentheses, which `tokens` already removed).
    public static func isNumber(_ token: String) -> Bool {
        !token.isEmpty && token.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Years in parentheses anywhere in a title: `Doctor Who (1996)`, `Dune (2021) Part Two`.
    public static func parenthesizedYears(_ title: String) -> [Int] {
        var years: [Int] = []
        let bytes = Array(title.utf8)
        var i = 0
        while i + 5 < bytes.count {
            if bytes[i] == UInt8(ascii: "("), bytes[i + 5] == UInt8(ascii: ")"),
                bytes[(i + 1)...(i + 4)].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
            {
                let year = bytes[(i + 1)...(i + 4)].reduce(0) { $0 * 10 + Int($1 - 0x30) }
                if (1870...2200).contains(year) { years.append(year) }
                i += 6
            } else {
                i += 1
            }
        }
        return years
    }

    static func stripParenthesizedYears(_ title: String) -> String {
        guard title.utf8.contains(UInt8(ascii: "(")), !parenthesizedYears(title).isEmpty else { return title }
        var bytes = Array(title.utf8)
        var i = 0
        while i + 5 < bytes.count {
            if bytes[i] == UInt8(ascii: "("), bytes[i + 5] == UInt8(ascii: ")"),
                bytes[(i + 1)...(i + 4)].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
            {
                bytes.replaceSubrange(i...(i + 5), with: [UInt8(ascii: " ")])
            }
            i += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Folds one normalized word: diacritics off, `ou`/`oo`/`uu`/`ei`-style long vowels shortened as
    /// the romanizations of `ō` and `ū` differ, the particle `wo` read as `o`, `sameWord`s, and an English plural's `s`
    /// off.
    static func fold(_ word: Substring) -> String {
        var ascii = String.UnicodeScalarView()
        var changed = false
        for scalar in word.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                ascii.append(scalar)
            } else if v >= 0xC0, v < 0x180 {
                ascii.append(contentsOf: latinBase[Int(v - 0xC0)].unicodeScalars)
                changed = true
            } else if scalar.properties.generalCategory == .nonspacingMark {
                changed = true  // a combining accent: drop it
            } else {
                ascii.append(scalar)
            }
        }
        var text = changed ? String(ascii) : String(word)
        if text == "wo" { return "o" }
        // Long vowels: Tōkyō, Toukyou, Tookyoo and Tokyo all become "tokyo". Applied to every word on
        // both sides, so an English word that changes ("four" → "for") still compares equal to itself.
        if text.utf8.count > 2, text.contains("ou") || text.contains("uu") || text.contains("oo") {
            text = text.replacingAll("ou", "o").replacingAll("uu", "u").replacingAll("oo", "o")
        }
        if let same = sameWord[text] { return same }
        // English plurals: `doctors` is `doctor` (romanized words never end in `s`).
        let bytes = text.utf8
        if bytes.count > 3, bytes.last == UInt8(ascii: "s"), let before = bytes.dropLast().last, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(before),
            !text.hasSuffix("ss"), !text.hasSuffix("us"), !text.hasSuffix("is")
        {
            return String(text.dropLast())
        }
        return text
    }

    /// Words read as another (on both sides, so each still equals itself): TheTVDB's romanized `tai` (対) is the
    /// film's `vs.` (`Great Mazinger tai Getter Robo`), and `Jr.` is `Junior`. (`Hen` as `Chapter` and `Tokubetsu` as `Special` were tried:
    /// generic words shared by every special of a series, they cost more pairs than they found.)
    static let sameWord: [String: String] = ["tai": "vs", "versus": "vs", "jr": "junior"]

    /// Romanized Japanese words read as the English an official title most often uses (`RomajiGlossary`), on both
    /// sides: TheTVDB's "Byouki no Kuni" is the film's "Country of Illness", "Kiki Ippatsu" its "Crisis". Keys are
    /// folded as titles are (`kyoufu` = `kyofu`); words that are English too (`koi`, `ai`), names, particles and the
    /// words every special of a series shares (`hen`, `tokubetsu`, `gekijouban`) are not in it.
    static let glossary: [String: [String]] = {
        var out: [String: [String]] = [:]
        for line in RomajiGlossary.text.split(separator: "\n") {
            let text = line.trimmingSpaces()
            guard !text.isEmpty, !text.hasPrefix("#") else { continue }
            let parts = text.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = fold(Substring(parts[0].trimmingSpaces()))
            let english = TitleMatching.normalize(String(parts[1])).split(separator: " ").map { fold($0) }.filter { !$0.isEmpty }
            if !key.isEmpty, !english.isEmpty { out[key] = english }
        }
        return out
    }()

    /// Roman numerals II–XX (and I, V, X at the end of a title, handled by the caller).
    static func romanValue(_ token: String) -> Int? {
        romanNumerals[token]
    }

    static let romanNumerals: [String: Int] = {
        let list = [
            "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x",
            "xi", "xii", "xiii", "xiv", "xv", "xvi", "xvii", "xviii", "xix", "xx",
        ]
        return Dictionary(uniqueKeysWithValues: list.enumerated().map { ($1, $0 + 1) })
    }()

    /// Words that only say "this is a film": they neither help nor hurt a match.
    static let filler: Set<String> = ["movie", "film", "gekijoban", "gekijban", "eiga", "theatrical", "feature"]

    private static func dropFiller(_ tokens: [String]) -> [String] {
        guard tokens.contains(where: { filler.contains($0) || $0 == "motion" }) else { return tokens }
        var out: [String] = []
        var i = 0
        while i < tokens.count {
            let t = tokens[i]
            if t == "motion", i + 1 < tokens.count, tokens[i + 1] == "picture" {
                i += 2
                if out.last == "the" { out.removeLast() }
                continue
            }
            if filler.contains(t) {
                if out.last == "the" || out.last == "a" { out.removeLast() }
                i += 1
                continue
            }
            out.append(t)
            i += 1
        }
        return out.isEmpty ? tokens : out
    }

    /// Base letters of U+00C0…U+017F (Latin-1 Supplement letters and Latin Extended-A).
    private static let latinBase: [String] = {
        let latin1 = [
            "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
            "d", "n", "o", "o", "o", "o", "o", " ", "o", "u", "u", "u", "u", "y", "th", "ss",
            "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
            "d", "n", "o", "o", "o", "o", "o", " ", "o", "u", "u", "u", "u", "y", "th", "y",
        ]
        let runs: [(String, Int)] = [
            ("a", 6), ("c", 8), ("d", 4), ("e", 10), ("g", 8), ("h", 4), ("i", 10),
            ("ij", 2), ("j", 2), ("k", 3), ("l", 10), ("n", 9), ("o", 6), ("oe", 2),
            ("r", 6), ("s", 8), ("t", 6), ("u", 12), ("w", 2), ("y", 3), ("z", 6), ("s", 1),
        ]
        let extendedA = runs.flatMap { Array(repeating: $0.0, count: $0.1) }
        return latin1 + extendedA
    }()
}

extension String {
    func replacingAll(_ target: String, _ replacement: String) -> String {
        guard contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
