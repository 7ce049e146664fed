import LookoutFormats
import LookoutModel

/// Turns one target's scrape bodies into the batch to append, one scrape at a time, and remembers
/// which series the last good scrape had so that vanished series get staleness markers.
///
/// The scrape cache (as Prometheus's): every series line is looked up by its raw bytes
/// (`SeriesBytesCache`) to a slot holding the series' ref, so a series seen before costs a hash
/// of its bytes — no label parsing, target labels, sorting, hashing of label sets or allocation —
/// and staleness is tracked by slot, not by sets of labels. Only a series new to the target goes
/// through its labels (target labels added, `label_limit` checked, `MetricAppender.seriesRef`).
///
/// Rules, as in Prometheus:
/// 1. A scrape that fails (transport, parse, `sample_limit`, `label_limit`) stores none of its samples.
/// 2. A series present in the previous successful scrape and absent now gets a stale marker at the
///    scrape time; after a failed scrape every previous series does.
/// 3. With `honor_labels: false`, a scraped label that clashes with a target label is kept as
///    `exported_<name>`; with `true`, the scraped value wins.
public struct ScrapeCycle: Sendable {
    public let target: ScrapeTarget
    private var cache = SeriesBytesCache()
    /// Per cache slot: the series' ref once its labels passed the limits, the slot that owns the ref
    /// (itself, unless two spellings of one label set share a series), and the scrape it was last
    /// seen in (owner slots only).
    private var refs: [SeriesRef?] = []
    private var owner: [Int32] = []
    private var seenIn: [UInt32] = []
    private var ownerOfRef: [SeriesRef: Int32] = [:]
    /// The current scrape's number, and the last good one's (0: none whose series could go stale).
    private var scrapeNumber: UInt32 = 0
    private var lastGood: UInt32 = 0
    /// Owner slots seen in the last good scrape.
    private var lastGoodSeries = 0
    /// Refs of `up`, `scrape_duration_seconds` and the other report series, once known.
    private var reportRefs: [SeriesRef] = []

    public init(target: ScrapeTarget) {
        self.target = target
    }

    /// The outcome of one good scrape.
    public struct Output: Sendable {
        /// The samples to append, stale markers of vanished series included.
        public var samples: [(ref: SeriesRef, sample: Sample)]
        public var scraped: Int
        /// Series this target had not served before.
        public var seriesAdded: Int
        public var metadata: [MetricMetadata]
        /// OpenMetrics exemplars with their series' full labels (target labels included).
        public var exemplars: [SeriesExemplar] = []
    }

