import Foundation
import LookoutModel
import Testing
@testable import LookoutStorage

/// The log store: lines are kept in time order per stream, limits refuse single records with a
/// reason, and everything acknowledged survives a reopen and a checkpoint by another store.
@Suite struct LogStoreTests {
    static let t0: Int64 = 1_796_292_000_000_000_000
    static let minute: Int64 = 60_000_000_000

    static func open(_ dir: String, _ configure: (inout LogStoreOptions) -> Void = { _ in }) throws -> (DataDirectory, MetricStore, LogStore) {
        let data = try DataDirectory(path: dir, logger: quietLogger)
        let metrics = try MetricStore(data: data, logger: quietLogger)
        var options = LogStoreOptions()
        configure(&options)
        let logs = try LogStore(data: data, options: options, logger: quietLogger)
        try data.open()
        return (data, metrics, logs)
    }

    static func close(_ stores: (DataDirectory, MetricStore, LogStore)) throws {
        try stores.1.close()
        try stores.2.close()
        try stores.0.close()
    }

    static func line(_ service: String, _ minutes: Int64, _ text: String, level: LogLevel = .info) -> LogRecord {
        LogRecord(labels: ["service": service, "level": level.name], timestampNs: t0 + minutes * minute, line: text, level: level,
                  fields: [LogField("user", "ada")], traceID: TraceID(high: 1, low: UInt64(minutes)), spanID: SpanID(7))
    }

    static func lines(_ store: LogStore, _ service: String) throws -> [String] {
        try store.select([try! LabelMatcher("service", .equal, service)], startNs: 0, endNs: .max, maxLines: 1000)
            .flatMap { $0.1.map(\.line) }
    }

    @Test func linesComeBackInTimeOrderAfterAReopenAndACheckpoint() async throws {
        try await withTempDirectory { dir in
            var stores = try Self.open(dir)
            _ = try await stores.2.append([Self.line("api", 2, "b"), Self.line("api", 0, "a"), Self.line("db", 1, "x", level: .error)])
            try stores.0.checkpoint() // the metric store's participant checkpoints the shared WAL too
            _ = try await stores.2.append([Self.line("api", 3, "c")])
            #expect(try Self.lines(stores.2, "api") == ["a", "b", "c"])
            try Self.close(stores)
            stores = try Self.open(dir)
            #expect(try Self.lines(stores.2, "api") == ["a", "b", "c"])
            let db = try stores.2.select([LabelMatcher("level", .equal, "error")], startNs: 0, endNs: .max, maxLines: 10)
            #expect(db.count == 1 && db[0].1 == [Self.line("db", 1, "x", level: .error)], "fields and ids come back")
            #expect(stores.2.labelNames(startNs: 0, endNs: .max) == ["level", "service"])
            #expect(stores.2.labelValues("service", startNs: Self.t0 + Self.minute, endNs: .max) == ["api", "db"])
            #expect(stores.2.labelValues("service", startNs: 0, endNs: Self.t0) == ["api"])
            try Self.close(stores)
        }
    }

    @Test func limitsRefuseTheRecordNotTheBatch() async throws {
        try await withTempDirectory { dir in
            let stores = try Self.open(dir) {
                $0.maxActiveStreams = 2
                $0.maxOutOfOrderNs = 20 * Self.minute
                $0.maxLabelsPerStream = 3
            }
            var wide = Self.line("api", 0, "wide")
            wide.labels = ["service": "api", "a": "1", "b": "2", "c": "3"]
            var bad = Self.line("api", 0, "bad")
            bad.labels = ["service": "api", "0x": "1"]
            let result = try await stores.2.append([
                Self.line("api", 30, "new"), Self.line("api", 15, "late but within"), Self.line("api", 5, "too late"),
                Self.line("db", 0, "second stream"), Self.line("cache", 0, "third stream"), wide, bad,
            ])
            #expect(result.accepted == 3)
            #expect(result.refused.map(\.index) == [2, 4, 5, 6])
            #expect(result.refused.map(\.reason) == ["too_far_behind", "stream_limit", "max_label_names_per_series", "invalid_label"])
            #expect(result.refused[1].message.contains(#"{level="info", service="cache"}"#) && result.refused[1].message.contains("limits.max_active_streams (2)"))
            #expect(try Self.lines(stores.2, "api") == ["late but within", "new"])
            #expect(stores.2.stats.refused == ["too_far_behind": 1, "stream_limit": 1, "max_label_names_per_series": 1, "invalid_label": 1])
            try Self.close(stores)
        }
    }

    @Test func aFullHeadRefusesAndAQueryReadsWithinItsBound() async throws {
        try await withTempDirectory { dir in
            let stores = try Self.open(dir) { $0.maxHeadLines = 3 }
            _ = try await stores.2.append((0..<3).map { Self.line("api", $0, "l\($0)") })
            await #expect(throws: StorageError.self) { _ = try await stores.2.append([Self.line("api", 9, "more")]) }
            #expect(throws: StorageError.self) {
                _ = try stores.2.select([LabelMatcher("service", .equal, "api")], startNs: 0, endNs: .max, maxLines: 2)
            }
            try Self.close(stores)
        }
    }

    @Test func recordsRoundTripTheirBytesAndRefuseTruncation() {
        let records = [Self.line("api", 1, "héllo\nworld"), LogRecord(labels: ["a": "b"], timestampNs: -5, line: "")]
        var bytes: [UInt8] = []
        LogRecordCoding.encode(records, into: &bytes)
        #expect(LogRecordCoding.decode(bytes[...]) == records)
        #expect(LogRecordCoding.decode(bytes.dropLast()) == nil)
        #expect(LogRecordCoding.decode(bytes + [0]) == nil)
    }
}
