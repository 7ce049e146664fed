import Foundation
import LookoutModel
import Testing
@testable import LookoutStorage

@Suite struct QueryTests {
    static let small = StorageOptions(partitionDuration: 10_000, partitionGrace: 5_000)

    /// Four series; `gone` only lives in partition 0 and is dropped from the head once it is written.
    func populate(_ store: MetricStore) throws {
        let api = series("http_requests_total", ["job": "api", "path": "/v1/users"])
        let apiOld = series("http_requests_total", ["job": "api", "path": "/v0/users"])
        let db = series("http_requests_total", ["job": "db"])
        let gone = series("gone_total", ["job": "batch", "env": "prod"])
        for t in stride(from: Int64(0), to: 40_000, by: 1000) {
            var b = batch(api, [(t, Double(t))]) + batch(db, [(t, 1)])
            if t < 20_000 { b += batch(apiOld, [(t, 2)]) }
            if t < 8_000 { b += batch(gone, [(t, 3)]) }
            _ = try store.appendSync(b)
        }
    }

    func names(_ data: [SeriesData]) -> [String] { data.map { $0.labels.description } }

    func checkQueries(_ store: MetricStore) throws {
        let all = Int64.min, end = Int64.max
        // equal
        #expect(try store.select([.equal("job", "db")], start: all, end: end).map(\.labels)
                == [series("http_requests_total", ["job": "db"])])
        // not equal, matching empty: selects series without the label too
        let noPath = try store.select([try LabelMatcher("path", .notEqual, "/v1/users")], start: all, end: end)
        #expect(names(noPath) == ["gone_total{env=\"prod\", job=\"batch\"}",
                                  "http_requests_total{job=\"api\", path=\"/v0/users\"}",
                                  "http_requests_total{job=\"db\"}"])
        // regex match
        let v = try store.select([try LabelMatcher("path", .regexMatch, "/v[0-9]/.*")], start: all, end: end)
        #expect(v.count == 2)
        // regex no-match together with an equality
        let notV0 = try store.select([.equal("__name__", "http_requests_total"),
                                      try LabelMatcher("path", .regexNoMatch, "/v0/.*")], start: all, end: end)
        #expect(names(notV0) == ["http_requests_total{job=\"api\", path=\"/v1/users\"}", "http_requests_total{job=\"db\"}"])
        // regex that matches empty selects series without the label
        let emptyOrDb = try store.select([try LabelMatcher("path", .regexMatch, "|/v0/users")], start: all, end: end)
        #expect(emptyOrDb.count == 3)
        // equal to empty: series without the label
        let withoutPath = try store.select([.equal("path", "")], start: all, end: end)
        #expect(names(withoutPath) == ["gone_total{env=\"prod\", job=\"batch\"}", "http_requests_total{job=\"db\"}"])
        // a disk-only series
        let gone = try store.select([.equal("__name__", "gone_total")], start: all, end: end)
        #expect(gone.first?.samples == (0..<8).map { Sample(Int64($0) * 1000, 3) })

        // series / labelNames / labelValues with time ranges and match lists
        #expect(try store.series(matching: [], start: 25_000, end: 30_000).count == 2)
        #expect(try store.series(matching: [], start: 0, end: 1000).count == 4)
        #expect(try store.series(matching: [[.equal("job", "batch")], [.equal("job", "db")]], start: 0, end: 1000).count == 2)
        #expect(try store.series(matching: [[.equal("job", "batch")]], start: 9_000, end: 40_000).isEmpty)
        #expect(try store.labelNames(matching: [], start: all, end: end) == ["__name__", "env", "job", "path"])
        #expect(try store.labelNames(matching: [[.equal("job", "db")]], start: all, end: end) == ["__name__", "job"])
        #expect(try store.labelValues("job", matching: [], start: 30_000, end: end) == ["api", "db"])
        #expect(try store.labelValues("__name__", matching: [], start: all, end: end) == ["gone_total", "http_requests_total"])
        #expect(try store.labelValues("path", matching: [[try LabelMatcher("path", .regexMatch, ".*v0.*")]],
                                      start: all, end: end) == ["/v0/users"])
    }

    @Test func matchersAndMetadataQueries() throws {
        try withTempDirectory { dir in
            let store = try MetricStore(directory: dir, options: Self.small, logger: quietLogger)
            defer { try? store.close() }
            try populate(store)
            #expect(store.stats.headSeries == 2) // `gone` and `apiOld` were written out and dropped from the head
            try checkQueries(store)
        }
    }

    @Test func sameAnswersAfterReopen() throws {
        try withTempDirectory { dir in
            do {
                let store = try MetricStore(directory: dir, options: Self.small, logger: quietLogger)
                try populate(store)
                try store.close()
            }
            let store = try MetricStore(directory: dir, options: Self.small, logger: quietLogger)
            defer { try? store.close() }
            try checkQueries(store)
            // A series written out and dropped from the head keeps its id when it comes back.
            _ = try store.appendSync(batch(series("gone_total", ["job": "batch", "env": "prod"]), [(45_000, 4)]))
            let gone = try store.select([.equal("__name__", "gone_total")], start: .min, end: .max)
            #expect(gone.count == 1 && gone.first?.samples.count == 9)
        }
    }

    @Test func seriesCreatedAfterAQueryAreFoundByTheNextOne() throws {
        try withTempDirectory { dir in
            let store = try MetricStore(directory: dir, options: Self.small, logger: quietLogger)
            defer { try? store.close() }
            let byName = [LabelMatcher.equal("__name__", "jobs_total")]
            let byRegex = [try LabelMatcher("job", .regexMatch, "a|b")]
            _ = try store.appendSync(batch(series("jobs_total", ["job": "a"]), [(1000, 1)]))
            #expect(try store.select(byName, start: 0, end: 5000).count == 1)
            #expect(try store.select(byRegex, start: 0, end: 5000).count == 1)
            _ = try store.appendSync(batch(series("jobs_total", ["job": "b"]), [(2000, 1)]))
            #expect(try store.select(byName, start: 0, end: 5000).count == 2)
            #expect(try store.select(byRegex, start: 0, end: 5000).count == 2)
            // Written to a partition and dropped from the head, then back: still one series.
            _ = try store.appendSync(batch(series("jobs_total", ["job": "a"]), [(30_000, 2)]))
            #expect(try store.select(byRegex, start: 0, end: 40_000).map { $0.samples.count }.sorted() == [1, 2])
        }
    }

    @Test func sameAnswersAsInMemoryQuerier() throws {
        try withTempDirectory { dir in
            let store = try MetricStore(directory: dir, options: Self.small, logger: quietLogger)
            defer { try? store.close() }
            var rng = SystemRandomNumberGenerator()
            var data: [Labels: [Sample]] = [:]
            let all = (0..<30).map { series("m\($0 % 3)", ["a": "\($0 % 5)", "b": "\($0 % 7)"]) }
            var t: Int64 = 0
            for _ in 0..<200 {
                t += Int64.random(in: 100...400, using: &rng)
                var b: [(labels: Labels, sample: Sample)] = []
                for l in all where Bool.random(using: &rng) {
                    let s = Sample(t, Double.random(in: 0...10, using: &rng))
                    b.append((l, s))
                    data[l, default: []].append(s)
                }
                _ = try store.appendSync(b)
            }
            let reference = InMemoryMetricQuerier(data.map { SeriesData(labels: $0.key, samples: $0.value) })
            let matcherSets: [[LabelMatcher]] = [
                [.equal("__name__", "m1")],
                [try LabelMatcher("a", .regexMatch, "[12]"), try LabelMatcher("b", .notEqual, "3")],
                [try LabelMatcher("__name__", .regexNoMatch, "m0")],
            ]
            for m in matcherSets {
                for (s, e) in [(Int64(0), t), (t / 3, t / 2), (t * 3 / 4, t), (t - 500, t)] {
                    #expect(try store.select(m, start: s, end: e) == reference.select(m, start: s, end: e))
                    #expect(try store.series(matching: [m], start: s, end: e) == reference.series(matching: [m], start: s, end: e))
                }
            }
        }
    }
}

