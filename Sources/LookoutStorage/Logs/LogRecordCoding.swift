import LookoutModel

/// A batch of log records as bytes, row by row (`docs/format/logs.md`): the WAL payload of the log
/// store's batch records.
enum LogRecordCoding {
    static func encode(_ records: [LogRecord], into out: inout [UInt8]) {
        BinaryCoding.putUVarint(&out, UInt64(records.count))
        for r in records {
            BinaryCoding.putUVarint(&out, UInt64(r.labels.count))
            for l in r.labels {
                BinaryCoding.putString(&out, l.name)
                BinaryCoding.putString(&out, l.value)
            }
            BinaryCoding.putVarint(&out, r.timestampNs)
            out.append(r.level.rawValue)
            BinaryCoding.putString(&out, r.line)
            BinaryCoding.putUVarint(&out, UInt64(r.fields.count))
            for f in r.fields {
                BinaryCoding.putString(&out, f.name)
                BinaryCoding.putString(&out, f.value)
            }
            out.append((r.traceID == nil ? 0 : 1) | (r.spanID == nil ? 0 : 2))
            if let t = r.traceID {
                BinaryCoding.putUInt64LE(&out, t.high)
                BinaryCoding.putUInt64LE(&out, t.low)
            }
            if let s = r.spanID { BinaryCoding.putUInt64LE(&out, s.raw) }
        }
    }

    /// What `encode` wrote; nil when the bytes are not a whole encoding.
    static func decode(_ bytes: ArraySlice<UInt8>) -> [LogRecord]? {
        var r = ByteReader(Array(bytes))
        guard let n = r.uvarint(), n <= UInt64(r.remaining) else { return nil }
        var records: [LogRecord] = []
        records.reserveCapacity(Int(n))
        for _ in 0..<n {
            guard let labelCount = r.uvarint(), labelCount <= UInt64(r.remaining) else { return nil }
            var labels: [Label] = []
            for _ in 0..<labelCount {
                guard let name = r.string(), let value = r.string() else { return nil }
                labels.append(Label(name, value))
            }
            guard let ts = r.varint(), let levelByte = r.byte(), let line = r.string(),
                  let fieldCount = r.uvarint(), fieldCount <= UInt64(r.remaining) else { return nil }
            var fields: [LogField] = []
            for _ in 0..<fieldCount {
                guard let name = r.string(), let value = r.string() else { return nil }
                fields.append(LogField(name, value))
            }
            guard let flags = r.byte(), flags < 4 else { return nil }
            var traceID: TraceID?, spanID: SpanID?
            if flags & 1 != 0 {
                guard let high = r.uint64LE(), let low = r.uint64LE() else { return nil }
                traceID = TraceID(high: high, low: low)
            }
            if flags & 2 != 0 {
                guard let raw = r.uint64LE() else { return nil }
                spanID = SpanID(raw)
            }
            records.append(LogRecord(labels: Labels(labels), timestampNs: ts, line: line,
                                     level: LogLevel(rawValue: levelByte) ?? .unknown, fields: fields,
                                     traceID: traceID, spanID: spanID))
        }
        return r.remaining == 0 ? records : nil
    }
}
