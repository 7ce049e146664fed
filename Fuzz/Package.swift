// swift-tools-version: 6.1
import PackageDescription

/// libFuzzer targets for Lookout's parsers. Not part of `swift build` of the main package (an
/// executable without `main` links only with `-sanitize=fuzzer`); `scripts/fuzz.sh` builds and
/// runs them.
let fuzzFlags: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "LookoutFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Lookout", path: "..")],
    targets: [
        .target(name: "FuzzSupport"),
        .executableTarget(name: "FuzzExposition", dependencies: ["FuzzSupport", .product(name: "LookoutParsers", package: "Lookout")],
                          swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzPromQL", dependencies: ["FuzzSupport", .product(name: "LookoutParsers", package: "Lookout")],
                          swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzOTLP", dependencies: ["FuzzSupport", .product(name: "LookoutParsers", package: "Lookout")],
                          swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzTraceQL", dependencies: ["FuzzSupport", .product(name: "LookoutParsers", package: "Lookout")],
                          swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzJSONLines", dependencies: ["FuzzSupport", .product(name: "LookoutParsers", package: "Lookout")],
                          swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzLogQL", dependencies: ["FuzzSupport", .product(name: "LookoutParsers", package: "Lookout")],
                          swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzLokiPush", dependencies: ["FuzzSupport", .product(name: "LookoutParsers", package: "Lookout")],
                          swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzRules", dependencies: ["FuzzSupport", .product(name: "LookoutParsers", package: "Lookout")],
                          swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzConfig", dependencies: ["FuzzSupport", .product(name: "LookoutServerLibrary", package: "Lookout")],
                          swiftSettings: fuzzFlags),
    ]
)
