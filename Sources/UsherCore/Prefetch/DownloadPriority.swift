/// The priority option of the config: top = move to the front only; high = also raise priority (SABnzbd High=1,
/// NZBGet 100 "very high"); force = SABnzbd Force (2) / NZBGet 900 force. Torrent clients treat high/force as top.
public enum DownloadPriority: String, Sendable, CaseIterable {
    case top, high, force

    /// 0 for normal (nil) and top, 1 high, 2 force: a priority is never lowered.
    public static func rank(_ priority: DownloadPriority?) -> Int {
        switch priority {
        case nil, .top?: 0
        case .high?: 1
        case .force?: 2
        }
    }
}

extension DownloadPriority {
    /// Whether a download at `current` must be raised to reach this setting (`top` never raises anything).
    public func raises(_ current: DownloadPriority?) -> Bool {
        self != .top && Self.rank(current) < Self.rank(self)
    }
}
