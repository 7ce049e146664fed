/// One signal's store as a user of the data directory's shared write-ahead log: it owns a range of
/// record types, rebuilds its live state from them on open, and writes that state into every
/// checkpoint, so that no store's acknowledged records are lost when another store checkpoints.
///
/// The contract (`docs/architecture.md`, "One WAL"):
/// 1. A participant enqueues a record only after (or while, under the same lock) applying it to its
///    live state, so anything enqueued before a WAL rotation is in the state it reports after it.
/// 2. `checkpointRecords` writes the whole live state as records of its own range; replay sees
///    the checkpoint first, then every segment written since the rotation, so a record may be
///    replayed on top of a state that already holds it: replay must be idempotent.
/// 3. Record types are unique to one participant; `DataDirectory.register(_:)` refuses overlaps.
public protocol WALParticipant: AnyObject, Sendable {
    /// A short name for logs and errors (`metrics`, `logs`, `spans`).
    var walName: String { get }
    /// The record types this participant owns: metrics 1...15 (samples 1...7, exemplars 8...15), logs 16...31, spans 32...47,
    /// rules and notifier state 48...63.
    var walRecordTypes: ClosedRange<UInt8> { get }
    /// Applies one replayed record of its range, in WAL order (the checkpoint first). Returns false
    /// when the payload does not decode; the data directory then reports corruption at that offset.
    func replayRecord(type: UInt8, payload: [UInt8]) throws -> Bool
    /// Called once the whole WAL has been replayed, before any participant is used.
    func didReplay(recordsReplayed: Int) throws
    /// Called once every participant has replayed: background work may start (it may checkpoint).
    func didOpen() throws
    /// Appends the participant's live state as framed records of its range (`WALRecord.frame`).
    /// `final` is true for the checkpoint written at close, which may take longer to be smaller.
    func checkpointRecords(into records: inout [UInt8], final: Bool) throws
}

extension WALParticipant {
    public func didOpen() throws {}
}
