import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import UsherKit

/// `usher serve` as a person starts it: a config without a key, port 0, requests over the loopback, SIGTERM.
struct ServeCLITests {
    func request(_ client: HTTPClient, _ url: String, method: HTTPMethod = .GET, key: String? = nil) async throws -> (Int, [String: Any]) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let key { request.headers.add(name: "X-Api-Key", value: key) }
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
        return (Int(response.status.code), object)
    }

    @Test func servesLinksOnRequestRefusesWhileACLIRunHoldsTheLockAndStopsCleanlyOnSIGTERM() async throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try CrashRecoveryTests().makeLibrary(dir, count: 3)
        let config = try String(contentsOfFile: dir + "/usher.yml", encoding: .utf8) + "server: {listen: \"127.0.0.1:0\"}\nschedule: {link: off}\n"
        try config.write(toFile: dir + "/usher.yml", atomically: true, encoding: .utf8)

        let server = try ServeProcess(dir: dir)
        let port = try await server.waitForPort()
        let secrets = try String(contentsOfFile: dir + "/secrets.yml", encoding: .utf8)
        let key = try #require(ServeKeyReader.value(secrets))
        var info = stat()
        stat(dir + "/secrets.yml", &info)
        #expect(info.st_mode & 0o777 == 0o600)

        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let base = "http://127.0.0.1:\(port)"
        do {
            #expect(try await request(client, base + "/ping").0 == 200)
            #expect(try await request(client, base + "/api/v1/status").0 == 401)
            // Nothing is scheduled: the link run comes from the API.
            let (status, started) = try await request(client, base + "/api/v1/run/link", method: .POST, key: key)
            #expect(status == 202)
            let id = try #require(started["id"] as? Int)
            var outcome = ""
            for _ in 0..<500 where ["", "queued", "running"].contains(outcome) {
                let (_, run) = try await request(client, base + "/api/v1/runs/\(id)", key: key)
                outcome = (run["run"] as? [String: Any])?["outcome"] as? String ?? ""
                if ["", "queued", "running"].contains(outcome) { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(outcome == "ok")
            #expect(FileManager.default.fileExists(atPath: dir + "/tv/Show 0/Season 00/Show 0 - S00E01 - Part 0 Bluray-1080p.mkv"))

            // A CLI run holds the lock: the server's run is `busy` and changes nothing.
            let lock = try RunLock(path: dir + "/usher.db.lock")
            let (_, second) = try await request(client, base + "/api/v1/run/link", method: .POST, key: key)
            let secondID = try #require(second["id"] as? Int)
            outcome = ""
            for _ in 0..<500 where ["", "queued", "running"].contains(outcome) {
                let (_, run) = try await request(client, base + "/api/v1/runs/\(secondID)", key: key)
                outcome = (run["run"] as? [String: Any])?["outcome"] as? String ?? ""
                if ["", "queued", "running"].contains(outcome) { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(outcome == "busy")
            lock.release()
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()

        let (status, reason, log) = await server.stop()
        #expect(reason == .exit && status == 0, "\(log)")
        #expect(log.contains("stopped"))
        #expect(log.contains("made an API key"))
        #expect(!log.contains(key), "the key is never logged")
    }
}

struct ServeStopTests {
    func post(_ client: HTTPClient, _ url: String, key: String, body: Data? = nil) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "X-Api-Key", value: key)
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: .seconds(10))
        let data = try await response.body.collect(upTo: 1 << 20)
        return (try? JSONSerialization.jsonObject(with: Data(data.readableBytesView))) as? [String: Any] ?? [:]
    }

    func library(_ dir: String, count: Int) throws -> String {
        try CrashRecoveryTests().makeLibrary(dir, count: count)
        let key = "serve-test-key-0123456789"
        let config =
            try String(contentsOfFile: dir + "/usher.yml", encoding: .utf8) + "server: {listen: \"127.0.0.1:0\", api_key: \"\(key)\"}\nschedule: {link: off}\n"
        try config.write(toFile: dir + "/usher.yml", atomically: true, encoding: .utf8)
        return key
    }

    /// The link of every mapping of `makeLibrary`, from a clean CLI run in another folder.
    func expected(count: Int) async throws -> [String: String] {
        let clean = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: clean) }
        try CrashRecoveryTests().makeLibrary(clean, count: count)
        #expect(try await Usher.run(["link", "--config", clean + "/usher.yml"]).status == 0)
        return tree(clean + "/tv")
    }

    @Test func sigtermDuringARunLetsItFinishAndTheNextRunHasNothingToDo() async throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let count = 800
        let key = try library(dir, count: count)
        let server = try ServeProcess(dir: dir)
        let port = try await server.waitForPort()
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let started = try await post(client, "http://127.0.0.1:\(port)/api/v1/run/link", key: key)
        let id = try #require(started["id"] as? Int)
        // Stop while the run is under way (or just queued): it is let finish.
        try await Task.sleep(for: .milliseconds(30))
        try await client.shutdown()
        let (status, reason, log) = await server.stop()
        #expect(reason == .exit && status == 0, "\(log)")
        #expect(log.contains("starting link"), "\(log)")
        let stats = try await Usher.run(["stats", "--json", "--config", dir + "/usher.yml"])
        #expect(stats.stdout.contains("\"links\" : \(count)") || stats.stdout.contains("\"links\":\(count)"), "\(stats.stdout.prefix(300))")
        let again = try await Usher.run(["link", "--json", "--config", dir + "/usher.yml"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("\"created\" : 0") || again.stdout.contains("\"created\":0"), "\(again.stdout.prefix(300))")
        #expect(tree(dir + "/tv") == (try await expected(count: count)))
        _ = id
    }

    @Test func killedDuringWebhookWorkARestartConverges() async throws {
        for delay in [0, 20, 80] {
            let dir = try temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let count = 300
            let key = try library(dir, count: count)
            var server = try ServeProcess(dir: dir)
            var port = try await server.waitForPort()
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            let hook = Data(#"{"eventType":"Download","movie":{"title":"Movie 1","year":2001}}"#.utf8)
            let answer = try await post(client, "http://127.0.0.1:\(port)/api/v1/webhook/radarr", key: key, body: hook)
            let id = try #require(answer["run"] as? Int, "\(answer)")
            try await Task.sleep(for: .milliseconds(delay))
            _ = await server.stop(signal: SIGKILL)
            // The restart records the broken run and a new one converges.
            server = try ServeProcess(dir: dir)
            port = try await server.waitForPort()
            let base = "http://127.0.0.1:\(port)"
            let first = try await finalOutcome(client, base: base, key: key, id: id)
            #expect(["ok", "interrupted"].contains(first), "run \(id) after the restart: \(first)")
            let again = try await post(client, base + "/api/v1/run/link", key: key)
            let againID = try #require(again["id"] as? Int)
            #expect(try await finalOutcome(client, base: base, key: key, id: againID) == "ok")
            try await client.shutdown()
            let (status, _, log) = await server.stop()
            #expect(status == 0, "\(log)")
            #expect(tree(dir + "/tv") == (try await expected(count: count)), "killed after \(delay) ms")
        }
    }
}

