import CoreMetrics

/// Requests to each service by outcome, as `usher_service_requests_total{service, outcome}` through
/// swift-metrics: nothing is kept unless a backend is installed (`usher serve` installs Prometheus).
enum ServiceMetrics {
    static func request(service: String, outcome: String) {
        Counter(label: "usher_service_requests_total", dimensions: [("service", service), ("outcome", outcome)]).increment()
    }

    /// `ok` for 2xx, else the status class: `unauthorized`, `not_found`, `client_error`, `server_error`.
    static func outcome(status: Int) -> String {
        switch status {
        case 200..<300: "ok"
        case 401, 403: "unauthorized"
        case 404: "not_found"
        case 500...: "server_error"
        default: "client_error"
        }
    }
}
