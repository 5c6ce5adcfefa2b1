import Testing
import UsherCore

@Suite("Comparing qualities for dedupe")
struct QualityRankTests {
    @Test(arguments: [
        ("Bluray-1080p", "WEBDL-720p", true),
        ("WEBDL-720p", "Bluray-1080p", false),
        ("Bluray-1080p Remux", "Bluray-1080p", true),
        ("Bluray-1080p", "Remux-1080p", false),
        ("WEBDL-1080p", "WEBRip-1080p", true),
        ("HDTV-1080p", "Bluray-720p", true),
        ("SDTV", "DVD", false),
        ("Bluray-2160p", "Bluray-1080p", true),
    ])
    func atLeast(_ a: String, _ b: String, _ expected: Bool) {
        #expect(Quality(title: a).isAtLeast(Quality(title: b)) == expected)
    }

    @Test func properCountsAndUnknownIsMatched() {
        #expect(Quality(title: "WEBDL-1080p", proper: true).isAtLeast(Quality(title: "WEBDL-1080p")))
        #expect(!Quality(title: "WEBDL-1080p").isAtLeast(Quality(title: "WEBDL-1080p", proper: true)))
        #expect(Quality(title: "SDTV").isAtLeast(nil))
    }
}
