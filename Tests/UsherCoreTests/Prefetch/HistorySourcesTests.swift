import Foundation
import Testing
import UsherCore

private func e(_ s: Int, _ n: Int) -> EpisodeNumber { EpisodeNumber(season: s, episode: n) }
private let now: Int64 = 1_800_000_000

@Suite("Just-in-time: Plex's and Jellyfin's history as plays")
struct HistorySourcesTests {
    /// Plex's history rows as its JSON writes them: ids as strings, the show only as `grandparentKey`; a movie and
    /// an unknown account left out.
    @Test func plexRowsBecomePlays() throws {
        let json = """
            {"MediaContainer": {"size": 4, "Metadata": [
              {"historyKey": "/status/sessions/history/9", "key": "/library/metadata/5012", "ratingKey": "5012", "librarySectionID": "2",
               "grandparentKey": "/library/metadata/500", "grandparentTitle": "The Expanse", "title": "Dulcinea", "type": "episode",
               "parentIndex": 1, "index": 2, "viewedAt": 1799990000, "accountID": 1, "deviceID": 3},
              {"ratingKey": "5013", "librarySectionID": 3, "grandparentRatingKey": 600, "grandparentTitle": "Dark", "type": "episode",
               "parentIndex": "1", "index": "3", "viewedAt": 1799980000, "accountID": 7},
              {"ratingKey": "77", "librarySectionID": "1", "title": "Heat", "type": "movie", "viewedAt": 1799970000, "accountID": 1},
              {"ratingKey": "5014", "librarySectionID": "2", "grandparentKey": "/library/metadata/500", "grandparentTitle": "The Expanse",
               "type": "episode", "parentIndex": 1, "index": 3, "viewedAt": 1799960000, "accountID": 99}
            ]}}
            """
        struct Envelope: Decodable {
            struct Container: Decodable {
                var metadata: [PlexPlay]
                enum CodingKeys: String, CodingKey { case metadata = "Metadata" }
            }
            var container: Container
            enum CodingKeys: String, CodingKey { case container = "MediaContainer" }
        }
        let rows = try JSONDecoder().decode(Envelope.self, from: Data(json.utf8)).container.metadata
        #expect(rows[0].grandparentRatingKey == "500" && rows[1].grandparentRatingKey == "600" && rows[1].librarySectionID == "3")
        let playing = PlexPlay(userTitle: "bob", grandparentTitle: "Dark", grandparentRatingKey: "600", parentIndex: 2, index: 1, librarySectionID: "3")
        let events = PlexHistory.events(
            history: rows, playing: [playing], accounts: [1: "ann", 7: "cid"], sections: ["2": "TV Shows", "3": "Kids TV"], now: now)
        #expect(
            events == [
                WatchEvent(
                    user: "ann", show: "plex:500", showTitle: "The Expanse", library: "TV Shows", episode: e(1, 2), percentComplete: 100,
                    watchedAt: 1_799_990_000),
                WatchEvent(
                    user: "cid", show: "plex:600", showTitle: "Dark", library: "Kids TV", episode: e(1, 3), percentComplete: 100, watchedAt: 1_799_980_000),
                WatchEvent(user: "bob", show: "plex:600", showTitle: "Dark", library: "Kids TV", episode: e(2, 1), percentComplete: 100, watchedAt: now),
            ])
        #expect(PlexHistory.ratingKey(inShowKey: "plex:500") == "500" && PlexHistory.ratingKey(inShowKey: "500") == nil)
    }

    @Test func plexGuidsGiveTheTVDBId() {
        #expect(PlexHistory.tvdbID(guids: ["imdb://tt3230854", "tmdb://63639", "tvdb://280619"]) == 280619)
        #expect(PlexHistory.tvdbID(guids: ["com.plexapp.agents.thetvdb://280619?lang=en"]) == 280619)
        #expect(PlexHistory.tvdbID(guids: ["plex://show/5d9c086c46115600200aa2fe", "imdb://tt1"]) == nil)
    }

    /// Jellyfin's items as its JSON writes them (seven digits of a second's fraction); a played one is 100%, a
    /// partly played one its percentage; the library is the one whose folder holds the file.
    @Test func jellyfinItemsBecomePlays() throws {
        let json = """
            {"Items": [
              {"Name": "Dulcinea", "Id": "e1", "Type": "Episode", "SeriesName": "The Expanse", "SeriesId": "s1", "ParentIndexNumber": 1,
               "IndexNumber": 2, "Path": "/media/tv/The Expanse/S01E02.mkv", "ProviderIds": {"Tvdb": "5012", "Imdb": null},
               "UserData": {"Played": true, "PlayedPercentage": null, "LastPlayedDate": "2027-01-15T08:00:00.1234567Z"}},
              {"Name": "Secrets", "Id": "e2", "Type": "Episode", "SeriesName": "Dark", "SeriesId": "s2", "ParentIndexNumber": 1,
               "IndexNumber": 1, "Path": "D:\\\\Kids\\\\Dark\\\\S01E01.mkv",
               "UserData": {"Played": false, "PlayedPercentage": 42.6, "LastPlayedDate": "2027-01-15T09:00:00+01:00"}},
              {"Name": "Heat", "Id": "m1", "Type": "Movie", "UserData": {"Played": true, "LastPlayedDate": "2027-01-15T08:00:00Z"}}
            ], "TotalRecordCount": 3}
            """
        struct Page: Decodable {
            var items: [JellyfinItem]
            enum CodingKeys: String, CodingKey { case items = "Items" }
        }
        let items = try JSONDecoder().decode(Page.self, from: Data(json.utf8)).items
        #expect(items[0].tvdbID == 5012 && items[0].providerIds == ["Tvdb": "5012"])
        let at = try #require(UTCTime.seconds(iso8601: "2027-01-15T08:00:00Z"))
        #expect(items[0].lastPlayed == at && items[1].lastPlayed == at)
        let session = JellyfinSession(
            userName: "bob", nowPlayingItem: JellyfinItem(seriesName: "Dark", seriesId: "s2", parentIndexNumber: 2, indexNumber: 5, path: "/elsewhere/x.mkv"))
        let events = JellyfinHistory.events(
            played: [(user: "ann", items: items)], playing: [session],
            libraries: [JellyfinLibrary(name: "TV Shows", locations: ["/media/tv/"]), JellyfinLibrary(name: "Kids", locations: ["D:\\Kids"])], now: now)
        #expect(
            events == [
                WatchEvent(
                    user: "ann", show: "jellyfin:s1", showTitle: "The Expanse", library: "TV Shows", episode: e(1, 2), percentComplete: 100, watchedAt: at),
                WatchEvent(user: "ann", show: "jellyfin:s2", showTitle: "Dark", library: "Kids", episode: e(1, 1), percentComplete: 43, watchedAt: at),
                WatchEvent(user: "bob", show: "jellyfin:s2", showTitle: "Dark", library: nil, episode: e(2, 5), percentComplete: 100, watchedAt: now),
            ])
        // A folder is a whole path segment: `/media/tv` does not hold `/media/tvkids/…`.
        let kids = JellyfinItem(
            seriesId: "s3", parentIndexNumber: 1, indexNumber: 1, path: "/media/tvkids/a.mkv", userData: .init(played: true, lastPlayedDate: "2027-01-15"))
        let other = JellyfinHistory.events(played: [("ann", [kids])], playing: [], libraries: [JellyfinLibrary(name: "TV", locations: ["/media/tv"])], now: now)
        #expect(other.count == 1 && other[0].library == nil)
    }

    @Test func isoDatesAsJellyfinAndOthersWriteThem() {
        for seconds: Int64 in [0, 951_782_400, 1_709_258_400, 1_800_000_000, 4_102_444_800] {
            #expect(UTCTime.seconds(iso8601: UTCTime.iso8601(seconds)) == seconds)
        }
        #expect(UTCTime.seconds(iso8601: "2024-03-01T02:00:00.1234567Z") == 1_709_258_400)
        #expect(UTCTime.seconds(iso8601: "2024-03-01T03:30:00+01:30") == 1_709_258_400)
        #expect(UTCTime.seconds(iso8601: "2024-02-29T21:00:00-0500") == 1_709_258_400)
        #expect(UTCTime.seconds(iso8601: "2024-03-01") == 1_709_251_200)
        for bad in ["", "yesterday", "2024-13-01T00:00:00Z", "2024-03-01T02:00", "2024-03-01T02:00:00Q", "2024-03-01T02:00:00+1"] {
            #expect(UTCTime.seconds(iso8601: bad) == nil, "\(bad)")
        }
    }

    /// Two sources naming one series: one planned entry, each viewer once at the furthest episode either saw.
    @Test func twoShowsOfOneSeriesAreMergedPerViewer() {
        let series = PrefetchSeries(key: SeriesKey(instance: "main", id: 6), title: "Dark", tvdb: 281670)
        let positions = [
            ViewerPosition(user: "ann", show: "600", showTitle: "Dark", furthest: e(1, 1), lastWatchedAt: now - 100),
            ViewerPosition(user: "Ann", show: "jellyfin:s2", showTitle: "Dark", furthest: e(1, 2), lastWatchedAt: now - 200),
            ViewerPosition(user: "bob", show: "jellyfin:s2", showTitle: "Dark", furthest: e(1, 1), lastWatchedAt: now - 50),
        ]
        let shows = [
            "600": WatchedShow(key: "600", title: "Dark", tvdb: 281670),
            "jellyfin:s2": WatchedShow(key: "jellyfin:s2", title: "Dark", tvdb: 281670),
        ]
        let selection = ShowSelection.select(
            positions: positions, shows: shows, matcher: ShowMatcher(series: [series]), excludeTag: nil, someSonarrFailed: false, reported: [])
        #expect(selection.matched.count == 1)
        let viewers = selection.matched.first?.viewers ?? []
        #expect(viewers.map(\.user) == ["ann", "bob"])
        #expect(viewers.map(\.furthest) == [e(1, 2), e(1, 1)])
        #expect(viewers.first?.lastWatchedAt == now - 100)
        #expect(selection.matchedKeys.sorted() == ["600", "jellyfin:s2"])
        // The series carries the exclusion tag: each viewer's last episode is reported once, whichever source named it.
        var tagged = series
        tagged.tags = [4]
        let same = positions + [ViewerPosition(user: "bob", show: "600", showTitle: "Dark", furthest: e(1, 1), lastWatchedAt: now - 60)]
        let excluded = ShowSelection.select(
            positions: same, shows: shows, matcher: ShowMatcher(series: [tagged]), excludeTag: ("no-prefetch", ["main": 4]), someSonarrFailed: false,
            reported: [])
        #expect(excluded.matched.isEmpty)
        #expect(excluded.excluded.map { "\($0.users[0]) S\($0.season)E\($0.episode)" }.sorted() == ["Ann S1E2", "ann S1E1", "bob S1E1"])
    }
}
