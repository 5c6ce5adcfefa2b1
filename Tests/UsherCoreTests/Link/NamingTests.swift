import Testing
import UsherCore

private func e(_ season: Int, _ episode: Int) -> EpisodeNumber { EpisodeNumber(season: season, episode: episode) }
private let bluray1080 = Quality(title: "Bluray-1080p")

private func namer(
    _ format: String = NamingScheme.defaultEpisodeFormat,
    style: MultiEpisodeStyle = .prefixedRange,
    colon: ColonReplacement = .smart,
    replaceIllegal: Bool = true,
    maxBytes: Int = 255
) -> EpisodeNamer {
    EpisodeNamer(
        scheme: NamingScheme(
            episodeFormat: format, multiEpisodeStyle: style, colonReplacement: colon,
            replaceIllegalCharacters: replaceIllegal, maxFileNameBytes: maxBytes))
}

@Suite("EpisodeNamer: default format")
struct DefaultFormatTests {
    @Test func defaultsAreSonarrs() {
        let scheme = NamingScheme()
        #expect(scheme.episodeFormat == "{Series Title} - S{season:00}E{episode:00} - {Episode Title} {Quality Full}")
        #expect(scheme.seasonFolderFormat == "Season {season:00}")
        #expect(scheme.specialsFolderFormat == nil)
        #expect(scheme.multiEpisodeStyle == .prefixedRange)
        #expect(scheme.colonReplacement == .smart)
        #expect(scheme.replaceIllegalCharacters)
        #expect(scheme.maxFileNameBytes == 255)
    }

    @Test func fullName() {
        let input = EpisodeNameInput(seriesTitle: "24", episodes: [e(0, 9)], episodeTitles: ["Redemption"], quality: bluray1080)
        #expect(namer().fileName(for: input, extension: "mkv") == "24 - S00E09 - Redemption Bluray-1080p.mkv")
        #expect(namer().baseName(for: input) == "24 - S00E09 - Redemption Bluray-1080p")
    }

    @Test func missingQualityLeavesNoTrailingSpace() {
        let input = EpisodeNameInput(seriesTitle: "24", episodes: [e(0, 9)], episodeTitles: ["Redemption"])
        #expect(namer().fileName(for: input, extension: "mkv") == "24 - S00E09 - Redemption.mkv")
    }

    @Test func missingTitleAndQualityLeavesNoTrailingSeparator() {
        let input = EpisodeNameInput(seriesTitle: "24", episodes: [e(0, 9)])
        #expect(namer().fileName(for: input, extension: "mkv") == "24 - S00E09.mkv")
        let blank = EpisodeNameInput(seriesTitle: "24", episodes: [e(0, 9)], episodeTitles: ["  "])
        #expect(namer().fileName(for: blank, extension: "mkv") == "24 - S00E09.mkv")
    }

    @Test func missingTitleKeepsQuality() {
        let input = EpisodeNameInput(seriesTitle: "24", episodes: [e(0, 9)], quality: bluray1080)
        #expect(namer().fileName(for: input, extension: "mkv") == "24 - S00E09 - Bluray-1080p.mkv")
    }

    @Test func emptyExtensionHasNoDot() {
        let input = EpisodeNameInput(seriesTitle: "24", episodes: [e(0, 9)], episodeTitles: ["Redemption"])
        #expect(namer().fileName(for: input, extension: "") == "24 - S00E09 - Redemption")
    }

    @Test func properAndRealAreInQualityFull() {
        let input = EpisodeNameInput(
            seriesTitle: "Show", episodes: [e(1, 2)], episodeTitles: ["Pilot"],
            quality: Quality(title: "WEBDL-720p", proper: true, real: true))
        #expect(namer().fileName(for: input, extension: "mkv") == "Show - S01E02 - Pilot WEBDL-720p Proper REAL.mkv")
    }

    @Test func titleTrailingPunctuationIsTrimmed() {
        // Sonarr trims ' ', '.' and '?' from the end of episode titles.
        let input = EpisodeNameInput(seriesTitle: "Show", episodes: [e(1, 1)], episodeTitles: ["Who Are You?"])
        #expect(namer().fileName(for: input, extension: "mkv") == "Show - S01E01 - Who Are You.mkv")
    }

