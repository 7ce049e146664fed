import Foundation
import Testing

/// Runs every `LogQLCases/*.test` file through `LogQLCaseRunner`.
@Suite struct LogQLCaseTests {
    @Test func caseFiles() throws {
        let dir = try #require(Bundle.module.url(forResource: "LogQLCases", withExtension: nil))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".test") }.sorted()
        #expect(!files.isEmpty)
        var total = 0
        for name in files {
            let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            var runner = LogQLCaseRunner(file: name)
            runner.run(text)
            total += runner.caseCount
            for failure in runner.failures { Issue.record(Comment(rawValue: failure.description)) }
        }
        #expect(total > 50)
        print("LogQL cases run: \(total)")
    }
}
