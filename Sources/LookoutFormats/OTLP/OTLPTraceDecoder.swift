import LookoutModel
import SwiftProtobuf

/// Reading Tempo's trace-by-id protobuf back into spans (`lookout trace`).
public enum OTLPTraceDecoder {
    /// The spans of a `TraceByIDResponse` body.
    public static func spans(traceByIDResponse body: [UInt8]) throws(OTLPDecodeError) -> [Span] {
        let response: Tempopb_TraceByIDResponse
        do { response = try Tempopb_TraceByIDResponse(serializedBytes: body) } catch {
            throw OTLPDecodeError("the answer is not a Tempo TraceByIDResponse: \(error)")
        }
        var request = OTLPExportTraceRequest()
        request.resourceSpans = response.trace.resourceSpans
        return OTLPTraceRequest.convert(request).spans
    }
}
