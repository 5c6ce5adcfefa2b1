import AsyncHTTPClient
import Foundation
import Logging
import Testing

@testable import UsherKit

/// A real download client started by `scripts/download-clients` (which `scripts/test` runs): where it is and the
/// login, from `USHER_<NAME>_URL`, `_USER` and `_PASSWORD`.
///
/// When they are missing (plain `swift test`), the suites that need the daemon are skipped with a notice on
/// standard error; with `USHER_REQUIRE_DAEMONS=1` (as `scripts/test` sets) they run and fail instead.
enum Daemon: String, CaseIterable {
    case nzbget = "NZBGET", qbittorrent = "QBITTORRENT", transmission = "TRANSMISSION"

    struct Login {
        var url: String
        var user: String
        var password: String
    }

    private static let environment = ProcessInfo.processInfo.environment

    var login: Login? {
        guard let url = Self.environment["USHER_\(rawValue)_URL"], !url.isEmpty else { return nil }
        return Login(
            url: url, user: Self.environment["USHER_\(rawValue)_USER"] ?? "",
            password: Self.environment["USHER_\(rawValue)_PASSWORD"] ?? "")
    }

    static var required: Bool { environment["USHER_REQUIRE_DAEMONS"] == "1" }

    /// Once per test run: which daemons are missing, on standard error.
    private static let notice: Void = {
        let missing = allCases.filter { $0.login == nil }
        guard !missing.isEmpty else { return }
        let names = missing.map { "USHER_\($0.rawValue)_URL" }.joined(separator: ", ")
        if required {
            FileHandle.standardError.write(Data("error: USHER_REQUIRE_DAEMONS=1 but \(names) not set: those download-client tests FAIL\n".utf8))
        } else {
            FileHandle.standardError.write(
                Data(
                    """
                    warning: \(names) not set: the tests against real NZBGet/qBittorrent/Transmission are SKIPPED, not passed.
                    warning: run ./scripts/test (it starts the daemons with scripts/download-clients and sets them).

                    """.utf8))
        }
    }()

    /// Whether the daemon's tests run: when it is there, or when it must be (then its absence fails them).
    var isEnabled: Bool {
        Self.notice
        return login != nil || Self.required
    }

    var skipComment: Comment {
        Comment(rawValue: "USHER_\(rawValue)_URL is not set: start the daemons with ./scripts/test (SKIPPED, not passed)")
    }

    struct Missing: Error, CustomStringConvertible {
        var daemon: Daemon
        var description: String {
            "USHER_\(daemon.rawValue)_URL is not set but USHER_REQUIRE_DAEMONS=1: scripts/download-clients did not start \(daemon)"
        }
    }

    func require() throws -> Login {
        guard let login else { throw Missing(daemon: self) }
        return login
    }

    var kind: DownloadClientKind {
        switch self {
        case .nzbget: .nzbget
        case .qbittorrent: .qbittorrent
        case .transmission: .transmission
        }
    }

    /// A client for the daemon, `password` overriding the right one.
    func client(
        _ login: Login, url: String? = nil, username: String?? = .none, password: String?? = .none, logs: LogCollector? = nil,
        counter: RequestCounter? = nil
    ) -> any DownloadClient {
        DownloadClients.make(
            kind: kind, name: rawValue.lowercased(), url: url ?? login.url, apiKey: nil, username: username ?? login.user,
            password: password ?? login.password, http: TestHTTP.client,
            policy: RetryPolicy(attempts: 2, backoff: .milliseconds(50), timeout: .seconds(10)),
            logger: logs?.logger ?? Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, counter: counter, gate: nil)
    }
}

/// Every log line at any level, to check that no secret is ever logged.
final class LogCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    var all: [String] { lock.withLock { lines } }
    func append(_ line: String) { lock.withLock { lines.append(line) } }

    var logger: Logger {
        var logger = Logger(label: "test") { _ in Handler(collector: self) }
        logger.logLevel = .trace
        return logger
    }

    struct Handler: LogHandler {
        let collector: LogCollector
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            collector.append("\(event.level) \(event.message) \(all.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "))")
        }
    }
}

struct TimedOut: Error, CustomStringConvertible { var description: String }

