import Foundation

/// An in-process Jellyfin (API 10.11) for what prefetch reads: `/System/Info`, `/Users`, `/Items` (a user's played
/// episodes, sorted by date played and paged with `StartIndex`/`Limit`; or series by `Ids` with `ProviderIds`),
/// `/Sessions` and `/Library/VirtualFolders`. The API key is accepted in `Authorization` or `X-Emby-Authorization`
/// (`MediaBrowser …, Token="KEY"`) or in `X-Emby-Token`; query parameter names are matched without case, as
/// ASP.NET does.
public final class FakeJellyfin: @unchecked Sendable {
    /// An episode a user played.
    public struct Play: Sendable {
        public var user: String
        public var seriesID: String
        public var season: Int
        public var episode: Int
        /// Unix seconds.
        public var lastPlayed: Int64
        public var path: String
        public var played: Bool

        public init(user: String, seriesID: String, season: Int, episode: Int, lastPlayed: Int64, path: String? = nil, played: Bool = true) {
            self.user = user
            self.seriesID = seriesID
            self.season = season
            self.episode = episode
            self.lastPlayed = lastPlayed
            self.path = path ?? "/media/tv/\(seriesID)/Season \(season)/E\(episode).mkv"
            self.played = played
        }
    }

    public let apiKey: String
    public private(set) var server: FakeHTTPServer!
    private let lock = NSLock()
    private var users: [(id: String, name: String)] = []
    private var series: [String: (name: String, tvdb: Int?)] = [:]
    private var plays: [Play] = []
    private var playing: [(user: String, play: Play)] = []
    private var libraries: [(name: String, locations: [String])] = []

    public var url: String { server.baseURL }
    public var requests: [FakeRequest] { server.requests }

    public static func start(apiKey: String = "jellyfin-test-key") async throws -> FakeJellyfin {
        let fake = FakeJellyfin(apiKey: apiKey)
        fake.server = try await FakeHTTPServer.start { [unowned fake] in fake.handle($0) }
        return fake
    }

    init(apiKey: String) { self.apiKey = apiKey }

    public func stop() async { await server.stop() }

    public func addUser(_ name: String, id: String? = nil) { lock.withLock { users.append((id ?? "u-" + name.lowercased(), name)) } }
    public func addSeries(id: String, name: String, tvdb: Int?) { lock.withLock { series[id] = (name, tvdb) } }
    public func addPlays(_ list: [Play]) { lock.withLock { plays += list } }
    public func setPlaying(_ user: String, _ play: Play) { lock.withLock { playing.append((user, play)) } }
    public func addLibrary(_ name: String, locations: [String]) { lock.withLock { libraries.append((name, locations)) } }

    /// The id of a user, as `/Users` gives it.
    public func userID(_ name: String) -> String? { lock.withLock { users.first { $0.name == name }?.id } }

    /// `2024-03-01T20:13:28.0000000Z`: seven digits of fraction, as Jellyfin writes.
    static func date(_ seconds: Int64) -> String {
        let text = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        return String(text.dropLast()) + ".0000000Z"
    }

