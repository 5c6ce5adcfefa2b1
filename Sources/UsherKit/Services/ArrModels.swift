public import UsherCore

// Models of the Sonarr (v3 API of Sonarr v3.0 and v4.0) and Radarr (v3 API of Radarr v4 to v6) resources
// Usher reads. Decoding is lenient so that one model reads every version:
// - every field a version may omit is optional, and unknown fields are ignored;
// - an optional field holding a value of an unexpected type (or `null`) decodes as `nil` instead of
//   failing the whole list;
// - the few non-optional fields are the ids and numbers without which the resource means nothing
//   (a missing one is an error), and titles/labels, which decode as "" when missing or null.
// Encoding writes the current (v4/Radarr) shape; `nil` fields are left out.

/// `GET /api/v3/system/status` (the fields Usher needs to tell the app and its version).
public struct ArrSystemStatus: Codable, Sendable, Hashable {
    public var appName: String?
    public var version: String?
    public var urlBase: String?
    public var instanceName: String?
    public var branch: String?

    public init(appName: String? = nil, version: String? = nil, urlBase: String? = nil,
                instanceName: String? = nil, branch: String? = nil) {
        self.appName = appName
        self.version = version
        self.urlBase = urlBase
        self.instanceName = instanceName
        self.branch = branch
    }

    /// The major version (`3` for Sonarr `3.0.8.1507`), when `version` starts with a number.
    public var majorVersion: Int? {
        version.flatMap { $0.split(separator: ".").first }.flatMap { Int($0) }
    }

    private enum CodingKeys: String, CodingKey { case appName, version, urlBase, instanceName, branch }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        appName = c.lenient(String.self, .appName)
        version = c.lenient(String.self, .version)
        urlBase = c.lenient(String.self, .urlBase)
        instanceName = c.lenient(String.self, .instanceName)
        branch = c.lenient(String.self, .branch)
    }
}

/// A tag (`GET /api/v3/tag`): the id that resources list, and its (lowercased) label.
public struct ArrTag: Codable, Sendable, Hashable {
    public var id: Int
    public var label: String

    public init(id: Int, label: String) {
        self.id = id
        self.label = label
    }

    private enum CodingKeys: String, CodingKey { case id, label }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        label = c.lenient(String.self, .label) ?? ""
    }
}

/// A language as the *arr apps send it (`{id, name}`).
public struct ArrLanguage: Codable, Sendable, Hashable {
    public var id: Int?
    public var name: String?

    public init(id: Int? = nil, name: String? = nil) {
        self.id = id
        self.name = name
    }

    private enum CodingKeys: String, CodingKey { case id, name }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = c.lenient(Int.self, .id)
        name = c.lenient(String.self, .name)
    }
}

/// A file's quality (`QualityModel`): the quality itself and its revision (proper, real).
public struct ArrQuality: Codable, Sendable, Hashable {
    /// The quality (`{id: 7, name: "Bluray-1080p", source: "bluray", resolution: 1080}`).
    public struct QualityInfo: Codable, Sendable, Hashable {
        public var id: Int?
        public var name: String?
        /// `bluray`, `web`, `television`… (Sonarr) or `bluray`, `webdl`, `tv`… (Radarr).
        public var source: String?
        public var resolution: Int?
        /// Radarr only: `none`, `remux`, `brdisk`…
        public var modifier: String?

        public init(id: Int? = nil, name: String? = nil, source: String? = nil, resolution: Int? = nil,
                    modifier: String? = nil) {
            self.id = id
            self.name = name
            self.source = source
            self.resolution = resolution
            self.modifier = modifier
        }

