import LookoutModel

/// One stream's lines as a page's columns before compression (`docs/format/logs.md`): times, then
/// levels, then line lengths and bytes, then fields, then ids — like values side by side, so zstd
/// finds their repeats. The stream's labels are not in the page: its block directory and the index
/// name them.
enum LogPageColumns {
    /// `records` must be one stream's lines in time order.
    static func encode(_ records: ArraySlice<LogRecord>, into out: inout [UInt8]) {
        BinaryCoding.putUVarint(&out, UInt64(records.count))
        var previous: Int64 = 0
        for (i, r) in records.enumerated() {
            if i == 0 { BinaryCoding.putVarint(&out, r.timestampNs) } else { BinaryCoding.putUVarint(&out, UInt64(bitPattern: r.timestampNs &- previous)) }
            previous = r.timestampNs
        }
        for r in records { out.append(r.level.rawValue) }
        for r in records { BinaryCoding.putUVarint(&out, UInt64(r.line.utf8.count)) }
        for r in records { out += r.line.utf8 }
        for r in records {
            BinaryCoding.putUVarint(&out, UInt64(r.fields.count))
            for f in r.fields {
                BinaryCoding.putString(&out, f.name)
                BinaryCoding.putString(&out, f.value)
            }
        }
        for r in records { out.append((r.traceID == nil ? 0 : 1) | (r.spanID == nil ? 0 : 2)) }
        for r in records {
            if let t = r.traceID {
                BinaryCoding.putUInt64LE(&out, t.high)
                BinaryCoding.putUInt64LE(&out, t.low)
            }
            if let s = r.spanID { BinaryCoding.putUInt64LE(&out, s.raw) }
        }
    }

    /// What `encode` wrote, as the lines of stream `labels`; nil when the bytes are not a whole page.
    static func decode(_ bytes: [UInt8], labels: Labels) -> [LogRecord]? {
        var r = ByteReader(bytes)
        guard let n64 = r.uvarint(), n64 <= UInt64(r.remaining) else { return nil }
        let n = Int(n64)
        guard n > 0 else { return r.isAtEnd ? [] : nil }
        var times: [Int64] = []
        times.reserveCapacity(n)
        guard let first = r.varint() else { return nil }
        times.append(first)
        for _ in 1..<n {
            guard let d = r.uvarint() else { return nil }
            times.append(times.last! &+ Int64(bitPattern: d))
        }
        guard let levels = r.take(n) else { return nil }
        var lengths: [Int] = []
        lengths.reserveCapacity(n)
        for _ in 0..<n {
            guard let l = r.uvarint(), l <= UInt64(r.remaining) else { return nil }
            lengths.append(Int(l))
        }
        var lines: [String] = []
        lines.reserveCapacity(n)
        for l in lengths {
            guard let slice = r.take(l) else { return nil }
            lines.append(String(decoding: slice, as: UTF8.self))
        }
        var fields: [[LogField]] = []
        fields.reserveCapacity(n)
        for _ in 0..<n {
            guard let count = r.uvarint(), count <= UInt64(r.remaining) else { return nil }
            var f: [LogField] = []
            f.reserveCapacity(Int(count))
            for _ in 0..<count {
                guard let name = r.string(), let value = r.string() else { return nil }
                f.append(LogField(name, value))
            }
            fields.append(f)
        }
        guard let flags = r.take(n), flags.allSatisfy({ $0 < 4 }) else { return nil }
        var records: [LogRecord] = []
        records.reserveCapacity(n)
        for (i, flag) in flags.enumerated() {
            var traceID: TraceID?, spanID: SpanID?
            if flag & 1 != 0 {
                guard let high = r.uint64LE(), let low = r.uint64LE() else { return nil }
                traceID = TraceID(high: high, low: low)
            }
            if flag & 2 != 0 {
                guard let raw = r.uint64LE() else { return nil }
                spanID = SpanID(raw)
            }
            let level = levels[levels.startIndex + i]
            records.append(LogRecord(labels: labels, timestampNs: times[i], line: lines[i], level: LogLevel(rawValue: level) ?? .unknown,
                                     fields: fields[i], traceID: traceID, spanID: spanID))
        }
        return r.isAtEnd ? records : nil
    }
}
