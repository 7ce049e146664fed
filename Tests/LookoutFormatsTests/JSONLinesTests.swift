import LookoutFormats
import LookoutModel
import Testing

/// `POST /api/v1/logs` bodies: fields, times, levels, labels, and per-line refusals that keep the
/// good lines of the same body.
struct JSONLinesTests {
    static let now: Int64 = 1_700_000_000_000_000_000

    static func decode(_ text: String, json: Bool = false, _ configure: (inout JSONLinesRequest.Options) -> Void = { _ in }) -> JSONLinesRequest {
        var options = JSONLinesRequest.Options()
        configure(&options)
        return JSONLinesRequest.decode(Array(text.utf8), json: json, options: options, nowNs: now)
    }

    @Test func aLineBecomesARecordWithItsLabelsFieldsAndIDs() throws {
        let r = Self.decode("""
            {"ts":"2026-12-03T10:00:00.123456789Z","level":"WARNING","service":"checkout","msg":"card declined","user":{"id":42,"tier":"gold"},"tags":["a","b"],"trace_id":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","ok":false,"n":null}
            """)
        #expect(r.errors.isEmpty)
        let record = try #require(r.records.first)
        #expect(record.labels == ["service": "checkout", "level": "warn"])
        #expect(record.timestampNs == 1_796_292_000_123_456_789)
        #expect(record.line == "card declined")
        #expect(record.level == .warn)
        #expect(record.fields == [LogField("user_id", "42"), LogField("user_tier", "gold"), LogField("tags", #"["a","b"]"#),
                                  LogField("ok", "false"), LogField("n", "null")])
        #expect(record.traceID == TraceID(hex: "0af7651916cd43dd8448eb211c80319c"))
        #expect(record.spanID == SpanID(hex: "b7ad6b7169203331"))
    }

    @Test func epochTimesAreToldApartByMagnitude() {
        let ns: Int64 = 1_764_756_000_000_000_000
        for (text, expected) in [("1764756000", ns), ("1764756000.5", ns + 500_000_000), ("1764756000000", ns),
                                 ("1764756000000000", ns), ("1764756000000000123", ns + 123), (#""1764756000000""#, ns),
                                 (#""2025-12-03T10:00:00+01:00""#, ns - 3_600_000_000_000)] {
            let r = Self.decode(#"{"time":\#(text),"msg":"x"}"#)
            #expect(r.records.first?.timestampNs == expected, "\(text)")
        }
        #expect(Self.decode(#"{"msg":"no time"}"#).records.first?.timestampNs == Self.now)
    }

    @Test func badLinesAreRefusedByNumberAndTheOthersKept() {
        let r = Self.decode("""
            {"msg":"one"}
            not json
            {"msg":"three","time":"yesterday"}

            {"msg":"five"} trailing
            {"msg":"six","time":-5}
            {"msg":"\(String(repeating: "x", count: 100))"}
            {"msg":"eight"}
            """) { $0.maxLineBytes = 64 }
        #expect(r.records.map(\.line) == ["one", "eight"])
        #expect(r.errors.map(\.line) == [2, 3, 5, 6, 7])
        #expect(r.errors[0].message.contains("not a JSON object"))
        #expect(r.errors[1].message.contains("\"yesterday\" is neither RFC 3339 nor an epoch number"))
        #expect(r.errors[4].message.contains("longer than logs.max_line_bytes (64)"))
    }

    @Test func aJSONBodyHoldsOneObjectOrAnArray() {
        #expect(Self.decode(#"{"message":"one","lvl":"error"}"#, json: true).records.map(\.level) == [.error])
        let array = Self.decode(#" [ {"log":"a"}, 5, {"log":"c"} ] "#, json: true)
        #expect(array.records.map(\.line) == ["a", "c"])
        #expect(array.errors.map(\.line) == [2])
        #expect(Self.decode(#"[{"log":"a"}"#, json: true).errors.first?.message.contains("not a JSON array") == true)
    }

    @Test func streamLabelsAndTheTenantAreConfigured() {
        let r = Self.decode(#"{"msg":"m","service":"api","pod":"p-1","level":"info"}"#) {
            $0.streamLabels = ["service", "pod"]
            $0.tenant = "team-a"
        }
        #expect(r.records.first?.labels == ["service": "api", "pod": "p-1", "tenant": "team-a"])
        #expect(r.records.first?.level == .info)
    }

    @Test func aLineWithoutAMessageKeepsItsWholeText() {
        let text = #"{"event":"login","user":"ada"}"#
        #expect(Self.decode(text).records.first?.line == text)
    }

    @Test func stringsAreUnescapedAndBrokenOnesRefused() throws {
        let fields = try FlatJSON.fields(Array(#"{"a":"tab\tquote\"é\u00e9\ud83d\ude00","b":-1.5e3}"#.utf8))
        #expect(fields.map(\.0) == ["a", "b"])
        #expect(fields[0].1 == .string("tab\tquote\"éé😀"))
        #expect(fields[1].1 == .number("-1.5e3"))
        for bad in [#"{"a":"\ud83d"}"#, #"{"a":01}"#, #"{"a":"x"#, #"{"a" 1}"#, #"{"a":tru}"#, "{\"a\":\"\u{1}\"}",
                    String(repeating: #"{"a":"#, count: 70) + "1" + String(repeating: "}", count: 70)] {
            #expect(throws: FlatJSON.Failure.self, "\(bad)") { try FlatJSON.fields(Array(bad.utf8)) }
        }
    }

    @Test func levelsAreNormalised() {
        #expect(["warn", "WARNING", "Warn", "w"].map(LogLevel.init(text:)) == [.warn, .warn, .warn, .warn])
        #expect(LogLevel(text: "ERR") == .error && LogLevel(text: "critical") == .fatal && LogLevel(text: "chatty") == .unknown)
        #expect([1, 5, 9, 13, 17, 21, 0].map(LogLevel.init(severityNumber:)) == [.trace, .debug, .info, .warn, .error, .fatal, .unknown])
    }

    @Test func rfc3339KeepsNanosecondsAndRefusesNonsense() {
        #expect(LogTimestamp.parseRFC3339("1970-01-01T00:00:00Z") == 0)
        #expect(LogTimestamp.parseRFC3339("2026-12-03T10:00:00.000000001Z") == 1_796_292_000_000_000_001)
        #expect(LogTimestamp.parseRFC3339("2026-12-03T11:00:00+01:00") == 1_796_292_000_000_000_000)
        #expect(LogTimestamp.parseRFC3339("2026-12-03T09:30:00-0030") == 1_796_292_000_000_000_000, "Python's %z")
        for bad in ["2026-12-03T10:00:00+01", "2026-12-03T10:00:00+01:0", "2026-13-03T10:00:00Z", "2026-12-03T10:00:00", "2026-12-03T10:00:00.Z", "2026-12-03T25:00:00Z", "x"] {
            #expect(LogTimestamp.parseRFC3339(bad) == nil, "\(bad)")
        }
    }
}
