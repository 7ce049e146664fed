import LookoutModel

/// The columnar encoding of a list of spans (`docs/format/spans.md`): a string table, the
/// distinct resources and scopes, then one column per field, so that like bytes sit together for
/// the block codec. Used raw in WAL records and, zstd-compressed, in block files.
enum SpanColumns {
    /// Encodes `spans` in their order.
    static func encode(_ spans: [Span], into out: inout [UInt8]) {
        encode(spans, order: spans.indices, into: &out)
    }

    /// Encodes the spans at `order`, in that order (a block's spans sorted by trace, without
    /// copying them into a sorted array first).
    static func encode(_ spans: [Span], order: some Collection<Int>, into out: inout [UInt8]) {
        var strings = StringTable()
        var resources = InstanceTable<SpanResource>()
        var scopes = InstanceTable<InstrumentationScope>()
        var body: [UInt8] = []
        let n = order.count
        body.reserveCapacity(n * 64)
        // Fields are read in place (`spans[i].x`), never by copying a whole span.
        for i in order { BinaryCoding.putUInt64LE(&body, spans[i].traceID.high) }
        for i in order { BinaryCoding.putUInt64LE(&body, spans[i].traceID.low) }
        for i in order { BinaryCoding.putUInt64LE(&body, spans[i].spanID.raw) }
        for i in order { BinaryCoding.putUInt64LE(&body, spans[i].parentSpanID.raw) }
        var previous: UInt64 = 0
        for i in order {
            BinaryCoding.putVarint(&body, Int64(bitPattern: spans[i].startUnixNano &- previous))
            previous = spans[i].startUnixNano
        }
        for i in order { BinaryCoding.putUVarint(&body, spans[i].endUnixNano &- spans[i].startUnixNano) }
        for i in order { BinaryCoding.putUVarint(&body, strings.index(spans[i].name)) }
        for i in order { body.append(spans[i].kind.rawValue | spans[i].status.code.rawValue << 4) }
        for i in order { BinaryCoding.putUVarint(&body, strings.index(spans[i].status.message)) }
        // Spans of one request share their resource and scope instances: found by identity,
        // hashed by content once per instance.
        for i in order { BinaryCoding.putUVarint(&body, UInt64(resources.index(spans[i].resource))) }
        for i in order { BinaryCoding.putUVarint(&body, UInt64(scopes.index(spans[i].scope))) }
        for i in order { BinaryCoding.putUVarint(&body, strings.index(spans[i].traceState)) }
        for i in order { BinaryCoding.putUVarint(&body, UInt64(spans[i].flags)) }
        for i in order {
            BinaryCoding.putUVarint(&body, UInt64(spans[i].droppedAttributesCount))
            BinaryCoding.putUVarint(&body, UInt64(spans[i].droppedEventsCount))
            BinaryCoding.putUVarint(&body, UInt64(spans[i].droppedLinksCount))
        }
        for i in order { putAttributes(&body, spans[i].attributes, &strings) }
        for i in order {
            BinaryCoding.putUVarint(&body, UInt64(spans[i].events.count))
            for e in spans[i].events {
                BinaryCoding.putVarint(&body, Int64(bitPattern: e.timeUnixNano &- spans[i].startUnixNano))
                BinaryCoding.putUVarint(&body, strings.index(e.name))
                putAttributes(&body, e.attributes, &strings)
                BinaryCoding.putUVarint(&body, UInt64(e.droppedAttributesCount))
            }
        }
        for i in order {
            BinaryCoding.putUVarint(&body, UInt64(spans[i].links.count))
            for l in spans[i].links {
                BinaryCoding.putUInt64LE(&body, l.traceID.high)
                BinaryCoding.putUInt64LE(&body, l.traceID.low)
                BinaryCoding.putUInt64LE(&body, l.spanID.raw)
                BinaryCoding.putUVarint(&body, strings.index(l.traceState))
                putAttributes(&body, l.attributes, &strings)
                BinaryCoding.putUVarint(&body, UInt64(l.droppedAttributesCount))
                BinaryCoding.putUVarint(&body, UInt64(l.flags))
            }
        }
        // Resources and scopes go before the columns but are built while writing them.
        var tables: [UInt8] = []
        BinaryCoding.putUVarint(&tables, UInt64(resources.list.count))
        for r in resources.list {
            putAttributes(&tables, r.attributes, &strings)
            BinaryCoding.putUVarint(&tables, UInt64(r.droppedAttributesCount))
            BinaryCoding.putUVarint(&tables, strings.index(r.schemaURL))
        }
        BinaryCoding.putUVarint(&tables, UInt64(scopes.list.count))
        for c in scopes.list {
            BinaryCoding.putUVarint(&tables, strings.index(c.name))
            BinaryCoding.putUVarint(&tables, strings.index(c.version))
            putAttributes(&tables, c.attributes, &strings)
            BinaryCoding.putUVarint(&tables, UInt64(c.droppedAttributesCount))
            BinaryCoding.putUVarint(&tables, strings.index(c.schemaURL))
        }
        BinaryCoding.putUVarint(&out, UInt64(n))
        BinaryCoding.putUVarint(&out, UInt64(strings.list.count))
        for s in strings.list { BinaryCoding.putString(&out, s) }
        out += tables
        out += body
    }

