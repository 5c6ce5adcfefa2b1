import Foundation
import Mustache
import UsherCore

/// The page's templates, stylesheet and script, embedded in the binary by SwiftPM (`Package.swift`'s
/// `webResources`); the templates are parsed once.
enum WebTemplates {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        let templates: [(String, [UInt8])] = [
            ("layout", PackageResources.layout_mustache), ("login", PackageResources.login_mustache),
            ("overview", PackageResources.overview_mustache), ("links", PackageResources.links_mustache),
            ("runs", PackageResources.runs_mustache), ("run", PackageResources.run_mustache),
            ("proposals", PackageResources.proposals_mustache), ("prefetch", PackageResources.prefetch_mustache),
            ("message", PackageResources.message_mustache),
        ]
        for (name, bytes) in templates {
            // A template that does not parse is a bug of this build, found by the template tests.
            try! library.register(String(decoding: bytes, as: UTF8.self), named: name)
        }
        return library
    }()

    static let stylesheet = String(decoding: PackageResources.usher_css, as: UTF8.self)
    static let script = String(decoding: PackageResources.usher_js, as: UTF8.self)
    static let icon = String(decoding: PackageResources.usher_svg, as: UTF8.self)

    /// The page `name` drawn with `context`.
    static func render(_ name: String, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: name) ?? "<!doctype html><title>Usher</title><p>No page \(name).</p>"
    }
}

/// How the page writes numbers, sizes and times.
enum WebFormat {
    /// `1.2 GB` (powers of 1000, as disks are sold, as `usher stats` writes them), `512 B`.
    static func bytes(_ value: Int64) -> String { formatBytes(value) }

    /// `4.2 s`, `3 min 5 s`, `2 h 10 min`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: seconds < 10 ? "%.2f s" : "%.0f s", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \((whole % 3600) / 60) min"
    }

    /// ISO 8601 in UTC; the page's script shows it in the browser's time zone.
    static func time(_ date: Date) -> String { date.formatted(.iso8601) }

    /// `1,234`.
    static func count(_ value: Int) -> String { value.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US"))) }

    /// `created 2, unchanged 2000` from a run's counts, zeros left out.
    static func counts(_ counts: [String: Int]) -> String {
        let shown = counts.filter { $0.value != 0 }.sorted { $0.key < $1.key }.map { "\($0.key.replacingOccurrences(of: "_", with: " ")) \($0.value)" }
        return shown.isEmpty ? "nothing" : shown.joined(separator: ", ")
    }
}
