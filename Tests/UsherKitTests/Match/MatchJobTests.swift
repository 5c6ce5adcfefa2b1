import Foundation
import Logging
import Synchronization
import Testing
import UsherCore
import UsherFakes

@testable import UsherKit

/// A Radarr and a Sonarr with a few movies that are specials, and a few that only look like one.
final class MatchWorld: @unchecked Sendable {
    let lib: TestLibrary
    let radarr: FakeRadarr
    let sonarr: FakeSonarr
    var animeList: String
    var matchSettings = ""
    var now = Date()

    static let animeXML = """
        <?xml version="1.0" encoding="utf-8"?>
        <anime-list>
          <anime anidbid="219" tvdbid="76885" defaulttvdbseason="0" episodeoffset="" tmdbtv="30991" tmdbseason="0" tmdboffset="" tmdbid="" imdbid="tt0275277">
            <name>Cowboy Bebop: Tengoku no Tobira</name>
            <mapping-list>
              <mapping anidbseason="1" tvdbseason="0">;1-3;2-0;</mapping>
            </mapping-list>
          </anime>
        </anime-list>
        """

    init() async throws {
        lib = try TestLibrary()
        radarr = try await FakeRadarr.start()
        sonarr = try await FakeSonarr.start()
        animeList = lib.path("anime-list.xml")
        try Self.animeXML.write(toFile: animeList, atomically: true, encoding: .utf8)
        // Movies: two specials, a trap with the series' own name, an ordinary film, one already mapped.
        radarr.add(
            RadarrMovie(
                id: 1, title: "24: Redemption", year: 2008, path: "/movies/24 Redemption (2008)", tmdbId: 13989, imdbId: "tt1102275",
                originalTitle: "24: Redemption", alternateTitles: [RadarrAlternateTitle(title: "24 - Redemption", sourceType: "tmdb")], runtime: 102))
        radarr.add(
            RadarrMovie(
                id: 2, title: "Cowboy Bebop: The Movie", year: 2001, path: "/movies/Cowboy Bebop", tmdbId: 11299, imdbId: "tt0275277",
                originalTitle: "カウボーイビバップ 天国の扉", runtime: 115))
        radarr.add(RadarrMovie(id: 3, title: "Fargo", year: 1996, path: "/movies/Fargo (1996)", tmdbId: 275, imdbId: "tt0116282", runtime: 98))
        radarr.add(RadarrMovie(id: 4, title: "Inception", year: 2010, path: "/movies/Inception (2010)", tmdbId: 27205, runtime: 148))
        radarr.add(RadarrMovie(id: 5, title: "Psych: The Movie", year: 2017, path: "/movies/Psych", tmdbId: 473950, runtime: 88))
        radarr.add(RadarrMovie(id: 6, title: "Psych 2: Lassie Come Home", year: 2020, path: "/movies/Psych 2", tmdbId: 711475, runtime: 88))
        // Series: specials on TVDB numbering; one series without specials (never asked for episodes).
        sonarr.add(
            SonarrSeries(id: 10, title: "24", path: "/tv/24", tvdbId: 76290, year: 2001),
            episodes: [
                Self.special(100, 10, 9, "24: Redemption", "2008-11-23", 102), Self.special(101, 10, 10, "Day 7 Prequel", "2008-11-23", 10),
            ])
        sonarr.add(
            SonarrSeries(id: 11, title: "Cowboy Bebop", path: "/tv/Cowboy Bebop", tvdbId: 76885, year: 1998),
            episodes: [
                Self.special(110, 11, 1, "Session XX: Mish-Mash Blues", "1999-06-26", 25),
                Self.special(111, 11, 3, "Knockin' on Heaven's Door", "2001-09-01", 115),
            ])
        sonarr.add(
            SonarrSeries(id: 12, title: "Fargo", path: "/tv/Fargo", tvdbId: 269613, year: 2014),
            episodes: [
                Self.special(120, 12, 1, "Making of Fargo", "2014-04-15", 20)
            ])
        sonarr.add(
            SonarrSeries(id: 13, title: "Psych", path: "/tv/Psych", tvdbId: 79335, year: 2006),
            episodes: [
                Self.special(130, 13, 20, "Psych: The Movie", "2017-12-07", 88), Self.special(131, 13, 21, "Psych 2: Lassie Come Home", "2020-07-15", 88),
            ])
        sonarr.add(
            SonarrSeries(id: 14, title: "Dark", path: "/tv/Dark", tvdbId: 281670, year: 2017),
            episodes: [
                SonarrEpisode(
                    id: 140, seriesId: 14, episodeFileId: 0, seasonNumber: 1, episodeNumber: 1, title: "Secrets", hasFile: false, monitored: true,
                    airDate: "2017-12-01", runtime: 52)
            ])
    }