    /// Decodes what `encode` wrote; nil when the bytes are not a whole encoding. `keep` picks the
    /// rows to build (all when nil), so a trace lookup builds only that trace's spans.
    static func decode(_ bytes: [UInt8], keep: ((TraceID) -> Bool)? = nil) -> [Span]? {
        var r = ByteReader(bytes)
        guard let n64 = r.uvarint(), n64 <= UInt64(r.remaining), let stringCount = r.uvarint(),
              stringCount <= UInt64(r.remaining) else { return nil }
        let n = Int(n64)
        var strings: [String] = []
        strings.reserveCapacity(Int(stringCount))
        for _ in 0..<stringCount {
            guard let s = r.string() else { return nil }
            strings.append(s)
        }
        func string(_ r: inout ByteReader) -> String? {
            guard let i = r.uvarint(), i < UInt64(strings.count) else { return nil }
            return strings[Int(i)]
        }
        guard let resourceCount = r.uvarint(), resourceCount <= UInt64(r.remaining) else { return nil }
        var resources: [SpanResource] = []
        for _ in 0..<resourceCount {
            guard let attributes = attributes(&r, strings), let dropped = r.uvarint(), let schema = string(&r) else { return nil }
            resources.append(SpanResource(attributes: attributes, droppedAttributesCount: UInt32(clamping: dropped), schemaURL: schema))
        }
        guard let scopeCount = r.uvarint(), scopeCount <= UInt64(r.remaining) else { return nil }
        var scopes: [InstrumentationScope] = []
        for _ in 0..<scopeCount {
            guard let name = string(&r), let version = string(&r), let attributes = attributes(&r, strings),
                  let dropped = r.uvarint(), let schema = string(&r) else { return nil }
            scopes.append(InstrumentationScope(name: name, version: version, attributes: attributes,
                                               droppedAttributesCount: UInt32(clamping: dropped), schemaURL: schema))
        }
        func fixed(_ r: inout ByteReader) -> [UInt64]? {
            guard r.remaining >= 8 * n else { return nil }
            return (0..<n).map { _ in r.uint64LE()! }
        }
        func column(_ r: inout ByteReader, _ read: (inout ByteReader) -> UInt64?) -> [UInt64]? {
            var values: [UInt64] = []
            values.reserveCapacity(n)
            for _ in 0..<n {
                guard let v = read(&r) else { return nil }
                values.append(v)
            }
            return values
        }
        guard let highs = fixed(&r), let lows = fixed(&r), let ids = fixed(&r), let parents = fixed(&r),
              let startDeltas = column(&r, { $0.varint().map { UInt64(bitPattern: $0) } }),
              let durations = column(&r, { $0.uvarint() }),
              let names = column(&r, { $0.uvarint() }),
              let kindStatus = column(&r, { $0.byte().map(UInt64.init) }),
              let messages = column(&r, { $0.uvarint() }),
              let resourceIndexes = column(&r, { $0.uvarint() }),
              let scopeIndexes = column(&r, { $0.uvarint() }),
              let states = column(&r, { $0.uvarint() }),
              let flags = column(&r, { $0.uvarint() }) else { return nil }
        let count = UInt64(strings.count)
        guard (names + messages + states).allSatisfy({ $0 < count }),
              resourceIndexes.allSatisfy({ $0 < UInt64(resources.count) }),
              scopeIndexes.allSatisfy({ $0 < UInt64(scopes.count) }) else { return nil }
        var spans: [Span] = []
        spans.reserveCapacity(keep == nil ? n : 0)
        var start: UInt64 = 0
        var dropped: [(UInt32, UInt32, UInt32)] = []
        dropped.reserveCapacity(n)
        for _ in 0..<n {
            guard let a = r.uvarint(), let e = r.uvarint(), let l = r.uvarint() else { return nil }
            dropped.append((UInt32(clamping: a), UInt32(clamping: e), UInt32(clamping: l)))
        }
        var spanAttributes: [[Attribute]] = []
        spanAttributes.reserveCapacity(n)
        for _ in 0..<n {
            guard let a = attributes(&r, strings) else { return nil }
            spanAttributes.append(a)
        }
        var starts: [UInt64] = []
        starts.reserveCapacity(n)
        for d in startDeltas {
            start &+= d
            starts.append(start)
        }
        var events: [[SpanEvent]] = []
        events.reserveCapacity(n)
        for i in 0..<n {
            guard let c = r.uvarint(), c <= UInt64(r.remaining) else { return nil }
            var list: [SpanEvent] = []
            for _ in 0..<c {
                guard let delta = r.varint(), let name = string(&r), let attributes = attributes(&r, strings),
                      let droppedAttributes = r.uvarint() else { return nil }
                list.append(SpanEvent(timeUnixNano: starts[i] &+ UInt64(bitPattern: delta), name: name,
                                      attributes: attributes, droppedAttributesCount: UInt32(clamping: droppedAttributes)))
            }
            events.append(list)
        }
        var links: [[SpanLink]] = []
        links.reserveCapacity(n)
        for _ in 0..<n {
            guard let c = r.uvarint(), c <= UInt64(r.remaining) else { return nil }
            var list: [SpanLink] = []
            for _ in 0..<c {
                guard let h = r.uint64LE(), let lo = r.uint64LE(), let id = r.uint64LE(), let state = string(&r),
                      let attributes = attributes(&r, strings), let droppedAttributes = r.uvarint(), let f = r.uvarint()
                else { return nil }
                list.append(SpanLink(traceID: TraceID(high: h, low: lo), spanID: SpanID(id), traceState: state,
                                     attributes: attributes, droppedAttributesCount: UInt32(clamping: droppedAttributes),
                                     flags: UInt32(clamping: f)))
            }
            links.append(list)
        }
        guard r.isAtEnd else { return nil }
        for i in 0..<n {
            let traceID = TraceID(high: highs[i], low: lows[i])
            if let keep, !keep(traceID) { continue }
            let ks = UInt8(kindStatus[i])
            spans.append(Span(
                traceID: traceID, spanID: SpanID(ids[i]), parentSpanID: SpanID(parents[i]),
                traceState: strings[Int(states[i])], name: strings[Int(names[i])],
                kind: SpanKind(rawValue: ks & 0xf) ?? .unspecified, startUnixNano: starts[i],
                endUnixNano: starts[i] &+ durations[i], attributes: spanAttributes[i],
                droppedAttributesCount: dropped[i].0, events: events[i], droppedEventsCount: dropped[i].1,
                links: links[i], droppedLinksCount: dropped[i].2,
                status: SpanStatus(code: SpanStatus.Code(rawValue: ks >> 4) ?? .unset, message: strings[Int(messages[i])]),
                flags: UInt32(clamping: flags[i]), resource: resources[Int(resourceIndexes[i])],
                scope: scopes[Int(scopeIndexes[i])]))
        }
        return spans
    }

