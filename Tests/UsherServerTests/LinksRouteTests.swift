import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import UsherCore

@testable import UsherKit
@testable import UsherServer

/// `GET api/v1/links`: paged from SQLite, filtered by show, with the last link run's conflicts and errors; and the
/// counted summary the status shows, which must agree with `LinkStatistics` over every row.
struct LinksRouteTests {
    let headers: HTTPFields = [.init("X-Api-Key")!: ServeFixture.key]

    /// 250 links over three shows; two links of "Naruto" share one file, one row of "Bleach" is pending, and one is a symlink.
    static func fill(_ ledger: Ledger) throws -> [LedgerEntry] {
        var change = Ledger.Change()
        for i in 0..<250 {
            let show = ["Naruto", "Bleach", "100% Orange_Juice"][i % 3]
            let identity: LinkIdentity = i == 7 ? .symlink(destination: "../m/\(i).mkv") : .hardlink(device: 1, inode: UInt64(i == 3 ? 0 : i))
            var entry = LedgerEntry(
                target: "/tv/\(show)/Specials/\(show) - S00E\(String(format: "%03d", i)).mkv",
                link: LedgerLink(sourcePath: "/movies/m\(i).mkv", identity: identity, size: Int64(1000 + i)), mappingKey: "links.yml:\(i + 2)",
                show: show, createdAt: 1_700_000_000, updatedAt: 1_700_000_000 + Int64(i))
            if i == 4 { entry.pending = PendingChange(previous: nil, temporaryPath: nil) }
            change.upserts.append(entry)
        }
        try ledger.apply(change)
        return change.upserts
    }

    @Test func theSummaryCountsAsLinkStatisticsDoes() throws {
        let f = try ServeFixture()
        defer { f.remove() }
        let entries = try Self.fill(f.state.ledger)
        let statistics = LinkStatistics(entries: entries)
        let summary = try f.state.ledger.linkSummary()
        #expect(summary.links == statistics.links)
        #expect(summary.hardlinks == statistics.hardlinks)
        #expect(summary.bytesSaved == statistics.bytesSaved)
        #expect(summary.links == 249, "the pending row is not a link yet")
    }

    /// The summary is kept between calls, and counted again after any change of a link row, by Usher or by hand.
    @Test func theKeptSummaryFollowsEveryChange() throws {
        let f = try ServeFixture()
        defer { f.remove() }
        _ = try Self.fill(f.state.ledger)
        #expect(try f.state.ledger.linkSummary().links == 249)
        var change = Ledger.Change()
        change.deletes = ["/tv/Naruto/Specials/Naruto - S00E000.mkv"]
        try f.state.ledger.apply(change)
        #expect(try f.state.ledger.linkSummary().links == 248)
        try f.state.ledger.queue.write { db in try db.execute(sql: "UPDATE links SET size = size + 1000000 WHERE show = 'Bleach'") }
        let after = try f.state.ledger.linkSummary()
        #expect(after.bytesSaved == LinkStatistics(entries: try f.state.ledger.entries()).bytesSaved)
    }

    @Test func pagesFilterAndBadParameters() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        _ = try Self.fill(f.state.ledger)
        try await f.test { client in
            var seen: [String] = []
            var offset = 0
            while true {
                let page = try await client.execute(uri: "/api/v1/links?limit=100&offset=\(offset)", method: .get, headers: headers) { body($0) }
                #expect(page["total"] as? Int == 250)
                let links = page["links"] as? [[String: Any]] ?? []
                seen += links.compactMap { $0["target"] as? String }
                if links.count < 100 { break }
                offset += 100
            }
            #expect(seen.count == 250 && Set(seen).count == 250, "every link once over three pages")
            #expect(seen == seen.sorted { a, b in (a.split(separator: "/")[1], a) < (b.split(separator: "/")[1], b) }, "ordered by show, then path")

            let bleach = try await client.execute(uri: "/api/v1/links?show=bLEACH&limit=500", method: .get, headers: headers) { body($0) }
            let rows = bleach["links"] as? [[String: Any]] ?? []
            #expect(bleach["total"] as? Int == 83 && rows.count == 83)
            #expect(rows.allSatisfy { $0["show"] as? String == "Bleach" })
            #expect(rows.filter { $0["pending"] as? Bool == true }.count == 1)
            let first = try #require(rows.first)
            #expect(first["kind"] as? String == "hardlink" && first["size"] as? Int != nil && first["mapping"] as? String != nil)
            #expect((first["created_at"] as? String)?.hasPrefix("2023-11-14") == true)

            // LIKE's wildcards are plain characters in the filter.
            let percent = try await client.execute(uri: "/api/v1/links?show=100%25%20Orange_&limit=1", method: .get, headers: headers) { body($0) }
            #expect(percent["total"] as? Int == 83)
            let underscore = try await client.execute(uri: "/api/v1/links?show=Naru_o", method: .get, headers: headers) { body($0) }
            #expect(underscore["total"] as? Int == 0)
            let none = try await client.execute(uri: "/api/v1/links?show=%25", method: .get, headers: headers) { body($0) }
            #expect(none["total"] as? Int == 83, "only the show with a % in its name")
            let twice = try await client.execute(uri: "/api/v1/links?show=%254eARUTO", method: .get, headers: headers) { body($0) }
            #expect(twice["total"] as? Int == 0, "decoded once: %4e is not N")

            for bad in ["limit=0", "limit=501", "limit=x", "offset=-1", "offset=x", "show=" + String(repeating: "a", count: 201)] {
                try await client.execute(uri: "/api/v1/links?\(bad)", method: .get, headers: headers) { response in
                    #expect(response.status == .badRequest, "\(bad)")
                    #expect(body(response)["error"] as? String != nil)
                }
            }
            try await client.execute(uri: "/api/v1/links", method: .get) { #expect($0.status == .unauthorized) }
        }
    }

