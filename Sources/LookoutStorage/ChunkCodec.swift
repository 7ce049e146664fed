import LookoutModel

/// How a sealed chunk's bytes are encoded: in partition files (the `codec` byte of a chunk record,
/// `docs/format/segments.md`), in the head once a cut chunk has been compacted, and in WAL checkpoint
/// chunk records.
enum ChunkCodec: UInt8, Sendable {
    /// An XOR chunk (`docs/format/chunks.md`).
    case xor = 1
    /// uvarint(uncompressed length) + a zlib stream of an XOR chunk.
    case xorZlib = 2
    /// uvarint(uncompressed length) + a zlib stream of a `DecimalChunk` encoding.
    case decimalZlib = 3

    struct Failure: Error { var message: String }

    /// Calls `body` with every sample of `data` up to `until`, in time order.
    func decode(_ data: [UInt8], until: Int64 = .max, _ body: (Int64, Double) -> Void) throws(Failure) {
        switch self {
        case .xor:
            do { try XORChunkDecoder.decode(data, until: until, body) } catch { throw Failure(message: error.message) }
        case .xorZlib:
            guard let raw = PartitionFile.inflate(data) else { throw Failure(message: "zlib stream does not inflate") }
            do { try XORChunkDecoder.decode(raw, until: until, body) } catch { throw Failure(message: error.message) }
        case .decimalZlib:
            guard let raw = PartitionFile.inflate(data), DecimalChunk.decode(raw, until: until, body) else {
                throw Failure(message: "decimal chunk does not decode")
            }
        }
    }

    /// The smallest encoding of an XOR chunk among the codecs (never larger than the XOR bytes).
    static func smallest(xor: [UInt8]) -> (ChunkCodec, [UInt8]) {
        var best: (ChunkCodec, [UInt8]) = (.xor, xor)
        if let z = PartitionFile.deflate(xor), z.count < best.1.count { best = (.xorZlib, z) }
        if let samples = try? XORChunkDecoder.decode(xor), let raw = DecimalChunk.encode(samples),
           let z = PartitionFile.deflate(raw), z.count < best.1.count {
            best = (.decimalZlib, z)
        }
        return best
    }
}
