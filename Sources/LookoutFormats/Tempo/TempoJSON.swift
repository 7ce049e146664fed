import LookoutModel

/// Grafana Tempo's search JSON (`tempopb.SearchResponse`): `traces[]` with the root's names, the
/// start as a string of nanoseconds, the duration in ms and the matched spans as span sets, so
/// Grafana's Tempo data source reads Lookout's answers as Tempo's.
public enum TempoJSON {
    /// One search hit: the trace's root (or, before the root arrived, Tempo's placeholder names),
    /// its bounds, and up to `spss` of its matched spans.
    public struct Hit: Sendable {
        public var traceID: TraceID
        public var rootServiceName: String
        public var rootTraceName: String
        public var startUnixNano: UInt64
        public var durationNano: UInt64
        public var matched: [Span]

        public init(traceID: TraceID, rootServiceName: String, rootTraceName: String, startUnixNano: UInt64,
                    durationNano: UInt64, matched: [Span]) {
            self.traceID = traceID
            self.rootServiceName = rootServiceName
            self.rootTraceName = rootTraceName
            self.startUnixNano = startUnixNano
            self.durationNano = durationNano
            self.matched = matched
        }
    }

    public static func search(_ hits: [Hit], spansPerSpanSet: Int, inspectedTraces: Int) -> JSONWriter {
        var w = JSONWriter()
        w.object { w in
            w.key("traces")
            w.array { w in
                for hit in hits {
                    w.object { w in
                        w.field("traceID", hit.traceID.hex)
                        w.field("rootServiceName", hit.rootServiceName)
                        if !hit.rootTraceName.isEmpty { w.field("rootTraceName", hit.rootTraceName) }
                        w.field("startTimeUnixNano", String(hit.startUnixNano))
                        w.field("durationMs", Int(hit.durationNano / 1_000_000))
                        w.key("spanSet")
                        spanSet(hit.matched, spansPerSpanSet, into: &w)
                        w.key("spanSets")
                        w.array { w in spanSet(hit.matched, spansPerSpanSet, into: &w) }
                        w.key("serviceStats")
                        w.object { w in
                            var stats: [String: (count: Int, errors: Int)] = [:]
                            for s in hit.matched {
                                var v = stats[s.serviceName] ?? (0, 0)
                                v.count += 1
                                if s.status.code == .error { v.errors += 1 }
                                stats[s.serviceName] = v
                            }
                            for (service, v) in stats.sorted(by: { $0.key < $1.key }) {
                                w.key(service)
                                w.object { w in
                                    w.field("spanCount", v.count)
                                    if v.errors > 0 { w.field("errorCount", v.errors) }
                                }
                            }
                        }
                    }
                }
            }
            w.key("metrics")
            w.object { w in
                w.field("inspectedTraces", inspectedTraces)
                w.field("inspectedBytes", "0")
                w.field("completedJobs", 1)
                w.field("totalJobs", 1)
            }
        }
        return w
    }

    static func spanSet(_ spans: [Span], _ limit: Int, into w: inout JSONWriter) {
        w.object { w in
            w.key("spans")
            w.array { w in
                for s in spans.prefix(limit) {
                    w.object { w in
                        w.field("spanID", s.spanID.hex)
                        w.field("name", s.name)
                        w.field("startTimeUnixNano", String(s.startUnixNano))
                        w.field("durationNanos", String(s.durationNano))
                        w.key("attributes")
                        w.array { w in
                            w.object { w in
                                w.field("key", "service.name")
                                w.key("value")
                                w.object { w in w.field("stringValue", s.serviceName) }
                            }
                            if s.status.code != .unset {
                                w.object { w in
                                    w.field("key", "status")
                                    w.key("value")
                                    w.object { w in w.field("stringValue", s.status.code.shortName) }
                                }
                            }
                        }
                    }
                }
            }
            w.field("matched", spans.count)
        }
    }

    /// An attribute value as OTLP/JSON's `AnyValue`.
    public static func anyValue(_ v: AttributeValue, into w: inout JSONWriter) {
        w.object { w in
            switch v {
            case .string(let s): w.field("stringValue", s)
            case .bool(let b): w.field("boolValue", b)
            case .int(let i): w.field("intValue", String(i))
            case .double(let d): w.key("doubleValue"); w.raw(d.isFinite ? "\(d)" : "\"\(d)\"")
            default: w.field("stringValue", v.text)
            }
        }
    }

    /// Tempo's name for a value's type in tag value lists.
    public static func typeName(_ v: AttributeValue) -> String {
        switch v {
        case .string: "string"
        case .int: "int"
        case .double: "float"
        case .bool: "bool"
        default: "string"
        }
    }
}