    // MARK: Attributes

    private enum ValueTag: UInt8 {
        case empty = 0, string, bool, int, double, bytes, array, keyValues
    }

    private static func putAttributes(_ out: inout [UInt8], _ attributes: [Attribute], _ strings: inout StringTable) {
        BinaryCoding.putUVarint(&out, UInt64(attributes.count))
        for a in attributes {
            BinaryCoding.putUVarint(&out, strings.index(a.key))
            putValue(&out, a.value, &strings)
        }
    }

    private static func putValue(_ out: inout [UInt8], _ value: AttributeValue, _ strings: inout StringTable) {
        switch value {
        case .empty: out.append(ValueTag.empty.rawValue)
        case .string(let s): out.append(ValueTag.string.rawValue); BinaryCoding.putUVarint(&out, strings.index(s))
        case .bool(let b): out.append(ValueTag.bool.rawValue); out.append(b ? 1 : 0)
        case .int(let i): out.append(ValueTag.int.rawValue); BinaryCoding.putVarint(&out, i)
        case .double(let d): out.append(ValueTag.double.rawValue); BinaryCoding.putUInt64LE(&out, d.bitPattern)
        case .bytes(let b):
            out.append(ValueTag.bytes.rawValue)
            BinaryCoding.putUVarint(&out, UInt64(b.count))
            out += b
        case .array(let a):
            out.append(ValueTag.array.rawValue)
            BinaryCoding.putUVarint(&out, UInt64(a.count))
            for v in a { putValue(&out, v, &strings) }
        case .keyValues(let kv):
            out.append(ValueTag.keyValues.rawValue)
            putAttributes(&out, kv, &strings)
        }
    }