/// Polls `probe` until it gives a value; fails after `timeout` (never a blind sleep).
func eventually<T>(_ what: String, timeout: Duration = .seconds(30), _ probe: () async throws -> T?) async throws -> T {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if let value = try await probe() { return value }
        guard clock.now < deadline else { throw TimedOut(description: "timed out after \(timeout) waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(100))
    }
}

/// Runs `body`, then `cleanup` whether or not `body` threw.
func withCleanup<T>(_ body: () async throws -> T, cleanup: () async -> Void) async throws -> T {
    do {
        let value = try await body()
        await cleanup()
        return value
    } catch {
        await cleanup()
        throw error
    }
}

// MARK: - Test downloads

/// SHA-1 (FIPS 180-1), for info-hashes and piece hashes of test torrents.
func sha1(_ data: [UInt8]) -> [UInt8] {
    var h: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
    var message = data
    message.append(0x80)
    while message.count % 64 != 56 { message.append(0) }
    let bits = UInt64(data.count) * 8
    for shift in stride(from: 56, through: 0, by: -8) { message.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
    func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << n) | (x >> (32 - n)) }
    var w = [UInt32](repeating: 0, count: 80)
    for chunk in stride(from: 0, to: message.count, by: 64) {
        for i in 0..<16 {
            let j = chunk + 4 * i
            w[i] = UInt32(message[j]) << 24 | UInt32(message[j + 1]) << 16 | UInt32(message[j + 2]) << 8 | UInt32(message[j + 3])
        }
        for i in 16..<80 { w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1) }
        var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
        for i in 0..<80 {
            let f: UInt32
            let k: UInt32
            switch i {
            case 0..<20: (f, k) = ((b & c) | (~b & d), 0x5A82_7999)
            case 20..<40: (f, k) = (b ^ c ^ d, 0x6ED9_EBA1)
            case 40..<60: (f, k) = ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
            default: (f, k) = (b ^ c ^ d, 0xCA62_C1D6)
            }
            let t = rotl(a, 5) &+ f &+ e &+ k &+ w[i]
            (e, d, c, b, a) = (d, c, rotl(b, 30), a, t)
        }
        h[0] &+= a; h[1] &+= b; h[2] &+= c; h[3] &+= d; h[4] &+= e
    }
    return h.flatMap { word in [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: word >> UInt32($0)) } }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

/// Bencoding, for `.torrent` files.
indirect enum Bencode {
    case int(Int)
    case bytes([UInt8])
    case dict([(String, Bencode)])

    static func string(_ text: String) -> Bencode { .bytes(Array(text.utf8)) }

    var encoded: [UInt8] {
        switch self {
        case .int(let value): Array("i\(value)e".utf8)
        case .bytes(let bytes): Array("\(bytes.count):".utf8) + bytes
        case .dict(let entries):
            // Keys in byte order, as the format requires.
            Array("d".utf8)
                + entries.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
                .flatMap { Bencode.string($0.0).encoded + $0.1.encoded } + Array("e".utf8)
        }
    }
}

/// A single-file `.torrent` whose tracker is a closed port on 127.0.0.1 (nothing is ever downloaded).
struct TestTorrent {
    var name: String
    var metainfo: Data
    /// The info-hash, lowercase hex.
    var hash: String

    init(name: String, length: Int = 40_000) {
        let pieceLength = 16_384
        let content = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ name.utf8.count) } + Array(name.utf8)
        let pieces = stride(from: 0, to: content.count, by: pieceLength).flatMap { sha1(Array(content[$0..<min($0 + pieceLength, content.count)])) }
        let info = Bencode.dict([
            ("name", .string(name)), ("piece length", .int(pieceLength)), ("pieces", .bytes(pieces)), ("length", .int(content.count)),
        ])
        let torrent = Bencode.dict([("announce", .string("http://127.0.0.1:9/announce")), ("info", info)])
        self.name = name
        metainfo = Data(torrent.encoded)
        hash = hex(sha1(info.encoded))
    }

    /// A `multipart/form-data` body for qBittorrent's `torrents/add`.
    func multipart(paused: Bool) -> RequestBody {
        let boundary = "usher-\(UUID().uuidString)"
        var data = Data()
        func field(_ name: String, _ value: String) {
            data.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
        }
        data.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"torrents\"; filename=\"\(name).torrent\"\r\n".utf8))
        data.append(Data("Content-Type: application/x-bittorrent\r\n\r\n".utf8))
        data.append(metainfo)
        data.append(Data("\r\n".utf8))
        field("paused", paused ? "true" : "false")  // qBittorrent 4.x
        field("stopped", paused ? "true" : "false")  // qBittorrent 5.x
        data.append(Data("--\(boundary)--\r\n".utf8))
        return RequestBody(contentType: "multipart/form-data; boundary=\(boundary)", data: data)
    }
}

/// An NZB of one file with message ids of its own (NZBGet sends an NZB identical to one it has straight to history
/// as a duplicate).
func testNZB(_ name: String) -> Data {
    let id = UUID().uuidString
    return Data(
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE nzb PUBLIC "-//newzBin//DTD NZB 1.1//EN" "http://www.newzbin.com/DTD/nzb/nzb-1.1.dtd">
        <nzb xmlns="http://www.newzbin.com/DTD/2003/nzb">
         <file poster="usher@test.invalid" date="1700000000" subject="&quot;\(name).mkv&quot; yEnc (1/1)">
          <groups><group>alt.binaries.test</group></groups>
          <segments><segment bytes="500000" number="1">\(id)-part1@usher.test.invalid</segment></segments>
         </file>
        </nzb>
        """.utf8)
}
