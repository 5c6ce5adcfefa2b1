import Foundation
import Testing
import UsherCore

@testable import UsherKit

struct OpenAPIContractTests {

    // MARK: Real fixtures against the real specs

    @Suite(.enabled(if: Contracts.isAvailable, Contracts.missingComment))
    struct RealSpecs {
        private func check(_ spec: Result<OpenAPIContract, any Error>, _ fixture: String, _ schema: String) throws -> [String] {
            try spec.get().violations(of: Contracts.fixture(fixture), against: schema)
        }

        @Test func theSpecsLoad() throws {
            for spec in [Specs.sonarr4019, Specs.sonarr400, Specs.radarr603, Specs.radarr475] {
                let names = try spec.get().schemaNames
                #expect(names.contains("TagResource") && names.contains("CommandResource"))
            }
            #expect(try Specs.sonarr4019.get().schemaNames.contains("SeriesResource"))
            #expect(try Specs.radarr603.get().schemaNames.contains("MovieFileResource"))
        }

        @Test func fixturesThatValidateCleanly() throws {
            let clean: [(Result<OpenAPIContract, any Error>, String, String)] = [
                (Specs.sonarr4019, Fixture.pyarrSonarr + "tag.json", "TagResource"),
                (Specs.sonarr4019, Fixture.pyarrSonarr + "tag_all.json", "TagResource"),
                (Specs.sonarr4019, Fixture.pyarrSonarr + "command.json", "CommandResource"),
                (Specs.sonarr4019, Fixture.pyarrSonarr + "command_all.json", "CommandResource"),
                (Specs.sonarr4019, Fixture.pyarrSonarr + "episode_series.json", "EpisodeResource"),
                (Specs.sonarr4019, Fixture.haSonarr + "episodes.json", "EpisodeResource"),
                (Specs.sonarr400, Fixture.haSonarr + "episodes.json", "EpisodeResource"),
                // v3-era naming fields (includeSeriesTitle, separator, …) are still in 4.0.0's schema.
                (Specs.sonarr400, Fixture.pyarrSonarr + "config_naming.json", "NamingConfigResource"),
                (Specs.radarr603, Fixture.pyarrRadarr + "moviefile.json", "MovieFileResource"),
                (Specs.radarr603, Fixture.pyarrRadarr + "moviefiles.json", "MovieFileResource"),
                (Specs.radarr475, Fixture.pyarrRadarr + "moviefile.json", "MovieFileResource"),
                (Specs.radarr603, Fixture.haRadarr + "movies.json", "MovieResource"),
            ]
            for (spec, fixture, schema) in clean {
                #expect(try check(spec, fixture, schema) == [], "\(fixture) against \(schema)")
            }
        }

