import Foundation

/// Finds the repository's captures (`Tests/Fixtures/exposition`, described in
/// `Tests/Fixtures/README.md`) from this file's path: it lives at
/// `Tests/LookoutFormatsTests/TestData.swift`, so the repository root is two levels up.
enum TestData {
    static let expositionDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Tests/LookoutFormatsTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // the repository root
        .appendingPathComponent("Tests/Fixtures/exposition")

    static let otlpDirectory = expositionDirectory.deletingLastPathComponent().appendingPathComponent("otlp")

    static func otlp(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: otlpDirectory.appendingPathComponent(name)))
    }

    /// The OTLP trace captures' names without extension (`00_v1_traces`, …).
    static var otlpTraceCaptures: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: otlpDirectory.path)) ?? [])
            .filter { $0.hasSuffix("_v1_traces.bin") }.map { String($0.dropLast(4)) }.sorted()
    }

    static func exposition(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: expositionDirectory.appendingPathComponent(name)))
    }
}
