import Foundation
import Testing
import UsherCore

@testable import UsherKit

@Suite("Finding folders by the id tags in their names")
struct LibraryIndexTests {
    @Test func idTagsFindTheFirstTaggedFolderWhateverTheTitle() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("usher-index-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for folder in [
            "movies/Heat (1995)", "movies/Heat (1995) {tmdb-949}", "movies/Heat Again (1995) {tmdb-949}", "movies/Redemption (2008) {imdb-tt1102275}",
            "tv/24 (2001)", "tv/24 {tvdb-76290}",
        ] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        let index = LibraryIndex.scan(
            movies: [LibraryRoot(path: root + "/movies", depth: 2)], shows: [LibraryRoot(path: root + "/tv", depth: 2)], extensions: ["mkv"])
        let byTMDB = index.movieCandidates(MovieRef(title: "Something else", tmdb: 949)).map { Paths.lastComponent($0.path) }
        // Two folders carry the tag: the first in the index, as a walk of the folders would find it.
        let firstTagged = index.movies.first { $0.name.tmdb == 949 }.map { Paths.lastComponent($0.path) }
        #expect(byTMDB.count == 1 && byTMDB.first == firstTagged)
        #expect(index.movieCandidates(MovieRef(title: "x", imdb: "tt1102275")).map { Paths.lastComponent($0.path) } == ["Redemption (2008) {imdb-tt1102275}"])
        #expect(index.showCandidates(ShowRef(title: "Not 24", tvdb: 76290)).map { Paths.lastComponent($0.path) } == ["24 {tvdb-76290}"])
        // An id no folder carries falls back to the title.
        #expect(index.movieCandidates(MovieRef(title: "Heat", year: 1995, tmdb: 1)).count == 2)
    }
}
