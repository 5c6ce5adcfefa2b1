// A libFuzzer target for everything Usher reads from YAML a person (or an old script) wrote: the bytes
// as text, the config reader, the mapping file, and the Plex Linker collection with its conversion.
//
// Built and run by `scripts/fuzz` (`swift build --sanitize=fuzzer -Xswiftc -DUSHER_FUZZ`), which gives
// libFuzzer its limits: a few seconds and a few hundred MB per input, so an alias bomb or a runaway
// reader is a finding like a crash. Besides not crashing, what is read must be what is written: a
// mapping document rendered by Usher reads back as the same document.
//
// Without USHER_FUZZ (a normal `swift build`), the executable replays the files it is given through the
// same checks, so a finding can be debugged in a plain build: `usher-fuzz crash-1234`.
import Foundation
import UsherCore
import UsherFiles

@_cdecl("LLVMFuzzerTestOneInput")
public func usherFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    check(Data(bytes: data, count: size))
    return 0
}

func check(_ data: Data) {
    let path = "/nonexistent/usher-fuzz.yml"
    guard let text = try? YAMLReader.text(data, file: path) else { return }

    // The config reader: tags that would read files or run commands are refused, not followed.
    var reader = YAMLReader(file: path, environment: ["HOME": "/root"], runCommand: { _, _ in "" })
    reader.readsOutside = false
    _ = try? reader.parse(text)

    // The mapping file: what loads renders to text that loads back as the same document.
    if let document = try? MappingFile.loadDocument(text: text, reader: reader) {
        let rendered = MappingFile.render(document)
        guard MappingFile.holds(rendered, document, path: path) else {
            fatalError("a mapping document does not read back as rendered:\n--- input\n\(text)\n--- rendered\n\(rendered)")
        }
    }

    // The old collection file, read as data, and its conversion: what the import would write reads back.
    let contents = LegacyImportFile.read(text, path: path)
    let result = LegacyImport.convert(contents.movies)
    if !result.document.isEmpty {
        let rendered = MappingFile.render(result.document)
        guard MappingFile.holds(rendered, result.document, path: path) else {
            fatalError("an imported document does not read back as rendered:\n--- input\n\(text)\n--- rendered\n\(rendered)")
        }
    }
}

#if !USHER_FUZZ
    @main
    struct Replay {
        static func main() {
            for file in CommandLine.arguments.dropFirst() {
                guard let data = FileManager.default.contents(atPath: file) else {
                    FileHandle.standardError.write(Data("cannot read \(file)\n".utf8))
                    exit(2)
                }
                check(data)
                print("\(file): ok")
            }
        }
    }
#endif