    @Test func twoDigitPaddingKeepsLongerNumbers() {
        let input = EpisodeNameInput(seriesTitle: "Show", episodes: [e(1, 123)])
        #expect(namer().fileName(for: input, extension: "mkv") == "Show - S01E123.mkv")
    }

    @Test func animePadding() {
        let input = EpisodeNameInput(seriesTitle: "One Piece", episodes: [e(1, 7)], episodeTitles: ["Epic"])
        let n = namer("{Series Title} - S{season:00}E{episode:000} - {Episode Title}")
        #expect(n.fileName(for: input, extension: "mkv") == "One Piece - S01E007 - Epic.mkv")
        let multi = EpisodeNameInput(seriesTitle: "One Piece", episodes: [e(1, 7), e(1, 8), e(1, 9)])
        #expect(n.fileName(for: multi, extension: "mkv") == "One Piece - S01E007-E009.mkv")
    }

    @Test func absoluteNumbers() {
        let n = namer("{Series Title} - {absolute:000} - {Episode Title}")
        let input = EpisodeNameInput(seriesTitle: "One Piece", episodes: [e(1, 7)], episodeTitles: ["Epic"], absoluteNumbers: [7])
        #expect(n.fileName(for: input, extension: "mkv") == "One Piece - 007 - Epic.mkv")
        let multi = EpisodeNameInput(seriesTitle: "One Piece", episodes: [e(1, 7), e(1, 8)], absoluteNumbers: [7, 8])
        #expect(n.baseName(for: multi) == "One Piece - 007-008")
    }
}

@Suite("EpisodeNamer: multi-episode styles")
struct MultiEpisodeStyleTests {
    static let input = EpisodeNameInput(
        seriesTitle: "Show", episodes: [e(1, 3), e(1, 1), e(1, 2)], episodeTitles: ["A", "B", "C"])

    @Test(arguments: [
        (MultiEpisodeStyle.extend, "Show - S01E01-02-03 - A + B + C.mkv"),
        (.duplicate, "Show - S01E01 - S01E02 - S01E03 - A + B + C.mkv"),
        (.repeat, "Show - S01E01E02E03 - A + B + C.mkv"),
        (.scene, "Show - S01E01-E02-E03 - A + B + C.mkv"),
        (.range, "Show - S01E01-03 - A + B + C.mkv"),
        (.prefixedRange, "Show - S01E01-E03 - A + B + C.mkv"),
    ])
    func threeEpisodes(style: MultiEpisodeStyle, expected: String) {
        let n = namer("{Series Title} - S{season:00}E{episode:00} - {Episode Title}", style: style)
        #expect(n.fileName(for: Self.input, extension: "mkv") == expected)
    }

    @Test(arguments: [
        (MultiEpisodeStyle.extend, "Show - S01E01-02.mkv"),
        (.duplicate, "Show - S01E01 - S01E02.mkv"),
        (.repeat, "Show - S01E01E02.mkv"),
        (.scene, "Show - S01E01-E02.mkv"),
        (.range, "Show - S01E01-02.mkv"),
        (.prefixedRange, "Show - S01E01-E02.mkv"),
    ])
    func twoEpisodesAtTheEndOfTheFormat(style: MultiEpisodeStyle, expected: String) {
        // Nothing follows the pattern, so the duplicate style takes the separator before it.
        let n = namer("{Series Title} - S{season:00}E{episode:00}", style: style)
        let input = EpisodeNameInput(seriesTitle: "Show", episodes: [e(1, 1), e(1, 2)])
        #expect(n.fileName(for: input, extension: "mkv") == expected)
    }

    @Test(arguments: MultiEpisodeStyle.allCases)
    func singleEpisodeIsTheSameInEveryStyle(style: MultiEpisodeStyle) {
        let input = EpisodeNameInput(seriesTitle: "24", episodes: [e(0, 9)], episodeTitles: ["Redemption"], quality: bluray1080)
        #expect(namer(style: style).fileName(for: input, extension: "mkv") == "24 - S00E09 - Redemption Bluray-1080p.mkv")
    }

