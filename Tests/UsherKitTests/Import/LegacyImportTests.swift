import Foundation
import Testing
import UsherCore

@testable import UsherKit

/// What one collection entry must become.
enum LegacyExpectation: Sendable, CustomStringConvertible {
    /// A mapping, as `MappingFile` renders it (its `- movie:` line first).
    case mapping(String)
    /// A hint for this show, and the reason given.
    case hint(show: String, reason: String)
    /// Left out, with a reason containing this text.
    case skip(String)
    /// Nothing to import, with a reason containing this text.
    case ignored(String)

    var description: String {
        switch self {
        case .mapping(let text): "mapping \(text)"
        case .hint(let show, _): "hint for \(show)"
        case .skip(let why): "skip: \(why)"
        case .ignored(let why): "ignored: \(why)"
        }
    }
}

private func importText(_ yaml: String, file: String = "collection.yml") -> (LegacyImport.Result, LegacyImportFile.Contents) {
    let contents = LegacyImportFile.read(yaml, path: file)
    return (LegacyImport.convert(contents.movies), contents)
}

private func unplaced(_ document: MappingDocument) -> MappingDocument {
    MappingDocument(
        mappings: document.mappings.map {
            var m = $0; m.location = nil; return m
        },
        hints: document.hints.map {
            var h = $0; h.location = nil; return h
        })
}

