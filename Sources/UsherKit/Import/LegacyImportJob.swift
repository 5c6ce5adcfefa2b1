public import Foundation
public import UsherCore

/// `usher import plex-linker`: reads a Plex Linker collection file, converts what can be converted and
/// writes it as a mapping file (read back before it is written), and reports every entry it left out.
public struct LegacyImportReport: Sendable {
    public var file: String
    public var output: String
    /// Top-level entries read from the file.
    public var entries = 0
    public var result = LegacyImport.Result()
    /// The YAML error that stopped the reading half-way (the entries before it were imported).
    public var readError: ConfigError?
    /// The entry that error interrupted.
    public var cutOff: LegacyImport.Skip?
    public var written = false
    public var archived: String?
    /// Why nothing was written.
    public var notWritten: String?

    /// Something was not imported: an entry left out, the file not read to its end, or nothing written.
    public var leftSomethingOut: Bool {
        !result.skipped.isEmpty || readError != nil || cutOff != nil || !result.conflicts.isEmpty || !written
    }

    public func text() -> String {
        var lines: [String] = []
        func list(_ title: String, _ items: [LegacyImport.Skip], limit: Int = .max) {
            guard !items.isEmpty else { return }
            lines.append("\(title) (\(items.count)):")
            for item in items.prefix(limit) { lines.append("  \(item)") }
            if items.count > limit { lines.append("  … and \(items.count - limit) more (--json lists them all)") }
        }
        lines.append("Read \(entries) entr\(entries == 1 ? "y" : "ies") of \(file).")
        if let readError {
            lines.append("The file could not be read to its end: \(readError). Entries after that line were not imported; fix the file and import it again.")
        }
        if written {
            let mappings = result.mappings.count, hints = result.hints.count
            lines.append(
                "Wrote \(mappings) mapping\(mappings == 1 ? "" : "s")\(hints > 0 ? " and \(hints) hint\(hints == 1 ? "" : "s")" : "") to \(output)"
                    + (archived.map { " (the previous file is kept as \($0))" } ?? "") + ".")
        } else if let notWritten {
            lines.append("Nothing was written: \(notWritten).")
        }
        list("Left out, with the reason", (cutOff.map { [$0] } ?? []) + result.skipped)
        list("Kept as hints (the show is known, the episode is not: `usher match` proposes one)", result.hinted)
        list("Imported, with a value left out", result.notes)
        list("Nothing to import", result.ignored, limit: 10)
        if !result.conflicts.isEmpty {
            lines.append("Entries that claim the same episode (settle these before linking):")
            for c in result.conflicts { lines.append("  \(c)") }
        }
        return lines.joined(separator: "\n")
    }

    public func json() -> [String: Any] {
        func items(_ list: [LegacyImport.Skip]) -> [[String: Any]] {
            list.map { item in
                var object: [String: Any] = ["entry": item.entry, "reason": item.reason]
                if let location = item.location { object["file"] = location.file; object["line"] = location.line }
                return object
            }
        }
        var object: [String: Any] = [
            "file": file, "output": output, "entries": entries, "written": written,
            "imported": result.mappings.count, "hints": items(result.hinted), "skipped": items((cutOff.map { [$0] } ?? []) + result.skipped),
            "notes": items(result.notes), "ignored": items(result.ignored), "conflicts": result.conflicts.map { $0.description },
        ]
        if let readError { object["readError"] = readError.description }
        if let archived { object["archived"] = archived }
        if let notWritten { object["notWritten"] = notWritten }
        return object
    }
}

public enum LegacyImportJob {
    /// Reads `file` and writes the mappings to `output` (an existing file is archived first, keeping
    /// `keep` copies). Nothing is written when nothing could be converted. Throws when the file cannot
    /// be read at all or is not a collection file (nothing is written then either).
    public static func run(file: String, output: String, keep: Int, now: Date = Date()) throws(ConfigError) -> LegacyImportReport {
        let contents = try LegacyImportFile.load(path: file)
        var report = LegacyImportReport(file: file, output: output)
        if let error = contents.error, contents.movies.isEmpty {
            throw error
        }
        report.entries = contents.movies.count
        report.readError = contents.error
        report.cutOff = contents.cutOff
        report.result = LegacyImport.convert(contents.movies)
        let document = report.result.document
        guard !document.isEmpty else {
            report.notWritten = "no entry could be converted" + (FileManager.default.fileExists(atPath: output) ? " (\(output) was left as it was)" : "")
            return report
        }
        do {
            report.archived = try MappingFile.save(document, to: output, keep: keep, now: now)
            report.written = true
        } catch let error as ConfigError {
            report.notWritten = error.description
        } catch {
            report.notWritten = "cannot write \(output): \(error)"
        }
        return report
    }
}
