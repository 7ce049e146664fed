import LookoutModel
import Testing
import LookoutFormats

@Suite struct JSONWriterTests {
    @Test func jsonWriterEscapes() {
        var writer = JSONWriter()
        writer.object { w in
            w.field("a", "x\"y\n")
            w.key("b")
            w.array { w in w.raw("1"); w.string("2") }
        }
        #expect(writer.text == #"{"a":"x\"y\n","b":[1,"2"]}"#)
    }

    @Test func quotingCopiesCleanStringsAndEscapesTheRest() {
        let cases: [(String, String)] = [
            ("plain_value-1.2", #""plain_value-1.2""#), ("héllo ✓", "\"héllo ✓\""), ("", #""""#),
            ("a\\b", #""a\\b""#), ("tab\there", #""tab\there""#), ("\u{01}\u{1f}", #""\u0001\u001f""#),
            ("cr\r", #""cr\r""#),
        ]
        for (input, expected) in cases {
            var writer = JSONWriter()
            writer.string(input)
            #expect(writer.text == expected, "\(input.debugDescription)")
        }
    }
}

@Suite struct JSONWriterPointTests {
    /// The byte-level fast path must spell points exactly as `PromNumber` does.
    @Test(arguments: [
        Sample(1_435_781_451_781, 1), Sample(1_435_781_451_000, -42), Sample(1_435_781_451_500, 0.25),
        Sample(1_435_781_451_010, 1e15), Sample(-1_500, 999_999_999_999_999), Sample(0, -0.0),
        Sample(7, .nan), Sample(1_000, .infinity), Sample(1_001, 1e-7), Sample(1_100, 1e21), Sample(12, -3.5e-3),
        Sample(1_050, 10), Sample(1_120, 120), Sample(-1_005, 1_000_000), Sample(9_999_999_999_990, 12_345_678_901),
    ])
    func pointsMatchPromNumber(_ sample: Sample) {
        var writer = JSONWriter()
        writer.point(sample)
        #expect(writer.text == "[\(PromNumber.seconds(sample.timestamp)),\"\(PromNumber.format(sample.value))\"]")
    }
}
