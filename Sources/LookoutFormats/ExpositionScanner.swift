import LookoutModel

private let newline = UInt8(ascii: "\n")
private let space = UInt8(ascii: " ")
private let tab = UInt8(ascii: "\t")
private let quote = UInt8(ascii: "\"")
private let backslash = UInt8(ascii: "\\")
private let hash = UInt8(ascii: "#")

@inline(__always) private func isBlank(_ c: UInt8) -> Bool { c == space || c == tab }
@inline(__always) private func isLetterOrUnderscore(_ c: UInt8) -> Bool {
    let lower = c | 0x20
    return (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || c == UInt8(ascii: "_")
}
@inline(__always) private func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }
@inline(__always) private func isMetricNameStart(_ c: UInt8) -> Bool { isLetterOrUnderscore(c) || c == UInt8(ascii: ":") }
@inline(__always) private func isMetricNameChar(_ c: UInt8) -> Bool { isMetricNameStart(c) || isDigit(c) }
@inline(__always) private func isLabelNameChar(_ c: UInt8) -> Bool { isLetterOrUnderscore(c) || isDigit(c) }

/// Per-family bookkeeping bits, indexed by the interned family name.
private enum FamilyFlag {
    static let hasSamples: UInt8 = 1
    static let closed: UInt8 = 2
    static let type: UInt8 = 4
    static let help: UInt8 = 8
    static let unit: UInt8 = 16
}

/// The state machine behind `ExpositionParser`: one pass over the bytes of a body, which must stay
/// valid for the scanner's lifetime.
struct ExpositionScanner {
    private let base: UnsafePointer<UInt8>
    private let end: Int
    private let openMetrics: Bool

    private var pos = 0
    private var line = 1
    private var lineStart = 0

    private var interner: ByteInterner
    private let metricNameId: Int32
    private let metricName: String
    private var samples: [ScrapedSample] = []
    private var metadata: [MetricMetadata] = []
    /// With `cached`, samples are found by their series bytes in `cache` and collected in
    /// `cachedSamples` instead of `samples`.
    private let cached: Bool
    var cache: SeriesBytesCache
    private(set) var cachedSamples: [CachedSample] = []
    /// The exemplars of cached samples, by their series' slot.
    private(set) var cachedExemplars: [(slot: Int32, exemplar: Exemplar)] = []

    /// Indexed by interned id: the family's metadata index or -1, and its `FamilyFlag` bits.
    private var familyMetadata: [Int32] = []
    private var familyFlags: [UInt8] = []

    /// The family samples currently belong to, its name's bytes in the body, and its type.
    private var current: Int32 = -1
    private var currentStart = 0
    private var currentCount = 0
    private var currentType: MetricType = .unknown
    /// The name of the previous sample, while it is known to belong to `current`.
    private var lastSampleName: Int32 = -1

    /// By interned id: the number of the label set that last used it as a label name, so a
    /// repeated name is found in constant time however many labels a set has.
    private var nameSeenIn: [UInt32] = []
    private var labelSetNumber: UInt32 = 0
    /// What the scanner refuses as it reads (`ExpositionLimits`).
    private let limits: ExpositionLimits
    private var linesSinceClockCheck = 0
    /// The previous sample's name, and its label names and values by position: when the bytes
    /// repeat (they mostly do), their interned ids are reused without hashing.
    private var previousName: (start: Int, count: Int, id: Int32) = (0, -1, -1)
    private var previousLabelNames: [(start: Int, count: Int, id: Int32)] = []
    private var previousLabelValues: [(start: Int, count: Int, id: Int32)] = []
    private var previousLabelCount = 1
    private var unescaped: [UInt8] = []

    init(base: UnsafePointer<UInt8>, count: Int, openMetrics: Bool, cache: SeriesBytesCache? = nil,
         limits: ExpositionLimits = .none) {
        self.base = base
        self.limits = limits
        self.end = count
        self.openMetrics = openMetrics
        self.cached = cache != nil
        self.cache = cache ?? SeriesBytesCache(capacity: 0) // unused: no allocation worth the name
        let name = Array(Labels.metricName.utf8)
        var names = ByteInterner()
        metricNameId = name.withUnsafeBufferPointer { names.intern($0.baseAddress!, $0.count, validate: false)! }
        interner = names
        metricName = Labels.metricName
        if cached { cachedSamples.reserveCapacity(count / 96 + 1) } else { samples.reserveCapacity(count / 96 + 1) }
    }

