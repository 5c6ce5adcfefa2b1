public import Foundation

/// A viewer started, stopped or finished an episode: what a Tautulli, Plex or Jellyfin webhook says, as far as
/// prefetch cares.
public struct PlaybackEvent: Hashable, Sendable {
    /// `grabbed`: not playback, but Sonarr grabbed a release of the show (no viewer: the show's viewers count).
    public enum Kind: String, Sendable { case started, stopped, watched, grabbed }

    public var kind: Kind
    public var user: String?
    public var show: String?
    public var tvdb: Int?
    public var season: Int?
    public var episode: Int?

    public init(kind: Kind, user: String? = nil, show: String? = nil, tvdb: Int? = nil, season: Int? = nil, episode: Int? = nil) {
        self.kind = kind
        self.user = user
        self.show = show
        self.tvdb = tvdb
        self.season = season
        self.episode = episode
    }

    /// What a webhook body came to: an episode event, something else (named, for the counts), or a body that is
    /// not such a webhook (with a short reason).
    public enum Reading: Equatable, Sendable {
        case episode(event: String, PlaybackEvent)
        case other(event: String)
        case malformed(String)
    }

    // MARK: Tautulli

    /// The JSON of the Webhook agent's template the README gives: `event` (`{action}`: play, stop, watched, …),
    /// `media_type`, `user`, `show`, `tvdb_id`, `season`, `episode`; numbers may come as strings, and an empty
    /// value (Tautulli leaves an unknown parameter empty) counts as none.
    public static func tautulli(_ body: Data) -> Reading {
        guard let object = jsonObject(body) else { return .malformed("the body is not a JSON object (see the README for the template)") }
        guard let action = text(object["event"] ?? object["action"]), !action.isEmpty else {
            return .malformed("no 'event' in the body (the template's \"event\": \"{action}\")")
        }
        let kinds: [String: Kind] = ["play": .started, "resume": .started, "stop": .stopped, "watched": .watched]
        guard let kind = kinds[action.lowercased()], (text(object["media_type"]) ?? "episode").lowercased() == "episode" else {
            return .other(event: name(action))
        }
        return .episode(
            event: name(action),
            PlaybackEvent(
                kind: kind, user: text(object["user"]), show: text(object["show"] ?? object["grandparent_title"]),
                tvdb: number(object["tvdb_id"] ?? object["thetvdb_id"]), season: number(object["season"] ?? object["season_num"]),
                episode: number(object["episode"] ?? object["episode_num"])))
    }

    // MARK: Plex

    /// Plex's webhook (Plex Pass): `multipart/form-data` whose `payload` part is JSON with `event`
    /// (`media.play`, `media.resume`, `media.stop`, `media.scrobble`…), `Account.title` and `Metadata` (`type`
    /// episode, `grandparentTitle`, `parentIndex`, `index`, and `Guid[]` with `tvdb://…` when Plex has it).
    public static func plex(_ body: Data, contentType: String?) -> Reading {
        let json: Data
        if let contentType, contentType.lowercased().hasPrefix("multipart/form-data") {
            guard let boundary = Multipart.boundary(contentType) else { return .malformed("multipart body without a boundary") }
            guard let part = Multipart.part(named: "payload", in: body, boundary: boundary) else {
                return .malformed("no 'payload' part in the multipart body")
            }
            json = part
        } else {
            json = body
        }
        guard let object = jsonObject(json) else { return .malformed("the payload is not a JSON object") }
        guard let event = text(object["event"]), !event.isEmpty else { return .malformed("no 'event' in the payload") }
        let kinds: [String: Kind] = ["media.play": .started, "media.resume": .started, "media.stop": .stopped, "media.scrobble": .watched]
        let metadata = object["Metadata"] as? [String: Any] ?? [:]
        guard let kind = kinds[event], text(metadata["type"]) == "episode" else { return .other(event: name(event)) }
        var tvdb: Int?
        for guid in metadata["Guid"] as? [[String: Any]] ?? [] {
            if let id = text(guid["id"]), id.hasPrefix("tvdb://") { tvdb = Int(id.dropFirst("tvdb://".count)) }
        }
        let account = object["Account"] as? [String: Any] ?? [:]
        return .episode(
            event: name(event),
            PlaybackEvent(
                kind: kind, user: text(account["title"]), show: text(metadata["grandparentTitle"]), tvdb: tvdb,
                season: number(metadata["parentIndex"]), episode: number(metadata["index"])))
    }

    // MARK: Watched, for watch-state sync

    /// Whether a Plex or Tautulli webhook says a movie or an episode was watched to the end (Plex's
    /// `media.scrobble`, Tautulli's `watched`): the signal that starts a watch-state sync run (issue 18). Neither sends
    /// anything when an item is marked unwatched; the periodic run sees those.
    public static func watchedSignal(plex body: Data, contentType: String?) -> Bool {
        var json = body
        if let contentType, contentType.lowercased().hasPrefix("multipart/form-data") {
            guard let boundary = Multipart.boundary(contentType), let part = Multipart.part(named: "payload", in: body, boundary: boundary) else {
                return false
            }
            json = part
        }
        guard let object = jsonObject(json), text(object["event"]) == "media.scrobble" else { return false }
        let type = text((object["Metadata"] as? [String: Any])?["type"])
        return type == "movie" || type == "episode"
    }

