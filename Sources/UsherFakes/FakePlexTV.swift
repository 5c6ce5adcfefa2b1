import Foundation

/// An in-process plex.tv for what watch-state sync asks with the owner's token: the owner's account
/// (`/api/v2/user`, JSON), the server's users (`/api/users`, XML), their tokens of one server
/// (`/api/servers/{machine}/shared_servers`, XML), switching to a home user (`POST /api/home/users/{id}/switch`, XML)
/// and that user's resources (`/api/v2/resources`, JSON). The XML shapes follow python-plexapi's readers
/// (`MyPlexUser`, `MyPlexAccount.switchHomeUser`, `MyPlexUser.get_token`).
public final class FakePlexTV: @unchecked Sendable {
    public struct User: Sendable {
        public var id: String
        public var title: String
        public var username: String
        public var email: String
        public var home: Bool
        public var protected: Bool
        /// The user's token of the server, in `shared_servers` (`nil`: no entry there).
        public var serverToken: String?
        /// A home user's plex.tv token, which switching to them gives, and whose resources hold `homeServerToken`.
        public var homeToken: String?
        public var homeServerToken: String?

        public init(
            id: String, title: String, username: String = "", email: String = "", home: Bool = false, protected: Bool = false,
            serverToken: String? = nil, homeToken: String? = nil, homeServerToken: String? = nil
        ) {
            self.id = id
            self.title = title
            self.username = username
            self.email = email
            self.home = home
            self.protected = protected
            self.serverToken = serverToken
            self.homeToken = homeToken
            self.homeServerToken = homeServerToken
        }
    }

    public let ownerToken: String
    public let ownerName: String
    public let machineIdentifier: String
    public private(set) var server: FakeHTTPServer!
    private let lock = NSLock()
    private var users: [User] = []
    private var failures = 0

    public var url: String { server.baseURL }

    public static func start(ownerToken: String, ownerName: String = "ann", machineIdentifier: String, users: [User] = []) async throws -> FakePlexTV {
        let fake = FakePlexTV(ownerToken: ownerToken, ownerName: ownerName, machineIdentifier: machineIdentifier, users: users)
        fake.server = try await FakeHTTPServer.start { [unowned fake] in fake.handle($0) }
        return fake
    }

    init(ownerToken: String, ownerName: String, machineIdentifier: String, users: [User]) {
        self.ownerToken = ownerToken
        self.ownerName = ownerName
        self.machineIdentifier = machineIdentifier
        self.users = users
    }

    public func stop() async { await server.stop() }