    // MARK: - Driver

    mutating func run() throws(ExpositionError) -> Exposition {
        var sawEOF = false
        while pos < end {
            if !openMetrics {
                while pos < end, isBlank(base[pos]) { pos += 1 }
                if pos == end { break }
            }
            let c = base[pos]
            if c == newline {
                if openMetrics { throw error("blank lines are not allowed in OpenMetrics") }
                nextLine()
            } else if c == hash {
                if try comment() {
                    sawEOF = true
                    break
                }
            } else {
                try sample()
            }
            linesSinceClockCheck &+= 1
            if linesSinceClockCheck & 1023 == 0, let deadline = limits.deadline, ContinuousClock.now > deadline {
                throw limitError("parsing did not finish within the scrape timeout")
            }
        }
        if openMetrics && !sawEOF {
            throw error("missing '# EOF' at the end of the OpenMetrics exposition")
        }
        return Exposition(samples: samples, metadata: metadata)
    }

    // MARK: - Positions and errors

    private func error(_ message: String, at offset: Int? = nil) -> ExpositionError {
        ExpositionError(line: line, column: (offset ?? pos) - lineStart + 1, message: message)
    }

    private func limitError(_ message: String, at offset: Int? = nil) -> ExpositionError {
        ExpositionError(line: line, column: (offset ?? pos) - lineStart + 1, message: message, limitExceeded: true)
    }

    /// Starts a label set for duplicate detection.
    @inline(__always) private mutating func beginLabelSet() {
        labelSetNumber &+= 1
        if labelSetNumber == 0 { // wrapped: forget every mark
            for i in nameSeenIn.indices { nameSeenIn[i] = 0 }
            labelSetNumber = 1
        }
    }

    /// Marks a label name as used by the current set; false if it already was.
    @inline(__always) private mutating func markName(_ id: Int32) -> Bool {
        let i = Int(id)
        if i >= nameSeenIn.count { nameSeenIn.append(contentsOf: repeatElement(0, count: i - nameSeenIn.count + 1)) }
        if nameSeenIn[i] == labelSetNumber { return false }
        nameSeenIn[i] = labelSetNumber
        return true
    }

    @inline(__always) private var atEndOfLine: Bool { pos == end || base[pos] == newline }

    /// Consumes the newline at `pos`, if any.
    @inline(__always) private mutating func nextLine() {
        if pos < end {
            pos += 1
            line += 1
            lineStart = pos
        }
    }

    @inline(__always) private mutating func skipBlanks() {
        var i = pos
        while i < end, isBlank(base[i]) { i += 1 }
        pos = i
    }

    /// Advances over a token ending at a blank or the end of the line; returns its start.
    @inline(__always) private mutating func token() -> Int {
        let start = pos
        var i = pos
        while i < end {
            let c = base[i]
            if c == space || c == tab || c == newline { break }
            i += 1
        }
        pos = i
        return start
    }

    /// Advances over metric-name characters.
    @inline(__always) private mutating func skipMetricName() {
        var i = pos
        while i < end, isMetricNameChar(base[i]) { i += 1 }
        pos = i
    }

