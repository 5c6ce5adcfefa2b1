import Foundation
import UsherCore

#if canImport(Glibc)
    import Glibc
#endif

extension SplitMix64 {
    /// A generator for one item of one kind, independent of the order items are made in (so the
    /// library is the same whatever the number of threads).
    init(seed: UInt64, stream: UInt64, index: Int) {
        var mixer = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        self.init(seed: mixer.next() ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        _ = next()
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    mutating func int64(_ range: ClosedRange<Int64>) -> Int64 {
        range.lowerBound + Int64(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// A number in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
}

enum Words {
    static let adjectives = [
        "Crimson", "Silent", "Golden", "Broken", "Hidden", "Distant", "Frozen", "Burning", "Electric", "Hollow",
        "Iron", "Last", "Lonely", "Midnight", "Northern", "Painted", "Quiet", "Restless", "Scarlet", "Shattered",
        "Silver", "Stolen", "Sunken", "Twisted", "Wandering", "Wild", "Winter", "Velvet", "Savage", "Secret",
        "Endless", "Fallen", "Final", "Forgotten", "Glass", "Lost", "Neon", "Pale", "Paper", "Rising",
    ]
    static let nouns = [
        "Harbor", "Empire", "Horizon", "Kingdom", "Signal", "Garden", "Machine", "Voyage", "Shadow", "River",
        "Frontier", "Station", "Mirror", "Protocol", "Citadel", "Canyon", "Legacy", "Orchard", "Tide", "Summit",
        "Engine", "Lantern", "Compass", "Orbit", "Fortress", "Island", "Meridian", "Archive", "Reckoning", "Covenant",
        "Heist", "Outpost", "Rebellion", "Sanctuary", "Spiral", "Storm", "Tower", "Valley", "Witness", "Zero",
    ]
    static let extras = ["Behind the Scenes", "Making Of", "Deleted Scene", "Featurette", "Interview", "Trailer"]
}

private let gigabyte: Int64 = 1_000_000_000
private let megabyte: Int64 = 1_000_000

/// One movie folder: its name, files and sizes follow from the seed and its index alone.
struct MovieSpec {
    var title: String
    var year: Int
    var size: Int64
    var featurette: (name: String, size: Int64)?
    var sampleSize: Int64?

    var folder: String { "\(title) (\(year))" }
    var fileName: String { "\(folder) Bluray-1080p.mkv" }

    init(index: Int, seed: UInt64, width: Int) {
        var rng = SplitMix64(seed: seed, stream: 1, index: index)
        title = "Movie \(pad(index + 1, width)) \(rng.pick(Words.adjectives)) \(rng.pick(Words.nouns))"
        year = rng.int(1950...2025)
        size = rng.int64(1 * gigabyte...8 * gigabyte)
        if rng.unit() < 0.05 {
            featurette = ("\(rng.pick(Words.extras)).mkv", rng.int64(20 * megabyte...400 * megabyte))
        }
        if rng.unit() < 0.02 {
            sampleSize = rng.int64(20 * megabyte...150 * megabyte)
        }
    }
}

/// What a show's `Season 00` folder holds before Usher runs.
enum SpecialsFolder: Equatable {
    case none
    case empty
    /// Existing specials, numbered from `first` (after the numbers the mapping file gives out).
    case specials(count: Int)
}

struct ShowSpec {
    var title: String
    var year: Int
    /// Regular episodes per season; index 0 is Season 01.
    var seasons: [Int]
    var specials: SpecialsFolder
    /// How many special episode numbers (from S00E01) the mapping file gives this show.
    var mapped: Int = 0

    var folder: String { "\(title) (\(year))" }
}

/// One episode file of a show, as the generator makes it.
struct EpisodeFileSpec {
    var season: Int
    var episode: Int
    var title: String
    var fileName: String
    var size: Int64
}

/// One season folder of a show (`Season 00` for specials) and the files in it.
struct SeasonSpec {
    var number: Int
    var folder: String
    var files: [EpisodeFileSpec]
}

/// The whole library, decided before any file is made.
struct LibraryPlan {
    var options: Options
    var movieWidth: Int
    var shows: [ShowSpec]
    /// (movie index, show index, special episode number), in file order.
    var links: [(movie: Int, show: Int, episode: Int)]

    init(options: Options) {
        self.options = options
        movieWidth = max(5, String(options.movies).count)
        let showWidth = max(4, String(options.shows).count)
        var rng = SplitMix64(seed: options.seed, stream: 2, index: 0)

        // Shows: title, year, season count, a weight for their share of the episodes, and Season 00.
        var weights: [Double] = []
        var shows: [ShowSpec] = []
        var wantsSpecials: [Int] = []
        for i in 0..<options.shows {
            var showRNG = SplitMix64(seed: options.seed, stream: 3, index: i)
            let title = "Show \(pad(i + 1, showWidth)) \(showRNG.pick(Words.adjectives)) \(showRNG.pick(Words.nouns))"
            let seasonCount = showRNG.int(1...8)
            weights.append(0.25 + 1.5 * showRNG.unit())
            var specials = SpecialsFolder.none
            var wanted = 0
            if showRNG.unit() < 0.30 {
                if showRNG.unit() < 0.5 { specials = .empty } else { wanted = showRNG.int(1...3) }
            }
            wantsSpecials.append(wanted)
            shows.append(ShowSpec(title: title, year: showRNG.int(1960...2024), seasons: Array(repeating: 0, count: seasonCount), specials: specials))
        }

        // Episodes: each show gets a share of the total in proportion to its weight (the remainder goes
        // one by one to the first shows), then splits it over its seasons; a few go to Season 00.
        let total = weights.reduce(0, +)
        var shares = weights.map { Int(Double(options.episodes) * $0 / total) }
        var remainder = options.episodes - shares.reduce(0, +)
        var k = 0
        while remainder > 0 {
            shares[k % shares.count] += 1
            remainder -= 1
            k += 1
        }
        for i in shows.indices {
            var share = shares[i]
            if wantsSpecials[i] > 0 {
                let count = min(wantsSpecials[i], share)
                shows[i].specials = count > 0 ? .specials(count: count) : .empty
                share -= count
            }
            let seasonCount = shows[i].seasons.count
            for s in 0..<seasonCount {
                shows[i].seasons[s] = share / seasonCount + (s < share % seasonCount ? 1 : 0)
            }
        }

        // Links: distinct movies (a seeded partial shuffle) to specials of about mappings/4 shows spread
        // evenly over the list; each of those shows gets one, the rest are dealt at random, and each
        // show's specials are numbered S00E01, S00E02, ... in the order they are dealt.
        var movieIndices = Array(0..<options.movies)
        for i in 0..<options.mappings {
            movieIndices.swapAt(i, rng.int(i...(options.movies - 1)))
        }
        let targetCount = max(1, min(options.shows, options.mappings / 4))
        let targets = (0..<targetCount).map { $0 * options.shows / targetCount }
        var links: [(movie: Int, show: Int, episode: Int)] = []
        for i in 0..<options.mappings {
            let show = i < targetCount ? targets[i] : rng.pick(targets)
            shows[show].mapped += 1
            links.append((movieIndices[i], show, shows[show].mapped))
        }
        links.sort { $0.movie < $1.movie }
        self.shows = shows
        self.links = links
    }

    func movie(_ index: Int) -> MovieSpec { MovieSpec(index: index, seed: options.seed, width: movieWidth) }

    /// The season folders of a show in the order they are made, with their episode files. Titles and
    /// sizes follow from the seed and the show's index alone (the generator and the fake Sonarr of
    /// `--api` both use this, so they agree file by file).
    static func seasons(of show: ShowSpec, index: Int, seed: UInt64) -> [SeasonSpec] {
        var rng = SplitMix64(seed: seed, stream: 4, index: index)
        func season(_ number: Int, episodes: some Sequence<Int>) -> SeasonSpec {
            var files: [EpisodeFileSpec] = []
            for episode in episodes {
                let title = "\(rng.pick(Words.adjectives)) \(rng.pick(Words.nouns))"
                let file = "\(show.title) - S\(pad(number, 2))E\(pad(episode, 2)) - \(title) WEBDL-1080p.mkv"
                let size = rng.int64(300 * megabyte...2 * gigabyte)
                files.append(EpisodeFileSpec(season: number, episode: episode, title: title, fileName: file, size: size))
            }
            return SeasonSpec(number: number, folder: "Season \(pad(number, 2))", files: files)
        }
        var result: [SeasonSpec] = []
        switch show.specials {
        case .none: break
        case .empty: result.append(season(0, episodes: []))
        case .specials(let count): result.append(season(0, episodes: (show.mapped + 1)...(show.mapped + count)))
        }
        for (i, count) in show.seasons.enumerated() {
            result.append(season(i + 1, episodes: stride(from: 1, through: count, by: 1)))
        }
        return result
    }

    /// The path of a movie's main file, relative to the library folder.
    func moviePath(_ index: Int) -> String {
        let movie = movie(index)
        return "movies/\(movie.folder)/\(movie.fileName)"
    }

    var mappingFile: String { mappingFile(withIDs: false) }

    /// The mapping file; with ids (`--api`) each entry also carries the movie's `tmdb:` and the show's
    /// `tvdb:`, as the fake Radarr and Sonarr know them.
    func mappingFile(withIDs ids: Bool) -> String {
        func quote(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        var out = "# Generated by usher-bench (seed \(options.seed)): \(links.count) movies linked as specials.\nlinks:\n"
        if links.isEmpty { return out.replacingOccurrences(of: "links:\n", with: "links: []\n") }
        out.reserveCapacity(links.count * 190)
        for link in links {
            let movie = movie(link.movie)
            out += "  - movie: \(quote(movie.title))\n"
            out += "    year: \(movie.year)\n"
            if ids { out += "    tmdb: \(Self.tmdbID(movie: link.movie))\n" }
            out += "    show: \(quote(shows[link.show].title))\n"
            if ids { out += "    tvdb: \(Self.tvdbID(show: link.show))\n" }
            out += "    episodes: S00E\(pad(link.episode, 2))\n"
            out += "    title: \(quote(movie.title))\n"
        }
        return out
    }

    /// Ids of the fake Radarr and Sonarr (`--api`): TMDB and TVDB ids, and the apps' own ids.
    static func tmdbID(movie: Int) -> Int { 100_000 + movie }
    static func tvdbID(show: Int) -> Int { 700_000 + show }
    static func radarrID(movie: Int) -> Int { movie + 1 }
    static func sonarrID(show: Int) -> Int { show + 1 }

    /// The config; with `services` (`--api`) it also names one Sonarr and one Radarr instance.
    func configFile(root: String, services: ServiceEndpoints? = nil) -> String {
        func quote(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        var text = """
            # Generated by usher-bench.
            library:
              movies: [{path: \(quote(root + "/movies")), depth: 2}]
              shows: [{path: \(quote(root + "/tv")), depth: 2}]
            link:
              type: hardlink
              mappings: links.yml
            state: usher.db

            """
        if let services {
            text += """
                sonarr:
                  main: {url: \(quote(services.sonarrURL)), api_key: \(quote(services.sonarrKey))}
                radarr:
                  main: {url: \(quote(services.radarrURL)), api_key: \(quote(services.radarrKey))}

                """
        }
        return text
    }
}

/// What the generator made.
struct GenerationStats {
    var folders = 0
    var files = 0
    var apparentBytes: Int64 = 0
    var seconds = 0.0
}

private final class StatsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stats = GenerationStats()
    func add(folders: Int, files: Int, bytes: Int64) {
        lock.lock()
        stats.folders += folders
        stats.files += files
        stats.apparentBytes += bytes
        lock.unlock()
    }
    var value: GenerationStats {
        lock.lock()
        defer { lock.unlock() }
        return stats
    }
}

enum Generator {
    /// Builds the library inside the folder `root`, which must exist and be empty.
    static func generate(_ plan: LibraryPlan, root: String, jobs: Int) throws(BenchError) -> GenerationStats {
        let start = Posix.now()
        let rootFD = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if rootFD < 0 { throw BenchError("cannot open \(root): \(Posix.errorText())") }
        defer { close(rootFD) }
        let moviesFD = try Posix.makeDirectory(at: rootFD, "movies", context: root)
        defer { close(moviesFD) }
        let tvFD = try Posix.makeDirectory(at: rootFD, "tv", context: root)
        defer { close(tvFD) }
        let box = StatsBox()
        box.add(folders: 2, files: 0, bytes: 0)

        let moviesPath = root + "/movies"
        let seed = plan.options.seed
        let width = plan.movieWidth
        let movieCount = plan.options.movies
        let movieChunk = 200
        try parallelFor(count: (movieCount + movieChunk - 1) / movieChunk, jobs: jobs) { chunk throws(BenchError) in
            var folders = 0, files = 0
            var bytes: Int64 = 0
            for index in (chunk * movieChunk)..<min(movieCount, (chunk + 1) * movieChunk) {
                let movie = MovieSpec(index: index, seed: seed, width: width)
                let folder = movie.folder
                let fd = try Posix.makeDirectory(at: moviesFD, folder, context: moviesPath)
                defer { close(fd) }
                folders += 1
                try Posix.makeSparseFile(at: fd, movie.fileName, size: movie.size, context: moviesPath + "/" + folder)
                files += 1
                bytes += movie.size
                if let extra = movie.featurette {
                    let extrasFD = try Posix.makeDirectory(at: fd, "Featurettes", context: moviesPath + "/" + folder)
                    defer { close(extrasFD) }
                    try Posix.makeSparseFile(at: extrasFD, extra.name, size: extra.size, context: moviesPath + "/" + folder + "/Featurettes")
                    folders += 1
                    files += 1
                    bytes += extra.size
                }
                if let size = movie.sampleSize {
                    try Posix.makeSparseFile(at: fd, "sample.mkv", size: size, context: moviesPath + "/" + folder)
                    files += 1
                    bytes += size
                }
            }
            box.add(folders: folders, files: files, bytes: bytes)
        }

        let tvPath = root + "/tv"
        let shows = plan.shows
        try parallelFor(count: shows.count, jobs: jobs) { index throws(BenchError) in
            let show = shows[index]
            var folders = 1, files = 0
            var bytes: Int64 = 0
            let showFD = try Posix.makeDirectory(at: tvFD, show.folder, context: tvPath)
            defer { close(showFD) }
            let showPath = tvPath + "/" + show.folder
            for season in LibraryPlan.seasons(of: show, index: index, seed: seed) {
                let fd = try Posix.makeDirectory(at: showFD, season.folder, context: showPath)
                defer { close(fd) }
                folders += 1
                for episode in season.files {
                    try Posix.makeSparseFile(at: fd, episode.fileName, size: episode.size, context: showPath + "/" + season.folder)
                    files += 1
                    bytes += episode.size
                }
            }
            box.add(folders: folders, files: files, bytes: bytes)
        }

        try Posix.writeFile(root + "/links.yml", plan.mappingFile)
        try Posix.writeFile(root + "/usher.yml", plan.configFile(root: root))
        var stats = box.value
        stats.files += 2
        stats.seconds = Posix.now() - start
        return stats
    }
}

func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
