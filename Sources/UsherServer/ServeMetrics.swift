public import Foundation
import Metrics
public import Prometheus
import UsherCore
public import UsherKit

/// The metrics of `usher serve`, named `usher_…` (as exportarr names `sonarr_…`), through swift-metrics
/// into one Prometheus registry that `{url_base}/metrics` prints.
///
/// - `usher_info{version}` 1
/// - `usher_links`, `usher_bytes_saved`: the links in the ledger and the space they save (per inode), after each link run
/// - `usher_runs_total{job, outcome}`, `usher_run_duration_seconds{job}` (a histogram)
/// - `usher_queue_length`: runs waiting
/// - `usher_webhooks_total{source, event, outcome}`, `usher_unauthorized_requests_total`
/// - `usher_service_requests_total{service, outcome}` (counted by every job's HTTP client)
/// - `usher_prefetch_searches_total`, `usher_prefetch_moves_total`
public final class ServeMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    /// swift-metrics has one backend per process: the first `bootstrap()` installs it, later calls get the same.
    public static func bootstrap() -> ServeMetrics { shared }

    private static let shared: ServeMetrics = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600].map { .milliseconds(Int64($0 * 1000)) }
        MetricsSystem.bootstrap(factory)
        return ServeMetrics(registry: registry, factory: factory)
    }()

    private init(registry: PrometheusCollectorRegistry, factory: PrometheusMetricsFactory) {
        self.registry = registry
        self.factory = factory
        Gauge(label: "usher_info", dimensions: [("version", UsherVersion.current)]).record(1)
    }

    /// The text Prometheus scrapes.
    public func text() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    func runEnded(_ job: ServeJob, dryRun: Bool, outcome: JobRunRecord.Outcome, seconds: Double, counts: [String: Int]) {
        Counter(label: "usher_runs_total", dimensions: [("job", job.rawValue), ("outcome", outcome.rawValue)]).increment()
        Metrics.Timer(label: "usher_run_duration_seconds", dimensions: [("job", job.rawValue)]).recordNanoseconds(Int64(seconds * 1e9))
        if job == .prefetch, !dryRun {
            if let searched = counts["searched"], searched > 0 { Counter(label: "usher_prefetch_searches_total").increment(by: searched) }
            if let moved = counts["prioritized"], moved > 0 { Counter(label: "usher_prefetch_moves_total").increment(by: moved) }
        }
    }

    func queue(length: Int) { Gauge(label: "usher_queue_length").record(length) }

    func links(_ statistics: LinkStatistics) {
        Gauge(label: "usher_links").record(statistics.links)
        Gauge(label: "usher_bytes_saved").record(Double(statistics.bytesSaved))
    }

    func webhook(source: String, event: String, outcome: String) {
        Counter(label: "usher_webhooks_total", dimensions: [("source", source), ("event", event), ("outcome", outcome)]).increment()
    }

    func unauthorized() { Counter(label: "usher_unauthorized_requests_total").increment() }
}
