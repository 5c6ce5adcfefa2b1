import Testing

@testable import UsherCore

@Suite("Which pass, and what to ask again")
struct CatalogChangesTests {
    let kept = CatalogChanges.Kept(fullAt: 1000, fingerprint: "f", trusted: true, movieRefs: ["a", "b"])

    @Test func passIsFullForEachReasonElseIncremental() {
        func pass(_ kept: CatalogChanges.Kept?, fingerprint: String = "f", refs: Set<String> = ["a", "b"], now: Int64 = 2000, forced: Bool = false)
            -> CatalogPass
        {
            CatalogChanges.pass(kept: kept, fingerprint: fingerprint, movieRefs: refs, now: now, fullEvery: 86400, forced: forced)
        }
        #expect(pass(kept) == .incremental)
        #expect(pass(kept, forced: true).isFull)
        #expect(pass(nil).isFull)
        #expect(pass(kept, fingerprint: "g").isFull)
        var untrusted = kept
        untrusted.trusted = false
        #expect(pass(untrusted) == .full(reason: "the last pass did not end cleanly"))
        #expect(pass(kept, now: 1000 + 86400).isFull, "a day after the last full pass")
        #expect(pass(kept, now: 1000 + 86399) == .incremental)
        #expect(pass(kept, now: 999).isFull, "the clock went back")
        #expect(pass(kept, refs: ["a", "b", "c"]).isFull, "a movie never looked up")
        #expect(pass(kept, refs: ["a"]).isFull, "a movie no longer named may carry a tag")
    }

    func event(_ id: Int, _ date: String, item: Int = 1, _ type: String = "downloadFolderImported") -> HistoryEvent {
        HistoryEvent(id: id, date: date, itemID: item, eventType: type)
    }

    @Test func eventsAtTheCursorAreNotNewAgainButLaterOnesAre() {
        let cursor = HistoryCursor(date: "2026-12-06T10:00:00Z", id: 7)
        // The service repeats the records at the cursor's date (it answers date >= since).
        let answer = [
            event(6, "2026-12-06T10:00:00Z"), event(7, "2026-12-06T10:00:00Z"), event(8, "2026-12-06T10:00:00Z"), event(9, "2026-12-06T10:05:00Z"),
        ]
        let (fresh, next) = CatalogChanges.newEvents(answer, after: cursor)
        #expect(fresh.map(\.id) == [8, 9])
        #expect(next == HistoryCursor(date: "2026-12-06T10:05:00Z", id: 9))
        // Nothing new: the cursor stays.
        #expect(CatalogChanges.newEvents([event(7, "2026-12-06T10:00:00Z")], after: cursor) == ([], cursor))
        // A deleted last record's id given again, later: new.
        #expect(CatalogChanges.newEvents([event(7, "2026-12-06T11:00:00Z")], after: cursor).events.map(\.id) == [7])
        // No cursor (an empty history): all new.
        #expect(CatalogChanges.newEvents(answer, after: nil).events.count == 4)
    }

    @Test func moviesToAskForAreThoseTheHistoryNamesAndKeptOnesWithoutTheirFile() {
        let events = ["main": [event(1, "d", item: 5), event(2, "d", item: 6, "grabbed"), event(3, "d", item: 9, "movieFileRenamed")]]
        let kept: Set<MovieKey> = [MovieKey(instance: "main", id: 5), MovieKey(instance: "main", id: 7), MovieKey(instance: "4k", id: 7)]
        let missing: Set<MovieKey> = [MovieKey(instance: "4k", id: 7), MovieKey(instance: "main", id: 99)]
        #expect(
            CatalogChanges.moviesToFetch(events: events, kept: kept, missingFiles: missing) == [
                MovieKey(instance: "4k", id: 7), MovieKey(instance: "main", id: 5), MovieKey(instance: "main", id: 9),
            ], "a grab changes no file; a movie not kept but imported may be one a mapping waits for")
    }

    @Test func seriesToAskForAreNewTouchedOrCountedDifferently() {
        let a = SeriesKey(instance: "main", id: 1), b = SeriesKey(instance: "main", id: 2), c = SeriesKey(instance: "main", id: 3)
        let d = SeriesKey(instance: "main", id: 4), e = SeriesKey(instance: "main", id: 5), f = SeriesKey(instance: "main", id: 6)
        let counts0 = [0: SeasonCounts(episodes: 10, files: 4, bytes: 400)]
        let kept: [SeriesKey: CatalogChanges.KeptSeries] = [
            a: .init(seasons: [0], counts: counts0), b: .init(seasons: [0], counts: counts0), c: .init(seasons: [0], counts: counts0),
            e: .init(seasons: [0], counts: counts0), f: .init(seasons: nil, counts: counts0),
        ]
        let needed: [SeriesKey: Set<Int>] = [a: [0], b: [0], c: [0, 1], d: [0], e: [0], f: [0, 1]]
        let now: [SeriesKey: [Int: SeasonCounts]] = [
            a: counts0, b: [0: SeasonCounts(episodes: 10, files: 5, bytes: 500)], c: counts0, d: counts0, e: counts0, f: counts0,
        ]
        let asked = CatalogChanges.seriesToFetch(needed: needed, kept: kept, counts: now, touched: [e])
        #expect(Set(asked.keys) == [b, c, d, e], "unchanged a and f (all seasons kept) come from what was kept")
        #expect(asked[c] == [0, 1])
        // Without counts (an old Sonarr), a kept series cannot be vouched for: asked again.
        #expect(CatalogChanges.seriesToFetch(needed: [a: [0]], kept: kept, counts: [:], touched: []).keys.contains(a))
    }
}
