import Foundation
import Synchronization

/// Plex as a source of watch history: the accounts (`GET /accounts`), the play history (`GET
/// /status/sessions/history/all`, sorted, filtered by `viewedAt>=`, section and account, and paged with
/// `X-Plex-Container-Start`/`-Size` in the query or the headers), what plays now (`GET /status/sessions`) and each
/// show's guids (`GET /library/metadata/{ratingKey}`, the `Guid` list with `includeGuids=1`). The owner sees every
/// account's plays, another user only their own.
extension FakePlex {
    /// A play of an episode, as the history lists it.
    public struct Play: Sendable {
        public var accountID: Int
        public var show: String
        public var showTitle: String
        public var season: Int
        public var episode: Int
        /// Unix seconds.
        public var viewedAt: Int64
        public var section: String
        public var type: String

        public init(
            accountID: Int, show: String, showTitle: String, season: Int, episode: Int, viewedAt: Int64, section: String = "2", type: String = "episode"
        ) {
            self.accountID = accountID
            self.show = show
            self.showTitle = showTitle
            self.season = season
            self.episode = episode
            self.viewedAt = viewedAt
            self.section = section
            self.type = type
        }
    }

    /// The history state of one fake, kept beside it (an extension holds no stored property).
    final class HistoryState: @unchecked Sendable {
        weak var owner: FakePlex?
        var accounts: [(id: Int, name: String)] = [(1, "owner")]
        var plays: [Play] = []
        var playing: [(user: String, play: Play)] = []
        var shows: [String: (title: String, guids: [String])] = [:]
        var ignoresViewedAt = false
        init(owner: FakePlex) { self.owner = owner }
    }

    private static let states = Mutex<[ObjectIdentifier: HistoryState]>([:])

    private func withHistory<T>(_ body: (HistoryState) -> T) -> T {
        Self.states.withLock { states in
            let id = ObjectIdentifier(self)
            // A state whose fake is gone belongs to an earlier fake at the same address.
            if let state = states[id], state.owner === self { return body(state) }
            states = states.filter { $0.value.owner != nil }
            let state = HistoryState(owner: self)
            states[id] = state
            return body(state)
        }
    }

    /// Names an account (account 1 is the owner, `owner`, unless renamed here).
    public func addAccount(id: Int, name: String) {
        withHistory { state in
            state.accounts.removeAll { $0.id == id }
            state.accounts.append((id, name))
        }
    }

    public func addPlays(_ plays: [Play]) { withHistory { $0.plays += plays } }

    /// Makes the history ignore the `viewedAt>=` filter (as a server that does not know it would), so that only the
    /// client's own cut-off stops the paging.
    public func ignoreViewedAtFilter() { withHistory { $0.ignoresViewedAt = true } }

    /// An episode `user` (an account name) is playing now.
    public func setPlaying(_ user: String, _ play: Play) { withHistory { $0.playing.append((user, play)) } }

    /// A show of the library with its guids (`tvdb://121361`, `imdb://…`).
    public func addShow(ratingKey: String, title: String, guids: [String]) { withHistory { $0.shows[ratingKey] = (title, guids) } }

    private static func json(_ object: Any) -> FakeResponse {
        FakeResponse(status: 200, body: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }

    private func row(_ play: Play) -> [String: Any] {
        let key = "/library/metadata/\(play.show)\(play.season)\(play.episode)"
        return [
            "historyKey": "/status/sessions/history/\(play.viewedAt)", "key": key, "ratingKey": key.split(separator: "/").last.map(String.init) ?? "",
            "librarySectionID": play.section, "parentKey": "/library/metadata/\(play.show)\(play.season)", "grandparentKey": "/library/metadata/\(play.show)",
            "title": "Episode \(play.episode)", "grandparentTitle": play.showTitle, "type": play.type, "thumb": "\(key)/thumb/1",
            "parentIndex": play.season, "index": play.episode, "originallyAvailableAt": "2020-01-01", "viewedAt": play.viewedAt,
            "accountID": play.accountID, "deviceID": 1,
        ]
    }

    /// Answers the history requests; `nil` for any other request.
    func handleHistory(_ request: FakeRequest, user: String) -> FakeResponse? {
        guard request.method == "GET" else { return nil }
        let parts = request.path.split(separator: "/").map(String.init)
        switch request.path {
        case "/accounts":
            let accounts = withHistory { $0.accounts }.sorted { $0.id < $1.id }
            let list = accounts.map {
                ["id": $0.id, "key": "/accounts/\($0.id)", "name": $0.name, "defaultAudioLanguage": "en", "autoSelectAudio": true] as [String: Any]
            }
            return Self.json(["MediaContainer": ["size": list.count, "identifier": "com.plexapp.system.accounts", "Account": list]])
        case "/status/sessions/history/all":
            let (accounts, all, ignoresViewedAt) = withHistory { ($0.accounts, $0.plays, $0.ignoresViewedAt) }
            let ownID = accounts.first { $0.name == user }?.id
            var plays = all.filter { user == owner || $0.accountID == ownID }
            if !ignoresViewedAt, let since = request.query("viewedAt>").flatMap(Int64.init) { plays = plays.filter { $0.viewedAt >= since } }
            if let section = request.query("librarySectionID") { plays = plays.filter { $0.section == section } }
            if let account = request.query("accountID").flatMap(Int.init) { plays = plays.filter { $0.accountID == account } }
            plays.sort { $0.viewedAt < $1.viewedAt }
            if request.query("sort")?.split(separator: ",").first == "viewedAt:desc" { plays.reverse() }
            let start = (request.query("X-Plex-Container-Start") ?? request.header("X-Plex-Container-Start")).flatMap(Int.init) ?? 0
            let size = (request.query("X-Plex-Container-Size") ?? request.header("X-Plex-Container-Size")).flatMap(Int.init) ?? plays.count
            let page = Array(plays.dropFirst(start).prefix(size)).map(row)
            return Self.json(["MediaContainer": ["size": page.count, "totalSize": plays.count, "offset": start, "Metadata": page]])
        case "/status/sessions":
            let (accounts, playing) = withHistory { ($0.accounts, $0.playing) }
            let list = playing.enumerated().map { index, entry -> [String: Any] in
                var item = row(entry.play)
                item["grandparentRatingKey"] = entry.play.show
                item["User"] = ["id": String(accounts.first { $0.name == entry.user }?.id ?? 0), "title": entry.user]
                item["Player"] = ["title": "TV", "state": "playing", "local": true]
                item["Session"] = ["id": "session-\(index)", "bandwidth": 1000, "location": "lan"]
                return item
            }
            return Self.json(["MediaContainer": ["size": list.count, "Metadata": list]])
        default:
            guard parts.count == 3, parts[0] == "library", parts[1] == "metadata" else { return nil }
            guard let show = withHistory({ $0.shows[parts[2]] }) else { return FakeResponse(status: 404, contentType: "text/html") }
            var item: [String: Any] = [
                "ratingKey": parts[2], "key": "/library/metadata/\(parts[2])/children", "guid": "plex://show/5d9c08\(parts[2])", "type": "show",
                "title": show.title,
            ]
            if request.query("includeGuids") == "1" { item["Guid"] = show.guids.map { ["id": $0] } }
            return Self.json(["MediaContainer": ["size": 1, "Metadata": [item]]])
        }
    }
}
