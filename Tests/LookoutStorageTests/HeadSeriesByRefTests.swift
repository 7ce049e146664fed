import LookoutModel
import Testing
@testable import LookoutStorage

@Suite struct HeadSeriesByRefTests {
    @Test func denseAndSparseRefs() {
        var map = HeadSeriesByRef()
        let symbols = LabelSymbols()
        let a = MemSeries(ref: 3, labels: Labels(["__name__": "a"]), symbols: symbols)
        let b = MemSeries(ref: HeadSeriesByRef.denseLimit + 7, labels: Labels(["__name__": "b"]), symbols: symbols)
        map[3] = a
        map[b.ref] = b
        map[3] = a // again: still one
        #expect(map.count == 2)
        #expect(map[3] === a && map[b.ref] === b)
        #expect(map[2] == nil && map[4] == nil && map[1 << 40] == nil)
        #expect(Set(map.keys) == [3, b.ref])
        map.removeAll { $0 === b }
        #expect(map.count == 1 && map[b.ref] == nil)
        map[3] = nil
        #expect(map.count == 0 && map.keys.isEmpty)
    }
}
