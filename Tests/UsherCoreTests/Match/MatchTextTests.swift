import Foundation
import Testing

@testable import UsherCore

@Suite("Match text")
struct MatchTextTests {
    /// Pairs of titles that must read the same.
    @Test(arguments: [
        ("24: Redemption", "24 - Redemption"),
        ("Cowboy Bebop: The Movie", "Cowboy Bebop Movie"),
        ("Cowboy Bebop: The Movie", "cowboy bebop"),
        ("Gekijōban Shōjo Kakumei Utena", "Gekijouban Shoujo Kakumei Utena"),
        ("Eiga Go-Toubun no Hanayome", "Go-Toubun no Hanayome the Movie"),
        ("Shōjo", "Shojo"),
        ("Tōkyō Godfathers", "Tokyo Godfathers"),
        ("Toki wo Kakeru Shoujo", "Toki o Kakeru Shōjo"),
        ("Pokémon", "Pokemon"),
        ("Fast & Furious", "Fast and Furious"),
        ("Rocky II", "Rocky 2"),
        ("Star Trek: The Motion Picture", "Star Trek"),
        ("Doctor Who (1996)", "Doctor Who"),
        ("Amélie", "AMELIE"),
        ("Grey's Anatomy", "Greys Anatomy"),
        ("Part III", "Part 3"),
        ("Ghost in the Shell 2.0", "Ghost in the Shell 2 0"),
        // Romanized words TheTVDB keeps, and an abbreviation.
        ("Great Mazinger tai Getter Robo", "Great Mazinger vs. Getter Robo"),
        ("Godzilla versus Mothra", "Godzilla vs Mothra"),
        ("Ayaushi! Zen Nippon Jr.", "Ayaushi! Zen Nippon Junior"),
        // 第N部: TheTVDB's `Dai N-bu` is the film's `Part N`.
        ("Sotsugyou Shashin Dai 1-bu: Kizashi", "Sotsugyou Shashin Part 1 Kizashi"),
    ])
    func same(_ a: String, _ b: String) {
        #expect(MatchText.tokens(a) == MatchText.tokens(b), "\(a) vs \(b): \(MatchText.tokens(a)) \(MatchText.tokens(b))")
    }

    /// Pairs that must stay apart.
    @Test(arguments: [
        ("Psych 2: Lassie Come Home", "Psych 3: This Is Gus"),
        ("Rocky II", "Rocky III"),
        ("Kizumonogatari Part 1", "Kizumonogatari Part 2"),
        ("Sotsugyou Shashin Dai 1-bu", "Sotsugyou Shashin Dai 2-bu"),
        // `Dai` alone is a word (`Dragon Quest: Dai`).
        ("Dai 1 Adventure", "1 Adventure"),
        ("X-Men", "10 Men"),
        ("I Am Legend", "1 Am Legend"),
    ])
    func different(_ a: String, _ b: String) {
        #expect(MatchText.tokens(a) != MatchText.tokens(b), "\(a) vs \(b)")
    }

    /// Romanized words read as the English an official title uses, on both sides: TheTVDB's romanized special and the
    /// film's English title share their words.
    @Test func romanizedWordsReadAsEnglish() {
        let special = Set(MatchText.tokens("Byouki no Kuni - For You"))
        let film = Set(MatchText.tokens("Country of Illness - For You"))
        #expect(special.subtracting(["no"]) == film.subtracting(["of"]), "\(special) \(film)")
        #expect(MatchText.tokens("Seigi Choujin vs Kodai Choujin").contains("justice"))
        #expect(MatchText.tokens("Kyoufu no Yoru") == MatchText.tokens("Kyōfu no Yoru"), "keys are folded as titles are")
        // Words every special of a series shares, particles, and words that are English too stay as they are.
        #expect(MatchText.tokens("Tokubetsu-hen") == ["tokubetsu", "hen"])
        #expect(MatchText.tokens("Ai no Uta") == ["ai", "no", "song"])
        #expect(MatchText.tokens("Koi to Umi") == ["koi", "to", "sea"])
    }

    /// English plurals read as the singular: "Doctors" is "Doctor"; not `ss`, `us`, `is`, short words or numbers.
    @Test func pluralsReadAsSingular() {
        #expect(MatchText.tokens("The Two Doctors") == ["the", "two", "doctor"])
        #expect(MatchText.tokens("Boss Bonus Analysis Gas 1990s") == ["boss", "bonus", "analysis", "gas", "1990s"])
        #expect(MatchText.tokens("Namida") == MatchText.tokens("Tear"), "the glossary's plural is read alike")
    }

    /// The glossary file: one `key = value` per line, each key once after folding, and none of the words that every
    /// special shares or that are English too.
    @Test func theGlossaryIsWellFormed() {
        var keys: [String] = []
        for line in RomajiGlossary.text.split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty, !text.hasPrefix("#") else { continue }
            let parts = text.components(separatedBy: " = ")
            #expect(parts.count == 2 && parts.allSatisfy { !$0.isEmpty }, "\(text)")
            keys.append(MatchText.fold(Substring(parts[0])))
        }
        #expect(keys.count > 500)
        #expect(Set(keys).count == keys.count, "\(Dictionary(grouping: keys, by: { $0 }).filter { $0.value.count > 1 }.keys)")
        #expect(MatchText.glossary.count == keys.count)
        for word in ["hen", "tokubetsu", "gekijoban", "no", "to", "ai", "koi", "movie", "special", "ova", "zenpen", "kohen"] {
            #expect(MatchText.glossary[word] == nil, "\(word)")
        }
    }

    /// A part's number is the title's number too, as a film's is: `Part 2` and `Dai 2-bu` carry 2.
    @Test func partsAreNumbered() {
        #expect(MatchText.tokensAndOrdinal("Tamayura: Graduation Photo Part 2 - Echo").ordinal == 2)
        #expect(MatchText.tokensAndOrdinal("Sotsugyou Shashin Dai 2-bu: Hibiki").ordinal == 2)
        #expect(MatchText.tokensAndOrdinal("Sotsugyou Shashin Dai 2-bu: Hibiki").tokens == ["graduation", "photo", "part", "2", "hibiki"])
        #expect(MatchText.tokensAndOrdinal("Movie 3 Part 1: Dawn").ordinal == 3, "the first number counts")
        #expect(MatchText.tokensAndOrdinal("Dragon Quest: Dai 2 Blades").ordinal == nil)
    }

    @Test func tokensInOrder() {
        #expect(MatchText.tokens("The Movie") == ["the", "movie"], "a title that is only filler keeps it")
        #expect(MatchText.tokens("El Camino: A Breaking Bad Movie") == ["el", "camino", "a", "breaking", "bad"])
        #expect(MatchText.tokens("Malcolm X") == ["malcolm", "10"])
        #expect(MatchText.parenthesizedYears("Dune (2021) Part Two (1984)") == [2021, 1984])
        #expect(MatchText.isNumber("2") && !MatchText.isNumber("2a"))
    }
}
