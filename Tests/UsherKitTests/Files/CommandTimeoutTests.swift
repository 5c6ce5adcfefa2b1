import Foundation
import Testing
import UsherCore
import UsherFakes

@testable import UsherKit

@Suite("Hardening: a !cmd that hangs")
struct CommandTimeoutTests {
    /// Each of these would hold a reader that waits for the end of the output: all are stopped at the deadline.
    @Test(arguments: [
        "sleep 30",  // hangs
        "printf 'partial'; sleep 30",  // prints, then hangs with its output open
        "sleep 30 & printf key",  // exits at once, leaving a child holding the output
        "(trap '' TERM; sleep 30)",  // ignores SIGTERM
    ])
    func hangingCommandIsStoppedAtItsTimeout(command: String) throws {
        let started = ContinuousClock.now
        #expect(throws: ShellCommand.Failure.self) { try ShellCommand.run(command, timeout: .seconds(1)) }
        #expect(ContinuousClock.now - started < .seconds(10), "bounded well below the command's own 30 s")
    }

    @Test func theWholeGroupIsKilled() throws {
        let lib = try TestLibrary()
        let marker = lib.path("still-running")
        _ = try? ShellCommand.run("(sleep 2; touch '\(marker)') & sleep 30", timeout: .seconds(1))
        Thread.sleep(forTimeInterval: 2.5)
        #expect(!FileManager.default.fileExists(atPath: marker), "a child of the command outlived the timeout")
    }

    @Test func outputAndStatusAreRead() throws {
        #expect(try ShellCommand.run("printf 'a key'; printf ' more' >&2", timeout: .seconds(5)) == "a key")
        #expect(throws: ShellCommand.Failure.self) { try ShellCommand.run("exit 4", timeout: .seconds(5)) }
        let big = try ShellCommand.run("head -c 300000 /dev/zero | tr '\\\\0' x", timeout: .seconds(5))
        #expect(big.count == 300_000)
    }

    @Test func configTimeoutIsConfigurableAndNamedInTheError() throws {
        let lib = try TestLibrary()
        try """
        cmd_timeout_seconds: 1
        sonarr:
          main: {url: http://127.0.0.1:8989, api_key: !cmd "sleep 20"}
        """.write(toFile: lib.path("usher.yml"), atomically: true, encoding: .utf8)
        let started = ContinuousClock.now
        let error = #expect(throws: ConfigError.self) { try UsherConfig.load(path: lib.path("usher.yml"), environment: [:]) }
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(error?.line == 3)
        #expect(error?.message.contains("did not finish within 1 s") == true, "\(error?.description ?? "")")
    }

    @Test func configTimeoutMustBeAPlainNumberInRange() throws {
        let lib = try TestLibrary()
        try "cmd_timeout_seconds: 0\nplex: {url: http://h, token: !cmd \"printf t\"}\n".write(toFile: lib.path("usher.yml"), atomically: true, encoding: .utf8)
        let error = #expect(throws: ConfigError.self) { try UsherConfig.load(path: lib.path("usher.yml"), environment: [:]) }
        #expect(error?.line == 1)
    }
}
