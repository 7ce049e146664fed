#if canImport(Glibc)
import Glibc
#endif
import CZlib
import Foundation
import LookoutModel

/// A partition's chunk file, `metrics/<partitionStartMs>/chunks-NNNNNN` (layout in
/// `docs/format/segments.md`): an 8-byte header, then self-describing chunk records.
///
/// Rules:
/// 1. A file is built completely, written to `<name>.tmp`, fsynced, renamed and its directory fsynced
///    before any index row points into it; it is never modified afterwards (append-only, immutable).
/// 2. Every record carries its series id, time range and a CRC32 over the record, so the index can be
///    rebuilt from the files alone.
enum PartitionFile {
    static let magic: [UInt8] = Array("LKMC".utf8)
    static let version: UInt8 = 1
    static let headerSize = 8
    /// series u64, min_t i64, max_t i64, codec u8, data length u32.
    static let recordHeaderSize = 29
    /// Longest possible record: header, a chunk of at most 65,535 samples in any codec, CRC. Used to
    /// reject impossible lengths read from the index before they size a buffer.
    static let maxRecordLength: Int64 = 64 << 20

    /// `metrics/<partition>/chunks-<file as 6 digits>`, relative to the store directory.
    static func relativePath(partition: Int64, file: Int64) -> String {
        "metrics/\(partition)/chunks-" + String(format: "%06lld", file)
    }

    struct Entry {
        var seriesID: UInt64
        var minT: Int64
        var maxT: Int64
        var xorChunk: [UInt8]
    }

    /// Encodes the whole file; returns its bytes and (offset, length) of each entry's record.
    static func build(_ entries: [Entry], compress: Bool) -> (bytes: [UInt8], records: [(offset: Int64, length: Int64)]) {
        var out = magic
        out.append(version)
        out.append(contentsOf: [0, 0, 0])
        var records: [(Int64, Int64)] = []
        records.reserveCapacity(entries.count)
        for e in entries {
            let (codec, data) = compress ? ChunkCodec.smallest(xor: e.xorChunk) : (.xor, e.xorChunk)
            let start = out.count
            BinaryCoding.putUInt64LE(&out, e.seriesID)
            BinaryCoding.putUInt64LE(&out, UInt64(bitPattern: e.minT))
            BinaryCoding.putUInt64LE(&out, UInt64(bitPattern: e.maxT))
            out.append(codec.rawValue)
            BinaryCoding.putUInt32LE(&out, UInt32(data.count))
            out.append(contentsOf: data)
            let crc = out.withUnsafeBufferPointer { UInt32(truncatingIfNeeded: crc32(0, $0.baseAddress! + start, UInt32(out.count - start))) }
            BinaryCoding.putUInt32LE(&out, crc)
            records.append((Int64(start), Int64(out.count - start)))
        }
        return (out, records)
    }

    /// Writes `bytes` to `path` durably (`FileIO.writeAtomically`), creating its partition directory
    /// and fsyncing `metrics/` so the new directory itself survives a crash.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw StorageError(.io, "cannot create partition directory: \(error)", file: dir)
        }
        try FileIO.writeAtomically(bytes, to: path)
        try FileIO.fsyncDirectory((dir as NSString).deletingLastPathComponent)
    }

    /// Decodes the record at `bytes` (exactly one record), checking its CRC; calls `body` with every
    /// sample up to `until` and returns the series id.
    @discardableResult
    static func decodeRecord(_ bytes: [UInt8], path: @autoclosure () -> String, offset: Int64, until: Int64 = .max,
                             _ body: (Int64, Double) -> Void) throws -> UInt64 {
        guard bytes.count >= recordHeaderSize + 4 else {
            throw StorageError(.corruption, "chunk record too short", file: path(), offset: offset)
        }
        let stored = UInt32(bytes[bytes.count - 4]) | UInt32(bytes[bytes.count - 3]) << 8
            | UInt32(bytes[bytes.count - 2]) << 16 | UInt32(bytes[bytes.count - 1]) << 24
        let actual = bytes.withUnsafeBufferPointer { UInt32(truncatingIfNeeded: crc32(0, $0.baseAddress!, UInt32(bytes.count - 4))) }
        guard stored == actual else { throw StorageError(.corruption, "chunk record CRC mismatch", file: path(), offset: offset) }
        var r = ByteReader(bytes)
        let series = r.uint64LE()!
        _ = r.uint64LE()
        _ = r.uint64LE()
        let codec = r.byte()!
        let length = Int(r.uint32LE()!)
        guard length == bytes.count - recordHeaderSize - 4 else {
            throw StorageError(.corruption, "chunk record length mismatch", file: path(), offset: offset)
        }
        let data = Array(bytes[recordHeaderSize..<(recordHeaderSize + length)])
        guard let c = ChunkCodec(rawValue: codec) else {
            throw StorageError(.corruption, "unknown chunk codec \(codec)", file: path(), offset: offset)
        }
        do {
            try c.decode(data, until: until, body)
        } catch {
            throw StorageError(.corruption, "chunk does not decode: \(error.message)", file: path(), offset: offset)
        }
        return series
    }

    static func deflate(_ input: [UInt8]) -> [UInt8]? {
        var bound = compressBound(uLong(input.count))
        var out = [UInt8](repeating: 0, count: Int(bound))
        let rc = out.withUnsafeMutableBufferPointer { o in
            input.withUnsafeBufferPointer { i in compress2(o.baseAddress!, &bound, i.baseAddress!, uLong(input.count), 9) }
        }
        guard rc == Z_OK else { return nil }
        var result: [UInt8] = []
        BinaryCoding.putUVarint(&result, UInt64(input.count))
        result.append(contentsOf: out[0..<Int(bound)])
        return result
    }

    static func inflate(_ data: [UInt8]) -> [UInt8]? {
        var r = ByteReader(data)
        guard let n = r.uvarint(), n < 1 << 26 else { return nil }
        var outLen = uLong(n)
        var out = [UInt8](repeating: 0, count: Int(n))
        let rc = out.withUnsafeMutableBufferPointer { o in
            data.withUnsafeBufferPointer { i in
                uncompress(o.baseAddress!, &outLen, i.baseAddress! + r.offset, uLong(data.count - r.offset))
            }
        }
        guard rc == Z_OK, outLen == uLong(n) else { return nil }
        return out
    }
}