        private enum CodingKeys: String, CodingKey { case id, name, source, resolution, modifier }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = c.lenient(Int.self, .id)
            name = c.lenient(String.self, .name)
            source = c.lenient(String.self, .source)
            resolution = c.lenient(Int.self, .resolution)
            modifier = c.lenient(String.self, .modifier)
        }
    }

    /// The revision: `version` 2 or more is a proper/repack, `real` above 0 a REAL release.
    public struct Revision: Codable, Sendable, Hashable {
        public var version: Int?
        public var real: Int?
        public var isRepack: Bool?

        public init(version: Int? = nil, real: Int? = nil, isRepack: Bool? = nil) {
            self.version = version
            self.real = real
            self.isRepack = isRepack
        }

        private enum CodingKeys: String, CodingKey { case version, real, isRepack }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            version = c.lenient(Int.self, .version)
            real = c.lenient(Int.self, .real)
            isRepack = c.lenient(Bool.self, .isRepack)
        }
    }

    public var quality: QualityInfo?
    public var revision: Revision?

    public init(quality: QualityInfo? = nil, revision: Revision? = nil) {
        self.quality = quality
        self.revision = revision
    }

    private enum CodingKeys: String, CodingKey { case quality, revision }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        quality = c.lenient(QualityInfo.self, .quality)
        revision = c.lenient(Revision.self, .revision)
    }

    /// Usher's quality (`{Quality Full}`): the quality's name, Proper when the revision's version is
    /// above 1, REAL when its `real` count is above 0; `nil` without a name.
    public var usherQuality: UsherCore.Quality? {
        guard let name = quality?.name, !name.isEmpty else { return nil }
        return UsherCore.Quality(title: name, proper: (revision?.version ?? 1) > 1, real: (revision?.real ?? 0) > 0)
    }
}

/// A Sonarr series (`SeriesResource`, `GET /api/v3/series`).
public struct SonarrSeries: Codable, Sendable, Hashable {
    public var id: Int
    public var title: String
    /// The series folder as Sonarr sees it (may need mapping to Usher's view of the disk).
    public var path: String?
    public var tvdbId: Int?
    /// Sent by Sonarr v4.0.5 and later.
    public var tmdbId: Int?
    public var imdbId: String?
    public var year: Int?
    /// `standard`, `daily` or `anime`.
    public var seriesType: String?
    public var monitored: Bool?
    public var tags: [Int]?
    public var rootFolderPath: String?
    /// Whether episodes go into season folders (`Season 01`) or straight into the series folder.
    public var seasonFolder: Bool?
    public var tvMazeId: Int?
    /// Other names of the series (scene and alternate titles), for matching a show by title.
    public var alternateTitles: [SonarrAlternateTitle]?
    /// The seasons with their episode counts (specials are season 0).
    public var seasons: [SonarrSeason]?

    public init(id: Int, title: String, path: String? = nil, tvdbId: Int? = nil, tmdbId: Int? = nil,
                imdbId: String? = nil, year: Int? = nil, seriesType: String? = nil, monitored: Bool? = nil,
                tags: [Int]? = nil, rootFolderPath: String? = nil, seasonFolder: Bool? = nil, tvMazeId: Int? = nil,
                alternateTitles: [SonarrAlternateTitle]? = nil, seasons: [SonarrSeason]? = nil) {
        self.seasons = seasons
        self.alternateTitles = alternateTitles
        self.id = id
        self.title = title
        self.path = path
        self.tvdbId = tvdbId
        self.tmdbId = tmdbId
        self.imdbId = imdbId
        self.year = year
        self.seriesType = seriesType
        self.monitored = monitored
        self.tags = tags
        self.rootFolderPath = rootFolderPath
        self.seasonFolder = seasonFolder
        self.tvMazeId = tvMazeId
    }

    private enum CodingKeys: String, CodingKey {
        case id, title, path, tvdbId, tmdbId, imdbId, year, seriesType, monitored, tags, rootFolderPath
        case seasonFolder, tvMazeId, alternateTitles, seasons
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        title = c.lenient(String.self, .title) ?? ""
        path = c.lenient(String.self, .path)
        tvdbId = c.lenient(Int.self, .tvdbId)
        tmdbId = c.lenient(Int.self, .tmdbId)
        imdbId = c.lenient(String.self, .imdbId)
        year = c.lenient(Int.self, .year)
        seriesType = c.lenient(String.self, .seriesType)
        monitored = c.lenient(Bool.self, .monitored)
        tags = c.lenient([Int].self, .tags)
        rootFolderPath = c.lenient(String.self, .rootFolderPath)
        seasonFolder = c.lenient(Bool.self, .seasonFolder)
        tvMazeId = c.lenient(Int.self, .tvMazeId)
        alternateTitles = c.lenient([SonarrAlternateTitle].self, .alternateTitles)
        seasons = c.lenient([SonarrSeason].self, .seasons)
    }
}

