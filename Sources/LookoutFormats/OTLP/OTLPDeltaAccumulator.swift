import LookoutModel
import Synchronization

/// Turns OTLP delta points into the cumulative values Prometheus stores, where that is exact: a
/// point that starts where its series' previous point ended adds its increments to the running
/// totals. A point that leaves a gap (increments were lost) or overlaps (a repeat) is rejected;
/// after a gap the series starts again from that point, which PromQL reads as a counter reset.
/// Totals live in memory: after a restart each series starts again the same way. At most
/// `maxSeries` are kept; past it, the half that reported longest ago is forgotten.
public final class OTLPDeltaAccumulator: Sendable {
    struct Series {
        var end: UInt64
        var totals: [Double]
    }

    public let maxSeries: Int
    private let state = Mutex<[Labels: Series]>([:])

    public init(maxSeries: Int = 100_000) {
        self.maxSeries = maxSeries
    }

    /// The cumulative values for a point's deltas (one per output series, always in one order),
    /// or why the point cannot be converted exactly.
    func add(_ key: Labels, start: UInt64, time: UInt64, deltas: [Double]) -> Result<[Double], OTLPDecodeError> {
        state.withLock { all in
            guard var series = all[key] else {
                if all.count >= maxSeries {
                    // Forget the half that reported longest ago: a series that comes back starts
                    // again from its next point (a counter reset), and new series are never locked out.
                    let cutoff = all.values.map(\.end).sorted()[all.count / 2]
                    all = all.filter { $0.value.end > cutoff }
                }
                all[key] = Series(end: time, totals: deltas)
                return .success(deltas)
            }
            guard start == series.end, deltas.count == series.totals.count else {
                if start > series.end || deltas.count != series.totals.count {
                    all[key] = Series(end: time, totals: deltas) // a new run from here
                    return .failure(OTLPDecodeError("a delta point starts at \(start) ns but the series' previous one ended at \(series.end) ns: the increments between were lost"))
                }
                return .failure(OTLPDecodeError("a delta point starts at \(start) ns, before the series' previous one ended (\(series.end) ns): a repeat"))
            }
            for i in series.totals.indices { series.totals[i] += deltas[i] }
            series.end = time
            all[key] = series
            return .success(series.totals)
        }
    }

    /// Series being accumulated.
    public var count: Int { state.withLock { $0.count } }
}