    @Test func duplicateTakesTheSeparatorAfterThePattern() {
        let n = namer("{Series.Title}.S{season:00}E{episode:00}.{Episode.Title}", style: .duplicate)
        let input = EpisodeNameInput(seriesTitle: "The Show", episodes: [e(1, 1), e(1, 2)], episodeTitles: ["Part One"])
        #expect(n.fileName(for: input, extension: "mkv") == "The.Show.S01E01.S01E02.Part.One.mkv")
    }

    @Test(arguments: [
        (MultiEpisodeStyle.extend, "Show 1x01-02-03"),
        (.duplicate, "Show 1x01 1x02 1x03"),
        (.repeat, "Show 1x01x02x03"),
        (.scene, "Show 1x01-x02-x03"),
        (.range, "Show 1x01-03"),
        (.prefixedRange, "Show 1x01-x03"),
    ])
    func xStyleFormat(style: MultiEpisodeStyle, expected: String) {
        let n = namer("{Series Title} {season}x{episode:00}", style: style)
        let input = EpisodeNameInput(seriesTitle: "Show", episodes: [e(1, 1), e(1, 2), e(1, 3)])
        #expect(n.baseName(for: input) == expected)
    }

    @Test func repeatedTitlesAppearOnce() {
        let input = EpisodeNameInput(seriesTitle: "Show", episodes: [e(1, 1), e(1, 2)], episodeTitles: ["Finale", "Finale"])
        #expect(namer().fileName(for: input, extension: "mkv") == "Show - S01E01-E02 - Finale.mkv")
    }

    @Test func containsSeasonEpisode() {
        #expect(EpisodeNamer.containsSeasonEpisode(NamingScheme.defaultEpisodeFormat))
        #expect(EpisodeNamer.containsSeasonEpisode("{season}x{episode:00}"))
        #expect(!EpisodeNamer.containsSeasonEpisode("{Series Title} - {Episode Title}"))
        #expect(!EpisodeNamer.containsSeasonEpisode("Season {season:00}"))
    }
}

@Suite("EpisodeNamer: illegal characters")
struct IllegalCharacterTests {
    @Test func sonarrReplacements() {
        #expect(namer().cleanFileName(#"a\b/c<d>e|f"g?h*i"#) == "a+b+cdefg!h-i")
    }

    @Test func removedWhenReplacementIsOff() {
        #expect(namer(replaceIllegal: false).cleanFileName(#"a\b/c<d>e|f"g?h*i:j"#) == "abcdefghij")
    }

    @Test(arguments: [
        (ColonReplacement.smart, "24 - Redemption", "a-b"),
        (.dash, "24- Redemption", "a-b"),
        (.delete, "24 Redemption", "ab"),
        (.spaceDash, "24 - Redemption", "a -b"),
        (.spaceDashSpace, "24 -  Redemption", "a - b"),
    ])
    func colonReplacement(mode: ColonReplacement, spaced: String, tight: String) {
        let n = namer(colon: mode)
        #expect(n.cleanFileName("24: Redemption") == spaced)
        #expect(n.cleanFileName("a:b") == tight)
    }

    @Test(arguments: [
        (ColonReplacement.smart, "24 - Redemption - S00E09 - Part-One.mkv"),
        (.dash, "24- Redemption - S00E09 - Part-One.mkv"),
        (.delete, "24 Redemption - S00E09 - PartOne.mkv"),
        (.spaceDash, "24 - Redemption - S00E09 - Part -One.mkv"),
        (.spaceDashSpace, "24 - Redemption - S00E09 - Part - One.mkv"),
    ])
    func colonReplacementInFileNames(mode: ColonReplacement, expected: String) {
        let input = EpisodeNameInput(seriesTitle: "24: Redemption", episodes: [e(0, 9)], episodeTitles: ["Part:One"])
        #expect(namer(colon: mode).fileName(for: input, extension: "mkv") == expected)
    }