    /// As `watchedSignal(plex:)`, for the Tautulli template's `event` (`{action}`) and `media_type`.
    public static func watchedSignal(tautulli body: Data) -> Bool {
        guard let object = jsonObject(body), (text(object["event"] ?? object["action"]) ?? "").lowercased() == "watched" else { return false }
        let type = (text(object["media_type"]) ?? "episode").lowercased()
        return type == "movie" || type == "episode"
    }

    // MARK: Jellyfin

    /// The Jellyfin webhook plugin's generic destination, with the template the README gives:
    /// `NotificationType` (PlaybackStart, PlaybackStop), `ItemType` (Episode), `NotificationUsername`,
    /// `SeriesName`, `SeasonNumber`, `EpisodeNumber`, `Provider_tvdb`, and `PlayedToCompletion` on a stop.
    public static func jellyfin(_ body: Data) -> Reading {
        guard let object = jsonObject(body) else { return .malformed("the body is not a JSON object (see the README for the template)") }
        guard let type = text(object["NotificationType"]), !type.isEmpty else { return .malformed("no 'NotificationType' in the body") }
        guard ["PlaybackStart", "PlaybackStop"].contains(type), (text(object["ItemType"]) ?? "Episode") == "Episode" else {
            return .other(event: name(type))
        }
        let completed = ["true", "1"].contains((text(object["PlayedToCompletion"]) ?? "").lowercased())
        let kind: Kind = type == "PlaybackStart" ? .started : completed ? .watched : .stopped
        return .episode(
            event: name(type),
            PlaybackEvent(
                kind: kind, user: text(object["NotificationUsername"]), show: text(object["SeriesName"]),
                tvdb: number(object["Provider_tvdb"]), season: number(object["SeasonNumber"]), episode: number(object["EpisodeNumber"])))
    }

    // MARK: helpers

    static func jsonObject(_ data: Data) -> [String: Any]? {
        guard !data.isEmpty else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    static func text(_ value: Any?) -> String? {
        switch value {
        case let string as String:
            let trimmed = string.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        case let number as NSNumber: return number.stringValue
        default: return nil
        }
    }

    static func number(_ value: Any?) -> Int? {
        guard let text = text(value), let n = Int(text), n >= 0 else { return nil }
        return n
    }

    /// An event name fit for a metric label: letters, digits, '.', '_' and '-', at most 64.
    static func name(_ event: String) -> String {
        let kept = event.unicodeScalars.filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }
        let text = String(String.UnicodeScalarView(kept.prefix(64)))
        return text.isEmpty ? "unnamed" : text
    }
}

/// Just enough of `multipart/form-data` (RFC 7578) to take one part's body.
public enum Multipart {
    /// The `boundary` parameter of a Content-Type, without quotes.
    public static func boundary(_ contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            var value = pair[1]
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty || value.count > 200 ? nil : value
        }
        return nil
    }

    /// The body of the part whose Content-Disposition names `name`.
    public static func part(named name: String, in body: Data, boundary: String) -> Data? {
        let bytes = [UInt8](body)
        let delimiter = Array(("--" + boundary).utf8)
        var starts: [Int] = []
        var i = 0
        while let found = find(delimiter, in: bytes, from: i) {
            starts.append(found)
            i = found + delimiter.count
        }
        for (index, start) in starts.enumerated() where index + 1 < starts.count {
            var headerStart = start + delimiter.count
            // The delimiter line ends with CRLF (or LF).
            if headerStart + 1 < bytes.count, bytes[headerStart] == 13, bytes[headerStart + 1] == 10 {
                headerStart += 2
            } else if headerStart < bytes.count, bytes[headerStart] == 10 {
                headerStart += 1
            }
            let end = starts[index + 1]
            guard
                let blank = find([13, 10, 13, 10], in: bytes, from: headerStart, before: end).map({ ($0, 4) })
                    ?? find([10, 10], in: bytes, from: headerStart, before: end).map({ ($0, 2) })
            else { continue }
            let headers = String(decoding: bytes[headerStart..<blank.0], as: UTF8.self).lowercased()
            guard headers.contains("name=\"\(name.lowercased())\"") else { continue }
            var bodyEnd = end
            // The CRLF before the next delimiter belongs to the delimiter.
            if bodyEnd >= 2, bytes[bodyEnd - 2] == 13, bytes[bodyEnd - 1] == 10 { bodyEnd -= 2 } else if bodyEnd >= 1, bytes[bodyEnd - 1] == 10 { bodyEnd -= 1 }
            let bodyStart = blank.0 + blank.1
            guard bodyStart <= bodyEnd else { return nil }
            return Data(bytes[bodyStart..<bodyEnd])
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int, before limit: Int? = nil) -> Int? {
        let end = (limit ?? haystack.count) - needle.count
        guard !needle.isEmpty, start <= end else { return nil }
        var i = start
        while i <= end {
            if haystack[i] == needle[0], Array(haystack[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }
}
