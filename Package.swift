// swift-tools-version: 6.1
import PackageDescription

let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The files of `Sources/UsherServer/Web/Resources`, each embedded in the binary (`PackageResources.<name>`).
let webResources = [
    "layout.mustache", "login.mustache", "overview.mustache", "links.mustache", "runs.mustache", "run.mustache",
    "proposals.mustache", "prefetch.mustache", "message.mustache", "usher.css", "usher.js", "usher.svg",
]

let package = Package(
    name: "usher",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "usher", targets: ["usher"]),
        .executable(name: "usher-bench", targets: ["usher-bench"]),
        .library(name: "UsherCore", targets: ["UsherCore"]),
        .library(name: "UsherKit", targets: ["UsherKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // bcrypt for the web page's passwords (HummingbirdBcrypt only: a small C library, no other dependency).
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        // SHA-256 of the web page's session tokens, kept in usher.db (already built for hummingbird-auth).
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // Pure core: values and decisions (Link/, Match/, Prefetch/, Import/, Shared/). No I/O.
        .target(name: "UsherCore", swiftSettings: settings),
        // The files people write: YAML read safely (config values, the mapping file, the old Plex
        // Linker collection). No network, no database: small enough to fuzz (Sources/usher-fuzz).
        .target(
            name: "UsherFiles",
            dependencies: [
                "UsherCore",
                // For its copy of libyaml (the CYaml module), whose parser events UsherFiles reads itself
                // (YAMLEvents.swift): Yams' own composer expands aliases.
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: settings
        ),
        // Adapters and jobs: Config/, Files/, State/ (usher.db), FileSystem/, Clients/ (one folder per
        // service, and the shared HTTP layer), and one folder per job (Link/, Prefetch/, Match/, Dedupe/, Import/).
        .target(
            name: "UsherKit",
            dependencies: [
                "UsherCore", "UsherFiles",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // Counts requests to each service through swift-metrics; a no-op unless `usher serve` installs Prometheus.
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: settings
        ),
        // In-process fakes of Sonarr, Radarr, Plex, Tautulli and SABnzbd (Hummingbird), for tests and the benchmark.
        .target(
            name: "UsherFakes",
            dependencies: [
                "UsherKit",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: settings
        ),
        // `usher serve`: the HTTP server (Hummingbird), the job queue and the scheduler (Serve/ in UsherCore
        // decides when; this runs it).
        .target(
            name: "UsherServer",
            dependencies: [
                "UsherKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // The web page's templates, stylesheet and script, compiled into the binary (no bundle to ship beside it).
            resources: webResources.map { .embedInCode("Web/Resources/\($0)") },
            swiftSettings: settings
        ),
        .executableTarget(
            name: "usher",
            dependencies: [
                "UsherCore", "UsherKit", "UsherServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        .executableTarget(name: "usher-bench", dependencies: ["UsherCore", "UsherKit", "UsherFakes"], swiftSettings: settings),
        // libFuzzer target for the YAML readers: `scripts/fuzz` (built with --sanitize=fuzzer).
        .executableTarget(name: "usher-fuzz", dependencies: ["UsherCore", "UsherFiles"], swiftSettings: settings),
        .testTarget(name: "UsherCoreTests", dependencies: ["UsherCore"], swiftSettings: settings),
        .testTarget(
            name: "UsherKitTests",
            dependencies: [
                "UsherKit", "UsherCore", "UsherFakes",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // To read the Plex API document (YAML) the Plex client is checked against.
                .product(name: "Yams", package: "Yams"),
            ],
            // The trimmed Jellyfin API document, read in place by the contract test.
            exclude: ["Contracts/jellyfin"],
            swiftSettings: settings
        ),
        .testTarget(
            name: "UsherServerTests",
            dependencies: [
                "UsherServer", "UsherKit", "UsherCore", "UsherFakes",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: settings
        ),
        .testTarget(
            name: "UsherCLITests",
            dependencies: [
                "UsherKit", "UsherCore", "UsherFakes",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: settings
        ),
    ]
)