    private func json(_ object: Any) -> FakeResponse {
        FakeResponse(status: 200, body: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }

    /// The key a request carries, from any of the headers Jellyfin reads.
    static func presentedKey(_ request: FakeRequest) -> String? {
        if let token = request.header("X-Emby-Token") { return token }
        for name in ["Authorization", "X-Emby-Authorization"] {
            guard let value = request.header(name), value.hasPrefix("MediaBrowser "), let range = value.range(of: "Token=\"") else { continue }
            let rest = value[range.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { continue }
            return String(rest[..<end])
        }
        return nil
    }

    private func item(_ play: Play, user: String?) -> [String: Any] {
        let name = lock.withLock { series[play.seriesID]?.name } ?? ""
        var item: [String: Any] = [
            "Name": "Episode \(play.episode)", "Id": "e-\(play.seriesID)-\(play.season)-\(play.episode)", "Type": "Episode", "IsFolder": false,
            "SeriesName": name, "SeriesId": play.seriesID, "SeasonId": "s-\(play.seriesID)-\(play.season)", "ParentIndexNumber": play.season,
            "IndexNumber": play.episode, "Path": play.path, "ProviderIds": [String: String](), "MediaType": "Video",
        ]
        if user != nil {
            item["UserData"] = [
                "Played": play.played, "PlayCount": play.played ? 1 : 0, "PlaybackPositionTicks": 0, "IsFavorite": false,
                "LastPlayedDate": Self.date(play.lastPlayed), "Key": "\(play.seriesID)\(play.season)\(play.episode)",
                "PlayedPercentage": play.played ? 100.0 : 30.0,
            ]
        }
        return item
    }

    private func handle(_ request: FakeRequest) -> FakeResponse {
        guard let key = Self.presentedKey(request) else { return FakeResponse(status: 401, contentType: "text/plain") }
        guard key == apiKey else { return FakeResponse(status: 401, contentType: "text/plain") }
        guard request.method == "GET" else { return FakeResponse(status: 405, contentType: "text/plain") }
        /// Query parameters by lowercased name.
        var query: [String: String] = [:]
        for (name, value) in request.query where query[name.lowercased()] == nil { query[name.lowercased()] = value }
        switch request.path {
        case "/System/Info":
            return json(["ServerName": "fake", "Version": "10.11.0", "ProductName": "Jellyfin Server", "Id": "f00d", "OperatingSystem": "Linux"])
        case "/Users":
            return json(lock.withLock { users }.map { ["Name": $0.name, "Id": $0.id, "ServerId": "f00d", "HasPassword": true] as [String: Any] })
        case "/Sessions":
            let list = lock.withLock { playing }.enumerated().map { index, entry -> [String: Any] in
                [
                    "Id": "session-\(index)", "UserId": userID(entry.user) ?? "", "UserName": entry.user, "Client": "Jellyfin Web", "DeviceName": "TV",
                    "IsActive": true, "NowPlayingItem": item(entry.play, user: nil),
                ]
            }
            return json(list)
        case "/Library/VirtualFolders":
            return json(
                lock.withLock { libraries }.enumerated().map {
                    ["Name": $0.element.name, "Locations": $0.element.locations, "CollectionType": "tvshows", "ItemId": "lib-\($0.offset)"] as [String: Any]
                })
        case "/Items":
            if let ids = query["ids"] {
                let wanted = ids.split(separator: ",").map(String.init)
                let known = lock.withLock { series }
                let wantsProviderIds = (query["fields"] ?? "").split(separator: ",").contains("ProviderIds")
                let items = wanted.compactMap { id -> [String: Any]? in
                    guard let entry = known[id] else { return nil }
                    var item: [String: Any] = ["Name": entry.name, "Id": id, "Type": "Series", "IsFolder": true]
                    if wantsProviderIds { item["ProviderIds"] = entry.tvdb.map { ["Tvdb": String($0), "Imdb": "tt\($0)"] } ?? ["Imdb": "tt0"] }
                    return item
                }
                return json(["Items": items, "TotalRecordCount": items.count, "StartIndex": 0])
            }
            guard let userID = query["userid"], let user = lock.withLock({ users.first { $0.id == userID }?.name }) else {
                return FakeResponse.error(400, "userId is required for a user's items")
            }
            var list = lock.withLock { plays }.filter { $0.user == user }
            if let types = query["includeitemtypes"], !types.split(separator: ",").contains("Episode") { list = [] }
            if (query["filters"] ?? "").split(separator: ",").contains("IsPlayed") { list = list.filter(\.played) }
            if query["sortby"] == "DatePlayed" {
                list.sort { $0.lastPlayed < $1.lastPlayed }
                if query["sortorder"] == "Descending" { list.reverse() }
            }
            let start = query["startindex"].flatMap(Int.init) ?? 0
            let limit = query["limit"].flatMap(Int.init) ?? list.count
            let page = Array(list.dropFirst(start).prefix(limit)).map { item($0, user: user) }
            return json(["Items": page, "TotalRecordCount": list.count, "StartIndex": start])
        default:
            return FakeResponse(status: 404, contentType: "text/plain")
        }
    }
}
