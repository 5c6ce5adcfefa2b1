import Testing
import UsherCore

@Suite("Paths between other apps and this machine")
struct PathTranslatorTests {
    let translator = PathTranslator([
        PathMapping(remote: "/data", local: "/mnt/storage/data"),
        PathMapping(remote: "/data/tv", local: "/mnt/tv"),
        PathMapping(remote: "/movies/", local: "/srv/movies/"),
    ])

    @Test(arguments: [
        ("/data/movies/Heat (1995)/Heat.mkv", "/mnt/storage/data/movies/Heat (1995)/Heat.mkv"),
        ("/data/tv/24/Specials/x.mkv", "/mnt/tv/24/Specials/x.mkv"),  // the longest prefix wins
        ("/data", "/mnt/storage/data"),
        ("/database/x", "/database/x"),  // whole components only
        ("/movies/A/a.mkv", "/srv/movies/A/a.mkv"),  // trailing slashes in the config do not matter
        ("/elsewhere/a.mkv", "/elsewhere/a.mkv"),
    ])
    func toLocal(_ remote: String, _ local: String) {
        #expect(translator.toLocal(remote) == local)
    }

    @Test func backAgain() {
        #expect(translator.toRemote("/mnt/tv/24") == "/data/tv/24")
        #expect(translator.toRemote("/mnt/storage/data/x") == "/data/x")
        #expect(PathTranslator([PathMapping(remote: "/", local: "/srv")]).toLocal("/a/b") == "/srv/a/b")
        #expect(PathTranslator([]).toLocal("/a") == "/a")
    }
}
