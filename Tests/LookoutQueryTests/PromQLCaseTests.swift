import Foundation
import Testing

/// Runs every `Cases/*.test` file through `PromQLCaseRunner`, with the evaluator's range fast paths
/// on (as served) and off (every step in full): both must give the expected answers.
@Suite struct PromQLCaseTests {
    @Test(arguments: [true, false]) func caseFiles(fastPaths: Bool) throws {
        let dir = try #require(Bundle.module.url(forResource: "Cases", withExtension: nil))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".test") }.sorted()
        #expect(!files.isEmpty)
        var total = 0
        for name in files {
            let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            var runner = PromQLCaseRunner(file: name, fastPaths: fastPaths)
            runner.run(text)
            total += runner.caseCount
            for failure in runner.failures {
                Issue.record(Comment(rawValue: "\(failure.description) (fast paths \(fastPaths ? "on" : "off"))"))
            }
        }
        print("PromQL cases run with fast paths \(fastPaths ? "on" : "off"): \(total)")
    }
}

/// Runs case files from the directory named by `PROMQL_EXTRA_CASES`, when set (for checking the
/// engine against other suites without committing them).
@Suite struct PromQLExtraCaseTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["PROMQL_EXTRA_CASES"] != nil, "PROMQL_EXTRA_CASES is not set"))
    func extraCaseFiles() throws {
        let path = ProcessInfo.processInfo.environment["PROMQL_EXTRA_CASES"]!
        let files = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".test") }.sorted()
        for name in files {
            let text = try String(contentsOfFile: path + "/" + name, encoding: .utf8)
            var runner = PromQLCaseRunner(file: name)
            runner.run(text)
            print("\(name): \(runner.caseCount) cases, \(runner.failures.count) failures")
            for failure in runner.failures { Issue.record(Comment(rawValue: failure.description)) }
        }
    }
}
