import Foundation
import Testing
import UsherCore

@testable import UsherKit

/// Writes random Plex Linker collection files with the odd shapes real ones have (and odder ones):
/// null and empty shows, `''` and `0` ids and years, `(0)` titles, quoted and negative numbers, lists and
/// nested lists, strings where mappings belong, tags, titles with quotes, colons, control characters and
/// characters YAML folds. The YAML is written here, independently of Usher's own writer.
struct LegacyFileGenerator {
    var random: SplitMix64

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &random)] }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }

    /// A double-quoted YAML scalar, every character outside printable ASCII escaped.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if scalar.value >= 0x20 && scalar.value < 0x7F {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value <= 0xFFFF {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
                }
            }
        }
        return out + "\""
    }

    mutating func title() -> String {
        let words = [
            "Redemption", "24", "The Movie", "Spy Game", "Kyōto", "Pokémon", "Z", "Ōkami", "Rock & Roll", "It's", "\"Quoted\"",
            "#1", "A: B", "- Dash", "Movie 2", "II", "ü", "🎬", "x\ny", "tab\there", "nel\u{85}line", "sep\u{2028}x", "bom\u{FEFF}",
            "c1\u{9B}", " padded ", "back\\slash", "null", "~", "yes", "[1]", "{a}", "*star", "&amp", "!bang", "%pct", "@at", "`tick`",
        ]
        let count = Int.random(in: 1...3, using: &random)
        return (0..<count).map { _ in pick(words) }.joined(separator: pick([" ", "- ", ": ", ""]))
    }

    mutating func number(valid: ClosedRange<Int>) -> String? {
        switch Int.random(in: 0..<10, using: &random) {
        case 0: return nil  // absent
        case 1: return "''"
        case 2: return "0"
        case 3: return "-\(Int.random(in: 1...50, using: &random))"
        case 4: return pick(["abc", "null", "~", "'x1'", "1.5", "99999999999", "!cmd \"false\"", "[]", "{}"])
        case 5: return "'\(String(format: "%02d", Int.random(in: valid, using: &random)))'"
        default: return String(Int.random(in: valid, using: &random))
        }
    }

    mutating func episodes() -> String? {
        switch Int.random(in: 0..<8, using: &random) {
        case 0: return nil
        case 1:
            return "[" + (0..<Int.random(in: 0...3, using: &random)).map { _ in String(Int.random(in: -1...30, using: &random)) }.joined(separator: ", ") + "]"
        case 2: return "[[\(Int.random(in: 1...9, using: &random)), \(Int.random(in: 10...20, using: &random))]]"
        case 3: return "'\(Int.random(in: 0...40, using: &random))'"
        case 4: return pick(["''", "special", "-3", "0", "[1, x]", "1000000", "[1, 1]"])
        default: return String(Int.random(in: 1...40, using: &random))
        }
    }

    mutating func show(indent: String) -> String {
        let name =
            chance(0.05) ? "''" : Self.quoted(pick(["24", "South Park", "Top Gear", "Naruto", "Show: Sub", "Ōkami", " "]) + (chance(0.2) ? " " + title() : ""))
        switch Int.random(in: 0..<10, using: &random) {
        case 0: return "\(indent)\(name): null\n"
        case 1: return "\(indent)\(name): ''\n"
        case 2: return "\(indent)\(name): [\(Self.quoted(title()))]\n"
        default:
            var out = "\(indent)\(name):\n"
            let inner = indent + "  "
            if let season = number(valid: 0...12) { out += "\(inner)Season: \(season)\n" }
            if let episodes = episodes() { out += "\(inner)Episode: \(episodes)\n" }
            if let tvdb = number(valid: 70000...400000) { out += "\(inner)tvdbId: \(tvdb)\n" }
            if chance(0.5) {
                let code = "S\(String(format: "%02d", Int.random(in: 0...2, using: &random)))E\(String(format: "%02d", Int.random(in: 0...40, using: &random)))"
                out += "\(inner)\(pick(["Parsed Episode Title", "Parsed Show Title"])): \(Self.quoted("tv/Show/Season 00/Show - \(code) - \(title())"))\n"
            }
            if chance(0.2) { out += "\(inner)Anime: \(pick(["true", "false"]))\n\(inner)Episode ID: \(number(valid: 1...9999) ?? "''")\n" }
            if out.hasSuffix(":\n") { out = "\(indent)\(name): {}\n" }
            return out
        }
    }

    mutating func movie() -> String {
        let year = pick(["", " (0)", " (\(Int.random(in: 1900...2025, using: &random)))", " (1700)"])
        var key = title() + year
        if chance(0.1) { key += " {tmdb-\(Int.random(in: 1...99999, using: &random))}" }
        let quotedKey = Self.quoted(key)
        switch Int.random(in: 0..<12, using: &random) {
        case 0: return "\(quotedKey): null\n"
        case 1: return "\(quotedKey): \(Self.quoted(title()))\n"
        case 2: return "\(quotedKey): [a, b]\n"
        default:
            var out = "\(quotedKey):\n"
            if let tmdb = number(valid: 1...900000) { out += "  Movie DB ID: \(tmdb)\n" }
            if let year = number(valid: 1870...2030) { out += "  Year: \(year)\n" }
            if chance(0.3) { out += "  Unparsed Title: \(Self.quoted(title()))\n" }
            if chance(0.3) { out += "  Has File: \(pick(["true", "false", "''"]))\n" }
            switch Int.random(in: 0..<10, using: &random) {
            case 0: out += "  Shows: null\n"
            case 1: out += "  Shows: ''\n"
            case 2: out += "  Shows: \(Self.quoted(title()))\n"
            case 3: break
            default:
                out += "  Shows:\n"
                for _ in 0..<Int.random(in: 1...3, using: &random) { out += show(indent: "    ") }
            }
            if out.hasSuffix(":\n") { out += "  Monitored: true\n" }
            return out
        }
    }

    mutating func file() -> String {
        (0..<Int.random(in: 1...25, using: &random)).map { _ in movie() }.joined()
    }
}

