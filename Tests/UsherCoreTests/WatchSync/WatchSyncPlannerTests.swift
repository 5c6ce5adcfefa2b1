import Testing
import UsherCore

/// Issue 18: a film and its linked special watched alike, per user: a three-way merge against the state both last
/// agreed on, watched winning at the first look, never a loop on Usher's own marks.
@Suite("Watch-state sync: the planner")
struct WatchSyncPlannerTests {
    typealias P = WatchSyncPlanner

    static func pair(_ user: String = "ann", movie: Bool, episode: Bool, key: String = "/tv/24/Specials/24 - S00E09.mkv") -> P.Pair {
        P.Pair(key: key, user: user, movie: "m1", episode: "e1", movieWatched: movie, episodeWatched: episode, label: "24: Redemption")
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var movie: Bool
        var episode: Bool
        var baseline: Bool?
        /// (item marked, watched) or nil for nothing to do.
        var action: (P.Side, Bool)?
        var agreed: Bool
        var testDescription: String { name }
    }

    @Test(arguments: [
        Case(name: "alike, watched", movie: true, episode: true, baseline: nil, action: nil, agreed: true),
        Case(name: "alike, unwatched", movie: false, episode: false, baseline: true, action: nil, agreed: false),
        Case(name: "first look: the watched film wins", movie: true, episode: false, baseline: nil, action: (.episode, true), agreed: true),
        Case(name: "first look: the watched special wins", movie: false, episode: true, baseline: nil, action: (.movie, true), agreed: true),
        Case(name: "the film played to the end since", movie: true, episode: false, baseline: false, action: (.episode, true), agreed: true),
        Case(name: "the special played to the end since", movie: false, episode: true, baseline: false, action: (.movie, true), agreed: true),
        Case(name: "the film marked unwatched since", movie: false, episode: true, baseline: true, action: (.episode, false), agreed: false),
        Case(name: "the special marked unwatched since", movie: true, episode: false, baseline: true, action: (.movie, false), agreed: false),
    ])
    func eachPairFollowsWhatChanged(_ c: Case) {
        let p = Self.pair(movie: c.movie, episode: c.episode)
        let plan = P.plan([p], baselines: c.baseline.map { [p.baselineKey: $0] } ?? [:])
        if let (side, watched) = c.action {
            #expect(plan.actions.count == 1)
            #expect(plan.actions.first?.side == side && plan.actions.first?.watched == watched)
            #expect(plan.actions.first?.ratingKey == (side == .movie ? "m1" : "e1") && plan.actions.first?.user == "ann")
            #expect(plan.actions.first?.reason.hasPrefix("24: Redemption: the ") == true)
        } else {
            #expect(plan.actions.isEmpty)
        }
        #expect(plan.agreed[p.baselineKey] == c.agreed)
    }

    /// Usher's own mark seen again (a webhook, or the next comparison): both alike, nothing to do.
    @Test func itsOwnMarkDoesNotLoop() {
        let first = P.plan([Self.pair(movie: true, episode: false)], baselines: [:])
        #expect(first.actions.count == 1)
        let after = P.plan([Self.pair(movie: true, episode: true)], baselines: first.agreed)
        #expect(after.actions.isEmpty && after.agreed == first.agreed)
    }

    /// Each user on their own: one watched the film, the other unmarked the special they had both seen.
    @Test func twoUsers() {
        let ann = Self.pair("ann", movie: true, episode: false)
        let bob = Self.pair("bob", movie: true, episode: false)
        let plan = P.plan([bob, ann], baselines: [bob.baselineKey: true])
        #expect(plan.actions.map(\.user) == ["ann", "bob"], "in a stable order")
        #expect(plan.actions.map(\.watched) == [true, false])
        #expect(plan.actions.map(\.side) == [.episode, .movie])
    }

    /// A film linked as two specials: one special unmarked by hand, the other still watched. Marking the film both
    /// ways is not done: the pairs are left for a person, and no baseline is kept for them.
    @Test func oneItemMarkedBothWaysIsLeftAlone() {
        let film = P.Pair(key: "c", user: "ann", movie: "m2", episode: "e3", movieWatched: true, episodeWatched: false, label: "C")
        let other = P.Pair(key: "d", user: "ann", movie: "m2", episode: "e4", movieWatched: true, episodeWatched: false, label: "D")
        // c: e3 unmarked since (baseline true) → unmark m2; d: first look, m2 watched → mark e4. Different items: both done.
        let both = P.plan([film, other], baselines: [film.baselineKey: true])
        #expect(both.actions.count == 2 && both.conflicts.isEmpty)
        // e: e5 watched since (baseline false) → mark m3 watched; f: e6 unmarked since (baseline true) → mark m3 unwatched.
        let e = P.Pair(key: "e", user: "ann", movie: "m3", episode: "e5", movieWatched: false, episodeWatched: true, label: "E")
        let f = P.Pair(key: "f", user: "ann", movie: "m3", episode: "e6", movieWatched: true, episodeWatched: false, label: "F")
        let split = P.plan([e, f], baselines: [e.baselineKey: false, f.baselineKey: true])
        #expect(split.actions.isEmpty, "\(split.actions)")
        #expect(split.conflicts.count == 2 && split.agreed.isEmpty)
    }
}
