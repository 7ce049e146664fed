/// `topk` and `bottomk` of one group, choosing among tied values exactly the series Prometheus 2.42
/// does. Prometheus keeps a binary heap of k samples (Go's `container/heap` over
/// `vectorByValueHeap` / `vectorByReverseValueHeap`, whose `Less` ranks NaN lowest), fed in input
/// order: the first sample seeds it, later ones enter while it holds fewer than k, or when they beat
/// its top, or when its top is NaN; at k = 1 the top is replaced in place, otherwise popped first.
/// The heap is then sorted in reverse with insertion sort (what Go's `sort.Sort` does for up to
/// 12 elements; above that only the order of an instant result may differ, never the selection).
/// Which of several tied series survive depends on those heap moves, so a sort cannot reproduce it:
/// with A = 1, B = 1, C = 2 (in that order), `topk(2, …)` is C and B.
enum TopKSelection {
    static func select(_ members: [VSample], k: Int, bottom: Bool) -> [VSample] {
        guard k >= 1, let first = members.first else { return [] }
        let less: (VSample, VSample) -> Bool = bottom
            ? { $0.value.isNaN || $0.value > $1.value }
            : { $0.value.isNaN || $0.value < $1.value }
        var heap: [VSample] = [first]
        heap.reserveCapacity(min(k, members.count))
        for s in members.dropFirst() {
            let top = heap[0].value
            let beatsTop = bottom ? top > s.value : top < s.value
            guard heap.count < k || beatsTop || top.isNaN else { continue }
            if heap.count == k {
                if k == 1 {
                    heap[0] = s
                    continue
                }
                // heap.Pop: the last element to the top, sifted down, then removed.
                let n = heap.count - 1
                heap.swapAt(0, n)
                siftDown(&heap, from: 0, count: n, less)
                heap.removeLast()
            }
            heap.append(s) // heap.Push: appended, then sifted up
            siftUp(&heap, from: heap.count - 1, less)
        }
        // sort.Sort(sort.Reverse(heap)) by insertion sort: Reverse's Less(i, j) is less(h[j], h[i]).
        if heap.count > 1 {
            for i in 1..<heap.count {
                var j = i
                while j > 0 && less(heap[j - 1], heap[j]) {
                    heap.swapAt(j, j - 1)
                    j -= 1
                }
            }
        }
        return heap
    }

    private static func siftUp(_ heap: inout [VSample], from start: Int, _ less: (VSample, VSample) -> Bool) {
        var j = start
        while j > 0 {
            let parent = (j - 1) / 2
            guard less(heap[j], heap[parent]) else { break }
            heap.swapAt(parent, j)
            j = parent
        }
    }

    private static func siftDown(_ heap: inout [VSample], from start: Int, count n: Int,
                                 _ less: (VSample, VSample) -> Bool) {
        var i = start
        while true {
            let left = 2 * i + 1
            guard left < n else { break }
            var child = left
            if left + 1 < n && less(heap[left + 1], heap[left]) { child = left + 1 }
            guard less(heap[child], heap[i]) else { break }
            heap.swapAt(i, child)
            i = child
        }
    }
}
