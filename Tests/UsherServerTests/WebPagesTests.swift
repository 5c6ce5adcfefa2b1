import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import UsherCore
import UsherKit

@testable import UsherServer

/// The web page (issue 17): templates, every page logged in and out, the login and its session cookie, CSRF on
/// every form, and the proposals' accept and reject round trip through `usher match review`'s path.
struct WebPagesTests {
    static let pages = ["/", "/links", "/runs", "/prefetch", "/proposals"]

    /// The cookies a response sets, by name.
    static func cookies(_ response: TestResponse) -> [String: String] {
        var cookies: [String: String] = [:]
        for header in response.headers[values: .setCookie] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            cookies[String(pair[0])] = pair.count > 1 ? String(pair[1]) : ""
        }
        return cookies
    }

    static func csrf(_ html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value="([0-9a-f]{64})""#, options: .regularExpression) else { return nil }
        return String(html[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
    }

    static func form(_ fields: [String: String]) -> ByteBuffer {
        ByteBuffer(
            string: fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
                .joined(separator: "&"))
    }

    static let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// Logs in with the API key: the session cookie and the CSRF token of its pages.
    static func login(_ client: some TestClientProtocol, base: String = "", key: String = ServeFixture.key) async throws -> (cookie: String, csrf: String) {
        let (loginCookie, loginToken) = try await client.execute(uri: base + "/login", method: .get) { response in
            (cookies(response)[WebPages.loginCookie] ?? "", csrf(String(buffer: response.body)) ?? "")
        }
        var headers = formHeaders
        headers[.cookie] = "\(WebPages.loginCookie)=\(loginCookie)"
        let session = try await client.execute(
            uri: base + "/login", method: .post, headers: headers, body: form(["csrf": loginToken, "password": key, "next": "/"])
        ) { response in
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == base + "/")
            let setCookie = response.headers[values: .setCookie].first { $0.hasPrefix(WebPages.sessionCookie + "=") } ?? ""
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), "\(setCookie)")
            #expect(setCookie.contains("Path=\(base.isEmpty ? "/" : base)"))
            return cookies(response)[WebPages.sessionCookie] ?? ""
        }
        let pageToken = try await client.execute(uri: base + "/", method: .get, headers: [.cookie: "\(WebPages.sessionCookie)=\(session)"]) { response in
            csrf(String(buffer: response.body)) ?? ""
        }
        return (session, pageToken)
    }

    @Test func everyTemplateRendersAndEscapes() throws {
        for name in ["layout", "login", "overview", "links", "runs", "run", "proposals", "prefetch", "message"] {
            #expect(WebTemplates.library.getTemplate(named: name) != nil, "\(name) parses")
        }
        let hostile = "<script>alert(1)</script>"
        let html = WebTemplates.render(
            "message", ["title": hostile, "message": hostile, "base": "", "version": "1", "signedIn": true, "csrf": "x", "nav": [[String: Any]]()])
        #expect(!html.contains(hostile) && html.contains("&lt;script&gt;"), "values are escaped")
        #expect(!html.contains("{{"), "no tag left")
    }

    @Test func formatsUnits() {
        #expect(WebFormat.bytes(512) == "512 B")
        #expect(WebFormat.bytes(1_234_000_000) == "1.2 GB")
        #expect(WebFormat.bytes(45_600_000_000) == "45.6 GB")
        #expect(WebFormat.duration(4.2) == "4.20 s")
        #expect(WebFormat.duration(185) == "3 min 5 s")
        #expect(WebFormat.count(50000) == "50,000")
        #expect(WebFormat.counts(["created": 2, "unchanged": 0, "reclaimed_bytes": 5]) == "created 2, reclaimed bytes 5")
    }

    @Test func loggedOutPagesGoToTheLoginAndAssetsDoNot() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        try await f.test { client in
            for page in Self.pages + ["/runs/1"] {
                try await client.execute(uri: page + "?x=1", method: .get) { response in
                    #expect(response.status == .seeOther, "\(page)")
                    let location = response.headers[.location] ?? ""
                    #expect(location.hasPrefix("/login?next=%2F"), "\(page): \(location)")
                }
            }
            try await client.execute(uri: "/static/usher.css", method: .get) { response in
                #expect(response.status == .ok && response.headers[.contentType]?.hasPrefix("text/css") == true)
                #expect(String(buffer: response.body).contains("prefers-color-scheme: dark"))
            }
            try await client.execute(uri: "/static/usher.js", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/login", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
                #expect(!String(buffer: response.body).contains(ServeFixture.key))
            }
        }
    }

    @Test func everyPageLoggedIn() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        _ = try LinksRouteTests.fill(f.state.ledger)
        try await f.test { client in
            let (session, csrf) = try await Self.login(client)
            #expect(csrf.count == 64)
            let headers: HTTPFields = [.cookie: "\(WebPages.sessionCookie)=\(session)"]
            for (page, heading) in zip(Self.pages, ["Overview", "Links", "Runs", "Prefetch", "Proposals"]) {
                try await client.execute(uri: page, method: .get, headers: headers) { response in
                    let html = String(buffer: response.body)
                    #expect(response.status == .ok, "\(page)")
                    #expect(html.contains("<h1>\(heading)</h1>"), "\(page)")
                    #expect(html.contains(#"aria-current="page""#), "\(page) marks itself in the navigation")
                    #expect(!html.contains(ServeFixture.key), "\(page) never shows the key")
                    #expect(!html.contains("{{"), "\(page)")
                }
            }
            try await client.execute(uri: "/", method: .get, headers: headers) { response in
                #expect(String(buffer: response.body).contains("249"), "the links counted as the status counts them")
            }
            try await client.execute(uri: "/links?show=bleach", method: .get, headers: headers) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("83 links of shows matching “bleach”"), "filtered in SQLite as the API filters")
                #expect(html.contains(#"rel="next""#) == false)
            }
            try await client.execute(uri: "/links", method: .get, headers: headers) { response in
                #expect(String(buffer: response.body).contains("offset=100"), "a next page")
            }
            try await client.execute(uri: "/runs/999", method: .get, headers: headers) { #expect($0.status == .notFound) }
        }
    }

    /// Each service's last answer and last failure, as the status answer gives them: a service failing since its
    /// last answer is marked so, one never asked says so, and the waiting steps show.
    @Test func servicesShowTheirLastAnswerAndFailure() async throws {
        let f = try ServeFixture(
            extraConfig: """
                sonarr: {main: {url: "http://127.0.0.1:9", api_key: sonarr-secret-key}}
                radarr: {main: {url: "http://127.0.0.1:9", api_key: radarr-secret-key}}
                """)
        defer { f.remove() }
        var state = f.state
        state.health = ServiceHealth()
        let answered = Date(timeIntervalSince1970: 1_796_600_000)
        state.health.answered("sonarr main", at: answered)
        state.health.failed("sonarr main", "sonarr main: GET http://127.0.0.1:9/api/v3/series: cannot connect", at: answered.addingTimeInterval(60))
        try state.ledger.setServiceRetries([
            ServiceRetry(kind: .rescan, instance: "main", target: "1", label: "House", reason: "sonarr did not answer", since: 0, attempts: 1)
        ])
        let app = Application(router: ServeRoutes.router(state))
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/v1/status", method: .get, headers: [.init("X-Api-Key")!: ServeFixture.key]) { response in
                let services = body(response)["services"] as? [[String: Any]] ?? []
                #expect(services.map { $0["service"] as? String } == ["sonarr main", "radarr main"])
                #expect(services[0]["last_answer_at"] as? String == "2026-12-06T23:33:20Z")
                #expect(services[0]["last_failure_at"] as? String == "2026-12-06T23:34:20Z")
                #expect((services[0]["last_failure"] as? String)?.contains("cannot connect") == true)
                #expect(services[0]["waiting"] as? Int == 1 && services[0]["waiting_reason"] as? String == "sonarr did not answer")
                #expect(services[1]["last_answer_at"] == nil && services[1]["waiting"] as? Int == 0)
            }
            let (session, _) = try await Self.login(client)
            try await client.execute(uri: "/", method: .get, headers: [.cookie: "\(WebPages.sessionCookie)=\(session)"]) { response in
                let html = String(buffer: response.body)
                #expect(html.contains(#"<span class="outcome errors">failing</span>"#))
                #expect(html.contains(#"<time datetime="2026-12-06T23:33:20Z">"#) && html.contains("cannot connect"))
                #expect(html.contains("1 step waiting: sonarr did not answer"))
                #expect(html.contains("not asked since the server started"), "radarr")
                #expect(!html.contains("sonarr-secret-key") && !html.contains("radarr-secret-key"))
            }
        }
        // Answering again after the failure: no longer failing, the failure still told.
        state.health.answered("sonarr main", at: answered.addingTimeInterval(120))
        #expect(WebPages.serviceRows(ServeRoutes.serviceStatuses(state))[0]["failing"] == nil)
        #expect(WebPages.serviceRows(ServeRoutes.serviceStatuses(state))[0]["failure"] != nil)
    }

    /// The chart spans the width from the first run to the last, even when they were moments apart.
    @Test func theChartSpansItsRuns() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        for (index, seconds) in [100.0, 100.4, 100.5].enumerated() {
            var change = Ledger.Change()
            change.upserts = [
                LedgerEntry(
                    target: "/tv/S/\(index).mkv",
                    link: LedgerLink(sourcePath: "/m/\(index).mkv", identity: .hardlink(device: 1, inode: UInt64(index)), size: 1000),
                    mappingKey: "k\(index)", show: "S", createdAt: 1, updatedAt: 1)
            ]
            change.run = RunRecord(
                startedAt: Date(timeIntervalSince1970: seconds), durationMilliseconds: 1, created: 1, replaced: 0, removed: 0, unchanged: index,
                conflicts: 0, errors: 0, reclaimedBytes: 0)
            try f.state.ledger.apply(change)
        }
        try await f.test { client in
            let (session, _) = try await Self.login(client)
            try await client.execute(uri: "/", method: .get, headers: [.cookie: "\(WebPages.sessionCookie)=\(session)"]) { response in
                let html = String(buffer: response.body)
                #expect(html.contains(#"class="links" points="0.0,132.0 480.0,68.0 600.0,4.0""#), "\(html)")
                #expect(html.contains("links (up to 3)") && html.contains("space saved (up to 3.0 kB)"))
            }
        }
    }

    /// The prefetch page from the last prefetch run's report (the JSON the server keeps): viewers, each group, and
    /// when a searched episode may be searched again.
    @Test func thePrefetchPageReadsTheLastReport() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        let item = """
            {"series": "Naruto", "sonarr": "main", "season": 1, "episode": %d, "title": "Ep %d", "users": ["%@"], "reason": "%@",             "reached_in_minutes": %d, "client": "nzbget", "download_id": "%d"}
            """
        func entry(_ n: Int, _ user: String, _ reason: String) -> String { String(format: item, n, n, user, reason, n * 24, n) }
        let report = """
            {"dry_run": false, "searched": [\(entry(3, "alice", "missing, alice reaches it in 48 min"))],
             "prioritized": [\(entry(2, "bob", "downloading"))], "skipped": [\(entry(4, "alice", "not aired yet"))],
             "unmatched": [{"show": "Nowhere Show", "reason": "not in Sonarr", "new": true}], "warnings": [], "errors": [],
             "notified": [], "health_checked": false, "requests": 5}
            """
        let finished = Date(timeIntervalSince1970: 1_800_000_000)
        let id = try f.state.ledger.addJobRun(job: .prefetch, trigger: "schedule", dryRun: false, at: finished)
        try f.state.ledger.startJobRun(id: id, at: finished)
        try f.state.ledger.finishJobRun(
            id: id, at: finished, outcome: .ok, message: nil, counts: ["searched": 1], report: report, log: "info: searched <Naruto> S01E03")
        try await f.test { client in
            let (session, _) = try await Self.login(client)
            try await client.execute(uri: "/prefetch", method: .get, headers: [.cookie: "\(WebPages.sessionCookie)=\(session)"]) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("<strong>alice</strong>: <span class=\"chip\">Naruto</span>"), "\(html)")
                #expect(html.contains("<h2>Searched</h2>") && html.contains("<h2>Moved up</h2>") && html.contains("<h2>Skipped</h2>"))
                #expect(html.contains("missing, alice reaches it in 48 min") && html.contains("S01E03") && html.contains("nzbget 2"))
                #expect(html.contains("Nowhere Show: not in Sonarr"))
                let again = WebFormat.time(finished.addingTimeInterval(Double(f.config.prefetch.searchCooldownSeconds)))
                #expect(html.components(separatedBy: "<time datetime=\"\(again)\"").count == 2, "only the searched episode has a next search time")
            }
            try await client.execute(uri: "/runs/\(id)", method: .get, headers: [.cookie: "\(WebPages.sessionCookie)=\(session)"]) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("<h2>Log</h2>") && html.contains("info: searched &lt;Naruto&gt; S01E03"), "the run's log, escaped")
                #expect(html.contains("Searched 1 episode") || html.contains("Naruto"), "the report as the CLI prints it")
            }
        }
    }

    @Test func aWrongKeyIsRefusedAndLoginsAreLimited() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        try await f.test { client in
            let (cookie, token) = try await client.execute(uri: "/login", method: .get) { response in
                (Self.cookies(response)[WebPages.loginCookie] ?? "", Self.csrf(String(buffer: response.body)) ?? "")
            }
            var headers = Self.formHeaders
            headers[.cookie] = "\(WebPages.loginCookie)=\(cookie)"
            // Without the login cookie: refused, whatever the key.
            try await client.execute(
                uri: "/login", method: .post, headers: Self.formHeaders, body: Self.form(["csrf": token, "password": ServeFixture.key])
            ) { response in
                #expect(response.status == .forbidden)
                #expect(Self.cookies(response)[WebPages.sessionCookie] == nil)
            }
            for _ in 0..<10 {
                try await client.execute(uri: "/login", method: .post, headers: headers, body: Self.form(["csrf": token, "password": "wrong"])) {
                    response in
                    #expect(response.status == .unauthorized)
                    #expect(String(buffer: response.body).contains("That is not the API key."))
                    #expect(Self.cookies(response)[WebPages.sessionCookie] == nil)
                }
            }
            try await client.execute(uri: "/login", method: .post, headers: headers, body: Self.form(["csrf": token, "password": ServeFixture.key])) {
                response in
                #expect(response.status == .tooManyRequests, "the eleventh try within a minute is not even checked")
                #expect(Self.cookies(response)[WebPages.sessionCookie] == nil)
            }
        }
        #expect(await f.state.counters.unauthorized >= 11)
    }

    /// Broken and hostile form bodies: a refusal (4xx), never a server error, and no session.
    @Test func brokenFormsAreRefused() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        try await f.test { client in
            let bodies = [
                ByteBuffer(string: "%%%=%zz&&=&csrf&password"), ByteBuffer(string: "csrf=%E0%80&password=%FF%FE"),
                ByteBuffer(repeating: UInt8(ascii: "a"), count: 70 * 1024), ByteBuffer(),
            ]
            for body in bodies {
                try await client.execute(uri: "/login", method: .post, headers: Self.formHeaders, body: body) { response in
                    #expect((400..<500).contains(response.status.code), "\(response.status)")
                    #expect(Self.cookies(response)[WebPages.sessionCookie] == nil)
                }
                try await client.execute(uri: "/proposals/decide", method: .post, headers: Self.formHeaders, body: body) { response in
                    #expect((400..<500).contains(response.status.code), "\(response.status)")
                }
            }
            // Logged in, the body is read: still a refusal.
            let (session, _) = try await Self.login(client)
            var headers = Self.formHeaders
            headers[.cookie] = "\(WebPages.sessionCookie)=\(session)"
            for body in bodies {
                try await client.execute(uri: "/proposals/decide", method: .post, headers: headers, body: body) { response in
                    #expect((400..<500).contains(response.status.code), "\(response.status)")
                }
                try await client.execute(uri: "/run/link", method: .post, headers: headers, body: body) { response in
                    #expect((400..<500).contains(response.status.code), "\(response.status)")
                }
            }
        }
        #expect(try f.state.ledger.jobRuns(limit: 5).isEmpty)
    }

    @Test func theNextPageIsAlwaysThisServers() {
        #expect(WebPages.safeNext("/links?show=x") == "/links?show=x")
        for hostile in ["//evil.example/", "https://evil.example/", "/\\evil.example", "evil", nil, "/a\nSet-Cookie: x=1"] {
            #expect(WebPages.safeNext(hostile) == "/", "\(hostile ?? "nil")")
        }
    }

    @Test func formsNeedTheSessionsToken() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        try await f.test { client in
            let (session, csrf) = try await Self.login(client)
            var headers = Self.formHeaders
            headers[.cookie] = "\(WebPages.sessionCookie)=\(session)"
            for token in ["", String(repeating: "0", count: 64), csrf + "0"] {
                try await client.execute(uri: "/run/link", method: .post, headers: headers, body: Self.form(["csrf": token, "dry_run": "true"])) {
                    #expect($0.status == .forbidden)
                }
            }
            // Without a session, even with the token.
            try await client.execute(uri: "/run/link", method: .post, headers: Self.formHeaders, body: Self.form(["csrf": csrf])) {
                #expect($0.status == .forbidden)
            }
            #expect(try f.state.ledger.jobRuns(limit: 10).isEmpty, "nothing was queued")
            let location = try await client.execute(
                uri: "/run/link", method: .post, headers: headers, body: Self.form(["csrf": csrf, "dry_run": "true"])
            ) { response in
                #expect(response.status == .seeOther)
                return response.headers[.location] ?? ""
            }
            let runs = try f.state.ledger.jobRuns(limit: 10)
            #expect(runs.count == 1 && runs[0].dryRun && runs[0].trigger == "web")
            #expect(location == "/runs/\(runs[0].id)")
            try await client.execute(uri: location, method: .get, headers: headers) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("Run \(runs[0].id): link (dry run)"))
                #expect(html.contains(#"http-equiv="refresh""#), "a queued run's page reloads")
            }
            // Logout needs the token too, then ends the session.
            try await client.execute(uri: "/logout", method: .post, headers: headers, body: Self.form(["csrf": "nope"])) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/logout", method: .post, headers: headers, body: Self.form(["csrf": csrf])) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[values: .setCookie].contains { $0.hasPrefix("\(WebPages.sessionCookie)=;") && $0.contains("Max-Age=0") })
            }
            try await client.execute(uri: "/", method: .get, headers: [.cookie: "\(WebPages.sessionCookie)=\(session)"]) {
                #expect($0.status == .seeOther, "the session ended")
            }
        }
    }

    @Test func behindAProxyWithABaseAndHTTPS() async throws {
        let f = try ServeFixture(server: "server: {api_key: \"\(ServeFixture.key)\", url_base: /usher}")
        defer { f.remove() }
        try await f.test { client in
            let (session, _) = try await Self.login(client, base: "/usher")
            try await client.execute(uri: "/usher/links", method: .get, headers: [.cookie: "\(WebPages.sessionCookie)=\(session)"]) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(#"href="/usher/static/usher.css"#))
            }
            try await client.execute(uri: "/usher/login", method: .get, headers: [.init("X-Forwarded-Proto")!: "https"]) { response in
                #expect(response.headers[values: .setCookie].allSatisfy { $0.contains("; Secure") })
            }
        }
    }

    /// Accept (with the episode corrected) and reject, as `usher match review` would: the mapping file gains the
    /// entry with its comments kept, the rejection is remembered, both leave the proposals file, and a link run is
    /// queued for the accepted one.
    @Test func acceptAndRejectRoundTrip() async throws {
        let links = "# my mappings\nlinks:\n  # the first one\n  - {movie: The Matrix, year: 1999, tmdb: 603, show: House, tvdb: 73255, episodes: S00E01}\n"
        let f = try ServeFixture(links: links)
        defer { f.remove() }
        let proposals = [
            ProposalEntry(
                confidence: 0.7, movie: MovieRef(title: "Naruto the Movie", year: 2004, tmdb: 16910), show: ShowRef(title: "Naruto", tvdb: 78857),
                episodes: [EpisodeNumber(season: 0, episode: 4)], episodeTitle: "Ninja Clash in the Land of Snow", reasons: ["the subtitle matches"]),
            // Marked accepted in the file by hand: a decision on the page about another entry leaves it as it is.
            ProposalEntry(
                accept: true, confidence: 0.55, movie: MovieRef(title: "Bleach: Memories of Nobody", year: 2006), show: ShowRef(title: "Bleach", tvdb: 74796),
                episodes: [EpisodeNumber(season: 0, episode: 9)], reasons: ["a film number"]),
        ]
        let path = f.config.match.proposalsFile
        try ProposalsFile.render(proposals).write(toFile: path, atomically: true, encoding: .utf8)
        try await f.test { client in
            let (session, csrf) = try await Self.login(client)
            var headers = Self.formHeaders
            headers[.cookie] = "\(WebPages.sessionCookie)=\(session)"
            try await client.execute(uri: "/proposals", method: .get, headers: headers) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("Naruto the Movie") && html.contains("the subtitle matches"))
                let naruto = html.range(of: "Naruto the Movie")!.lowerBound, bleach = html.range(of: "Bleach: Memories")!.lowerBound
                #expect(naruto < bleach, "best first")
            }
            // A corrected episode that does not parse changes nothing.
            try await client.execute(
                uri: "/proposals/decide", method: .post, headers: headers,
                body: Self.form(["csrf": csrf, "pair": proposals[0].pairKey, "decision": "accept", "episodes": "S00"])
            ) { #expect($0.status == .badRequest) }
            try await client.execute(
                uri: "/proposals/decide", method: .post, headers: headers,
                body: Self.form(["csrf": csrf, "pair": proposals[0].pairKey, "decision": "accept", "episodes": "S00E05"])
            ) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains("Added Naruto the Movie"), "\(html)")
                #expect(html.contains("Link run"))
            }
            let written = try String(contentsOfFile: f.config.mappingsFile, encoding: .utf8)
            #expect(written.contains("# my mappings") && written.contains("# the first one"), "comments kept")
            let mappings = try MappingFile.load(path: f.config.mappingsFile, environment: [:])
            #expect(mappings.count == 2)
            #expect(mappings.last?.show.title == "Naruto" && mappings.last?.episodes == [EpisodeNumber(season: 0, episode: 5)], "the corrected episode")
            #expect(try ProposalsFile.load(path: path).map(\.movie.title) == ["Bleach: Memories of Nobody"])
            #expect(try ProposalsFile.load(path: path).first?.accept == true, "the other entry kept as the file had it")
            #expect(try f.state.ledger.jobRuns(limit: 5).first?.trigger == "web:accept")

            try await client.execute(
                uri: "/proposals/decide", method: .post, headers: headers,
                body: Self.form(["csrf": csrf, "pair": proposals[1].pairKey, "decision": "reject"])
            ) { response in
                #expect(String(buffer: response.body).contains("Rejected Bleach: Memories of Nobody"))
            }
            #expect(try f.state.ledger.rejections().map(\.pairKey) == [proposals[1].pairKey], "remembered")
            #expect(try ProposalsFile.load(path: path).isEmpty)
            // The same decision again: the proposal is gone, nothing changes.
            try await client.execute(
                uri: "/proposals/decide", method: .post, headers: headers,
                body: Self.form(["csrf": csrf, "pair": proposals[1].pairKey, "decision": "reject"])
            ) { #expect($0.status == .conflict) }
            #expect(try MappingFile.load(path: f.config.mappingsFile, environment: [:]).count == 2)
        }
    }
}
