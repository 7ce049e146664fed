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

/// A settable clock for `StorageOptions.clock`.
final class TestClock: @unchecked Sendable { // `lock` guards `value`
    private let lock = NSLock()
    private var value: Int64

    init(_ now: Int64) { value = now }

    var now: Int64 {
        get { lock.lock(); defer { lock.unlock() }; return value }
        set { lock.lock(); value = newValue; lock.unlock() }
    }
}

/// A logger that counts the messages it is given, by message text.
final class CountingLog: @unchecked Sendable { // `lock` guards `counts`
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    func count(_ message: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return counts[message, default: 0]
    }

    fileprivate func record(_ message: String) {
        lock.lock()
        counts[message, default: 0] += 1
        lock.unlock()
    }

    var logger: Logger { Logger(label: "lookout.storage.test", factory: { _ in Handler(log: self) }) }

    private struct Handler: LogHandler {
        let log: CountingLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            log.record(event.message.description)
        }
    }
}

/// Paths of this process's open descriptors that lie under `directory` (from `/proc/self/fd`).
func openDescriptors(under directory: String) -> [String] {
    let name = (directory as NSString).lastPathComponent
    let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return fds.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0) }
        .filter { $0.contains("/" + name + "/") }
}
