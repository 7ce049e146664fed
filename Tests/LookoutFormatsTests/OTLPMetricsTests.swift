import LookoutModel
import Testing
@testable import LookoutFormats

/// OTLP metrics in Prometheus's names and shapes, and what is refused per data point.
@Suite struct OTLPMetricsTests {
    @Test func namesGetUnitSuffixesAndTotals() {
        #expect(OTLPMetricNames.name("http.server.request.duration", unit: "s", kind: .histogram) == "http_server_request_duration_seconds")
        #expect(OTLPMetricNames.name("http.server.requests", unit: "{request}", kind: .counter) == "http_server_requests_total")
        #expect(OTLPMetricNames.name("system.network.io", unit: "By/s", kind: .gauge) == "system_network_io_bytes_per_second")
        #expect(OTLPMetricNames.name("cpu.utilization", unit: "1", kind: .gauge) == "cpu_utilization_ratio")
        #expect(OTLPMetricNames.name("queue_size_bytes", unit: "By", kind: .gauge) == "queue_size_bytes")
        #expect(OTLPMetricNames.name("jobs.total", unit: "", kind: .counter) == "jobs_total")
        #expect(OTLPMetricNames.name("2xx.count", unit: "", kind: .gauge) == "_2xx_count")
        #expect(OTLPMetricNames.labelName("http.route") == "http_route" && OTLPMetricNames.labelName("0a") == "key_0a")
    }

    static let json = """
        {"resourceMetrics":[{"resource":{"attributes":[
          {"key":"service.name","value":{"stringValue":"shop"}},{"key":"service.instance.id","value":{"stringValue":"i-1"}},
          {"key":"host.name","value":{"stringValue":"box"}}]},
         "scopeMetrics":[{"metrics":[
          {"name":"orders","unit":"{order}","sum":{"aggregationTemporality":2,"isMonotonic":true,
            "dataPoints":[{"timeUnixNano":"1700000000000000000","asInt":"7","attributes":[{"key":"http.route","value":{"stringValue":"/buy"}}]}]}},
          {"name":"latency","unit":"ms","histogram":{"aggregationTemporality":2,
            "dataPoints":[{"timeUnixNano":"1700000000000000000","count":"3","sum":12.5,"bucketCounts":["1","2","0"],"explicitBounds":[5,10]}]}},
          {"name":"temp","unit":"Cel","gauge":{"dataPoints":[{"timeUnixNano":"1700000000000000000","asDouble":21.5}]}},
          {"name":"deltas","sum":{"aggregationTemporality":1,"isMonotonic":true,"dataPoints":[{"asInt":"1"},{"asInt":"2"}]}},
          {"name":"expo","exponentialHistogram":{"aggregationTemporality":2,"dataPoints":[{"count":"1"}]}}
         ]}]}]}
        """

    @Test func sumsHistogramsAndGaugesBecomePrometheusSeries() throws {
        let decoded = try OTLPMetricsRequest.decode(Array(Self.json.utf8), encoding: .json)
        let byText = Dictionary(decoded.samples.map { ($0.labels.description, $0.sample.value) }, uniquingKeysWith: { a, _ in a })
        #expect(byText[#"orders_total{http_route="/buy", instance="i-1", job="shop"}"#] == 7)
        #expect(byText[#"latency_milliseconds_bucket{instance="i-1", job="shop", le="5"}"#] == 1)
        #expect(byText[#"latency_milliseconds_bucket{instance="i-1", job="shop", le="10"}"#] == 3)
        #expect(byText[#"latency_milliseconds_bucket{instance="i-1", job="shop", le="+Inf"}"#] == 3)
        #expect(byText[#"latency_milliseconds_sum{instance="i-1", job="shop"}"#] == 12.5)
        #expect(byText[#"latency_milliseconds_count{instance="i-1", job="shop"}"#] == 3)
        #expect(byText[#"temp_celsius{instance="i-1", job="shop"}"#] == 21.5)
        #expect(byText[#"target_info{host_name="box", instance="i-1", job="shop"}"#] == 1)
        #expect(decoded.samples.allSatisfy { $0.sample.timestamp == 1_700_000_000_000 })
        #expect(decoded.rejectedDataPoints == 3, "without an accumulator, deltas are refused")
        #expect(decoded.errorMessage.hasPrefix("metric \"deltas\": delta temporality is not taken here"))
        let response = String(decoding: decoded.response(.json), as: UTF8.self)
        #expect(response.contains("\"rejectedDataPoints\":\"3\""))
    }

    static func delta(start: Int, end: Int, value: Int) -> [UInt8] {
        Array("""
            {"resourceMetrics":[{"scopeMetrics":[{"metrics":[
              {"name":"hits","sum":{"aggregationTemporality":1,"isMonotonic":true,"dataPoints":[
                {"startTimeUnixNano":"\(start)000000","timeUnixNano":"\(end)000000","asInt":"\(value)"}]}},
              {"name":"lat","unit":"s","histogram":{"aggregationTemporality":1,"dataPoints":[
                {"startTimeUnixNano":"\(start)000000","timeUnixNano":"\(end)000000","count":"\(value)","sum":\(value),
                 "bucketCounts":["\(value)","0"],"explicitBounds":[1]}]}}]}]}]}
            """.utf8)
    }

    @Test func contiguousDeltaPointsBecomeCumulativeAndGapsAreRefused() throws {
        let deltas = OTLPDeltaAccumulator()
        func values(_ body: [UInt8]) throws -> (OTLPMetricsRequest, [String: Double]) {
            let r = try OTLPMetricsRequest.decode(body, encoding: .json, deltas: deltas)
            return (r, Dictionary(r.samples.map { ($0.labels.description, $0.sample.value) }, uniquingKeysWith: { a, _ in a }))
        }
        var (r, v) = try values(Self.delta(start: 1000, end: 2000, value: 3))
        #expect(r.rejectedDataPoints == 0 && v["hits_total"] == 3 && v[#"lat_seconds_bucket{le="1"}"#] == 3 && v["lat_seconds_count"] == 3)
        (r, v) = try values(Self.delta(start: 2000, end: 3000, value: 4))
        #expect(v["hits_total"] == 7 && v[#"lat_seconds_bucket{le="+Inf"}"#] == 7 && v["lat_seconds_sum"] == 7)
        (r, _) = try values(Self.delta(start: 2000, end: 3000, value: 4))
        #expect(r.rejectedDataPoints == 2 && r.errorMessage.contains("a repeat"))
        (r, _) = try values(Self.delta(start: 5000, end: 6000, value: 1))
        #expect(r.rejectedDataPoints == 2 && r.errorMessage.contains("the increments between were lost"))
        (r, v) = try values(Self.delta(start: 6000, end: 7000, value: 2))
        #expect(r.rejectedDataPoints == 0 && v["hits_total"] == 3, "a new run from the gap: a counter reset to PromQL")
    }

    @Test func aFullDeltaAccumulatorForgetsTheSeriesThatReportedLongestAgo() {
        let deltas = OTLPDeltaAccumulator(maxSeries: 4)
        for i in 0..<4 { _ = deltas.add(["s": "\(i)"], start: 0, time: UInt64(i + 1), deltas: [1]) }
        guard case .success = deltas.add(["s": "new"], start: 0, time: 10, deltas: [1]) else {
            Issue.record("a new series is taken when full")
            return
        }
        #expect(deltas.count <= 3)
        guard case .success(let totals) = deltas.add(["s": "3"], start: 4, time: 5, deltas: [2]) else {
            Issue.record("a recent series is kept")
            return
        }
        #expect(totals == [3])
    }
}
