import Foundation
import Hummingbird
import Logging
import NIOCore
import UsherCore
import UsherKit

/// The web page of `usher serve` at `{url_base}/`: server-drawn pages (Mustache) that read the same values as the
/// JSON API (`ServeRoutes`), a login with the API key, a session cookie, and a CSRF token on every form.
enum WebPages {
    static let sessionCookie = "usher_session"
    static let loginCookie = "usher_login"

    static func add(to base: RouterGroup<ServeRequestContext>, state: ServeState) {
        base.get("static/usher.css") { _, _ in asset(WebTemplates.stylesheet, type: "text/css; charset=utf-8") }
        base.get("static/usher.js") { _, _ in asset(WebTemplates.script, type: "text/javascript; charset=utf-8") }
        base.get("static/usher.svg") { _, _ in asset(WebTemplates.icon, type: "image/svg+xml") }
        base.get("login") { request, _ in await loginPage(state, request) }
        base.post("login") { request, _ in try await login(state, request) }
        base.post("logout") { request, _ in try await logout(state, request) }
        base.get("/") { request, context in try await signedIn(state, request, context) { session in try await overview(state, session) } }
        base.get("links") { request, context in try await signedIn(state, request, context) { session in try await links(state, session, request) } }
        base.get("runs") { request, context in try await signedIn(state, request, context) { session in try runs(state, session, request) } }
        base.get("runs/{id}") { request, context in
            let id = context.parameters.get("id")
            return try await signedIn(state, request, context) { session in try run(state, session, id: id) }
        }
        base.get("prefetch") { request, context in try await signedIn(state, request, context) { session in try prefetch(state, session) } }
        base.get("proposals") { request, context in
            try await signedIn(state, request, context) { session in proposals(state, session, notice: nil, problem: nil) }
        }
        base.post("run/{job}") { request, context in
            let job = context.parameters.get("job")
            return try await posted(state, request) { session, form in try await start(state, session, job: job, form: form) }
        }
        base.post("proposals/decide") { request, _ in
            try await posted(state, request) { session, form in try await decide(state, session, form: form) }
        }
    }

