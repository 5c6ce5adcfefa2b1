/// Issue 18: a linked film shows up twice in Plex, as a movie and as a special of its show, each with its own watched
/// state per user. The planner decides, for each linked pair and each user, which item to mark watched or unwatched so
/// that both say the same; the adapter (Plex's `/:/scrobble` and `/:/unscrobble`) does it.
///
/// It is a three-way merge against the state both items last agreed on for that user (the baseline, kept by the
/// caller): the item that moved away from the baseline was changed by the person (played to the end, or marked by
/// hand), and the other follows it, so the later change wins. Without a baseline (a pair seen for the first time)
/// watched wins: Plex keeps no trace of an item marked unwatched, and a film seen before it was linked has been seen.
/// Usher's own mark, coming back as a webhook or seen by the next comparison, finds both items alike and does
/// nothing: it cannot loop.
public enum WatchSyncPlanner {
    /// One linked pair as Plex holds it for one user.
    public struct Pair: Sendable, Hashable {
        /// The pair's identity: the link's path in the show's folder.
        public var key: String
        public var user: String
        /// Plex's `ratingKey` of the movie and of the episode.
        public var movie: String
        public var episode: String
        public var movieWatched: Bool
        public var episodeWatched: Bool
        /// For the plan's words.
        public var label: String

        public init(key: String, user: String, movie: String, episode: String, movieWatched: Bool, episodeWatched: Bool, label: String) {
            self.key = key
            self.user = user
            self.movie = movie
            self.episode = episode
            self.movieWatched = movieWatched
            self.episodeWatched = episodeWatched
            self.label = label
        }

        public var baselineKey: BaselineKey { BaselineKey(pair: key, user: user) }
    }

    public struct BaselineKey: Sendable, Hashable, Comparable {
        public var pair: String
        public var user: String

        public init(pair: String, user: String) {
            self.pair = pair
            self.user = user
        }

        public static func < (a: BaselineKey, b: BaselineKey) -> Bool { (a.pair, a.user) < (b.pair, b.user) }
    }

    public enum Side: String, Sendable, Hashable { case movie, episode }

    /// Mark one item watched (`/:/scrobble`) or unwatched (`/:/unscrobble`) for one user.
    public struct Action: Sendable, Hashable {
        public var user: String
        public var ratingKey: String
        /// Which item of the pair is marked.
        public var side: Side
        public var watched: Bool
        public var pair: String
        public var reason: String
    }

    public struct Plan: Sendable, Equatable {
        public var actions: [Action] = []
        /// The state each pair agrees on once the plan is done, by pair and user: what the caller keeps as the
        /// next baseline for a pair already alike, or for one whose action succeeded.
        public var agreed: [BaselineKey: Bool] = [:]
        /// Pairs left as they are because the plan would mark one item both ways (a film linked twice, one of its
        /// specials marked unwatched by hand while the other stays watched): for a person to settle.
        public var conflicts: [String] = []
    }

    public static func plan(_ pairs: [Pair], baselines: [BaselineKey: Bool]) -> Plan {
        var plan = Plan()
        var wanted: [Action] = []
        for pair in pairs.sorted(by: { $0.baselineKey < $1.baselineKey }) {
            if pair.movieWatched == pair.episodeWatched {
                plan.agreed[pair.baselineKey] = pair.movieWatched
                continue
            }
            // The item that moved away from the baseline leads; with none, the watched one.
            let leader: Side
            let why: String
            if let baseline = baselines[pair.baselineKey] {
                leader = pair.movieWatched != baseline ? .movie : .episode
                let now = leader == .movie ? pair.movieWatched : pair.episodeWatched
                why = "the \(leader.rawValue) was marked \(now ? "watched" : "unwatched") since the last look"
            } else {
                leader = pair.movieWatched ? .movie : .episode
                why = "the \(leader.rawValue) is watched (first look at this pair)"
            }
            let watched = leader == .movie ? pair.movieWatched : pair.episodeWatched
            let follower: Side = leader == .movie ? .episode : .movie
            wanted.append(
                Action(
                    user: pair.user, ratingKey: follower == .movie ? pair.movie : pair.episode, side: follower, watched: watched,
                    pair: pair.key, reason: "\(pair.label): \(why)"))
            plan.agreed[pair.baselineKey] = watched
        }
        // One item marked both ways by two pairs: neither is done.
        var marks: [String: Set<Bool>] = [:]
        for action in wanted { marks["\(action.user)\u{1F}\(action.ratingKey)", default: []].insert(action.watched) }
        for action in wanted {
            if marks["\(action.user)\u{1F}\(action.ratingKey)"]!.count > 1 {
                plan.conflicts.append("\(action.user): \(action.reason), but another pair of the same item says otherwise")
                plan.agreed[BaselineKey(pair: action.pair, user: action.user)] = nil
            } else {
                plan.actions.append(action)
            }
        }
        return plan
    }
}
