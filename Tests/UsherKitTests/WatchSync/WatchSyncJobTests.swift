import Foundation
import Logging
import Testing
import UsherCore
import UsherFakes
import Yams

@testable import UsherKit

/// Issue 18: a film linked as a special is two Plex items; `usher watch-sync` keeps them watched alike per user,
/// against a fake Plex (items with media parts, each user's state) and a fake plex.tv (users and their tokens).
@Suite("Watch sync: a linked film and its special watched alike")
struct WatchSyncJobTests {
    /// A linked library (24: Redemption as 24 S00E09, hardlinked), Plex holding both items (movie 101, episode 201)
    /// and bob, a friend the server is shared with.
    final class World: @unchecked Sendable {
        let lib: TestLibrary
        let plex: FakePlex
        let plexTV: FakePlexTV
        var watchSync = "true"

        static let bob = FakePlexTV.User(id: "22", title: "bob", username: "bob", email: "bob@example.org", serverToken: "bob-server-token-22")

        init(users: [FakePlexTV.User] = [bob], scanned: Bool = true) async throws {
            lib = try TestLibrary()
            try lib.standard()
            _ = try await lib.link()
            plex = try await FakePlex.start(
                token: "owner-plex-token-xyz",
                sections: [
                    .init(key: "1", type: "movie", title: "Movies", locations: [lib.path("movies")]),
                    .init(key: "2", type: "show", title: "TV", locations: [lib.path("tv")]),
                ])
            plexTV = try await FakePlexTV.start(ownerToken: plex.token, ownerName: "ann", machineIdentifier: plex.machineIdentifier, users: users)
            for user in users { if let token = user.serverToken ?? user.homeServerToken { plex.addUser(user.title, token: token) } }
            plex.addItem(.init(ratingKey: "101", type: "movie", title: "24: Redemption", section: "1", files: [lib.path(redemptionSource)]))
            if scanned { scanEpisode() }
        }

        func scanEpisode(ratingKey: String = "201") {
            plex.addItem(.init(ratingKey: ratingKey, type: "episode", title: "Redemption", section: "2", files: [lib.path(redemptionTarget)]))
        }

        func config() throws -> UsherConfig {
            lib.extraTopConfig = """
                plex: {url: "\(plex.url)", token: \(plex.token), watch_sync: \(watchSync), plex_tv: "\(plexTV.url)"}
                api: {attempts: 1, timeout_seconds: 3}
                """
            return try lib.config()
        }

        func sync(dryRun: Bool = false) async throws -> WatchSyncReport {
            try await WatchSyncJob(config: config(), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }).run(WatchSyncOptions(dryRun: dryRun))
        }

        func watched(_ user: String) -> Set<String> { plex.watchedItems(of: user) }

