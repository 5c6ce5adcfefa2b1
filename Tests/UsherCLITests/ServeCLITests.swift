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

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Usher.binary)
        process.arguments = ["serve", "--config", dir + "/usher.yml"]
        process.environment = ProcessInfo.processInfo.environment.merging(["USHER_TEST_PORT_FILE": dir + "/port"]) { $1 }
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        var port = 0
        for _ in 0..<300 where port == 0 {
            if let text = try? String(contentsOfFile: dir + "/port", encoding: .utf8), let p = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                port = p
            } else {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        try #require(port > 0, "the server never said its port")
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

        kill(process.processIdentifier, SIGTERM)
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let log = String(decoding: stderr, as: UTF8.self)
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(log)")
        #expect(log.contains("stopped"))
        #expect(log.contains("made an API key"))
        #expect(!log.contains(key), "the key is never logged")
    }
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
