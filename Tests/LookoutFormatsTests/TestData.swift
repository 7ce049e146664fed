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

    static func exposition(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: expositionDirectory.appendingPathComponent(name)))
    }
}