    @Test func illegalCharactersInTitles() {
        let input = EpisodeNameInput(seriesTitle: "Who/What?", episodes: [e(1, 1)], episodeTitles: [#"Say "Hi" <now> | *later*"#])
        #expect(namer().fileName(for: input, extension: "mkv") == "Who+What! - S01E01 - Say Hi now -later.mkv")
        #expect(namer(replaceIllegal: false).fileName(for: input, extension: "mkv") == "WhoWhat - S01E01 - Say Hi now later.mkv")
    }

    @Test func controlCharactersAndLeadingDotsVanish() {
        #expect(namer().cleanFileName("..a\u{0}b\u{7F}c\td ") == "abcd")
    }
}

@Suite("EpisodeNamer: tokens")
struct TokenTests {
    @Test func bracketedQualityOnlyWhenPresent() {
        let n = namer("{Series Title} - S{season:00}E{episode:00} - {Episode Title} {[Quality Full]}")
        let with = EpisodeNameInput(seriesTitle: "24", episodes: [e(0, 9)], episodeTitles: ["Redemption"], quality: bluray1080)
        let without = EpisodeNameInput(seriesTitle: "24", episodes: [e(0, 9)], episodeTitles: ["Redemption"])
        #expect(n.fileName(for: with, extension: "mkv") == "24 - S00E09 - Redemption [Bluray-1080p].mkv")
        #expect(n.fileName(for: without, extension: "mkv") == "24 - S00E09 - Redemption.mkv")
    }

    @Test func parenthesizedReleaseGroup() {
        let n = namer("{Series Title} S{season:00}E{episode:00}{-Release Group}")
        let with = EpisodeNameInput(seriesTitle: "Show", episodes: [e(1, 1)], releaseGroup: "GRP")
        let without = EpisodeNameInput(seriesTitle: "Show", episodes: [e(1, 1)])
        #expect(n.fileName(for: with, extension: "mkv") == "Show S01E01-GRP.mkv")
        #expect(n.fileName(for: without, extension: "mkv") == "Show S01E01.mkv")
    }

    @Test func separatorTokenReplacesSpaces() {
        let n = namer("{Series.Title}.S{season:00}E{episode:00}.{Episode.Title}.{Quality.Full}")
        let input = EpisodeNameInput(seriesTitle: "The Office (US)", episodes: [e(2, 1)], episodeTitles: ["The Dundies"], quality: bluray1080)
        #expect(n.fileName(for: input, extension: "mkv") == "The.Office.(US).S02E01.The.Dundies.Bluray-1080p.mkv")
        let underscore = namer("{Series_Title}_S{season:00}E{episode:00}")
        #expect(underscore.fileName(for: input, extension: "mkv") == "The_Office_(US)_S02E01.mkv")
    }

    @Test func lowercaseAndUppercaseTokens() {
        let input = EpisodeNameInput(seriesTitle: "The Office", episodes: [e(2, 1)], episodeTitles: ["The Dundies"])
        #expect(
            namer("{series title} - S{season:00}E{episode:00} - {episode title}").fileName(for: input, extension: "mkv")
                == "the office - S02E01 - the dundies.mkv")
        #expect(
            namer("{SERIES TITLE} - S{season:00}E{episode:00}").fileName(for: input, extension: "mkv")
                == "THE OFFICE - S02E01.mkv")
        #expect(
            namer("{series.title}.s{season:00}e{episode:00}").fileName(for: input, extension: "mkv")
                == "the.office.s02e01.mkv")
    }

    @Test func seriesTitleYear() {
        let n = namer("{Series TitleYear} - S{season:00}E{episode:00}")
        #expect(n.baseName(for: EpisodeNameInput(seriesTitle: "Doctor Who", seriesYear: 2005, episodes: [e(0, 1)])) == "Doctor Who (2005) - S00E01")
        #expect(n.baseName(for: EpisodeNameInput(seriesTitle: "Doctor Who (2005)", seriesYear: 2005, episodes: [e(0, 1)])) == "Doctor Who (2005) - S00E01")
        #expect(n.baseName(for: EpisodeNameInput(seriesTitle: "Doctor Who", episodes: [e(0, 1)])) == "Doctor Who - S00E01")
    }

    @Test func otherSeriesTokens() {
        let input = EpisodeNameInput(seriesTitle: "The Office (US)", seriesYear: 2005, episodes: [e(1, 1)])
        #expect(namer("{Series TitleThe}").baseName(for: input) == "Office, The (US)")
        #expect(namer("{Series TitleWithoutYear}").baseName(for: EpisodeNameInput(seriesTitle: "Doctor Who (2005)", episodes: [e(1, 1)])) == "Doctor Who")
        #expect(namer("{Series TitleFirstCharacter}").baseName(for: input) == "O")
        #expect(namer("{Series CleanTitle}").baseName(for: EpisodeNameInput(seriesTitle: "Law & Order: SVU", episodes: [e(1, 1)])) == "Law and Order SVU")
    }

    @Test func idTokens() {
        let input = EpisodeNameInput(seriesTitle: "Show", episodes: [e(1, 1)], tvdbID: 81189, imdbID: "tt0903747")
        #expect(namer("{Series Title} [{ImdbId}] S{season:00}E{episode:00}").baseName(for: input) == "Show [tt0903747] S01E01")
        #expect(namer("{Series Title} [{TvdbId}] S{season:00}E{episode:00}").baseName(for: input) == "Show [81189] S01E01")
    }

    @Test func unknownTokensRenderEmpty() {
        let input = EpisodeNameInput(seriesTitle: "Show", episodes: [e(1, 1)])
        #expect(namer("{Series Title} - S{season:00}E{episode:00} {MediaInfo VideoCodec}").baseName(for: input) == "Show - S01E01")
    }
}

