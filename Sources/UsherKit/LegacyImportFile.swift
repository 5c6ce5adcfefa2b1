public import Foundation
public import UsherCore

/// Reads the collection file of the old Plex Linker script.
public enum LegacyImportFile {
    public static func load(path: String) throws(ConfigError) -> [LegacyMovie] {
        var reader = YAMLReader(file: path, environment: [:])
        guard let rootValue = try reader.load() else { return [] }
        let root = ConfigNode(value: rootValue, path: "", file: path)
        var movies: [LegacyMovie] = []
        for (folder, node) in try root.entries() {
            let location = SourceLocation(file: path, line: node.value.line, column: node.value.column)
            if node.isNull {
                movies.append(LegacyMovie(folderName: folder, tmdb: nil, year: nil, shows: [], location: location))
                continue
            }
            let fields = try node.entries()
            func field(_ name: String) -> ConfigNode? { fields.first { $0.0 == name }?.1 }
            let tmdb = try field("Movie DB ID").flatMap { n throws(ConfigError) in n.isNull ? nil : try n.int() }
            let year = try field("Year").flatMap { n throws(ConfigError) in n.isNull ? nil : try n.int() }
            var shows: [LegacyShow] = []
            for (name, showNode) in try field("Shows")?.entries() ?? [] {
                let showLocation = SourceLocation(file: path, line: showNode.value.line, column: showNode.value.column)
                let showFields = try showNode.entries()
                func showField(_ key: String) -> ConfigNode? {
                    guard let node = showFields.first(where: { $0.0 == key })?.1, !node.isNull else { return nil }
                    return node
                }
                var episodes: [Int] = []
                if let node = showField("Episode") {
                    if case .sequence = node.value.content {
                        for item in try node.list() { episodes.append(try item.int()) }
                    } else {
                        episodes.append(try node.int())
                    }
                }
                let parsed = try showField("Parsed Episode Title").map { n throws(ConfigError) in try n.string() }
                shows.append(LegacyShow(
                    name: name, season: try showField("Season").map { n throws(ConfigError) in try n.int() }, episodes: episodes,
                    tvdb: try showField("tvdbId").map { n throws(ConfigError) in try n.int() }, parsedEpisodeTitle: parsed, location: showLocation))
            }
            movies.append(LegacyMovie(folderName: folder, tmdb: tmdb, year: year, shows: shows, location: location))
        }
        return movies
    }
}
