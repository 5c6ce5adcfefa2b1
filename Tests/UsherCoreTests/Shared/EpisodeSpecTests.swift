import Testing
import UsherCore

private func e(_ season: Int, _ episode: Int) -> EpisodeNumber { EpisodeNumber(season: season, episode: episode) }

@Suite("EpisodeSpec.parse")
struct EpisodeSpecParseTests {
    @Test(arguments: [
        ("S00E09", [e(0, 9)]),
        ("s0e9", [e(0, 9)]),
        ("  S00E09  ", [e(0, 9)]),
        ("S01E100", [e(1, 100)]),
        ("S00E01-E03", [e(0, 1), e(0, 2), e(0, 3)]),
        ("S00E01-03", [e(0, 1), e(0, 2), e(0, 3)]),
        ("s00e01-e03", [e(0, 1), e(0, 2), e(0, 3)]),
        ("S01E01E02", [e(1, 1), e(1, 2)]),
        ("S01E02E01", [e(1, 1), e(1, 2)]),
        ("S01E01E03", [e(1, 1), e(1, 3)]),
        ("S02E01-E02E05", [e(2, 1), e(2, 2), e(2, 5)]),
    ])
    func parsesSingleCodes(text: String, expected: [EpisodeNumber]) throws {
        #expect(try EpisodeSpec.parse(text) == expected)
    }

    @Test func parsesListsIntoOneSortedSet() throws {
        #expect(try EpisodeSpec.parse(["S00E01", "S00E02"]) == [e(0, 1), e(0, 2)])
        #expect(try EpisodeSpec.parse(["S00E05", "S00E01-E03"]) == [e(0, 1), e(0, 2), e(0, 3), e(0, 5)])
        #expect(try EpisodeSpec.parse(["S00E09"]) == [e(0, 9)])
    }

    @Test(arguments: [
        "",
        "   ",
        "E09",
        "00E09",
        "hello",
        "S",
        "S00",
        "S00E",
        "SE09",
        "S00X09",
        "S00E09x",
        "S00E09 E10",
        "S00E03-E01",
        "S00E03-03",
        "S00E01-",
        "S00E01-E",
        "S00E01E01",
        "S00E01-E03E02",
        "S00E1-E900",
        "S1234567E01",
        "S００E09",
    ])
    func rejectsGarbage(text: String) {
        #expect(throws: EpisodeSpecError.self) { try EpisodeSpec.parse(text) }
    }

    @Test func errorsCarryTheTextAndAReason() {
        #expect(throws: EpisodeSpecError(text: "00E09", reason: "expected it to start with S, as in S00E09")) {
            try EpisodeSpec.parse("00E09")
        }
        #expect(throws: EpisodeSpecError(text: "S00E03-E01", reason: "a range must go upwards")) {
            try EpisodeSpec.parse("S00E03-E01")
        }
        #expect(throws: EpisodeSpecError(text: "S00E01E01", reason: "an episode is named twice")) {
            try EpisodeSpec.parse("S00E01E01")
        }
        let error = EpisodeSpecError(text: "x", reason: "because")
        #expect(error.description == "'x' is not an episode code: because")
    }

    @Test func listWithMixedSeasonsFails() {
        #expect(throws: EpisodeSpecError(text: "S00E01, S01E02", reason: "one file can only hold episodes of one season")) {
            try EpisodeSpec.parse(["S00E01", "S01E02"])
        }
    }

    @Test func listWithDuplicateEpisodeFails() {
        #expect(throws: EpisodeSpecError(text: "S00E01-E03, S00E02", reason: "an episode is named twice")) {
            try EpisodeSpec.parse(["S00E01-E03", "S00E02"])
        }
        #expect(throws: EpisodeSpecError.self) { try EpisodeSpec.parse(["S00E01", "s0e1"]) }
    }

    @Test func emptyListFails() {
        #expect(throws: EpisodeSpecError(text: "", reason: "no episode given")) {
            try EpisodeSpec.parse([String]())
        }
    }
}

@Suite("EpisodeSpec.format")
struct EpisodeSpecFormatTests {
    @Test(arguments: [
        ([e(0, 9)], "S00E09"),
        ([e(1, 100)], "S01E100"),
        ([e(0, 1), e(0, 2)], "S00E01E02"),
        ([e(0, 1), e(0, 2), e(0, 3)], "S00E01-E03"),
        ([e(0, 1), e(0, 3)], "S00E01E03"),
        ([e(0, 1), e(0, 2), e(0, 4)], "S00E01E02E04"),
        ([e(12, 9), e(12, 10), e(12, 11), e(12, 12)], "S12E09-E12"),
        ([], ""),
    ])
    func formats(episodes: [EpisodeNumber], expected: String) {
        #expect(EpisodeSpec.format(episodes) == expected)
    }

    @Test(arguments: ["S00E09", "S00E01-E03", "S01E01E02", "S01E01E03", "S05E99-E101", "S00E01E02E04"])
    func formatOfParseRoundTrips(text: String) throws {
        let parsed = try EpisodeSpec.parse(text)
        #expect(EpisodeSpec.format(parsed) == text)
        #expect(try EpisodeSpec.parse(EpisodeSpec.format(parsed)) == parsed)
    }

    @Test func randomSetsRoundTrip() throws {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<300 {
            let season = Int.random(in: 0...20, using: &rng)
            let count = Int.random(in: 1...6, using: &rng)
            let episodes = Set((0..<count).map { _ in Int.random(in: 1...30, using: &rng) })
                .sorted().map { e(season, $0) }
            let text = EpisodeSpec.format(episodes)
            #expect(try EpisodeSpec.parse(text) == episodes, "\(text)")
        }
    }

    @Test func descriptionPads() {
        #expect(e(0, 9).description == "S00E09")
        #expect(e(3, 12).description == "S03E12")
        #expect(e(10, 1234).description == "S10E1234")
        #expect(e(0, 9) < e(0, 10))
        #expect(e(0, 99) < e(1, 1))
    }
}

@Suite("EpisodeNumber.codes(inFileName:)")
struct EpisodeCodesInFileNameTests {
    @Test(arguments: [
        ("Show - S01E01E02 - T.mkv", [e(1, 1), e(1, 2)]),
        ("Show - S01E01-E03 - T.mkv", [e(1, 1), e(1, 2), e(1, 3)]),
        ("S01E01-E03", [e(1, 1), e(1, 2), e(1, 3)]),
        ("Show - S01E01-03 - T.mkv", [e(1, 1), e(1, 2), e(1, 3)]),
        ("show.s02e05.720p.mkv", [e(2, 5)]),
        ("24 - S00E09 - Redemption Bluray-1080p.mkv", [e(0, 9)]),
        ("Show - S01E01-Title.mkv", [e(1, 1)]),
        ("S00E09", [e(0, 9)]),
        ("Show - S01E01 - S01E02 - T.mkv", [e(1, 1)]),
        ("Movie (2008) Bluray-1080p.mkv", []),
        ("no code here.mkv", []),
        ("ThisS01E01", []),
        ("ThisS01E01.mkv", []),
        ("Show S01E01x.mkv", []),
        ("Show S01.mkv", []),
        ("", []),
    ])
    func findsCodes(name: String, expected: [EpisodeNumber]) {
        #expect(EpisodeNumber.codes(inFileName: name) == expected)
    }
}
