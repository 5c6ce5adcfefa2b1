import Foundation

/// A person with access to the server, as plex.tv lists them for its owner (`/api/users`): a friend, or a home
/// user (`home="1"`, who may have no username or email).
public struct PlexTVUser: Sendable, Hashable {
    public var id: String
    public var title: String
    public var username: String
    public var email: String
    public var home: Bool
    /// A home user with a PIN: switching to them needs it.
    public var protected: Bool

    public init(id: String, title: String, username: String = "", email: String = "", home: Bool = false, protected: Bool = false) {
        self.id = id
        self.title = title
        self.username = username
        self.email = email
        self.home = home
        self.protected = protected
    }

    /// The name Usher shows: the title Plex shows (a webhook's `Account.title`), else the username.
    public var name: String { title.isEmpty ? username : title }

    /// Whether the config's `name` means this user: the title, username or email, case aside.
    public func isNamed(_ name: String) -> Bool {
        [title, username, email].contains { !$0.isEmpty && $0.caseInsensitiveCompare(name) == .orderedSame }
    }
}

/// plex.tv, asked with the owner's token: the owner's name, the people the server is shared with, and each one's
/// token for this server (the `accessToken` of `/api/servers/{machine}/shared_servers`, as python-plexapi's
/// `switchUser` takes it; for a home user without one, switching to them and reading this server's token from their
/// resources).
public struct PlexTVClient: Sendable {
    public let client: ServiceClient

    public init(client: ServiceClient) { self.client = client }

    /// The owner's name (`GET /api/v2/user`): the title Plex shows, else the username.
    public func ownerName() async throws(ServiceError) -> String {
        struct Account: Decodable {
            var username: String?
            var title: String?
        }
        let account = try await client.request(Account.self, "GET", "/api/v2/user")
        return [account.title, account.username].compactMap { $0 }.first { !$0.isEmpty } ?? "owner"
    }

    /// Friends and home users (`GET /api/users`, XML).
    public func users() async throws(ServiceError) -> [PlexTVUser] {
        let response = try await client.send(ServiceRequest("GET", "/api/users", accept: "application/xml"))
        return PlexXML.elements(named: "User", in: response.body).compactMap { a in
            guard let id = a["id"], !id.isEmpty else { return nil }
            return PlexTVUser(
                id: id, title: a["title"] ?? "", username: a["username"] ?? "", email: a["email"] ?? "", home: a["home"] == "1",
                protected: a["protected"] == "1")
        }
    }

    /// Each user's token for the server `machine`, by plex.tv user id (`GET /api/servers/{machine}/shared_servers`).
    public func sharedServerTokens(machine: String) async throws(ServiceError) -> [String: String] {
        let response = try await client.send(ServiceRequest("GET", "/api/servers/\(machine)/shared_servers", accept: "application/xml"))
        var tokens: [String: String] = [:]
        for a in PlexXML.elements(named: "SharedServer", in: response.body) {
            if let user = a["userID"], let token = a["accessToken"], !token.isEmpty { tokens[user] = token }
        }
        return tokens
    }

    /// A home user's plex.tv token (`POST /api/home/users/{id}/switch`).
    public func switchHomeUser(id: String) async throws(ServiceError) -> String? {
        let response = try await client.send(ServiceRequest("POST", "/api/home/users/\(id)/switch", accept: "application/xml"))
        let attributes = PlexXML.elements(named: "user", in: response.body) + PlexXML.elements(named: "User", in: response.body)
        return attributes.compactMap { $0["authenticationToken"] ?? $0["authToken"] }.first { !$0.isEmpty }
    }

    /// The server token of whoever this client's token belongs to (`GET /api/v2/resources`): the `accessToken` of
    /// the resource whose `clientIdentifier` is `machine`.
    public func serverToken(machine: String) async throws(ServiceError) -> String? {
        struct Resource: Decodable {
            var clientIdentifier: String?
            var accessToken: String?
        }
        let response = try await client.send("GET", "/api/v2/resources", query: [("includeHttps", "1")])
        // The answer holds the user's tokens of every server: an error about it never quotes it.
        guard let resources = try? JSONDecoder().decode([Resource].self, from: response.body) else {
            throw client.failure(.badResponse, "GET", "/api/v2/resources", status: response.status, "the resources list is not the JSON expected")
        }
        return resources.first { $0.clientIdentifier == machine }?.accessToken
    }
}
