/// An item in a download client's queue.
public struct QueueItem: Sendable, Hashable {
    /// SABnzbd `nzo_id`, NZBGet id, torrent info-hash.
    public var id: String
    public var paused: Bool

    public init(id: String, paused: Bool = false) {
        self.id = id
        self.paused = paused
    }
}

public enum QueueOrder {
    /// The items to move to the top, in the order to move them (each move puts an item first, so the
    /// most urgent is moved last), so that the urgent items lead the queue in urgency order. Nothing
    /// when they already do; items not urgent are never moved, and paused items keep their state (the
    /// caller only moves, never resumes). Ids compare without case (info-hashes come in both cases).
    public static func movesToTop(queue: [QueueItem], urgent: [String]) -> [String] {
        let present = Dictionary(queue.map { ($0.id.lowercased(), $0.id) }, uniquingKeysWith: { a, _ in a })
        var seen = Set<String>()
        let wanted = urgent.map { $0.lowercased() }.filter { present[$0] != nil && seen.insert($0).inserted }
        guard !wanted.isEmpty else { return [] }
        let head = queue.prefix(wanted.count).map { $0.id.lowercased() }
        if head == wanted { return [] }
        return wanted.reversed().map { present[$0]! }
    }
}
