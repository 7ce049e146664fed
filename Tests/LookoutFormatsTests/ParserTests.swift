import LookoutFormats
import LookoutModel
import Testing

/// Well-formed bodies: syntax corners, metadata rules and OpenMetrics specifics.
@Suite struct ParserTests {
    private func text(_ body: String) throws -> Exposition {
        try ExpositionParser(format: .prometheusText).parse(body)
    }

    private func openMetrics(_ body: String) throws -> Exposition {
        try ExpositionParser(format: .openMetrics).parse(body)
    }

    @Test func whitespaceEscapesTrailingCommaAndTimestamp() throws {
        let exposition = try text("  foo { a = \"x\\\\y\\\"z\\nw\" , b=\"\",c=\"ü→😀\",} 1.5 -123\n")
        #expect(exposition.samples == [
            ScrapedSample(labels: ["__name__": "foo", "a": "x\\y\"z\nw", "c": "ü→😀"], value: 1.5, timestamp: -123),
        ])
    }

    @Test func labelsAreSortedAndIncludeName() throws {
        let sample = try #require(try text("m{z=\"1\",A=\"2\",_b=\"3\"} 7\n").samples.first)
        #expect(sample.labels.pairs.map(\.name) == ["A", "__name__", "_b", "z"])
        #expect(sample.labels.name == "m")
    }

    @Test func commentsBlankLinesAndMissingFinalNewline() throws {
        let exposition = try text("# just a comment\n#no space\n\n   \n# HELPER not help\na 1\n\t\nb{} 2")
        #expect(exposition.samples.map(\.value) == [1, 2])
        #expect(exposition.metadata.isEmpty)
    }

    @Test(arguments: [
        "NaN", "nan", "Inf", "+Inf", "-Inf", "inf", "-infinity", "+Infinity", "1", "-0", "0", "1e3", "1E+3",
        ".5", "5.", "-.5e-3", "0.000110286", "1.7954798735372064e+09", "123456789012345678901234567890",
        "0.1", "0.3", "9007199254740993", "4.9e-324", "1e-400", "2.2250738585072014e-308", "1e22", "1e23",
        "00012.5000", "1797693134862315708145274537e281", "0.00000000000000000000000000001234",
    ])
    func goFloatSyntax(_ literal: String) throws {
        let value = try #require(try text("x \(literal)\n").samples.first?.value)
        let lower = literal.lowercased()
        if lower.hasSuffix("nan") {
            #expect(value.isNaN)
        } else if lower.hasSuffix("inf") || lower.hasSuffix("infinity") {
            #expect(value == (literal.hasPrefix("-") ? -.infinity : .infinity))
        } else {
            let expected = try #require(Double(literal))
            #expect(value.bitPattern == expected.bitPattern, "\(value) vs \(expected)")
        }
    }

    @Test func decimalsMatchStandardLibraryExactly() throws {
        // Random decimal strings of every length; the fast path must round like strtod.
        var generator = SystemRandomNumberGenerator()
        var body = ""
        var literals: [String] = []
        for _ in 0..<3000 {
            let intDigits = Int.random(in: 0...12, using: &generator)
            let fracDigits = Int.random(in: intDigits == 0 ? 1...20 : 0...20, using: &generator)
            var literal = String((0..<intDigits).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
            if fracDigits > 0 {
                literal += "." + String((0..<fracDigits).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
            }
            if Bool.random(using: &generator) { literal += "e\(Int.random(in: -30...30, using: &generator))" }
            literals.append(literal)
            body += "x \(literal)\n"
        }
        let values = try text(body).samples.map(\.value)
        for (literal, value) in zip(literals, values) {
            #expect(value.bitPattern == Double(literal)!.bitPattern, "\(literal)")
        }
    }

    @Test func helpEscapesDifferByFormat() throws {
        let body = "# HELP foo a\\\\b\\nc \\\"q\\\" \\t\n"
        #expect(try text(body).metadata == [MetricMetadata(family: "foo", help: "a\\b\nc \\\"q\\\" \\t")])
        #expect(try openMetrics(body + "# EOF\n").metadata == [MetricMetadata(family: "foo", help: "a\\b\nc \"q\" \\t")])
    }

    @Test func textMetadataRules() throws {
        let exposition = try text("""
            # HELP h Latency.
            # TYPE h histogram
            h_bucket{le="1"} 1
            h_bucket{le="+Inf"} 2
            h_sum 3
            h_count 2
            # TYPE u untyped
            u 1
            c 5
            # HELP c late help is allowed
            # TYPE s summary
            # TYPE g gauge
            g 1
            s_sum 1
            s{quantile="0.5"} 1

            """)
        #expect(exposition.metadata == [
            MetricMetadata(family: "h", type: .histogram, help: "Latency."),
            MetricMetadata(family: "u", type: .unknown),
            MetricMetadata(family: "c", help: "late help is allowed"),
            MetricMetadata(family: "s", type: .summary),
            MetricMetadata(family: "g", type: .gauge),
        ])
        #expect(exposition.samples.count == 9)
        // The summary's children came after another family: still its children, so TYPE s is late.
        #expect(throws: ExpositionError.self) {
            try text("# TYPE s summary\n# TYPE g gauge\ng 1\ns_sum 1\ns 1\n# TYPE s summary\n")
        }
    }

    @Test func openMetricsFamiliesUnitsAndTimestamps() throws {
        let exposition = try openMetrics("""
            # TYPE req counter
            # UNIT req_seconds seconds
            # TYPE req_seconds counter
            # HELP req_seconds Time spent.
            req_seconds_total{a="b"} 17 1700000000.2346
            req_seconds_created{a="b"} 1.6e9 -1.5
            # TYPE temp gaugehistogram
            temp_bucket{le="+Inf"} 3 1700000000
            temp_gcount 3
            temp_gsum 9
            # TYPE st stateset
            st{st="a"} 1
            st{st="b"} 0
            # TYPE b info
            b_info{v="1"} 1
            untyped_thing 4
            # EOF
            """)
        #expect(exposition.metadata == [
            MetricMetadata(family: "req", type: .counter),
            MetricMetadata(family: "req_seconds", type: .counter, help: "Time spent.", unit: "seconds"),
            MetricMetadata(family: "temp", type: .gaugehistogram),
            MetricMetadata(family: "st", type: .stateset),
            MetricMetadata(family: "b", type: .info),
        ])
        #expect(exposition.samples.map(\.timestamp) == [1_700_000_000_235, -1500, 1_700_000_000_000, nil, nil, nil, nil, nil, nil])
        #expect(exposition.samples[1].value == 1.6e9)
    }

    @Test func openMetricsExemplars() throws {
        let limit = String(repeating: "x", count: 120)  // "trace_id" + 120 = 128 characters
        let exposition = try openMetrics("""
            # TYPE a counter
            a_total 1 # {} 2
            a_total{x="y"} 1 1.5 # {trace_id="\(limit)"} 0.3 1.7e9
            a_total{x="z"} 1 # {trace_id="ü\(limit.dropFirst())"} 0.3
            # EOF

            """)
        #expect(exposition.samples[0].exemplar == Exemplar(labels: .empty, value: 2))
        #expect(exposition.samples[1].timestamp == 1500)
        #expect(exposition.samples[1].exemplar == Exemplar(labels: ["trace_id": limit], value: 0.3, timestamp: 1_700_000_000_000))
        #expect(exposition.samples[2].exemplar?.labels["trace_id"]?.hasPrefix("ü") == true)
    }

    @Test func openMetricsEOFWithoutNewlineAndEmptyText() throws {
        #expect(try openMetrics("a 1\n# EOF").samples.count == 1)
        #expect(try openMetrics("# EOF\n").samples.isEmpty)
        #expect(try text("").samples.isEmpty)
        #expect(try text("\n\n").samples.isEmpty)
    }

    @Test func interningKeepsDistinctValuesDistinct() throws {
        let exposition = try text("""
            a{x="1"} 1
            a{x="12"} 2
            a{x="1"} 3
            b{x="12",y="1"} 4
            b{x="13",z="1"} 5
            ab{y="1",x="13"} 6
            ab{y="",x="\\\\"} 7
            ab{y="\\\\",x=""} 8

            """)
        #expect(exposition.samples.map { $0.labels["x"] } == ["1", "12", "1", "12", "13", "13", "\\", nil])
        #expect(exposition.samples.map { $0.labels["y"] } == [nil, nil, nil, "1", nil, "1", nil, "\\"])
        #expect(exposition.samples[4].labels["z"] == "1")
        #expect(exposition.samples.map { $0.labels.name } == ["a", "a", "a", "b", "b", "ab", "ab", "ab"])
        #expect(exposition.samples.map(\.labels.count) == [2, 2, 2, 3, 3, 3, 2, 2])
    }

    @Test func contentTypes() {
        #expect(ExpositionFormat(contentType: nil) == .prometheusText)
        #expect(ExpositionFormat(contentType: "text/plain; version=0.0.4; charset=utf-8") == .prometheusText)
        #expect(ExpositionFormat(contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8") == .openMetrics)
        #expect(ExpositionFormat(contentType: " Application/OpenMetrics-Text ;version=0.0.1") == .openMetrics)
        #expect(ExpositionFormat(contentType: "application/json") == .prometheusText)
        #expect(ExpositionFormat(contentType: "") == .prometheusText)
    }

    @Test func errorDescription() {
        #expect("\(ExpositionError(line: 3, column: 17, message: "expected '=' after label name"))"
                == "3:17: expected '=' after label name")
    }
}
