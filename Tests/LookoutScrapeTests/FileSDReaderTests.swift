import Foundation
import Logging
import Testing
@testable import LookoutScrape

@Suite struct FileSDReaderTests {
    @Test func readsJSONAndYAMLAndFollowsChanges() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-sd-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try #"[{"targets": ["127.0.0.1:1"], "labels": {"env": "a"}}]"#.write(toFile: folder + "/a.json", atomically: true, encoding: .utf8)
        try "- targets: ['127.0.0.1:2']\n".write(toFile: folder + "/b.yaml", atomically: true, encoding: .utf8)
        try "not matched".write(toFile: folder + "/c.txt", atomically: true, encoding: .utf8)
        var reader = FileSDReader()
        let logger = Logger(label: "test")
        var groups = reader.groups(pattern: folder + "/*.json", logger: logger) + reader.groups(pattern: folder + "/*.yaml", logger: logger)
        #expect(groups == [TargetGroup(targets: ["127.0.0.1:1"], labels: ["env": "a"]), TargetGroup(targets: ["127.0.0.1:2"])])

        // A change is picked up; a broken file keeps its last good contents.
        try #"[{"targets": ["127.0.0.1:3"]}]"#.write(toFile: folder + "/a.json", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: folder + "/a.json")
        groups = reader.groups(pattern: folder + "/a.json", logger: logger)
        #expect(groups == [TargetGroup(targets: ["127.0.0.1:3"])])
        try "[{broken".write(toFile: folder + "/a.json", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(10)], ofItemAtPath: folder + "/a.json")
        groups = reader.groups(pattern: folder + "/a.json", logger: logger)
        #expect(groups == [TargetGroup(targets: ["127.0.0.1:3"])])
    }
}
