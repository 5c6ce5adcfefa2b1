import Foundation
import Logging
import Testing
import UsherCore

@testable import UsherKit

/// `prefetch.history` (issue 18): which sources prefetch reads, what each needs, and the `jellyfin:` section.
@Suite("Config: prefetch.history and jellyfin")
struct HistoryConfigTests {
    func load(_ yaml: String, secrets: String? = nil) throws -> UsherConfig {
        let lib = try TestLibrary()
        if let secrets { try secrets.write(toFile: lib.path("secrets.yml"), atomically: true, encoding: .utf8) }
        try yaml.write(toFile: lib.path("usher.yml"), atomically: true, encoding: .utf8)
        return try UsherConfig.load(path: lib.path("usher.yml"), environment: [:])
    }

    func loadError(_ yaml: String) throws -> ConfigError {
        try #require(throws: ConfigError.self) { _ = try load(yaml) }
    }

    static let sonarr = "sonarr:\n  main: {url: http://127.0.0.1:8989, api_key: sonarr-key}\n"

    @Test func withoutTheKeyTautulliIsTheSourceAsBefore() throws {
        let config = try load(Self.sonarr + "tautulli: {url: http://t, api_key: k-tautulli}\n")
        #expect(config.prefetch.history == [.tautulli] && config.prefetch.historyLine == nil)
        #expect(config.missing(for: .prefetch).isEmpty)
        #expect(config.configured(for: .prefetch) == "tautulli; sonarr main; no download clients (searches only)")
        let bare = try load(Self.sonarr)
        #expect(bare.missing(for: .prefetch) == ["a 'tautulli:' section (url and api_key), for the watch history"])
    }

    /// A prefetch-only config reading Plex's history needs no `tautulli:` section (and no library folders).
    @Test func plexHistoryNeedsOnlyThePlexSection() throws {
        let config = try load(Self.sonarr + "plex: {url: http://127.0.0.1:32400, token: plex-token-1234}\nprefetch:\n  history: plex\n")
        #expect(config.prefetch.history == [.plex])
        #expect(config.missing(for: .prefetch).isEmpty, "\(config.missing(for: .prefetch))")
        #expect(config.requirementError(for: .prefetch) == nil)
        #expect(config.configured(for: .prefetch) == "plex; sonarr main; no download clients (searches only)")
        let several = try load(
            Self.sonarr + "plex: {url: http://p, token: t-plex}\njellyfin: {url: http://j:8096/, api_key: k-jelly}\nprefetch:\n  history: [jellyfin, Plex]\n")
        #expect(several.prefetch.history == [.jellyfin, .plex])
        #expect(several.jellyfin == JellyfinServer(url: "http://j:8096", apiKey: "k-jelly"))
        #expect(several.configured(for: .prefetch).hasPrefix("jellyfin, plex; sonarr main"))
    }

    /// A named source without its section: the command says which section, for which key, in which file and line;
    /// other commands are not held up.
    @Test func aSourceWithoutItsSectionIsNamedWithFileAndLine() async throws {
        let config = try load(Self.sonarr + "radarr:\n  main: {url: http://r, api_key: k-radarr}\nprefetch:\n  history_days: 3\n  history: [plex, jellyfin]\n")
        let error = try #require(config.requirementError(for: .prefetch))
        #expect(error.hasPrefix(config.file + ": usher prefetch needs "), "\(error)")
        #expect(error.contains("a 'plex:' section (url and token), for the watch history (prefetch.history at line 7 names plex)"), "\(error)")
        #expect(error.contains("a 'jellyfin:' section (url and api_key), for the watch history (prefetch.history at line 7 names jellyfin)"), "\(error)")
        #expect(!error.contains("tautulli"))
        #expect(config.missing(for: .match).isEmpty, "match needs no history")
        let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        do {
            _ = try await PrefetchJob(config: config, logger: quiet).run(PrefetchOptions(dryRun: true))
            Issue.record("prefetch ran without its history sections")
        } catch {
            #expect(
                error.kind == .config && error.message == "\(config.file): usher prefetch needs " + config.missing(for: .prefetch).joined(separator: ", and "))
        }
    }

    @Test(
        arguments: [
            ("prefetch:\n  history: emby\n", "prefetch.history", "'emby' is not one of: tautulli, plex, jellyfin", 2),
            ("prefetch:\n  history: [plex, kodi]\n", "prefetch.history[1]", "'kodi' is not one of: tautulli, plex, jellyfin", 2),
            ("prefetch:\n  history: []\n", "prefetch.history", "name at least one source", 2),
            ("prefetch:\n  history: [plex, plex]\n", "prefetch.history[1]", "'plex' is named twice", 2),
            ("prefetch:\n  history: {plex: true}\n", "prefetch.history", "expected a list", 2),
            ("jellyfin: {url: http://j}\n", "jellyfin", "missing key 'api_key'", 1),
            ("jellyfin: {url: ftp://j, api_key: k}\n", "jellyfin.url", "http://", 1),
            ("jellyfin: {url: http://j, api_key: k, user: me}\n", "jellyfin.user", "unknown key", 1),
        ] as [(String, String, String, Int)])
    func mistakesNameTheFileLineAndKey(yaml: String, key: String, message: String, line: Int) throws {
        let error = try loadError(yaml)
        #expect(error.key == key, "\(error)")
        #expect(error.message.contains(message), "\(error)")
        #expect(error.line == line, "\(error)")
        #expect(error.description.contains("usher.yml:\(line)"), "\(error)")
    }

    /// The Jellyfin key is a secret like every other: from `!secret`, and never in the rendered config; nor is the
    /// Plex token.
    @Test func theJellyfinKeyAndPlexTokenAreSecrets() throws {
        let config = try load(
            Self.sonarr
                + "plex: {url: http://p, token: plex-token-5678}\njellyfin: {url: http://j, api_key: !secret jellyfin}\nprefetch:\n  history: [jellyfin, plex]\n",
            secrets: "jellyfin: jelly-secret-9012\n")
        #expect(config.jellyfin?.apiKey == "jelly-secret-9012")
        #expect(config.secrets.contains("jelly-secret-9012") && config.secrets.contains("plex-token-5678"))
        let shown = config.rendered()
        #expect(!shown.contains("jelly-secret-9012") && !shown.contains("plex-token-5678"), "\(shown)")
        #expect(
            shown.contains("jellyfin: {url: \"http://j\", api_key: \"[redacted]\"}") || shown.contains("jellyfin: {url: http://j, api_key: \"[redacted]\"}"),
            "\(shown)")
        #expect(shown.contains("  history: [jellyfin, plex]"), "\(shown)")
        #expect(Redactor(secrets: config.secrets).redact("key jelly-secret-9012 here") == "key [redacted] here")
    }
}
