import LookoutModel

/// Parses Prometheus text 0.0.4 and OpenMetrics 1.0 exposition bodies into samples and metadata.
///
/// Rules:
/// 1. The body is accepted whole or rejected with an `ExpositionError` naming the 1-based line and
///    byte column; there is never a partial result.
/// 2. Label sets are `Labels` (sorted, empty values dropped, `__name__` included); a label name
///    repeated within one sample is an error, as is invalid UTF-8 in a label value.
/// 3. Text timestamps are integer milliseconds; OpenMetrics timestamps are float seconds, rounded
///    to the nearest millisecond. OpenMetrics `_created` samples are kept as ordinary samples.
/// 4. Metadata is keyed by family name (`http_request_duration_seconds` for its `_bucket`, `_sum`
///    and `_count` samples); at most one HELP, TYPE and UNIT per family, before its samples.
///
/// Thread-safety: a value with no state; `parse` may run concurrently from any number of tasks.
public struct ExpositionParser: Sendable {
    public let format: ExpositionFormat

    public init(format: ExpositionFormat) {
        self.format = format
    }

    /// Parses a whole body; throws on the first malformed line.
    public func parse(_ body: [UInt8]) throws(ExpositionError) -> Exposition {
        let openMetrics = format == .openMetrics
        let result: Result<Exposition, ExpositionError> = body.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, !buffer.isEmpty else {
                if openMetrics {
                    return .failure(ExpositionError(line: 1, column: 1, message: "missing '# EOF' at the end of the OpenMetrics exposition"))
                }
                return .success(Exposition())
            }
            var scanner = ExpositionScanner(base: base, count: buffer.count, openMetrics: openMetrics)
            do throws(ExpositionError) {
                return .success(try scanner.run())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses a whole body as `parse(_:)` does, finding each sample's series in `cache` by the raw
    /// bytes of its line (and adding series seen for the first time), so that a series seen
    /// before costs a hash of its bytes instead of a parsed label set. Exemplars are checked but
    /// not returned. Series added by a body that fails are kept: their lines were valid.
    public func parse(_ body: [UInt8], cache: inout SeriesBytesCache) throws(ExpositionError) -> CachedExposition {
        let openMetrics = format == .openMetrics
        var owned = SeriesBytesCache()
        swap(&owned, &cache) // the scanner holds the only reference, so it grows in place
        let result: Result<CachedExposition, ExpositionError> = body.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, !buffer.isEmpty else {
                if openMetrics {
                    return .failure(ExpositionError(line: 1, column: 1, message: "missing '# EOF' at the end of the OpenMetrics exposition"))
                }
                return .success(CachedExposition())
            }
            var scanner = ExpositionScanner(base: base, count: buffer.count, openMetrics: openMetrics, cache: owned)
            owned = SeriesBytesCache()
            defer { owned = scanner.cache }
            do throws(ExpositionError) {
                let exposition = try scanner.run()
                return .success(CachedExposition(samples: scanner.cachedSamples, metadata: exposition.metadata))
            } catch {
                return .failure(error)
            }
        }
        swap(&owned, &cache)
        return try result.get()
    }

    /// Parses a body held in a string.
    public func parse(_ body: String) throws(ExpositionError) -> Exposition {
        try parse(Array(body.utf8))
    }
}
