import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import UsherCore

#if canImport(Glibc)
    import Glibc
#endif

/// `--serve`: `usher serve` on the API-mode library. Radarr upgrades mapped movies one at a time and sends its
/// webhook for each; the time from sending the webhook to the new file having its links on disk is measured,
/// with the requests each webhook's run sent. Then a burst of webhooks (upgrades of other movies) at a fixed
/// rate: every one must be answered, and every link must follow. And the server's idle footprint.
struct ServeFigures {
    var latencies: [Double] = []
    var requests: [Int] = []
    var idleRSSMiB = 0.0
    var idleCPUPercent = 0.0
    var burstCount = 0
    var burstSendSeconds = 0.0
    var burstAnswered: [Int: Int] = [:]
    var burstLinkedSeconds = 0.0
    var burstRuns = 0
    var peakRSSMiB = 0.0

    func percentile(_ p: Double) -> Double {
        let sorted = latencies.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    var lines: [String] {
        let sortedRequests = requests.sorted()
        let medianRequests = sortedRequests.isEmpty ? 0 : sortedRequests[sortedRequests.count / 2]
        return [
            String(
                format:
                    "webhook → links on disk, %d webhooks one after the other: p50 %.3f s, p99 %.3f s, max %.3f s; requests per webhook's run: median %d (%d–%d)",
                latencies.count, percentile(0.5), percentile(0.99), latencies.max() ?? 0, medianRequests, sortedRequests.first ?? 0,
                sortedRequests.last ?? 0),
            String(
                format: "burst: %d webhooks sent in %.1f s, answered %@; every link on disk %.1f s after the first; %d link run(s)",
                burstCount, burstSendSeconds, burstAnswered.keys.sorted().map { "\(burstAnswered[$0]!) × \($0)" }.joined(separator: ", "),
                burstLinkedSeconds, burstRuns),
            String(format: "server: idle %.1f MiB RSS and %.2f%% of a core over 10 s; peak RSS %.1f MiB", idleRSSMiB, idleCPUPercent, peakRSSMiB),
        ]
    }
}

enum ServeBench {
    static func run(
        usher: String, root: String, config: String, plan: LibraryPlan, fakes: FakeServices, webhooks: Int, burst: Int
    ) throws(BenchError) -> ServeFigures {
        let key = (0..<24).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        do {
            let text =
                try String(contentsOfFile: config, encoding: .utf8)
                + "server: {listen: \"127.0.0.1:0\", api_key: \"\(key)\"}\nschedule: {link: off, prefetch: off, match: off}\n"
            try text.write(toFile: config, atomically: true, encoding: .utf8)
        } catch {
            throw BenchError("cannot write \(config): \(error)")
        }
        // Movies the earlier passes left alone (the first link's movie was upgraded), each with its link count.
        var seen = Set<Int>([plan.links[0].movie])
        var movies: [(index: Int, links: Int)] = []
        for link in plan.links where seen.insert(link.movie).inserted {
            movies.append((link.movie, plan.links.filter { $0.movie == link.movie }.count))
        }
        guard movies.count >= webhooks + burst else {
            throw BenchError("--webhooks \(webhooks) and --burst \(burst) need \(webhooks + burst) mapped movies; the library has \(movies.count)")
        }

        let (process, port) = try startServe(usher: usher, config: config, root: root)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let base = "http://127.0.0.1:\(port)"
        let pid = process.processIdentifier
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = try? blocking { try await http.shutdown() } }
        var figures = ServeFigures()

        // Idle: nothing scheduled, nothing asked.
        sleep(2)
        let cpuBefore = processCPU(pid)
        let idleStart = Posix.now()
        sleep(10)
        figures.idleCPUPercent = (processCPU(pid) - cpuBefore) / (Posix.now() - idleStart) * 100
        figures.idleRSSMiB = Double(status(pid, "VmRSS") ?? 0) / 1024

        func hook(_ index: Int) -> Data {
            let movie = plan.movie(index)
            let payload: [String: Any] = [
                "eventType": "Download", "isUpgrade": true,
                "movie": ["id": LibraryPlan.radarrID(movie: index), "title": movie.title, "year": movie.year, "tmdbId": LibraryPlan.tmdbID(movie: index)],
            ]
            return (try? JSONSerialization.data(withJSONObject: payload)) ?? Data()
        }
        func linked(_ file: String, _ links: Int) -> Bool {
            var st = stat()
            return stat(file, &st) == 0 && Int(st.st_nlink) == 1 + links
        }

        Bench.note("serve: \(webhooks) webhooks one after the other (upgrade, webhook, links on disk, the run's end)...")
        for (index, links) in movies.prefix(webhooks) {
            let file = try fakes.upgrade(movieID: LibraryPlan.radarrID(movie: index), path: root + "/" + plan.moviePath(index))
            fakes.resetRequests()
            let started = Posix.now()
            let (status, answer) = try post(http, base + "/api/v1/webhook/radarr", key: key, body: hook(index))
            guard status == 202, let run = answer["run"] as? Int else { throw BenchError("webhook for movie \(index): \(status) \(answer)") }
            var waited = 0
            while !linked(file, links) {
                guard waited < 30_000 else { throw BenchError("movie \(index): its links were not on disk 30 s after the webhook (see \(root)/serve.log)") }
                usleep(500)
                waited += 1
            }
            figures.latencies.append(Posix.now() - started)
            let outcome = try waitForRun(http, base: base, key: key, id: run)
            guard outcome == "ok" else { throw BenchError("the run of the webhook for movie \(index) ended \(outcome)") }
            figures.requests.append(fakes.tally().values.reduce(0, +))
        }

