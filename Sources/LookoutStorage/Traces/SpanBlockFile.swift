#if canImport(Glibc)
import Glibc
#endif
import LookoutModel

/// One sealed block of spans under `traces/` (`docs/format/spans.md`): a header naming the codec,
/// a directory of pages, then the pages — each about `pageSpans` spans of whole traces, in trace
/// id order, as zstd-compressed `SpanColumns`. A trace lookup reads the header, the directory and
/// the one page that holds the trace, never the whole block. Written once, never changed, deleted
/// whole by retention.
enum SpanBlockFile {
    static let magic: [UInt8] = Array("LKSB".utf8)
    static let version: UInt8 = 1
    /// magic(4) version(1) codec(1) reserved(2) pages(4) spans(4) directory bytes(4) directory crc32(4)
    static let headerSize = 24
    /// first trace id (16) last trace id (16) offset (8) length (4) raw length (4) spans (4) crc32 (4)
    static let pageEntrySize = 56
    /// Spans a page is cut at (a trace is never split across pages unless it alone passes this).
    static let pageSpans = 1024

    enum Codec: UInt8 {
        case none = 0
        case zstd = 1
    }

    /// One page's entry in the directory.
    struct Page: Equatable {
        var first: TraceID
        var last: TraceID
        var offset: Int64
        var length: Int
        var rawLength: Int
        var spans: Int
        var crc: UInt32

        func mayHold(_ trace: TraceID) -> Bool { first <= trace && trace <= last }
    }

    struct Failure: Error {
        var message: String
    }

    static func name(_ id: Int64) -> String { BlockDirectory.fileName(id, ext: "spans") }

    /// The file's bytes for `spans`, which must be sorted by trace id.
    static func encode(_ spans: [Span], level: Int32 = 3) -> [UInt8] {
        encode(spans, order: Array(spans.indices), level: level)
    }

    /// The file's bytes for the spans at `order`, which must list them sorted by trace id.
    static func encode(_ spans: [Span], order: [Int], level: Int32 = 3) -> [UInt8] {
        var pages: [[UInt8]] = []
        var entries: [Page] = []
        var start = 0
        while start < order.count {
            var end = min(start + pageSpans, order.count)
            // Keep the last trace whole: extend to its end (a trace longer than a page gets its own).
            while end < order.count && spans[order[end]].traceID == spans[order[end - 1]].traceID { end += 1 }
            let page = order[start..<end]
            var raw: [UInt8] = []
            SpanColumns.encode(spans, order: page, into: &raw)
            let payload = PageCodec.compress(raw, level: level)
            entries.append(Page(first: spans[page.first!].traceID, last: spans[page.last!].traceID, offset: 0, length: payload.count,
                                rawLength: raw.count, spans: page.count, crc: checksum(payload)))
            pages.append(payload)
            start = end
        }
        var offset = Int64(headerSize + entries.count * pageEntrySize)
        for i in entries.indices {
            entries[i].offset = offset
            offset += Int64(entries[i].length)
        }
        var directory: [UInt8] = []
        for e in entries {
            for v in [e.first.high, e.first.low, e.last.high, e.last.low, UInt64(e.offset)] { BinaryCoding.putUInt64LE(&directory, v) }
            for v in [UInt32(e.length), UInt32(e.rawLength), UInt32(e.spans), e.crc] { BinaryCoding.putUInt32LE(&directory, v) }
        }
        var out = magic
        out.append(version)
        out.append(Codec.zstd.rawValue)
        out += [0, 0]
        BinaryCoding.putUInt32LE(&out, UInt32(entries.count))
        BinaryCoding.putUInt32LE(&out, UInt32(spans.count))
        BinaryCoding.putUInt32LE(&out, UInt32(directory.count))
        BinaryCoding.putUInt32LE(&out, checksum(directory))
        out += directory
        for p in pages { out += p }
        return out
    }

    /// The header and the page directory, from the first bytes of a block.
    static func directory(_ read: (_ offset: Int64, _ count: Int) throws -> [UInt8]) throws -> [Page] {
        let header = try read(0, headerSize)
        guard Array(header[0..<4]) == magic else { throw Failure(message: "not a span block (bad magic)") }
        guard header[4] == version else { throw Failure(message: "span block version \(header[4]) is not \(version)") }
        guard Codec(rawValue: header[5]) == .zstd else { throw Failure(message: "unknown span block codec \(header[5])") }
        var r = ByteReader(header, offset: 8)
        let count = Int(r.uint32LE()!), _ = r.uint32LE()!, length = Int(r.uint32LE()!), crc = r.uint32LE()!
        guard length == count * pageEntrySize, count < 1 << 20 else { throw Failure(message: "span block directory has a bad length") }
        let bytes = try read(Int64(headerSize), length)
        guard checksum(bytes) == crc else { throw Failure(message: "span block directory checksum mismatch") }
        var d = ByteReader(bytes)
        return (0..<count).map { _ in
            Page(first: TraceID(high: d.uint64LE()!, low: d.uint64LE()!), last: TraceID(high: d.uint64LE()!, low: d.uint64LE()!),
                 offset: Int64(d.uint64LE()!), length: Int(d.uint32LE()!), rawLength: Int(d.uint32LE()!),
                 spans: Int(d.uint32LE()!), crc: d.uint32LE()!)
        }
    }

    /// The spans of one page (those `keep` admits).
    static func decode(page: Page, payload: [UInt8], keep: ((TraceID) -> Bool)? = nil) throws -> [Span] {
        guard payload.count == page.length, checksum(payload) == page.crc else { throw Failure(message: "span block page checksum mismatch") }
        guard page.rawLength <= 1 << 28 else { throw Failure(message: "span block page raw size \(page.rawLength) is implausible") }
        guard let raw = PageCodec.decompress(payload, rawLength: page.rawLength) else { throw Failure(message: "span block page does not decompress") }
        guard let spans = SpanColumns.decode(raw, keep: keep), keep != nil || spans.count == page.spans else {
            throw Failure(message: "span block page columns do not decode")
        }
        return spans
    }

    /// Every span of a whole block in memory (`keep`: only the pages and spans it admits).
    static func decode(_ bytes: [UInt8], keep: ((TraceID) -> Bool)? = nil) throws -> [Span] {
        func read(_ offset: Int64, _ count: Int) throws -> [UInt8] {
            guard offset >= 0, Int(offset) + count <= bytes.count else { throw Failure(message: "span block is truncated") }
            return Array(bytes[Int(offset)..<Int(offset) + count])
        }
        var spans: [Span] = []
        for page in try directory(read) {
            spans += try decode(page: page, payload: try read(page.offset, page.length), keep: keep)
        }
        return spans
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 { PageCodec.checksum(bytes) }
}
