// swift-tools-version: 6.1
import PackageDescription

/// Lookout: one binary for metrics, logs, traces and alerts. Targets follow the data flow in
/// `docs/architecture.md`: Model → Formats → Storage → Query → Scrape → Server → the `lookout` executable.
let package = Package(
    name: "Lookout",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lookout", targets: ["lookout"]),
        .executable(name: "lookout-bench", targets: ["LookoutBench"]),
        // For the fuzz targets in `Fuzz/`, which build against these with libFuzzer.
        .library(name: "LookoutParsers", targets: ["LookoutModel", "LookoutFormats", "LookoutQuery", "LookoutRules"]),
        .library(name: "LookoutServerLibrary", targets: ["LookoutServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CSnappy", path: "Sources/CSnappy", providers: [.apt(["libsnappy-dev"])]),
        .target(name: "CRE2", path: "Sources/CRE2", linkerSettings: [.linkedLibrary("re2")]),
        .target(name: "LookoutModel", dependencies: ["CRE2"]),
        .target(name: "LookoutFormats", dependencies: [
            "LookoutModel", "CZlib", "CSnappy", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ]),
        .target(name: "LookoutStorage", dependencies: [
            "LookoutModel", "CSQLite", "CZlib", "CZstd",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "LookoutQuery", dependencies: ["LookoutModel"]),
        .target(name: "LookoutYAML", dependencies: ["LookoutModel", .product(name: "Yams", package: "Yams")]),
        .target(name: "LookoutRules", dependencies: [
            "LookoutModel", "LookoutQuery", "LookoutYAML",
            .product(name: "Logging", package: "swift-log"), .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "LookoutNotify", dependencies: [
            "LookoutModel", "LookoutFormats", "LookoutYAML",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"), .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "LookoutScrape", dependencies: [
            "LookoutModel", "LookoutFormats",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "LookoutServer", dependencies: [
            "LookoutModel", "LookoutFormats", "LookoutStorage", "LookoutQuery", "LookoutScrape", "LookoutRules",
            "LookoutNotify", "LookoutYAML",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "LookoutClient", dependencies: [
            "LookoutModel", "LookoutFormats", .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .executableTarget(name: "lookout", dependencies: [
            "LookoutModel", "LookoutClient", "LookoutFormats", "LookoutStorage", "LookoutQuery", "LookoutScrape", "LookoutServer",
            "LookoutRules", "LookoutYAML",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .executableTarget(name: "LookoutBench", dependencies: [
            "LookoutModel", "LookoutFormats", "LookoutStorage", "LookoutQuery", .product(name: "Logging", package: "swift-log"),
        ],
                          path: "Benchmarks/LookoutBench"),
        .testTarget(name: "LookoutModelTests", dependencies: ["LookoutModel"]),
        .testTarget(name: "LookoutClientTests", dependencies: ["LookoutClient"]),
        .testTarget(name: "LookoutFormatsTests", dependencies: ["LookoutFormats", "CSnappy", .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .testTarget(name: "LookoutStorageTests", dependencies: ["LookoutStorage"]),
        .testTarget(name: "LookoutQueryTests", dependencies: ["LookoutQuery"],
                    resources: [.copy("Cases"), .copy("LogQLCases")]),
        .testTarget(name: "LookoutRulesTests", dependencies: ["LookoutRules"]),
        .testTarget(name: "LookoutNotifyTests", dependencies: ["LookoutNotify", "LookoutYAML"]),
        .testTarget(name: "LookoutScrapeTests", dependencies: ["LookoutScrape", "LookoutFormats"]),
        .testTarget(name: "LookoutServerTests", dependencies: [
            "LookoutServer", "LookoutClient",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
    ]
)