/// A season of a series (`SeasonResource`), with its counts (`SeasonStatisticsResource`).
public struct SonarrSeason: Codable, Sendable, Hashable {
    public struct Statistics: Codable, Sendable, Hashable {
        public var episodeCount: Int?
        public var episodeFileCount: Int?
        /// Every episode of the season, aired or not, monitored or not.
        public var totalEpisodeCount: Int?

        public init(episodeCount: Int? = nil, episodeFileCount: Int? = nil, totalEpisodeCount: Int? = nil) {
            self.episodeCount = episodeCount
            self.episodeFileCount = episodeFileCount
            self.totalEpisodeCount = totalEpisodeCount
        }
    }

    public var seasonNumber: Int
    public var monitored: Bool?
    public var statistics: Statistics?

    public init(seasonNumber: Int, monitored: Bool? = nil, statistics: Statistics? = nil) {
        self.seasonNumber = seasonNumber
        self.monitored = monitored
        self.statistics = statistics
    }
}

/// One of a series' other names (`AlternateTitleResource`).
public struct SonarrAlternateTitle: Codable, Sendable, Hashable {
    public var title: String?
    public var seasonNumber: Int?

    public init(title: String?, seasonNumber: Int? = nil) {
        self.title = title
        self.seasonNumber = seasonNumber
    }
}

/// A Sonarr episode (`EpisodeResource`, `GET /api/v3/episode?seriesId=`), specials (season 0) included.
public struct SonarrEpisode: Codable, Sendable, Hashable {
    public var id: Int
    public var seriesId: Int
    public var tvdbId: Int?
    /// `0` (or absent) when the episode has no file.
    public var episodeFileId: Int?
    public var seasonNumber: Int
    public var episodeNumber: Int
    public var title: String?
    public var absoluteEpisodeNumber: Int?
    public var hasFile: Bool?
    public var monitored: Bool?
    /// `yyyy-MM-dd`, when known.
    public var airDate: String?
    /// When it airs or aired, ISO-8601 UTC (`2024-03-01T02:00:00Z`).
    public var airDateUtc: String?
    /// Minutes, when Sonarr knows (0 when it does not).
    public var runtime: Int?
    /// Only with `includeEpisodeFile=true`.
    public var episodeFile: SonarrEpisodeFile?

    public init(id: Int, seriesId: Int, tvdbId: Int? = nil, episodeFileId: Int? = nil, seasonNumber: Int,
                episodeNumber: Int, title: String? = nil, absoluteEpisodeNumber: Int? = nil, hasFile: Bool? = nil,
                monitored: Bool? = nil, airDate: String? = nil, airDateUtc: String? = nil, runtime: Int? = nil,
                episodeFile: SonarrEpisodeFile? = nil) {
        self.airDateUtc = airDateUtc
        self.runtime = runtime
        self.id = id
        self.seriesId = seriesId
        self.tvdbId = tvdbId
        self.episodeFileId = episodeFileId
        self.seasonNumber = seasonNumber
        self.episodeNumber = episodeNumber
        self.title = title
        self.absoluteEpisodeNumber = absoluteEpisodeNumber
        self.hasFile = hasFile
        self.monitored = monitored
        self.airDate = airDate
        self.episodeFile = episodeFile
    }

    private enum CodingKeys: String, CodingKey {
        case id, seriesId, tvdbId, episodeFileId, seasonNumber, episodeNumber, title, absoluteEpisodeNumber
        case hasFile, monitored, airDate, airDateUtc, runtime, episodeFile
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        seriesId = try c.decode(Int.self, forKey: .seriesId)
        tvdbId = c.lenient(Int.self, .tvdbId)
        episodeFileId = c.lenient(Int.self, .episodeFileId)
        seasonNumber = try c.decode(Int.self, forKey: .seasonNumber)
        episodeNumber = try c.decode(Int.self, forKey: .episodeNumber)
        title = c.lenient(String.self, .title)
        absoluteEpisodeNumber = c.lenient(Int.self, .absoluteEpisodeNumber)
        hasFile = c.lenient(Bool.self, .hasFile)
        monitored = c.lenient(Bool.self, .monitored)
        airDate = c.lenient(String.self, .airDate)
        airDateUtc = c.lenient(String.self, .airDateUtc)
        runtime = c.lenient(Int.self, .runtime)
        episodeFile = c.lenient(SonarrEpisodeFile.self, .episodeFile)
    }
}

