/// Reads the framed records of one WAL file, validating every CRC.
///
/// Rules:
/// 1. A record that is short (header or payload past the end of the file) or fails its CRC is *torn*
///    when nothing valid follows it; in the last WAL file a torn tail is cut off (the file is truncated
///    to the end of the last good record) and replay goes on.
/// 2. A bad record in any other file, or a bad record followed by a valid one, is corruption:
///    `StorageError(.corruption)` naming the file and the record's offset.
enum WALReader {
    struct Result {
        /// Bytes of the file covered by valid records.
        var validLength: Int64
        /// Whether a torn tail was found (and, if `cutTornTail`, cut off).
        var tornTail: Bool
        var records: Int
    }

    /// Calls `body(type, payload, endOffset)` for every valid record of `path`.
    static func read(_ path: String, cutTornTail: Bool,
                     _ body: (UInt8, [UInt8], Int64) throws -> Void) throws -> Result {
        let bytes = try FileIO.read(path)
        var offset = 0
        var records = 0
        while offset < bytes.count {
            if let length = validRecord(bytes, at: offset) {
                let payload = Array(bytes[(offset + WALRecord.headerSize)..<(offset + WALRecord.headerSize + length)])
                try body(bytes[offset], payload, Int64(offset + WALRecord.headerSize + length))
                offset += WALRecord.headerSize + length
                records += 1
                continue
            }
            // Bad record at `offset`: torn tail or corruption?
            if followedByValidRecord(bytes, at: offset) || !cutTornTail {
                throw StorageError(.corruption, "WAL record fails its CRC or is truncated", file: path, offset: Int64(offset))
            }
            try FileIO.truncate(path, to: Int64(offset))
            return Result(validLength: Int64(offset), tornTail: true, records: records)
        }
        return Result(validLength: Int64(offset), tornTail: false, records: records)
    }

    /// The payload length of a valid record at `offset`, or nil.
    static func validRecord(_ bytes: [UInt8], at offset: Int) -> Int? {
        guard bytes.count - offset >= WALRecord.headerSize, bytes[offset] != 0 else { return nil }
        var r = ByteReader(bytes, offset: offset + 1)
        guard let length32 = r.uint32LE(), let crc = r.uint32LE() else { return nil }
        let length = Int(length32)
        guard length <= bytes.count - offset - WALRecord.headerSize else { return nil }
        let actual = bytes.withUnsafeBufferPointer { WALRecord.checksum($0, start: offset, length: length) }
        return actual == crc ? length : nil
    }

    /// Whether the bad record at `offset` has a plausible length and a valid record right after it.
    static func followedByValidRecord(_ bytes: [UInt8], at offset: Int) -> Bool {
        guard bytes.count - offset >= WALRecord.headerSize else { return false }
        var r = ByteReader(bytes, offset: offset + 1)
        guard let length32 = r.uint32LE() else { return false }
        let next = offset + WALRecord.headerSize + Int(length32)
        guard next < bytes.count else { return false }
        return validRecord(bytes, at: next) != nil
    }
}
