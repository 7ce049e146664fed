import Foundation
import Logging
import LookoutModel
@testable import LookoutStorage

/// A fresh directory under the system temp directory, removed by `remove()`.
struct TempDirectory {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("lookout-storage-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

func withTempDirectory<T>(_ body: (String) throws -> T) rethrows -> T {
    let dir = TempDirectory()
    defer { dir.remove() }
    return try body(dir.path)
}

func withTempDirectory<T>(_ body: (String) async throws -> T) async rethrows -> T {
    let dir = TempDirectory()
    defer { dir.remove() }
    return try await body(dir.path)
}

let quietLogger = Logger(label: "lookout.storage.test", factory: { _ in SwiftLogNoOpLogHandler() })

func series(_ name: String, _ extra: [String: String] = [:]) -> Labels {
    var d = extra
    d["__name__"] = name
    return Labels(d)
}

func batch(_ labels: Labels, _ samples: [(Int64, Double)]) -> [(labels: Labels, sample: Sample)] {
    samples.map { (labels, Sample($0.0, $0.1)) }
}

/// Bit-exact comparison of sample lists (NaN == NaN when the bits agree).
func sameSamples(_ a: [Sample], _ b: [Sample]) -> Bool { a == b }
