import Foundation
import UsherCore

/// Sonarr's API v3 (as served by Sonarr v3 and v4): the calls Usher makes.
public struct SonarrClient: Sendable {
    public let client: ServiceClient

    public init(client: ServiceClient) { self.client = client }

    public func status() async throws(ServiceError) -> ArrSystemStatus {
        try await client.request(ArrSystemStatus.self, "GET", "/api/v3/system/status")
    }

    public func series() async throws(ServiceError) -> [SonarrSeries] {
        try await client.requestList(SonarrSeries.self, "/api/v3/series")
    }

    /// Every episode of a series, specials included; with `includeEpisodeFile`, Sonarr v4 embeds each
    /// episode's file (v3 ignores the parameter).
    public func episodes(seriesID: Int, season: Int? = nil, includeEpisodeFile: Bool = false) async throws(ServiceError) -> [SonarrEpisode] {
        var query = [("seriesId", String(seriesID))]
        if let season { query.append(("seasonNumber", String(season))) }
        if includeEpisodeFile { query.append(("includeEpisodeFile", "true")) }
        return try await client.requestList(SonarrEpisode.self, "/api/v3/episode", query: query)
    }

    public func episodeFiles(seriesID: Int) async throws(ServiceError) -> [SonarrEpisodeFile] {
        try await client.requestList(SonarrEpisodeFile.self, "/api/v3/episodefile", query: [("seriesId", String(seriesID))])
    }

    public func namingConfig() async throws(ServiceError) -> SonarrNamingConfig {
        try await client.request(SonarrNamingConfig.self, "GET", "/api/v3/config/naming")
    }

    public func tags() async throws(ServiceError) -> [ArrTag] {
        try await client.request([ArrTag].self, "GET", "/api/v3/tag")
    }

    /// Creates a tag (Sonarr lowercases labels and returns an existing tag of the same label).
    public func createTag(_ label: String) async throws(ServiceError) -> ArrTag {
        try await client.request(ArrTag.self, "POST", "/api/v3/tag", json: ServiceClient.json(["label": label]))
    }

    /// Adds or removes tags on several series at once.
    public func editTags(seriesIDs: [Int], tagIDs: [Int], apply: String) async throws(ServiceError) {
        struct Body: Encodable { var seriesIds: [Int]; var tags: [Int]; var applyTags: String }
        _ = try await client.send("PUT", "/api/v3/series/editor", json: ServiceClient.json(Body(seriesIds: seriesIDs, tags: tagIDs, applyTags: apply)))
    }

    public func setMonitored(episodeIDs: [Int], _ monitored: Bool) async throws(ServiceError) {
        struct Body: Encodable { var episodeIds: [Int]; var monitored: Bool }
        _ = try await client.send("PUT", "/api/v3/episode/monitor", json: ServiceClient.json(Body(episodeIds: episodeIDs, monitored: monitored)))
    }

    /// Rescans one series folder on disk (`RescanSeries`, accepted by Sonarr v3 and v4).
    public func rescan(seriesID: Int) async throws(ServiceError) -> ArrCommand {
        struct Body: Encodable { var name = "RescanSeries"; var seriesId: Int }
        return try await client.request(ArrCommand.self, "POST", "/api/v3/command", json: ServiceClient.json(Body(seriesId: seriesID)))
    }

    public func command(id: Int) async throws(ServiceError) -> ArrCommand {
        try await client.request(ArrCommand.self, "GET", "/api/v3/command/\(id)")
    }

    /// Queued, running and recently finished commands: one request follows many rescans.
    public func commands() async throws(ServiceError) -> [ArrCommand] {
        try await client.request([ArrCommand].self, "GET", "/api/v3/command")
    }

    /// The whole download queue, read in pages of `pageSize` (Sonarr's default page is 10 items).
    public func queue(pageSize: Int = 200, maxPages: Int = 50) async throws(ServiceError) -> [SonarrQueueRecord] {
        var records: [SonarrQueueRecord] = []
        for page in 1...maxPages {
            let answer = try await client.request(
                ArrPage<SonarrQueueRecord>.self, "GET", "/api/v3/queue",
                query: [
                    ("page", String(page)), ("pageSize", String(pageSize)), ("includeUnknownSeriesItems", "false"),
                    ("includeSeries", "false"), ("includeEpisode", "false"),
                ])
            records += answer.records
            if answer.records.count < pageSize || records.count >= (answer.totalRecords ?? Int.max) { break }
        }
        return records
    }

    /// Asks Sonarr to search for these episodes (`EpisodeSearch`).
    public func searchEpisodes(_ episodeIDs: [Int]) async throws(ServiceError) -> ArrCommand {
        struct Body: Encodable { var name = "EpisodeSearch"; var episodeIds: [Int] }
        return try await client.request(ArrCommand.self, "POST", "/api/v3/command", json: ServiceClient.json(Body(episodeIds: episodeIDs)))
    }

    /// Asks Sonarr to search for a whole season (`SeasonSearch`: season packs included).
    public func searchSeason(seriesID: Int, season: Int) async throws(ServiceError) -> ArrCommand {
        struct Body: Encodable { var name = "SeasonSearch"; var seriesId: Int; var seasonNumber: Int }
        return try await client.request(ArrCommand.self, "POST", "/api/v3/command", json: ServiceClient.json(Body(seriesId: seriesID, seasonNumber: season)))
    }

    /// Deletes an episode file through Sonarr (its recycle bin applies).
    public func deleteEpisodeFile(id: Int) async throws(ServiceError) {
        _ = try await client.send("DELETE", "/api/v3/episodefile/\(id)")
    }
}