        @Test func responsesValidateByMethodPathAndStatus() throws {
            let sonarr = try Specs.sonarr4019.get()
            let radarr = try Specs.radarr603.get()
            let episodes = try Contracts.fixture(Fixture.pyarrSonarr + "episode_series.json")
            #expect(sonarr.violations(of: episodes, forResponseOf: "GET", path: "/api/v3/episode?seriesId=1", status: 200) == [])
            let tag = try Contracts.fixture(Fixture.pyarrSonarr + "tag.json")
            #expect(sonarr.violations(of: tag, forResponseOf: "GET", path: "/api/v3/tag/2", status: 200) == [])
            #expect(sonarr.violations(of: tag, forResponseOf: "get", path: "/sonarr/api/v3/tag/2", status: 200) == [])  // behind a urlBase
            let command = try Contracts.fixture(Fixture.pyarrSonarr + "command.json")
            #expect(sonarr.violations(of: command, forResponseOf: "GET", path: "/api/v3/command/4327826", status: 200) == [])
            let movieFile = try Contracts.fixture(Fixture.pyarrRadarr + "moviefile.json")
            #expect(radarr.violations(of: movieFile, forResponseOf: "GET", path: "/api/v3/moviefile/102", status: 200) == [])
            let movies = try Contracts.fixture(Fixture.haRadarr + "movies.json")
            #expect(radarr.violations(of: movies, forResponseOf: "GET", path: "/api/v3/movie", status: 200) == [])

            // A list where the operation answers one object, and the reverse.
            #expect(
                sonarr.violations(of: episodes, forResponseOf: "GET", path: "/api/v3/episode/1", status: 200)
                    == ["$: expected object, got array"])
            #expect(
                sonarr.violations(of: tag, forResponseOf: "GET", path: "/api/v3/tag", status: 200)
                    == ["$: expected array, got object"])
        }

        @Test func statusCodesThePOSTsReallyAnswer() throws {
            let sonarr = try Specs.sonarr4019.get()
            let command = try Contracts.fixture(Fixture.pyarrSonarr + "command.json")
            // The spec declares 200; Sonarr answers 201. Accepted unless strict.
            #expect(sonarr.violations(of: command, forResponseOf: "POST", path: "/api/v3/command", status: 201) == [])
            let strict = sonarr.violations(of: command, forResponseOf: "POST", path: "/api/v3/command", status: 201, strict: true)
            #expect(strict.count == 1)
            #expect(strict.first?.contains("declares no 201 response") == true)
            #expect(sonarr.violations(of: command, forResponseOf: "POST", path: "/api/v3/command", status: 404).count == 1)
        }

        @Test func operationsWithoutASchemaAndUnknownOperations() throws {
            let sonarr = try Specs.sonarr4019.get()
            let body = Data("{}".utf8)
            #expect(sonarr.violations(of: body, forResponseOf: "DELETE", path: "/api/v3/command/5", status: 200) == [])
            let strict = sonarr.violations(of: body, forResponseOf: "DELETE", path: "/api/v3/command/5", status: 200, strict: true)
            #expect(strict.count == 1 && strict[0].hasPrefix("$: no schema for DELETE /api/v3/command/5 200"))
            let unknownPath = sonarr.violations(of: body, forResponseOf: "GET", path: "/api/v3/nothing/here", status: 200)
            #expect(unknownPath.count == 1 && unknownPath[0].contains("no path in the spec matches /api/v3/nothing/here"))
            let unknownMethod = sonarr.violations(of: body, forResponseOf: "PATCH", path: "/api/v3/tag/1", status: 200)
            #expect(unknownMethod.count == 1 && unknownMethod[0].contains("has no PATCH operation"))
            #expect(sonarr.violations(of: Data(), forResponseOf: "GET", path: "/api/v3/tag/1", status: 200).first?.contains("empty body") == true)
            #expect(sonarr.violations(of: Data("<html>".utf8), forResponseOf: "GET", path: "/api/v3/tag/1", status: 200).first?.contains("not JSON") == true)
        }

        @Test func literalPathSegmentsWinOverParameters() throws {
            let sonarr = try Specs.sonarr4019.get()
            #expect(sonarr.pathTemplate(matching: "/api/v3/series/lookup?term=x") == "/api/v3/series/lookup")
            #expect(sonarr.pathTemplate(matching: "/api/v3/series/12") == "/api/v3/series/{id}")
            #expect(sonarr.pathTemplate(matching: "/api/v3/series/12/folder") == "/api/v3/series/{id}/folder")
            #expect(sonarr.pathTemplate(matching: "/api/v3/tag/detail/3") == "/api/v3/tag/detail/{id}")
            #expect(sonarr.pathTemplate(matching: "http://localhost:8989/api/v3/series") == "/api/v3/series")
            #expect(sonarr.pathTemplate(matching: "/api/v3/series/12/13/14") == nil)
        }

        // MARK: Real fixtures that do NOT validate, and why

        /// Sonarr 3.0.x captures carry v3-only fields that v4's schemas (additionalProperties: false) lack.
        @Test func homeAssistantSeriesIsV3Shaped() throws {
            let expected = [
                "$[0].lastInfoSync: unexpected property (not in SeriesResource, additionalProperties: false)",
                "$[0].profileId: unexpected property (not in SeriesResource, additionalProperties: false)",
            ]
            #expect(try check(Specs.sonarr4019, Fixture.haSonarr + "series.json", "SeriesResource") == expected)
            #expect(try check(Specs.sonarr400, Fixture.haSonarr + "series.json", "SeriesResource") == expected)
        }

        @Test func pyarrEpisodeFilesHaveV3LanguageFields() throws {
            let expected = [0, 1].flatMap { i in
                [
                    "$[\(i)].language: unexpected property (not in EpisodeFileResource, additionalProperties: false)",
                    "$[\(i)].languageCutoffNotMet: unexpected property (not in EpisodeFileResource, additionalProperties: false)",
                ]
            }
            #expect(try check(Specs.sonarr4019, Fixture.pyarrSonarr + "episodefile_series.json", "EpisodeFileResource") == expected)
            #expect(try check(Specs.sonarr400, Fixture.pyarrSonarr + "episodefile_series.json", "EpisodeFileResource") == expected)
        }

        /// pyarr's placeholder captures ("string" for every text) fail the enums, besides the v3 fields.
        @Test func pyarrPlaceholdersFailTheEnums() throws {
            let series = try check(Specs.sonarr4019, Fixture.pyarrSonarr + "series.json", "SeriesResource")
            #expect(
                series == [
                    "$.seriesType: \"string\" is not one of SeriesTypes: standard, daily, anime",
                    "$.status: \"string\" is not one of SeriesStatusType: continuing, ended, upcoming, deleted",
                ])
            let all = try check(Specs.sonarr4019, Fixture.pyarrSonarr + "series_all.json", "SeriesResource")
            #expect(all.count == 4 && all.allSatisfy { $0.contains("\"string\" is not one of") })

            let episode = try check(Specs.sonarr4019, Fixture.pyarrSonarr + "episode.json", "EpisodeResource")
            #expect(
                episode == [
                    "$.episodeFile.language: unexpected property (not in EpisodeFileResource, additionalProperties: false)",
                    "$.episodeFile.languageCutoffNotMet: unexpected property (not in EpisodeFileResource, additionalProperties: false)",
                    "$.episodeFile.quality.quality.source: \"string\" is not one of QualitySource: unknown, television, televisionRaw, web, webRip, dvd, bluray, blurayRaw",
                    "$.series.seriesType: \"string\" is not one of SeriesTypes: standard, daily, anime",
                    "$.series.status: \"string\" is not one of SeriesStatusType: continuing, ended, upcoming, deleted",
                ])
            let file = try check(Specs.sonarr4019, Fixture.pyarrSonarr + "episodefile.json", "EpisodeFileResource")
            #expect(file.count == 3)
        }

        /// The naming fields Sonarr dropped between 4.0.0 and 4.0.19 (the v3 "basic" naming settings).
        @Test func pyarrNamingConfigHasFieldsThatV4019Dropped() throws {
            let violations = try check(Specs.sonarr4019, Fixture.pyarrSonarr + "config_naming.json", "NamingConfigResource")
            let extras = ["includeEpisodeTitle", "includeQuality", "includeSeriesTitle", "numberStyle", "replaceSpaces", "separator"]
            #expect(violations == extras.map { "$.\($0): unexpected property (not in NamingConfigResource, additionalProperties: false)" })
        }

        /// Sonarr 3.0.8 (mono) reports isMono/isMonoRuntime; 4.0.0's spec models versions and time spans as objects.
        @Test func sonarr3SystemStatusAndTheOlderSpecsOddities() throws {
            #expect(
                try check(Specs.sonarr4019, Fixture.pyarrSonarr + "system_status.json", "SystemResource") == [
                    "$.isMono: unexpected property (not in SystemResource, additionalProperties: false)",
                    "$.isMonoRuntime: unexpected property (not in SystemResource, additionalProperties: false)",
                ])
            #expect(
                try check(Specs.sonarr400, Fixture.pyarrSonarr + "system_status.json", "SystemResource") == [
                    "$.isMono: unexpected property (not in SystemResource, additionalProperties: false)",
                    "$.isMonoRuntime: unexpected property (not in SystemResource, additionalProperties: false)",
                    "$.runtimeVersion: expected object, got string",
                    "$.sqliteVersion: expected object, got string",
                ])
            // 4.0.0.748's spec describes TimeSpan as an object, but it is serialized "00:00:00.3358380".
            #expect(
                try check(Specs.sonarr400, Fixture.pyarrSonarr + "command.json", "CommandResource") == [
                    "$.duration: expected object, got string"
                ])
        }

        /// pyarr's Radarr movie (Radarr v4 era) has alternate-title fields that v6 dropped; HA's movies have
        /// `statistics`, which Radarr 4.7 did not have.
        @Test func radarrMoviesAcrossVersions() throws {
            let v6 = try check(Specs.radarr603, Fixture.pyarrRadarr + "movie.json", "MovieResource")
            #expect(v6.count == 40)
            let dropped = ["language", "movieId", "sourceId", "voteCount", "votes"]
            #expect(
                Set(v6)
                    == Set(
                        (0..<8).flatMap { i in
                            dropped.map {
                                "$.alternateTitles[\(i)].\($0): unexpected property (not in AlternativeTitleResource, additionalProperties: false)"
                            }
                        }))
            let v4 = try check(Specs.radarr475, Fixture.pyarrRadarr + "movie.json", "MovieResource")
            #expect(
                v4
                    == (0..<8).map {
                        "$.alternateTitles[\($0)].movieId: unexpected property (not in AlternativeTitleResource, additionalProperties: false)"
                    })
            #expect(
                try check(Specs.radarr475, Fixture.haRadarr + "movies.json", "MovieResource") == [
                    "$[0].statistics: unexpected property (not in MovieResource, additionalProperties: false)",
                    "$[1].statistics: unexpected property (not in MovieResource, additionalProperties: false)",
                ])
        }

        /// Queue captures: v3 sends PascalCase enums (reported with a case hint); both carry a `series.seasonCount`
        /// that no v4 spec has.
        @Test func sonarrQueueCaptures() throws {
            let v3 = try check(Specs.sonarr4019, Fixture.haSonarr + "queue.json", "QueueResourcePagingResource")
            #expect(
                v3.contains(
                    "$.records[0].status: \"Downloading\" is not one of QueueStatus: unknown, queued, paused, downloading, completed, failed, warning, delay, downloadClientUnavailable, fallback (case differs from downloading)"
                ))
            #expect(v3.contains("$.records[0].trackedDownloadStatus: \"Ok\" is not one of TrackedDownloadStatus: ok, warning, error (case differs from ok)"))
            #expect(v3.count == 5)
            let v4 = try check(Specs.sonarr4019, Fixture.haSonarr + "queue_season_pack.json", "QueueResourcePagingResource")
            #expect(
                v4
                    == (0..<3).map {
                        "$.records[\($0)].series.seasonCount: unexpected property (not in SeriesResource, additionalProperties: false)"
                    })
        }

        // MARK: Hand-made bad JSON against the real Sonarr spec

        @Test func badJSONIsCaught() throws {
            let sonarr = try Specs.sonarr4019.get()
            func bad(_ json: String, _ schema: String) throws -> [String] {
                sonarr.violations(of: try jsonObject(json), against: schema)
            }
            #expect(try bad(#"{"id": "2", "label": "x"}"#, "TagResource") == ["$.id: expected integer, got string"])
            #expect(try bad(#"{"id": 2, "label": 5}"#, "TagResource") == ["$.label: expected string, got number"])
            #expect(try bad(#"{"id": true}"#, "TagResource") == ["$.id: expected integer, got boolean"])
            #expect(try bad(#"{"id": 1.5}"#, "TagResource") == ["$.id: expected integer, got number 1.5"])
            #expect(try bad(#"{"id": 2.0}"#, "TagResource") == [])
            #expect(try bad(#"{"id": null, "label": null}"#, "TagResource") == ["$.id: expected integer, got null"])
            #expect(
                try bad(#"{"id": 2, "label": "x", "color": "red"}"#, "TagResource")
                    == ["$.color: unexpected property (not in TagResource, additionalProperties: false)"])
            #expect(
                try bad(#"{"id": 1, "seriesType": "Anime"}"#, "SeriesResource")
                    == ["$.seriesType: \"Anime\" is not one of SeriesTypes: standard, daily, anime (case differs from anime)"])
            #expect(try bad(#"{"id": 3000000000}"#, "EpisodeResource") == ["$.id: 3000000000 is out of int32 range"])
            #expect(try bad(#"{"size": 3000000000}"#, "EpisodeFileResource") == [])
            #expect(try bad(#"{"size": 10000000000000000000}"#, "EpisodeFileResource") == ["$.size: 10000000000000000000 is out of int64 range"])
            #expect(try bad(#"{"hasFile": 1}"#, "EpisodeResource") == ["$.hasFile: expected boolean, got number"])
            #expect(try bad(#"{"tags": [1, 2, 1]}"#, "SeriesResource") == ["$.tags[2]: duplicate item (uniqueItems)"])
            #expect(
                try bad(#"{"quality": {"quality": {"resolution": "1080p"}}}"#, "EpisodeFileResource")
                    == ["$.quality.quality.resolution: expected integer, got string"])
            #expect(
                try bad(#"{"page": 1, "records": [{"id": 1, "title": 7}]}"#, "QueueResourcePagingResource")
                    == ["$.records[0].title: expected string, got number"])
            #expect(
                try bad(#"{"records": [{"weird key": 1}]}"#, "QueueResourcePagingResource")
                    == ["$.records[0][\"weird key\"]: unexpected property (not in QueueResource, additionalProperties: false)"])
            #expect(try bad(#"[{"id": 1}]"#, "TagResource") == ["$: expected object, got array"])
            #expect(try bad(#"{}"#, "NoSuchResource") == ["$: no schema NoSuchResource in sonarr-v3-openapi.v4.0.19.2979.json"])
            // Several problems are all reported.
            #expect(try bad(#"{"id": "x", "label": 1, "extra": 0}"#, "TagResource").count == 3)
        }
    }

    // MARK: The checker on a small hand-written spec (no contracts needed)

    struct SyntheticSpec {
        static let spec = """
            {
              "openapi": "3.0.1",
              "paths": {
                "/api/v3/thing/{id}": {
                  "get": {"responses": {"2XX": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}
                },
                "/api/v3/thing/{id}.json": {
                  "get": {"responses": {"default": {"content": {"text/json": {"schema": {"type": "string"}}}}}}
                }
              },
              "components": {"schemas": {
                "Kind": {"enum": ["alpha", "beta"], "type": "string"},
                "Thing": {
                  "type": "object", "required": ["id", "kind"], "additionalProperties": false,
                  "properties": {
                    "id": {"type": "integer", "format": "int64"},
                    "kind": {"$ref": "#/components/schemas/Kind"},
                    "maybe": {"type": ["string", "null"]},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "child": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "properties": {"extra": {"type": "boolean"}}}]},
                    "either": {"oneOf": [{"type": "integer"}, {"$ref": "#/components/schemas/Base"}]}
                  }
                },
                "Base": {"type": "object", "additionalProperties": false, "properties": {"name": {"type": "string"}}}
              }}
            }
            """

        private static func contract() throws -> OpenAPIContract {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("usher-openapi-\(UUID().uuidString).json")
            try Data(spec.utf8).write(to: url)
            defer { try? FileManager.default.removeItem(at: url) }
            return try OpenAPIContract(specAt: url)
        }

        @Test func requiredEnumNullableAndAdditionalPropertiesSchemas() throws {
            let spec = try Self.contract()
            #expect(spec.violations(of: try jsonObject(#"{"id": 1, "kind": "alpha", "maybe": null}"#), against: "Thing") == [])
            #expect(spec.violations(of: try jsonObject(#"{"kind": "alpha"}"#), against: "Thing") == ["$.id: required property missing"])
            #expect(
                spec.violations(of: try jsonObject(#"{"id": 1, "kind": "gamma"}"#), against: "Thing")
                    == ["$.kind: \"gamma\" is not one of Kind: alpha, beta"])
            #expect(
                spec.violations(of: try jsonObject(#"{"id": 1, "kind": "beta", "labels": {"a": "x", "b": 2}}"#), against: "Thing")
                    == ["$.labels.b: expected string, got number"])
            #expect(
                spec.violations(of: try jsonObject(#"{"id": 1, "kind": "beta", "maybe": 3}"#), against: "Thing")
                    == ["$.maybe: expected string or null, got number"])
        }

        @Test func allOfKnowsTheSiblingsProperties() throws {
            let spec = try Self.contract()
            #expect(spec.violations(of: try jsonObject(#"{"id": 1, "kind": "alpha", "child": {"name": "n", "extra": true}}"#), against: "Thing") == [])
            #expect(
                spec.violations(of: try jsonObject(#"{"id": 1, "kind": "alpha", "child": {"name": 1, "other": true}}"#), against: "Thing")
                    == [
                        "$.child.name: expected string, got number",
                        "$.child.other: unexpected property (not in Base, additionalProperties: false)",
                    ])
        }

        @Test func oneOfNeedsOneMatchingAlternative() throws {
            let spec = try Self.contract()
            #expect(spec.violations(of: try jsonObject(#"{"id": 1, "kind": "alpha", "either": 3}"#), against: "Thing") == [])
            #expect(spec.violations(of: try jsonObject(#"{"id": 1, "kind": "alpha", "either": {"name": "x"}}"#), against: "Thing") == [])
            let bad = spec.violations(of: try jsonObject(#"{"id": 1, "kind": "alpha", "either": "text"}"#), against: "Thing")
            #expect(bad.count == 1 && bad[0].hasPrefix("$.either: matches none of the 2 alternatives of oneOf"))
        }

        @Test func responsesFallBackToNXXAndDefault() throws {
            let spec = try Self.contract()
            #expect(spec.violations(of: Data(#"{"id": 9, "kind": "beta"}"#.utf8), forResponseOf: "GET", path: "/api/v3/thing/9", status: 200) == [])
            #expect(
                spec.violations(of: Data(#"{"id": 9}"#.utf8), forResponseOf: "GET", path: "/api/v3/thing/9", status: 204)
                    == ["$.kind: required property missing"])
            #expect(spec.violations(of: Data(#""text""#.utf8), forResponseOf: "GET", path: "/api/v3/thing/9.json", status: 500) == [])
            #expect(
                spec.violations(of: Data("12".utf8), forResponseOf: "GET", path: "/api/v3/thing/9.json", status: 500)
                    == ["$: expected string, got number"])
        }

        @Test func swiftValuesAreClassifiedLikeJSON() throws {
            let spec = try Self.contract()
            let value: [String: Any] = ["id": Int64(5), "kind": "alpha", "child": ["name": "n", "extra": false] as [String: Any]]
            #expect(spec.violations(of: value, against: "Thing") == [])
            #expect(spec.violations(of: ["id": true, "kind": "alpha"] as [String: Any], against: "Thing") == ["$.id: expected integer, got boolean"])
        }
    }
}
