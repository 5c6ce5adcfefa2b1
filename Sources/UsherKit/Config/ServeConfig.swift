import Foundation
public import UsherCore

/// `server:`: where `usher serve` listens and the key it asks for.
public struct ServerSettings: Sendable, Equatable {
    /// `127.0.0.1` unless configured: a server is private until someone opens it.
    public var host = "127.0.0.1"
    /// 0 lets the system pick (tests).
    public var port = 8686
    /// `""`, or a path such as `/usher` behind a reverse proxy (no trailing slash).
    public var urlBase = ""
    /// `nil` until `usher serve` reads or makes `usher_api_key` in `secrets.yml`.
    public var apiKey: String?
    /// `users:`: who may log in to the web page with a password (besides the API key).
    public var users: [WebUser] = []
    /// `authentication_required: disabled_for_local_addresses`: the web page opens without a login for requests
    /// from a loopback or private address that came through no proxy (the API still needs the key). Off by default.
    public var localWithoutLogin = false

    public init() {}
}

/// A person who may log in to the web page: a name and a bcrypt hash of the password (`usher hash-password`).
public struct WebUser: Sendable, Equatable {
    public var name: String
    public var passwordHash: String

    public init(name: String, passwordHash: String) {
        self.name = name
        self.passwordHash = passwordHash
    }

    /// `$2b$12$` and 53 characters of bcrypt's base 64 (also `$2a$` and `$2y$`, as `htpasswd -B` writes).
    public static func isBcrypt(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 60, text.hasPrefix("$2"), [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "y")].contains(bytes[2]),
            bytes[3] == UInt8(ascii: "$"), bytes[6] == UInt8(ascii: "$"), let cost = Int(String(decoding: bytes[4...5], as: UTF8.self)),
            (4...31).contains(cost)
        else { return false }
        return bytes[7...].allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "/")
        }
    }
}

/// `schedule:`: when `usher serve` starts each job on its own. `nil` means the default: link every 30
/// minutes, prefetch every `prefetch.run_every` and watch_sync every 15 minutes when the config can run them,
/// match never.
public struct ScheduleSettings: Sendable, Equatable {
    public var link: JobSchedule?
    public var prefetch: JobSchedule?
    public var match: JobSchedule?
    public var watchSync: JobSchedule?

    public init() {}
}

/// The jobs `usher serve` can start.
public enum ServeJob: String, CaseIterable, Sendable, Codable {
    case link, prefetch, match
    case watchSync = "watch_sync"

    public var command: UsherCommand {
        switch self {
        case .link: .link
        case .prefetch: .prefetch
        case .match: .match
        case .watchSync: .watchSync
        }
    }
}