/// A Sonarr episode file (`EpisodeFileResource`, `GET /api/v3/episodefile?seriesId=`).
public struct SonarrEpisodeFile: Codable, Sendable, Hashable {
    public var id: Int
    public var seriesId: Int?
    public var seasonNumber: Int?
    /// Relative to the series folder (`Season 02/x.mkv`).
    public var relativePath: String?
    /// Absolute, as Sonarr sees it.
    public var path: String?
    public var size: Int64?
    public var quality: ArrQuality?
    public var sceneName: String?
    public var releaseGroup: String?
    /// `languages[]` in v4; v3's single `language` object decodes as a one-element list.
    public var languages: [ArrLanguage]?

    public init(id: Int, seriesId: Int? = nil, seasonNumber: Int? = nil, relativePath: String? = nil,
                path: String? = nil, size: Int64? = nil, quality: ArrQuality? = nil, sceneName: String? = nil,
                releaseGroup: String? = nil, languages: [ArrLanguage]? = nil) {
        self.id = id
        self.seriesId = seriesId
        self.seasonNumber = seasonNumber
        self.relativePath = relativePath
        self.path = path
        self.size = size
        self.quality = quality
        self.sceneName = sceneName
        self.releaseGroup = releaseGroup
        self.languages = languages
    }

    private enum CodingKeys: String, CodingKey {
        case id, seriesId, seasonNumber, relativePath, path, size, quality, sceneName, releaseGroup, languages
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        seriesId = c.lenient(Int.self, .seriesId)
        seasonNumber = c.lenient(Int.self, .seasonNumber)
        relativePath = c.lenient(String.self, .relativePath)
        path = c.lenient(String.self, .path)
        size = c.lenient(Int64.self, .size)
        quality = c.lenient(ArrQuality.self, .quality)
        sceneName = c.lenient(String.self, .sceneName)
        releaseGroup = c.lenient(String.self, .releaseGroup)
        languages = try ArrLanguage.languages(in: decoder, modern: c.lenient([ArrLanguage].self, .languages))
    }
}

/// Sonarr's episode naming settings (`NamingConfigResource`, `GET /api/v3/config/naming`).
public struct SonarrNamingConfig: Codable, Sendable, Hashable {
    public var renameEpisodes: Bool?
    public var replaceIllegalCharacters: Bool?
    /// Sonarr's `ColonReplacementFormat`: 0 delete, 1 dash, 2 spaceDash, 3 spaceDashSpace, 4 smart,
    /// 5 custom. Decoded from the number or from its camelCase name; encoded as the number.
    public var colonReplacementFormat: Int?
    /// With `colonReplacementFormat` 5 (custom): the text that replaces a colon.
    public var customColonReplacementFormat: String?
    /// Sonarr's `MultiEpisodeStyle`: 0 extend, 1 duplicate, 2 repeat, 3 scene, 4 range, 5 prefixedRange.
    /// Decoded from the number or from its camelCase name; encoded as the number.
    public var multiEpisodeStyle: Int?
    public var standardEpisodeFormat: String?
    public var dailyEpisodeFormat: String?
    public var animeEpisodeFormat: String?
    public var seriesFolderFormat: String?
    public var seasonFolderFormat: String?
    public var specialsFolderFormat: String?

    public init(renameEpisodes: Bool? = nil, replaceIllegalCharacters: Bool? = nil, colonReplacementFormat: Int? = nil,
                multiEpisodeStyle: Int? = nil, standardEpisodeFormat: String? = nil, dailyEpisodeFormat: String? = nil,
                animeEpisodeFormat: String? = nil, seriesFolderFormat: String? = nil, seasonFolderFormat: String? = nil,
                specialsFolderFormat: String? = nil, customColonReplacementFormat: String? = nil) {
        self.renameEpisodes = renameEpisodes
        self.replaceIllegalCharacters = replaceIllegalCharacters
        self.colonReplacementFormat = colonReplacementFormat
        self.customColonReplacementFormat = customColonReplacementFormat
        self.multiEpisodeStyle = multiEpisodeStyle
        self.standardEpisodeFormat = standardEpisodeFormat
        self.dailyEpisodeFormat = dailyEpisodeFormat
        self.animeEpisodeFormat = animeEpisodeFormat
        self.seriesFolderFormat = seriesFolderFormat
        self.seasonFolderFormat = seasonFolderFormat
        self.specialsFolderFormat = specialsFolderFormat
    }