    /// A report as the CLI's `--json` writes it, with one conflict and one error.
    static let report = """
        {"actions": [], "conflicts": [{"kind": "foreign_file", "mapping": "links.yml:4 (Film → Naruto S00E01)", "reason": "a file Usher did not create is there",
          "source": "/movies/Film/Film.mkv", "target": "/tv/Naruto/Specials/Naruto - S00E01.mkv", "freeable_bytes": 12}],
         "created": 1, "dry_run": false, "duration_seconds": 0.5, "errors": [{"mapping": "links.yml:9 (Other → Bleach S00E02)", "reason": "no such episode"}],
         "forgotten": 0, "kept": [], "reclaimed_bytes": 0, "removed": 0, "repaired_from_interrupted_run": 0, "replaced": 0, "unchanged": 3}
        """

    @Test func conflictsAndErrorsComeFromTheLastFinishedRealRun() async throws {
        let f = try ServeFixture()
        defer { f.remove() }
        let ledger = f.state.ledger
        // The report round-trips through LinkReport, so what the job writes is what the route reads.
        let decoded = try JSONDecoder.snakeCase.decode(LinkReport.self, from: Data(Self.report.utf8))
        let again = try JSONDecoder.snakeCase.decode(LinkReport.self, from: Data(decoded.json().utf8))
        #expect(again.conflicts.count == 1 && again.errors.count == 1 && again.conflicts[0].freeableBytes == 12)

        try await f.test { client in
            let empty = try await client.execute(uri: "/api/v1/links", method: .get, headers: headers) { body($0) }
            #expect(empty["total"] as? Int == 0 && (empty["conflicts"] as? [Any])?.isEmpty == true && empty["last_run"] == nil)

            let real = try ledger.addJobRun(job: .link, trigger: "api", dryRun: false, at: Date())
            try ledger.finishJobRun(id: real, at: Date(), outcome: .errors, message: nil, counts: [:], report: decoded.json())
            // A later dry run and a later failed run (no report) do not hide it.
            let dry = try ledger.addJobRun(job: .link, trigger: "api", dryRun: true, at: Date())
            try ledger.finishJobRun(id: dry, at: Date(), outcome: .ok, message: nil, counts: [:], report: #"{"conflicts": [], "errors": []}"#)
            let failed = try ledger.addJobRun(job: .link, trigger: "api", dryRun: false, at: Date())
            try ledger.finishJobRun(id: failed, at: Date(), outcome: .failed, message: "config", counts: [:], report: nil)

            let page = try await client.execute(uri: "/api/v1/links", method: .get, headers: headers) { body($0) }
            #expect((page["last_run"] as? [String: Any])?["id"] as? Int == Int(real))
            let conflicts = page["conflicts"] as? [[String: Any]] ?? []
            #expect(conflicts.count == 1 && conflicts.first?["kind"] as? String == "foreign_file")
            #expect((page["errors"] as? [[String: Any]])?.first?["reason"] as? String == "no such episode")

            let naruto = try await client.execute(uri: "/api/v1/links?show=naruto", method: .get, headers: headers) { body($0) }
            #expect((naruto["conflicts"] as? [Any])?.count == 1 && (naruto["errors"] as? [Any])?.count == 0)
        }
    }
}