    /// Why a scrape produced nothing.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Parses a body and returns every sample to append, stale markers included; new series get
    /// their refs from `appender`. The scrape config's limits and `deadline` stop the parse at
    /// their first breach.
    public mutating func process(body: [UInt8], contentType: String?, at time: Int64, deadline: ContinuousClock.Instant? = nil,
                                 appender: any MetricAppender) throws(Failure) -> Output {
        let config = target.config
        let limits = ExpositionLimits(sampleLimit: config.sampleLimit, labelLimit: config.labelLimit,
                                      labelNameLengthLimit: config.labelNameLengthLimit,
                                      labelValueLengthLimit: config.labelValueLengthLimit, deadline: deadline)
        let exposition: CachedExposition
        do {
            exposition = try ExpositionParser(format: ExpositionFormat(contentType: contentType))
                .parse(body, cache: &cache, limits: limits)
        } catch where error.limitExceeded {
            throw Failure(message: "\(error.message) (at \(error.line):\(error.column))")
        } catch {
            throw Failure(message: "parse error at \(error)")
        }
        if refs.count < cache.count {
            let more = cache.count - refs.count
            refs.append(contentsOf: repeatElement(nil, count: more))
            owner.append(contentsOf: repeatElement(-1, count: more))
            seenIn.append(contentsOf: repeatElement(0, count: more))
        }
        // Series new to this target: target labels and limits first, refs only once all passed.
        var fresh: [(slot: Int32, labels: Labels)] = []
        for s in exposition.samples where refs[Int(s.slot)] == nil && owner[Int(s.slot)] != -2 {
            let labels = merge(cache.labels[Int(s.slot)])
            // The body's own labels were checked while parsing; target labels count too.
            if let breach = Self.limitBreach(labels, config) {
                for f in fresh { owner[Int(f.slot)] = -1 }
                owner[Int(s.slot)] = -1
                throw Failure(message: breach)
            }
            owner[Int(s.slot)] = -2 // listed once
            fresh.append((s.slot, labels))
        }
        for (slot, labels) in fresh {
            let ref: SeriesRef
            do { ref = try appender.seriesRef(for: labels) } catch {
                for f in fresh where refs[Int(f.slot)] == nil { owner[Int(f.slot)] = -1 }
                throw Failure(message: "storing samples failed: \(error)")
            }
            refs[Int(slot)] = ref
            if let known = ownerOfRef[ref] {
                owner[Int(slot)] = known
            } else {
                ownerOfRef[ref] = slot
                owner[Int(slot)] = slot
            }
        }
        scrapeNumber &+= 1
        if scrapeNumber == 0 { scrapeNumber = 1 } // 0 means "never"
        var out: [(ref: SeriesRef, sample: Sample)] = []
        out.reserveCapacity(exposition.samples.count + 8)
        for s in exposition.samples {
            let slot = Int(s.slot)
            let timestamp = config.honorTimestamps ? (s.timestamp ?? time) : time
            out.append((refs[slot]!, Sample(timestamp, s.value)))
            seenIn[Int(owner[slot])] = scrapeNumber
        }
        var seen = 0
        for slot in 0..<owner.count where owner[slot] == Int32(slot) {
            if seenIn[slot] == scrapeNumber {
                seen += 1
            } else if lastGood != 0 && seenIn[slot] == lastGood {
                out.append((refs[slot]!, Sample(time, StaleMarker.value)))
            }
        }
        lastGood = scrapeNumber
        lastGoodSeries = seen
        if cache.count > 2 * seen + 1024 { compactCache() }
        let exemplars = exposition.exemplars.map { e in
            SeriesExemplar(series: merge(cache.labels[Int(e.slot)]), labels: e.exemplar.labels, value: e.exemplar.value,
                           timestampMs: e.exemplar.timestamp ?? time)
        }
        return Output(samples: out, scraped: exposition.samples.count, seriesAdded: fresh.count,
                      metadata: exposition.metadata, exemplars: exemplars)
    }

    /// Series in the scrape cache (for tests of its bound).
    var cachedSeries: Int { cache.count }

    /// Drops the series the target no longer serves from the cache (those not in the last good
    /// scrape), keeping the rest with their refs and owners.
    private mutating func compactCache() {
        let keep = { (slot: Int32) -> Bool in
            let o = self.owner[Int(slot)]
            return o >= 0 && self.seenIn[Int(o)] == self.lastGood
        }
        let mapping = cache.compact(keeping: keep)
        var newRefs: [SeriesRef?] = [], newOwner: [Int32] = [], newSeen: [UInt32] = []
        for (old, new) in mapping.enumerated() where new >= 0 {
            newRefs.append(refs[old])
            newOwner.append(mapping[Int(owner[old])])
            newSeen.append(seenIn[old])
        }
        refs = newRefs
        owner = newOwner
        seenIn = newSeen
        ownerOfRef = [:]
        for (slot, o) in owner.enumerated() where o == Int32(slot) { ownerOfRef[refs[slot]!] = o }
    }

