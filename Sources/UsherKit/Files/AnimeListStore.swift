import AsyncHTTPClient
import Foundation
import Logging
import UsherCore

/// The Anime-Lists mapping as configured: read from a file, or downloaded and kept in the state
/// folder, downloaded again when the copy is older than `anime_list_max_age`. A failed download
/// falls back to the kept copy with a warning; without one, matching goes on by titles alone.
struct AnimeListStore {
    var source: MatchConfig.AnimeListSource
    var cachePath: String
    var maxAgeSeconds: Int
    var http: HTTPClient
    var policy: RetryPolicy
    var logger: Logger
    var counter: RequestCounter?

    struct Loaded {
        var list: AnimeList?
        /// Where it came from, for people: `anime-list-master.xml, downloaded 2026-11-21`.
        var origin: String
        var warnings: [String] = []
        var errors: [String] = []
    }

    static func cachePath(statePath: String) -> String {
        Paths.join(Paths.parent(statePath), "anime-list-master.xml")
    }

    func load(now: Date) async -> Loaded {
        switch source {
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                return Loaded(list: nil, origin: path, errors: ["\(path): cannot read the Anime-Lists file (match.anime_list); matching by titles only"])
            }
            do {
                return Loaded(list: try AnimeList.parse(Array(data)), origin: path)
            } catch {
                return Loaded(list: nil, origin: path, errors: ["\(path): \(error.description) (match.anime_list); matching by titles only"])
            }
        case .url(let url):
            let age = Self.age(of: cachePath, now: now)
            if let age, age < Double(maxAgeSeconds), let cached = readCache() {
                return Loaded(list: cached, origin: "\(cachePath) (kept copy, \(Self.describe(age: age)) old)")
            }
            let reason: String
            do {
                let client = ServiceClient.plain("anime-lists", url, http: http, policy: policy, logger: logger, counter: counter)
                let response = try await client.send("GET", "", accept: "application/xml, text/xml, */*")
                let bytes = Array(response.body)
                let list = try AnimeList.parse(bytes)
                guard !list.entries.isEmpty else { throw AnimeListError(line: 1, message: "the list is empty") }
                try keep(response.body)
                return Loaded(list: list, origin: "\(url) (downloaded)")
            } catch let error as ServiceError {
                reason = error.description
            } catch let error as AnimeListError {
                reason = "the answer is not an anime list (\(error.description))"
            } catch {
                reason = "cannot keep a copy at \(cachePath): \(error)"
            }
            if let cached = readCache() {
                let old = age.map { ", \(Self.describe(age: $0)) old" } ?? ""
                return Loaded(
                    list: cached, origin: "\(cachePath) (kept copy\(old))",
                    warnings: ["could not download the Anime-Lists mapping: \(reason); using the kept copy\(old)"])
            }
            return Loaded(list: nil, origin: url, warnings: ["could not download the Anime-Lists mapping: \(reason); no kept copy, so matching by titles only"])
        }
    }

    private func readCache() -> AnimeList? {
        guard let data = FileManager.default.contents(atPath: cachePath) else { return nil }
        return try? AnimeList.parse(Array(data))
    }

    private func keep(_ data: Data) throws {
        try FileManager.default.createDirectory(atPath: Paths.parent(cachePath), withIntermediateDirectories: true)
        let temporary = cachePath + ".usher-tmp"
        try data.write(to: URL(fileURLWithPath: temporary))
        if rename(temporary, cachePath) != 0 {
            let code = errno
            unlink(temporary)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
    }

    static func age(of path: String, now: Date) -> TimeInterval? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let modified = attributes[.modificationDate] as? Date
        else { return nil }
        return max(0, now.timeIntervalSince(modified))
    }

    static func describe(age: TimeInterval) -> String {
        let seconds = Int(age)
        if seconds < 3600 { return "\(max(1, seconds / 60)) min" }
        if seconds < 2 * 86400 { return "\(seconds / 3600) h" }
        return "\(seconds / 86400) days"
    }
}