@Suite struct SeriesRefTests {
    @Test func appendByRefSurvivesHeadDropAndRestart() throws {
        try withTempDirectory { dir in
            let opts = StorageOptions(partitionDuration: 10_000, partitionGrace: 5_000)
            let a = series("a"), b = series("b")
            var refA: SeriesRef
            do {
                let store = try MetricStore(directory: dir, options: opts, logger: quietLogger)
                refA = try store.seriesRef(for: a)
                let refB = try store.seriesRef(for: b)
                #expect(try store.seriesRef(for: a) == refA)
                #expect(try store.appendSync(refs: [(refA, Sample(1000, 1)), (refB, Sample(1000, 2))]).appended == 2)
                // b keeps going; a goes quiet and is dropped from the head once partition 0 is written.
                for t in stride(from: Int64(2000), to: 30_000, by: 1000) { _ = try store.appendSync(refs: [(refB, Sample(t, 2))]) }
                #expect(store.stats.headSeries == 1)
                // The old ref still works.
                #expect(try store.appendSync(refs: [(refA, Sample(30_000, 3))]).appended == 1)
                #expect(throws: StorageError.self) { try store.appendSync(refs: [(SeriesRef(id: 9999), Sample(30_000, 3))]) }
            }
            let store = try MetricStore(directory: dir, options: opts, logger: quietLogger)
            defer { try? store.close() }
            #expect(try store.seriesRef(for: a) == refA)
            #expect(try store.select([.equal("__name__", "a")], start: 0, end: 40_000).first?.samples
                    == [Sample(1000, 1), Sample(30_000, 3)])
        }
    }
}

@Suite struct LabelsTextTests {
    @Test func canonicalTextRoundTrips() {
        let cases: [Labels] = [
            .empty,
            series("up"),
            Labels(["__name__": "x", "a=b": "c\"d", "back\\slash": "new\nline", "é": "ü,}{="]),
        ]
        for labels in cases {
            #expect(LabelsText.decode(LabelsText.encode(labels)) == labels)
        }
        #expect(LabelsText.encode(Labels(["b": "2", "a": "1"])) == "{a=\"1\",b=\"2\"}")
    }

    @Test func timestampsOutOfBoundsAreRejected() throws {
        try withTempDirectory { dir in
            let store = try MetricStore(directory: dir, logger: quietLogger)
            defer { try? store.close() }
            let r = try store.appendSync(batch(series("x"), [(.min, 1), (.max, 2), (0, 3)]))
            #expect(r.outOfOrder == 2 && r.appended == 1)
        }
    }

    @Test func secondOpenerInAnotherProcessIsRefused() throws {
        // The lock is per process; within one process a reopen (as after a simulated crash) succeeds.
        try withTempDirectory { dir in
            let a = try MetricStore(directory: dir, logger: quietLogger)
            #expect(FileManager.default.fileExists(atPath: dir + "/LOCK"))
            try a.close()
        }
    }
}