    /// Sonarr's `ColonReplacementFormat` names, in the order of their numbers.
    public static let colonReplacementNames = ["delete", "dash", "spaceDash", "spaceDashSpace", "smart", "custom"]
    /// Sonarr's `MultiEpisodeStyle` names, in the order of their numbers.
    public static let multiEpisodeStyleNames = ["extend", "duplicate", "repeat", "scene", "range", "prefixedRange"]

    /// `colonReplacementFormat` as Usher's setting; `custom` (5) maps to `smart`, an unknown number to `nil`.
    public var usherColonReplacement: ColonReplacement? {
        switch colonReplacementFormat {
        case 0: .delete
        case 1: .dash
        case 2: .spaceDash
        case 3: .spaceDashSpace
        case 4, 5: .smart
        default: nil
        }
    }

    /// `multiEpisodeStyle` as Usher's setting; an unknown number gives `nil`.
    public var usherMultiEpisodeStyle: MultiEpisodeStyle? {
        switch multiEpisodeStyle {
        case 0: .extend
        case 1: .duplicate
        case 2: .repeat
        case 3: .scene
        case 4: .range
        case 5: .prefixedRange
        default: nil
        }
    }

    /// Usher's naming scheme for a series of this type (`standard`, `daily`, `anime`): the anime format for
    /// anime series when it is set, else the standard one; what Sonarr leaves out keeps Usher's default.
    ///
    /// Sonarr itself uses the anime format only when every episode of the file has an absolute number
    /// (specials usually have none); pass `hasAbsoluteNumbers: false` to get the standard format then.
    public func namingScheme(seriesType: String?, hasAbsoluteNumbers: Bool = true) -> NamingScheme {
        var scheme = NamingScheme()
        let isAnime = seriesType?.lowercased() == "anime" && hasAbsoluteNumbers
        if isAnime, let anime = animeEpisodeFormat.nonEmpty {
            scheme.episodeFormat = anime
        } else if let standard = standardEpisodeFormat.nonEmpty {
            scheme.episodeFormat = standard
        }
        if let season = seasonFolderFormat.nonEmpty { scheme.seasonFolderFormat = season }
        scheme.specialsFolderFormat = specialsFolderFormat.nonEmpty
        if let style = usherMultiEpisodeStyle { scheme.multiEpisodeStyle = style }
        if let colon = usherColonReplacement { scheme.colonReplacement = colon }
        if let replace = replaceIllegalCharacters { scheme.replaceIllegalCharacters = replace }
        return scheme
    }

    private enum CodingKeys: String, CodingKey {
        case renameEpisodes, replaceIllegalCharacters, colonReplacementFormat, customColonReplacementFormat
        case multiEpisodeStyle, standardEpisodeFormat, dailyEpisodeFormat, animeEpisodeFormat
        case seriesFolderFormat, seasonFolderFormat, specialsFolderFormat
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        renameEpisodes = c.lenient(Bool.self, .renameEpisodes)
        replaceIllegalCharacters = c.lenient(Bool.self, .replaceIllegalCharacters)
        colonReplacementFormat = c.enumNumber(.colonReplacementFormat, names: Self.colonReplacementNames)
        customColonReplacementFormat = c.lenient(String.self, .customColonReplacementFormat)
        multiEpisodeStyle = c.enumNumber(.multiEpisodeStyle, names: Self.multiEpisodeStyleNames)
        standardEpisodeFormat = c.lenient(String.self, .standardEpisodeFormat)
        dailyEpisodeFormat = c.lenient(String.self, .dailyEpisodeFormat)
        animeEpisodeFormat = c.lenient(String.self, .animeEpisodeFormat)
        seriesFolderFormat = c.lenient(String.self, .seriesFolderFormat)
        seasonFolderFormat = c.lenient(String.self, .seasonFolderFormat)
        specialsFolderFormat = c.lenient(String.self, .specialsFolderFormat)
    }
}

