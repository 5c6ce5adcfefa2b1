import UsherCore

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
    /// Release days, ISO 8601 (`2015-01-01T00:00:00Z`), for matching: TheTVDB gives a film special the day the film
    /// came out.
    public var inCinemas: String?
    public var physicalRelease: String?
    public var digitalRelease: String?

    public init(
        id: Int, title: String, year: Int? = nil, path: String? = nil, folderName: String? = nil,
        tmdbId: Int? = nil, imdbId: String? = nil, hasFile: Bool? = nil, monitored: Bool? = nil,
        tags: [Int]? = nil, movieFile: RadarrMovieFile? = nil, sizeOnDisk: Int64? = nil,
        rootFolderPath: String? = nil, movieFileId: Int? = nil, originalTitle: String? = nil,
        alternateTitles: [RadarrAlternateTitle]? = nil, runtime: Int? = nil, collection: RadarrCollection? = nil,
        inCinemas: String? = nil, physicalRelease: String? = nil, digitalRelease: String? = nil
    ) {
        self.collection = collection
        self.inCinemas = inCinemas
        self.physicalRelease = physicalRelease
        self.digitalRelease = digitalRelease
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
        case inCinemas, physicalRelease, digitalRelease
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
        inCinemas = c.lenient(String.self, .inCinemas)
        physicalRelease = c.lenient(String.self, .physicalRelease)
        digitalRelease = c.lenient(String.self, .digitalRelease)
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

    public init(
        id: Int, movieId: Int? = nil, relativePath: String? = nil, path: String? = nil, size: Int64? = nil,
        quality: ArrQuality? = nil, sceneName: String? = nil, releaseGroup: String? = nil,
        edition: String? = nil, languages: [ArrLanguage]? = nil
    ) {
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
