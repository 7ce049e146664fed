import Foundation
import Logging
import LookoutModel

/// The log store: recent log lines by stream, kept durably through the data directory's WAL as the
/// participant for record types 16–31. Thread-safe.
///
/// Records (`docs/format/logs.md`):
/// - type 16, a batch: `seq` (uvarint, increasing) then the batch's `LogRecordCoding`;
/// - type 17, a checkpoint batch: the same, carrying the highest `seq` of the head it copies.
///
/// A batch is checked against the limits, applied to the head and its record enqueued under one
/// lock, so WAL order is apply order; `append` returns once the record is durable. Sealed blocks
/// under `logs/` are not written yet: the head is bounded by `maxHeadLines` and refuses appends
/// past it (`StorageError(.busy)`), and a checkpoint copies it whole.
public final class LogStore: WALParticipant, @unchecked Sendable {
    public let options: LogStoreOptions
    let data: DataDirectory
    let logger: Logger

    private let lock = NSLock()
    private var head = LogHead()
    private var nextSeq: UInt64 = 1
    private var closed = false
    private var counters = Counters()
    /// During replay: the highest `seq` the checkpoint's batches cover.
    private var checkpointSeq: UInt64 = 0

    static let batchRecord: UInt8 = 16
    static let checkpointBatchRecord: UInt8 = 17
    /// Records per checkpoint batch, so replay's memory per record stays bounded.
    static let checkpointChunk = 10_000

    struct Counters {
        var linesAppended = 0
        var walRecordsReplayed = 0
        var refused: [String: Int] = [:]
    }

    /// Why a record was refused; `reason` is the label of `lookout_logs_refused_total`.
    public struct Refusal: Sendable, Equatable {
        /// The record's position in the batch.
        public var index: Int
        public var reason: String
        public var message: String
    }

    /// What an append kept and refused.
    public struct AppendResult: Sendable {
        public var accepted = 0
        public var refused: [Refusal] = []
    }

    public init(data: DataDirectory, options: LogStoreOptions = .init(), logger: Logger) throws {
        self.data = data
        self.options = options
        self.logger = logger
        try data.register(self)
    }

    // MARK: WAL participant

    public var walName: String { "logs" }
    public var walRecordTypes: ClosedRange<UInt8> { 16...31 }

    public func replayRecord(type: UInt8, payload: [UInt8]) throws -> Bool {
        guard type == Self.batchRecord || type == Self.checkpointBatchRecord else { return true } // a later type
        var r = ByteReader(payload)
        guard let seq = r.uvarint() else { return false }
        if type == Self.checkpointBatchRecord {
            checkpointSeq = max(checkpointSeq, seq)
        } else {
            guard seq > checkpointSeq else { return true } // already in the checkpoint
        }
        guard let records = LogRecordCoding.decode(payload[r.offset...]) else { return false }
        head.add(records, seq: seq)
        nextSeq = max(nextSeq, seq + 1)
        counters.walRecordsReplayed += 1
        return true
    }

    public func didReplay(recordsReplayed: Int) throws {
        logger.info("log store opened", metadata: ["storage.head_lines": "\(head.count)", "storage.log_streams": "\(head.streams.count)"])
    }

    public func checkpointRecords(into records: inout [UInt8], final: Bool) throws {
        lock.lock()
        let copy = head
        lock.unlock()
        let all = copy.streams.values.flatMap(\.records)
        var start = 0
        repeat {
            let end = min(start + Self.checkpointChunk, all.count)
            Self.frame(&records, type: Self.checkpointBatchRecord, seq: copy.maxSeq, Array(all[start..<end]))
            start = end
        } while start < all.count
    }

    static func frame(_ out: inout [UInt8], type: UInt8, seq: UInt64, _ records: [LogRecord]) {
        WALRecord.frame(&out, type: type) { p in
            BinaryCoding.putUVarint(&p, seq)
            LogRecordCoding.encode(records, into: &p)
        }
    }

    // MARK: Append

    /// Stores the records the limits admit and returns once they are durable; the result names
    /// each refused one. Throws `.busy` when the head is full (nothing of the batch is kept).
    public func append(_ records: [LogRecord]) async throws -> AppendResult {
        let (result, walSeq) = try apply(records)
        if let walSeq { try await data.wal.waitDurable(walSeq) }
        return result
    }

    /// Checks, applies and enqueues a batch under the lock; the WAL sequence number to wait for,
    /// nil when nothing was kept.
    func apply(_ records: [LogRecord]) throws -> (AppendResult, UInt64?) {
        var result = AppendResult()
        var kept: [LogRecord] = []
        kept.reserveCapacity(records.count)
        lock.lock()
        defer { lock.unlock() }
        if closed { throw StorageError(.closed, "the log store is closed") }
        guard head.count + records.count <= max(options.maxHeadLines, records.count) else {
            counters.refused["busy", default: 0] += records.count
            throw StorageError(.busy, "the log head holds \(head.count) lines (at most \(options.maxHeadLines)); retry later")
        }
        var newest = [Labels: Int64]()
        var newStreams = 0
        for (i, record) in records.enumerated() {
            if let refusal = check(record, index: i, newest: &newest, newStreams: &newStreams) {
                counters.refused[refusal.reason, default: 0] += 1
                result.refused.append(refusal)
            } else {
                kept.append(record)
            }
        }
        guard !kept.isEmpty else { return (result, nil) }
        let seq = nextSeq
        var bytes: [UInt8] = []
        Self.frame(&bytes, type: Self.batchRecord, seq: seq, kept)
        let walSeq = try data.wal.enqueue(bytes)
        nextSeq += 1
        head.add(kept, seq: seq)
        counters.linesAppended += kept.count
        result.accepted = kept.count
        return (result, walSeq)
    }