    private func text(_ start: Int, _ count: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: base + start, count: count), as: UTF8.self)
    }

    private func quoted(_ start: Int, _ count: Int) -> String {
        "\"" + text(start, min(count, 64)) + (count > 64 ? "…" : "") + "\""
    }

    // MARK: - Comments and metadata

    /// Handles a line starting with `#`; returns true for `# EOF`.
    private mutating func comment() throws(ExpositionError) -> Bool {
        let hashAt = pos
        pos += 1
        let afterHash = pos
        skipBlanks()
        let spaced = pos > afterHash
        let keywordStart = token()
        let keyword = keywordCode(keywordStart, pos - keywordStart)
        guard spaced, keyword != 0, openMetrics || keyword != 3 && keyword != 4 else {
            if openMetrics {
                throw error("only '# HELP', '# TYPE', '# UNIT' and '# EOF' comments are allowed in OpenMetrics", at: hashAt)
            }
            while !atEndOfLine { pos += 1 }
            nextLine()
            return false
        }
        if keyword == 4 {  // EOF
            guard atEndOfLine else { throw error("unexpected text after '# EOF'") }
            nextLine()
            if pos < end { throw error("unexpected content after '# EOF'") }
            return true
        }
        let what = keyword == 1 ? "HELP" : keyword == 2 ? "TYPE" : "UNIT"
        skipBlanks()
        let nameStart = pos
        guard pos < end, isMetricNameStart(base[pos]) else {
            throw error(atEndOfLine ? "expected metric name after '# \(what)'" : "invalid metric name in '# \(what)'")
        }
        skipMetricName()
        let nameCount = pos - nameStart
        guard atEndOfLine || isBlank(base[pos]) else { throw error("invalid character in metric name in '# \(what)'") }
        let family = interner.intern(base + nameStart, nameCount, validate: false)!
        switch keyword {
        case 1:
            if !atEndOfLine {
                if openMetrics { pos += 1 } else { skipBlanks() }
            }
            let help = try helpText()
            let index = try declare(family, FamilyFlag.help, "HELP", nameStart, nameCount)
            metadata[index].help = help
        case 2:
            skipBlanks()
            let typeStart = token()
            guard let type = metricType(typeStart, pos - typeStart) else {
                throw error(pos == typeStart ? "expected metric type after metric name"
                            : "unknown metric type \(quoted(typeStart, pos - typeStart))", at: typeStart)
            }
            skipBlanks()
            guard atEndOfLine else { throw error("unexpected text after metric type") }
            let index = try declare(family, FamilyFlag.type, "TYPE", nameStart, nameCount)
            metadata[index].type = type
            currentType = type
        default:
            skipBlanks()
            let unitStart = pos
            skipMetricName()
            let unitCount = pos - unitStart
            skipBlanks()
            guard atEndOfLine else { throw error("invalid character in unit") }
            if unitCount > 0 {
                let suffixed = nameCount > unitCount && base[nameStart + nameCount - unitCount - 1] == UInt8(ascii: "_")
                    && memoryEquals(base + nameStart + nameCount - unitCount, base + unitStart, unitCount)
                guard suffixed else {
                    throw error("unit \(quoted(unitStart, unitCount)) is not a suffix of metric family \(quoted(nameStart, nameCount))",
                                at: unitStart)
                }
            }
            let index = try declare(family, FamilyFlag.unit, "UNIT", nameStart, nameCount)
            metadata[index].unit = text(unitStart, unitCount)
        }
        nextLine()
        return false
    }

    /// 1 HELP, 2 TYPE, 3 UNIT, 4 EOF, 0 anything else.
    private func keywordCode(_ start: Int, _ count: Int) -> Int {
        guard count == 4 else { return count == 3 && base[start] == UInt8(ascii: "E") && base[start + 1] == UInt8(ascii: "O") && base[start + 2] == UInt8(ascii: "F") ? 4 : 0 }
        let word = UnsafeRawPointer(base + start).loadUnaligned(as: UInt32.self)
        func code(_ s: StaticString) -> UInt32 { UnsafeRawPointer(s.utf8Start).loadUnaligned(as: UInt32.self) }
        if word == code("HELP") { return 1 }
        if word == code("TYPE") { return 2 }
        if word == code("UNIT") { return 3 }
        return 0
    }

    private func metricType(_ start: Int, _ count: Int) -> MetricType? {
        func equals(_ word: StaticString) -> Bool {
            word.utf8CodeUnitCount == count && memoryEquals(base + start, word.utf8Start, count)
        }
        if equals("counter") { return .counter }
        if equals("gauge") { return .gauge }
        if equals("histogram") { return .histogram }
        if equals("summary") { return .summary }
        if openMetrics {
            if equals("gaugehistogram") { return .gaugehistogram }
            if equals("info") { return .info }
            if equals("stateset") { return .stateset }
            if equals("unknown") { return .unknown }
        } else if equals("untyped") {
            return .unknown
        }
        return nil
    }

    /// The rest of the line as HELP text: `\\` and `\n` unescaped (and `\"` in OpenMetrics);
    /// other backslashes are kept.
    private mutating func helpText() throws(ExpositionError) -> String {
        let start = pos
        var escaped = false
        var high = false
        var i = pos
        while i < end {
            let c = base[i]
            if c == newline { break }
            if c == backslash { escaped = true }
            if c >= 0x80 { high = true }
            i += 1
        }
        pos = i
        let count = pos - start
        let bytes: UnsafeBufferPointer<UInt8>
        if escaped {
            unescaped.removeAll(keepingCapacity: true)
            var i = start
            while i < pos {
                let c = base[i]
                if c == backslash, i + 1 < pos {
                    let next = base[i + 1]
                    if next == UInt8(ascii: "n") { unescaped.append(newline); i += 2; continue }
                    if next == backslash || (openMetrics && next == quote) { unescaped.append(next); i += 2; continue }
                }
                unescaped.append(c)
                i += 1
            }
            guard let help = String(validating: unescaped, as: UTF8.self) else {
                throw error("invalid UTF-8 in HELP text", at: start)
            }
            return help
        }
        bytes = UnsafeBufferPointer(start: base + start, count: count)
        if !high { return String(decoding: bytes, as: UTF8.self) }
        guard let help = String(validating: bytes, as: UTF8.self) else {
            throw error("invalid UTF-8 in HELP text", at: start)
        }
        return help
    }

    /// Records a HELP/TYPE/UNIT line for `family` and makes it the current family; returns the
    /// index of its metadata.
    private mutating func declare(_ family: Int32, _ flag: UInt8, _ what: String, _ nameStart: Int, _ nameCount: Int)
        throws(ExpositionError) -> Int
    {
        ensureFamilySlots()
        let f = Int(family)
        let name = interner.strings[f]
        if openMetrics && family != current {
            if current >= 0 { familyFlags[Int(current)] |= FamilyFlag.closed }
            if familyFlags[f] & FamilyFlag.closed != 0 {
                throw error("'# \(what)' for \"\(name)\" after its family ended; OpenMetrics families must not interleave", at: nameStart)
            }
        }
        if familyFlags[f] & FamilyFlag.hasSamples != 0 && (openMetrics || flag == FamilyFlag.type) {
            throw error("'# \(what)' for \"\(name)\" after its samples", at: nameStart)
        }
        if familyFlags[f] & flag != 0 {
            throw error("duplicate '# \(what)' for \"\(name)\"", at: nameStart)
        }
        familyFlags[f] |= flag
        var index = Int(familyMetadata[f])
        if index < 0 {
            index = metadata.count
            metadata.append(MetricMetadata(family: name))
            familyMetadata[f] = Int32(index)
        }
        if family != current {
            current = family
            currentStart = nameStart
            currentCount = nameCount
            currentType = metadata[index].type
        }
        lastSampleName = -1
        return index
    }

    private mutating func ensureFamilySlots() {
        let needed = interner.count
        if familyFlags.count < needed {
            familyFlags.append(contentsOf: repeatElement(0, count: needed - familyFlags.count))
            familyMetadata.append(contentsOf: repeatElement(-1, count: needed - familyMetadata.count))
        }
    }

    // MARK: - Families of samples

    /// Whether the name at `start` ends with `suffix` after at least one byte.
    @inline(__always)
    private func hasSuffix(_ start: Int, _ count: Int, _ suffix: StaticString) -> Bool {
        let n = suffix.utf8CodeUnitCount
        return count > n && memoryEquals(base + start + count - n, suffix.utf8Start, n)
    }

    /// The length of the family prefix when the name at `start` is a family name plus one of the
    /// child suffixes of `type` (`_bucket` for histograms, `_total` for OpenMetrics counters...).
    private func familyPrefix(_ start: Int, _ count: Int, of type: MetricType) -> Int? {
        func check(_ suffix: StaticString) -> Int? {
            hasSuffix(start, count, suffix) ? count - suffix.utf8CodeUnitCount : nil
        }
        switch type {
        case .counter:
            guard openMetrics else { return nil }
            return check("_total") ?? check("_created")
        case .histogram:
            return check("_bucket") ?? check("_sum") ?? check("_count") ?? (openMetrics ? check("_created") : nil)
        case .gaugehistogram:
            return check("_bucket") ?? check("_gsum") ?? check("_gcount")
        case .summary:
            return check("_sum") ?? check("_count") ?? (openMetrics ? check("_created") : nil)
        case .info:
            return check("_info")
        case .gauge, .stateset, .unknown:
            return nil
        }
    }

    /// Assigns the sample named `name` (bytes at `start`) to a family and checks the order rules.
    @inline(__always)
    private mutating func enterFamily(_ name: Int32, _ start: Int, _ count: Int) throws(ExpositionError) {
        if name == lastSampleName { return }
        try resolveFamily(name, start, count)
    }

    private mutating func resolveFamily(_ name: Int32, _ start: Int, _ count: Int) throws(ExpositionError) {
        ensureFamilySlots()
        var family = name
        var familyCount = count
        if current >= 0, name == current
            || (familyPrefix(start, count, of: currentType).map { $0 == currentCount && memoryEquals(base + start, base + currentStart, $0) } ?? false)
        {
            family = current
            familyCount = currentCount
        } else if !openMetrics, familyMetadata[Int(name)] < 0 {
            // A histogram or summary child whose family was declared earlier, out of order.
            if let prefix = familyPrefix(start, count, of: .histogram),
               let id = interner.find(base + start, prefix), familyMetadata[Int(id)] >= 0,
               familyPrefix(start, count, of: metadata[Int(familyMetadata[Int(id)])].type) == prefix
            {
                family = id
                familyCount = prefix
            }
        }
        let f = Int(family)
        if family != current {
            if openMetrics {
                if current >= 0 { familyFlags[Int(current)] |= FamilyFlag.closed }
                if familyFlags[f] & FamilyFlag.closed != 0 {
                    throw error("sample of family \"\(interner.strings[f])\" after its family ended; OpenMetrics families must not interleave", at: start)
                }
            }
            current = family
            currentStart = start
            currentCount = familyCount
            let index = Int(familyMetadata[f])
            currentType = index >= 0 ? metadata[index].type : .unknown
        }
        familyFlags[f] |= FamilyFlag.hasSamples
        lastSampleName = name
    }

    // MARK: - Samples

    private mutating func sample() throws(ExpositionError) {
        let nameStart = pos
        guard isMetricNameStart(base[pos]) else { throw error("invalid metric name") }
        skipMetricName()
        let nameCount = pos - nameStart
        let name: Int32
        if nameCount == previousName.count && memoryEquals(base + nameStart, base + previousName.start, nameCount) {
            name = previousName.id
        } else {
            name = interner.intern(base + nameStart, nameCount, validate: false)!
            previousName = (nameStart, nameCount, name)
        }
        try enterFamily(name, nameStart, nameCount)
        if limits.labelValueLengthLimit > 0 && nameCount > limits.labelValueLengthLimit { // the value of __name__
            throw limitError("label_value_length_limit exceeded: metric name is \(nameCount) bytes long, limit \(limits.labelValueLengthLimit)", at: nameStart)
        }
        if limits.sampleLimit > 0 && (cached ? cachedSamples.count : samples.count) >= limits.sampleLimit {
            throw limitError("sample_limit exceeded: more than \(limits.sampleLimit) samples", at: nameStart)
        }
        if cached, let slot = cachedSeries(nameStart) {
            skipBlanks()
            let (value, timestamp, exemplar) = try sampleTail()
            if let exemplar { cachedExemplars.append((slot, exemplar)) }
            cachedSamples.append(CachedSample(slot: slot, value: value, timestamp: timestamp))
            nextLine()
            return
        }

        var pairs: [Label] = []
        pairs.reserveCapacity(previousLabelCount)
        pairs.append(Label(metricName, interner.strings[Int(name)]))
        beginLabelSet()
        _ = markName(metricNameId)
        var order = LabelOrder.inOrder
        var seriesEnd = pos
        skipBlanks()
        if pos < end && base[pos] == UInt8(ascii: "{") {
            order = try labelSet(into: &pairs, cache: true, limited: true)
            seriesEnd = pos
            skipBlanks()
        } else if pos < end && !isBlank(base[pos]) && base[pos] != newline && pos == nameStart + nameCount {
            throw error("invalid character in metric name")
        }
        previousLabelCount = pairs.count
        let labels = makeLabels(&pairs, order)
        let (value, timestamp, exemplar) = try sampleTail()
        if cached {
            let slot = cache.insert(base + nameStart, seriesEnd - nameStart, labels)
            if let exemplar { cachedExemplars.append((slot, exemplar)) }
            cachedSamples.append(CachedSample(slot: slot, value: value, timestamp: timestamp))
        } else {
            samples.append(ScrapedSample(labels: labels, value: value, timestamp: timestamp, exemplar: exemplar))
        }
        nextLine()
    }

    /// The value, timestamp and exemplar of a sample line, from the value to the end of the line.
    private mutating func sampleTail() throws(ExpositionError) -> (Double, Int64?, Exemplar?) {
        guard !atEndOfLine else { throw error("expected value after metric name and labels") }
        let valueStart = token()
        guard let value = NumberParsing.parseFloat(base + valueStart, pos - valueStart) else {
            throw error("invalid value \(quoted(valueStart, pos - valueStart))", at: valueStart)
        }
        skipBlanks()
        var timestamp: Int64?
        if !atEndOfLine && base[pos] != hash {
            timestamp = try timestampToken()
            skipBlanks()
        }
        var exemplar: Exemplar?
        if !atEndOfLine {
            guard openMetrics, base[pos] == hash else {
                throw error(timestamp == nil ? "unexpected text after value" : "unexpected text after timestamp")
            }
            exemplar = try exemplarAfterHash()
        }
        return (value, timestamp, exemplar)
    }

    /// At the end of a sample's metric name, in cached mode: the slot of the series whose bytes
    /// follow (name and label set, exactly as written), with `pos` moved past them; nil, leaving
    /// `pos` alone, when they were never parsed before. Bytes seen before were valid then, so they
    /// are valid now: only the end of a label set is found, stepping over quoted values.
    @inline(__always)
    private mutating func cachedSeries(_ nameStart: Int) -> Int32? {
        var seriesEnd = pos
        if pos < end && base[pos] == UInt8(ascii: "{") {
            var i = pos + 1
            while true {
                guard i < end else { return nil }
                let c = base[i]
                if c == UInt8(ascii: "}") { break }
                if c == newline { return nil }
                if c == quote {
                    i += 1
                    while i < end && base[i] != quote && base[i] != newline {
                        i += base[i] == backslash ? 2 : 1
                    }
                    guard i < end, base[i] == quote else { return nil }
                }
                i += 1
            }
            seriesEnd = i + 1
        }
        // The full parse accepts the value right after `}`; such lines are simply never cached.
        guard seriesEnd < end, isBlank(base[seriesEnd]),
              let slot = cache.find(base + nameStart, seriesEnd - nameStart) else { return nil }
        pos = seriesEnd
        return slot
    }

    private mutating func timestampToken() throws(ExpositionError) -> Int64 {
        let start = token()
        let count = pos - start
        if openMetrics {
            guard let seconds = NumberParsing.parseFloat(base + start, count),
                  let ms = NumberParsing.secondsToMilliseconds(seconds)
            else { throw error("invalid timestamp \(quoted(start, count))", at: start) }
            return ms
        }
        guard let ms = NumberParsing.parseInt64(base + start, count) else {
            throw error("invalid timestamp \(quoted(start, count)); expected integer milliseconds", at: start)
        }
        return ms
    }

    /// `# {labels} value [timestamp]` after a sample, at the `#`.
    private mutating func exemplarAfterHash() throws(ExpositionError) -> Exemplar {
        pos += 1
        skipBlanks()
        guard pos < end, base[pos] == UInt8(ascii: "{") else { throw error("expected '{' to start exemplar labels") }
        let setStart = pos
        var pairs: [Label] = []
        beginLabelSet()
        let order = try labelSet(into: &pairs, cache: false, limited: false)
        var chars = 0
        for label in pairs { chars += label.name.unicodeScalars.count + label.value.unicodeScalars.count }
        if chars > 128 {
            throw error("exemplar label set is \(chars) characters long; at most 128 are allowed", at: setStart)
        }
        let labels = makeLabels(&pairs, order)
        skipBlanks()
        guard !atEndOfLine else { throw error("expected exemplar value") }
        let valueStart = token()
        guard let value = NumberParsing.parseFloat(base + valueStart, pos - valueStart) else {
            throw error("invalid exemplar value \(quoted(valueStart, pos - valueStart))", at: valueStart)
        }
        skipBlanks()
        var timestamp: Int64?
        if !atEndOfLine {
            timestamp = try timestampToken()
            skipBlanks()
            guard atEndOfLine else { throw error("unexpected text after exemplar timestamp") }
        }
        return Exemplar(labels: labels, value: value, timestamp: timestamp)
    }

    /// `{name="value",...}` at the `{`, appending to `pairs` and marking names (`markName`). With
    /// `cache`, label names and values are looked up in the previous sample's first; with
    /// `limited`, the label limits apply (a sample's set, not an exemplar's).
    private mutating func labelSet(into pairs: inout [Label], cache: Bool, limited: Bool) throws(ExpositionError) -> LabelOrder {
        pos += 1
        var order = LabelOrder.inOrder
        // The previous label name's bytes, to notice when the set is not sorted by name already.
        var previousStart: UnsafePointer<UInt8>? = cache ? LabelOrder.metricNameBytes : nil
        var previousCount = cache ? 8 : 0
        var k = 0
        var nonEmpty = limited ? 1 : 0 // with __name__
        while true {
            skipBlanks()
            guard pos < end else { throw error("unterminated label set; expected '}'") }
            var c = base[pos]
            if c == UInt8(ascii: "}") {
                pos += 1
                return order
            }
            let nameStart = pos
            guard isLetterOrUnderscore(c) else {
                throw error(c == newline ? "unterminated label set; expected '}'" : "invalid label name")
            }
            var i = pos
            while i < end, isLabelNameChar(base[i]) { i += 1 }
            pos = i
            let nameCount = pos - nameStart
            if limited && limits.labelNameLengthLimit > 0 && nameCount > limits.labelNameLengthLimit {
                throw limitError("label_name_length_limit exceeded: label name \(quoted(nameStart, nameCount)) is \(nameCount) bytes long, limit \(limits.labelNameLengthLimit)", at: nameStart)
            }
            let nameId = cache ? internLabelName(k, nameStart, nameCount)
                : interner.intern(base + nameStart, nameCount, validate: false)!
            if let previousStart, !LabelOrder.less(previousStart, previousCount, base + nameStart, nameCount) {
                order.sorted = false
            }
            previousStart = base + nameStart
            previousCount = nameCount
            skipBlanks()
            guard pos < end, base[pos] == UInt8(ascii: "=") else {
                throw error(pos < end && !isBlank(base[pos]) && base[pos] != newline && pos == nameStart + nameCount
                            ? "invalid character in label name" : "expected '=' after label name")
            }
            pos += 1
            skipBlanks()
            guard pos < end, base[pos] == quote else { throw error("expected '\"' to start label value") }
            let valueStart = pos
            let value = try labelValue(cacheSlot: cache ? k : -1)
            guard markName(nameId) else {
                throw error("duplicate label name \"\(interner.strings[Int(nameId)])\"", at: nameStart)
            }
            if value.isEmpty { order.hasEmptyValues = true }
            if limited {
                if limits.labelValueLengthLimit > 0 && value.utf8.count > limits.labelValueLengthLimit {
                    throw limitError("label_value_length_limit exceeded: value of label \(quoted(nameStart, nameCount)) is \(value.utf8.count) bytes long, limit \(limits.labelValueLengthLimit)", at: valueStart)
                }
                if !value.isEmpty { nonEmpty += 1 }
                if limits.labelLimit > 0 && nonEmpty > limits.labelLimit {
                    throw limitError("label_limit exceeded: more than \(limits.labelLimit) labels", at: nameStart)
                }
            }
            pairs.append(Label(interner.strings[Int(nameId)], value))
            k += 1
            skipBlanks()
            guard pos < end, base[pos] != newline else { throw error("unterminated label set; expected '}'") }
            c = base[pos]
            if c == UInt8(ascii: ",") {
                pos += 1
            } else if c != UInt8(ascii: "}") {
                throw error("expected ',' or '}' after label value")
            }
        }
    }

    /// A quoted label value at the opening quote; leaves `pos` after the closing quote.
    @inline(__always)
    private mutating func labelValue(cacheSlot: Int) throws(ExpositionError) -> String {
        let open = pos
        pos += 1
        let start = pos
        var escaped = false
        var high = false
        var i = pos
        while true {
            guard i < end else { throw error("unterminated label value", at: open) }
            let c = base[i]
            if c == quote { break }
            if c == newline { throw error("unterminated label value", at: open) }
            if c == backslash {
                guard i + 1 < end, base[i + 1] != newline else { throw error("unterminated label value", at: open) }
                let next = base[i + 1]
                guard next == backslash || next == quote || next == UInt8(ascii: "n") else {
                    throw error("invalid escape sequence '\\\(Character(Unicode.Scalar(next)))' in label value", at: i)
                }
                escaped = true
                i += 2
                continue
            }
            if c >= 0x80 { high = true }
            i += 1
        }
        pos = i
        let count = pos - start
        pos += 1
        if !escaped {
            if cacheSlot >= 0 && cacheSlot < previousLabelValues.count {
                let previous = previousLabelValues[cacheSlot]
                if previous.count == count && memoryEquals(base + previous.start, base + start, count) {
                    return interner.strings[Int(previous.id)]
                }
            }
            guard let id = interner.intern(base + start, count, validate: high) else {
                throw error("invalid UTF-8 in label value", at: start)
            }
            if cacheSlot >= 0 {
                if cacheSlot < previousLabelValues.count {
                    previousLabelValues[cacheSlot] = (start, count, id)
                } else if cacheSlot == previousLabelValues.count {
                    previousLabelValues.append((start, count, id))
                }
            }
            return interner.strings[Int(id)]
        }
        unescaped.removeAll(keepingCapacity: true)
        i = start
        while i < start + count {
            var c = base[i]
            if c == backslash {
                i += 1
                c = base[i] == UInt8(ascii: "n") ? newline : base[i]
            }
            unescaped.append(c)
            i += 1
        }
        guard let value = String(validating: unescaped, as: UTF8.self) else {
            throw error("invalid UTF-8 in label value", at: start)
        }
        return value
    }

    /// The interned id of the label name at position `k`, reusing the previous sample's.
    @inline(__always)
    private mutating func internLabelName(_ k: Int, _ start: Int, _ count: Int) -> Int32 {
        if k < previousLabelNames.count {
            let previous = previousLabelNames[k]
            if previous.count == count && memoryEquals(base + previous.start, base + start, count) {
                return previous.id
            }
        }
        let id = interner.intern(base + start, count, validate: false)!
        if k < previousLabelNames.count {
            previousLabelNames[k] = (start, count, id)
        } else if k == previousLabelNames.count {
            previousLabelNames.append((start, count, id))
        }
        return id
    }

    /// Sorts `pairs` by name when needed and drops empty values.
    @inline(__always)
    private func makeLabels(_ pairs: inout [Label], _ order: LabelOrder) -> Labels {
        if !order.sorted && pairs.count > 16 {
            pairs.sort { $0.name < $1.name } // names are distinct: order among equals cannot matter
        } else if !order.sorted {
            for i in 1..<pairs.count {
                let item = pairs[i]
                var j = i
                while j > 0, item.name < pairs[j - 1].name {
                    pairs[j] = pairs[j - 1]
                    j -= 1
                }
                if j != i { pairs[j] = item }
            }
        }
        if order.hasEmptyValues { pairs.removeAll { $0.value.isEmpty } }
        return Labels(sortedPairs: pairs)
    }
}

/// What parsing a label set noticed about it.
private struct LabelOrder {
    var sorted = true
    var hasEmptyValues = false

    static let inOrder = LabelOrder()

    /// `__name__`, which every sample's label set starts with.
    static var metricNameBytes: UnsafePointer<UInt8> { StaticString("__name__").utf8Start }

    /// Byte-wise (so, for ASCII label names, `String`) order.
    @inline(__always)
    static func less(_ a: UnsafePointer<UInt8>, _ an: Int, _ b: UnsafePointer<UInt8>, _ bn: Int) -> Bool {
        let n = min(an, bn)
        var i = 0
        while i < n {
            if a[i] != b[i] { return a[i] < b[i] }
            i += 1
        }
        return an < bn
    }
}
