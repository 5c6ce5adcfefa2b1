import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import UsherCore
import UsherKit

@testable import UsherServer

/// The web page's other ways in: a user's password (bcrypt), and no login from a local address when configured.
struct WebLoginTests {
    /// A hash made once (cost 12 takes a while): the password is "correct horse".
    static let hash = WebLogin.hash("correct horse")

    @Test func hashesAreBcryptAndCheckedAsSuch() {
        #expect(WebUser.isBcrypt(Self.hash) && Self.hash.hasPrefix("$2b$12$"))
        #expect(WebUser.isBcrypt("$2y$10$" + String(repeating: "a", count: 53)), "htpasswd -B writes $2y$")
        for bad in ["correct horse", "$2b$12$short", "$2x$12$" + String(repeating: "a", count: 53), "$2b$99$" + String(repeating: "a", count: 53)] {
            #expect(!WebUser.isBcrypt(bad), "\(bad)")
        }
        let settings = {
            var s = ServerSettings()
            s.users = [WebUser(name: "alice", passwordHash: Self.hash)]
            return s
        }()
        #expect(WebLogin.check(user: "alice", password: "correct horse", settings: settings, apiKey: ServeFixture.key))
        #expect(!WebLogin.check(user: "alice", password: "wrong", settings: settings, apiKey: ServeFixture.key))
        #expect(!WebLogin.check(user: "bob", password: "correct horse", settings: settings, apiKey: ServeFixture.key))
        #expect(!WebLogin.check(user: "alice", password: ServeFixture.key, settings: settings, apiKey: ServeFixture.key), "the key is no user's password")
        #expect(WebLogin.check(user: nil, password: ServeFixture.key, settings: settings, apiKey: ServeFixture.key))
    }

    @Test func theConfigRefusesAPasswordThatIsNotAHash() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("usher-users-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/usher.yml"
        func load(_ server: String) throws(ConfigError) -> UsherConfig {
            try? "library: {movies: [m], shows: [t]}\nserver:\n\(server)\n".write(toFile: path, atomically: true, encoding: .utf8)
            return try UsherConfig.load(path: path, environment: [:])
        }
        do {
            _ = try load("  users:\n    - {name: alice, password: hunter2}")
            Issue.record("a plain password was accepted")
        } catch {
            #expect(error.description.contains("usher.yml:4"), "\(error.description)")
            #expect(error.description.contains("bcrypt") && !error.description.contains("hunter2"), "\(error.description)")
        }
        #expect(throws: ConfigError.self) { try load("  authentication_required: sometimes") }
        let config = try load("  users: [{name: alice, password: \"\(Self.hash)\"}]\n  authentication_required: disabled_for_local_addresses")
        #expect(config.server.users.map(\.name) == ["alice"] && config.server.localWithoutLogin)
        #expect(!config.rendered().contains(Self.hash), "config show redacts the hash")
    }

    @Test func localAddresses() throws {
        for local in ["127.0.0.1", "10.1.2.3", "172.20.0.5", "192.168.1.10", "169.254.0.1", "100.64.1.1", "::1", "fd00::1", "fe80::1", "::ffff:192.168.0.2"] {
            #expect(WebLogin.isLocal(try SocketAddress(ipAddress: local, port: 1)), "\(local)")
        }
        for remote in ["8.8.8.8", "172.32.0.1", "193.168.1.1", "2001:db8::1", "::ffff:8.8.8.8"] {
            #expect(!WebLogin.isLocal(try SocketAddress(ipAddress: remote, port: 1)), "\(remote)")
        }
        #expect(!WebLogin.isLocal(nil))
    }