    static func special(_ id: Int, _ series: Int, _ number: Int, _ title: String, _ aired: String, _ runtime: Int) -> SonarrEpisode {
        SonarrEpisode(
            id: id, seriesId: series, episodeFileId: 0, seasonNumber: 0, episodeNumber: number, title: title, hasFile: false,
            monitored: false, airDate: aired, runtime: runtime)
    }

    func configure() throws {
        lib.extraTopConfig = """
            sonarr:
              main: {url: "\(sonarr.url)", api_key: \(sonarr.apiKey)}
            radarr:
              main: {url: "\(radarr.url)", api_key: \(radarr.apiKey)}
            api: {attempts: 1, timeout_seconds: 5}
            match:
              anime_list: "\(animeList)"
            \(matchSettings)
            """
        try lib.writeConfig()
    }

    func config() throws -> UsherConfig {
        try configure()
        return try UsherConfig.load(path: lib.path("usher.yml"), environment: [:])
    }

    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    func match(write: Bool = false) async throws -> MatchReport {
        try await MatchJob(config: config(), logger: Self.quiet).run(MatchOptions(write: write, now: now))
    }

    func review(dryRun: Bool = false) throws -> ReviewReport {
        try MatchJob(config: config(), logger: Self.quiet).review(dryRun: dryRun, now: now)
    }

    func stop() async {
        await radarr.stop()
        await sonarr.stop()
    }

    static func pairs(_ proposals: [MatchProposal]) -> [String] {
        proposals.map { "\($0.movie.title) → \($0.series.title) \(EpisodeSpec.format($0.episodes.map(\.number))) \($0.status.rawValue)" }
    }

    func read(_ relative: String) throws -> String { try String(contentsOfFile: lib.path(relative), encoding: .utf8) }
}

@Suite("usher match end to end against fake Radarr and Sonarr")
struct MatchJobTests {
    @Test func proposesWithEvidence() async throws {
        let world = try await MatchWorld()
        defer { Task { await world.stop() } }
        let report = try await world.match()
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(
            Set(MatchWorld.pairs(report.proposals)) == [
                "24: Redemption → 24 S00E09 auto",
                "Cowboy Bebop: The Movie → Cowboy Bebop S00E03 auto",
                "Psych: The Movie → Psych S00E20 auto",
                "Psych 2: Lassie Come Home → Psych S00E21 auto",
            ])
        let bebop = try #require(report.proposals.first { $0.movie.tmdb == 11299 })
        #expect(bebop.reasons.first?.hasPrefix("anime-lists: IMDb tt0275277 is AniDB 219") == true, "\(bebop.reasons)")
        #expect(bebop.confidence > 0.95)
        // Best first.
        #expect(report.proposals.map(\.confidence) == report.proposals.map(\.confidence).sorted(by: >))
        // Only series with specials were asked for episodes, and only for season 0.
        let episodeCalls = world.sonarr.requests.filter { $0.path == "/api/v3/episode" }
        #expect(episodeCalls.count == 4)
        #expect(episodeCalls.allSatisfy { $0.query("seasonNumber") == "0" })
        // Nothing written without --write.
        #expect(!world.lib.exists("links.yml") && !world.lib.exists("proposals.yml"))
    }

