import AsyncHTTPClient
import Foundation
import Logging

/// Sends a prefetch run's news: through Tautulli's notification agents, a Discord webhook, an ntfy
/// topic, or any webhook (the JSON report).
struct Notifier: Sendable {
    var http: HTTPClient
    var policy: RetryPolicy
    var logger: Logger
    var counter: RequestCounter
    /// `nil` without a `tautulli:` section.
    var tautulli: TautulliClient?

    func send(_ report: PrefetchReport, to target: NotifierConfig) async throws(ServiceError) {
        let (subject, body) = report.message()
        switch target {
        case .tautulli(let id):
            guard let tautulli else {
                throw ServiceError(
                    kind: .rejected, service: "tautulli", method: "GET", url: "", status: nil,
                    message: "a Tautulli notifier needs a 'tautulli:' section", excerpt: nil)
            }
            try await tautulli.notify(notifierID: id, subject: subject, body: body)
        case .discord(let url):
            // Discord allows 2,000 characters in `content`.
            var content = subject + "\n" + body
            if content.count > 1900 { content = String(content.prefix(1900)) + "\n…" }
            _ = try await client("discord", url).send("POST", "", json: ServiceClient.json(["content": content]), accept: "*/*")
        case .ntfy(let url):
            // ntfy's JSON publishing: POST to the server with the topic in the body.
            guard let slash = url.lastIndex(of: "/"), url.distance(from: url.startIndex, to: slash) > 8 else {
                throw ServiceError(
                    kind: .rejected, service: "ntfy", method: "POST", url: url, status: nil,
                    message: "the ntfy URL must name a topic (https://ntfy.sh/TOPIC)", excerpt: nil)
            }
            let server = String(url[..<slash])
            let topic = String(url[url.index(after: slash)...])
            struct Message: Encodable { var topic: String; var title: String; var message: String; var tags = ["tv"] }
            _ = try await client("ntfy", server).send(
                "POST", "/", json: ServiceClient.json(Message(topic: topic, title: subject, message: body)), accept: "*/*")
        case .webhook(let url):
            _ = try await client("webhook", url).send("POST", "", json: Data(report.json().utf8), accept: "*/*")
        }
    }

    private func client(_ name: String, _ url: String) -> ServiceClient {
        .plain(name, url, http: http, policy: policy, logger: logger, counter: counter)
    }
}

extension ServiceClient {
    /// A client for a URL that carries its own credentials, if any (webhooks, health checks): no key header.
    static func plain(_ name: String, _ url: String, http: HTTPClient, policy: RetryPolicy, logger: Logger, counter: RequestCounter?) -> ServiceClient {
        ServiceClient(
            endpoint: ServiceEndpoint(name: name, baseURL: url, credentialHeader: "", credential: ""),
            http: http, policy: policy, logger: logger, counter: counter)
    }
}