    @Test func aUserLogsInWithTheirPassword() async throws {
        let f = try ServeFixture(server: "server: {api_key: \"\(ServeFixture.key)\", users: [{name: alice, password: \"\(Self.hash)\"}]}")
        defer { f.remove() }
        try await f.test { client in
            let (cookie, token) = try await client.execute(uri: "/login", method: .get) { response in
                #expect(String(buffer: response.body).contains(#"name="username""#), "the form asks for a user name")
                return (WebPagesTests.cookies(response)[WebPages.loginCookie] ?? "", WebPagesTests.csrf(String(buffer: response.body)) ?? "")
            }
            var headers = WebPagesTests.formHeaders
            headers[.cookie] = "\(WebPages.loginCookie)=\(cookie)"
            try await client.execute(
                uri: "/login", method: .post, headers: headers, body: WebPagesTests.form(["csrf": token, "username": "alice", "password": "nope"])
            ) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("That user name and password do not match."))
            }
            try await client.execute(
                uri: "/login", method: .post, headers: headers, body: WebPagesTests.form(["csrf": token, "username": "alice", "password": "correct horse"])
            ) { response in
                #expect(response.status == .seeOther)
                #expect(WebPagesTests.cookies(response)[WebPages.sessionCookie]?.count == 64)
            }
        }
    }

    /// The router test client has no remote address: it is never local, so the login is still asked for. The decision
    /// itself is checked with addresses and headers.
    @Test func localVisitorsOnlyWhenConfiguredAndNotProxied() async throws {
        let on = try ServeFixture(server: "server: {api_key: \"\(ServeFixture.key)\", authentication_required: disabled_for_local_addresses}")
        defer { on.remove() }
        try await on.test { client in
            try await client.execute(uri: "/links", method: .get) { #expect($0.status == .seeOther) }
        }
        let off = try ServeFixture()
        defer { off.remove() }
        func decide(_ state: ServeState, address: String, headers: HTTPFields = [:]) throws -> Bool {
            let request = Request(
                head: .init(method: .get, scheme: "http", authority: "x", path: "/", headerFields: headers), body: .init(buffer: ByteBuffer()))
            return WebPages.isLocal(state, request, remoteAddress: try SocketAddress(ipAddress: address, port: 1))
        }
        #expect(try decide(on.state, address: "127.0.0.1"))
        #expect(try decide(on.state, address: "192.168.1.5"))
        #expect(try !decide(on.state, address: "8.8.8.8"))
        #expect(try !decide(on.state, address: "127.0.0.1", headers: [.init("X-Forwarded-For")!: "8.8.8.8"]), "a proxy on this machine")
        #expect(try !decide(on.state, address: "127.0.0.1", headers: [.init("Forwarded")!: "for=8.8.8.8"]))
        #expect(try !decide(off.state, address: "127.0.0.1"), "off by default")
    }
}

/// Sessions are kept in usher.db by the SHA-256 of their token: a restart of the server logs nobody out, the token
/// itself is never stored, and logout, idleness and the limit end them there too.
struct WebSessionStoreTests {
    @Test func aSessionOutlivesARestartOfTheServer() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        let (session, csrf) = try await Application(router: ServeRoutes.router(f.state)).test(.router) { client in
            try await WebPagesTests.login(client)
        }
        // The same state file, a new server.
        let restarted = ServeState(
            config: f.config, ledger: try Ledger(path: f.config.statePath), runner: f.state.runner, board: ScheduleBoard(),
            counters: ServeCounters(metrics: nil), startedAt: Date(), apiKey: ServeFixture.key)
        let app = Application(router: ServeRoutes.router(restarted))
        try await app.test(.router) { client in
            try await client.execute(uri: "/links", method: .get, headers: [.cookie: "\(WebPages.sessionCookie)=\(session)"]) { response in
                #expect(response.status == .ok)
                #expect(WebPagesTests.csrf(String(buffer: response.body)) == csrf, "the same session, with its CSRF token")
            }
        }
        // The token is nowhere in the state file; its hash is.
        let raw = try Data(contentsOf: URL(fileURLWithPath: f.config.statePath))
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: f.config.statePath + "-wal"))) ?? Data()
        #expect(raw.range(of: Data(session.utf8)) == nil && wal.range(of: Data(session.utf8)) == nil)
        #expect(try f.state.ledger.webSession(hash: WebSessions.hash(session)) != nil)
    }

    @Test func logoutIdlenessAndTheLimitEndStoredSessions() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        let ledger = f.state.ledger
        let start = Date()
        let sessions = WebSessions(idle: 3600, limit: 3, store: ledger)
        let a = await sessions.create(now: start)
        // A restart: a new set of sessions over the same store knows `a`, until it ends.
        let later = WebSessions(idle: 3600, limit: 3, store: ledger)
        #expect(await later.session(a.id, now: start.addingTimeInterval(60))?.csrf == a.csrf)
        await later.end(a.id)
        #expect(await WebSessions(store: ledger).session(a.id) == nil, "logged out everywhere")
        // Idle too long: gone from the store when seen.
        let b = await sessions.create(now: start)
        #expect(await WebSessions(idle: 3600, store: ledger).session(b.id, now: start.addingTimeInterval(7200)) == nil)
        #expect(try ledger.webSession(hash: WebSessions.hash(b.id)) == nil)
        // At most `limit` kept: the least recently seen goes.
        var made: [WebSessions.Session] = []
        for i in 0..<4 { made.append(await sessions.create(now: start.addingTimeInterval(Double(i)))) }
        #expect(try ledger.webSessionCount() == 3)
        #expect(try ledger.webSession(hash: WebSessions.hash(made[0].id)) == nil)
        #expect(await WebSessions(store: ledger).session("not-a-session") == nil)
    }
}
