import Testing
@testable import LookoutServer

@Suite struct PromFormatTests {
    @Test func valuesPrintLikeGo() {
        #expect(PromFormat.value(1) == "1")
        #expect(PromFormat.value(0.1) == "0.1")
        #expect(PromFormat.value(1e21) == "1e+21")
        #expect(PromFormat.value(9.902246988233491e+299) == "9.902246988233491e+299")
        #expect(PromFormat.value(1.5e-7) == "1.5e-07")
        #expect(PromFormat.value(1e-6) == "0.000001")
        #expect(PromFormat.value(1e15) == "1000000000000000")
        #expect(PromFormat.value(1e16) == "10000000000000000")
        #expect(PromFormat.value(123456789012345680000) == "123456789012345680000")
        #expect(PromFormat.value(-2.5e6) == "-2500000")
        #expect(PromFormat.value(.nan) == "NaN")
        #expect(PromFormat.value(.infinity) == "+Inf")
        #expect(PromFormat.value(-.infinity) == "-Inf")
        #expect(PromFormat.value(123456.789) == "123456.789")
    }

    @Test func timesAreSecondsWithMilliseconds() {
        #expect(PromFormat.time(1_435_781_451_781) == "1435781451.781")
        #expect(PromFormat.time(1_435_781_451_000) == "1435781451")
        #expect(PromFormat.time(1_435_781_451_500) == "1435781451.5")
        #expect(PromFormat.time(-1_500) == "-1.5")
    }

    @Test func jsonWriterEscapes() {
        var writer = JSONWriter()
        writer.object { w in
            w.field("a", "x\"y\n")
            w.key("b")
            w.array { w in w.raw("1"); w.string("2") }
        }
        #expect(writer.text == #"{"a":"x\"y\n","b":[1,"2"]}"#)
    }
}
