import Foundation
import UsherCore

/// A small sample library to try Usher on: movies, shows, a config and a mapping file.
public enum Demo {
    /// Creates what is missing of the demo in `folder` and returns the config path. Existing files
    /// are left as they are, so running the demo again shows that there is nothing to do.
    public static func prepare(in folder: String) throws -> String {
        let fm = FileManager.default
        let files: [(path: String, kilobytes: Int)] = [
            ("movies/24- Redemption (2008)/24- Redemption (2008) Bluray-1080p.mkv", 700),
            ("movies/Absolutely Fabulous- The Movie (2016)/Absolutely Fabulous- The Movie (2016) WEBDL-1080p.mp4", 500),
            ("movies/Cowboy Bebop- The Movie (2001)/Cowboy Bebop- The Movie (2001) Bluray-720p.mkv", 600),
            ("movies/Cowboy Bebop- The Movie (2001)/Featurettes/Making of.mkv", 90),
            ("movies/Cowboy Bebop- The Movie (2001)/sample.mkv", 40),
            ("movies/Serenity (2005)/Serenity (2005) Bluray-1080p.mkv", 800),
            ("movies/Heat (1995)/Heat (1995) Bluray-1080p.mkv", 300),
            ("tv/24/Season 01/24 - S01E01 - 12-00 A.M.-1-00 A.M. HDTV-720p.mkv", 200),
            ("tv/Absolutely Fabulous (1992)/Season 01/Absolutely Fabulous (1992) - S01E01 - Fashion DVD.avi", 150),
            ("tv/Cowboy Bebop (1998)/Season 01/Cowboy Bebop (1998) - S01E01 - Asteroid Blues Bluray-1080p.mkv", 250),
            ("tv/Firefly (2002)/Season 01/Firefly (2002) - S01E01 - Serenity Bluray-1080p.mkv", 250),
            ("tv/Chicago Fire (2012)/Season 03/Chicago Fire (2012) - S03E21 - Spartacus WEBDL-1080p.mkv", 220),
            ("tv/Chicago P.D. (2014)/Season 02/Chicago P.D. (2014) - S02E20 - The Number of Rats WEBDL-1080p.mkv", 210),
        ]
        var seed: UInt64 = 0x5eed
        for file in files {
            let path = Paths.join(folder, file.path)
            guard !fm.fileExists(atPath: path) else { continue }
            try fm.createDirectory(atPath: Paths.parent(path), withIntermediateDirectories: true)
            var bytes = [UInt8](repeating: 0, count: file.kilobytes * 1000)
            for i in bytes.indices {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                bytes[i] = UInt8(truncatingIfNeeded: seed >> 33)
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        let config = Paths.join(folder, "usher.yml")
        if !fm.fileExists(atPath: config) {
            try Data(
                """
                # Usher demo config: paths are relative to this file.
                library:
                  movies: [{path: movies, depth: 2}]
                  shows: [{path: tv, depth: 2}]
                link:
                  type: hardlink
                  mappings: links.yml
                  season_folder: "Season {season:00}"
                  episode_format: "{Series Title} - S{season:00}E{episode:00} - {Episode Title} {Quality Full}"
                  multi_episode_style: prefixed_range
                state: usher.db

                """.utf8
            ).write(to: URL(fileURLWithPath: config))
        }
        let links = Paths.join(folder, "links.yml")
        if !fm.fileExists(atPath: links) {
            try Data(
                """
                # Movies that are also episodes of a show. Edit, then run `usher link`.
                links:
                  - movie: "24: Redemption"
                    year: 2008
                    tmdb: 13989
                    show: "24"
                    tvdb: 76290
                    episodes: S00E09
                    title: Redemption
                  - movie: "Absolutely Fabulous: The Movie"
                    year: 2016
                    show: "Absolutely Fabulous"
                    episodes: S00E08
                    title: The Movie
                  - movie: "Cowboy Bebop: The Movie"
                    year: 2001
                    show: "Cowboy Bebop"
                    episodes: S00E01
                    title: "Knockin' on Heaven's Door"
                  - movie: Serenity
                    year: 2005
                    show: Firefly
                    episodes: S00E01
                    title: Serenity
                crossovers:
                  - from: {show: "Chicago Fire", episodes: S03E21}
                    to:   {show: "Chicago P.D.", episodes: S00E05, title: "Chicago Fire crossover"}

                """.utf8
            ).write(to: URL(fileURLWithPath: links))
        }
        return config
    }
}
