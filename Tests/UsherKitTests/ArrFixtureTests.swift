import Foundation
import Testing
import UsherCore
@testable import UsherKit

// Sonarr/Radarr models against REAL captured responses (../shared/contracts/fixtures), and the OpenAPI
// checker against the real specs (../shared/contracts/specs). Suites that need ../shared are skipped,
// with the reason, when it is missing.

private enum Fixture {
    static let pyarrSonarr = "pyarr/tests/fixtures/sonarr/"
    static let pyarrRadarr = "pyarr/tests/fixtures/radarr/"
    static let haSonarr = "home-assistant/tests/components/sonarr/fixtures/"
    static let haRadarr = "home-assistant/tests/components/radarr/fixtures/"

    static func decode<T: Decodable>(_ type: T.Type, _ path: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Contracts.fixture(path))
    }
}

/// The real specs, parsed once.
private enum Specs {
    static let sonarr4019 = Result { try OpenAPIContract(specAt: Contracts.spec("sonarr/sonarr-v3-openapi.v4.0.19.2979.json")) }
    static let sonarr400 = Result { try OpenAPIContract(specAt: Contracts.spec("sonarr/sonarr-v3-openapi.v4.0.0.748.json")) }
    static let radarr603 = Result { try OpenAPIContract(specAt: Contracts.spec("radarr/radarr-v3-openapi.v6.0.3.10276.json")) }
    static let radarr475 = Result { try OpenAPIContract(specAt: Contracts.spec("radarr/radarr-v3-openapi.v4.7.5.7809.json")) }
}

private func decodeJSON<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(json.utf8))
}

private func jsonObject(_ json: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
}

private func encoded(_ value: some Encodable) throws -> Any {
    try JSONSerialization.jsonObject(with: JSONEncoder().encode(value), options: [.fragmentsAllowed])
}

struct ArrFixtureTests {

    // MARK: - Real captured responses

    @Suite(.enabled(if: Contracts.isAvailable, Contracts.missingComment))
    struct Captured {

        // MARK: Sonarr series

        @Test func homeAssistantSeriesIsV3ShapedAndDecodes() throws {
            let series = try Fixture.decode([SonarrSeries].self, Fixture.haSonarr + "series.json")
            try #require(series.count == 1)
            let andy = series[0]
            #expect(andy.id == 105)
            #expect(andy.title == "The Andy Griffith Show")
            #expect(andy.path == "F:\\The Andy Griffith Show")
            #expect(andy.tvdbId == 77754)
            #expect(andy.tvMazeId == 3853)
            #expect(andy.imdbId == "tt0053479")
            #expect(andy.tmdbId == nil)  // v3: no tmdbId
            #expect(andy.year == 1960)
            #expect(andy.seriesType == "standard")
            #expect(andy.monitored == true)
            #expect(andy.seasonFolder == true)
            #expect(andy.tags == [])
            #expect(andy.rootFolderPath == nil)
        }

        @Test func pyarrSeriesDecode() throws {
            let one = try Fixture.decode(SonarrSeries.self, Fixture.pyarrSonarr + "series.json")
            #expect(one.id == 0)
            #expect(one.title == "string")
            #expect(one.rootFolderPath == "string")
            #expect(one.tags == [0])
            #expect(one.tvdbId == 0)
            #expect(one.seriesType == "string")  // placeholder, kept as text
            let all = try Fixture.decode([SonarrSeries].self, Fixture.pyarrSonarr + "series_all.json")
            #expect(all.count == 2)
            #expect(all.allSatisfy { $0.title == "string" && $0.path == "string" })
        }

        // MARK: Sonarr episodes

        @Test func homeAssistantEpisodesDecode() throws {
            let episodes = try Fixture.decode([SonarrEpisode].self, Fixture.haSonarr + "episodes.json")
            #expect(episodes.map(\.id) == [1001, 1002, 1003])
            #expect(episodes.allSatisfy { $0.seriesId == 105 })
            #expect(episodes.map(\.episodeFileId) == [0, 5001, 0])
            #expect(episodes.map(\.hasFile) == [false, true, false])
            #expect(episodes.map(\.tvdbId) == [123456, 123457, 123458])
            #expect(episodes[1].title == "The Manhunt")
            #expect(episodes[1].seasonNumber == 1 && episodes[1].episodeNumber == 2)
            #expect(episodes[2].seasonNumber == 2 && episodes[2].episodeNumber == 1)
            #expect(episodes[2].airDate == "1961-10-02")
            #expect(episodes.allSatisfy { $0.absoluteEpisodeNumber == nil && $0.episodeFile == nil })
        }

        @Test func pyarrEpisodeWithV3EpisodeFileDecodes() throws {
            let episode = try Fixture.decode(SonarrEpisode.self, Fixture.pyarrSonarr + "episode.json")
            #expect(episode.id == 0 && episode.seriesId == 0)
            #expect(episode.title == "string")
            #expect(episode.airDate == "2009-09-17")
            #expect(episode.absoluteEpisodeNumber == 0)
            #expect(episode.hasFile == true && episode.monitored == true)
            let file = try #require(episode.episodeFile)
            // v3 sends one `language` object; it becomes `languages`.
            #expect(file.languages == [ArrLanguage(id: 0, name: "string")])
            #expect(file.quality?.quality?.resolution == 0)
            #expect(file.quality?.revision?.version == 0)

            let list = try Fixture.decode([SonarrEpisode].self, Fixture.pyarrSonarr + "episode_series.json")
            #expect(list.map(\.tvdbId) == [1234567, 1234568])
            #expect(list.map(\.episodeFileId) == [1, 2])
            #expect(list.map(\.absoluteEpisodeNumber) == [1, 1])
        }

        // MARK: Sonarr episode files

