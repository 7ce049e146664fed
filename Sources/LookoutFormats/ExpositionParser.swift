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

    /// Parses a whole body; throws on the first malformed line or the first breach of `limits`.
    public func parse(_ body: [UInt8], limits: ExpositionLimits = .none) throws(ExpositionError) -> Exposition {
        var unused: SeriesBytesCache?
        return try scan(body, empty: Exposition(), cache: &unused, limits: limits) { scanner throws(ExpositionError) in try scanner.run() }
    }

    /// Parses a whole body as `parse(_:)` does, finding each sample's series in `cache` by the raw
    /// bytes of its line (and adding series seen for the first time), so that a series seen
    /// before costs a hash of its bytes instead of a parsed label set. Exemplars come back by slot. Series added by a body that fails are kept: their lines were valid.
    public func parse(_ body: [UInt8], cache: inout SeriesBytesCache,
                      limits: ExpositionLimits = .none) throws(ExpositionError) -> CachedExposition {
        var owned: SeriesBytesCache? = SeriesBytesCache(capacity: 0)
        swap(&owned!, &cache) // the scanner holds the only reference, so it grows in place
        defer { swap(&owned!, &cache) }
        return try scan(body, empty: CachedExposition(), cache: &owned, limits: limits) { scanner throws(ExpositionError) in
            let exposition = try scanner.run()
            return CachedExposition(samples: scanner.cachedSamples, metadata: exposition.metadata, exemplars: scanner.cachedExemplars)
        }
    }

    /// Runs a scanner over `body` (with `cache`, handed back afterwards, if given); an empty body
    /// is `empty`, or the missing `# EOF` error of OpenMetrics.
    private func scan<T>(_ body: [UInt8], empty: T, cache: inout SeriesBytesCache?, limits: ExpositionLimits,
                                      _ run: (inout ExpositionScanner) throws(ExpositionError) -> T) throws(ExpositionError) -> T {
        let openMetrics = format == .openMetrics
        let result: Result<T, ExpositionError> = body.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, !buffer.isEmpty else {
                if openMetrics {
                    return .failure(ExpositionError(line: 1, column: 1, message: "missing '# EOF' at the end of the OpenMetrics exposition"))
                }
                return .success(empty)
            }
            var scanner = ExpositionScanner(base: base, count: buffer.count, openMetrics: openMetrics, cache: cache, limits: limits)
            if cache != nil { cache = SeriesBytesCache(capacity: 0) }
            defer { if cache != nil { cache = scanner.cache } }
            do throws(ExpositionError) {
                return .success(try run(&scanner))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses a body held in a string.
    public func parse(_ body: String) throws(ExpositionError) -> Exposition {
        try parse(Array(body.utf8))
    }
}

