import Foundation
import Testing

/// Runs every `Cases/*.test` file through `PromQLCaseRunner`.
@Suite struct PromQLCaseTests {
    @Test func caseFiles() throws {
        let dir = try #require(Bundle.module.url(forResource: "Cases", withExtension: nil))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".test") }.sorted()
        #expect(!files.isEmpty)
        var total = 0
        for name in files {
            let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            var runner = PromQLCaseRunner(file: name)
            runner.run(text)
            total += runner.caseCount
            for failure in runner.failures {
                Issue.record(Comment(rawValue: failure.description))
            }
        }
        print("PromQL cases run: \(total)")
    }
}

/// Runs case files from the directory named by `PROMQL_EXTRA_CASES`, when set (for checking the
/// engine against other suites without committing them).
@Suite struct PromQLExtraCaseTests {
    @Test func extraCaseFiles() throws {
        guard let path = ProcessInfo.processInfo.environment["PROMQL_EXTRA_CASES"] else { return }
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