        @Test func pyarrEpisodeFilesDecode() throws {
            let files = try Fixture.decode([SonarrEpisodeFile].self, Fixture.pyarrSonarr + "episodefile_series.json")
            #expect(files.map(\.id) == [1, 2])
            let file = files[0]
            #expect(file.seriesId == 1 && file.seasonNumber == 1)
            #expect(file.relativePath == "file.mkv")
            #expect(file.path == "/tv/folder/file.mkv")
            #expect(file.size == 1_844_044_894)
            #expect(file.quality?.quality?.name == "HDTV-720p")
            #expect(file.quality?.quality?.source == "television")
            #expect(file.quality?.quality?.resolution == 720)
            #expect(file.quality?.revision == ArrQuality.Revision(version: 1, real: 0, isRepack: false))
            #expect(file.quality?.usherQuality == Quality(title: "HDTV-720p"))
            #expect(file.languages == [ArrLanguage(id: 1, name: "English")])
            #expect(file.sceneName == nil && file.releaseGroup == nil)

            let single = try Fixture.decode(SonarrEpisodeFile.self, Fixture.pyarrSonarr + "episodefile.json")
            #expect(single.id == 0)
            #expect(single.releaseGroup == "string")
            #expect(single.quality?.quality?.name == "string")
        }

        // MARK: Sonarr naming, tags, commands, status

        @Test func pyarrNamingConfigDecodesAndBuildsAScheme() throws {
            let naming = try Fixture.decode(SonarrNamingConfig.self, Fixture.pyarrSonarr + "config_naming.json")
            #expect(naming.renameEpisodes == true)
            #expect(naming.replaceIllegalCharacters == true)
            #expect(naming.multiEpisodeStyle == 0)
            #expect(naming.usherMultiEpisodeStyle == .extend)
            #expect(naming.colonReplacementFormat == nil)  // v3 had none
            #expect(naming.standardEpisodeFormat == "{Series Title} - S{season:00}E{episode:00} - {Episode Title} {Quality Full}")
            #expect(naming.dailyEpisodeFormat == "{Series Title} - {Air-Date} - {Episode Title} {Quality Full}")
            #expect(naming.seriesFolderFormat == "{Series Title}")
            #expect(naming.seasonFolderFormat == "Season {season}")
            #expect(naming.specialsFolderFormat == "Specials")

            let scheme = naming.namingScheme(seriesType: "standard")
            #expect(scheme.episodeFormat == "{Series Title} - S{season:00}E{episode:00} - {Episode Title} {Quality Full}")
            #expect(scheme.seasonFolderFormat == "Season {season}")
            #expect(scheme.specialsFolderFormat == "Specials")
            #expect(scheme.multiEpisodeStyle == .extend)
            #expect(scheme.colonReplacement == NamingScheme().colonReplacement)  // not sent: Usher's default
            #expect(scheme.replaceIllegalCharacters == true)
        }

        @Test func pyarrTagsDecode() throws {
            #expect(try Fixture.decode(ArrTag.self, Fixture.pyarrSonarr + "tag.json") == ArrTag(id: 2, label: "megusta"))
            #expect(try Fixture.decode([ArrTag].self, Fixture.pyarrSonarr + "tag_all.json") == [ArrTag(id: 1, label: "string")])
        }