@Suite("Plex Linker import: random collection files")
struct LegacyImportPropertyTests {
    private func unplaced(_ document: MappingDocument) -> MappingDocument {
        MappingDocument(
            mappings: document.mappings.map {
                var m = $0; m.location = nil; return m
            },
            hints: document.hints.map {
                var h = $0; h.location = nil; return h
            })
    }

    /// Whatever the import writes, the mapping file reader accepts, and reads back as written; the
    /// layout is stable (`links fmt` changes nothing); every mapping passes `MappingRules`; importing
    /// the same file again gives the same text.
    @Test func whatIsImportedAlwaysLoadsAndReimportsTheSame() throws {
        var converted = 0, hints = 0, skipped = 0, files = 0
        for seed in UInt64(1)...400 {
            var generator = LegacyFileGenerator(random: SplitMix64(seed: seed))
            let text = generator.file()
            let contents = LegacyImportFile.read(text, path: "collection.yml")
            #expect(contents.error == nil, "seed \(seed): the generator wrote invalid YAML: \(String(describing: contents.error))\n\(text)")
            let result = LegacyImport.convert(contents.movies)
            converted += result.mappings.count
            hints += result.hints.count
            skipped += result.skipped.count
            let document = result.document
            for mapping in document.mappings {
                #expect(MappingRules.problems(mapping).isEmpty, "seed \(seed): \(mapping.label): \(MappingRules.problems(mapping))")
            }
            for hint in document.hints {
                #expect(MappingRules.problems(hint).isEmpty, "seed \(seed): \(hint.label): \(MappingRules.problems(hint))")
            }
            guard !document.isEmpty else { continue }
            files += 1
            let rendered = MappingFile.render(document)
            let reloaded: MappingDocument
            do {
                reloaded = try MappingFile.loadDocument(text: rendered, path: "links.yml", environment: [:])
            } catch {
                Issue.record("seed \(seed): the written mappings do not load: \(error)\n\(rendered)")
                continue
            }
            // The same mappings and hints (the file is sorted, so compare them as bags).
            func bag<T: Hashable>(_ items: [T]) -> [T: Int] { items.reduce(into: [:]) { $0[$1, default: 0] += 1 } }
            #expect(bag(unplaced(reloaded).mappings) == bag(unplaced(document).mappings), "seed \(seed)")
            #expect(bag(unplaced(reloaded).hints) == bag(unplaced(document).hints), "seed \(seed)")
            #expect(MappingFile.render(reloaded) == rendered, "seed \(seed): not stable under links fmt")
            let again = LegacyImport.convert(LegacyImportFile.read(text, path: "collection.yml").movies)
            #expect(MappingFile.render(again.document) == rendered, "seed \(seed): a second import differs")
        }
        // The generator must exercise every outcome, or the property says little.
        #expect(files > 300 && converted > 1000 && hints > 100 && skipped > 300, "files \(files), mappings \(converted), hints \(hints), skipped \(skipped)")
    }

    /// The whole command path: written to disk by the job, read by the same reader `usher link` uses.
    @Test func theJobWritesWhatLinkReads() throws {
        let lib = try TestLibrary()
        for seed in UInt64(1000)...1030 {
            var generator = LegacyFileGenerator(random: SplitMix64(seed: seed))
            let text = generator.file()
            try text.write(toFile: lib.path("collection.yml"), atomically: true, encoding: .utf8)
            let report = try LegacyImportJob.run(file: lib.path("collection.yml"), output: lib.path("links.yml"), keep: 2)
            guard report.written else { continue }
            let first = try String(contentsOfFile: lib.path("links.yml"), encoding: .utf8)
            let mappings = try MappingFile.load(path: lib.path("links.yml"), environment: [:])
            #expect(mappings.count == report.result.mappings.count, "seed \(seed)")
            _ = try LegacyImportJob.run(file: lib.path("collection.yml"), output: lib.path("links.yml"), keep: 2)
            #expect(try String(contentsOfFile: lib.path("links.yml"), encoding: .utf8) == first, "seed \(seed)")
        }
    }
}