/// A Radarr movie (`MovieResource`, `GET /api/v3/movie`), with its file when it has one.
public struct RadarrMovie: Codable, Sendable, Hashable {
    public var id: Int
    public var title: String
    public var year: Int?
    /// The movie folder as Radarr sees it.
    public var path: String?
    public var folderName: String?
    public var tmdbId: Int?
    public var imdbId: String?
    public var hasFile: Bool?
    public var monitored: Bool?
    public var tags: [Int]?
    /// Included in the list (`GET /api/v3/movie`) and in `GET /api/v3/movie/{id}`.
    public var movieFile: RadarrMovieFile?
    public var sizeOnDisk: Int64?
    public var rootFolderPath: String?
    /// Radarr v5 and later; `0` without a file.
    public var movieFileId: Int?
    /// The title in the original language (`カウボーイビバップ 天国の扉`), for matching.
    public var originalTitle: String?
    /// Other names from TMDB and people (`AlternativeTitleResource`), for matching.
    public var alternateTitles: [RadarrAlternateTitle]?
    /// Minutes (0 when unknown).
    public var runtime: Int?
    /// The TMDB collection (`Detective Conan Collection`), for matching: it often names the series
    /// a film's own title does not.
    public var collection: RadarrCollection?

    public init(id: Int, title: String, year: Int? = nil, path: String? = nil, folderName: String? = nil,
                tmdbId: Int? = nil, imdbId: String? = nil, hasFile: Bool? = nil, monitored: Bool? = nil,
                tags: [Int]? = nil, movieFile: RadarrMovieFile? = nil, sizeOnDisk: Int64? = nil,
                rootFolderPath: String? = nil, movieFileId: Int? = nil, originalTitle: String? = nil,
                alternateTitles: [RadarrAlternateTitle]? = nil, runtime: Int? = nil, collection: RadarrCollection? = nil) {
        self.collection = collection
        self.originalTitle = originalTitle
        self.alternateTitles = alternateTitles
        self.runtime = runtime
        self.id = id
        self.title = title
        self.year = year
        self.path = path
        self.folderName = folderName
        self.tmdbId = tmdbId
        self.imdbId = imdbId
        self.hasFile = hasFile
        self.monitored = monitored
        self.tags = tags
        self.movieFile = movieFile
        self.sizeOnDisk = sizeOnDisk
        self.rootFolderPath = rootFolderPath
        self.movieFileId = movieFileId
    }

    private enum CodingKeys: String, CodingKey {
        case id, title, year, path, folderName, tmdbId, imdbId, hasFile, monitored, tags, movieFile, sizeOnDisk
        case rootFolderPath, movieFileId, originalTitle, alternateTitles, runtime, collection
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        title = c.lenient(String.self, .title) ?? ""
        year = c.lenient(Int.self, .year)
        path = c.lenient(String.self, .path)
        folderName = c.lenient(String.self, .folderName)
        tmdbId = c.lenient(Int.self, .tmdbId)
        imdbId = c.lenient(String.self, .imdbId)
        hasFile = c.lenient(Bool.self, .hasFile)
        monitored = c.lenient(Bool.self, .monitored)
        tags = c.lenient([Int].self, .tags)
        movieFile = c.lenient(RadarrMovieFile.self, .movieFile)
        sizeOnDisk = c.lenient(Int64.self, .sizeOnDisk)
        rootFolderPath = c.lenient(String.self, .rootFolderPath)
        movieFileId = c.lenient(Int.self, .movieFileId)
        originalTitle = c.lenient(String.self, .originalTitle)
        alternateTitles = c.lenient([RadarrAlternateTitle].self, .alternateTitles)
        runtime = c.lenient(Int.self, .runtime)
        collection = c.lenient(RadarrCollection.self, .collection)
    }
}

/// The collection a movie belongs to (`MovieCollectionResource`: `title`; Radarr v3 said `name`).
public struct RadarrCollection: Codable, Sendable, Hashable {
    public var title: String?
    public var tmdbId: Int?

    public init(title: String?, tmdbId: Int? = nil) {
        self.title = title
        self.tmdbId = tmdbId
    }

