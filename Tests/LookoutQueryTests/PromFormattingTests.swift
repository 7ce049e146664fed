import LookoutModel
import Testing
@testable import LookoutQuery

/// The Go float and duration formats Prometheus uses, as `LookoutModel` implements them.
@Suite struct PromFormattingTests {
    /// value, `strconv.FormatFloat(v, 'f', -1, 64)`, `fmt.Sprint(v)`, JSON-style `format`.
    static let floats: [(Double, String, String, String)] = [
        (0, "0", "0", "0"),
        (-0.0, "-0", "-0", "-0"),
        (1, "1", "1", "1"),
        (-2.5, "-2.5", "-2.5", "-2.5"),
        (123456, "123456", "123456", "123456"),
        (1e6, "1000000", "1e+06", "1000000"),
        (1234567, "1234567", "1.234567e+06", "1234567"),
        (2718470013502383, "2718470013502383", "2.718470013502383e+15", "2718470013502383"),
        (1e21, "1000000000000000000000", "1e+21", "1e+21"),
        (1.5e300, "15" + String(repeating: "0", count: 299), "1.5e+300", "1.5e+300"),
        (0.0001, "0.0001", "0.0001", "0.0001"),
        (0.00001, "0.00001", "1e-05", "0.00001"),
        (-0.0000123, "-0.0000123", "-1.23e-05", "-0.0000123"),
        (1e-7, "0.0000001", "1e-07", "1e-07"),
        (0.1 + 0.2, "0.30000000000000004", "0.30000000000000004", "0.30000000000000004"),
        (.leastNonzeroMagnitude, "0." + String(repeating: "0", count: 323) + "5", "5e-324", "5e-324"),
        (.nan, "NaN", "NaN", "NaN"),
        (.infinity, "+Inf", "+Inf", "+Inf"),
        (-.infinity, "-Inf", "-Inf", "-Inf"),
    ]

    @Test(arguments: floats)
    func formatsFloats(_ v: Double, _ plain: String, _ shortest: String, _ json: String) {
        #expect(PromNumber.formatPlain(v) == plain)
        #expect(PromNumber.formatShortest(v) == shortest)
        #expect(PromNumber.format(v) == json)
    }

    static let durations: [(String, Int64?)] = [
        ("1h30m", 5_400_000),
        ("500ms", 500),
        ("1y2w3d4h5m6s7ms", 31_536_000_000 + 2 * 604_800_000 + 3 * 86_400_000 + 4 * 3_600_000 + 5 * 60_000 + 6_000 + 7),
        ("", nil),
        ("5m1h", nil),
        ("5", nil),
        ("9223372036854775807ms", Int64.max),
        ("9223372036854775808ms", nil),
        ("292471208y", 292_471_208 * 31_536_000_000),
        ("292471209y", nil),
        // Each term fits but the sum does not.
        ("292471208y35w", 292_471_208 * 31_536_000_000 + 35 * 604_800_000),
        ("292471208y36w", nil),
        ("106751991167d7h", 106_751_991_167 * 86_400_000 + 7 * 3_600_000),
        ("106751991167d8h", nil),
    ]

    @Test(arguments: durations)
    func parsesDurations(_ text: String, _ ms: Int64?) {
        #expect(PromDuration.parse(text) == ms)
    }
}