        let burstMovies = Array(movies.dropFirst(webhooks).prefix(burst))
        Bench.note("serve: a burst of \(burst) webhooks at \(burst / 5) a second...")
        var files: [(String, Int)] = []
        for (index, links) in burstMovies {
            files.append((try fakes.upgrade(movieID: LibraryPlan.radarrID(movie: index), path: root + "/" + plan.moviePath(index)), links))
        }
        let lastRun = try latestRun(http, base: base, key: key)
        let bodies = burstMovies.map { hook($0.index) }
        let burstStart = Posix.now()
        let statuses = try blocking { () async throws -> [Int] in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for (i, body) in bodies.enumerated() {
                    // Spread over 5 s.
                    let due = burstStart + 5.0 * Double(i) / Double(max(1, bodies.count))
                    let wait = due - Posix.now()
                    if wait > 0 { try await Task.sleep(for: .milliseconds(Int64(wait * 1000))) }
                    group.addTask { try await postAsync(http, base + "/api/v1/webhook/radarr", key: key, body: body).0 }
                }
                var all: [Int] = []
                for try await status in group { all.append(status) }
                return all
            }
        }
        figures.burstSendSeconds = Posix.now() - burstStart
        figures.burstCount = statuses.count
        for status in statuses { figures.burstAnswered[status, default: 0] += 1 }
        var remaining = files
        while !remaining.isEmpty {
            guard Posix.now() - burstStart < 300 else {
                throw BenchError("\(remaining.count) of the burst's movies had no links 300 s after the first webhook (see \(root)/serve.log)")
            }
            remaining.removeAll { linked($0.0, $0.1) }
            if !remaining.isEmpty { usleep(5_000) }
        }
        figures.burstLinkedSeconds = Posix.now() - burstStart
        let newest = try latestRun(http, base: base, key: key)
        if newest > 0 { _ = try waitForRun(http, base: base, key: key, id: newest) }
        figures.burstRuns = newest - lastRun
        figures.peakRSSMiB = Double(status(pid, "VmHWM") ?? 0) / 1024

        kill(pid, SIGTERM)
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw BenchError("usher serve did not exit 0 on SIGTERM (status \(process.terminationStatus)); see \(root)/serve.log")
        }
        return figures
    }

    // MARK: helpers

    /// `usher serve --config CONFIG`, its log in ROOT/serve.log, and the port it listens on (once it does). The
    /// caller stops it.
    static func startServe(usher: String, config: String, root: String) throws(BenchError) -> (process: Process, port: Int) {
        let portFile = root + "/serve.port"
        unlink(portFile)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: usher)
        process.arguments = ["serve", "--config", config]
        process.environment = ProcessInfo.processInfo.environment.merging(["USHER_PORT_FILE": portFile]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        _ = FileManager.default.createFile(atPath: root + "/serve.log", contents: nil)
        process.standardError = FileHandle(forWritingAtPath: root + "/serve.log")
        do { try process.run() } catch { throw BenchError("cannot start usher serve: \(error)") }
        var port = 0
        for _ in 0..<1000 where port == 0 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let p = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                port = p
            } else if !process.isRunning {
                throw BenchError("usher serve stopped: see \(root)/serve.log")
            } else {
                usleep(10_000)
            }
        }
        guard port > 0 else {
            kill(process.processIdentifier, SIGKILL)
            throw BenchError("usher serve did not listen within 10 s")
        }
        return (process, port)
    }

    static func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws(BenchError) -> T {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { box.value = .success(try await work()) } catch { box.value = .failure(error) }
            done.signal()
        }
        done.wait()
        switch box.value {
        case .success(let value): return value
        case .failure(let error): throw BenchError("\(error)")
        case nil: throw BenchError("no result")
        }
    }

    final class Box<T>: @unchecked Sendable {
        var value: Result<T, any Error>?
    }

    static func postAsync(_ http: HTTPClient, _ url: String, key: String, body: Data?, method: HTTPMethod = .POST) async throws -> (Int, Data) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "X-Api-Key", value: key)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let data = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), Data(data.readableBytesView))
    }

    static func object(_ data: Data) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    static func post(_ http: HTTPClient, _ url: String, key: String, body: Data?) throws(BenchError) -> (Int, [String: Any]) {
        let (status, data) = try blocking { try await postAsync(http, url, key: key, body: body) }
        return (status, object(data))
    }

    static func get(_ http: HTTPClient, _ url: String, key: String) throws(BenchError) -> [String: Any] {
        object(try blocking { try await postAsync(http, url, key: key, body: nil, method: .GET) }.1)
    }

    static func waitForRun(_ http: HTTPClient, base: String, key: String, id: Int) throws(BenchError) -> String {
        for _ in 0..<60_000 {
            let run = try get(http, base + "/api/v1/runs/\(id)", key: key)["run"] as? [String: Any]
            let outcome = run?["outcome"] as? String ?? ""
            if !["", "queued", "running"].contains(outcome) { return outcome }
            usleep(2_000)
        }
        throw BenchError("run \(id) did not end")
    }

    static func latestRun(_ http: HTTPClient, base: String, key: String) throws(BenchError) -> Int {
        ((try get(http, base + "/api/v1/runs?limit=1", key: key)["runs"] as? [[String: Any]])?.first?["id"] as? Int) ?? 0
    }

    /// user + system CPU seconds of a process (/proc/PID/stat).
    static func processCPU(_ pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = text.lastIndex(of: ")") else { return 0 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the name: state is field 3; utime and stime are fields 14 and 15.
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// A `kB` line of /proc/PID/status.
    static func status(_ pid: Int32, _ key: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            return Int(line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
        }
        return nil
    }
}
