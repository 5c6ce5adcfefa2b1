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

    public init(
        appName: String? = nil, version: String? = nil, urlBase: String? = nil,
        instanceName: String? = nil, branch: String? = nil
    ) {
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

        public init(
            id: Int? = nil, name: String? = nil, source: String? = nil, resolution: Int? = nil,
            modifier: String? = nil
        ) {
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

extension ArrLanguage {
    private enum LegacyKeys: String, CodingKey { case language }

    /// `languages[]` when present, else v3's single `language` object as a one-element list.
    static func languages(in decoder: any Decoder, modern: [ArrLanguage]?) throws -> [ArrLanguage]? {
        if let modern { return modern }
        let legacy = try decoder.container(keyedBy: LegacyKeys.self)
        return legacy.lenient(ArrLanguage.self, .language).map { [$0] }
    }
}

extension KeyedDecodingContainer {
    /// The value when present and of the expected type; `nil` when missing, `null` or of another type.
    func lenient<T: Decodable>(_ type: T.Type, _ key: Key) -> T? {
        (try? decodeIfPresent(T.self, forKey: key)) ?? nil
    }

    /// A C# enum sent as its number or as its (camelCase) name: the number, or `nil` when unknown.
    func enumNumber(_ key: Key, names: [String]) -> Int? {
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
    var nonEmpty: String? {
        switch self {
        case .some(let value) where !value.isEmpty: value
        default: nil
        }
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

/// One record of Sonarr's or Radarr's history (`HistoryResource`): what happened, when, to which movie or
/// series. Only what an incremental pass needs; the rest (`data`, quality, the source title) is skipped.
public struct ArrHistoryRecord: Codable, Sendable, Hashable {
    public var id: Int
    /// ISO 8601, in the service's own spelling (sent back as is in `history/since?date=`).
    public var date: String?
    /// `grabbed`, `downloadFolderImported`, `movieFileRenamed`, `episodeFileDeleted`, …
    public var eventType: String?
    public var movieId: Int?
    public var seriesId: Int?
    public var episodeId: Int?

    public init(id: Int, date: String?, eventType: String?, movieId: Int? = nil, seriesId: Int? = nil, episodeId: Int? = nil) {
        self.id = id
        self.date = date
        self.eventType = eventType
        self.movieId = movieId
        self.seriesId = seriesId
        self.episodeId = episodeId
    }

    enum CodingKeys: String, CodingKey { case id, date, eventType, movieId, seriesId, episodeId }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        date = c.lenient(String.self, .date)
        // Sonarr v3 wrote some enums as numbers: an event type that is not a string is unknown.
        eventType = c.lenient(String.self, .eventType)
        movieId = c.lenient(Int.self, .movieId)
        seriesId = c.lenient(Int.self, .seriesId)
        episodeId = c.lenient(Int.self, .episodeId)
    }

    /// As a core value about `itemID` (the movie or the series); `nil` without a date or an item.
    func event(itemID: Int?) -> HistoryEvent? {
        guard let date, !date.isEmpty, let itemID, itemID > 0 else { return nil }
        return HistoryEvent(id: id, date: date, itemID: itemID, eventType: eventType ?? "unknown")
    }
}

/// History calls common to Sonarr and Radarr.
extension ServiceClient {
    /// The newest history record, or `nil` when the history is empty: where the next pass starts reading.
    func newestHistory() async throws(ServiceError) -> ArrHistoryRecord? {
        try await request(
            ArrPage<ArrHistoryRecord>.self, "GET", "/api/v3/history",
            query: [("page", "1"), ("pageSize", "1"), ("sortKey", "date"), ("sortDirection", "descending")]
        ).records.first
    }

    /// Every history record since `date` (the service includes records at that date).
    func history(since date: String) async throws(ServiceError) -> [ArrHistoryRecord] {
        try await request([ArrHistoryRecord].self, "GET", "/api/v3/history/since", query: [("date", date)])
    }
}
