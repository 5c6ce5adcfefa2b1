import ArgumentParser
import Foundation
import UsherCore
import UsherKit
import UsherServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run as a service: jobs on a schedule, webhooks from Sonarr and Radarr, a JSON API.",
        discussion: """
            Listens on server.listen (default 127.0.0.1:8686) until SIGTERM or SIGINT; a running job is let \
            finish first. Every route but {url_base}/ping needs the API key (server.api_key, or usher_api_key \
            in secrets.yml, which the first start writes). See README, 'usher serve'.
            """)

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let config = try global.loadConfig()
        let logger = global.makeLogger()
        for problem in config.scheduleProblems() {
            Output.error(problem)
        }
        guard config.scheduleProblems().isEmpty else { throw ExitCode(2) }
        let found: ServeKey.Found
        do {
            found = try ServeKey.ensure(config: config)
        } catch {
            Output.error(error.description)
            throw ExitCode(2)
        }
        GlobalOptions.redactor.set(config.secrets + [found.key])
        if found.generated, let file = found.file {
            logger.notice(
                "made an API key and wrote it to \(file) as \(ServeKey.secretName); give it to Sonarr's and Radarr's webhooks as the X-Api-Key header")
        }
        var options = UsherServe.Options(apiKey: found.key)
        // USHER_PORT_FILE: write the port there once listening (scripts and tests start the server on port 0).
        if let portFile = ProcessInfo.processInfo.environment["USHER_PORT_FILE"] {
            options.onListening = { port in try? "\(port)\n".write(toFile: portFile, atomically: true, encoding: .utf8) }
        }
        do {
            try await UsherServe.run(config: config, options: options, logger: logger)
        } catch {
            Output.error("usher serve: \(error)")
            throw ExitCode(1)
        }
    }
}

struct HashPasswordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-password",
        abstract: "Print a bcrypt hash of a password for server.users (the web page's login).",
        discussion: """
            Reads the password from the first line of standard input (so that it stays out of the shell's history), \
            and prints its hash: put it in the config as `server: {users: [{name: NAME, password: "HASH"}]}`. \
            `htpasswd -nbBC 12 "" PASSWORD` makes the same kind of hash.
            """)

    func run() throws {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            Output.error("no password on standard input (echo it, or type it and press Enter)")
            throw ExitCode(2)
        }
        print(WebLogin.hash(line))
    }
}
