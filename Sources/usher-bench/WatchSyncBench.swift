import Foundation
import UsherCore
import UsherFakes
import UsherKit

#if canImport(Glibc)
    import Glibc
#endif

/// `usher-bench watch-sync`: `usher watch-sync` on a large ledger against the fake Plex and plex.tv. A state file with
/// --pairs links (default 2,000) is made directly (the job reads only the ledger), the fake Plex holds both items of
/// each link and --users users (default 3: the owner and two friends) who each watched a different tenth of them, and
/// `usher watch-sync --json` runs --runs times (default 5): the first finds the items by listing the libraries and
/// marks what the first look asks, the others find nothing to do. It prints each pass's time, usher's CPU time and
/// peak RSS, requests and marks. The fakes answer in this process, on the same cores.
enum WatchSyncBench {
    static let usage = """
        usage: usher-bench watch-sync [--pairs N] [--users N] [--runs N] [--usher PATH] [--keep]
        """

    static func main(_ arguments: [String]) -> Int32 {
        var pairs = 2_000, users = 3, runs = 5, usher = Bench.defaultUsherPath(), keep = false
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            switch argument {
            case "--pairs": pairs = rest.popFirst().flatMap { Int($0) } ?? -1
            case "--users": users = rest.popFirst().flatMap { Int($0) } ?? -1
            case "--runs": runs = rest.popFirst().flatMap { Int($0) } ?? -1
            case "--usher": usher = rest.popFirst() ?? ""
            case "--keep": keep = true
            default:
                FileHandle.standardError.write(Data("\(usage)\n".utf8))
                return 2
            }
        }
        guard pairs > 0, users > 0, runs > 1, FileManager.default.isExecutableFile(atPath: usher) else {
            FileHandle.standardError.write(Data("\(usage)\n(--pairs and --users at least 1, --runs at least 2; usher at \(usher))\n".utf8))
            return 2
        }
        do throws(BenchError) {
            try run(pairs: pairs, users: users, runs: runs, usher: usher, keep: keep)
            return 0
        } catch {
            FileHandle.standardError.write(Data("usher-bench watch-sync: FAILED: \(error.description)\n".utf8))
            return 1
        }
    }

    struct Report: Decodable {
        var pairs: Int
        var found: Int
        var marked: [Mark]
        var errors: [String]
        var requests: Int
        struct Mark: Decodable {}
    }

    static func run(pairs: Int, users: Int, runs: Int, usher: String, keep: Bool) throws(BenchError) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("usher-watch-sync-bench-\(UUID().uuidString)").path
        defer { if !keep { try? FileManager.default.removeItem(atPath: root) } }
        let started = Posix.now()
        let movie = { (i: Int) in "\(root)/movies/Movie \(i) (2001)/Movie \(i) (2001) Bluray-1080p.mkv" }
        let special = { (i: Int) in "\(root)/tv/Show \(i % 200)/Season 00/Show \(i % 200) - S00E\(String(format: "%03d", i / 200 + 1)) - Special.mkv" }
        let (plex, plexTV) = try ServeBench.blocking { () async throws -> (FakePlex, FakePlexTV) in
            let plex = try await FakePlex.start(
                token: "bench-owner-token-0123456789",
                sections: [
                    .init(key: "1", type: "movie", title: "Movies", locations: [root + "/movies"]),
                    .init(key: "2", type: "show", title: "TV", locations: [root + "/tv"]),
                ])
            let friends = (1..<users).map { FakePlexTV.User(id: "\($0 + 100)", title: "friend\($0)", serverToken: "bench-friend-token-\($0)") }
            let plexTV = try await FakePlexTV.start(ownerToken: plex.token, ownerName: "owner", machineIdentifier: plex.machineIdentifier, users: friends)
            for friend in friends { plex.addUser(friend.title, token: friend.serverToken!) }
            return (plex, plexTV)
        }
        defer { _ = try? ServeBench.blocking { await plex.stop() } }
        defer { _ = try? ServeBench.blocking { await plexTV.stop() } }
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try "links: []\n".write(toFile: root + "/links.yml", atomically: true, encoding: .utf8)
            try """
            state: usher.db
            link: {mappings: links.yml}
            plex: {url: "\(plex.url)", token: \(plex.token), watch_sync: true, plex_tv: "\(plexTV.url)"}

            """.write(toFile: root + "/usher.yml", atomically: true, encoding: .utf8)
            let ledger = try Ledger(path: root + "/usher.db")
            var change = Ledger.Change()
            for i in 0..<pairs {
                change.upserts.append(
                    LedgerEntry(
                        target: special(i),
                        link: LedgerLink(sourcePath: movie(i), identity: .hardlink(device: 1, inode: UInt64(i + 1)), size: 4_000_000_000),
                        mappingKey: "show \(i % 200)|S00E\(i / 200 + 1)", show: "Show \(i % 200)", createdAt: 1_700_000_000, updatedAt: 1_700_000_000))
            }
            try ledger.apply(change)
        } catch {
            throw BenchError("cannot make the state in \(root): \(error)")
        }
        for i in 0..<pairs {
            plex.addItem(.init(ratingKey: "\(10_000 + i)", type: "movie", title: "Movie \(i)", section: "1", files: [movie(i)]))
            plex.addItem(.init(ratingKey: "\(500_000 + i)", type: "episode", title: "Special", section: "2", files: [special(i)]))
            // Each user watched a different tenth: the owner movies, the friends specials.
            for user in 0..<users where i % 10 == user % 10 {
                plex.setWatched(user == 0 ? "\(10_000 + i)" : "\(500_000 + i)", by: user == 0 ? plex.owner : "friend\(user)", true)
            }
        }
        print(
            "usher-bench watch-sync: \(pairs) links, \(2 * pairs) Plex items, \(users) users (the owner and \(users - 1) friends), made in \(String(format: "%.1f", Posix.now() - started)) s"
        )
        guard let launcher = Bench.selfExecutable() else { throw BenchError("cannot find this executable (/proc/self/exe) to start usher through") }
        print("")
        print("| pass | time | usher's CPU | peak RSS | requests | marked |")
        print("|---|---:|---:|---:|---:|---:|")
        for pass in 1...runs {
            let child = try Runner.run(usher, ["watch-sync", "--config", root + "/usher.yml", "--json"], scratch: root, launcher: launcher)
            guard child.succeeded, let report = try? JSONDecoder().decode(Report.self, from: Data(child.stdout)) else {
                throw BenchError("pass \(pass): usher \(child.exitDescription): \(String(decoding: child.stderr.suffix(2000), as: UTF8.self))")
            }
            guard report.errors.isEmpty, report.found == pairs else { throw BenchError("pass \(pass): found \(report.found) of \(pairs); \(report.errors)") }
            // The first look marks the other item of everything each user watched; later passes mark nothing.
            let expected = pass == 1 ? (0..<users).map { user in (0..<pairs).filter { $0 % 10 == user % 10 }.count }.reduce(0, +) : 0
            guard report.marked.count == expected else { throw BenchError("pass \(pass) marked \(report.marked.count), expected \(expected)") }
            print(
                String(
                    format: "| %@ | %.3f s | %.3f s | %.1f MiB | %d | %d |", pass == 1 ? "first (lists, marks)" : "nothing to do", child.seconds,
                    child.cpuSeconds, Double(child.maxRSSKiB) / 1024, report.requests, report.marked.count))
        }
        if keep { print("kept \(root)") }
    }
}