    /// The stale markers to store after a failed scrape (or when the target goes away): every
    /// series of the last good scrape, once.
    public mutating func markAllStale(at time: Int64) -> [(ref: SeriesRef, sample: Sample)] {
        defer { lastGood = 0 }
        guard lastGood != 0 else { return [] }
        var out: [(ref: SeriesRef, sample: Sample)] = []
        for slot in 0..<owner.count where owner[slot] == Int32(slot) && seenIn[slot] == lastGood {
            out.append((refs[slot]!, Sample(time, StaleMarker.value)))
        }
        return out
    }

    /// The report series' names, in `report` order.
    static let reportNames = ["up", "scrape_duration_seconds", "scrape_samples_scraped",
                              "scrape_samples_post_metric_relabeling", "scrape_series_added"]

    /// `up`, `scrape_duration_seconds` and friends, labelled with the target's labels.
    public func report(up: Bool, duration: Double, scraped: Int, postRelabeling: Int, seriesAdded: Int,
                       at time: Int64) -> [(labels: Labels, sample: Sample)] {
        let values = [up ? 1 : 0, duration, Double(scraped), Double(postRelabeling), Double(seriesAdded)]
        return zip(Self.reportNames, values).map { name, value in
            (target.labels.setting(Labels.metricName, to: name), Sample(time, value))
        }
    }

    /// `report(…)` by ref, for the scrape's one append batch.
    public mutating func reportByRef(up: Bool, duration: Double, scraped: Int, postRelabeling: Int, seriesAdded: Int,
                                     at time: Int64, appender: any MetricAppender) throws -> [(ref: SeriesRef, sample: Sample)] {
        let series = report(up: up, duration: duration, scraped: scraped, postRelabeling: postRelabeling,
                            seriesAdded: seriesAdded, at: time)
        if reportRefs.isEmpty { reportRefs = try series.map { try appender.seriesRef(for: $0.labels) } }
        return zip(reportRefs, series).map { ($0, $1.sample) }
    }

    /// Stale markers for the report series, for a target that was removed.
    public func staleReport(at time: Int64) -> [(labels: Labels, sample: Sample)] {
        report(up: false, duration: 0, scraped: 0, postRelabeling: 0, seriesAdded: 0, at: time).map {
            ($0.labels, Sample(time, StaleMarker.value))
        }
    }

    /// Which of the config's label limits a series' final labels break, as Prometheus words it.
    static func limitBreach(_ labels: Labels, _ config: ScrapeConfig) -> String? {
        let name = shortened(labels.name ?? "", to: 50)
        if config.labelLimit > 0 && labels.count > config.labelLimit {
            return "label_limit exceeded (metric: \(name), number of labels: \(labels.count), limit: \(config.labelLimit))"
        }
        for label in labels.pairs {
            if config.labelNameLengthLimit > 0 && label.name.utf8.count > config.labelNameLengthLimit {
                return "label_name_length_limit exceeded (metric: \(name), label name: \(shortened(label.name, to: 50)), length: \(label.name.utf8.count), limit: \(config.labelNameLengthLimit))"
            }
            if config.labelValueLengthLimit > 0 && label.value.utf8.count > config.labelValueLengthLimit {
                return "label_value_length_limit exceeded (metric: \(name), label name: \(shortened(label.name, to: 50)), value: \(shortened(label.value, to: 50)), length: \(label.value.utf8.count), limit: \(config.labelValueLengthLimit))"
            }
        }
        return nil
    }

    /// `text` for an error message or `lastError`, cut to `limit` characters.
    static func shortened(_ text: String, to limit: Int) -> String {
        text.utf8.count <= limit ? text : String(text.prefix(limit)) + "…"
    }

    func merge(_ scraped: Labels) -> Labels {
        var pairs = scraped.pairs
        for label in target.labels.pairs {
            if let index = pairs.firstIndex(where: { $0.name == label.name }) {
                if target.config.honorLabels { continue }
                let exported = Label("exported_" + label.name, pairs[index].value)
                pairs[index] = label
                pairs.append(exported)
            } else {
                pairs.append(label)
            }
        }
        return Labels(pairs)
    }
}