        func stop() async {
            await plex.stop()
            await plexTV.stop()
        }
    }

    @Test func bothWaysForTwoUsersAndNoLoop() async throws {
        let world = try await World()
        defer { Task { await world.stop() } }
        // ann (the owner) watched the movie; bob watched the special.
        world.plex.setWatched("101", by: world.plex.owner, true)
        world.plex.setWatched("201", by: "bob", true)

        let first = try await world.sync()
        #expect(first.errors.isEmpty, "\(first.errors)")
        #expect(first.users == ["ann", "bob"] && first.pairs == 1 && first.found == 1 && first.waiting.isEmpty)
        #expect(world.watched(world.plex.owner) == ["101", "201"], "ann's special follows her movie")
        #expect(world.watched("bob") == ["101", "201"], "bob's movie follows his special")
        #expect(Set(first.marked.map { "\($0.user) \($0.item) \($0.watched)" }) == ["ann episode true", "bob movie true"])

        // Usher's own marks, seen again (a webhook or the next look): nothing to do.
        let quiet = try await world.sync()
        #expect(quiet.marked.isEmpty && quiet.errors.isEmpty && quiet.warnings.isEmpty)
        #expect(quiet.requests == 6, "owner's items, plex.tv's account, users and tokens, /identity, bob's items: \(quiet.requests)")

        // ann marks the special unwatched by hand: the later change wins, the movie follows; bob is untouched.
        world.plex.setWatched("201", by: world.plex.owner, false)
        let undo = try await world.sync()
        #expect(undo.marked.map { "\($0.user) \($0.item) \($0.watched)" } == ["ann movie false"])
        #expect(world.watched(world.plex.owner).isEmpty && world.watched("bob") == ["101", "201"])
        // bob marks the movie unwatched: his special follows.
        world.plex.setWatched("101", by: "bob", false)
        _ = try await world.sync()
        #expect(world.watched("bob").isEmpty)
        #expect(try await world.sync().marked.isEmpty)
    }

    @Test func aDryRunSaysWhatItWouldMarkAndKeepsNothing() async throws {
        let world = try await World()
        defer { Task { await world.stop() } }
        world.plex.setWatched("101", by: world.plex.owner, true)
        let dry = try await world.sync(dryRun: true)
        #expect(dry.dryRun && dry.marked.map { "\($0.user) \($0.item) \($0.watched)" } == ["ann episode true"])
        #expect(dry.text().contains("Would do: 1 to mark"))
        #expect(world.watched(world.plex.owner) == ["101"], "nothing marked")
        #expect(world.plex.server.requests.allSatisfy { $0.path != "/:/scrobble" && $0.path != "/:/unscrobble" })
        // No baseline was kept: the real run still sees a first look, and watched wins.
        #expect(try Ledger(path: world.lib.path("state/usher.db")).watchBaselines().isEmpty)
        _ = try await world.sync()
        #expect(world.watched(world.plex.owner) == ["101", "201"])
    }

    @Test func anItemPlexHasNotScannedYetWaitsWithoutAnError() async throws {
        let world = try await World(scanned: false)
        defer { Task { await world.stop() } }
        world.plex.setWatched("101", by: world.plex.owner, true)
        let early = try await world.sync()
        #expect(early.errors.isEmpty && early.marked.isEmpty && early.found == 0)
        #expect(early.waiting == [world.lib.path(redemptionTarget)])
        #expect(!early.hasErrors)

        world.scanEpisode()
        let later = try await world.sync()
        #expect(later.waiting.isEmpty && later.found == 1)
        #expect(world.watched(world.plex.owner) == ["101", "201"])
        // Found once, the items are asked by their keys: no more listing of the libraries.
        world.plex.server.resetRequests()
        _ = try await world.sync()
        #expect(world.plex.server.requests.allSatisfy { !$0.path.hasSuffix("/all") }, "\(world.plex.server.requests.map(\.path))")
    }

    @Test func anItemScannedAgainUnderANewKeyIsFoundAgain() async throws {
        let world = try await World()
        defer { Task { await world.stop() } }
        _ = try await world.sync()
        // Plex lost the episode and found its file again as another item (the old key is gone).
        world.plex.removeItem("201")
        world.scanEpisode(ratingKey: "305")
        world.plex.setWatched("101", by: "bob", true)
        let report = try await world.sync()
        #expect(report.errors.isEmpty && report.found == 1)
        #expect(world.watched("bob") == ["101", "305"])
        #expect(try Ledger(path: world.lib.path("state/usher.db")).watchItems()[world.lib.path(redemptionTarget)]?.keys == ["305"])
    }

    /// A film linked as a special in two parts is one file that Plex shows as two episodes: both follow the film,
    /// and the film follows either.
    @Test func aFilmLinkedAsTwoEpisodesKeepsBothAlike() async throws {
        let world = try await World(scanned: false)
        defer { Task { await world.stop() } }
        try world.lib.writeMappings(
            """
            links:
              - movie: "24: Redemption"
                year: 2008
                show: "24"
                episodes: S00E09-E10
                title: Redemption
            """)
        _ = try await world.lib.link()
        let target = try #require(try world.lib.ledger().first?.target)
        #expect(target.contains("E10"))
        for key in ["201", "202"] { world.plex.addItem(.init(ratingKey: key, type: "episode", title: "Redemption", section: "2", files: [target])) }
        world.plex.setWatched("101", by: "bob", true)
        let first = try await world.sync()
        #expect(first.errors.isEmpty && first.found == 1 && first.pairs == 1)
        #expect(world.watched("bob") == ["101", "201", "202"])
        #expect(try Ledger(path: world.lib.path("state/usher.db")).watchItems()[target]?.keys == ["201", "202"])
        // bob marks the second part unwatched: the film follows, and then the first part follows the film.
        world.plex.setWatched("202", by: "bob", false)
        _ = try await world.sync()
        #expect(!world.watched("bob").contains("101"))
        _ = try await world.sync()
        #expect(world.watched("bob").isEmpty)
        #expect(try await world.sync().marked.isEmpty)
    }

    /// Plex in a container sees the library under /data and no `paths:` mapping says so: the files' paths match
    /// nothing, and the mapping's ids find the two items (the movie by `tmdb://`, the special by its show's `tvdb://`,
    /// season and number), said once.
    @Test func withoutAPathMappingTheMappingsIdsFindTheItems() async throws {
        let world = try await World(scanned: false)
        defer { Task { await world.stop() } }
        try world.lib.writeMappings(
            """
            links:
              - movie: "24: Redemption"
                year: 2008
                tmdb: 15035
                show: "24"
                tvdb: 76290
                episodes: S00E09
                title: Redemption
            """)
        _ = try await world.lib.link()
        world.plex.removeItem("101")
        world.plex.setSections([
            .init(key: "1", type: "movie", title: "Movies", locations: ["/data/movies"]),
            .init(key: "2", type: "show", title: "TV", locations: ["/data/tv"]),
        ])
        world.plex.addItem(
            .init(
                ratingKey: "101", type: "movie", title: "24: Redemption", section: "1", files: ["/data/" + redemptionSource],
                guids: ["imdb://tt1102342", "tmdb://15035"]))
        world.plex.addItem(.init(ratingKey: "102", type: "movie", title: "Heat", section: "1", files: ["/data/movies/Heat.mkv"], guids: ["tmdb://949"]))
        world.plex.addItem(.init(ratingKey: "300", type: "show", title: "24", section: "2", files: [], guids: ["tvdb://76290"]))
        world.plex.addItem(.init(ratingKey: "310", type: "show", title: "Heat Show", section: "2", files: [], guids: ["tvdb://1"]))
        for (key, show, episode) in [("201", "300", 9), ("202", "300", 8), ("203", "310", 9)] {
            world.plex.addItem(
                .init(ratingKey: key, type: "episode", title: "e", section: "2", files: ["/data/tv/\(key).mkv"], show: show, season: 0, episode: episode))
        }
        world.plex.setWatched("201", by: "bob", true)
        let first = try await world.sync()
        #expect(first.errors.isEmpty && first.found == 1, "\(first.errors)")
        #expect(world.watched("bob") == ["101", "201"], "the right movie and the right special")
        #expect(first.warnings.count == 1 && first.warnings[0].contains("paths:") && first.warnings[0].contains("/data/"), "\(first.warnings)")
        // Kept by key: the next run lists no library and says nothing more.
        world.plex.server.resetRequests()
        let second = try await world.sync()
        #expect(second.warnings.isEmpty && second.errors.isEmpty)
        #expect(world.plex.server.requests.allSatisfy { !$0.path.hasSuffix("/all") && !$0.path.hasSuffix("/allLeaves") })
    }

    /// An item Plex does not show for a while (a rescan) keeps the pair's last agreed state: when it is back, an
    /// unwatched movie still leads, rather than a first look where watched wins.
    @Test func aPairMissingForARunKeepsItsAgreedState() async throws {
        let world = try await World()
        defer { Task { await world.stop() } }
        world.plex.setWatched("101", by: world.plex.owner, true)
        _ = try await world.sync()
        #expect(world.watched(world.plex.owner) == ["101", "201"])
        world.plex.removeItem("201")
        let gone = try await world.sync()
        #expect(gone.waiting.count == 1 && gone.errors.isEmpty)
        let ledger = try Ledger(path: world.lib.path("state/usher.db"))
        #expect(try ledger.watchBaselines()[.init(pair: world.lib.path(redemptionTarget), user: "owner")] == true)
        // Back under the same key, still watched; meanwhile ann marked the movie unwatched.
        world.scanEpisode()
        world.plex.setWatched("201", by: world.plex.owner, true)
        world.plex.setWatched("101", by: world.plex.owner, false)
        let back = try await world.sync()
        #expect(back.marked.map { "\($0.user) \($0.item) \($0.watched)" } == ["ann episode false"])
        #expect(world.watched(world.plex.owner).isEmpty)
    }

    @Test func baselinesOfLinksThatAreGoneAreDropped() throws {
        let lib = try TestLibrary()
        let ledger = try Ledger(path: lib.path("usher.db"))
        let keys = ["/tv/a.mkv", "/tv/b.mkv#1", "/tv/b.mkv#2", "/tv/gone.mkv", "/tv/gone.mkv#1", "/tv/c#d.mkv"]
        try ledger.updateWatchBaselines(Dictionary(uniqueKeysWithValues: keys.map { (.init(pair: $0, user: "owner"), true) }), links: Set(keys))
        try ledger.updateWatchBaselines([:], links: ["/tv/a.mkv", "/tv/b.mkv", "/tv/c#d.mkv"])
        #expect(Set(try ledger.watchBaselines().keys.map(\.pair)) == ["/tv/a.mkv", "/tv/b.mkv#1", "/tv/b.mkv#2", "/tv/c#d.mkv"])
    }

    /// A friend the movie library is not shared with cannot see the movie: the pair is left out for them (nothing
    /// marked, no error), and the owner's is still kept alike.
    @Test func aPairAUserCannotSeeIsLeftOutForThem() async throws {
        let world = try await World()
        defer { Task { await world.stop() } }
        world.plex.share(["2"], with: "bob")
        world.plex.setWatched("201", by: "bob", true)
        world.plex.setWatched("101", by: world.plex.owner, true)
        let report = try await world.sync()
        #expect(report.errors.isEmpty && report.users == ["ann", "bob"])
        #expect(report.marked.map { "\($0.user) \($0.item) \($0.watched)" } == ["ann episode true"])
        #expect(world.watched("bob") == ["201"])
        #expect(world.plex.server.requests.allSatisfy { $0.path != "/:/scrobble" || $0.query("key") != "101" })
    }

    @Test func aUserWithoutATokenIsReportedOnceNotAnErrorEveryRun() async throws {
        let carol = FakePlexTV.User(id: "33", title: "carol", username: "carol", email: "carol@example.org")
        let world = try await World(users: [World.bob, carol])
        defer { Task { await world.stop() } }
        let first = try await world.sync()
        #expect(first.errors.isEmpty && first.users == ["ann", "bob"])
        #expect(first.warnings.count == 1 && first.warnings[0].contains("carol"), "\(first.warnings)")
        let second = try await world.sync()
        #expect(second.warnings.isEmpty && second.errors.isEmpty, "said once")
        // A name in watch_sync.users that plex.tv does not list: said once too.
        world.watchSync = "{users: [ann, dave]}"
        let named = try await world.sync()
        #expect(named.users == ["ann"] && named.warnings.count == 1 && named.warnings[0].contains("'dave'"))
        #expect(try await world.sync().warnings.isEmpty)
    }

    @Test func aHomeUserIsReachedBySwitching() async throws {
        let kid = FakePlexTV.User(id: "44", title: "kid", home: true, homeToken: "kid-plextv-token-44", homeServerToken: "kid-server-token-44")
        let locked = FakePlexTV.User(id: "55", title: "grandpa", home: true, protected: true, homeToken: "gp-token-55", homeServerToken: "gp-server-55")
        let world = try await World(users: [kid, locked])
        defer { Task { await world.stop() } }
        world.plex.setWatched("201", by: "kid", true)
        let report = try await world.sync()
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(report.users == ["ann", "kid"])
        #expect(world.watched("kid") == ["101", "201"])
        #expect(report.warnings.count == 1 && report.warnings[0].contains("grandpa") && report.warnings[0].contains("PIN"))
        let json = report.json()
        for secret in ["kid-plextv-token-44", "kid-server-token-44", "gp-token-55", world.plex.token] { #expect(!json.contains(secret)) }
        // plex.tv answering the home user's resources with something else: an error that quotes none of its tokens.
        world.plexTV.brokenResources = true
        let broken = try await world.sync()
        #expect(broken.errors.count == 1 && broken.errors[0].contains("kid") && broken.errors[0].contains("not the JSON expected"), "\(broken.errors)")
        #expect(!broken.json().contains("leaky-server-token-99") && !broken.json().contains("kid-plextv-token-44"))
    }

    @Test func plexTVFailingLeavesOnlyTheOwnerAndForgetsNothing() async throws {
        let world = try await World()
        defer { Task { await world.stop() } }
        world.plex.setWatched("201", by: "bob", true)
        world.plexTV.failNext(count: 1)
        let report = try await world.sync()
        #expect(report.errors.count == 1 && report.errors[0].contains("plex.tv"))
        #expect(report.users == ["the owner"] && report.marked.isEmpty)
        #expect(!report.errors[0].contains(world.plex.token))
        #expect(world.watched("bob") == ["201"], "bob untouched")
        // plex.tv back: bob is synced then.
        _ = try await world.sync()
        #expect(world.watched("bob") == ["101", "201"])
    }

    @Test func plexFailingMarksNothing() async throws {
        let world = try await World()
        defer { Task { await world.stop() } }
        _ = try await world.sync()
        world.plex.setWatched("101", by: world.plex.owner, true)
        world.plex.failNext(count: 1)
        let report = try await world.sync()
        #expect(report.hasErrors && report.marked.isEmpty)
        #expect(world.watched(world.plex.owner) == ["101"])
        // The items Usher found are kept: the next run asks for them by key.
        #expect(try Ledger(path: world.lib.path("state/usher.db")).watchItems().count == 2)
        _ = try await world.sync()
        #expect(world.watched(world.plex.owner) == ["101", "201"])
    }

    /// `usher config check` says whose state can be compared, and a refused token plainly.
    @Test func configCheckSaysWhoseStateCanBeCompared() async throws {
        let carol = FakePlexTV.User(id: "33", title: "carol")
        let kid = FakePlexTV.User(id: "44", title: "kid", home: true, homeToken: "kid-plextv-44", homeServerToken: "kid-server-44")
        let world = try await World(users: [World.bob, carol, kid])
        defer { Task { await world.stop() } }
        let config = try world.config()
        let hub = ServiceHub(config: config, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let checks = await WatchSyncJob.check(config: config, hub: hub)
        #expect(checks.map(\.ok) == [true])
        #expect(
            checks.first?.message
                == "OK, watch sync: the owner ann, bob (shared), kid (home users, reached by switching); 1 user without a token of this server")
        world.plexTV.failNext()
        let failing = await WatchSyncJob.check(config: config, hub: hub)
        #expect(failing.map(\.ok) == [false] && failing.first?.message.contains(world.plex.token) == false)
        await hub.shutdown()
    }

    @Test func needsPlexWithWatchSyncOn() async throws {
        let lib = try TestLibrary()
        lib.extraTopConfig = "plex: {url: \"http://127.0.0.1:9\", token: t}"
        let config = try lib.config()
        #expect(config.requirementError(for: .watchSync)?.contains("watch_sync: true") == true)
        await #expect(throws: JobError.self) {
            _ = try await WatchSyncJob(config: config, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }).run(WatchSyncOptions())
        }
    }
}

