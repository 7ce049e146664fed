import Foundation
import LookoutModel
import SwiftProtobuf

/// One decoded `ExportTraceServiceRequest`: the spans that passed validation, and how many did
/// not with the reason of the first, for the response's `partial_success`.
public struct OTLPTraceRequest: Sendable {
    public var spans: [Span] = []
    public var rejectedSpans = 0
    /// Names the first rejected span and why; empty when none was.
    public var errorMessage = ""

    /// Decodes a request body (already inflated and within `server.max_body_bytes`); throws when
    /// the body as a whole does not decode (answered 400, nothing stored).
    public static func decode(_ body: [UInt8], encoding: OTLPEncoding) throws(OTLPDecodeError) -> OTLPTraceRequest {
        convert(try OTLPEncoding.message(OTLPExportTraceRequest.self, body, encoding, name: "ExportTraceServiceRequest"))
    }

    static func convert(_ request: OTLPExportTraceRequest) -> OTLPTraceRequest {
        var result = OTLPTraceRequest()
        for (r, resourceSpans) in request.resourceSpans.enumerated() {
            let resource = SpanResource(attributes: OTLPAttributes.attributes(resourceSpans.resource.attributes),
                                        droppedAttributesCount: resourceSpans.resource.droppedAttributesCount,
                                        schemaURL: resourceSpans.schemaURL)
            for (s, scopeSpans) in resourceSpans.scopeSpans.enumerated() {
                let scope = InstrumentationScope(name: scopeSpans.scope.name, version: scopeSpans.scope.version,
                                                 attributes: OTLPAttributes.attributes(scopeSpans.scope.attributes),
                                                 droppedAttributesCount: scopeSpans.scope.droppedAttributesCount,
                                                 schemaURL: scopeSpans.schemaURL)
                for (i, span) in scopeSpans.spans.enumerated() {
                    switch Self.span(span, resource: resource, scope: scope) {
                    case .success(let converted):
                        result.spans.append(converted)
                    case .failure(let reason):
                        if result.rejectedSpans == 0 {
                            result.errorMessage = "resourceSpans[\(r)].scopeSpans[\(s)].spans[\(i)] (name \(span.name.debugDescription)): \(reason.message)"
                        }
                        result.rejectedSpans += 1
                    }
                }
            }
        }
        return result
    }

    /// One span, validated: ids of the right length and not zero, end not before start.
    static func span(_ s: OTLPSpan, resource: SpanResource, scope: InstrumentationScope) -> Result<Span, OTLPDecodeError> {
        guard let traceID = s.traceID.withUnsafeBytes({ TraceID(raw: $0) }), traceID.isValid else {
            return .failure(OTLPDecodeError(s.traceID.count == 16 ? "trace_id is all zeros"
                                            : "trace_id must be 16 bytes (32 hex digits in JSON), got \(s.traceID.count)"))
        }
        guard let spanID = s.spanID.withUnsafeBytes({ SpanID(raw: $0) }), spanID.isValid else {
            return .failure(OTLPDecodeError(s.spanID.count == 8 ? "span_id is all zeros"
                                            : "span_id must be 8 bytes (16 hex digits in JSON), got \(s.spanID.count)"))
        }
        var parent = SpanID.none
        if !s.parentSpanID.isEmpty {
            guard let p = s.parentSpanID.withUnsafeBytes({ SpanID(raw: $0) }) else {
                return .failure(OTLPDecodeError("parent_span_id must be empty or 8 bytes (16 hex digits in JSON), got \(s.parentSpanID.count)"))
            }
            parent = p
        }
        guard s.endTimeUnixNano >= s.startTimeUnixNano else {
            return .failure(OTLPDecodeError("end_time_unix_nano \(s.endTimeUnixNano) is before start_time_unix_nano \(s.startTimeUnixNano)"))
        }
        guard s.startTimeUnixNano > 0 else { return .failure(OTLPDecodeError("start_time_unix_nano is missing")) }
        var links: [SpanLink] = []
        for link in s.links {
            guard let t = TraceID(bytes: link.traceID), let id = SpanID(bytes: link.spanID) else {
                return .failure(OTLPDecodeError("a link's trace_id or span_id has the wrong length"))
            }
            links.append(SpanLink(traceID: t, spanID: id, traceState: link.traceState,
                                  attributes: OTLPAttributes.attributes(link.attributes),
                                  droppedAttributesCount: link.droppedAttributesCount, flags: link.flags))
        }
        return .success(Span(
            traceID: traceID, spanID: spanID, parentSpanID: parent, traceState: s.traceState, name: s.name,
            kind: SpanKind(rawValue: UInt8(clamping: s.kind.rawValue)) ?? .unspecified,
            startUnixNano: s.startTimeUnixNano, endUnixNano: s.endTimeUnixNano,
            attributes: OTLPAttributes.attributes(s.attributes), droppedAttributesCount: s.droppedAttributesCount,
            events: s.events.map { e in
                SpanEvent(timeUnixNano: e.timeUnixNano, name: e.name, attributes: OTLPAttributes.attributes(e.attributes),
                          droppedAttributesCount: e.droppedAttributesCount)
            },
            droppedEventsCount: s.droppedEventsCount, links: links, droppedLinksCount: s.droppedLinksCount,
            status: SpanStatus(code: SpanStatus.Code(rawValue: UInt8(clamping: s.status.code.rawValue)) ?? .unset,
                               message: s.status.message),
            flags: s.flags, resource: resource, scope: scope))
    }

    /// The `ExportTraceServiceResponse` for this request, in `encoding`.
    public func response(_ encoding: OTLPEncoding) -> [UInt8] {
        var response = OTLPExportTraceResponse()
        if rejectedSpans > 0 {
            response.partialSuccess.rejectedSpans = Int64(rejectedSpans)
            response.partialSuccess.errorMessage = errorMessage
        }
        return Self.serialize(response, encoding)
    }

    static func serialize(_ message: some SwiftProtobuf.Message, _ encoding: OTLPEncoding) -> [UInt8] {
        switch encoding {
        case .protobuf: return (try? message.serializedBytes()) ?? []
        case .json: return (try? message.jsonUTF8Bytes()) ?? Array("{}".utf8)
        }
    }
}