    /// Answers `/api/v2/resources` with a JSON object that is not the list, holding a token.
    public var brokenResources: Bool {
        get { lock.withLock { broken } }
        set { lock.withLock { broken = newValue } }
    }
    private var broken = false
    /// Makes the next `count` requests answer 503.
    public func failNext(count: Int = 1) { lock.withLock { failures += count } }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    private static func xml(_ body: String) -> FakeResponse {
        FakeResponse(status: 200, body: Data(("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body).utf8), contentType: "application/xml")
    }

    private func handle(_ request: FakeRequest) -> FakeResponse {
        let token = request.header("X-Plex-Token") ?? request.query("X-Plex-Token")
        let list = lock.withLock { users }
        let fail = lock.withLock { () -> Bool in
            guard failures > 0 else { return false }
            failures -= 1
            return true
        }
        if fail { return FakeResponse(status: 503, body: Data("<html>Service Unavailable</html>".utf8), contentType: "text/html") }
        // A home user's own token reads only their resources.
        if let home = list.first(where: { $0.homeToken != nil && $0.homeToken == token }) {
            guard request.method == "GET", request.path == "/api/v2/resources" else { return FakeResponse.error(401, "Unauthorized") }
            if brokenResources { return FakeResponse(status: 200, body: Data(#"{"resources": [{"accessToken": "leaky-server-token-99"}]}"#.utf8)) }
            var resources: [[String: Any]] = [["name": "phone", "clientIdentifier": "device-1", "provides": "client"]]
            if let serverToken = home.homeServerToken {
                resources.append(
                    ["name": "Fake Plex", "clientIdentifier": machineIdentifier, "provides": "server", "owned": false, "accessToken": serverToken])
            }
            return FakeResponse(status: 200, body: (try? JSONSerialization.data(withJSONObject: resources)) ?? Data())
        }
        guard token == ownerToken else { return FakeResponse.error(401, "Unauthorized") }
        switch (request.method, request.path) {
        case ("GET", "/api/v2/user"):
            let account: [String: Any] = ["id": 1, "uuid": "owner-uuid", "username": ownerName, "title": ownerName, "email": "\(ownerName)@example.org"]
            return FakeResponse(status: 200, body: (try? JSONSerialization.data(withJSONObject: account)) ?? Data())
        case ("GET", "/api/users"), ("GET", "/api/users/"):
            let body = list.map { user in
                "  <User id=\"\(user.id)\" title=\"\(Self.escaped(user.title))\" username=\"\(Self.escaped(user.username))\" email=\"\(Self.escaped(user.email))\" "
                    + "recommendationsPlaylistId=\"\" thumb=\"\" protected=\"\(user.protected ? 1 : 0)\" home=\"\(user.home ? 1 : 0)\" allowTuners=\"0\" "
                    + "allowSync=\"0\" allowCameraUpload=\"0\" allowChannels=\"0\" allowSubtitleAdmin=\"0\" filterAll=\"\" filterMovies=\"\" "
                    + "filterMusic=\"\" filterPhotos=\"\" filterTelevision=\"\" restricted=\"0\">\n"
                    + "    <Server id=\"9\" serverId=\"9\" machineIdentifier=\"\(machineIdentifier)\" name=\"Fake Plex\" lastSeenAt=\"1700000000\" "
                    + "numLibraries=\"2\" allLibraries=\"1\" owned=\"1\" pending=\"0\"/>\n  </User>\n"
            }
            return Self.xml(
                "<MediaContainer friendlyName=\"myPlex\" identifier=\"com.plexapp.plugins.myplex\" machineIdentifier=\"\(machineIdentifier)\" "
                    + "totalSize=\"\(list.count)\" size=\"\(list.count)\">\n\(body.joined())</MediaContainer>\n")
        case ("GET", "/api/servers/\(machineIdentifier)/shared_servers"):
            let shared = list.filter { $0.serverToken != nil }
            let body = shared.map { user in
                "  <SharedServer id=\"7\(user.id)\" username=\"\(Self.escaped(user.username))\" email=\"\(Self.escaped(user.email))\" userID=\"\(user.id)\" "
                    + "accessToken=\"\(user.serverToken ?? "")\" name=\"Fake Plex\" acceptedAt=\"1700000000\" invitedAt=\"1700000000\" "
                    + "allowSync=\"0\" allowCameraUpload=\"0\" allowChannels=\"0\" allowTuners=\"0\" allowSubtitleAdmin=\"0\" owned=\"0\" "
                    + "allLibraries=\"1\" filterAll=\"\" filterMovies=\"\" filterMusic=\"\" filterPhotos=\"\" filterTelevision=\"\">\n"
                    + "    <Section id=\"1\" key=\"1\" title=\"Movies\" type=\"movie\" shared=\"1\"/>\n  </SharedServer>\n"
            }
            return Self.xml(
                "<MediaContainer friendlyName=\"myPlex\" identifier=\"com.plexapp.plugins.myplex\" machineIdentifier=\"\(machineIdentifier)\" "
                    + "size=\"\(shared.count)\">\n\(body.joined())</MediaContainer>\n")
        default:
            break
        }
        let parts = request.path.split(separator: "/")
        if request.method == "POST", parts.count == 5, parts[0] == "api", parts[1] == "home", parts[2] == "users", parts[4] == "switch" {
            guard let user = list.first(where: { $0.id == parts[3] && $0.home }) else { return FakeResponse.error(404, "Not Found") }
            guard !user.protected || request.query("pin") != nil, let homeToken = user.homeToken else { return FakeResponse.error(401, "Unauthorized") }
            return Self.xml(
                "<user id=\"\(user.id)\" uuid=\"uuid-\(user.id)\" title=\"\(Self.escaped(user.title))\" username=\"\" email=\"\" "
                    + "authenticationToken=\"\(homeToken)\" authToken=\"\(homeToken)\" home=\"1\" restricted=\"1\"/>\n")
        }
        return FakeResponse.error(404, "Not Found")
    }
}
