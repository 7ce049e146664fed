import LookoutModel

/// Jaeger's query API JSON (jaegertracing/jaeger `model/json`): traces with `processes`, spans
/// with `references`, µs times, typed tags and logs from span events, in the `{data, total,
/// limit, offset, errors}` envelope, so Grafana's Jaeger data source and Jaeger's UI read it.
public enum JaegerJSON {
    /// `{data: <body>, total, limit: 0, offset: 0, errors: null}`.
    public static func envelope(total: Int, _ data: (inout JSONWriter) -> Void) -> JSONWriter {
        var w = JSONWriter()
        w.object { w in
            w.key("data")
            data(&w)
            w.field("total", total)
            w.field("limit", 0)
            w.field("offset", 0)
            w.null("errors")
        }
        return w
    }

    /// Jaeger's error shape: `{data: null, …, errors: [{code, msg}]}`.
    public static func error(code: Int, _ message: String) -> JSONWriter {
        var w = JSONWriter()
        w.object { w in
            w.null("data")
            w.field("total", 0)
            w.field("limit", 0)
            w.field("offset", 0)
            w.key("errors")
            w.array { w in w.object { w in w.field("code", code); w.field("msg", message) } }
        }
        return w
    }

    /// One trace: its spans sorted by start, one process per distinct resource.
    public static func trace(_ spans: [Span], into w: inout JSONWriter) {
        let sorted = spans.sorted { ($0.startUnixNano, $0.spanID) < ($1.startUnixNano, $1.spanID) }
        var processIDs: [SpanResource: String] = [:]
        var processes: [(String, SpanResource)] = []
        for s in sorted where processIDs[s.resource] == nil {
            let id = "p\(processes.count + 1)"
            processIDs[s.resource] = id
            processes.append((id, s.resource))
        }
        w.object { w in
            w.field("traceID", sorted.first?.traceID.hex ?? "")
            w.key("spans")
            w.array { w in
                for s in sorted { span(s, processID: processIDs[s.resource]!, into: &w) }
            }
            w.key("processes")
            w.object { w in
                for (id, resource) in processes {
                    w.key(id)
                    w.object { w in
                        w.field("serviceName", resource.serviceName)
                        w.key("tags")
                        tags(resource.attributes.filter { $0.key != "service.name" }, into: &w)
                    }
                }
            }
            w.null("warnings")
        }
    }

    static func span(_ s: Span, processID: String, into w: inout JSONWriter) {
        w.object { w in
            w.field("traceID", s.traceID.hex)
            w.field("spanID", s.spanID.hex)
            w.field("flags", Int(s.flags & 0xff))
            w.field("operationName", s.name)
            w.key("references")
            w.array { w in
                if s.parentSpanID.isValid { reference("CHILD_OF", s.traceID, s.parentSpanID, into: &w) }
                for l in s.links { reference("FOLLOWS_FROM", l.traceID, l.spanID, into: &w) }
            }
            w.field("startTime", s.startUnixNano / 1000)
            w.field("duration", s.durationNano / 1000)
            w.key("tags")
            tags(s.attributes + intrinsicTags(s), into: &w)
            w.key("logs")
            w.array { w in
                for e in s.events {
                    w.object { w in
                        w.field("timestamp", e.timeUnixNano / 1000)
                        w.key("fields")
                        tags([Attribute("event", .string(e.name))] + e.attributes, into: &w)
                    }
                }
            }
            w.field("processID", processID)
            w.null("warnings")
        }
    }

    /// The tags Jaeger's OTLP translation adds: scope, kind, status and `error`.
    static func intrinsicTags(_ s: Span) -> [Attribute] {
        var t: [Attribute] = []
        if !s.scope.name.isEmpty { t.append(Attribute("otel.scope.name", .string(s.scope.name))) }
        if !s.scope.version.isEmpty { t.append(Attribute("otel.scope.version", .string(s.scope.version))) }
        if s.kind != .unspecified { t.append(Attribute("span.kind", .string(s.kind.shortName))) }
        switch s.status.code {
        case .unset: break
        case .ok: t.append(Attribute("otel.status_code", .string("OK")))
        case .error:
            t.append(Attribute("otel.status_code", .string("ERROR")))
            t.append(Attribute("error", .bool(true)))
        }
        if !s.status.message.isEmpty { t.append(Attribute("otel.status_description", .string(s.status.message))) }
        return t
    }

    static func reference(_ type: String, _ trace: TraceID, _ span: SpanID, into w: inout JSONWriter) {
        w.object { w in
            w.field("refType", type)
            w.field("traceID", trace.hex)
            w.field("spanID", span.hex)
        }
    }

    static func tags(_ attributes: [Attribute], into w: inout JSONWriter) {
        w.array { w in
            for a in attributes {
                w.object { w in
                    w.field("key", a.key)
                    switch a.value {
                    case .bool(let b): w.field("type", "bool"); w.field("value", b)
                    case .int(let i): w.field("type", "int64"); w.key("value"); w.raw(String(i))
                    case .double(let d) where d.isFinite: w.field("type", "float64"); w.key("value"); w.raw("\(d)")
                    case .bytes: w.field("type", "binary"); w.field("value", a.value.text)
                    default: w.field("type", "string"); w.field("value", a.value.text)
                    }
                }
            }
        }
    }
}