@Suite("EpisodeNamer: length limit")
struct LengthLimitTests {
    static let prefix = "24 - S00E09 - "

    @Test(arguments: ["é", "👨‍👩‍👧", "a", "日"])
    func longTitleIsShortenedWithAnEllipsis(unit: String) {
        let input = EpisodeNameInput(
            seriesTitle: "24", episodes: [e(0, 9)],
            episodeTitles: [String(repeating: unit, count: 400)], quality: bluray1080)
        let name = namer().fileName(for: input, extension: "mkv") ?? "<no name>"
        #expect(name.utf8.count <= 255)
        #expect(name.utf8.count > 255 - unit.utf8.count - 4, "should not be shortened more than needed: \(name.utf8.count)")
        #expect(String(decoding: Array(name.utf8), as: UTF8.self) == name)
        #expect(!name.unicodeScalars.contains("\u{FFFD}"))
        #expect(name.hasPrefix(Self.prefix))
        #expect(name.hasSuffix("... Bluray-1080p.mkv"))
        let title = name.dropFirst(Self.prefix.count).dropLast("... Bluray-1080p.mkv".count)
        #expect(!title.isEmpty)
        // Only whole characters of the original title are left.
        #expect(title.allSatisfy { String($0) == unit })
    }

    @Test func longTitleAtTheEndOfTheFormatEndsWithEllipsis() {
        let n = namer("{Series Title} - S{season:00}E{episode:00} - {Episode Title}")
        let input = EpisodeNameInput(seriesTitle: "24", episodes: [e(0, 9)], episodeTitles: [String(repeating: "é", count: 300)])
        let name = n.fileName(for: input, extension: "mkv") ?? "<no name>"
        #expect(name.utf8.count <= 255)
        #expect(name.hasSuffix("é....mkv"))
        #expect(Paths.splitExtension(name) == ("24 - S00E09 - " + String(repeating: "é", count: 117) + "...", "mkv"))
        #expect(name.hasPrefix(Self.prefix))
    }

    @Test func shortTitleIsNotTouched() {
        let title = String(repeating: "é", count: 100)
        let input = EpisodeNameInput(seriesTitle: "24", episodes: [e(0, 9)], episodeTitles: [title], quality: bluray1080)
        #expect(namer().fileName(for: input, extension: "mkv") == "24 - S00E09 - \(title) Bluray-1080p.mkv")
    }

