import Testing
import UsherCore

@Suite("Paths")
struct PathsTests {
    @Test(arguments: [
        ("/data/tv/24/Season 00", "/data/movies/24 Redemption (2008)/a.mkv", "../../../movies/24 Redemption (2008)/a.mkv"),
        ("/data/tv/24/Season 00", "/data/tv/24/Season 00/a.mkv", "a.mkv"),
        ("/data/tv/24/Season 00", "/data/tv/24/Season 01/a.mkv", "../Season 01/a.mkv"),
        ("/data/tv/24/Season 00/", "/data/tv/24/a.mkv", "../a.mkv"),
        ("/a", "/b/c", "../b/c"),
        ("/", "/b/c", "b/c"),
        ("/a/b", "/a/b", "."),
        ("/a/b", "/a", ".."),
        ("/a/./b//c/../d", "/a/x", "../../x"),
        ("/data/tv", "/data/tv2/x.mkv", "../tv2/x.mkv"),
    ])
    func relative(from: String, to: String, expected: String) {
        #expect(Paths.relative(from: from, to: to) == expected)
    }

    @Test func relativeResolvesBackToTarget() {
        let dir = "/data/tv/24/Season 00"
        let target = "/data/movies/24 Redemption (2008)/a.mkv"
        #expect(Paths.normalize(Paths.join(dir, Paths.relative(from: dir, to: target))) == target)
    }

    @Test(arguments: [
        ("/a/b/c", "/a/b/c"),
        ("/a//b/./c/", "/a/b/c"),
        ("/a/b/../c", "/a/c"),
        ("/../a", "/a"),
        ("/", "/"),
        ("//", "/"),
        ("/a/b/c/../../..", "/"),
    ])
    func normalize(path: String, expected: String) {
        #expect(Paths.normalize(path) == expected)
    }

    @Test(arguments: [
        ("Movie (2008) Bluray-1080p.mkv", "Movie (2008) Bluray-1080p", "mkv"),
        ("a.b.c", "a.b", "c"),
        ("noext", "noext", ""),
        (".hidden", ".hidden", ""),
        (".hidden.mkv", ".hidden", "mkv"),
        ("name.", "name", ""),
        ("", "", ""),
    ])
    func splitExtension(name: String, base: String, ext: String) {
        let split = Paths.splitExtension(name)
        #expect(split.base == base)
        #expect(split.ext == ext)
    }

    @Test func isInside() {
        #expect(Paths.isInside("/data/tv/24/a.mkv", "/data/tv"))
        #expect(Paths.isInside("/data/tv/24/a.mkv", "/data/tv/"))
        #expect(Paths.isInside("/data/tv", "/data/tv"))
        #expect(Paths.isInside("/data/tv", "/data/tv/"))
        #expect(!Paths.isInside("/data/tv2/a.mkv", "/data/tv"))
        #expect(!Paths.isInside("/data", "/data/tv"))
        #expect(!Paths.isInside("/data/movies/a.mkv", "/data/tv"))
    }

    @Test func joinParentLastComponent() {
        #expect(Paths.join("/data", "tv", "24") == "/data/tv/24")
        #expect(Paths.join("/data/", "tv") == "/data/tv")
        #expect(Paths.join("/data", "", "tv") == "/data/tv")
        #expect(Paths.join("/data") == "/data")
        #expect(Paths.parent("/data/tv/a.mkv") == "/data/tv")
        #expect(Paths.parent("/a") == "/")
        #expect(Paths.parent("a") == ".")
        #expect(Paths.lastComponent("/data/tv/a.mkv") == "a.mkv")
        #expect(Paths.lastComponent("a.mkv") == "a.mkv")
        #expect(Paths.lastComponent("/data/tv/") == "")
    }
}
