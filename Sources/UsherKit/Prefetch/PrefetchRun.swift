import UsherCore

/// The report being built during a run.
struct PrefetchRun {
    var dryRun: Bool
    var searched: [PrefetchItem] = []
    var prioritized: [PrefetchItem] = []
    var skipped: [PrefetchItem] = []
    var unmatched: [PrefetchReport.Unmatched] = []
    var warnings: [String] = []
    var errors: [String] = []
    var notified: [String] = []
    var healthChecked = false
    var focus: [String]?

    mutating func failed(_ message: String, requests: Int) -> PrefetchReport {
        errors.append(message)
        return report(requests: requests)
    }

    mutating func sort() {
        func order(_ a: PrefetchItem, _ b: PrefetchItem) -> Bool {
            (a.reachedInMinutes, a.series, a.season, a.episode) < (b.reachedInMinutes, b.series, b.season, b.episode)
        }
        searched.sort(by: order)
        prioritized.sort(by: order)
        skipped.sort { ($0.series, $0.season, $0.episode) < ($1.series, $1.season, $1.episode) }
    }

    func report(requests: Int) -> PrefetchReport {
        PrefetchReport(
            dryRun: dryRun, searched: searched, prioritized: prioritized, skipped: skipped, unmatched: unmatched,
            warnings: warnings, errors: errors, notified: notified, healthChecked: healthChecked, requests: requests,
            focus: focus)
    }
}
