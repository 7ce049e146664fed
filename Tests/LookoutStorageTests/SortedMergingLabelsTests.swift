import LookoutModel
import Testing
@testable import LookoutStorage

/// `MetricStore.sortedMergingLabels`: sorted by labels; one label set under several ids merges, the
/// first-listed sample winning a shared timestamp.
@Suite struct SortedMergingLabelsTests {
    @Test func sortsAndMerges() {
        let a: Labels = ["__name__": "m", "i": "a"], b: Labels = ["__name__": "m", "i": "b"]
        let merged = MetricStore.sortedMergingLabels([
            SeriesData(labels: b, samples: [Sample(1, 1), Sample(3, 3)]),
            SeriesData(labels: a, samples: [Sample(2, 20)]),
            SeriesData(labels: b, samples: [Sample(2, 2), Sample(3, 30), Sample(4, 4)]),
            SeriesData(labels: b, samples: [Sample(4, 40), Sample(5, 5)]),
        ])
        #expect(merged == [
            SeriesData(labels: a, samples: [Sample(2, 20)]),
            SeriesData(labels: b, samples: [Sample(1, 1), Sample(2, 2), Sample(3, 3), Sample(4, 4), Sample(5, 5)]),
        ])
        #expect(MetricStore.sortedMergingLabels([]) == [])
    }
}
