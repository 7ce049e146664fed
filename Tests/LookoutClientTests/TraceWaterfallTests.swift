import LookoutModel
import Testing
@testable import LookoutClient

/// `lookout trace`'s waterfall: children under parents by start, offsets and durations, errors marked.
@Suite struct TraceWaterfallTests {
    static func span(_ id: UInt64, parent: UInt64 = 0, name: String, service: String, start: UInt64, ms: UInt64,
                     kind: SpanKind = .internal, error: String? = nil) -> Span {
        Span(traceID: TraceID(high: 0xab, low: 0xcd), spanID: SpanID(id), parentSpanID: SpanID(parent), name: name, kind: kind,
             startUnixNano: start * 1_000_000, endUnixNano: (start + ms) * 1_000_000,
             status: error.map { SpanStatus(code: .error, message: $0) } ?? SpanStatus(),
             resource: SpanResource(attributes: [Attribute("service.name", .string(service))]))
    }

    @Test func aTraceRendersAsATreeOnOneTimeScale() {
        let text = TraceWaterfall.render([
            Self.span(3, parent: 2, name: "POST /charge", service: "backend", start: 20, ms: 10, kind: .server, error: "card declined"),
            Self.span(1, name: "GET /checkout", service: "frontend", start: 0, ms: 40, kind: .server),
            Self.span(2, parent: 1, name: "call backend", service: "frontend", start: 15, ms: 20, kind: .client),
            Self.span(4, parent: 1, name: "render", service: "frontend", start: 36, ms: 2),
        ], width: 20)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "trace 00000000000000ab00000000000000cd · 4 spans · 2 services · 40ms")
        #expect(lines.count == 5)
        #expect(lines[1].hasPrefix("0ns        GET /checkout") && lines[1].contains("████████████████████") && lines[1].hasSuffix("frontend [server]"))
        #expect(lines[2].hasPrefix("15ms         call backend") && lines[2].contains("       ██████████ "))
        #expect(lines[3].hasPrefix("20ms           POST /charge") && lines[3].hasSuffix("backend [server]  ✗ error: card declined"))
        #expect(lines[4].hasPrefix("36ms         render"))
    }

    @Test func durationsReadAsPeopleWriteThem() {
        #expect(TraceWaterfall.duration(850) == "850ns")
        #expect(TraceWaterfall.duration(850_000) == "850µs")
        #expect(TraceWaterfall.duration(12_340_000) == "12.3ms")
        #expect(TraceWaterfall.duration(4_560_000_000) == "4.6s")
    }
}
