import LookoutClient
import LookoutModel
import Testing

/// Prometheus API answers decode into `LookoutModel` types; errors keep their `errorType`.
@Suite struct QueryResponseTests {
    static func decode(_ json: String, status: Int = 200) throws -> QueryValue {
        try QueryResponse(decoding: (status, Array(json.utf8))).result
    }

    @Test func vectorMatrixScalarAndString() throws {
        #expect(try Self.decode(#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"a"},"value":[1.5,"1"]}]}}"#)
                == .vector([InstantSample(labels: ["__name__": "up", "job": "a"], sample: Sample(1500, 1))]))
        #expect(try Self.decode(#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"x":"1"},"values":[[0,"NaN"],[15,"+Inf"],[30,"-2.5e-3"]]}]}}"#)
                == .matrix([SeriesData(labels: ["x": "1"], samples: [Sample(0, .nan), Sample(15_000, .infinity), Sample(30_000, -0.0025)])]))
        #expect(try Self.decode(#"{"status":"success","data":{"resultType":"scalar","result":[1700000000.123,"2"]}}"#)
                == .scalar(Sample(1_700_000_000_123, 2)))
        #expect(try Self.decode(#"{"status":"success","data":{"resultType":"string","result":[1,"hello"]}}"#)
                == .string("hello", 1000))
    }

    @Test func errorsCarryTheServersErrorType() {
        #expect(throws: LookoutClientError.self) {
            try Self.decode(#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unclosed left parenthesis"}"#, status: 400)
        }
        do {
            _ = try Self.decode(#"{"status":"error","errorType":"timeout","error":"query timed out"}"#, status: 503)
        } catch let error as LookoutClientError {
            #expect(error.status == 503 && error.errorType == "timeout" && "\(error)" == "error (timeout): query timed out")
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(throws: LookoutClientError.self) { try Self.decode("<html>proxy error</html>", status: 502) }
    }
}
