import Foundation
import LookoutModel
import SwiftProtobuf

/// Spans back into OTLP's shape, grouped by resource and scope as an SDK sent them: Tempo's
/// trace-by-id answers (`TraceByIDResponse` in protobuf, OTLP JSON otherwise).
public enum OTLPTraceEncoder {
    /// Tempo's `TraceByIDResponse{trace}` in protobuf.
    public static func traceByIDResponseProtobuf(_ spans: [Span]) -> [UInt8] {
        var response = Tempopb_TraceByIDResponse()
        response.trace.resourceSpans = resourceSpans(spans)
        return (try? response.serializedBytes()) ?? []
    }

    /// `{"trace":{"resourceSpans":[…]}}` (`/api/v2/traces/<id>` as JSON), with hex ids as OTLP/JSON writes them.
    public static func traceByIDResponseJSON(_ spans: [Span]) -> [UInt8] {
        Array("{\"trace\":".utf8) + tracesJSON(spans) + Array("}".utf8)
    }

    /// OTLP `TracesData` in protobuf: wire-compatible with Tempo's `Trace` (`/api/traces/<id>`).
    public static func traceProtobuf(_ spans: [Span]) -> [UInt8] {
        var data = Opentelemetry_Proto_Trace_V1_TracesData()
        data.resourceSpans = resourceSpans(spans)
        return (try? data.serializedBytes()) ?? []
    }

    /// `{"resourceSpans":[…]}`: OTLP/JSON `TracesData`, with hex ids; `key` renames the list
    /// (Tempo's v1 trace-by-id JSON calls it `batches`).
    public static func tracesJSON(_ spans: [Span], key: String = "resourceSpans") -> [UInt8] {
        var data = Opentelemetry_Proto_Trace_V1_TracesData()
        data.resourceSpans = resourceSpans(spans)
        var options = JSONEncodingOptions()
        options.alwaysPrintEnumsAsInts = true // OTLP/JSON's rule
        var json = OTLPJSONIDs.rewriteToHex((try? data.jsonUTF8Bytes(options: options)) ?? Array("{}".utf8))
        let prefix = Array("{\"resourceSpans\":".utf8)
        if key != "resourceSpans", json.starts(with: prefix) { json.replaceSubrange(0..<prefix.count, with: Array("{\"\(key)\":".utf8)) }
        return json
    }

    static func resourceSpans(_ spans: [Span]) -> [OTLPResourceSpans] {
        var order: [SpanResource] = []
        var byResource: [SpanResource: (scopes: [InstrumentationScope], spans: [InstrumentationScope: [Span]])] = [:]
        for s in spans.sorted(by: { ($0.startUnixNano, $0.spanID) < ($1.startUnixNano, $1.spanID) }) {
            if byResource[s.resource] == nil {
                order.append(s.resource)
                byResource[s.resource] = ([], [:])
            }
            if byResource[s.resource]!.spans[s.scope] == nil { byResource[s.resource]!.scopes.append(s.scope) }
            byResource[s.resource]!.spans[s.scope, default: []].append(s)
        }
        return order.map { resource in
            let group = byResource[resource]!
            return OTLPResourceSpans.with { rs in
                rs.resource = .with {
                    $0.attributes = OTLPAttributes.keyValues(resource.attributes)
                    $0.droppedAttributesCount = resource.droppedAttributesCount
                }
                rs.schemaURL = resource.schemaURL
                rs.scopeSpans = group.scopes.map { scope in
                    OTLPScopeSpans.with { ss in
                        ss.scope = .with {
                            $0.name = scope.name
                            $0.version = scope.version
                            $0.attributes = OTLPAttributes.keyValues(scope.attributes)
                            $0.droppedAttributesCount = scope.droppedAttributesCount
                        }
                        ss.schemaURL = scope.schemaURL
                        ss.spans = group.spans[scope]!.map(otlpSpan)
                    }
                }
            }
        }
    }

    static func otlpSpan(_ s: Span) -> OTLPSpan {
        OTLPSpan.with { o in
            o.traceID = Data(s.traceID.bytes)
            o.spanID = Data(s.spanID.bytes)
            if s.parentSpanID.isValid { o.parentSpanID = Data(s.parentSpanID.bytes) }
            o.traceState = s.traceState
            o.name = s.name
            o.kind = OTLPSpan.SpanKind(rawValue: Int(s.kind.rawValue)) ?? .unspecified
            o.startTimeUnixNano = s.startUnixNano
            o.endTimeUnixNano = s.endUnixNano
            o.attributes = OTLPAttributes.keyValues(s.attributes)
            o.droppedAttributesCount = s.droppedAttributesCount
            o.events = s.events.map { e in
                OTLPSpan.Event.with {
                    $0.timeUnixNano = e.timeUnixNano
                    $0.name = e.name
                    $0.attributes = OTLPAttributes.keyValues(e.attributes)
                    $0.droppedAttributesCount = e.droppedAttributesCount
                }
            }
            o.droppedEventsCount = s.droppedEventsCount
            o.links = s.links.map { l in
                OTLPSpan.Link.with {
                    $0.traceID = Data(l.traceID.bytes)
                    $0.spanID = Data(l.spanID.bytes)
                    $0.traceState = l.traceState
                    $0.attributes = OTLPAttributes.keyValues(l.attributes)
                    $0.droppedAttributesCount = l.droppedAttributesCount
                    $0.flags = l.flags
                }
            }
            o.droppedLinksCount = s.droppedLinksCount
            if s.status.code != .unset || !s.status.message.isEmpty {
                o.status = .with {
                    $0.code = Opentelemetry_Proto_Trace_V1_Status.StatusCode(rawValue: Int(s.status.code.rawValue)) ?? .unset
                    $0.message = s.status.message
                }
            }
            o.flags = s.flags
        }
    }
}

