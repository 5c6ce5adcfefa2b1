/// Where `usher prefetch` reads who watched what (`prefetch.history`): Tautulli's history, Plex's own play
/// history, or Jellyfin's (and Emby's) played items. Several may be named; their viewers are merged.
public enum HistorySource: String, CaseIterable, Sendable, Hashable {
    case tautulli, plex, jellyfin
}

extension KeyedDecodingContainer {
    /// An integer sent as a number or as a string of digits (Plex writes ids both ways).
    func flexibleInt(_ key: Key) -> Int? {
        if let n = try? decodeIfPresent(Int.self, forKey: key) { return n }
        if let d = try? decodeIfPresent(Double.self, forKey: key), d.isFinite { return Int(d) }
        if let text = try? decodeIfPresent(String.self, forKey: key) { return Int(text) }
        return nil
    }

    /// A text sent as a string or as a number.
    func flexibleString(_ key: Key) -> String? {
        if let text = try? decodeIfPresent(String.self, forKey: key) { return text }
        if let n = try? decodeIfPresent(Int.self, forKey: key) { return String(n) }
        return nil
    }
}
