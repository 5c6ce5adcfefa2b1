import Foundation

/// The command line of `usher-bench`, parsed by hand.
struct Options: Sendable {
    var movies = 50_000
    var shows = 5_000
    var episodes = 250_000
    var mappings = 2_000
    var dir: String?
    var usher: String?
    var runs = 3
    var seed: UInt64 = 42
    var keep = false
    var generateOnly = false
    var markdown = false
    var api = false
    /// `--serve`: after the API-mode passes, `usher serve` with webhooks (implies --api).
    var serve = false
    var webhooks = 500
    var burst = 1000
    var jobs = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))

    static let help = """
        usher-bench: times `usher link` on a generated library of sparse files.

        Usage:
          swift build -c release --product usher && swift build -c release --product usher-bench
          .build/release/usher-bench [options]

        (`swift build` keeps only the last --product it is given, so build the two separately, or run
        a plain `swift build -c release`.)

        Library size:
          --movies N          movie folders (default 50000)
          --shows N           show folders (default 5000)
          --episodes N        episode files in total over all shows (default 250000)
          --mappings N        movie-to-special links in links.yml (default 2000; at most --movies)
          --seed N            seed of the generator; the same seed gives the same library (default 42)

        Running:
          --dir PATH          where to build the library; must not exist or be empty
                              (default: a new folder under $TMPDIR or /tmp)
          --usher PATH        the usher binary (default: `usher` beside this executable)
          --runs N            no-change passes to time; the median is reported (default 3)
          --jobs N            threads for generating and deleting the library (default: cores, at most 8)
          --keep              keep the folder at the end
          --generate-only     build the library, print its folder and stop (implies --keep)
          --markdown          also print a Markdown section for BENCHMARKS.md
          --api               API mode: serve the same library from in-process fake Sonarr and Radarr
                              (UsherFakes) and let `usher link` resolve the mappings through them
          --serve             after the API-mode passes, run `usher serve`: Radarr upgrades mapped movies
                              and sends a webhook for each, one after the other (--webhooks N, default
                              500: time to links on disk, requests per run), then a burst (--burst N,
                              default 1000, over 5 s: all answered, every link follows); idle RSS and CPU
          -h, --help          this text

        Other modes:
          usher-bench match|eval …   the matcher (see `usher-bench match --help`)
          usher-bench web [--links N] [--runs N] [--usher PATH] [--keep]
                              the web page of `usher serve` over a state of N links (default 50000):
                              each page's median and slowest answer, logged in as a browser is

        Every pass runs `usher link --config DIR/usher.yml --json` as a child process: first once with
        --dry-run, then a first pass (which must create exactly --mappings links), then --runs passes that
        must change nothing. Wall time is monotonic; peak RSS is the child's ru_maxrss from wait4.
        Files are sparse (ftruncate), so the library takes inodes but almost no disk space.

        With --api, one fake Radarr (every movie, with its file) and one fake Sonarr (every show; all
        episodes and episode files of the mapped shows) run in this process on 127.0.0.1; the config
        names them and each mapping carries tmdb: and tvdb: ids. Every pass runs through a small
        launcher (this executable again), so the fakes' memory does not count in the child's peak RSS.
        Per pass it reports the requests the fakes received by endpoint, usher's CPU time and the CPU
        time the fakes spent; it checks that the dry run and every no-change pass send exactly the
        catalog requests (movies, series, naming) and one episode and one episode-file list per mapped
        show, and that the first pass also rescans every mapped show and that Sonarr registers every
        link. Afterwards it runs the first and a no-change pass again with `-v` (the links, the ledger
        and Sonarr reset in between) for usher's phase timings, and times the parts one by one: each
        kind of answer from the fakes alone, and decoding it with usher's models.
        """

    /// Parses the arguments (without the program name). Throws a message meant for the user.
    static func parse(_ arguments: [String]) throws(BenchError) -> Options? {
        var options = Options()
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            var name = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let eq = argument.firstIndex(of: "=") {
                name = String(argument[..<eq])
                inlineValue = String(argument[argument.index(after: eq)...])
            }
            func value() throws(BenchError) -> String {
                if let inlineValue { return inlineValue }
                guard let next = rest.popFirst() else { throw BenchError("\(name) needs a value") }
                return next
            }
            func count(min: Int) throws(BenchError) -> Int {
                let text = try value()
                guard let n = Int(text.replacingOccurrences(of: "_", with: "")), n >= min else {
                    throw BenchError("\(name) needs a whole number of at least \(min), not '\(text)'")
                }
                return n
            }
            func flag() throws(BenchError) {
                if inlineValue != nil { throw BenchError("\(name) takes no value") }
            }
            switch name {
            case "-h", "--help": return nil
            case "--movies": options.movies = try count(min: 1)
            case "--shows": options.shows = try count(min: 1)
            case "--episodes": options.episodes = try count(min: 0)
            case "--mappings": options.mappings = try count(min: 1)
            case "--runs": options.runs = try count(min: 1)
            case "--jobs": options.jobs = try count(min: 1)
            case "--seed": options.seed = UInt64(try count(min: 0))
            case "--dir": options.dir = try value()
            case "--usher": options.usher = try value()
            case "--keep": try flag(); options.keep = true
            case "--generate-only": try flag(); options.generateOnly = true; options.keep = true
            case "--markdown": try flag(); options.markdown = true
            case "--api": try flag(); options.api = true
            case "--serve": try flag(); options.serve = true; options.api = true
            case "--webhooks": options.webhooks = try count(min: 1)
            case "--burst": options.burst = try count(min: 0)
            default: throw BenchError("unknown option '\(argument)' (see --help)")
            }
        }
        if options.api, options.generateOnly {
            throw BenchError("--api cannot be combined with --generate-only: the fake Sonarr and Radarr live in this process")
        }
        if options.mappings > options.movies {
            throw BenchError("--mappings (\(options.mappings)) cannot exceed --movies (\(options.movies)): each link needs its own movie")
        }
        if options.movies > 9_999_999 || options.shows > 999_999 || options.episodes > 100_000_000 {
            throw BenchError("that library is larger than this generator supports")
        }
        return options
    }
}

/// A failure to report: a message for the user and, when it helps, the child's stderr.
struct BenchError: Error, CustomStringConvertible, Sendable {
    var description: String
    init(_ description: String) { self.description = description }
}
