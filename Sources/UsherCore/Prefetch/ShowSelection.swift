/// Which watched shows go on to planning: each matched to a Sonarr series, unless the series carries the
/// exclusion tag (then each viewer's last episode is reported as skipped), or matching no series (reported,
/// and warned about once). A show is not called unmatched while some Sonarr instance did not answer: it
/// may hold it.
public struct ShowSelection: Sendable {
    public struct Unmatched: Sendable, Hashable {
        /// The history's show key.
        public var key: String
        public var title: String
        public var tvdb: Int?
        public var reason: String
        /// First seen in this run: warned about now, and remembered.
        public var new: Bool

        /// The warning of a new one.
        public var warning: String { "no Sonarr series for the watched show '\(title)': \(reason) (reported once)" }
    }

    public var matched: [(series: PrefetchSeries, viewers: [ViewerPosition])] = []
    /// The show keys that matched (excluded ones included), for the state of reported shows.
    public var matchedKeys: [String] = []
    public var excluded: [PrefetchItem] = []
    public var unmatched: [Unmatched] = []

    /// - Parameters:
    ///   - excludeTag: the tag's name, and its id on each instance that has it.
    ///   - reported: show keys already reported as unmatched by earlier runs.
    public static func select(
        positions: [ViewerPosition], shows: [String: WatchedShow], matcher: ShowMatcher,
        excludeTag: (name: String, ids: [String: Int])?, someSonarrFailed: Bool, reported: Set<String>
    ) -> ShowSelection {
        var byShow: [String: [ViewerPosition]] = [:]
        for position in positions { byShow[position.show, default: []].append(position) }
        var selection = ShowSelection()
        for (key, viewers) in byShow.sorted(by: { $0.key < $1.key }) {
            let show = shows[key] ?? WatchedShow(key: key, title: viewers[0].showTitle, tvdb: nil)
            switch matcher.match(show) {
            case .matched(let series, _):
                selection.matchedKeys.append(key)
                if let excludeTag, let tag = excludeTag.ids[series.key.instance], series.tags.contains(tag) {
                    for viewer in viewers {
                        let item = PrefetchItem(
                            series: series, season: viewer.furthest.season, episode: viewer.furthest.episode,
                            title: nil, users: [viewer.user],
                            reason: "series has the tag '\(excludeTag.name)' (last watched)")
                        // Two sources naming the same viewer at the same episode: reported once.
                        if !selection.excluded.contains(item) { selection.excluded.append(item) }
                    }
                    continue
                }
                // Two shows of one series (two history sources name it): one entry, each viewer once.
                if let index = selection.matched.firstIndex(where: { $0.series.key == series.key }) {
                    selection.matched[index].viewers = WatchProgress.merged(selection.matched[index].viewers + viewers)
                } else {
                    selection.matched.append((series, viewers))
                }
            case .unmatched(let reason):
                if someSonarrFailed { continue }
                selection.unmatched.append(Unmatched(key: key, title: show.title, tvdb: show.tvdb, reason: reason, new: !reported.contains(key)))
            }
        }
        return selection
    }
}
