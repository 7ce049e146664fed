import LookoutModel

/// One sealed block of log lines under `logs/` (`docs/format/logs.md`): a header naming the codec,
/// a directory of pages, then the pages. A page is one stream's lines in time order — at most
/// `pageLines` lines or about `pageBytes` bytes of lines — as zstd-compressed `LogPageColumns`,
/// with a `TrigramBloom` of its lines. The index holds each page's address and filter, so a query
/// reads only the pages it needs; the directory makes the block readable without the index.
/// Written once, never changed, deleted whole by retention.
enum LogBlockFile {
    static let magic: [UInt8] = Array("LKLB".utf8)
    static let version: UInt8 = 1
    /// magic(4) version(1) codec(1) reserved(2) pages(4) lines(4) directory bytes(4) directory crc32(4)
    static let headerSize = 24
    static let pageLines = 4096
    static let pageBytes = 512 << 10

    enum Codec: UInt8 {
        case zstd = 1
    }

    /// A page as the directory and the index describe it.
    struct Page: Equatable {
        var labels: Labels
        var minTimeNs: Int64
        var maxTimeNs: Int64
        var offset: Int64
        var length: Int
        var rawLength: Int
        var lines: Int
        var crc: UInt32
        /// Its `TrigramBloom` (kept in the index, not in the block).
        var bloom: [UInt8] = []
    }

    struct Failure: Error {
        var message: String
    }

    static func name(_ id: Int64) -> String { BlockDirectory.fileName(id, ext: "logs") }

    /// The block's bytes and its pages for `streams` (each stream's lines in time order).
    static func encode(_ streams: [(Labels, [LogRecord])], level: Int32 = 3) -> (bytes: [UInt8], pages: [Page]) {
        var entries: [Page] = []
        var payloads: [[UInt8]] = []
        var bloom = TrigramBloom.Builder()
        var raw: [UInt8] = []
        for (labels, records) in streams {
            var start = records.startIndex
            while start < records.endIndex {
                var end = start, bytes = 0
                while end < records.endIndex && end - start < pageLines && bytes < pageBytes {
                    bytes += records[end].line.utf8.count
                    bloom.add(records[end].line)
                    end += 1
                }
                raw.removeAll(keepingCapacity: true)
                LogPageColumns.encode(records[start..<end], into: &raw)
                let payload = PageCodec.compress(raw, level: level)
                entries.append(Page(labels: labels, minTimeNs: records[start].timestampNs, maxTimeNs: records[end - 1].timestampNs,
                                    offset: 0, length: payload.count, rawLength: raw.count, lines: end - start,
                                    crc: PageCodec.checksum(payload), bloom: bloom.finish()))
                payloads.append(payload)
                start = end
            }
        }
        var directory: [UInt8] = []
        for e in entries {
            BinaryCoding.putString(&directory, LabelsText.encode(e.labels))
            BinaryCoding.putVarint(&directory, e.minTimeNs)
            BinaryCoding.putVarint(&directory, e.maxTimeNs)
            for v in [e.length, e.rawLength, e.lines] { BinaryCoding.putUVarint(&directory, UInt64(v)) }
            BinaryCoding.putUInt32LE(&directory, e.crc)
        }
        var offset = Int64(headerSize + directory.count)
        for i in entries.indices {
            entries[i].offset = offset
            offset += Int64(entries[i].length)
        }
        var out = magic
        out.reserveCapacity(Int(offset))
        out.append(version)
        out.append(Codec.zstd.rawValue)
        out += [0, 0]
        BinaryCoding.putUInt32LE(&out, UInt32(entries.count))
        BinaryCoding.putUInt32LE(&out, UInt32(entries.reduce(0) { $0 + $1.lines }))
        BinaryCoding.putUInt32LE(&out, UInt32(directory.count))
        BinaryCoding.putUInt32LE(&out, PageCodec.checksum(directory))
        out += directory
        for p in payloads { out += p }
        return (out, entries)
    }

    /// The pages of a whole block in memory, from its directory (filters are not in the block).
    static func directory(_ bytes: [UInt8]) throws -> [Page] {
        guard bytes.count >= headerSize, Array(bytes[0..<4]) == magic else { throw Failure(message: "not a log block (bad magic)") }
        guard bytes[4] == version else { throw Failure(message: "log block version \(bytes[4]) is not \(version)") }
        guard Codec(rawValue: bytes[5]) == .zstd else { throw Failure(message: "unknown log block codec \(bytes[5])") }
        var h = ByteReader(bytes, offset: 8)
        let count = Int(h.uint32LE()!), _ = h.uint32LE()!, length = Int(h.uint32LE()!), crc = h.uint32LE()!
        guard headerSize + length <= bytes.count else { throw Failure(message: "log block directory runs past the file") }
        let directory = Array(bytes[headerSize..<headerSize + length])
        guard PageCodec.checksum(directory) == crc else { throw Failure(message: "log block directory checksum mismatch") }
        var d = ByteReader(directory)
        var pages: [Page] = []
        var offset = Int64(headerSize + length)
        for _ in 0..<count {
            guard let text = d.string(), let labels = LabelsText.decode(text), let minT = d.varint(), let maxT = d.varint(),
                  let len = d.uvarint(), let rawLen = d.uvarint(), let lines = d.uvarint(), let crc = d.uint32LE(),
                  len <= UInt64(bytes.count) else { throw Failure(message: "log block directory does not decode") }
            pages.append(Page(labels: labels, minTimeNs: minT, maxTimeNs: maxT, offset: offset, length: Int(len),
                              rawLength: Int(rawLen), lines: Int(lines), crc: crc))
            offset += Int64(len)
        }
        guard d.isAtEnd, offset == Int64(bytes.count) else { throw Failure(message: "log block pages do not fill the file") }
        return pages
    }

    /// The lines of one page of stream `labels`, from its stored bytes.
    static func decode(_ address: LogPageAddress, payload: [UInt8], labels: Labels) throws -> [LogRecord] {
        guard payload.count == address.length, PageCodec.checksum(payload) == address.crc else {
            throw Failure(message: "log block page checksum mismatch")
        }
        guard let raw = PageCodec.decompress(payload, rawLength: address.rawLength) else { throw Failure(message: "log block page does not decompress") }
        guard let records = LogPageColumns.decode(raw, labels: labels) else { throw Failure(message: "log block page columns do not decode") }
        return records
    }
}
