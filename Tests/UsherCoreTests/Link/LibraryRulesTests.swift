import Testing
import UsherCore

@Suite("LibraryRules")
struct LibraryRulesTests {
    @Test func mainFileIsTheLargestNonExtra() {
        let files: [(path: String, size: Int64)] = [
            ("/m/Movie (2008)/Movie (2008)-trailer.mkv", 9_000),
            ("/m/Movie (2008)/sample.mkv", 8_000),
            ("/m/Movie (2008)/Movie.2008.1080p-sample.mkv", 7_000),
            ("/m/Movie (2008)/Movie (2008) Sample.mkv", 7_500),
            ("/m/Movie (2008)/Movie (2008) Bluray-1080p.mkv", 5_000),
            ("/m/Movie (2008)/Movie (2008) Part 2.mkv", 4_000),
        ]
        let main = LibraryRules.mainFile(files)
        #expect(main?.path == "/m/Movie (2008)/Movie (2008) Bluray-1080p.mkv")
        #expect(main?.size == 5_000)
    }

    @Test func mainFileTieGoesToFirstName() {
        let files: [(path: String, size: Int64)] = [("/m/b.mkv", 10), ("/m/a.mkv", 10), ("/m/c.mkv", 9)]
        #expect(LibraryRules.mainFile(files)?.path == "/m/a.mkv")
        #expect(LibraryRules.mainFile(files.reversed())?.path == "/m/a.mkv")
    }

    @Test func mainFileOfNothing() {
        #expect(LibraryRules.mainFile([]) == nil)
        #expect(LibraryRules.mainFile([("/m/x-trailer.mkv", 10), ("/m/sample.mkv", 5)]) == nil)
    }

    @Test(arguments: [
        ("Movie-trailer.mkv", true),
        ("Movie-TRAILER.mkv", true),
        ("Movie-featurette.mp4", true),
        ("Movie-behindthescenes.mkv", true),
        ("Movie-deleted.mkv", true),
        ("sample.mkv", true),
        ("Movie.Sample.mkv", true),
        ("Movie (2008).mkv", false),
        ("Samples of Life (2008).mkv", false),
        ("Trailer Park Boys (2008).mkv", false),
    ])
    func extras(fileName: String, expected: Bool) {
        #expect(LibraryRules.isExtra(fileName: fileName) == expected)
    }

    @Test func extrasFolders() {
        #expect(LibraryRules.isExtrasFolder("Featurettes"))
        #expect(LibraryRules.isExtrasFolder("Behind The Scenes"))
        #expect(LibraryRules.isExtrasFolder("extras"))
        #expect(!LibraryRules.isExtrasFolder("Season 01"))
    }

    @Test func videos() {
        let ext: Set<String> = ["mkv", "mp4"]
        #expect(LibraryRules.isVideo("Movie.mkv", extensions: ext))
        #expect(LibraryRules.isVideo("Movie.MKV", extensions: ext))
        #expect(!LibraryRules.isVideo("Movie.srt", extensions: ext))
        #expect(!LibraryRules.isVideo("._Movie.mkv", extensions: ext))
        #expect(!LibraryRules.isVideo("mkv", extensions: ext))
    }

    @Test(arguments: [
        ("Season 1", 1 as Int?),
        ("Season 01", 1),
        ("season 12", 12),
        ("Season03", 3),
        ("Season 0", 0),
        ("Season 00", 0),
        ("Specials", 0),
        ("special", 0),
        ("S03", 3),
        ("s3", 3),
        ("Extras", nil),
        ("Season", nil),
        ("Season One", nil),
        ("Shorts", nil),
        ("Season 12345", nil),
        ("Featurettes", nil),
        ("", nil),
    ])
    func seasonOfFolder(name: String, expected: Int?) {
        #expect(LibraryRules.season(ofFolder: name) == expected)
    }

    @Test func seasonFolderReusesExisting() {
        #expect(LibraryRules.seasonFolder(season: 0, existing: ["Season 01", "Specials"], configured: "Season 00") == "Specials")
        #expect(LibraryRules.seasonFolder(season: 0, existing: ["Season 0", "Season 1"], configured: "Season 00") == "Season 0")
        #expect(LibraryRules.seasonFolder(season: 1, existing: ["Season 1", "Specials"], configured: "Season 01") == "Season 1")
    }

    @Test func seasonFolderPrefersConfigured() {
        #expect(LibraryRules.seasonFolder(season: 0, existing: ["Specials", "Season 00"], configured: "Season 00") == "Season 00")
    }

    @Test func seasonFolderFallsBackToConfigured() {
        #expect(LibraryRules.seasonFolder(season: 0, existing: ["Season 01", "Extras"], configured: "Season 00") == "Season 00")
        #expect(LibraryRules.seasonFolder(season: 2, existing: [], configured: "Season 02") == "Season 02")
    }
}
