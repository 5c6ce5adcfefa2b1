import Foundation

extension RadarrMovieFile: FastDecodable {
    static func read(_ s: inout JSONScanner) throws(JSONScanner.Failure) -> RadarrMovieFile {
        var id: Int?
        var file = RadarrMovieFile(id: 0)
        var legacyLanguage: ArrLanguage?
        try s.fields { (s: inout JSONScanner, key) throws(JSONScanner.Failure) in
            switch key {
            case "id": id = try s.int()
            case "movieId": file.movieId = try s.int()
            case "relativePath": file.relativePath = try s.string()
            case "path": file.path = try s.string()
            case "size": file.size = try s.int64()
            case "quality": file.quality = try ArrQuality.read(&s)
            case "sceneName": file.sceneName = try s.string()
            case "releaseGroup": file.releaseGroup = try s.string()
            case "edition": file.edition = try s.string()
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

extension RadarrMovie: FastDecodable {
    static func read(_ s: inout JSONScanner) throws(JSONScanner.Failure) -> RadarrMovie {
        var id: Int?
        var movie = RadarrMovie(id: 0, title: "")
        try s.fields { (s: inout JSONScanner, key) throws(JSONScanner.Failure) in
            switch key {
            case "id": id = try s.int()
            case "title": movie.title = try s.string() ?? ""
            case "year": movie.year = try s.int()
            case "path": movie.path = try s.string()
            case "folderName": movie.folderName = try s.string()
            case "tmdbId": movie.tmdbId = try s.int()
            case "imdbId": movie.imdbId = try s.string()
            case "hasFile": movie.hasFile = try s.bool()
            case "monitored": movie.monitored = try s.bool()
            case "tags": movie.tags = try s.ints()
            case "movieFile": movie.movieFile = try s.isObject() ? try RadarrMovieFile.read(&s) : nil
            case "sizeOnDisk": movie.sizeOnDisk = try s.int64()
            case "rootFolderPath": movie.rootFolderPath = try s.string()
            case "movieFileId": movie.movieFileId = try s.int()
            case "originalTitle": movie.originalTitle = try s.string()
            case "alternateTitles": movie.alternateTitles = try RadarrAlternateTitle.readList(&s)
            case "runtime": movie.runtime = try s.int()
            case "collection": movie.collection = try s.isObject() ? try RadarrCollection.read(&s) : nil
            case "inCinemas": movie.inCinemas = try s.string()
            case "physicalRelease": movie.physicalRelease = try s.string()
            case "digitalRelease": movie.digitalRelease = try s.string()
            default: try s.skipValue()
            }
        }
        guard let id else { throw JSONScanner.Failure() }
        movie.id = id
        return movie
    }
}
extension RadarrAlternateTitle {
    static func readList(_ s: inout JSONScanner) throws(JSONScanner.Failure) -> [RadarrAlternateTitle]? {
        try s.objects(RadarrAlternateTitle(title: nil)) { (s: inout JSONScanner, key, title) throws(JSONScanner.Failure) in
            switch key {
            case "title": title.title = try s.string()
            case "sourceType": title.sourceType = try s.string()
            default: try s.skipValue()
            }
        }
    }
}

extension RadarrCollection {
    static func read(_ s: inout JSONScanner) throws(JSONScanner.Failure) -> RadarrCollection {
        var collection = RadarrCollection(title: nil)
        try s.fields { (s: inout JSONScanner, key) throws(JSONScanner.Failure) in
            switch key {
            case "title": collection.title = try s.string()
            case "name": if collection.title == nil { collection.title = try s.string() } else { try s.skipValue() }
            case "tmdbId": collection.tmdbId = try s.int()
            default: try s.skipValue()
            }
        }
        return collection
    }
}