@Suite("Plex Linker import: the shapes real collection files have")
struct LegacyImportShapeTests {
    static let cases: [(String, String, LegacyExpectation)] = [
        (
            "2019 full entry: quoted numbers, Parsed Show Title, ids",
            """
            24- Redemption (2008):
              Absolute Movie File Path: /media/video/movies/thrillers/24- Redemption (2008)/24-
                Redemption (2008) Bluray-1080p.mkv
              Has File: true
              Movie DB ID: 13989
              Shows:
                '24':
                  Anime: false
                  Episode: '9'
                  Episode ID: '7014'
                  Parsed Episode: 09
                  Parsed Show Title: tv/staging/24/Season 00/24 - S00E09 - Redemption
                  Season: '00'
                  Show Genres: [Action, Drama]
                  tvdbId: 76290
              Unparsed Title: '24: Redemption'
              Year: 2008
            """,
            .mapping(
                """
                  - movie: "24: Redemption"
                    year: 2008
                    tmdb: 13989
                    show: "24"
                    tvdb: 76290
                    episodes: S00E09
                    title: "Redemption"

                """)
        ),
        (
            "2022 form: Parsed Episode Title, episode list, no season",
            """
            Cowboy Bebop- The Movie (2001):
              Movie DB ID: 11299
              Shows:
                Cowboy Bebop:
                  Episode: [1]
                  Episode ID: 9000
                  seriesId: 30
                  Parsed Episode Title: anime/Cowboy Bebop/Season 00/Cowboy Bebop - S00E001 - Knockin' on Heaven's Door
            """,
            .mapping(
                """
                  - movie: "Cowboy Bebop: The Movie"
                    year: 2001
                    tmdb: 11299
                    show: "Cowboy Bebop"
                    episodes: S00E01
                    title: "Knockin' on Heaven's Door"

                """)
        ),
        (
            "a show listed with no details at all",
            """
            6 Days to Air- The Making of South Park (2011):
              Movie DB ID: 76360
              Shows:
                South Park: null
            """, .hint(show: "South Park", reason: "no episode given for South Park")
        ),
        (
            "a show listed as ''",
            """
            Christmas Time In South Park (2000):
              Movie DB ID: 148039
              Shows:
                South Park: ''
            """, .hint(show: "South Park", reason: "no episode given for South Park")
        ),
        (
            "Movie DB ID '' (the year from the folder)",
            """
            Heat (1995):
              Movie DB ID: ''
              Shows:
                Show: {Season: 0, Episode: 4}
            """,
            .mapping(
                """
                  - movie: "Heat"
                    year: 1995
                    show: "Show"
                    episodes: S00E04

                """)
        ),
        (
            "Year 0 and a title ending in (0), with a TMDB id",
            """
            Top Gear- Top Ground Gear Force (0):
              Movie DB ID: 554
              Year: 0
              Shows:
                Top Gear: {Season: '00', Episode: '12'}
            """,
            .mapping(
                """
                  - movie: "Top Gear: Top Ground Gear Force"
                    tmdb: 554
                    show: "Top Gear"
                    episodes: S00E12

                """)
        ),
        (
            "a year no film has is left out of the mapping, not passed on (links[57].year)",
            """
            Old Film (1700):
              Movie DB ID: 42
              Year: 1700
              Shows:
                Show: {Season: 0, Episode: 3}
            """,
            .mapping(
                """
                  - movie: "Old Film (1700)"
                    tmdb: 42
                    show: "Show"
                    episodes: S00E03

                """)
        ),
        (
            "(0) title, no TMDB id, no year",
            """
            Naruto (0):
              Movie DB ID: ''
              Year: 0
              Shows:
                Naruto: {Season: '00', Episode: 1}
            """, .skip("no TMDB id and no year")
        ),
        (
            "Has File: false is still a mapping",
            """
            Comedian (2002):
              Has File: false
              Movie DB ID: 19973
              Shows:
                Seinfeld: {Season: 0, Episode: 7}
            """,
            .mapping(
                """
                  - movie: "Comedian"
                    year: 2002
                    tmdb: 19973
                    show: "Seinfeld"
                    episodes: S00E07

                """)
        ),
        (
            "Shows: null",
            """
            Serenity (2005):
              Movie DB ID: 16320
              Shows: null
            """, .ignored("Shows: is empty")
        ),
        (
            "Shows: ''",
            """
            Serenity (2005):
              Movie DB ID: 16320
              Shows: ''
            """, .ignored("Shows: is empty")
        ),
        (
            "Shows: {}",
            """
            Serenity (2005):
              Movie DB ID: 16320
              Shows: {}
            """, .ignored("Shows: is empty")
        ),
        (
            "no Shows: at all",
            """
            Serenity (2005):
              Movie DB ID: 16320
            """, .ignored("no Shows: listed")
        ),
        (
            "Shows: a plain string naming the show",
            """
            Serenity (2005):
              Movie DB ID: 16320
              Shows: Firefly
            """, .hint(show: "Firefly", reason: "no episode given for Firefly")
        ),
        (
            "a movie with no details",
            """
            Serenity (2005):
            """, .ignored("no details and no shows listed")
        ),
        (
            "a value that is not a movie",
            """
            movies_root: /var/data/media/video/movies
            """, .ignored("not a movie entry")
        ),
        (
            "a nested episode list (a film in two parts)",
            """
            Fate/stay night- Heaven's Feel (2017):
              Movie DB ID: 390043
              Shows:
                Fate/stay night: {Season: '00', Episode: [[3, 4]]}
            """,
            .mapping(
                """
                  - movie: "Fate/stay night: Heaven's Feel"
                    year: 2017
                    tmdb: 390043
                    show: "Fate/stay night"
                    episodes: S00E03E04

                """)
        ),
        (
            "Season '' is season 0, as the script assumed",
            """
            Movie (2010):
              Movie DB ID: 7
              Shows:
                Show: {Season: '', Episode: ['5']}
            """,
            .mapping(
                """
                  - movie: "Movie"
                    year: 2010
                    tmdb: 7
                    show: "Show"
                    episodes: S00E05

                """)
        ),
        (
            "Season -1",
            """
            Movie (2010):
              Movie DB ID: 7
              Shows:
                Show: {Season: "-1", Episode: 7}
            """, .skip("Season -1 is not a season number")
        ),
        (
            "Episode -3",
            """
            Movie (2010):
              Movie DB ID: 7
              Shows:
                Show: {Season: 1, Episode: -3}
            """, .skip("Episode -3 is not an episode number")
        ),
        (
            "Episode that is not a number",
            """
            Movie (2010):
              Movie DB ID: 7
              Shows:
                Show: {Season: 0, Episode: special}
            """, .skip("Episode 'special' is not a number")
        ),
        (
            "Episode 0, the script's unknown",
            """
            Absolutely Fabulous- The Last Shout (1996):
              Movie DB ID: 247309
              Shows:
                Absolutely Fabulous: {Season: '00', Episode: 0, Episode ID: 0}
            """, .hint(show: "Absolutely Fabulous", reason: "no episode given for Absolutely Fabulous")
        ),
        (
            "Episode ''",
            """
            Movie (2010):
              Movie DB ID: 7
              Shows:
                Show: {Season: '00', Episode: ''}
            """, .hint(show: "Show", reason: "no episode given for Show")
        ),
        (
            "tvdbId '' and an empty Parsed Episode Title",
            """
            Movie (2010):
              Movie DB ID: 7
              Shows:
                Show: {Season: 0, Episode: 2, tvdbId: '', Parsed Episode Title: ''}
            """,
            .mapping(
                """
                  - movie: "Movie"
                    year: 2010
                    tmdb: 7
                    show: "Show"
                    episodes: S00E02

                """)
        ),
        (
            "a parsed title for another episode is not used",
            """
            Movie (2010):
              Movie DB ID: 7
              Shows:
                Show: {Season: 0, Episode: 43, Parsed Show Title: 'tv/Show/Season 00/Show - S00E41 - Some Other Special'}
            """,
            .mapping(
                """
                  - movie: "Movie"
                    year: 2010
                    tmdb: 7
                    show: "Show"
                    episodes: S00E43

                """)
        ),
        (
            "a parsed title that is the show's name is not used; a year after one is dropped",
            """
            Movie (2010):
              Movie DB ID: 7
              Shows:
                '24': {Season: 0, Episode: 9, Parsed Show Title: 'tv/24/Season 00/24 - S00E09 - 24'}
                Show: {Season: 0, Episode: 9, Parsed Show Title: 'Show - S00E09 - The Special (2010)'}
            """,
            .mapping(
                """
                  - movie: "Movie"
                    year: 2010
                    tmdb: 7
                    show: "24"
                    episodes: S00E09
                  - movie: "Movie"
                    year: 2010
                    tmdb: 7
                    show: "Show"
                    episodes: S00E09
                    title: "The Special"

                """)
        ),
        (
            "Unparsed Title is used only when it is the folder's title",
            """
            Blue Exorcist- Kyoto Saga- Spy Game (2017):
              Movie DB ID: 470228
              Unparsed Title: 'Ao no Exorcist: Kyoto Fujouou-hen'
              Shows:
                Blue Exorcist: {Season: 0, Episode: 14}
            """,
            .mapping(
                """
                  - movie: "Blue Exorcist: Kyoto Saga: Spy Game"
                    year: 2017
                    tmdb: 470228
                    show: "Blue Exorcist"
                    episodes: S00E14

                """)
        ),
        (
            "a !cmd tag is data, never run",
            """
            Movie (2010):
              Movie DB ID: 7
              Shows:
                Show:
                  Season: 0
                  Episode: 2
                  Parsed Episode Title: !cmd "touch usher-legacy-cmd-ran"
            """, .skip("Parsed Episode Title is a value with the YAML tag !cmd")
        ),
        (
            "a !secret tag on an id is not looked up",
            """
            Movie (2010):
              Movie DB ID: !secret tmdb
              Shows:
                Show: {Season: 0, Episode: 2}
            """, .skip("Movie DB ID is a value with the YAML tag !secret")
        ),
        (
            "an alias to an anchored list is followed once",
            """
            First (2001):
              Movie DB ID: 1
              Shows:
                Show: {Season: 0, Episode: &eps [5, 6]}
            Second (2002):
              Movie DB ID: 2
              Shows:
                Other: {Season: 0, Episode: *eps}
            """,
            .mapping(
                """
                  - movie: "First"
                    year: 2001
                    tmdb: 1
                    show: "Show"
                    episodes: S00E05E06
                  - movie: "Second"
                    year: 2002
                    tmdb: 2
                    show: "Other"
                    episodes: S00E05E06

                """)
        ),
        (
            "a show entry that refers to itself (as PyYAML writes it)",
            """
            24- Redemption (2008):
              Movie DB ID: 13989
              Shows:
                '24': &id001
                  Episode: [9]
                  Season: '00'
                  Show Dictionary Object: *id001
            """,
            .mapping(
                """
                  - movie: "24: Redemption"
                    year: 2008
                    tmdb: 13989
                    show: "24"
                    episodes: S00E09

                """)
        ),
        (
            "a movie listed twice",
            """
            Movie (2010):
              Movie DB ID: 7
              Shows:
                Show: {Season: 0, Episode: 2}
            Movie (2010):
              Movie DB ID: 7
              Shows:
                Show: {Season: 0, Episode: 3}
            """, .skip("the movie is listed twice; the first entry (line 1) is used")
        ),
    ]

