import CZlib
import LookoutModel

/// The record types of the metric store in the shared WAL (1–7; exemplars take 8–15, logs 16–31,
/// spans 32–47). A reader skips types it does not know (the CRC still protects them).
enum WALRecordType: UInt8, Sendable {
    /// Series definitions: refs and their label sets.
    case series = 1
    /// Samples: (ref, timestamp, value) triples.
    case samples = 2
    /// One head chunk of one series (written only into checkpoints).
    case chunk = 3
}

/// Encoding and decoding of WAL records; the layout is in `docs/format/wal.md`.
enum WALRecord {
    /// type(1) length(4, LE) crc32(4, LE)
    static let headerSize = 9

    /// Appends one framed record to `out`; `payload` fills the record body in place.
    static func frame(_ out: inout [UInt8], type: UInt8, payload: (inout [UInt8]) -> Void) {
        let start = out.count
        out.append(type)
        out.append(contentsOf: [0, 0, 0, 0, 0, 0, 0, 0])
        payload(&out)
        let length = UInt32(out.count - start - headerSize)
        BinaryCoding.setUInt32LE(&out, at: start + 1, length)
        let crc = out.withUnsafeBufferPointer { buf -> UInt32 in
            var c = crc32(0, buf.baseAddress! + start, 5)
            c = crc32(c, buf.baseAddress! + start + headerSize, UInt32(length))
            return UInt32(truncatingIfNeeded: c)
        }
        BinaryCoding.setUInt32LE(&out, at: start + 5, crc)
    }

    /// CRC of a framed record whose header starts at `start` in `bytes` (payload of `length` bytes).
    static func checksum(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, length: Int) -> UInt32 {
        var c = crc32(0, bytes.baseAddress! + start, 5)
        c = crc32(c, bytes.baseAddress! + start + headerSize, UInt32(length))
        return UInt32(truncatingIfNeeded: c)
    }

    static func encodeSeries(_ out: inout [UInt8], _ series: [(ref: UInt64, labels: Labels)]) {
        frame(&out, type: WALRecordType.series.rawValue) { out in
            for (ref, labels) in series {
                BinaryCoding.putUVarint(&out, ref)
                BinaryCoding.putUVarint(&out, UInt64(labels.count))
                for label in labels {
                    BinaryCoding.putString(&out, label.name)
                    BinaryCoding.putString(&out, label.value)
                }
            }
        }
    }

    static func decodeSeries(_ payload: [UInt8], _ body: (UInt64, Labels) -> Void) -> Bool {
        var r = ByteReader(payload)
        while !r.isAtEnd {
            guard let ref = r.uvarint(), let n = r.uvarint(), n <= UInt64(r.remaining) else { return false }
            var pairs: [Label] = []
            pairs.reserveCapacity(Int(n))
            for _ in 0..<n {
                guard let name = r.string(), let value = r.string() else { return false }
                pairs.append(Label(name, value))
            }
            body(ref, Labels(pairs))
        }
        return true
    }

    /// Samples record: base timestamp, then per sample ref, timestamp − base, value bits.
    static func encodeSamples(_ out: inout [UInt8], _ samples: [(ref: UInt64, t: Int64, v: Double)]) {
        guard let base = samples.first?.t else { return }
        frame(&out, type: WALRecordType.samples.rawValue) { out in
            BinaryCoding.putVarint(&out, base)
            for s in samples {
                BinaryCoding.putUVarint(&out, s.ref)
                BinaryCoding.putVarint(&out, s.t &- base)
                BinaryCoding.putUInt64LE(&out, s.v.bitPattern)
            }
        }
    }

    static func decodeSamples(_ payload: [UInt8], _ body: (UInt64, Int64, Double) -> Void) -> Bool {
        var r = ByteReader(payload)
        guard let base = r.varint() else { return false }
        while !r.isAtEnd {
            guard let ref = r.uvarint(), let dt = r.varint(), let bits = r.uint64LE() else { return false }
            body(ref, base &+ dt, Double(bitPattern: bits))
        }
        return true
    }

    /// Chunk record: ref, codec byte (`ChunkCodec`), chunk bytes.
    static func encodeChunk(_ out: inout [UInt8], ref: UInt64, codec: ChunkCodec, chunk: [UInt8]) {
        frame(&out, type: WALRecordType.chunk.rawValue) { out in
            BinaryCoding.putUVarint(&out, ref)
            out.append(codec.rawValue)
            out.append(contentsOf: chunk)
        }
    }

    static func decodeChunk(_ payload: [UInt8]) -> (ref: UInt64, codec: ChunkCodec, chunk: [UInt8])? {
        var r = ByteReader(payload)
        guard let ref = r.uvarint(), let c = r.byte(), let codec = ChunkCodec(rawValue: c) else { return nil }
        return (ref, codec, Array(payload[r.offset...]))
    }
}
