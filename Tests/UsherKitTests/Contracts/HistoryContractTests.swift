import Foundation
import Logging
import Testing
import UsherCore
import UsherFakes
import Yams

@testable import UsherKit

/// The fakes that stand in for Plex's and Jellyfin's history are held to the servers' API documents: every request
/// a prefetch run (and `usher config check`) sends is an operation of the document with parameters it declares,
/// and, for Jellyfin, every answer of the fake fits the document's schema.
@Suite("Contracts: the history fakes of Plex and Jellyfin")
struct HistoryContractTests {
    /// The trimmed Jellyfin 10.11 document kept in the repository (`Contracts/jellyfin/PROVENANCE.txt`).
    static let jellyfinDocument = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("jellyfin").appendingPathComponent("jellyfin-openapi-10.11.0.trimmed.json")

    /// A run with every request kind: a library filter, someone playing now, and the check.
    func exercise(_ world: HistoryWorld, history: String) async throws {
        world.load(HistoryWorld.household)
        let playing = HistoryWorld.Viewing(user: "bob", show: HistoryWorld.expanse, season: 2, episode: 1, hoursAgo: 0)
        let now = Int64(world.now.timeIntervalSince1970)
        world.plex.setPlaying("bob", world.plexPlay(playing, at: now))
        world.jellyfin.setPlaying("bob", world.jellyfinPlay(playing, at: now))
        world.settings = "  libraries: [TV Shows]"
        let report = try await world.prefetch(history)
        #expect(report.errors.isEmpty && !report.searched.isEmpty, "\(report.errors)")
        let config = try world.config(history: history)
        let hub = ServiceHub(config: config, logger: .init(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let checks = await PrefetchJob.check(config: config, hub: hub)
        #expect(checks.allSatisfy { $0.ok }, "\(checks.map(\.message))")
        await hub.shutdown()
    }

    @Test func jellyfinRequestsAreTheDocumentsOperationsAndAnswersFitItsSchemas() async throws {
        let contract = try OpenAPIContract(specAt: Self.jellyfinDocument)
        let schemas = try #require((contract.document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let world = try await HistoryWorld()
        defer { Task { await world.stop() } }
        try await exercise(world, history: "jellyfin")
        let requests = world.jellyfin.requests
        #expect(Set(requests.map(\.path)) == ["/System/Info", "/Users", "/Items", "/Sessions", "/Library/VirtualFolders"])
        let replay = serviceClient("jellyfin", url: world.jellyfin.url, header: "X-Emby-Token", key: world.jellyfin.apiKey)
        for request in requests {
            let what = "\(request.method) \(request.path)"
            #expect(request.method == "GET", "\(what)")
            let template = try #require(contract.pathTemplate(matching: request.path), "\(what) is in the document")
            let operation = try #require(
                ((contract.document["paths"] as? [String: Any])?[template] as? [String: Any])?["get"] as? [String: Any], "\(what)")
            #expect(request.header("Authorization")?.hasPrefix("MediaBrowser ") == true && request.header("Authorization")?.contains("Token=\"") == true)
            // ASP.NET matches parameter names without case: the document spells them camelCase, Usher PascalCase.
            var declared: [String: [String: Any]] = [:]
            for parameter in operation["parameters"] as? [[String: Any]] ?? [] where parameter["in"] as? String == "query" {
                if let name = parameter["name"] as? String { declared[name.lowercased()] = parameter["schema"] as? [String: Any] ?? [:] }
            }
            for (name, value) in request.query {
                let schema = try #require(declared[name.lowercased()], "\(what): '\(name)' is not a parameter of the document")
                let type = schema["type"] as? String
                let values = type == "array" ? value.split(separator: ",").map(String.init) : [value]
                let itemRef = ((schema["items"] as? [String: Any])?["$ref"] as? String)?.split(separator: "/").last.map(String.init)
                if let itemRef, let allowed = (schemas[itemRef] as? [String: Any])?["enum"] as? [String] {
                    for v in values { #expect(allowed.contains(v), "\(what): \(name)=\(v) is not one of \(itemRef)") }
                }
                if type == "boolean" { #expect(["true", "false"].contains(value), "\(what): \(name)=\(value)") }
                if type == "integer" { #expect(Int(value) != nil, "\(what): \(name)=\(value)") }
            }
            let answer = try await replay.send("GET", request.path, query: request.query)
            #expect(contract.violations(of: answer.body, forResponseOf: "GET", path: request.path, status: 200, strict: true) == [], "\(what)")
        }
        // The paging and sorting of a user's played episodes, in the document's terms.
        let played = try #require(requests.first { $0.query("UserId") != nil })
        for name in ["Recursive", "IncludeItemTypes", "Filters", "SortBy", "SortOrder", "Fields", "StartIndex", "Limit"] {
            #expect(played.query(name) != nil, "\(name) sent")
        }
    }

    /// The fake takes the key as Jellyfin does — `Authorization` or `X-Emby-Authorization` (`MediaBrowser
    /// Token="…"`), or `X-Emby-Token` — and refuses a request without it or with another key.
    @Test func theFakeJellyfinReadsTheKeyFromEitherHeader() async throws {
        let jellyfin = try await FakeJellyfin.start()
        defer { Task { await jellyfin.stop() } }
        let key = jellyfin.apiKey
        for (header, value) in [
            ("Authorization", JellyfinClient.authorization(apiKey: key)), ("X-Emby-Authorization", "MediaBrowser Client=\"x\", Token=\"\(key)\""),
            ("X-Emby-Token", key),
        ] {
            _ = try await serviceClient("jellyfin", url: jellyfin.url, header: header, key: value).send("GET", "/Users")
        }
        for (header, value) in [("X-Emby-Token", "other-key"), ("Authorization", "Bearer \(key)"), ("X-Api-Key", key)] {
            do {
                _ = try await serviceClient("jellyfin", url: jellyfin.url, header: header, key: value).send("GET", "/Users")
                Issue.record("\(header): \(value) let in")
            } catch {
                #expect(error.kind == .unauthorized)
            }
        }
    }

    @Test(.enabled(if: Contracts.isAvailable, Contracts.missingComment))
    func plexRequestsAreTheDocumentsOperations() async throws {
        let text = try String(contentsOf: try Contracts.spec("plex/plex-api-spec.yaml"), encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        let components = (document["components"] as? [String: Any])?["parameters"] as? [String: Any] ?? [:]
        let world = try await HistoryWorld()
        defer { Task { await world.stop() } }
        try await exercise(world, history: "plex")
        let requests = world.plex.server.requests
        #expect(
            Set(requests.map { $0.path.hasPrefix("/library/metadata/") ? "/library/metadata/{ids}" : $0.path })
                == ["/library/sections", "/accounts", "/status/sessions/history/all", "/status/sessions", "/library/metadata/{ids}"])
        func template(_ path: String) -> String? {
            let segments = path.split(separator: "/")
            return paths.keys.sorted().first { candidate in
                let pattern = candidate.split(separator: "/")
                return pattern.count == segments.count && zip(pattern, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
            }
        }
        for request in requests {
            let what = "\(request.method) \(request.path)"
            #expect(request.header("X-Plex-Token") == world.plex.token && request.header("Accept") == "application/json", "\(what)")
            // Not in the community document: the server's accounts (python-plexapi's `systemAccounts()` reads it),
            // and the sections as `PlexClient.sections()` has always asked them (the document's `/library/sections/all`;
            // NOTES.md §8, Sonarr and python-plexapi ask `/library/sections`).
            if request.path == "/accounts" || request.path == "/library/sections" { continue }
            let name = try #require(template(request.path), "\(what) is in the document")
            let operation = try #require((paths[name] as? [String: Any])?["get"] as? [String: Any], "\(what)")
            var declared = Set<String>()
            var required = Set<String>()
            for entry in operation["parameters"] as? [[String: Any]] ?? [] {
                let parameter = (entry["$ref"] as? String).flatMap { components[String($0.split(separator: "/").last ?? "")] as? [String: Any] } ?? entry
                guard parameter["in"] as? String == "query", let parameterName = parameter["name"] as? String else { continue }
                declared.insert(parameterName)
                if parameter["required"] as? Bool == true { required.insert(parameterName) }
            }
            // Paging is declared once for every container (`components/parameters`).
            declared.formUnion(["X-Plex-Container-Start", "X-Plex-Container-Size"].filter { components[$0] != nil })
            for (parameter, _) in request.query {
                // `viewedAt` is written `viewedAt>=…`, as the document says; `includeGuids` is NOTES.md §8's.
                let known = parameter == "viewedAt>" ? "viewedAt" : parameter
                if known == "includeGuids", name == "/library/metadata/{ids}" { continue }
                #expect(declared.contains(known), "\(what): '\(parameter)' is not a parameter of the document")
            }
            for parameter in required { #expect(request.query(parameter) != nil, "\(what) needs \(parameter)") }
        }
        // The history's rows carry the types the document gives them.
        let historySchema = try #require(
            ((((((((paths["/status/sessions/history/all"] as? [String: Any])?["get"] as? [String: Any])?["responses"] as? [String: Any])?["200"]
                as? [String: Any])?["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"] as? [String: Any])?["properties"]
                as? [String: Any])?["MediaContainer"] as? [String: Any])
        let rowProperties = try #require(
            ((((historySchema["allOf"] as? [[String: Any]])?.last?["properties"] as? [String: Any])?["Metadata"] as? [String: Any])?["items"]
                as? [String: Any])?["properties"] as? [String: Any])
        let asked = try #require(requests.first { $0.path == "/status/sessions/history/all" })
        let replay = serviceClient("plex", url: world.plex.url, header: "X-Plex-Token", key: world.plex.token)
        let body = try await replay.send("GET", asked.path, query: asked.query).body
        let rows = try #require(
            ((try JSONSerialization.jsonObject(with: body) as? [String: Any])?["MediaContainer"] as? [String: Any])?["Metadata"] as? [[String: Any]])
        #expect(!rows.isEmpty)
        for row in rows {
            for (key, value) in row {
                guard let type = (rowProperties[key] as? [String: Any])?["type"] as? String else { continue }
                switch type {
                case "integer": #expect(value as? Int != nil && !(value is String), "\(key) is an integer")
                case "string": #expect(value is String, "\(key) is a string")
                default: break
                }
            }
        }
    }
}