    @Test func jsonHasTheDocumentedShape() async throws {
        let world = try await MatchWorld()
        defer { Task { await world.stop() } }
        let report = try await world.match()
        let root = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let proposals = try #require(root["proposals"] as? [[String: Any]])
        let first = try #require(proposals.first)
        #expect(Set(first.keys) == ["movie", "series", "episodes", "confidence", "reasons", "status"])
        let movie = try #require(first["movie"] as? [String: Any])
        #expect(Set(["title", "year", "tmdbId", "radarr"]).isSubset(of: Set(movie.keys)))
        let series = try #require(first["series"] as? [String: Any])
        #expect(Set(series.keys) == ["title", "tvdbId", "sonarr"])
        let episode = try #require((first["episodes"] as? [[String: Any]])?.first)
        #expect(Set(episode.keys) == ["season", "episode", "title"])
        #expect(["auto", "review"].contains(first["status"] as? String))
        #expect(!report.json().contains(world.sonarr.apiKey) && !report.json().contains(world.radarr.apiKey))
    }

    @Test func skipsMappedMoviesAndClaimedEpisodes() async throws {
        let world = try await MatchWorld()
        defer { Task { await world.stop() } }
        try world.lib.writeMappings(
            """
            links:
              - movie: "24: Redemption"
                year: 2008
                show: "24"
                episodes: S00E09
              - movie: Some Other Film
                show: Psych
                episodes: S00E21
            """)
        let report = try await world.match()
        #expect(
            Set(MatchWorld.pairs(report.proposals)) == [
                "Cowboy Bebop: The Movie → Cowboy Bebop S00E03 auto",
                "Psych: The Movie → Psych S00E20 auto",
            ])
    }

    @Test func writeThenReviewRoundTrip() async throws {
        let world = try await MatchWorld()
        defer { Task { await world.stop() } }
        // Only ID evidence is sure enough here: everything else goes to review.
        world.matchSettings = "  auto_accept: 0.98"
        try world.lib.writeMappings(
            """
            # My links. This comment must survive.
            links:
            - movie: Unrelated
              show: Somewhere
              episodes: S00E01 # and this one
            crossovers: []
            """)
        let first = try await world.match(write: true)
        #expect(first.linksAdded == 1)
        let links = try world.read("links.yml")
        #expect(links.contains("# My links. This comment must survive.") && links.contains("# and this one"))
        #expect(links.contains("movie: \"Cowboy Bebop: The Movie\""))
        let mappings = try MappingFile.load(path: world.lib.path("links.yml"), environment: [:])
        #expect(mappings.count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: world.lib.path("archive")).count == 1)
        var entries = try ProposalsFile.load(path: world.lib.path("proposals.yml"))
        #expect(entries.count == 3)
        #expect(entries.allSatisfy { $0.accept == nil && !$0.reasons.isEmpty })

        // A person accepts 24, rejects Psych 2, leaves Psych undecided.
        for i in entries.indices {
            if entries[i].movie.title == "24: Redemption" { entries[i].accept = true }
            if entries[i].movie.title == "Psych 2: Lassie Come Home" { entries[i].accept = false }
        }
        try ProposalsFile.render(entries).write(toFile: world.lib.path("proposals.yml"), atomically: true, encoding: .utf8)
        let dry = try world.review(dryRun: true)
        #expect(dry.accepted.count == 1 && dry.rejected.count == 1)
        #expect(try MappingFile.load(path: world.lib.path("links.yml"), environment: [:]).count == 2, "a dry run changes nothing")
        let applied = try world.review()
        #expect(applied.accepted.map(\.movie.title) == ["24: Redemption"])
        #expect(applied.rejected.map(\.movie.title) == ["Psych 2: Lassie Come Home"])
        #expect(applied.undecided == 1)
        #expect(try MappingFile.load(path: world.lib.path("links.yml"), environment: [:]).count == 3)
        #expect(try ProposalsFile.load(path: world.lib.path("proposals.yml")).map(\.movie.title) == ["Psych: The Movie"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: world.lib.path("archive")).count == 3, "links.yml twice, proposals.yml once")
        let rejections = try Ledger(path: world.lib.path("state/usher.db")).rejections()
        #expect(rejections.map(\.target) == ["Psych S00E21"])

        // The next run proposes neither the accepted nor the rejected pair, and keeps the undecided one.
        let again = try await world.match(write: true)
        #expect(MatchWorld.pairs(again.proposals) == ["Psych: The Movie → Psych S00E20 review"])
        #expect(try ProposalsFile.load(path: world.lib.path("proposals.yml")).count == 1)
    }

    /// A Plex Linker entry that named the show but no episode becomes a hint; `usher match` proposes the
    /// episode, a person accepts it, and the mapping file keeps both the new link and its other hints.
    @Test func importedHintsAreProposedAndKept() async throws {
        let world = try await MatchWorld()
        defer { Task { await world.stop() } }
        world.radarr.add(RadarrMovie(id: 7, title: "6 Days to Air: The Making of South Park", year: 2011, path: "/movies/6 Days", tmdbId: 76360, runtime: 43))
        world.radarr.add(RadarrMovie(id: 8, title: "Christmas Time in South Park", year: 2000, path: "/movies/Christmas", tmdbId: 148039, runtime: 60))
        world.sonarr.add(
            SonarrSeries(id: 15, title: "South Park", path: "/tv/South Park", tvdbId: 75897, year: 1997),
            episodes: [
                MatchWorld.special(150, 15, 41, "Six Days to Air", "2011-10-09", 43), MatchWorld.special(151, 15, 42, "The Chef Experience", "2011-10-22", 22),
            ])
        try """
        6 Days to Air- The Making of South Park (2011):
          Movie DB ID: 76360
          Shows:
            South Park: null
        Christmas Time In South Park (2000):
          Movie DB ID: ''
          Shows:
            South Park: ''
        """.write(toFile: world.lib.path("collection.yml"), atomically: true, encoding: .utf8)
        let imported = try LegacyImportJob.run(file: world.lib.path("collection.yml"), output: world.lib.path("links.yml"), keep: 3)
        #expect(imported.result.hints.count == 2 && imported.result.mappings.isEmpty)

        world.matchSettings = "  auto_accept: 0.98"
        let report = try await world.match(write: true)
        let proposal = try #require(report.proposals.first { $0.movie.tmdb == 76360 })
        #expect(MatchWorld.pairs([proposal]) == ["6 Days to Air: The Making of South Park → South Park S00E41 review"])
        #expect(proposal.reasons.contains("the mapping file's hints say the movie is an episode of “South Park”"), "\(proposal.reasons)")
        var entries = try ProposalsFile.load(path: world.lib.path("proposals.yml"))
        for i in entries.indices where entries[i].movie.tmdb == 76360 { entries[i].accept = true }
        try ProposalsFile.render(entries).write(toFile: world.lib.path("proposals.yml"), atomically: true, encoding: .utf8)
        _ = try world.review()
        let document = try MappingFile.loadDocument(path: world.lib.path("links.yml"), environment: [:])
        #expect(
            document.mappings.map(\.label).contains("6 Days to Air: The Making of South Park (2011) → South Park S00E41"), "\(document.mappings.map(\.label))")
        #expect(document.hints.count == 2, "the hints stay until a person removes them")
        // A hinted movie that is now mapped is not proposed again.
        let again = try await world.match()
        #expect(!again.proposals.contains { $0.movie.tmdb == 76360 })
    }

    @Test func reviewRefusesTwoClaimsOnOneEpisode() async throws {
        let world = try await MatchWorld()
        defer { Task { await world.stop() } }
        try world.configure()
        let entry = ProposalEntry(
            accept: true, confidence: 0.8, movie: MovieRef(title: "Psych: The Movie", year: 2017, tmdb: 473950),
            show: ShowRef(title: "Psych", tvdb: 79335), episodes: [EpisodeNumber(season: 0, episode: 20)])
        var twin = entry
        twin.movie = MovieRef(title: "Psych 2: Lassie Come Home", year: 2020, tmdb: 711475)
        try ProposalsFile.render([entry, twin]).write(toFile: world.lib.path("proposals.yml"), atomically: true, encoding: .utf8)
        let report = try world.review()
        #expect(report.accepted.count == 1)
        #expect(report.conflicts.count == 1 && report.conflicts[0].contains("Psych 2: Lassie Come Home"))
        #expect(report.hasErrors)
        let left = try ProposalsFile.load(path: world.lib.path("proposals.yml"))
        #expect(left.map(\.movie.title) == ["Psych 2: Lassie Come Home"] && left[0].accept == true)
    }

    @Test func aServiceFailureWritesNothing() async throws {
        let world = try await MatchWorld()
        defer { Task { await world.stop() } }
        world.sonarr.failNext("/api/v3/episode", status: 500, count: 1)
        let report = try await world.match(write: true)
        #expect(report.hasErrors)
        #expect(report.errors.contains { $0.contains("episodes of") })
        #expect(!world.lib.exists("links.yml") && !world.lib.exists("proposals.yml"))
        #expect(report.warnings.contains { $0.contains("nothing was written") })
    }

    @Test func animeListDownloadFallsBackToTheKeptCopy() async throws {
        let world = try await MatchWorld()
        defer { Task { await world.stop() } }
        let failing = Atomic<Bool>(false)
        let server = try await FakeHTTPServer.start { _ in
            failing.load(ordering: .relaxed)
                ? FakeResponse(status: 503, body: Data("busy".utf8), contentType: "text/plain")
                : FakeResponse(status: 200, body: Data(MatchWorld.animeXML.utf8), contentType: "application/xml")
        }
        defer { Task { await server.stop() } }
        world.animeList = server.baseURL + "/anime-list-master.xml"
        world.matchSettings = "  anime_list_max_age: 1h"
        // 1. Downloaded and kept in the state folder.
        let first = try await world.match()
        #expect(first.warnings.isEmpty, "\(first.warnings)")
        #expect(first.animeList?.hasSuffix("(downloaded)") == true)
        #expect(world.lib.exists("state/anime-list-master.xml"))
        #expect(first.proposals.first { $0.movie.tmdb == 11299 }?.reasons.first?.hasPrefix("anime-lists") == true)
        // 2. Within the max age: the kept copy, no download.
        let requests = server.requests.count
        _ = try await world.match()
        #expect(server.requests.count == requests)
        // 3. Older than the max age and the download fails: the kept copy, with a warning.
        failing.store(true, ordering: .relaxed)
        world.now = Date().addingTimeInterval(2 * 3600)
        let third = try await world.match()
        #expect(server.requests.count > requests)
        #expect(
            third.warnings.contains { $0.contains("could not download the Anime-Lists mapping") && $0.contains("using the kept copy") }, "\(third.warnings)")
        #expect(third.proposals.first { $0.movie.tmdb == 11299 }?.reasons.first?.hasPrefix("anime-lists") == true)
        #expect(!third.hasErrors)
        // 4. No kept copy either: titles only, with a warning.
        try FileManager.default.removeItem(atPath: world.lib.path("state/anime-list-master.xml"))
        let fourth = try await world.match()
        #expect(fourth.warnings.contains { $0.contains("matching by titles only") })
        #expect(fourth.proposals.first { $0.movie.tmdb == 11299 }.map { !$0.reasons[0].hasPrefix("anime-lists") } ?? true)
    }

    @Test func configMistakesNameTheKey() throws {
        let lib = try TestLibrary()
        lib.extraTopConfig = """
            sonarr: {main: {url: "http://127.0.0.1:1", api_key: k}}
            radarr: {main: {url: "http://127.0.0.1:1", api_key: k}}
            match:
              auto_accept: 1.5
            """
        do {
            _ = try lib.config()
            Issue.record("auto_accept above 1 must be refused")
        } catch {
            #expect("\(error)".contains("usher.yml") && "\(error)".contains("auto_accept"), "\(error)")
        }
        lib.extraTopConfig = lib.extraTopConfig.replacingOccurrences(of: "auto_accept: 1.5", with: "anime_list_max_age: soon")
        #expect(throws: ConfigError.self) { try lib.config() }
    }
}