    @Test func exactLimitIsKept() {
        // 14 + title + 13 + 4 = 255
        let title = String(repeating: "a", count: 255 - 14 - 13 - 4)
        let input = EpisodeNameInput(seriesTitle: "24", episodes: [e(0, 9)], episodeTitles: [title], quality: bluray1080)
        let name = namer().fileName(for: input, extension: "mkv") ?? "<no name>"
        #expect(name == "24 - S00E09 - \(title) Bluray-1080p.mkv")
        #expect(name.utf8.count == 255)
    }

    @Test func smallerLimit() {
        let input = EpisodeNameInput(seriesTitle: "24", episodes: [e(0, 9)], episodeTitles: ["Redemption of the Long Title"], quality: bluray1080)
        let name = namer(maxBytes: 40).fileName(for: input, extension: "mkv") ?? "<no name>"
        #expect(name == "24 - S00E09 - Redemp... Bluray-1080p.mkv")
        #expect(name.utf8.count == 40)
    }

    @Test func multipleTitlesAreShortenedTogether() {
        let input = EpisodeNameInput(
            seriesTitle: "Show", episodes: [e(1, 1), e(1, 2)],
            episodeTitles: [String(repeating: "x", count: 200), String(repeating: "y", count: 200)])
        let name = namer().fileName(for: input, extension: "mkv") ?? "<no name>"
        #expect(name.utf8.count <= 255)
        #expect(name.hasPrefix("Show - S01E01-E02 - xxx"))
        #expect(name.contains("x + y"))
        #expect(name.hasSuffix("y....mkv"))
    }

    /// Too long even without a title: no name at all, rather than one cut through its episode code.
    @Test func nameThatCannotFitWithoutItsTitleIsNoName() {
        let input = EpisodeNameInput(seriesTitle: String(repeating: "ü", count: 300), episodes: [e(0, 9)], episodeTitles: ["T"])
        #expect(namer().fileName(for: input, extension: "mkv") == nil)
        let many = EpisodeNameInput(
            seriesTitle: String(repeating: "Long Series ", count: 12), episodes: (1...40).map { e(1, $0) },
            episodeTitles: ["Part"], quality: bluray1080)
        #expect(namer(style: .repeat).fileName(for: many, extension: "mkv") == nil)
        // Just short enough: kept whole.
        let fits = EpisodeNameInput(seriesTitle: String(repeating: "x", count: 255 - 9 - 4), episodes: [e(0, 9)])
        #expect(namer("{Series Title} - S{season:00}E{episode:00}").fileName(for: fits, extension: "mkv")?.utf8.count == 255)
    }
}

@Suite("EpisodeNamer: season folders")
struct SeasonFolderTests {
    @Test func defaultFormat() {
        let n = EpisodeNamer(scheme: NamingScheme())
        #expect(n.seasonFolder(season: 0, seriesTitle: "24") == "Season 00")
        #expect(n.seasonFolder(season: 3, seriesTitle: "24") == "Season 03")
        #expect(n.seasonFolder(season: 123, seriesTitle: "24") == "Season 123")
    }

    @Test func specialsFormat() {
        let n = EpisodeNamer(scheme: NamingScheme(specialsFolderFormat: "Specials"))
        #expect(n.seasonFolder(season: 0, seriesTitle: "24") == "Specials")
        #expect(n.seasonFolder(season: 1, seriesTitle: "24") == "Season 01")
    }

    @Test func otherFormats() {
        let n = EpisodeNamer(scheme: NamingScheme(seasonFolderFormat: "{Series Title}: Season {season}"))
        #expect(n.seasonFolder(season: 2, seriesTitle: "24") == "24 - Season 2")
        let plain = EpisodeNamer(scheme: NamingScheme(seasonFolderFormat: "S{season:00}"))
        #expect(plain.seasonFolder(season: 0, seriesTitle: "x") == "S00")
    }
}
