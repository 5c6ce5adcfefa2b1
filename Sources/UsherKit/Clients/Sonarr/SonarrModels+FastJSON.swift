import Foundation

extension SonarrSeries: FastDecodable {
    static func read(_ s: inout JSONScanner) throws(JSONScanner.Failure) -> SonarrSeries {
        var id: Int?
        var series = SonarrSeries(id: 0, title: "")
        try s.fields { (s: inout JSONScanner, key) throws(JSONScanner.Failure) in
            switch key {
            case "id": id = try s.int()
            case "title": series.title = try s.string() ?? ""
            case "path": series.path = try s.string()
            case "tvdbId": series.tvdbId = try s.int()
            case "tmdbId": series.tmdbId = try s.int()
            case "imdbId": series.imdbId = try s.string()
            case "year": series.year = try s.int()
            case "seriesType": series.seriesType = try s.string()
            case "monitored": series.monitored = try s.bool()
            case "tags": series.tags = try s.ints()
            case "rootFolderPath": series.rootFolderPath = try s.string()
            case "seasonFolder": series.seasonFolder = try s.bool()
            case "tvMazeId": series.tvMazeId = try s.int()
            case "alternateTitles": series.alternateTitles = try SonarrAlternateTitle.readList(&s)
            case "seasons": series.seasons = try SonarrSeason.readList(&s)
            default: try s.skipValue()
            }
        }
        guard let id else { throw JSONScanner.Failure() }
        series.id = id
        return series
    }
}

extension SonarrEpisodeFile: FastDecodable {
    static func read(_ s: inout JSONScanner) throws(JSONScanner.Failure) -> SonarrEpisodeFile {
        var id: Int?
        var file = SonarrEpisodeFile(id: 0)
        var legacyLanguage: ArrLanguage?
        try s.fields { (s: inout JSONScanner, key) throws(JSONScanner.Failure) in
            switch key {
            case "id": id = try s.int()
            case "seriesId": file.seriesId = try s.int()
            case "seasonNumber": file.seasonNumber = try s.int()
            case "relativePath": file.relativePath = try s.string()
            case "path": file.path = try s.string()
            case "size": file.size = try s.int64()
            case "quality": file.quality = try ArrQuality.read(&s)
            case "sceneName": file.sceneName = try s.string()
            case "releaseGroup": file.releaseGroup = try s.string()
            case "languages": file.languages = try ArrLanguage.readList(&s)
            case "language": legacyLanguage = try ArrLanguage.read(&s)
            default: try s.skipValue()
            }
        }
        guard let id else { throw JSONScanner.Failure() }
        file.id = id
        if file.languages == nil, let legacyLanguage { file.languages = [legacyLanguage] }
        return file
    }
}

extension SonarrEpisode: FastDecodable {
    static func read(_ s: inout JSONScanner) throws(JSONScanner.Failure) -> SonarrEpisode {
        var id: Int?, seriesID: Int?, season: Int?, number: Int?
        var episode = SonarrEpisode(id: 0, seriesId: 0, seasonNumber: 0, episodeNumber: 0)
        try s.fields { (s: inout JSONScanner, key) throws(JSONScanner.Failure) in
            switch key {
            case "id": id = try s.int()
            case "seriesId": seriesID = try s.int()
            case "tvdbId": episode.tvdbId = try s.int()
            case "episodeFileId": episode.episodeFileId = try s.int()
            case "seasonNumber": season = try s.int()
            case "episodeNumber": number = try s.int()
            case "title": episode.title = try s.string()
            case "absoluteEpisodeNumber": episode.absoluteEpisodeNumber = try s.int()
            case "hasFile": episode.hasFile = try s.bool()
            case "monitored": episode.monitored = try s.bool()
            case "airDate": episode.airDate = try s.string()
            case "airDateUtc": episode.airDateUtc = try s.string()
            case "runtime": episode.runtime = try s.int()
            case "episodeFile": episode.episodeFile = try s.isObject() ? try SonarrEpisodeFile.read(&s) : nil
            default: try s.skipValue()
            }
        }
        guard let id, let seriesID, let season, let number else { throw JSONScanner.Failure() }
        episode.id = id
        episode.seriesId = seriesID
        episode.seasonNumber = season
        episode.episodeNumber = number
        return episode
    }
}

extension SonarrAlternateTitle {
    static func readList(_ s: inout JSONScanner) throws(JSONScanner.Failure) -> [SonarrAlternateTitle]? {
        try s.objects(SonarrAlternateTitle(title: nil)) { (s: inout JSONScanner, key, title) throws(JSONScanner.Failure) in
            switch key {
            case "title": title.title = try s.string()
            case "seasonNumber": title.seasonNumber = try s.int()
            default: try s.skipValue()
            }
        }
    }
}

extension SonarrSeason {
    static func readList(_ s: inout JSONScanner) throws(JSONScanner.Failure) -> [SonarrSeason]? {
        // A season without its number means nothing: dropped.
        let read = try s.objects((number: Int?.none, season: SonarrSeason(seasonNumber: 0))) { (s: inout JSONScanner, key, entry) throws(JSONScanner.Failure) in
            switch key {
            case "seasonNumber": entry.number = try s.int()
            case "monitored": entry.season.monitored = try s.bool()
            case "statistics":
                guard try s.isObject() else { return }
                var statistics = Statistics()
                try s.fields { (s: inout JSONScanner, key) throws(JSONScanner.Failure) in
                    switch key {
                    case "episodeCount": statistics.episodeCount = try s.int()
                    case "episodeFileCount": statistics.episodeFileCount = try s.int()
                    case "totalEpisodeCount": statistics.totalEpisodeCount = try s.int()
                    case "sizeOnDisk": statistics.sizeOnDisk = try s.int64()
                    default: try s.skipValue()
                    }
                }
                entry.season.statistics = statistics
            default: try s.skipValue()
            }
        }
        return read?.compactMap { entry in
            entry.number.map { n in
                var season = entry.season; season.seasonNumber = n; return season
            }
        }
    }
}
