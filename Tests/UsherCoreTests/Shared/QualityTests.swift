import Testing
import UsherCore

@Suite("Quality.parse(fileName:)")
struct QualityTests {
    @Test(arguments: [
        ("Movie (2008) Bluray-1080p.mkv", "Bluray-1080p"),
        ("24- Redemption (2008) {tmdb-13989} [Bluray-1080p].mkv", "Bluray-1080p"),
        ("Movie (2008) [WEBDL-720p Proper].mkv", "WEBDL-720p Proper"),
        ("Movie (2008) WEBRip-2160p.mkv", "WEBRip-2160p"),
        ("Movie (2008) HDTV-720p.mkv", "HDTV-720p"),
        ("Movie (2008) Remux-2160p.mkv", "Bluray-2160p Remux"),
        ("Movie (2008) Remux-1080p.mkv", "Bluray-1080p Remux"),
        ("Movie (2008) DVD.mkv", "DVD"),
        ("Movie (2008) SDTV.avi", "SDTV"),
        ("Movie (2008) Raw-HD.ts", "Raw-HD"),
        ("Movie (2008) BR-DISK.iso", "BR-DISK"),
        ("Movie.2008.1080p.BluRay.x264-GRP.mkv", "Bluray-1080p"),
        ("Movie.2008.720p.BDRip.x264-GRP.mkv", "Bluray-720p"),
        ("Movie 2008 1080p Blu-ray.mkv", "Bluray-1080p"),
        ("Movie.2008.2160p.UHD.BluRay.REMUX.HDR.HEVC-GRP.mkv", "Bluray-2160p Remux"),
        ("Movie.2008.1080p.WEB-DL.DD5.1.H264-GRP.mkv", "WEBDL-1080p"),
        ("Movie.2008.1080p.WEB.h264-GRP.mkv", "WEBDL-1080p"),
        ("Movie.2008.720p.WEBRip.x264-GRP.mkv", "WEBRip-720p"),
        ("Movie.2008.4K.WEBRip.x265-GRP.mkv", "WEBRip-2160p"),
        ("Movie.2008.720p.HDTV.x264-GRP.mkv", "HDTV-720p"),
        ("Movie.2008.DVDRip.XviD-GRP.avi", "DVD"),
        ("Movie.2008.PROPER.1080p.BluRay.x264-GRP.mkv", "Bluray-1080p Proper"),
        ("Movie.2008.REPACK.1080p.BluRay.x264-GRP.mkv", "Bluray-1080p Proper"),
        ("Movie.2008.REAL.PROPER.1080p.WEB-DL.x264-GRP.mkv", "WEBDL-1080p Proper REAL"),
    ])
    func parses(fileName: String, full: String) {
        #expect(Quality.parse(fileName: fileName)?.full == full)
    }

    @Test(arguments: [
        "Movie (2008).mkv",
        "Cam (2018).mkv",
        "DVD Collection Story (2001).mkv",
        "Movie.2008.1080p.x264-GRP.mkv",
        "Movie.2008.BluRay.x264-GRP.mkv",
        "Movie.2008.HDTV.mkv",
        "Bluray1080p.mkv",
        "MyBluray-1080pMovie.mkv",
        "",
    ])
    func findsNothing(fileName: String) {
        #expect(Quality.parse(fileName: fileName) == nil)
    }

    @Test func fields() {
        #expect(Quality.parse(fileName: "Movie (2008) [WEBDL-720p Proper].mkv") == Quality(title: "WEBDL-720p", proper: true, real: false))
        #expect(Quality.parse(fileName: "Movie (2008) Bluray-1080p.mkv") == Quality(title: "Bluray-1080p"))
        #expect(Quality.parse(fileName: "Movie.REAL.720p.HDTV.mkv") == Quality(title: "HDTV-720p", real: true))
        // "real" in lower case is a word of the title, not the REAL tag.
        #expect(Quality.parse(fileName: "The Real Movie (2008) Bluray-1080p.mkv")?.real == false)
    }

    @Test func full() {
        #expect(Quality(title: "Bluray-1080p").full == "Bluray-1080p")
        #expect(Quality(title: "Bluray-1080p", proper: true).full == "Bluray-1080p Proper")
        #expect(Quality(title: "Bluray-1080p", real: true).full == "Bluray-1080p REAL")
        #expect(Quality(title: "Bluray-1080p", proper: true, real: true).full == "Bluray-1080p Proper REAL")
    }
}
