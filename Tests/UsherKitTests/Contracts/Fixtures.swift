import Foundation

/// Where the captured responses and specs of `../shared/contracts` are, and small JSON helpers for them.
enum Fixture {
    static let pyarrSonarr = "pyarr/tests/fixtures/sonarr/"
    static let pyarrRadarr = "pyarr/tests/fixtures/radarr/"
    static let haSonarr = "home-assistant/tests/components/sonarr/fixtures/"
    static let haRadarr = "home-assistant/tests/components/radarr/fixtures/"

    static func decode<T: Decodable>(_ type: T.Type, _ path: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Contracts.fixture(path))
    }
}

/// The real specs, parsed once.
enum Specs {
    static let sonarr4019 = Result { try OpenAPIContract(specAt: Contracts.spec("sonarr/sonarr-v3-openapi.v4.0.19.2979.json")) }
    static let sonarr400 = Result { try OpenAPIContract(specAt: Contracts.spec("sonarr/sonarr-v3-openapi.v4.0.0.748.json")) }
    static let radarr603 = Result { try OpenAPIContract(specAt: Contracts.spec("radarr/radarr-v3-openapi.v6.0.3.10276.json")) }
    static let radarr475 = Result { try OpenAPIContract(specAt: Contracts.spec("radarr/radarr-v3-openapi.v4.7.5.7809.json")) }
}

func decodeJSON<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(json.utf8))
}

func jsonObject(_ json: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
}

func encoded(_ value: some Encodable) throws -> Any {
    try JSONSerialization.jsonObject(with: JSONEncoder().encode(value), options: [.fragmentsAllowed])
}
