import Foundation
import Testing
import UsherCore

@testable import UsherKit

/// A full link pass keeps only the movies its mappings can name while it reads Radarr's list; the smaller
/// catalog must answer every mapping exactly as the whole list would.
@Suite("Keeping only the movies the mappings can name")
struct MovieSieveTests {
    let movies: [RadarrMovie] = [
        RadarrMovie(id: 1, title: "Heat", year: 1995, tmdbId: 949, imdbId: "tt0113277"),
        RadarrMovie(id: 2, title: "Heat", year: 1986, tmdbId: 0, imdbId: ""),
        RadarrMovie(id: 3, title: "Heat!", year: 2013, tmdbId: 949),  // a second movie with the same TMDB id
        RadarrMovie(id: 4, title: "24: Redemption", year: 2008, tmdbId: 15035, imdbId: "TT1102275"),
        RadarrMovie(id: 5, title: "Tagged Film", year: 2001, tmdbId: 5, tags: [3]),
        RadarrMovie(id: 6, title: "Unrelated", year: 2001, tmdbId: 6),
        RadarrMovie(id: 7, title: "The Movie", year: 2000, tmdbId: 7),
        RadarrMovie(id: 8, title: "Movie, The", year: 2001, tmdbId: 8),
    ]
    let refs: [MovieRef] = [
        MovieRef(title: "Heat", tmdb: 949),
        MovieRef(title: "Heat", year: 1986),
        MovieRef(title: "Something Else", imdb: "tt1102275"),
        MovieRef(title: "The Movie", tmdb: 404),  // not in Radarr by id: found by title
        MovieRef(title: "Nowhere", tmdb: 405),
    ]

    func catalog(_ list: [RadarrMovie]) -> MovieCatalog {
        MovieCatalog(instances: ["main"], movies: list.map { $0.catalogMovie(instance: "main", PathTranslator([])) })
    }

    func describe(_ lookup: CatalogLookup<CatalogMovie>) -> String {
        switch lookup {
        case .found(let movie): return "found \(movie.id)"
        case .ambiguous(let list): return "ambiguous \(list.map(\.id).sorted())"
        case .absent(let why): return "absent \(why)"
        case .unknown(let why): return "unknown \(why)"
        }
    }

    @Test func theKeptMoviesAnswerAsTheWholeList() {
        for keepTagged in [false, true] {
            let sieve = MovieSieve(refs, keepTagged: keepTagged)
            let kept = movies.filter { sieve.keeps($0) }
            #expect(kept.count < movies.count)
            #expect(!kept.contains { $0.id == 6 })
            #expect(kept.contains { $0.id == 5 } == keepTagged)
            for ref in refs {
                #expect(describe(catalog(kept).find(ref, pin: nil)) == describe(catalog(movies).find(ref, pin: nil)), "\(ref)")
            }
        }
    }
}

@Suite("Keeping part of a list while reading it")
struct KeepingWhileReadingTests {
    @Test func bothReadersKeepTheSameElementsInOrderPartByPart() throws {
        let movies = (1...300).map { RadarrMovie(id: $0, title: "Film \($0)", year: 2000, tmdbId: $0) }
        let data = try JSONEncoder().encode(movies)
        let keep: @Sendable (RadarrMovie) -> Bool = { $0.id % 7 == 0 }
        let wanted = movies.filter(keep).map(\.id)
        // Small parts, so that the list is read in many parts on every core.
        let fast = ParallelJSON.fastArray(RadarrMovie.self, from: data, partBytes: 1000, keeping: { ($0 as? RadarrMovie).map(keep) ?? false })
        #expect(fast?.map(\.id) == wanted)
        #expect(try ParallelJSON.decodeArray(RadarrMovie.self, from: data, partBytes: 1000, keeping: keep).map(\.id) == wanted)
        #expect(try ServiceClient.decodeList(RadarrMovie.self, from: data, keeping: keep).map(\.id) == wanted)
        #expect(try ServiceClient.decodeList(RadarrMovie.self, from: data).count == 300)
    }
}
