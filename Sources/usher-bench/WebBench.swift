import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import UsherCore
import UsherKit

#if canImport(Glibc)
    import Glibc
#endif

/// `usher-bench web`: how fast the web page answers with a large ledger. A state file with --links links (default
/// 50,000 over 500 shows) and 200 link runs is made directly (the pages read only the state), `usher serve` starts
/// on it, the benchmark logs in like a browser (the login form's cookie and token, then the session cookie), and
/// each page is asked --runs times (default 20), one request at a time. It prints each page's median and slowest
/// answer and its size, and the server's peak RSS.
enum WebBench {
    static let usage = """
        usage: usher-bench web [--links N] [--runs N] [--usher PATH] [--keep]
        """

    static func main(_ arguments: [String]) -> Int32 {
        var links = 50_000, runs = 20, usher = Bench.defaultUsherPath(), keep = false
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            switch argument {
            case "--links": links = rest.popFirst().flatMap { Int($0) } ?? -1
            case "--runs": runs = rest.popFirst().flatMap { Int($0) } ?? -1
            case "--usher": usher = rest.popFirst() ?? ""
            case "--keep": keep = true
            default:
                FileHandle.standardError.write(Data("\(usage)\n".utf8))
                return 2
            }
        }
        guard links > 0, runs > 0, FileManager.default.isExecutableFile(atPath: usher) else {
            FileHandle.standardError.write(Data("\(usage)\n(--links and --runs at least 1; usher at \(usher))\n".utf8))
            return 2
        }
        do throws(BenchError) {
            try run(links: links, runs: runs, usher: usher, keep: keep)
            return 0
        } catch {
            FileHandle.standardError.write(Data("usher-bench web: FAILED: \(error.description)\n".utf8))
            return 1
        }
    }

    static func run(links: Int, runs: Int, usher: String, keep: Bool) throws(BenchError) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("usher-web-bench-\(UUID().uuidString)").path
        defer { if !keep { try? FileManager.default.removeItem(atPath: root) } }
        let key = (0..<24).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let started = Posix.now()
        do {
            for folder in ["movies", "tv"] { try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true) }
            try "links: []\n".write(toFile: root + "/links.yml", atomically: true, encoding: .utf8)
            try """
            library: {movies: [movies], shows: [tv]}
            state: usher.db
            server: {listen: "127.0.0.1:0", api_key: "\(key)"}
            schedule: {link: off, prefetch: off, match: off}

            """.write(toFile: root + "/usher.yml", atomically: true, encoding: .utf8)
            let ledger = try Ledger(path: root + "/usher.db")
            var change = Ledger.Change()
            for i in 0..<links {
                let show = "Show \(i % 500)"
                change.upserts.append(
                    LedgerEntry(
                        target: "\(root)/tv/\(show)/Season 00/\(show) - S00E\(String(format: "%03d", i / 500)) - Special.mkv",
                        link: LedgerLink(
                            sourcePath: "\(root)/movies/Movie \(i) (2001)/Movie \(i) (2001) Bluray-1080p.mkv",
                            identity: .hardlink(device: 1, inode: UInt64(i + 1)), size: 4_000_000_000 + Int64(i)),
                        mappingKey: "links.yml:\(i * 5 + 2)", show: show, createdAt: 1_700_000_000, updatedAt: 1_700_000_000))
            }
            try ledger.apply(change)
            for run in 0..<200 {
                var history = Ledger.Change()
                history.run = RunRecord(
                    startedAt: Date(timeIntervalSince1970: 1_700_000_000 + Double(run) * 1800), durationMilliseconds: 100, created: run % 7 == 0 ? 1 : 0,
                    replaced: 0, removed: 0, unchanged: links, conflicts: 0, errors: 0, reclaimedBytes: 0)
                try ledger.apply(history)
            }
        } catch {
            throw BenchError("cannot make the state in \(root): \(error)")
        }
        print("usher-bench web: \(links) links and 200 runs in a state file, made in \(String(format: "%.1f", Posix.now() - started)) s")

        let (process, port) = try ServeBench.startServe(usher: usher, config: root + "/usher.yml", root: root)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let base = "http://127.0.0.1:\(port)"
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        defer { _ = try? ServeBench.blocking { try await http.shutdown() } }

        // The login, as a browser makes it.
        let login = try fetch(http, base + "/login", cookies: [:])
        guard let loginCookie = login.cookies["usher_login"], let token = csrf(login.body) else { throw BenchError("no login form") }
        let signedIn = try fetch(
            http, base + "/login", cookies: ["usher_login": loginCookie], form: "csrf=\(token)&next=%2F&password=\(key)")
        guard signedIn.status == 303, let session = signedIn.cookies["usher_session"] else { throw BenchError("the login failed (\(signedIn.status))") }

        let pages = [
            "/", "/links", "/links?offset=\(max(0, links - 100))", "/links?show=Show%2042", "/links?show=nothing%20matches", "/runs", "/prefetch",
            "/proposals",
        ]
        print("")
        print("| page | median | slowest | size |")
        print("|---|---:|---:|---:|")
        for page in pages {
            var times: [Double] = []
            var size = 0
            for _ in 0..<runs {
                let before = Posix.now()
                let answer = try fetch(http, base + page, cookies: ["usher_session": session])
                times.append(Posix.now() - before)
                guard answer.status == 200 else { throw BenchError("\(page) answered \(answer.status)") }
                size = answer.body.utf8.count
            }
            times.sort()
            print(String(format: "| `%@` | %.1f ms | %.1f ms | %.0f kB |", page, times[times.count / 2] * 1000, times.last! * 1000, Double(size) / 1000))
        }
        let rss = ServeBench.status(process.processIdentifier, "VmHWM").map { Double($0) / 1024 } ?? 0
        print("")
        print(String(format: "usher serve's peak RSS: %.1f MiB", rss))
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        if keep { print("kept \(root)") }
    }

    struct Answer {
        var status: Int
        var body: String
        var cookies: [String: String]
    }

    static func fetch(_ http: HTTPClient, _ url: String, cookies: [String: String], form: String? = nil) throws(BenchError) -> Answer {
        try ServeBench.blocking {
            var request = HTTPClientRequest(url: url)
            if !cookies.isEmpty { request.headers.add(name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
            if let form {
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.body = .bytes(ByteBuffer(string: form))
            }
            let response = try await http.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 64 << 20)
            var set: [String: String] = [:]
            for header in response.headers["Set-Cookie"] {
                let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                if pair.count == 2 { set[String(pair[0])] = String(pair[1]) }
            }
            return Answer(status: Int(response.status.code), body: String(buffer: body), cookies: set)
        }
    }

    static func csrf(_ html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value="([0-9a-f]{64})""#, options: .regularExpression) else { return nil }
        return String(html[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
    }
}
