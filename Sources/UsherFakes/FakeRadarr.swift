import Foundation
public import UsherKit

/// An in-process Radarr (API v3 as served by Radarr v4–v6) for the endpoints Usher uses.
public final class FakeRadarr: FakeArrBase, @unchecked Sendable {
    public var version: String
    /// The movies; a change invalidates the encoded list (a real Radarr answers a 50,000-movie list
    /// from its cache too, and the benchmark should not time the fake's JSON encoder).
    public var movies: [RadarrMovie] = [] { didSet { encodedMovies = nil } }
    private var encodedMovies: Data?

    public static func start(apiKey: String = "radarr-test-key", urlBase: String = "", version: String = "6.0.3.10276") async throws -> FakeRadarr {
        let fake = FakeRadarr(apiKey: apiKey, urlBase: urlBase, version: version)
        try await fake.startServer()
        return fake
    }

    init(apiKey: String, urlBase: String, version: String) {
        self.version = version
        super.init(apiKey: apiKey, urlBase: urlBase)
    }

    public func add(_ movie: RadarrMovie) { lock.withLock { movies.append(movie) } }

    public func withState<T>(_ body: (FakeRadarr) -> T) -> T { lock.withLock { body(self) } }

    /// What Radarr does when it imports a download for a movie (a first file or an upgrade): the file at
    /// `path` (already on disk) becomes the movie's, under a new id, and the history says so.
    public func importFile(movieID: Int, path: String, size: Int64, quality: String) {
        lock.withLock {
            guard let index = movies.firstIndex(where: { $0.id == movieID }) else { return }
            let fileID = makeID()
            movies[index].movieFile = RadarrMovieFile(
                id: fileID, movieId: movieID, relativePath: String(path.split(separator: "/").last ?? ""), path: path, size: size,
                quality: ArrQuality(quality: .init(id: 7, name: quality), revision: .init(version: 1, real: 0, isRepack: false)))
            movies[index].hasFile = true
            movies[index].movieFileId = fileID
            recordHistory("downloadFolderImported", movieId: movieID)
        }
    }

    /// What Radarr's rename does: the file moves on disk and the history says so.
    public func renameFile(movieID: Int, to path: String) throws {
        try lock.withLock {
            guard let index = movies.firstIndex(where: { $0.id == movieID }), let old = movies[index].movieFile?.path else { return }
            try FileManager.default.moveItem(atPath: old, toPath: path)
            movies[index].movieFile?.path = path
            movies[index].movieFile?.relativePath = String(path.split(separator: "/").last ?? "")
            recordHistory("movieFileRenamed", movieId: movieID)
        }
    }

    /// Deletes a movie's file (on disk too), as "Delete" on the movie's file does.
    public func deleteFile(movieID: Int) {
        lock.withLock {
            guard let index = movies.firstIndex(where: { $0.id == movieID }), let old = movies[index].movieFile?.path else { return }
            try? FileManager.default.removeItem(atPath: old)
            movies[index].movieFile = nil
            movies[index].hasFile = false
            movies[index].movieFileId = 0
            recordHistory("movieFileDeleted", movieId: movieID)
        }
    }

    /// Deletes a movie (and its file, when asked). Radarr deletes the movie's history with it, so no record
    /// says it happened.
    public func deleteMovie(id: Int, deleteFiles: Bool) {
        lock.withLock {
            if deleteFiles, let path = movies.first(where: { $0.id == id })?.movieFile?.path { try? FileManager.default.removeItem(atPath: path) }
            movies.removeAll { $0.id == id }
            history.removeAll { $0.movieId == id }
        }
    }

    override func handle(_ request: FakeRequest) -> FakeResponse {
        if let answer = handleTags(request) ?? handleCommandLookup(request) ?? handleHistory(request) { return answer }
        let path = request.path
        switch (request.method, path) {
        case ("GET", "/api/v3/system/status"):
            return .json(ArrSystemStatus(appName: "Radarr", version: version, urlBase: urlBase, instanceName: "Radarr"))
        case ("GET", "/api/v3/movie"):
            if let tmdb = request.query("tmdbId").flatMap(Int.init) { return .json(movies.filter { $0.tmdbId == tmdb }) }
            if encodedMovies == nil { encodedMovies = FakeResponse.json(movies).body }
            return FakeResponse(status: 200, body: encodedMovies!)
        case ("GET", _) where Self.id(in: path, after: "/api/v3/movie") != nil:
            let id = Self.id(in: path, after: "/api/v3/movie")
            return movies.first { $0.id == id }.map { .json($0) } ?? .error(404, "Movie with ID \(id!) does not exist")
        case ("PUT", "/api/v3/movie/editor"):
            guard let body = decode(MovieEditor.self, request) else { return .error(400, "bad editor body") }
            for index in movies.indices where body.movieIds.contains(movies[index].id) {
                movies[index].tags = Self.apply(body.tags, mode: body.applyTags, to: movies[index].tags)
            }
            return .json(movies.filter { body.movieIds.contains($0.id) }, status: 202)
        case ("POST", "/api/v3/command"):
            guard let body = decode(CommandBody.self, request) else { return .error(400, "bad command") }
            var queued = recordCommand(body.name)
            queued.status = "queued"
            return .json(queued, status: 201)
        default:
            return .error(404, "Not Found")
        }
    }

    struct MovieEditor: Decodable { var movieIds: [Int]; var tags: [Int]?; var applyTags: String? }
    struct CommandBody: Decodable { var name: String }
}