    /// The limit `record` breaks, if any (under the lock); `newest` and `newStreams` carry what
    /// the batch's earlier records would change.
    private func check(_ record: LogRecord, index: Int, newest: inout [Labels: Int64], newStreams: inout Int) -> Refusal? {
        let labels = record.labels
        guard !labels.isEmpty else {
            return Refusal(index: index, reason: "no_labels", message: "a stream needs at least one label")
        }
        guard labels.count <= options.maxLabelsPerStream else {
            return Refusal(index: index, reason: "max_label_names_per_series",
                           message: "stream \(labels) has \(labels.count) labels, more than limits.max_labels_per_stream (\(options.maxLabelsPerStream))")
        }
        for l in labels {
            guard LabelName.isValid(l.name) else {
                return Refusal(index: index, reason: "invalid_label", message: "invalid label name \"\(l.name)\" in stream \(labels)")
            }
            guard l.name.utf8.count <= options.maxLabelNameLength else {
                return Refusal(index: index, reason: "label_name_too_long",
                               message: "label name \"\(l.name.prefix(40))…\" is longer than limits.max_label_name_length (\(options.maxLabelNameLength))")
            }
            guard l.value.utf8.count <= options.maxLabelValueLength else {
                return Refusal(index: index, reason: "label_value_too_long",
                               message: "label \(l.name) of stream \(labels) is longer than limits.max_label_value_length (\(options.maxLabelValueLength))")
            }
        }
        let known = newest[labels] ?? head.streams[labels]?.newest
        if known == nil {
            guard head.streams.count + newStreams < options.maxActiveStreams else {
                return Refusal(index: index, reason: "stream_limit",
                               message: "stream \(labels) would be stream \(head.streams.count + newStreams + 1), more than limits.max_active_streams (\(options.maxActiveStreams))")
            }
            newStreams += 1
        } else if let known, record.timestampNs < known - options.maxOutOfOrderNs {
            return Refusal(index: index, reason: "too_far_behind",
                           message: "line at \(record.timestampNs) ns is older than the newest of stream \(labels) by more than logs.max_out_of_order")
        }
        newest[labels] = max(known ?? .min, record.timestampNs)
        return nil
    }

    public func close() throws {
        lock.withLock { closed = true }
    }

    // MARK: Queries

    /// Lines of the streams `matchers` select with `startNs <= time <= endNs`, each stream's in time
    /// order. Stops with `StorageError(.busy)` past `maxLines`, before copying more.
    public func select(_ matchers: [LabelMatcher], startNs: Int64, endNs: Int64, maxLines: Int) throws -> [(Labels, [LogRecord])] {
        lock.lock()
        defer { lock.unlock() }
        var out: [(Labels, [LogRecord])] = []
        var total = 0
        for (labels, stream) in head.streams where matchers.allSatisfy({ $0.matches(labels[$0.name] ?? "") }) {
            let lines = stream.lines(from: startNs, through: endNs)
            guard !lines.isEmpty else { continue }
            total += lines.count
            guard total <= maxLines else {
                throw StorageError(.busy, "the query would read more than \(maxLines) lines; narrow its selector or time range")
            }
            out.append((labels, Array(lines)))
        }
        return out
    }

    /// Label names of the streams with lines in the range, sorted.
    public func labelNames(startNs: Int64, endNs: Int64) -> [String] {
        lock.withLock {
            Set(head.streams.filter { $0.value.overlaps(startNs, endNs) }.keys.flatMap { $0.map(\.name) }).sorted()
        }
    }

    /// Values of label `name` among the streams with lines in the range, sorted.
    public func labelValues(_ name: String, startNs: Int64, endNs: Int64) -> [String] {
        lock.withLock {
            Set(head.streams.filter { $0.value.overlaps(startNs, endNs) }.keys.compactMap { $0[name] }).sorted()
        }
    }

    /// Counters for `/metrics`.
    public var stats: (lines: Int, streams: Int, appended: Int, refused: [String: Int]) {
        lock.withLock { (head.count, head.streams.count, counters.linesAppended, counters.refused) }
    }

    public func selfMetrics() -> [MetricFamily] {
        let s = stats
        return [
            MetricFamily("lookout_logs_head_lines", .gauge, help: "Log lines held in the head.", value: Double(s.lines)),
            MetricFamily("lookout_logs_streams", .gauge, help: "Log streams with lines in the head.", value: Double(s.streams)),
            MetricFamily("lookout_logs_lines_appended_total", .counter, help: "Log lines stored.", value: Double(s.appended)),
            MetricFamily("lookout_logs_refused_total", .counter, help: "Log lines refused by the store's limits, by reason.",
                         samples: s.refused.sorted { $0.key < $1.key }.map { (Labels(["reason": $0.key]), Double($0.value)) }),
        ]
    }
}
