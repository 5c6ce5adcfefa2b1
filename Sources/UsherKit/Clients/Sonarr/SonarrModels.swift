public import UsherCore

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

    public init(
        id: Int, title: String, path: String? = nil, tvdbId: Int? = nil, tmdbId: Int? = nil,
        imdbId: String? = nil, year: Int? = nil, seriesType: String? = nil, monitored: Bool? = nil,
        tags: [Int]? = nil, rootFolderPath: String? = nil, seasonFolder: Bool? = nil, tvMazeId: Int? = nil,
        alternateTitles: [SonarrAlternateTitle]? = nil, seasons: [SonarrSeason]? = nil
    ) {
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
        /// The bytes of the season's episode files.
        public var sizeOnDisk: Int64?

        public init(episodeCount: Int? = nil, episodeFileCount: Int? = nil, totalEpisodeCount: Int? = nil, sizeOnDisk: Int64? = nil) {
            self.episodeCount = episodeCount
            self.episodeFileCount = episodeFileCount
            self.totalEpisodeCount = totalEpisodeCount
            self.sizeOnDisk = sizeOnDisk
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

    public init(
        id: Int, seriesId: Int, tvdbId: Int? = nil, episodeFileId: Int? = nil, seasonNumber: Int,
        episodeNumber: Int, title: String? = nil, absoluteEpisodeNumber: Int? = nil, hasFile: Bool? = nil,
        monitored: Bool? = nil, airDate: String? = nil, airDateUtc: String? = nil, runtime: Int? = nil,
        episodeFile: SonarrEpisodeFile? = nil
    ) {
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

    public init(
        id: Int, seriesId: Int? = nil, seasonNumber: Int? = nil, relativePath: String? = nil,
        path: String? = nil, size: Int64? = nil, quality: ArrQuality? = nil, sceneName: String? = nil,
        releaseGroup: String? = nil, languages: [ArrLanguage]? = nil
    ) {
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

    public init(
        renameEpisodes: Bool? = nil, replaceIllegalCharacters: Bool? = nil, colonReplacementFormat: Int? = nil,
        multiEpisodeStyle: Int? = nil, standardEpisodeFormat: String? = nil, dailyEpisodeFormat: String? = nil,
        animeEpisodeFormat: String? = nil, seriesFolderFormat: String? = nil, seasonFolderFormat: String? = nil,
        specialsFolderFormat: String? = nil, customColonReplacementFormat: String? = nil
    ) {
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
