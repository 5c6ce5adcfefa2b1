import Foundation
import Testing

@testable import UsherCore

struct PlaybackEventTests {
    func data(_ text: String) -> Data { Data(text.utf8) }

    @Test func tautulliTemplateWithNumbersAsTextAndEmptyValues() {
        let body = #"{"event": "play", "media_type": "episode", "user": "ann", "show": "Frieren", "tvdb_id": "424536", "season": "1", "episode": "07"}"#
        #expect(
            PlaybackEvent.tautulli(data(body))
                == .episode(event: "play", PlaybackEvent(kind: .started, user: "ann", show: "Frieren", tvdb: 424536, season: 1, episode: 7)))
        let empty = #"{"event": "watched", "media_type": "episode", "user": "bo", "show": "X", "tvdb_id": "", "season": "2", "episode": "3"}"#
        #expect(PlaybackEvent.tautulli(data(empty)) == .episode(event: "watched", PlaybackEvent(kind: .watched, user: "bo", show: "X", season: 2, episode: 3)))
        #expect(PlaybackEvent.tautulli(data(#"{"event": "play", "media_type": "movie"}"#)) == .other(event: "play"))
        #expect(PlaybackEvent.tautulli(data(#"{"event": "created"}"#)) == .other(event: "created"))
        for bad in ["", "[]", "nope", #"{"user": "ann"}"#, #"{"event": ""}"#] {
            guard case .malformed = PlaybackEvent.tautulli(data(bad)) else {
                Issue.record("'\(bad)' was read")
                continue
            }
        }
    }

    @Test func jellyfinGenericTemplate() {
        let start =
            #"{"NotificationType": "PlaybackStart", "ItemType": "Episode", "NotificationUsername": "cy", "SeriesName": "Dan Da Dan", "SeasonNumber": 1, "EpisodeNumber": 4, "Provider_tvdb": "440927"}"#
        #expect(
            PlaybackEvent.jellyfin(data(start))
                == .episode(event: "PlaybackStart", PlaybackEvent(kind: .started, user: "cy", show: "Dan Da Dan", tvdb: 440927, season: 1, episode: 4)))
        let done = #"{"NotificationType": "PlaybackStop", "ItemType": "Episode", "PlayedToCompletion": "True", "NotificationUsername": "cy"}"#
        #expect(PlaybackEvent.jellyfin(data(done)) == .episode(event: "PlaybackStop", PlaybackEvent(kind: .watched, user: "cy")))
        #expect(PlaybackEvent.jellyfin(data(#"{"NotificationType": "ItemAdded", "ItemType": "Episode"}"#)) == .other(event: "ItemAdded"))
        #expect(PlaybackEvent.jellyfin(data(#"{"NotificationType": "PlaybackStart", "ItemType": "Movie"}"#)) == .other(event: "PlaybackStart"))
    }

    static func multipart(_ json: String, boundary: String = "----usher-test-boundary") -> (Data, String) {
        var body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"payload\"\r\nContent-Type: application/json\r\n\r\n\(json)\r\n"
        body +=
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"thumb\"; filename=\"thumb.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\u{FF}\u{D8}binary\r\n"
        body += "--\(boundary)--\r\n"
        return (Data(body.utf8), "multipart/form-data; boundary=\(boundary)")
    }

    static let plexEpisode = """
        {"event": "media.scrobble", "user": true, "owner": true, "Account": {"id": 1, "title": "elan"},
         "Metadata": {"type": "episode", "grandparentTitle": "Frieren", "parentIndex": 1, "index": 12,
                      "Guid": [{"id": "imdb://tt1"}, {"id": "tvdb://9350138"}]}}
        """

    @Test func plexMultipartPayload() throws {
        let (body, contentType) = Self.multipart(Self.plexEpisode)
        #expect(
            PlaybackEvent.plex(body, contentType: contentType)
                == .episode(event: "media.scrobble", PlaybackEvent(kind: .watched, user: "elan", show: "Frieren", tvdb: 9350138, season: 1, episode: 12)))
        // Quoted boundary, and a part order with the thumbnail first.
        #expect(Multipart.boundary("multipart/form-data; charset=utf-8; boundary=\"a b\"") == "a b")
        #expect(Multipart.boundary("multipart/form-data") == nil)
        #expect(
            PlaybackEvent.plex(Data("--x\r\n\r\n".utf8), contentType: "multipart/form-data; boundary=x")
                == .malformed("no 'payload' part in the multipart body"))
        #expect(PlaybackEvent.plex(body, contentType: "multipart/form-data") == .malformed("multipart body without a boundary"))
    }

    @Test func plexCapturedTrackFixtureIsNotAnEpisode() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../../shared/contracts/fixtures/plex-webhook/media.play.track.json"
        )
        .standardized.path
        guard let json = FileManager.default.contents(atPath: path) else {
            Issue.record("\(path) is missing: the Plex webhook contract test cannot run without ../shared")
            return
        }
        let (body, contentType) = Self.multipart(String(decoding: json, as: UTF8.self))
        #expect(PlaybackEvent.plex(body, contentType: contentType) == .other(event: "media.play"))
    }

    @Test func eventNamesAreSafeLabels() {
        #expect(PlaybackEvent.name("media.play") == "media.play")
        #expect(PlaybackEvent.name("a\"b{c}\nd") == "abcd")
        #expect(PlaybackEvent.name("☃") == "unnamed")
        #expect(PlaybackEvent.name(String(repeating: "x", count: 200)).count == 64)
    }
}
