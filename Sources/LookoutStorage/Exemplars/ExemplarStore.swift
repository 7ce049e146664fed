import Foundation
import LookoutModel

/// The most recent exemplars of each series (span metrics' latency buckets, scraped OpenMetrics
/// exemplars), kept in memory and made durable through the shared WAL as the participant for
/// record types 8–15, inside the metrics range:
/// - type 8, a batch: count, then per exemplar the series' and the exemplar's labels (as
///   `LabelsText`), the value (float64 bits) and the time (ms, zigzag varint).
///
/// Bounded: `perSeries` exemplars per series (the newest win), and `maxExemplars` in all, kept
/// as Prometheus keeps them, in one circular order: past it, the oldest-stored go first, so
/// series that come and go never lock new ones out. A checkpoint writes every held exemplar, so
/// replay rebuilds exactly what was held. Thread-safe.
public final class ExemplarStore: ExemplarStorage, WALParticipant, @unchecked Sendable {
    public let perSeries: Int
    public let maxExemplars: Int
    let data: DataDirectory
    private let lock = NSLock()
    private var bySeries: [Labels: [SeriesExemplar]] = [:]
    /// Every stored exemplar in storing order from `fifoHead`; some may have been displaced since.
    private var fifo: [SeriesExemplar] = []
    private var fifoHead = 0
    private var held = 0
    private var evicted = 0
    static let batchRecord: UInt8 = 8

    public init(data: DataDirectory, perSeries: Int = 4, maxExemplars: Int = 100_000) throws {
        self.data = data
        self.perSeries = perSeries
        self.maxExemplars = maxExemplars
        try data.register(self)
    }

    public var walName: String { "exemplars" }
    public var walRecordTypes: ClosedRange<UInt8> { 8...15 }

    public func replayRecord(type: UInt8, payload: [UInt8]) throws -> Bool {
        guard type == Self.batchRecord else { return true }
        guard let batch = Self.decode(payload) else { return false }
        lock.lock()
        for e in batch { insertLocked(e) }
        lock.unlock()
        return true
    }

    public func didReplay(recordsReplayed: Int) throws {}

    public func checkpointRecords(into records: inout [UInt8], final: Bool) throws {
        lock.lock()
        let all = bySeries.values.flatMap { $0 }
        lock.unlock()
        var start = 0
        while start < all.count {
            let end = min(start + 10_000, all.count)
            WALRecord.frame(&records, type: Self.batchRecord) { Self.encode(Array(all[start..<end]), into: &$0) }
            start = end
        }
    }

    /// Keeps `exemplars` and logs them; returns once they are queued for the WAL (as a scrape's
    /// samples are: nothing waits on them).
    public func record(_ exemplars: [SeriesExemplar]) throws {
        guard !exemplars.isEmpty else { return }
        var record: [UInt8] = []
        WALRecord.frame(&record, type: Self.batchRecord) { Self.encode(exemplars, into: &$0) }
        lock.lock()
        defer { lock.unlock() }
        _ = try data.wal.enqueue(record)
        for e in exemplars { insertLocked(e) }
    }

    private func insertLocked(_ e: SeriesExemplar) {
        var list = bySeries[e.series] ?? []
        guard !list.contains(e) else { return } // replay after a checkpoint sees some twice
        list.append(e)
        list.sort { $0.timestampMs < $1.timestampMs }
        held += 1
        if list.count > perSeries {
            held -= list.count - perSeries
            list.removeFirst(list.count - perSeries)
        }
        bySeries[e.series] = list
        fifo.append(e)
        while held > maxExemplars && fifoHead < fifo.count {
            let oldest = fifo[fifoHead]
            fifoHead += 1
            if var l = bySeries[oldest.series], let i = l.firstIndex(of: oldest) {
                l.remove(at: i)
                held -= 1
                evicted += 1
                bySeries[oldest.series] = l.isEmpty ? nil : l
            }
        }
        if fifoHead > 1024 && fifoHead > fifo.count / 2 {
            fifo.removeFirst(fifoHead)
            fifoHead = 0
        }
        // Exemplars displaced within their series stay in the order until met: rebuild it from
        // what is held (oldest first) before it grows past twice the limit.
        if fifo.count - fifoHead > 2 * maxExemplars + 1024 {
            fifo = bySeries.values.flatMap { $0 }.sorted { $0.timestampMs < $1.timestampMs }
            fifoHead = 0
        }
    }

    /// The exemplars of series `matches` admits, with times in `start...end` (ms).
    public func query(start: Int64, end: Int64, matches: (Labels) -> Bool) -> [(series: Labels, exemplars: [SeriesExemplar])] {
        lock.lock()
        defer { lock.unlock() }
        return bySeries.compactMap { series, list in
            guard matches(series) else { return nil }
            let inRange = list.filter { $0.timestampMs >= start && $0.timestampMs <= end }
            return inRange.isEmpty ? nil : (series, inRange)
        }.sorted { $0.series < $1.series }
    }

    public func selfMetrics() -> [MetricFamily] {
        lock.lock()
        let series = bySeries.count, held = held, evicted = evicted
        lock.unlock()
        return [
            MetricFamily("lookout_exemplars", .gauge, help: "Exemplars held.", value: Double(held)),
            MetricFamily("lookout_exemplar_series", .gauge, help: "Series with exemplars held.", value: Double(series)),
            MetricFamily("lookout_exemplars_evicted_total", .counter, help: "Exemplars evicted, oldest first, to stay within the limit.",
                         value: Double(evicted)),
        ]
    }

    // MARK: Encoding

    static func encode(_ batch: [SeriesExemplar], into out: inout [UInt8]) {
        BinaryCoding.putUVarint(&out, UInt64(batch.count))
        for e in batch {
            BinaryCoding.putString(&out, LabelsText.encode(e.series))
            BinaryCoding.putString(&out, LabelsText.encode(e.labels))
            BinaryCoding.putUInt64LE(&out, e.value.bitPattern)
            BinaryCoding.putVarint(&out, e.timestampMs)
        }
    }

    static func decode(_ payload: [UInt8]) -> [SeriesExemplar]? {
        var r = ByteReader(payload)
        guard let n = r.uvarint(), n <= UInt64(payload.count) else { return nil }
        var out: [SeriesExemplar] = []
        for _ in 0..<n {
            guard let s = r.string(), let series = LabelsText.decode(s), let l = r.string(), let labels = LabelsText.decode(l),
                  let bits = r.uint64LE(), let t = r.varint() else { return nil }
            out.append(SeriesExemplar(series: series, labels: labels, value: Double(bitPattern: bits), timestampMs: t))
        }
        return r.isAtEnd ? out : nil
    }
}
