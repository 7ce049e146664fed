import Testing
@testable import LookoutServer

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
}
