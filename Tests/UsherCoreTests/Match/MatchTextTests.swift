import Testing
import UsherCore

@Suite("Match text")
struct MatchTextTests {
    /// Pairs of titles that must read the same.
    @Test(arguments: [
        ("24: Redemption", "24 - Redemption"),
        ("Cowboy Bebop: The Movie", "Cowboy Bebop Movie"),
        ("Cowboy Bebop: The Movie", "cowboy bebop"),
        ("Gekijōban Shōjo Kakumei Utena", "Gekijouban Shoujo Kakumei Utena"),
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
    ])
    func same(_ a: String, _ b: String) {
        #expect(MatchText.tokens(a) == MatchText.tokens(b), "\(a) vs \(b): \(MatchText.tokens(a)) \(MatchText.tokens(b))")
    }

    /// Pairs that must stay apart.
    @Test(arguments: [
        ("Psych 2: Lassie Come Home", "Psych 3: This Is Gus"),
        ("Rocky II", "Rocky III"),
        ("Kizumonogatari Part 1", "Kizumonogatari Part 2"),
        ("X-Men", "10 Men"),
        ("I Am Legend", "1 Am Legend"),
    ])
    func different(_ a: String, _ b: String) {
        #expect(MatchText.tokens(a) != MatchText.tokens(b), "\(a) vs \(b)")
    }

    @Test func tokensInOrder() {
        #expect(MatchText.tokens("The Movie") == ["the", "movie"], "a title that is only filler keeps it")
        #expect(MatchText.tokens("El Camino: A Breaking Bad Movie") == ["el", "camino", "a", "breaking", "bad"])
        #expect(MatchText.tokens("Malcolm X") == ["malcolm", "10"])
        #expect(MatchText.parenthesizedYears("Dune (2021) Part Two (1984)") == [2021, 1984])
        #expect(MatchText.isNumber("2") && !MatchText.isNumber("2a"))
    }
}
