import Testing
import UsherCore

private func e(_ season: Int, _ episode: Int) -> EpisodeNumber { EpisodeNumber(season: season, episode: episode) }

private func mapping(_ movie: String, year: Int, show: String, _ episodes: [EpisodeNumber], line: Int? = nil) -> LinkMapping {
    LinkMapping(
        source: .movie(MovieRef(title: movie, year: year)), show: ShowRef(title: show), episodes: episodes,
        location: line.map { UsherCore.SourceLocation(file: "mappings.yml", line: $0, column: 3) })
}

@Suite("MappingValidation")
struct MappingValidationTests {
    @Test func overlappingClaimsNameEachOther() {
        let a = mapping("Movie A", year: 2001, show: "Doctor Who", [e(0, 1), e(0, 2), e(0, 3)], line: 4)
        let b = mapping("Movie B", year: 2002, show: "doctor who!", [e(0, 2)], line: 9)
        let problems = MappingValidation.conflictingClaims([a, b])
        #expect(problems.count == 2)
        #expect(problems.map(\.mappingKey) == ["doctor who|S00E01-E03", "doctor who|S00E02"])
        #expect(problems[0].label == "Movie A (2001) → Doctor Who S00E01-E03 (mappings.yml:4:3)")
        #expect(problems[0].message == "claims doctor who! S00E02, which Movie B (2002) → doctor who! S00E02 (mappings.yml:9:3) also claims")
        #expect(problems[1].label == "Movie B (2002) → doctor who! S00E02 (mappings.yml:9:3)")
        #expect(problems[1].message == "claims doctor who! S00E02, which Movie A (2001) → Doctor Who S00E01-E03 (mappings.yml:4:3) also claims")
        #expect(problems[1].description == "\(problems[1].label): \(problems[1].message)")
    }

    @Test func differentShowsDoNotConflict() {
        let a = mapping("Movie A", year: 2001, show: "Doctor Who", [e(0, 1), e(0, 2)])
        let b = mapping("Movie B", year: 2002, show: "Torchwood", [e(0, 1), e(0, 2)])
        #expect(MappingValidation.conflictingClaims([a, b]).isEmpty)
    }

    @Test func differentEpisodesOrSeasonsDoNotConflict() {
        let a = mapping("Movie A", year: 2001, show: "Show", [e(0, 1), e(0, 2)])
        let b = mapping("Movie B", year: 2002, show: "Show", [e(0, 3)])
        let c = mapping("Movie C", year: 2003, show: "Show", [e(1, 1)])
        #expect(MappingValidation.conflictingClaims([a, b, c]).isEmpty)
        #expect(MappingValidation.conflictingClaims([]).isEmpty)
    }

    @Test func eachMappingIsReportedOnce() {
        let a = mapping("Movie A", year: 2001, show: "Show", [e(0, 1), e(0, 2)])
        let b = mapping("Movie B", year: 2002, show: "Show", [e(0, 1), e(0, 2)])
        let c = mapping("Movie C", year: 2003, show: "Show", [e(0, 2)])
        let problems = MappingValidation.conflictingClaims([a, b, c])
        #expect(problems.map(\.mappingKey) == ["show|S00E01E02", "show|S00E01E02", "show|S00E02"])
        #expect(Set(problems.map(\.label)).count == 3)
    }

    @Test func mappingKeyAndLabels() {
        let m = mapping("24: Redemption", year: 2008, show: "24", [e(0, 9)])
        #expect(m.key == "24|S00E09")
        #expect(m.label == "24: Redemption (2008) → 24 S00E09")
        #expect(m.labelWithLocation == m.label)
        let crossover = LinkMapping(
            source: .episode(show: ShowRef(title: "Arrow"), episodes: [e(3, 8)]), show: ShowRef(title: "The Flash"),
            episodes: [e(1, 8)], location: UsherCore.SourceLocation(file: "m.yml", line: 2, column: 1))
        #expect(crossover.key == "the flash|S01E08")
        #expect(crossover.labelWithLocation == "Arrow S03E08 → The Flash S01E08 (m.yml:2:1)")
        #expect(MovieRef(title: "Movie").label == "Movie")
    }

    @Test func episodesAreSortedSoKeysAreStable() {
        let a = LinkMapping(source: .movie(MovieRef(title: "M")), show: ShowRef(title: "S"), episodes: [e(0, 3), e(0, 1), e(0, 2)])
        #expect(a.episodes == [e(0, 1), e(0, 2), e(0, 3)])
        #expect(a.key == "s|S00E01-E03")
    }
}
