import Foundation
import Testing

/// The shared API contracts (OpenAPI specs, captured responses) in `../shared/contracts` beside the package.
///
/// They are read in place, never copied into the package. When they are missing, the suites that need them
/// are skipped with a reason (`.enabled(if: Contracts.isAvailable, Contracts.missingComment)`), and a notice
/// goes to standard error once; `.ci/run` fails outright in that case.
enum Contracts {
    /// The package root: this file is `<root>/Tests/UsherKitTests/Contracts.swift`.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Contracts
        .deletingLastPathComponent()  // UsherKitTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root

    /// Where the contracts are looked for: `$USHER_CONTRACTS` when set, else `<package root>/../shared/contracts`.
    static let expectedRoot: URL = {
        if let override = ProcessInfo.processInfo.environment["USHER_CONTRACTS"], !override.isEmpty {
            return URL(fileURLWithPath: override).standardizedFileURL
        }
        return packageRoot.deletingLastPathComponent()
            .appendingPathComponent("shared", isDirectory: true)
            .appendingPathComponent("contracts", isDirectory: true)
            .standardizedFileURL
    }()

    /// The contracts folder, or `nil` (after a notice on standard error) when it is missing.
    static let root: URL? = {
        var isDirectory: ObjCBool = false
        let fixtures = expectedRoot.appendingPathComponent("fixtures").path
        if FileManager.default.fileExists(atPath: fixtures, isDirectory: &isDirectory), isDirectory.boolValue {
            return expectedRoot
        }
        FileHandle.standardError.write(Data("warning: \(missingMessage)\n".utf8))
        return nil
    }()

    static var isAvailable: Bool { root != nil }

    static var missingMessage: String {
        "../shared/contracts is missing: contract tests need it at \(expectedRoot.path) (SKIPPED, not passed)"
    }

    /// The reason shown for the skipped suites.
    static var missingComment: Comment { Comment(rawValue: missingMessage) }

    struct Missing: Error, CustomStringConvertible {
        var path: String
        var description: String { "contract file missing: \(path)" }
    }

    /// A file under `contracts/`, e.g. `specs/sonarr/sonarr-v3-openapi.v4.0.19.2979.json`.
    static func url(_ relativePath: String) throws -> URL {
        guard let root else { throw Missing(path: expectedRoot.appendingPathComponent(relativePath).path) }
        let url = root.appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else { throw Missing(path: url.path) }
        return url
    }

    /// The bytes of a fixture under `contracts/fixtures/`, e.g. `pyarr/tests/fixtures/sonarr/tag.json`.
    static func fixture(_ relativePath: String) throws -> Data {
        try Data(contentsOf: url("fixtures/" + relativePath))
    }

    /// A spec under `contracts/specs/`, e.g. `sonarr/sonarr-v3-openapi.v4.0.19.2979.json`.
    static func spec(_ relativePath: String) throws -> URL {
        try url("specs/" + relativePath)
    }
}