    private static func attributes(_ r: inout ByteReader, _ strings: [String], depth: Int = 0) -> [Attribute]? {
        guard depth < 32, let c = r.uvarint(), c <= UInt64(r.remaining) else { return nil }
        var list: [Attribute] = []
        list.reserveCapacity(Int(c))
        for _ in 0..<c {
            guard let k = r.uvarint(), k < UInt64(strings.count), let v = value(&r, strings, depth: depth) else { return nil }
            list.append(Attribute(strings[Int(k)], v))
        }
        return list
    }

    private static func value(_ r: inout ByteReader, _ strings: [String], depth: Int) -> AttributeValue? {
        guard let t = r.byte(), let tag = ValueTag(rawValue: t) else { return nil }
        switch tag {
        case .empty: return .empty
        case .string:
            guard let i = r.uvarint(), i < UInt64(strings.count) else { return nil }
            return .string(strings[Int(i)])
        case .bool: return r.byte().map { .bool($0 != 0) }
        case .int: return r.varint().map { .int($0) }
        case .double: return r.uint64LE().map { .double(Double(bitPattern: $0)) }
        case .bytes:
            guard let c = r.uvarint(), let b = r.take(Int(clamping: c)) else { return nil }
            return .bytes(Array(b))
        case .array:
            guard depth < 32, let c = r.uvarint(), c <= UInt64(r.remaining) else { return nil }
            var list: [AttributeValue] = []
            for _ in 0..<c {
                guard let v = value(&r, strings, depth: depth + 1) else { return nil }
                list.append(v)
            }
            return .array(list)
        case .keyValues:
            return attributes(&r, strings, depth: depth + 1).map { .keyValues($0) }
        }
    }

    /// Distinct values by first use, looked up by instance identity first.
    private struct InstanceTable<T: AnyObject & Hashable> {
        var list: [T] = []
        var byValue: [T: Int] = [:]
        var byIdentity: [ObjectIdentifier: Int] = [:]

        mutating func index(_ value: T) -> Int {
            if let known = byIdentity[ObjectIdentifier(value)] { return known }
            let index: Int
            if let known = byValue[value] { index = known } else {
                index = list.count
                byValue[value] = index
                list.append(value)
            }
            byIdentity[ObjectIdentifier(value)] = index
            return index
        }
    }

    /// Strings by first use, each written once. An open-addressing table over a cheap hash of the
    /// UTF-8 bytes: it is asked for every name, key and value of every span, and `Hasher`'s
    /// SipHash was a tenth of span ingest's CPU.
    private struct StringTable {
        var list: [String] = []
        private var hashes: [UInt64] = []
        /// Index into `list` + 1 per slot, 0 for an empty one; a power of two at most half full.
        private var slots = [UInt32](repeating: 0, count: 256)

        mutating func index(_ s: String) -> UInt64 {
            let h = Self.hash(s)
            let mask = slots.count - 1
            var p = Int(truncatingIfNeeded: h) & mask
            var probes = 0
            while slots[p] != 0 {
                let i = Int(slots[p] - 1)
                if hashes[i] == h && list[i] == s { return UInt64(i) }
                p = (p + 1) & mask
                probes += 1
                // Strings made to collide cost a bounded search: past it, a string is written
                // again rather than found (the encoding stays correct, only less compact).
                if probes == Self.maxProbes { break }
            }
            let i = list.count
            list.append(s)
            hashes.append(h)
            if probes < Self.maxProbes { slots[p] = UInt32(i + 1) }
            if list.count * 2 > slots.count { grow() }
            return UInt64(i)
        }

        static let maxProbes = 32
        /// Per process, so collisions cannot be prepared offline.
        static let seed = UInt64.random(in: .min ... .max)

        private mutating func grow() {
            slots = [UInt32](repeating: 0, count: slots.count * 2)
            let mask = slots.count - 1
            for (i, h) in hashes.enumerated() {
                var p = Int(truncatingIfNeeded: h) & mask
                var probes = 0
                while slots[p] != 0 && probes < Self.maxProbes { p = (p + 1) & mask; probes += 1 }
                if probes < Self.maxProbes { slots[p] = UInt32(i + 1) }
            }
        }

        /// 8 bytes at a time, multiplied and folded from a random seed.
        static func hash(_ s: String) -> UInt64 {
            var s = s
            return s.withUTF8 { bytes in
                var h: UInt64 = seed ^ UInt64(bytes.count)
                var i = 0
                while i + 8 <= bytes.count {
                    let word = UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self)
                    h = (h ^ word) &* 0xFF51_AFD7_ED55_8CCD
                    h ^= h >> 29
                    i += 8
                }
                var tail: UInt64 = 0
                var shift: UInt64 = 0
                while i < bytes.count {
                    tail |= UInt64(bytes[i]) << shift
                    shift += 8
                    i += 1
                }
                h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
                return h ^ (h >> 32)
            }
        }
    }
}
