import Testing
import UsherCore

@Suite("Finding a mapping's movie and series in Radarr and Sonarr")
struct CatalogLookupTests {
    let file = CatalogFile(id: 1, path: "/m/a.mkv")
    var movies: [CatalogMovie] {
        [
            CatalogMovie(instance: "main", id: 1, title: "24: Redemption", year: 2008, tmdb: 15035, imdb: "tt1102285", file: file),
            CatalogMovie(instance: "4k", id: 7, title: "24: Redemption", year: 2008, tmdb: 15035, file: CatalogFile(id: 2, path: "/m4k/a.mkv")),
            CatalogMovie(instance: "main", id: 2, title: "Heat", year: 1995, tmdb: 949, file: nil),
            CatalogMovie(instance: "4k", id: 8, title: "Heat", year: 1995, tmdb: 949, file: CatalogFile(id: 3, path: "/m4k/heat.mkv")),
            CatalogMovie(instance: "main", id: 3, title: "Dune", year: 1984, tmdb: 841, file: file),
            CatalogMovie(instance: "main", id: 4, title: "Dune", year: 2021, tmdb: 438631, file: file),
        ]
    }

    func id(_ lookup: CatalogLookup<CatalogMovie>) -> String {
        switch lookup {
        case .found(let m): "\(m.instance)#\(m.id)"
        case .absent: "absent"
        case .unknown: "unknown"
        case .ambiguous: "ambiguous"
        }
    }

    @Test func byIDsThenTitleAndYear() {
        let catalog = MovieCatalog(instances: ["main", "4k"], movies: movies)
        #expect(id(catalog.find(MovieRef(title: "whatever", tmdb: 15035), pin: nil)) == "main#1")
        #expect(id(catalog.find(MovieRef(title: "whatever", imdb: "TT1102285"), pin: nil)) == "main#1")
        #expect(id(catalog.find(MovieRef(title: "24 - Redemption", year: 2008), pin: nil)) == "main#1")
        #expect(id(catalog.find(MovieRef(title: "Dune", year: 2021), pin: nil)) == "main#4")
        #expect(id(catalog.find(MovieRef(title: "Dune"), pin: nil)) == "ambiguous")
        // A wrong tmdb id falls back to the title (the order: tmdb, then imdb, then title+year).
        #expect(id(catalog.find(MovieRef(title: "Heat", year: 1995, tmdb: 1), pin: nil)) == "4k#8")
    }

    @Test func instancesInConfigOrderPreferringOneWithAFile() {
        let catalog = MovieCatalog(instances: ["main", "4k"], movies: movies)
        // main has no file for Heat; 4k has.
        #expect(id(catalog.find(MovieRef(title: "Heat", tmdb: 949), pin: nil)) == "4k#8")
        #expect(id(catalog.find(MovieRef(title: "24: Redemption", tmdb: 15035), pin: "4k")) == "4k#7")
        #expect(id(catalog.find(MovieRef(title: "24: Redemption", tmdb: 15035), pin: "nope")) == "unknown")
    }

    @Test func absentOnlyWhenEveryAskedInstanceAnswered() {
        let answered = MovieCatalog(instances: ["main", "4k"], movies: movies)
        #expect(id(answered.find(MovieRef(title: "Alien", tmdb: 348), pin: nil)) == "absent")
        let halfAnswered = MovieCatalog(instances: ["main", "4k"], movies: movies.filter { $0.instance == "main" }, failures: ["4k": "503"])
        #expect(id(halfAnswered.find(MovieRef(title: "Alien", tmdb: 348), pin: nil)) == "unknown")
        // Found in the instance that answered: no need for the other.
        #expect(id(halfAnswered.find(MovieRef(title: "x", tmdb: 15035), pin: nil)) == "main#1")
        // Pinned to the instance that answered: absent is certain.
        #expect(id(halfAnswered.find(MovieRef(title: "Alien", tmdb: 348), pin: "main")) == "absent")
    }

    @Test func seriesByTVDBThenTitleWithOptionalYear() {
        let catalog = SeriesCatalog(
            instances: ["main", "anime"],
            series: [
                CatalogSeries(instance: "main", id: 1, title: "Doctor Who (2005)", year: 2005, tvdb: 78804, path: "/tv/dw"),
                CatalogSeries(instance: "main", id: 2, title: "Doctor Who", year: 1963, tvdb: 76107, path: "/tv/dw63"),
                CatalogSeries(instance: "anime", id: 9, title: "Cowboy Bebop", year: 1998, tvdb: 76885, path: "/anime/cb"),
            ])
        func key(_ lookup: CatalogLookup<CatalogSeries>) -> String {
            switch lookup {
            case .found(let s): "\(s.instance)#\(s.id)"
            case .absent: "absent"
            case .unknown: "unknown"
            case .ambiguous: "ambiguous"
            }
        }
        #expect(key(catalog.find(ShowRef(title: "x", tvdb: 76885), pin: nil)) == "anime#9")
        #expect(key(catalog.find(ShowRef(title: "Cowboy Bebop"), pin: nil)) == "anime#9")
        #expect(key(catalog.find(ShowRef(title: "Cowboy Bebop"), pin: "main")) == "absent")
        #expect(key(catalog.find(ShowRef(title: "Doctor Who (2005)"), pin: nil)) == "main#1")
        #expect(key(catalog.find(ShowRef(title: "Doctor Who (1963)"), pin: nil)) == "main#2")
        #expect(key(catalog.find(ShowRef(title: "Doctor Who"), pin: nil)) == "ambiguous")
    }
}
