import Foundation
import Testing
import UsherCore

@testable import UsherKit

// Sonarr/Radarr models against REAL captured responses (../shared/contracts/fixtures), and the OpenAPI
// checker against the real specs (../shared/contracts/specs). Suites that need ../shared are skipped,
// with the reason, when it is missing.

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
            #expect(
                all.last
                    == ArrCommand(
                        id: 4_327_832, name: "MessagingCleanup", commandName: "Messaging Cleanup",
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
            let file = try decodeJSON(
                SonarrEpisodeFile.self,
                """
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
            let series = try decodeJSON(
                SonarrSeries.self,
                """
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
