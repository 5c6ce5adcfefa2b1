import GRDB

/// The pairs a person rejected in `usher match review`, in the same SQLite file as the ledger. A
/// rejected pair is never proposed again.
extension Ledger {
    public struct Rejection: Sendable, Hashable {
        public var pairKey: String
        /// For people: `Cowboy Bebop: The Movie (2001)`.
        public var movie: String
        /// For people: `Cowboy Bebop S00E03`.
        public var target: String
        public var rejectedAt: Int64

        public init(pairKey: String, movie: String, target: String, rejectedAt: Int64) {
            self.pairKey = pairKey
            self.movie = movie
            self.target = target
            self.rejectedAt = rejectedAt
        }
    }

    public func rejectedPairs() throws -> Set<String> {
        try queue.read { db in Set(try String.fetchAll(db, sql: "SELECT pair_key FROM match_rejections")) }
    }

    public func rejections() throws -> [Rejection] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT pair_key, movie, target, rejected_at FROM match_rejections ORDER BY rejected_at, pair_key").map {
                Rejection(pairKey: $0["pair_key"], movie: $0["movie"], target: $0["target"], rejectedAt: $0["rejected_at"])
            }
        }
    }

    public func recordRejections(_ rejections: [Rejection]) throws {
        guard !rejections.isEmpty else { return }
        try queue.write { db in
            let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO match_rejections (pair_key, movie, target, rejected_at) VALUES (?, ?, ?, ?)")
            for r in rejections { try statement.execute(arguments: [r.pairKey, r.movie, r.target, r.rejectedAt]) }
        }
    }
}
