import Foundation
import LookoutModel

/// What WAL replay rebuilds before the store installs it as its head.
struct ReplayState {
    var series: [MemSeries] = []
    var byRef = HeadSeriesByRef()
    var byLabels = HeadSeriesSet()
    /// Refs whose labels repeat an earlier ref (kept pointing at the first series).
    var aliases: [UInt64: MemSeries] = [:]
    var maxRef: UInt64 = 0
    var records = 0
    var symbols = LabelSymbols()
    var partitionDuration: Int64 = 2 * 3_600_000
    var samplesPerChunk = 120
}

extension MetricStore {
    /// Applies one replayed metric record to `state`; false when its payload does not decode.
    static func apply(type: UInt8, payload: [UInt8], to state: inout ReplayState, minValidTime: Int64) -> Bool {
        // The replayed head uses defaults for chunk cutting; any partition duration works because a chunk
        // is cut whenever a sample lands in another partition.
        switch WALRecordType(rawValue: type) {
        case .series:
            return WALRecord.decodeSeries(payload) { ref, labels in
                state.maxRef = max(state.maxRef, ref)
                if state.byRef[ref] != nil { return }
                if let existing = state.byLabels[labels] {
                    state.aliases[ref] = existing
                    state.byRef[ref] = existing
                    return
                }
                let s = MemSeries(ref: ref, labels: labels, symbols: state.symbols)
                state.series.append(s)
                state.byRef[ref] = s
                state.byLabels.insert(s)
            }
        case .samples:
            var inBounds = true
            let decoded = WALRecord.decodeSamples(payload) { ref, t, v in
                // No append accepts such a timestamp; partition arithmetic on it could overflow.
                guard t >= -MetricStore.maxTimestamp, t <= MetricStore.maxTimestamp else { inBounds = false; return }
                guard t >= minValidTime, let s = state.byRef[ref] else { return }
                _ = s.append(t, v, partitionDuration: state.partitionDuration, samplesPerChunk: state.samplesPerChunk,
                             newPartition: { _ in })
            }
            return decoded && inBounds
        case .chunk:
            guard let (ref, codec, bytes) = WALRecord.decodeChunk(payload) else { return false }
            guard let s = state.byRef[ref] else { return true }
            var inBounds = true
            do {
                try codec.decode(bytes) { t, v in
                    guard t >= -MetricStore.maxTimestamp, t <= MetricStore.maxTimestamp else { inBounds = false; return }
                    guard t >= minValidTime else { return }
                    _ = s.append(t, v, partitionDuration: state.partitionDuration,
                                 samplesPerChunk: state.samplesPerChunk, newPartition: { _ in })
                }
            } catch { return false }
            return inBounds
        case nil:
            return true // a metric record type this build does not know
        }
    }
}