        @Test func pyarrCommandsDecode() throws {
            let command = try Fixture.decode(ArrCommand.self, Fixture.pyarrSonarr + "command.json")
            #expect(command.id == 4_327_826)
            #expect(command.name == "RefreshMonitoredDownloads")
            #expect(command.commandName == "Refresh Monitored Downloads")
            #expect(command.status == "completed")
            #expect(command.result == nil)  // Sonarr 3.0.8 sent no result
            #expect(command.message == nil)
            #expect(command.isFinished && command.succeeded)

            let all = try Fixture.decode([ArrCommand].self, Fixture.pyarrSonarr + "command_all.json")
            #expect(all.count == 11)
            #expect(all.allSatisfy { $0.status == "completed" && $0.message == "Completed" })
            #expect(all.first?.id == 4_327_826)
            #expect(all.last == ArrCommand(id: 4_327_832, name: "MessagingCleanup", commandName: "Messaging Cleanup",
                                           status: "completed", message: "Completed"))
            #expect(Set(all.compactMap(\.name)) == ["RefreshMonitoredDownloads", "ProcessMonitoredDownloads", "MessagingCleanup"])
        }

        @Test func pyarrSystemStatusDecodes() throws {
            let status = try Fixture.decode(ArrSystemStatus.self, Fixture.pyarrSonarr + "system_status.json")
            #expect(status.appName == "Sonarr")
            #expect(status.version == "3.0.8.1507")
            #expect(status.majorVersion == 3)
            #expect(status.urlBase == "")
            #expect(status.instanceName == nil)
            #expect(status.branch == "main")
        }

        // MARK: Radarr

        @Test func homeAssistantMoviesDecode() throws {
            let movies = try Fixture.decode([RadarrMovie].self, Fixture.haRadarr + "movies.json")
            try #require(movies.count == 2)
            let matrix = movies[0]
            #expect(matrix.id == 1)
            #expect(matrix.title == "The Matrix")
            #expect(matrix.year == 1999)
            #expect(matrix.path == "/movies/The Matrix (1999)")
            #expect(matrix.tmdbId == 603)
            #expect(matrix.imdbId == "tt0133093")
            #expect(matrix.hasFile == true)
            #expect(matrix.sizeOnDisk == 8_589_934_592)  // above Int32
            #expect(matrix.movieFile == nil)
            #expect(movies[1].title == "Inception")
            #expect(movies[1].tmdbId == 27205)
            #expect(movies[1].hasFile == false && movies[1].sizeOnDisk == 0)
        }

        @Test func pyarrMovieWithItsFileDecodes() throws {
            let movie = try Fixture.decode(RadarrMovie.self, Fixture.pyarrRadarr + "movie.json")
            #expect(movie.id == 1)
            #expect(movie.year == 2014)
            #expect(movie.tmdbId == 123456 && movie.imdbId == "tt123456")
            #expect(movie.sizeOnDisk == 10_501_793_191)
            #expect(movie.folderName == "string")
            #expect(movie.monitored == false && movie.hasFile == true)
            #expect(movie.tags == [])
            let file = try #require(movie.movieFile)
            #expect(file.id == 12 && file.movieId == 1)
            #expect(file.size == 10_501_793_191)
            #expect(file.quality?.quality == ArrQuality.QualityInfo(id: 9, name: "HDTV-1080p", source: "tv", resolution: 1080, modifier: "none"))
            #expect(file.quality?.usherQuality == Quality(title: "HDTV-1080p"))
            #expect(file.languages == [ArrLanguage(id: 1, name: "English")])
            #expect(file.edition == "")

            let all = try Fixture.decode([RadarrMovie].self, Fixture.pyarrRadarr + "movie_all.json")
            #expect(all.count == 1 && all[0].movieFile?.id == 12)
        }

        @Test func pyarrMovieFilesDecode() throws {
            let file = try Fixture.decode(RadarrMovieFile.self, Fixture.pyarrRadarr + "moviefile.json")
            #expect(file.id == 102)
            #expect(file.movieId == 17)
            #expect(file.size == 5_536_497_109)
            #expect(file.quality?.quality?.name == "WEBDL-1080p")
            #expect(file.quality?.quality?.source == "webdl")
            #expect(file.quality?.usherQuality == Quality(title: "WEBDL-1080p"))
            #expect(file.sceneName == "string" && file.releaseGroup == "string")
            let files = try Fixture.decode([RadarrMovieFile].self, Fixture.pyarrRadarr + "moviefiles.json")
            #expect(files.map(\.id) == [1, 2])
            #expect(files.allSatisfy { $0.movieId == 17 && $0.size == 5_536_497_109 })
        }

        // MARK: Round trips

        @Test func everyFixtureSurvivesAnEncodeDecodeRoundTrip() throws {
            func roundTrip<T: Codable & Equatable>(_ type: T.Type, _ path: String) throws {
                let value = try Fixture.decode(T.self, path)
                let again = try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
                #expect(again == value, "\(path)")
            }
            try roundTrip([SonarrSeries].self, Fixture.haSonarr + "series.json")
            try roundTrip(SonarrSeries.self, Fixture.pyarrSonarr + "series.json")
            try roundTrip([SonarrEpisode].self, Fixture.haSonarr + "episodes.json")
            try roundTrip(SonarrEpisode.self, Fixture.pyarrSonarr + "episode.json")
            try roundTrip([SonarrEpisodeFile].self, Fixture.pyarrSonarr + "episodefile_series.json")
            try roundTrip(SonarrNamingConfig.self, Fixture.pyarrSonarr + "config_naming.json")
            try roundTrip([ArrTag].self, Fixture.pyarrSonarr + "tag_all.json")
            try roundTrip([ArrCommand].self, Fixture.pyarrSonarr + "command_all.json")
            try roundTrip(ArrSystemStatus.self, Fixture.pyarrSonarr + "system_status.json")
            try roundTrip([RadarrMovie].self, Fixture.haRadarr + "movies.json")
            try roundTrip(RadarrMovie.self, Fixture.pyarrRadarr + "movie.json")
            try roundTrip([RadarrMovieFile].self, Fixture.pyarrRadarr + "moviefiles.json")
        }

        /// What Usher encodes (for fakes and PUTs) is the current shape: it validates against the newest specs,
        /// even when decoded from a v3-shaped capture (`language` becomes `languages`).
        @Test func encodedModelsMatchTheCurrentSpecs() throws {
            let sonarr = try Specs.sonarr4019.get()
            let radarr = try Specs.radarr603.get()
            let series = try Fixture.decode([SonarrSeries].self, Fixture.haSonarr + "series.json")
            #expect(sonarr.violations(of: try encoded(series[0]), against: "SeriesResource") == [])
            let episodes = try Fixture.decode([SonarrEpisode].self, Fixture.haSonarr + "episodes.json")
            #expect(sonarr.violations(of: try encoded(episodes[1]), against: "EpisodeResource") == [])
            let files = try Fixture.decode([SonarrEpisodeFile].self, Fixture.pyarrSonarr + "episodefile_series.json")
            let file = try encoded(files[0])
            #expect(sonarr.violations(of: file, against: "EpisodeFileResource") == [])
            #expect((file as? [String: Any])?["language"] == nil)
            #expect(((file as? [String: Any])?["languages"] as? [Any])?.count == 1)
            let naming = try Fixture.decode(SonarrNamingConfig.self, Fixture.pyarrSonarr + "config_naming.json")
            #expect(sonarr.violations(of: try encoded(naming), against: "NamingConfigResource") == [])
            let command = try Fixture.decode(ArrCommand.self, Fixture.pyarrSonarr + "command.json")
            #expect(sonarr.violations(of: try encoded(command), against: "CommandResource") == [])
            let status = try Fixture.decode(ArrSystemStatus.self, Fixture.pyarrSonarr + "system_status.json")
            #expect(sonarr.violations(of: try encoded(status), against: "SystemResource") == [])
            let movie = try Fixture.decode(RadarrMovie.self, Fixture.pyarrRadarr + "movie.json")
            #expect(radarr.violations(of: try encoded(movie), against: "MovieResource") == [])
            let movieFile = try Fixture.decode(RadarrMovieFile.self, Fixture.pyarrRadarr + "moviefile.json")
            #expect(radarr.violations(of: try encoded(movieFile), against: "MovieFileResource") == [])
            #expect(radarr.violations(of: try encoded(ArrTag(id: 3, label: "usher")), against: "TagResource") == [])
        }
    }

    // MARK: - Hand-made JSON (no contracts needed)

    struct HandMade {
        @Test func sonarrV4EpisodeFileWithLanguagesAndNewFieldsDecodes() throws {
            let file = try decodeJSON(SonarrEpisodeFile.self, """
            {"id": 7, "seriesId": 64, "seasonNumber": 0, "relativePath": "Specials/x.mkv", "path": "/tv/x/Specials/x.mkv",
             "size": 4294967296, "dateAdded": "2024-01-01T00:00:00Z", "releaseGroup": "GRP",
             "languages": [{"id": 1, "name": "English"}, {"id": 8, "name": "Japanese"}],
             "quality": {"quality": {"id": 7, "name": "Bluray-1080p", "source": "bluray", "resolution": 1080},
                         "revision": {"version": 2, "real": 1, "isRepack": true}},
             "customFormats": [], "customFormatScore": 0, "indexerFlags": 0, "releaseType": "singleEpisode",
             "mediaInfo": {"videoCodec": "x265"}, "qualityCutoffNotMet": false}
            """)
            #expect(file.size == 4_294_967_296)
            #expect(file.languages?.map(\.name) == ["English", "Japanese"])
            #expect(file.quality?.usherQuality == Quality(title: "Bluray-1080p", proper: true, real: true))
        }

        @Test func optionalFieldsOfAnUnexpectedTypeOrNullDecodeAsNil() throws {
            let series = try decodeJSON(SonarrSeries.self, """
            {"id": 5, "title": null, "tvdbId": "77754", "year": null, "tags": [1, "x"], "monitored": 1,
             "path": "/tv/Show", "someFutureField": {"a": [1, 2]}}
            """)
            #expect(series == SonarrSeries(id: 5, title: "", path: "/tv/Show"))
            let movie = try decodeJSON(RadarrMovie.self, #"{"id": 9, "movieFile": {"no": "id"}, "sizeOnDisk": 1.5}"#)
            #expect(movie == RadarrMovie(id: 9, title: ""))
        }

        @Test func missingIdsAreErrors() {
            #expect(throws: DecodingError.self) { try decodeJSON(SonarrSeries.self, #"{"title": "x"}"#) }
            #expect(throws: DecodingError.self) { try decodeJSON(SonarrEpisode.self, #"{"id": 1, "seriesId": 2, "seasonNumber": 0}"#) }
            #expect(throws: DecodingError.self) { try decodeJSON(ArrTag.self, #"{"label": "x"}"#) }
        }

        @Test func namingEnumsDecodeFromNumbersAndNamesAndEncodeAsNumbers() throws {
            let numbers = try decodeJSON(SonarrNamingConfig.self, #"{"colonReplacementFormat": 3, "multiEpisodeStyle": 5}"#)
            #expect(numbers.usherColonReplacement == .spaceDashSpace)
            #expect(numbers.usherMultiEpisodeStyle == .prefixedRange)

            let names = try decodeJSON(SonarrNamingConfig.self, #"{"colonReplacementFormat": "spaceDash", "multiEpisodeStyle": "range"}"#)
            #expect(names.colonReplacementFormat == 2 && names.multiEpisodeStyle == 4)
            #expect(names.usherColonReplacement == .spaceDash && names.usherMultiEpisodeStyle == .range)

            let loose = try decodeJSON(SonarrNamingConfig.self, #"{"colonReplacementFormat": "Custom", "multiEpisodeStyle": "prefixed_range"}"#)
            #expect(loose.colonReplacementFormat == 5)
            #expect(loose.usherColonReplacement == .smart)  // custom: Usher has no custom text
            #expect(loose.usherMultiEpisodeStyle == .prefixedRange)

            let unknown = try decodeJSON(SonarrNamingConfig.self, #"{"colonReplacementFormat": "sideways", "multiEpisodeStyle": 9}"#)
            #expect(unknown.colonReplacementFormat == nil)
            #expect(unknown.multiEpisodeStyle == 9 && unknown.usherMultiEpisodeStyle == nil)

            let object = try #require(try encoded(names) as? [String: Any])
            #expect(object["colonReplacementFormat"] as? Int == 2)
            #expect(object["multiEpisodeStyle"] as? Int == 4)
            #expect(object["colonReplacementFormat"] is NSNumber)

            for (number, name) in SonarrNamingConfig.colonReplacementNames.enumerated() {
                #expect(try decodeJSON(SonarrNamingConfig.self, #"{"colonReplacementFormat": "\#(name)"}"#).colonReplacementFormat == number)
            }
            for (number, name) in SonarrNamingConfig.multiEpisodeStyleNames.enumerated() {
                #expect(try decodeJSON(SonarrNamingConfig.self, #"{"multiEpisodeStyle": "\#(name)"}"#).multiEpisodeStyle == number)
            }
        }

        @Test func namingSchemePicksTheFormatBySeriesType() {
            let naming = SonarrNamingConfig(
                renameEpisodes: true, replaceIllegalCharacters: false, colonReplacementFormat: 0, multiEpisodeStyle: 1,
                standardEpisodeFormat: "{Series Title} - S{season:00}E{episode:00}",
                dailyEpisodeFormat: "{Series Title} - {Air-Date}",
                animeEpisodeFormat: "{Series Title} - S{season:00}E{episode:00} - {absolute:000}",
                seasonFolderFormat: "Season {season:00}", specialsFolderFormat: "")
            #expect(naming.namingScheme(seriesType: "anime").episodeFormat.hasSuffix("{absolute:000}"))
            #expect(naming.namingScheme(seriesType: "Anime").episodeFormat.hasSuffix("{absolute:000}"))
            #expect(naming.namingScheme(seriesType: "anime", hasAbsoluteNumbers: false).episodeFormat == "{Series Title} - S{season:00}E{episode:00}")
            #expect(naming.namingScheme(seriesType: "standard").episodeFormat == "{Series Title} - S{season:00}E{episode:00}")
            #expect(naming.namingScheme(seriesType: "daily").episodeFormat == "{Series Title} - S{season:00}E{episode:00}")
            #expect(naming.namingScheme(seriesType: nil).episodeFormat == "{Series Title} - S{season:00}E{episode:00}")

            let scheme = naming.namingScheme(seriesType: "standard")
            #expect(scheme.specialsFolderFormat == nil)  // empty: season folder format
            #expect(scheme.seasonFolderFormat == "Season {season:00}")
            #expect(scheme.colonReplacement == .delete)
            #expect(scheme.multiEpisodeStyle == .duplicate)
            #expect(scheme.replaceIllegalCharacters == false)

            var emptyAnime = naming
            emptyAnime.animeEpisodeFormat = ""
            #expect(emptyAnime.namingScheme(seriesType: "anime").episodeFormat == "{Series Title} - S{season:00}E{episode:00}")
            #expect(SonarrNamingConfig().namingScheme(seriesType: "standard") == NamingScheme())
        }

        @Test func usherQualityFollowsTheRevision() {
            func quality(_ name: String?, version: Int?, real: Int?) -> Quality? {
                ArrQuality(quality: .init(name: name), revision: .init(version: version, real: real)).usherQuality
            }
            #expect(quality("WEBDL-1080p", version: 1, real: 0) == Quality(title: "WEBDL-1080p"))
            #expect(quality("WEBDL-1080p", version: 2, real: 0) == Quality(title: "WEBDL-1080p", proper: true))
            #expect(quality("WEBDL-1080p", version: 1, real: 1) == Quality(title: "WEBDL-1080p", real: true))
            #expect(quality("WEBDL-1080p", version: nil, real: nil) == Quality(title: "WEBDL-1080p"))
            #expect(quality("WEBDL-1080p", version: 2, real: 1)?.full == "WEBDL-1080p Proper REAL")
            #expect(quality(nil, version: 2, real: 0) == nil)
            #expect(quality("", version: 1, real: 0) == nil)
            #expect(ArrQuality().usherQuality == nil)
        }

        @Test func commandStatusIsComparedCaseInsensitively() {
            #expect(ArrCommand(id: 1, status: "Completed").succeeded)
            #expect(ArrCommand(id: 1, status: "failed").isFinished)
            #expect(!ArrCommand(id: 1, status: "failed").succeeded)
            #expect(!ArrCommand(id: 1, status: "started").isFinished)
            #expect(!ArrCommand(id: 1).isFinished)
        }
    }
}

// MARK: - The OpenAPI checker

struct OpenAPIContractTests {

    // MARK: Real fixtures against the real specs

    @Suite(.enabled(if: Contracts.isAvailable, Contracts.missingComment))
    struct RealSpecs {
        private func check(_ spec: Result<OpenAPIContract, any Error>, _ fixture: String, _ schema: String) throws -> [String] {
            try spec.get().violations(of: Contracts.fixture(fixture), against: schema)
        }

        @Test func theSpecsLoad() throws {
            for spec in [Specs.sonarr4019, Specs.sonarr400, Specs.radarr603, Specs.radarr475] {
                let names = try spec.get().schemaNames
                #expect(names.contains("TagResource") && names.contains("CommandResource"))
            }
            #expect(try Specs.sonarr4019.get().schemaNames.contains("SeriesResource"))
            #expect(try Specs.radarr603.get().schemaNames.contains("MovieFileResource"))
        }

        @Test func fixturesThatValidateCleanly() throws {
            let clean: [(Result<OpenAPIContract, any Error>, String, String)] = [
                (Specs.sonarr4019, Fixture.pyarrSonarr + "tag.json", "TagResource"),
                (Specs.sonarr4019, Fixture.pyarrSonarr + "tag_all.json", "TagResource"),
                (Specs.sonarr4019, Fixture.pyarrSonarr + "command.json", "CommandResource"),
                (Specs.sonarr4019, Fixture.pyarrSonarr + "command_all.json", "CommandResource"),
                (Specs.sonarr4019, Fixture.pyarrSonarr + "episode_series.json", "EpisodeResource"),
                (Specs.sonarr4019, Fixture.haSonarr + "episodes.json", "EpisodeResource"),
                (Specs.sonarr400, Fixture.haSonarr + "episodes.json", "EpisodeResource"),
                // v3-era naming fields (includeSeriesTitle, separator, …) are still in 4.0.0's schema.
                (Specs.sonarr400, Fixture.pyarrSonarr + "config_naming.json", "NamingConfigResource"),
                (Specs.radarr603, Fixture.pyarrRadarr + "moviefile.json", "MovieFileResource"),
                (Specs.radarr603, Fixture.pyarrRadarr + "moviefiles.json", "MovieFileResource"),
                (Specs.radarr475, Fixture.pyarrRadarr + "moviefile.json", "MovieFileResource"),
                (Specs.radarr603, Fixture.haRadarr + "movies.json", "MovieResource"),
            ]
            for (spec, fixture, schema) in clean {
                #expect(try check(spec, fixture, schema) == [], "\(fixture) against \(schema)")
            }
        }

        @Test func responsesValidateByMethodPathAndStatus() throws {
            let sonarr = try Specs.sonarr4019.get()
            let radarr = try Specs.radarr603.get()
            let episodes = try Contracts.fixture(Fixture.pyarrSonarr + "episode_series.json")
            #expect(sonarr.violations(of: episodes, forResponseOf: "GET", path: "/api/v3/episode?seriesId=1", status: 200) == [])
            let tag = try Contracts.fixture(Fixture.pyarrSonarr + "tag.json")
            #expect(sonarr.violations(of: tag, forResponseOf: "GET", path: "/api/v3/tag/2", status: 200) == [])
            #expect(sonarr.violations(of: tag, forResponseOf: "get", path: "/sonarr/api/v3/tag/2", status: 200) == [])  // behind a urlBase
            let command = try Contracts.fixture(Fixture.pyarrSonarr + "command.json")
            #expect(sonarr.violations(of: command, forResponseOf: "GET", path: "/api/v3/command/4327826", status: 200) == [])
            let movieFile = try Contracts.fixture(Fixture.pyarrRadarr + "moviefile.json")
            #expect(radarr.violations(of: movieFile, forResponseOf: "GET", path: "/api/v3/moviefile/102", status: 200) == [])
            let movies = try Contracts.fixture(Fixture.haRadarr + "movies.json")
            #expect(radarr.violations(of: movies, forResponseOf: "GET", path: "/api/v3/movie", status: 200) == [])

            // A list where the operation answers one object, and the reverse.
            #expect(sonarr.violations(of: episodes, forResponseOf: "GET", path: "/api/v3/episode/1", status: 200)
                == ["$: expected object, got array"])
            #expect(sonarr.violations(of: tag, forResponseOf: "GET", path: "/api/v3/tag", status: 200)
                == ["$: expected array, got object"])
        }

        @Test func statusCodesThePOSTsReallyAnswer() throws {
            let sonarr = try Specs.sonarr4019.get()
            let command = try Contracts.fixture(Fixture.pyarrSonarr + "command.json")
            // The spec declares 200; Sonarr answers 201. Accepted unless strict.
            #expect(sonarr.violations(of: command, forResponseOf: "POST", path: "/api/v3/command", status: 201) == [])
            let strict = sonarr.violations(of: command, forResponseOf: "POST", path: "/api/v3/command", status: 201, strict: true)
            #expect(strict.count == 1)
            #expect(strict.first?.contains("declares no 201 response") == true)
            #expect(sonarr.violations(of: command, forResponseOf: "POST", path: "/api/v3/command", status: 404).count == 1)
        }

        @Test func operationsWithoutASchemaAndUnknownOperations() throws {
            let sonarr = try Specs.sonarr4019.get()
            let body = Data("{}".utf8)
            #expect(sonarr.violations(of: body, forResponseOf: "DELETE", path: "/api/v3/command/5", status: 200) == [])
            let strict = sonarr.violations(of: body, forResponseOf: "DELETE", path: "/api/v3/command/5", status: 200, strict: true)
            #expect(strict.count == 1 && strict[0].hasPrefix("$: no schema for DELETE /api/v3/command/5 200"))
            let unknownPath = sonarr.violations(of: body, forResponseOf: "GET", path: "/api/v3/nothing/here", status: 200)
            #expect(unknownPath.count == 1 && unknownPath[0].contains("no path in the spec matches /api/v3/nothing/here"))
            let unknownMethod = sonarr.violations(of: body, forResponseOf: "PATCH", path: "/api/v3/tag/1", status: 200)
            #expect(unknownMethod.count == 1 && unknownMethod[0].contains("has no PATCH operation"))
            #expect(sonarr.violations(of: Data(), forResponseOf: "GET", path: "/api/v3/tag/1", status: 200).first?.contains("empty body") == true)
            #expect(sonarr.violations(of: Data("<html>".utf8), forResponseOf: "GET", path: "/api/v3/tag/1", status: 200).first?.contains("not JSON") == true)
        }

        @Test func literalPathSegmentsWinOverParameters() throws {
            let sonarr = try Specs.sonarr4019.get()
            #expect(sonarr.pathTemplate(matching: "/api/v3/series/lookup?term=x") == "/api/v3/series/lookup")
            #expect(sonarr.pathTemplate(matching: "/api/v3/series/12") == "/api/v3/series/{id}")
            #expect(sonarr.pathTemplate(matching: "/api/v3/series/12/folder") == "/api/v3/series/{id}/folder")
            #expect(sonarr.pathTemplate(matching: "/api/v3/tag/detail/3") == "/api/v3/tag/detail/{id}")
            #expect(sonarr.pathTemplate(matching: "http://localhost:8989/api/v3/series") == "/api/v3/series")
            #expect(sonarr.pathTemplate(matching: "/api/v3/series/12/13/14") == nil)
        }

        // MARK: Real fixtures that do NOT validate, and why

        /// Sonarr 3.0.x captures carry v3-only fields that v4's schemas (additionalProperties: false) lack.
        @Test func homeAssistantSeriesIsV3Shaped() throws {
            let expected = [
                "$[0].lastInfoSync: unexpected property (not in SeriesResource, additionalProperties: false)",
                "$[0].profileId: unexpected property (not in SeriesResource, additionalProperties: false)",
            ]
            #expect(try check(Specs.sonarr4019, Fixture.haSonarr + "series.json", "SeriesResource") == expected)
            #expect(try check(Specs.sonarr400, Fixture.haSonarr + "series.json", "SeriesResource") == expected)
        }

        @Test func pyarrEpisodeFilesHaveV3LanguageFields() throws {
            let expected = [0, 1].flatMap { i in [
                "$[\(i)].language: unexpected property (not in EpisodeFileResource, additionalProperties: false)",
                "$[\(i)].languageCutoffNotMet: unexpected property (not in EpisodeFileResource, additionalProperties: false)",
            ] }
            #expect(try check(Specs.sonarr4019, Fixture.pyarrSonarr + "episodefile_series.json", "EpisodeFileResource") == expected)
            #expect(try check(Specs.sonarr400, Fixture.pyarrSonarr + "episodefile_series.json", "EpisodeFileResource") == expected)
        }

        /// pyarr's placeholder captures ("string" for every text) fail the enums, besides the v3 fields.
        @Test func pyarrPlaceholdersFailTheEnums() throws {
            let series = try check(Specs.sonarr4019, Fixture.pyarrSonarr + "series.json", "SeriesResource")
            #expect(series == [
                "$.seriesType: \"string\" is not one of SeriesTypes: standard, daily, anime",
                "$.status: \"string\" is not one of SeriesStatusType: continuing, ended, upcoming, deleted",
            ])
            let all = try check(Specs.sonarr4019, Fixture.pyarrSonarr + "series_all.json", "SeriesResource")
            #expect(all.count == 4 && all.allSatisfy { $0.contains("\"string\" is not one of") })

            let episode = try check(Specs.sonarr4019, Fixture.pyarrSonarr + "episode.json", "EpisodeResource")
            #expect(episode == [
                "$.episodeFile.language: unexpected property (not in EpisodeFileResource, additionalProperties: false)",
                "$.episodeFile.languageCutoffNotMet: unexpected property (not in EpisodeFileResource, additionalProperties: false)",
                "$.episodeFile.quality.quality.source: \"string\" is not one of QualitySource: unknown, television, televisionRaw, web, webRip, dvd, bluray, blurayRaw",
                "$.series.seriesType: \"string\" is not one of SeriesTypes: standard, daily, anime",
                "$.series.status: \"string\" is not one of SeriesStatusType: continuing, ended, upcoming, deleted",
            ])
            let file = try check(Specs.sonarr4019, Fixture.pyarrSonarr + "episodefile.json", "EpisodeFileResource")
            #expect(file.count == 3)
        }

        /// The naming fields Sonarr dropped between 4.0.0 and 4.0.19 (the v3 "basic" naming settings).
        @Test func pyarrNamingConfigHasFieldsThatV4019Dropped() throws {
            let violations = try check(Specs.sonarr4019, Fixture.pyarrSonarr + "config_naming.json", "NamingConfigResource")
            let extras = ["includeEpisodeTitle", "includeQuality", "includeSeriesTitle", "numberStyle", "replaceSpaces", "separator"]
            #expect(violations == extras.map { "$.\($0): unexpected property (not in NamingConfigResource, additionalProperties: false)" })
        }

        /// Sonarr 3.0.8 (mono) reports isMono/isMonoRuntime; 4.0.0's spec models versions and time spans as objects.
        @Test func sonarr3SystemStatusAndTheOlderSpecsOddities() throws {
            #expect(try check(Specs.sonarr4019, Fixture.pyarrSonarr + "system_status.json", "SystemResource") == [
                "$.isMono: unexpected property (not in SystemResource, additionalProperties: false)",
                "$.isMonoRuntime: unexpected property (not in SystemResource, additionalProperties: false)",
            ])
            #expect(try check(Specs.sonarr400, Fixture.pyarrSonarr + "system_status.json", "SystemResource") == [
                "$.isMono: unexpected property (not in SystemResource, additionalProperties: false)",
                "$.isMonoRuntime: unexpected property (not in SystemResource, additionalProperties: false)",
                "$.runtimeVersion: expected object, got string",
                "$.sqliteVersion: expected object, got string",
            ])
            // 4.0.0.748's spec describes TimeSpan as an object, but it is serialized "00:00:00.3358380".
            #expect(try check(Specs.sonarr400, Fixture.pyarrSonarr + "command.json", "CommandResource") == [
                "$.duration: expected object, got string",
            ])
        }

        /// pyarr's Radarr movie (Radarr v4 era) has alternate-title fields that v6 dropped; HA's movies have
        /// `statistics`, which Radarr 4.7 did not have.
        @Test func radarrMoviesAcrossVersions() throws {
            let v6 = try check(Specs.radarr603, Fixture.pyarrRadarr + "movie.json", "MovieResource")
            #expect(v6.count == 40)
            let dropped = ["language", "movieId", "sourceId", "voteCount", "votes"]
            #expect(Set(v6) == Set((0..<8).flatMap { i in dropped.map {
                "$.alternateTitles[\(i)].\($0): unexpected property (not in AlternativeTitleResource, additionalProperties: false)"
            } }))
            let v4 = try check(Specs.radarr475, Fixture.pyarrRadarr + "movie.json", "MovieResource")
            #expect(v4 == (0..<8).map {
                "$.alternateTitles[\($0)].movieId: unexpected property (not in AlternativeTitleResource, additionalProperties: false)"
            })
            #expect(try check(Specs.radarr475, Fixture.haRadarr + "movies.json", "MovieResource") == [
                "$[0].statistics: unexpected property (not in MovieResource, additionalProperties: false)",
                "$[1].statistics: unexpected property (not in MovieResource, additionalProperties: false)",
            ])
        }

        /// Queue captures: v3 sends PascalCase enums (reported with a case hint); both carry a `series.seasonCount`
        /// that no v4 spec has.
        @Test func sonarrQueueCaptures() throws {
            let v3 = try check(Specs.sonarr4019, Fixture.haSonarr + "queue.json", "QueueResourcePagingResource")
            #expect(v3.contains("$.records[0].status: \"Downloading\" is not one of QueueStatus: unknown, queued, paused, downloading, completed, failed, warning, delay, downloadClientUnavailable, fallback (case differs from downloading)"))
            #expect(v3.contains("$.records[0].trackedDownloadStatus: \"Ok\" is not one of TrackedDownloadStatus: ok, warning, error (case differs from ok)"))
            #expect(v3.count == 5)
            let v4 = try check(Specs.sonarr4019, Fixture.haSonarr + "queue_season_pack.json", "QueueResourcePagingResource")
            #expect(v4 == (0..<3).map {
                "$.records[\($0)].series.seasonCount: unexpected property (not in SeriesResource, additionalProperties: false)"
            })
        }

        // MARK: Hand-made bad JSON against the real Sonarr spec

        @Test func badJSONIsCaught() throws {
            let sonarr = try Specs.sonarr4019.get()
            func bad(_ json: String, _ schema: String) throws -> [String] {
                sonarr.violations(of: try jsonObject(json), against: schema)
            }
            #expect(try bad(#"{"id": "2", "label": "x"}"#, "TagResource") == ["$.id: expected integer, got string"])
            #expect(try bad(#"{"id": 2, "label": 5}"#, "TagResource") == ["$.label: expected string, got number"])
            #expect(try bad(#"{"id": true}"#, "TagResource") == ["$.id: expected integer, got boolean"])
            #expect(try bad(#"{"id": 1.5}"#, "TagResource") == ["$.id: expected integer, got number 1.5"])
            #expect(try bad(#"{"id": 2.0}"#, "TagResource") == [])
            #expect(try bad(#"{"id": null, "label": null}"#, "TagResource") == ["$.id: expected integer, got null"])
            #expect(try bad(#"{"id": 2, "label": "x", "color": "red"}"#, "TagResource")
                == ["$.color: unexpected property (not in TagResource, additionalProperties: false)"])
            #expect(try bad(#"{"id": 1, "seriesType": "Anime"}"#, "SeriesResource")
                == ["$.seriesType: \"Anime\" is not one of SeriesTypes: standard, daily, anime (case differs from anime)"])
            #expect(try bad(#"{"id": 3000000000}"#, "EpisodeResource") == ["$.id: 3000000000 is out of int32 range"])
            #expect(try bad(#"{"size": 3000000000}"#, "EpisodeFileResource") == [])
            #expect(try bad(#"{"size": 10000000000000000000}"#, "EpisodeFileResource") == ["$.size: 10000000000000000000 is out of int64 range"])
            #expect(try bad(#"{"hasFile": 1}"#, "EpisodeResource") == ["$.hasFile: expected boolean, got number"])
            #expect(try bad(#"{"tags": [1, 2, 1]}"#, "SeriesResource") == ["$.tags[2]: duplicate item (uniqueItems)"])
            #expect(try bad(#"{"quality": {"quality": {"resolution": "1080p"}}}"#, "EpisodeFileResource")
                == ["$.quality.quality.resolution: expected integer, got string"])
            #expect(try bad(#"{"page": 1, "records": [{"id": 1, "title": 7}]}"#, "QueueResourcePagingResource")
                == ["$.records[0].title: expected string, got number"])
            #expect(try bad(#"{"records": [{"weird key": 1}]}"#, "QueueResourcePagingResource")
                == ["$.records[0][\"weird key\"]: unexpected property (not in QueueResource, additionalProperties: false)"])
            #expect(try bad(#"[{"id": 1}]"#, "TagResource") == ["$: expected object, got array"])
            #expect(try bad(#"{}"#, "NoSuchResource") == ["$: no schema NoSuchResource in sonarr-v3-openapi.v4.0.19.2979.json"])
            // Several problems are all reported.
            #expect(try bad(#"{"id": "x", "label": 1, "extra": 0}"#, "TagResource").count == 3)
        }
    }

    // MARK: The checker on a small hand-written spec (no contracts needed)

    struct SyntheticSpec {
        static let spec = """
        {
          "openapi": "3.0.1",
          "paths": {
            "/api/v3/thing/{id}": {
              "get": {"responses": {"2XX": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}
            },
            "/api/v3/thing/{id}.json": {
              "get": {"responses": {"default": {"content": {"text/json": {"schema": {"type": "string"}}}}}}
            }
          },
          "components": {"schemas": {
            "Kind": {"enum": ["alpha", "beta"], "type": "string"},
            "Thing": {
              "type": "object", "required": ["id", "kind"], "additionalProperties": false,
              "properties": {
                "id": {"type": "integer", "format": "int64"},
                "kind": {"$ref": "#/components/schemas/Kind"},
                "maybe": {"type": ["string", "null"]},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "child": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "properties": {"extra": {"type": "boolean"}}}]},
                "either": {"oneOf": [{"type": "integer"}, {"$ref": "#/components/schemas/Base"}]}
              }
            },
            "Base": {"type": "object", "additionalProperties": false, "properties": {"name": {"type": "string"}}}
          }}
        }
        """

        private static func contract() throws -> OpenAPIContract {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("usher-openapi-\(UUID().uuidString).json")
            try Data(spec.utf8).write(to: url)
            defer { try? FileManager.default.removeItem(at: url) }
            return try OpenAPIContract(specAt: url)
        }

        @Test func requiredEnumNullableAndAdditionalPropertiesSchemas() throws {
            let spec = try Self.contract()
            #expect(spec.violations(of: try jsonObject(#"{"id": 1, "kind": "alpha", "maybe": null}"#), against: "Thing") == [])
            #expect(spec.violations(of: try jsonObject(#"{"kind": "alpha"}"#), against: "Thing") == ["$.id: required property missing"])
            #expect(spec.violations(of: try jsonObject(#"{"id": 1, "kind": "gamma"}"#), against: "Thing")
                == ["$.kind: \"gamma\" is not one of Kind: alpha, beta"])
            #expect(spec.violations(of: try jsonObject(#"{"id": 1, "kind": "beta", "labels": {"a": "x", "b": 2}}"#), against: "Thing")
                == ["$.labels.b: expected string, got number"])
            #expect(spec.violations(of: try jsonObject(#"{"id": 1, "kind": "beta", "maybe": 3}"#), against: "Thing")
                == ["$.maybe: expected string or null, got number"])
        }

        @Test func allOfKnowsTheSiblingsProperties() throws {
            let spec = try Self.contract()
            #expect(spec.violations(of: try jsonObject(#"{"id": 1, "kind": "alpha", "child": {"name": "n", "extra": true}}"#), against: "Thing") == [])
            #expect(spec.violations(of: try jsonObject(#"{"id": 1, "kind": "alpha", "child": {"name": 1, "other": true}}"#), against: "Thing")
                == ["$.child.name: expected string, got number",
                    "$.child.other: unexpected property (not in Base, additionalProperties: false)"])
        }

        @Test func oneOfNeedsOneMatchingAlternative() throws {
            let spec = try Self.contract()
            #expect(spec.violations(of: try jsonObject(#"{"id": 1, "kind": "alpha", "either": 3}"#), against: "Thing") == [])
            #expect(spec.violations(of: try jsonObject(#"{"id": 1, "kind": "alpha", "either": {"name": "x"}}"#), against: "Thing") == [])
            let bad = spec.violations(of: try jsonObject(#"{"id": 1, "kind": "alpha", "either": "text"}"#), against: "Thing")
            #expect(bad.count == 1 && bad[0].hasPrefix("$.either: matches none of the 2 alternatives of oneOf"))
        }

        @Test func responsesFallBackToNXXAndDefault() throws {
            let spec = try Self.contract()
            #expect(spec.violations(of: Data(#"{"id": 9, "kind": "beta"}"#.utf8), forResponseOf: "GET", path: "/api/v3/thing/9", status: 200) == [])
            #expect(spec.violations(of: Data(#"{"id": 9}"#.utf8), forResponseOf: "GET", path: "/api/v3/thing/9", status: 204)
                == ["$.kind: required property missing"])
            #expect(spec.violations(of: Data(#""text""#.utf8), forResponseOf: "GET", path: "/api/v3/thing/9.json", status: 500) == [])
            #expect(spec.violations(of: Data("12".utf8), forResponseOf: "GET", path: "/api/v3/thing/9.json", status: 500)
                == ["$: expected string, got number"])
        }

        @Test func swiftValuesAreClassifiedLikeJSON() throws {
            let spec = try Self.contract()
            let value: [String: Any] = ["id": Int64(5), "kind": "alpha", "child": ["name": "n", "extra": false] as [String: Any]]
            #expect(spec.violations(of: value, against: "Thing") == [])
            #expect(spec.violations(of: ["id": true, "kind": "alpha"] as [String: Any], against: "Thing") == ["$.id: expected integer, got boolean"])
        }
    }
}
