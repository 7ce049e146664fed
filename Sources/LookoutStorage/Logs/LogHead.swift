import LookoutModel

/// Log lines not yet in blocks, by stream, each stream's lines in time order (a line older than the
/// stream's newest is inserted in place), with the highest WAL batch sequence number it holds.
struct LogHead {
    struct Stream {
        var records: [LogRecord] = []
        var newest: Int64 { records.last?.timestampNs ?? .min }

        mutating func add(_ r: LogRecord) {
            if r.timestampNs >= newest {
                records.append(r)
            } else {
                // After every line of the same time, so arrival order breaks ties.
                var lo = 0, hi = records.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if records[mid].timestampNs <= r.timestampNs { lo = mid + 1 } else { hi = mid }
                }
                records.insert(r, at: lo)
            }
        }

        func lines(from start: Int64, through end: Int64) -> ArraySlice<LogRecord> {
            var lo = 0, hi = records.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if records[mid].timestampNs < start { lo = mid + 1 } else { hi = mid }
            }
            var stop = lo
            while stop < records.count && records[stop].timestampNs <= end { stop += 1 }
            return records[lo..<stop]
        }

        func overlaps(_ start: Int64, _ end: Int64) -> Bool {
            guard let first = records.first?.timestampNs else { return false }
            return first <= end && newest >= start
        }
    }

    var streams: [Labels: Stream] = [:]
    var count = 0
    var maxSeq: UInt64 = 0

    mutating func add(_ batch: [LogRecord], seq: UInt64) {
        for r in batch { streams[r.labels, default: Stream()].add(r) }
        count += batch.count
        maxSeq = max(maxSeq, seq)
    }
}
