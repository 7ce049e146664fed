import HummingbirdTesting
import LookoutClient
import LookoutModel
import Testing

/// `LookoutClient` against a live server: every typed call, and a server error as a typed error.
@Suite struct LookoutClientLiveTests {
    @Test func typedCallsAgainstALiveServer() async throws {
        try await PrometheusAPITests.withApp(live: true) { client in
            let lookout = LookoutClient(url: "http://127.0.0.1:\(try #require(client.port))/")
            let instant = try await lookout.query("http_requests_total{code=\"500\"}", time: "135")
            #expect(instant.result == .vector([InstantSample(
                labels: ["__name__": "http_requests_total", "code": "500", "job": "api"], sample: Sample(135_000, 9))]))
            #expect(try await lookout.query("1+1", time: "2").result == .scalar(Sample(2000, 2)), "+ reaches the server as +")
            let range = try await lookout.queryRange("http_requests_total{code=\"500\"}", start: "0", end: "30", step: "15")
            guard case .matrix(let series) = range.result else { Issue.record("not a matrix: \(range.result)"); return }
            #expect(series.first?.samples.map(\.value) == [0, 1, 2])
            #expect(try await lookout.series(matching: ["http_requests_total"]).count == 2)
            #expect(try await lookout.labelNames() == ["__name__", "code", "job"])
            #expect(try await lookout.labelValues("code") == ["200", "500"])
            await #expect(throws: LookoutClientError.self) { try await lookout.query("sum(") }
            do {
                _ = try await lookout.query("sum(")
            } catch let error as LookoutClientError {
                #expect(error.status == 400 && error.errorType == "bad_data")
            }
        }
    }
}