    // MARK: responses

    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        .init("X-Content-Type-Options")!: "nosniff",
        .init("Referrer-Policy")!: "same-origin",
        .init("X-Frame-Options")!: "DENY",
        .cacheControl: "no-store",
    ]

    static func html(_ status: HTTPResponse.Status = .ok, _ text: String) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=86400", .init("X-Content-Type-Options")!: "nosniff"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String) -> Response {
        var headers = securityHeaders
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }

    /// The context every page shares: the layout's title, links and the session's CSRF token.
    static func page(_ state: ServeState, _ session: WebSessions.Session?, title: String, current: String) -> [String: Any] {
        let pages = [("/", "Overview"), ("/links", "Links"), ("/prefetch", "Prefetch"), ("/proposals", "Proposals"), ("/runs", "Runs")]
        return [
            "title": title, "base": state.config.server.urlBase, "version": UsherVersion.current, "signedIn": session != nil,
            "csrf": session?.csrf ?? "",
            "nav": pages.map { path, label in ["path": path, "label": label, "current": path == current] as [String: Any] },
        ]
    }

    static func message(_ state: ServeState, _ session: WebSessions.Session?, status: HTTPResponse.Status, title: String, _ text: String, back: String?)
        -> Response
    {
        var context = page(state, session, title: title, current: "")
        context["message"] = text
        context["error"] = status.code >= 400
        if let back { context["back"] = back }
        return html(status, WebTemplates.render("message", context))
    }

    // MARK: sessions and login

    /// Whether the request came over HTTPS (directly, or through a proxy that says so): the cookie is then `Secure`.
    static func isHTTPS(_ request: Request) -> Bool {
        request.uri.scheme == .https || request.headers[.init("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    static func cookie(_ state: ServeState, _ request: Request, name: String, value: String, maxAge: Int?) -> Cookie {
        let path = state.config.server.urlBase.isEmpty ? "/" : state.config.server.urlBase
        return Cookie(name: name, value: value, maxAge: maxAge, path: path, secure: isHTTPS(request), httpOnly: true, sameSite: .strict)
    }

    static func currentSession(_ state: ServeState, _ request: Request) async -> WebSessions.Session? {
        await state.sessions.session(request.cookies[sessionCookie]?.value)
    }

    /// With `authentication_required: disabled_for_local_addresses`, a request from a local address that names no
    /// proxy (`Forwarded`, `X-Forwarded-For`, `X-Real-IP`: a proxy on this machine would make every visitor local).
    static func isLocalWithoutLogin(_ state: ServeState, _ request: Request, _ context: ServeRequestContext) -> Bool {
        isLocal(state, request, remoteAddress: context.remoteAddress)
    }

    static func isLocal(_ state: ServeState, _ request: Request, remoteAddress: SocketAddress?) -> Bool {
        guard state.config.server.localWithoutLogin else { return false }
        let proxied = ["Forwarded", "X-Forwarded-For", "X-Real-IP"].contains { request.headers[.init($0)!] != nil }
        return !proxied && WebLogin.isLocal(remoteAddress)
    }

    /// The page for a signed-in session, or a redirect to the login (which comes back here). A local visitor that
    /// needs no login gets a session at once (so that forms still carry a CSRF token).
    static func signedIn(
        _ state: ServeState, _ request: Request, _ context: ServeRequestContext, _ body: (WebSessions.Session) async throws -> Response
    ) async throws -> Response {
        if await currentSession(state, request) == nil, isLocalWithoutLogin(state, request, context) {
            let session = await state.sessions.create()
            var response = try await body(session)
            response.setCookie(cookie(state, request, name: sessionCookie, value: session.id, maxAge: nil))
            return response
        }
        guard let session = await currentSession(state, request) else {
            let base = state.config.server.urlBase
            var wanted = String(request.uri.path.dropFirst(base.count))
            if let query = request.uri.query, !query.isEmpty { wanted += "?" + query }
            return redirect("\(base)/login?next=\(wanted.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
        }
        return try await body(session)
    }

    /// A form posted by a signed-in session with its CSRF token; anything else is refused (403) and changes nothing.
    static func posted(_ state: ServeState, _ request: Request, _ body: (WebSessions.Session, [String: String]) async throws -> Response) async throws
        -> Response
    {
        guard let session = await currentSession(state, request) else {
            return message(state, nil, status: .forbidden, title: "Not logged in", "Log in, then try again.", back: "/login")
        }
        let form = try await self.form(request)
        guard let token = form["csrf"], APIKeyMiddleware<ServeRequestContext>.same(Array(token.utf8), Array(session.csrf.utf8)) else {
            await state.counters.refused()
            return message(
                state, session, status: .forbidden, title: "Refused", "This form is out of date or did not come from this page. Reload and try again.",
                back: "/")
        }
        return try await body(session, form)
    }

    /// A form body (`application/x-www-form-urlencoded`, at most 64 kB) as its fields; a field given twice keeps the last.
    static func form(_ request: Request) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        let text = String(buffer: buffer)
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ part: Substring) -> String { part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            guard let name = parts.first else { continue }
            fields[decoded(name)] = parts.count > 1 ? decoded(parts[1]) : ""
        }
        return fields
    }

    /// Where to go after the login: a path of this server only (never `//elsewhere` nor `https://…`).
    static func safeNext(_ text: String?) -> String {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), !text.contains("\\"), !text.contains(where: { $0.isNewline }) else { return "/" }
        return text
    }

    static func loginPage(_ state: ServeState, _ request: Request, error: String? = nil, status: HTTPResponse.Status = .ok, next: String? = nil) async
        -> Response
    {
        if await currentSession(state, request) != nil, error == nil {
            return redirect(state.config.server.urlBase + safeNext(request.uri.queryParameters.get("next")))
        }
        // Login CSRF: the form carries a token that must match a cookie set with it (double submit).
        let token = WebSessions.token()
        var context = page(state, nil, title: "Log in", current: "")
        context["loginCSRF"] = token
        context["next"] = next ?? safeNext(request.uri.queryParameters.get("next"))
        context["passwords"] = !state.config.server.users.isEmpty
        if let error { context["error"] = error }
        var response = html(status, WebTemplates.render("login", context))
        response.setCookie(cookie(state, request, name: loginCookie, value: token, maxAge: 3600))
        return response
    }

    static func login(_ state: ServeState, _ request: Request) async throws -> Response {
        let form = try await self.form(request)
        let next = safeNext(form["next"])
        guard let token = form["csrf"], let expected = request.cookies[loginCookie]?.value,
            APIKeyMiddleware<ServeRequestContext>.same(Array(token.utf8), Array(expected.utf8))
        else {
            return await loginPage(state, request, error: "The login form was out of date. Try again.", status: .forbidden, next: next)
        }
        guard await state.sessions.mayTry() else {
            await state.counters.refused()
            return await loginPage(state, request, error: "Too many wrong keys: wait a minute.", status: .tooManyRequests, next: next)
        }
        let user = form["username"].flatMap { $0.isEmpty ? nil : $0 }
        guard let offered = form["password"], WebLogin.check(user: user, password: offered, settings: state.config.server, apiKey: state.apiKey) else {
            await state.sessions.failed()
            await state.counters.refused()
            let error = user == nil ? "That is not the API key." : "That user name and password do not match."
            return await loginPage(state, request, error: error, status: .unauthorized, next: next)
        }
        let session = await state.sessions.create()
        var response = redirect(state.config.server.urlBase + next)
        response.setCookie(cookie(state, request, name: sessionCookie, value: session.id, maxAge: nil))
        response.setCookie(cookie(state, request, name: loginCookie, value: "", maxAge: 0))
        return response
    }

    static func logout(_ state: ServeState, _ request: Request) async throws -> Response {
        try await posted(state, request) { session, _ in
            await state.sessions.end(session.id)
            var response = redirect(state.config.server.urlBase + "/login")
            response.setCookie(cookie(state, request, name: sessionCookie, value: "", maxAge: 0))
            return response
        }
    }
}