    private enum CodingKeys: String, CodingKey { case title, name, tmdbId }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        title = c.lenient(String.self, .title) ?? c.lenient(String.self, .name)
        tmdbId = c.lenient(Int.self, .tmdbId)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(title, forKey: .title)
        try c.encodeIfPresent(tmdbId, forKey: .tmdbId)
    }
}

/// One of a movie's other names (`AlternativeTitleResource`).
public struct RadarrAlternateTitle: Codable, Sendable, Hashable {
    public var title: String?
    /// `tmdb`, `mappings` or `user`.
    public var sourceType: String?

    public init(title: String?, sourceType: String? = nil) {
        self.title = title
        self.sourceType = sourceType
    }
}

/// A Radarr movie file (`MovieFileResource`, `GET /api/v3/moviefile?movieId=`).
public struct RadarrMovieFile: Codable, Sendable, Hashable {
    public var id: Int
    public var movieId: Int?
    /// Relative to the movie folder.
    public var relativePath: String?
    /// Absolute, as Radarr sees it.
    public var path: String?
    public var size: Int64?
    public var quality: ArrQuality?
    public var sceneName: String?
    public var releaseGroup: String?
    public var edition: String?
    /// `languages[]`; a single `language` object (older shapes) decodes as a one-element list.
    public var languages: [ArrLanguage]?

    public init(id: Int, movieId: Int? = nil, relativePath: String? = nil, path: String? = nil, size: Int64? = nil,
                quality: ArrQuality? = nil, sceneName: String? = nil, releaseGroup: String? = nil,
                edition: String? = nil, languages: [ArrLanguage]? = nil) {
        self.id = id
        self.movieId = movieId
        self.relativePath = relativePath
        self.path = path
        self.size = size
        self.quality = quality
        self.sceneName = sceneName
        self.releaseGroup = releaseGroup
        self.edition = edition
        self.languages = languages
    }

    private enum CodingKeys: String, CodingKey {
        case id, movieId, relativePath, path, size, quality, sceneName, releaseGroup, edition, languages
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        movieId = c.lenient(Int.self, .movieId)
        relativePath = c.lenient(String.self, .relativePath)
        path = c.lenient(String.self, .path)
        size = c.lenient(Int64.self, .size)
        quality = c.lenient(ArrQuality.self, .quality)
        sceneName = c.lenient(String.self, .sceneName)
        releaseGroup = c.lenient(String.self, .releaseGroup)
        edition = c.lenient(String.self, .edition)
        languages = try ArrLanguage.languages(in: decoder, modern: c.lenient([ArrLanguage].self, .languages))
    }
}

/// A command (`CommandResource`): what `POST /api/v3/command` answers and `GET /api/v3/command/{id}` polls.
public struct ArrCommand: Codable, Sendable, Hashable {
    public var id: Int
    /// `RescanSeries`, `RefreshMovie`…
    public var name: String?
    /// For people: `Rescan Series`.
    public var commandName: String?
    /// `queued`, `started`, `completed`, `failed`, `aborted`, `cancelled` or `orphaned` (v3.0 may capitalize).
    public var status: String?
    /// `unknown`, `successful` or `unsuccessful`.
    public var result: String?
    public var message: String?
    public var exception: String?

    public init(id: Int, name: String? = nil, commandName: String? = nil, status: String? = nil,
                result: String? = nil, message: String? = nil, exception: String? = nil) {
        self.id = id
        self.name = name
        self.commandName = commandName
        self.status = status
        self.result = result
        self.message = message
        self.exception = exception
    }

    /// Whether the command has stopped, well or badly (compared case-insensitively).
    public var isFinished: Bool {
        guard let status = status?.lowercased() else { return false }
        return ["completed", "failed", "aborted", "cancelled", "orphaned"].contains(status)
    }

    /// Whether the command finished well.
    public var succeeded: Bool { status?.lowercased() == "completed" }

    private enum CodingKeys: String, CodingKey { case id, name, commandName, status, result, message, exception }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        name = c.lenient(String.self, .name)
        commandName = c.lenient(String.self, .commandName)
        status = c.lenient(String.self, .status)
        result = c.lenient(String.self, .result)
        message = c.lenient(String.self, .message)
        exception = c.lenient(String.self, .exception)
    }
}