    @Test(arguments: cases)
    func shape(name: String, yaml: String, expected: LegacyExpectation) throws {
        let (result, contents) = importText(yaml)
        #expect(contents.error == nil, "\(name)")
        let rendered = MappingFile.render(result.document)
        switch expected {
        case .mapping(let entries):
            #expect(rendered.contains("links:\n" + entries), "\(name):\n\(rendered)")
            if name.contains("1700") { #expect(result.notes.map(\.reason) == ["Year 1700 is not a film's year; left out"]) }
            #expect(result.hints.isEmpty && result.ignored.isEmpty, "\(name)")
            if !name.contains("twice") { #expect(result.skipped.isEmpty, "\(name): \(result.skipped)") }
        case .hint(let show, let reason):
            #expect(result.mappings.isEmpty, "\(name)")
            #expect(result.hints.map(\.show.title) == [show], "\(name)")
            #expect(result.hinted.map(\.reason) == [reason], "\(name)")
            #expect(rendered.contains("hints:\n  - movie: "), "\(name):\n\(rendered)")
        case .skip(let why):
            #expect(result.skipped.contains { $0.reason.contains(why) }, "\(name): \(result.skipped)")
            // A skip names the file and the line of the entry.
            #expect(result.skipped.allSatisfy { $0.description.hasPrefix("collection.yml:") }, "\(name)")
        case .ignored(let why):
            #expect(result.mappings.isEmpty && result.hints.isEmpty && result.skipped.isEmpty, "\(name)")
            #expect(result.ignored.contains { $0.reason.contains(why) }, "\(name): \(result.ignored)")
        }
        // Whatever was converted reads back as it was written.
        let reloaded = try MappingFile.loadDocument(text: rendered, path: "links.yml", environment: [:])
        #expect(unplaced(reloaded) == unplaced(result.document), "\(name)")
        #expect(MappingFile.render(reloaded) == rendered, "\(name)")
    }

    @Test func aCommandInTheFileIsNeverRun() throws {
        let lib = try TestLibrary()
        let marker = lib.path("ran")
        try """
        Movie (2010):
          Movie DB ID: 7
          Shows:
            Show:
              Season: !cmd "touch \(marker)"
              Episode: !file /etc/hostname
              Parsed Episode Title: !env_var HOME
        """.write(toFile: lib.path("collection.yml"), atomically: true, encoding: .utf8)
        let report = try LegacyImportJob.run(file: lib.path("collection.yml"), output: lib.path("links.yml"), keep: 3)
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(report.result.skipped.count == 1)
        #expect(report.result.skipped[0].reason.contains("YAML tag !cmd"), "\(report.result.skipped)")
        #expect(report.result.skipped[0].location?.line == 4)
    }

    @Test func aSkipNamesTheLineOfItsShow() {
        let (result, _) = importText(
            """
            Movie (2010):
              Movie DB ID: 7
              Shows:
                Good: {Season: 0, Episode: 1}
                Bad: {Season: 0, Episode: -3}
            """)
        #expect(result.mappings.count == 1)
        #expect(result.skipped.map(\.description) == ["collection.yml:5: Movie (2010) → Bad: Episode -3 is not an episode number"])
    }
}

@Suite("Plex Linker import: damaged files and the output file")
struct LegacyImportFileTests {
    static let threeMovies = """
        A (2001):
          Movie DB ID: 1
          Shows:
            Show A: {Season: 0, Episode: 1}
        B (2002):
          Movie DB ID: 2
          Shows:
            Show B: {Season: 0, Episode: 2}
        C (2003):
          Movie DB ID: 3
          Shows:
            Show C:
              Season: 0
              Episode:
              - 3
              - 4
        """

    @Test func aTruncatedFileKeepsTheEntriesBeforeTheCut() {
        // Cut in the middle of C's episode list: A and B are complete, C is not.
        let text = String(Self.threeMovies.prefix(while: { $0 != "-" })) + "- 3\n      Par"
        let (result, contents) = importText(text)
        #expect(contents.error != nil)
        #expect(contents.cutOff?.entry == "C (2003)")
        #expect(result.mappings.map(\.show.title) == ["Show A", "Show B"])
    }

    @Test func aMergeConflictInTheMiddle() {
        // The damage starts right after B: B may be incomplete, so it is left out (and named) too.
        let text = Self.threeMovies.replacingOccurrences(of: "C (2003):\n", with: "<<<<<<< HEAD\nC (2003):\n")
        let (result, contents) = importText(text)
        #expect(contents.error?.line == 10, "\(String(describing: contents.error))")
        #expect(contents.error?.description.hasPrefix("collection.yml:10:") == true)
        #expect(contents.cutOff?.entry == "B (2002)")
        #expect(contents.cutOff?.location?.line == 5)
        #expect(result.mappings.map(\.show.title) == ["Show A"])
    }

    @Test func aFileThatIsNotACollectionIsAnErrorAndWritesNothing() throws {
        let lib = try TestLibrary()
        for (text, message) in [("- just\n- a list\n", "expected a mapping of movie folder names"), ("A (2001): [unclosed\n", "not valid YAML")] {
            try text.write(toFile: lib.path("collection.yml"), atomically: true, encoding: .utf8)
            #expect(throws: ConfigError.self) {
                _ = try LegacyImportJob.run(file: lib.path("collection.yml"), output: lib.path("links.yml"), keep: 3)
            }
            do {
                _ = try LegacyImportJob.run(file: lib.path("collection.yml"), output: lib.path("links.yml"), keep: 3)
            } catch {
                #expect(error.description.contains(message), "\(error)")
            }
            #expect(!FileManager.default.fileExists(atPath: lib.path("links.yml")))
        }
    }

    @Test(arguments: ["", "# only a comment\n", "Serenity (2005):\n  Shows: null\n", "Naruto (0):\n  Shows:\n    Naruto: {Episode: 1}\n"])
    func anImportThatConvertsNothingLeavesTheOutputAlone(text: String) throws {
        let lib = try TestLibrary()
        let existing = "links:\n  - {movie: Kept, year: 2000, show: Show, episodes: S00E01}\n"
        try existing.write(toFile: lib.path("links.yml"), atomically: true, encoding: .utf8)
        try text.write(toFile: lib.path("collection.yml"), atomically: true, encoding: .utf8)
        let report = try LegacyImportJob.run(file: lib.path("collection.yml"), output: lib.path("links.yml"), keep: 3)
        #expect(!report.written)
        #expect(report.leftSomethingOut)
        #expect(report.text().contains("Nothing was written"))
        #expect(try String(contentsOfFile: lib.path("links.yml"), encoding: .utf8) == existing)
        #expect(!FileManager.default.fileExists(atPath: lib.path("archive")))
    }

    @Test func anExistingOutputIsArchivedAndTheResultLoads() throws {
        let lib = try TestLibrary()
        try "links: []\n".write(toFile: lib.path("links.yml"), atomically: true, encoding: .utf8)
        try (Self.threeMovies + "\nD (2004):\n  Movie DB ID: 4\n  Shows:\n    Show D: null\n")
            .write(toFile: lib.path("collection.yml"), atomically: true, encoding: .utf8)
        let report = try LegacyImportJob.run(file: lib.path("collection.yml"), output: lib.path("links.yml"), keep: 3)
        #expect(report.written && !report.leftSomethingOut)
        #expect(report.archived != nil)
        let document = try MappingFile.loadDocument(path: lib.path("links.yml"), environment: [:])
        #expect(document.mappings.count == 3)
        #expect(document.hints.map(\.show.title) == ["Show D"])
        #expect(document.mappings.last?.episodes == [EpisodeNumber(season: 0, episode: 3), EpisodeNumber(season: 0, episode: 4)])
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let text = "A (2001):\n  Movie DB ID: 1\n  Shows:\n    Show A: {Season: 0, Episode: 1}\nB (2002): " + deep + "\n"
        let (result, contents) = importText(text)
        #expect(contents.error?.message.contains("nested more than") == true, "\(String(describing: contents.error))")
        #expect(contents.cutOff?.entry == "B (2002)")
        #expect(result.mappings.map(\.show.title) == ["Show A"])
        #expect(throws: ConfigError.self) { _ = try MappingFile.loadDocument(text: "links: " + deep, path: "links.yml", environment: [:]) }
    }

    @Test func aFileThatRefersToOneBigEntryOverAndOverStopsReading() {
        // Five hundred shows, anchored once and named by three thousand movies: 1.5 million shows to read
        // from a 150 kB file. Reading stops at a budget of values read (twice the file's bytes).
        var text = "First (2001):\n  Movie DB ID: 1\n  Shows: &shows\n"
        for i in 0..<500 { text += "    Show \(i): {Season: 0, Episode: \(i + 1)}\n" }
        for i in 0..<3000 { text += "Movie \(i) (2002):\n  Movie DB ID: \(i + 2)\n  Shows: *shows\n" }
        let contents = LegacyImportFile.read(text, path: "collection.yml")
        #expect(contents.error?.message.contains("refers to the same entries too many times") == true, "\(String(describing: contents.error))")
        #expect(contents.cutOff != nil)
        let shows = contents.movies.reduce(0) { $0 + $1.shows.count }
        #expect(contents.movies.count > 1 && contents.movies.count < 3001)
        #expect(shows <= text.utf8.count * 2)
    }

    @Test func anAliasBombIsNotExpanded() throws {
        // Nine levels of nine: 387 million values if expanded. As data, each alias is followed one step.
        var bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 { bomb += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n" }
        let text =
            bomb + """
                Movie (2010):
                  Movie DB ID: 7
                  Shows:
                    Show: {Season: 0, Episode: *a9, Show Dictionary Object: *a9}
                    Other: *a9
                """
        let (result, contents) = importText(text)
        #expect(contents.error == nil)
        #expect(result.skipped.map(\.reason) == ["Episode is an alias (*a8) to a value that is not complete or not plain"], "\(result.skipped)")
        #expect(result.hints.map(\.show.title) == ["Other"])
        #expect(result.ignored.count == 10)
        // In a configured file an alias is refused outright.
        #expect(throws: ConfigError.self) { _ = try MappingFile.loadDocument(text: bomb, path: "links.yml", environment: [:]) }
    }
}