/// The Plex requests of a sync run are operations of the Plex API document, its path templates filled in.
@Suite("Watch sync: Plex requests against the API document")
struct WatchSyncContractTests {
    /// `/library/metadata/101,201` matches `/library/metadata/{ids}`.
    static func template(for path: String, in paths: [String: Any]) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return paths.keys.sorted().first { candidate in
            let pattern = candidate.split(separator: "/", omittingEmptySubsequences: false)
            guard pattern.count == parts.count else { return false }
            return zip(pattern, parts).allSatisfy { p, s in p == s || (p.hasPrefix("{") && p.hasSuffix("}") && !s.isEmpty) }
        }
    }

    @Test(.enabled(if: Contracts.isAvailable, Contracts.missingComment))
    func everyPlexRequestIsAnOperationOfTheDocument() async throws {
        let text = try String(contentsOf: try Contracts.spec("plex/plex-api-spec.yaml"), encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        let world = try await WatchSyncJobTests.World()
        defer { Task { await world.stop() } }
        world.plex.setWatched("101", by: world.plex.owner, true)
        _ = try await world.sync()
        world.plex.setWatched("201", by: "bob", true)
        _ = try await world.sync()
        let requests = world.plex.server.requests
        #expect(
            Set(requests.map { $0.path.hasPrefix("/library/metadata/") ? "/library/metadata/…" : $0.path }).isSuperset(of: [
                "/identity", "/library/sections/1/all", "/library/sections/2/all", "/library/metadata/…", "/:/scrobble",
            ]))
        for request in requests {
            // The document names the list of sections `/library/sections/all`; Plex, Sonarr and python-plexapi use
            // `/library/sections` (contracts NOTES.md, section 8).
            let path = request.path == "/library/sections" ? "/library/sections/all" : request.path
            let found = Self.template(for: path, in: paths)
            let template = try #require(found, "\(request.path) is in the document")
            let entry = paths[template] as? [String: Any]
            let method = entry?[request.method.lowercased()] as? [String: Any]
            let operation = try #require(method, "\(request.method) \(template)")
            let declared = (operation["parameters"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            let references = (operation["parameters"] as? [[String: Any]] ?? []).compactMap { $0["$ref"] as? String }.map {
                $0.split(separator: "/").last.map(String.init) ?? ""
            }
            for (name, _) in request.query where name != "type" {
                // Paging is a shared parameter of the document (`X-Plex-Container-Start`/`-Size`).
                #expect(declared.contains(name) || references.contains(name), "\(template) takes \(name)")
            }
        }
    }
}

/// The fake plex.tv's user list has every attribute the Plex API document requires of plex.tv's `/api/users`.
@Suite("Watch sync: the fake plex.tv against the API document")
struct FakePlexTVContractTests {
    @Test(.enabled(if: Contracts.isAvailable, Contracts.missingComment))
    func usersCarryTheRequiredAttributes() async throws {
        let text = try String(contentsOf: try Contracts.spec("plex/plex-api-spec.yaml"), encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        let users = try #require(paths["/users"] as? [String: Any])
        let servers = (users["get"] as? [String: Any])?["servers"] as? [[String: Any]]
        #expect(servers?.first?["url"] as? String == "https://plex.tv/api", "plex.tv's /api/users")
        let schema =
            ((((((users["get"] as? [String: Any])?["responses"] as? [String: Any])?["200"] as? [String: Any])?["content"] as? [String: Any])?[
                "application/json"] as? [String: Any])?["schema"] as? [String: Any])
        let container = ((schema?["properties"] as? [String: Any])?["MediaContainer"] as? [String: Any])
        let user = (((container?["properties"] as? [String: Any])?["User"] as? [String: Any])?["items"] as? [String: Any])
        let required = try #require(user?["required"] as? [String])
        let server = ((((user?["properties"] as? [String: Any])?["Server"] as? [String: Any])?["items"] as? [String: Any])?["required"] as? [String]) ?? []
        #expect(required.count > 5 && server.count > 5)

        let fake = try await FakePlexTV.start(ownerToken: "owner-token-1", machineIdentifier: "m1", users: [WatchSyncJobTests.World.bob])
        defer { Task { await fake.stop() } }
        let client = PlexTVClient(client: serviceClient("plex.tv", url: fake.url, header: "X-Plex-Token", key: "owner-token-1"))
        let response = try await client.client.send(ServiceRequest("GET", "/api/users", accept: "application/xml"))
        let listed = try #require(PlexXML.elements(named: "User", in: response.body).first)
        for name in required where name != "Server" { #expect(listed[name] != nil, "User.\(name)") }
        let listedServer = try #require(PlexXML.elements(named: "Server", in: response.body).first)
        for name in server { #expect(listedServer[name] != nil, "Server.\(name)") }
        #expect(try await client.users().map(\.name) == ["bob"])
    }
}

@Suite("plex.tv's XML")
struct PlexXMLTests {
    @Test func attributesOfEveryElementOfOneName() {
        let xml = Data(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <MediaContainer size="2">
              <User id="22" title="Bob &amp; Co" username="bob" email="b@x.org" home="0">
                <Server id="9" name="a > b"/>
              </User>
              <Username id="no"/>
              <User id='33' title="&#233;lan &#x4E2D; &lt;3 &quot;q&quot; &bogus;" home="1" protected="1"/>
            </MediaContainer>
            """.utf8)
        let users = PlexXML.elements(named: "User", in: xml)
        #expect(users.count == 2)
        #expect(users[0]["title"] == "Bob & Co" && users[0]["id"] == "22" && users[0]["home"] == "0")
        #expect(users[1]["id"] == "33" && users[1]["title"] == "élan 中 <3 \"q\" &bogus;" && users[1]["protected"] == "1")
        #expect(PlexXML.elements(named: "Server", in: xml).first?["name"] == "a > b", "a '>' inside a value does not end the tag")
        #expect(PlexXML.elements(named: "User", in: Data("<User id=\"1\"".utf8)).isEmpty, "a truncated tag is no element")
        #expect(PlexXML.elements(named: "User", in: Data()).isEmpty)
    }
}