extension UsherConfig {
    /// `server:`; without `server.listen`, the environment's `USHER_LISTEN` (the container sets `0.0.0.0:8686`).
    static func server(_ node: ConfigNode?, file: String, environment: [String: String]) throws(ConfigError) -> ServerSettings {
        var settings = ServerSettings()
        if let text = environment["USHER_LISTEN"], !text.isEmpty {
            guard let (host, port) = Self.listenAddress(text) else {
                throw ConfigError(file: file, message: "USHER_LISTEN='\(text)': expected host:port, such as 0.0.0.0:8686")
            }
            settings.host = host
            settings.port = port
        }
        guard let node, !node.isNull else { return settings }
        let fields = try node.mapping(allowed: ["listen", "url_base", "api_key", "users", "authentication_required"])
        if let listen = fields["listen"] {
            guard let (host, port) = Self.listenAddress(try listen.nonEmptyString()) else {
                throw listen.fail("expected host:port, such as 127.0.0.1:8686 or 0.0.0.0:8686 ([::1]:8686 for IPv6)")
            }
            settings.host = host
            settings.port = port
        }
        if let base = fields["url_base"], !base.isNull {
            var text = try base.string().trimmingCharacters(in: .whitespaces)
            while text.hasSuffix("/") { text.removeLast() }
            if !text.isEmpty {
                if !text.hasPrefix("/") { text = "/" + text }
                let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "/-._~"))
                guard text.unicodeScalars.allSatisfy({ $0.isASCII && allowed.contains($0) }), !text.contains("//") else {
                    throw base.fail("expected a path such as /usher (letters, digits, '-', '.', '_', '~' and '/')")
                }
            }
            settings.urlBase = text
        }
        if let key = fields["api_key"], !key.isNull {
            let text = try key.nonEmptyString()
            guard text.count >= 16 else { throw key.fail("an API key of at least 16 characters (or leave it out: usher serve makes one)") }
            settings.apiKey = text
        }
        if let users = fields["users"], !users.isNull {
            for item in try users.list() {
                let user = try item.mapping(allowed: ["name", "password"])
                guard let name = user["name"] else { throw item.fail("missing key 'name'") }
                guard let password = user["password"] else { throw item.fail("missing key 'password'") }
                let userName = try name.nonEmptyString()
                guard userName.count <= 100, !settings.users.contains(where: { $0.name == userName }) else {
                    throw name.fail("a user name of at most 100 characters, once")
                }
                let hash = try password.nonEmptyString()
                guard WebUser.isBcrypt(hash) else {
                    throw password.fail("expected a bcrypt hash ($2b$12$…), never the password itself: make one with `usher hash-password`")
                }
                settings.users.append(WebUser(name: userName, passwordHash: hash))
            }
        }
        if let required = fields["authentication_required"], !required.isNull {
            switch try required.string() {
            case "enabled": settings.localWithoutLogin = false
            case "disabled_for_local_addresses": settings.localWithoutLogin = true
            default: throw required.fail("expected enabled or disabled_for_local_addresses")
            }
        }
        return settings
    }

    /// `host:port`, `[v6]:port` or `:port` (all addresses); `nil` when it is none of them.
    static func listenAddress(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else { return nil }
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            return nil
        }
        if host.isEmpty { host = "0.0.0.0" }
        guard !host.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
        return (host, port)
    }

    static func schedule(_ node: ConfigNode?) throws(ConfigError) -> ScheduleSettings {
        var settings = ScheduleSettings()
        guard let node, !node.isNull else { return settings }
        let fields = try node.mapping(allowed: ServeJob.allCases.map(\.rawValue))
        for job in ServeJob.allCases {
            guard let field = fields[job.rawValue], !field.isNull else { continue }
            let schedule: JobSchedule
            switch JobSchedule.parse(try field.string()) {
            case .success(let parsed): schedule = parsed
            case .failure(let error): throw field.fail(error.message)
            }
            switch job {
            case .link: settings.link = schedule
            case .prefetch: settings.prefetch = schedule
            case .match: settings.match = schedule
            case .watchSync: settings.watchSync = schedule
            }
        }
        return settings
    }

    /// When `usher serve` starts `job`: as configured, or by default link every 30 minutes, prefetch
    /// every `prefetch.run_every` and watch_sync every 15 minutes when the config has what they need, match never.
    public func schedule(for job: ServeJob) -> JobSchedule {
        let configured: JobSchedule? =
            switch job {
            case .link: schedule.link
            case .prefetch: schedule.prefetch
            case .match: schedule.match
            case .watchSync: schedule.watchSync
            }
        if let configured { return configured }
        guard missing(for: job.command).isEmpty else { return .off }
        switch job {
        case .link: return .every(seconds: 30 * 60)
        case .prefetch: return .every(seconds: max(60, prefetch.runEveryMinutes * 60))
        case .match: return .off
        case .watchSync: return .every(seconds: 15 * 60)
        }
    }

    /// A job scheduled in `schedule:` that the config cannot run (`usher serve` refuses to start).
    public func scheduleProblems() -> [String] {
        ServeJob.allCases.compactMap { job in
            guard case .off = schedule(for: job) else {
                let needs = missing(for: job.command)
                return needs.isEmpty ? nil : "\(file): schedule: \(job.rawValue): \(job.command.name) needs " + needs.joined(separator: ", and ")
            }
            return nil
        }
    }
}