// MARK: - Lenient decoding

extension ArrLanguage {
    private enum LegacyKeys: String, CodingKey { case language }

    /// `languages[]` when present, else v3's single `language` object as a one-element list.
    fileprivate static func languages(in decoder: any Decoder, modern: [ArrLanguage]?) throws -> [ArrLanguage]? {
        if let modern { return modern }
        let legacy = try decoder.container(keyedBy: LegacyKeys.self)
        return legacy.lenient(ArrLanguage.self, .language).map { [$0] }
    }
}

extension KeyedDecodingContainer {
    /// The value when present and of the expected type; `nil` when missing, `null` or of another type.
    fileprivate func lenient<T: Decodable>(_ type: T.Type, _ key: Key) -> T? {
        (try? decodeIfPresent(T.self, forKey: key)) ?? nil
    }

    /// A C# enum sent as its number or as its (camelCase) name: the number, or `nil` when unknown.
    fileprivate func enumNumber(_ key: Key, names: [String]) -> Int? {
        if let number = lenient(Int.self, key) { return number }
        guard let text = lenient(String.self, key) else { return nil }
        let wanted = normalizedEnumName(text)
        if let index = names.firstIndex(where: { normalizedEnumName($0) == wanted }) { return index }
        return Int(text.filter { $0 != " " })
    }
}

private func normalizedEnumName(_ name: String) -> String {
    String(name.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " })
}

extension Optional where Wrapped == String {
    fileprivate var nonEmpty: String? {
        switch self {
        case .some(let value) where !value.isEmpty: value
        default: nil
        }
    }
}

/// An item of Sonarr's download queue (`QueueResource`): one record per episode, so a season pack
/// shows once per episode it holds, each with the same `downloadId`.
public struct SonarrQueueRecord: Codable, Sendable, Hashable {
    public var id: Int
    public var seriesId: Int?
    public var episodeId: Int?
    public var seasonNumber: Int?
    public var title: String?
    /// `queued`, `paused`, `downloading`, `completed`, `delay`, … (v3.0 may capitalize).
    public var status: String?
    public var trackedDownloadState: String?
    /// The download client's id of the item: SABnzbd `nzo_id`, NZBGet `drone` or NZBID, an info-hash.
    public var downloadId: String?
    /// The download client's name in Sonarr.
    public var downloadClient: String?
    /// `usenet` or `torrent`.
    public var `protocol`: String?

    public init(id: Int, seriesId: Int? = nil, episodeId: Int? = nil, seasonNumber: Int? = nil, title: String? = nil, status: String? = nil,
                trackedDownloadState: String? = nil, downloadId: String? = nil, downloadClient: String? = nil, protocol: String? = nil) {
        self.id = id
        self.seriesId = seriesId
        self.episodeId = episodeId
        self.seasonNumber = seasonNumber
        self.title = title
        self.status = status
        self.trackedDownloadState = trackedDownloadState
        self.downloadId = downloadId
        self.downloadClient = downloadClient
        self.protocol = `protocol`
    }

    private enum CodingKeys: String, CodingKey {
        case id, seriesId, episodeId, seasonNumber, title, status, trackedDownloadState, downloadId, downloadClient, `protocol`
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = c.lenient(Int.self, .id) ?? 0
        seriesId = c.lenient(Int.self, .seriesId)
        episodeId = c.lenient(Int.self, .episodeId)
        seasonNumber = c.lenient(Int.self, .seasonNumber)
        title = c.lenient(String.self, .title)
        status = c.lenient(String.self, .status)
        trackedDownloadState = c.lenient(String.self, .trackedDownloadState)
        downloadId = c.lenient(String.self, .downloadId)
        downloadClient = c.lenient(String.self, .downloadClient)
        `protocol` = c.lenient(String.self, .protocol)
    }
}

/// A page of a paged list (`…PagingResource`).
public struct ArrPage<Record: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
    public var page: Int?
    public var pageSize: Int?
    public var totalRecords: Int?
    public var records: [Record]

    public init(page: Int?, pageSize: Int?, totalRecords: Int?, records: [Record]) {
        self.page = page
        self.pageSize = pageSize
        self.totalRecords = totalRecords
        self.records = records
    }
}