/// A `usher serve` child process on a port the system picks.
final class ServeProcess {
    let process = Process()
    let dir: String
    let err = Pipe()
    var port = 0

    init(dir: String) throws {
        self.dir = dir
        unlink(dir + "/port")
        process.executableURL = URL(fileURLWithPath: Usher.binary)
        process.arguments = ["serve", "--config", dir + "/usher.yml"]
        process.environment = ProcessInfo.processInfo.environment.merging(["USHER_PORT_FILE": dir + "/port"]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
    }

    func waitForPort() async throws -> Int {
        for _ in 0..<500 {
            if let text = try? String(contentsOfFile: dir + "/port", encoding: .utf8), let p = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                port = p
                return p
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw CancellationError()
    }

    /// SIGTERM (or `signal`), then the exit status and the log; waited for on a thread of its own, so the tests'
    /// shared threads stay free meanwhile.
    func stop(signal: Int32 = SIGTERM) async -> (status: Int32, reason: Process.TerminationReason, log: String) {
        kill(process.processIdentifier, signal)
        let (process, err) = (self.process, self.err)
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let data = err.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, process.terminationReason, String(decoding: data, as: UTF8.self)))
            }
        }
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

/// The run's outcome once it has ended (or after 20 s).
func finalOutcome(_ client: HTTPClient, base: String, key: String, id: Int) async throws -> String {
    var outcome = ""
    for _ in 0..<1000 {
        var request = HTTPClientRequest(url: base + "/api/v1/runs/\(id)")
        request.headers.add(name: "X-Api-Key", value: key)
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 16 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any]
        outcome = (object?["run"] as? [String: Any])?["outcome"] as? String ?? ""
        if !["", "queued", "running"].contains(outcome) { return outcome }
        try await Task.sleep(for: .milliseconds(20))
    }
    return outcome
}

/// Reads `usher_api_key` from a secrets file as a person would look it up.
enum ServeKeyReader {
    static func value(_ text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix("usher_api_key:") {
            return line.dropFirst("usher_api_key:".count).trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }
}
