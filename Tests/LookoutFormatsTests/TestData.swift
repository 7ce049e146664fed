import Foundation

/// Finds the shared captures (`shared/testdata/exposition`) by walking up from this file, which
/// may be reached through the scratch package's symlink, falling back to `/work/shared`.
enum TestData {
    static let expositionDirectory: URL = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let fm = FileManager.default
        for _ in 0..<8 {
            let candidate = dir.appendingPathComponent("shared/testdata/exposition")
            if fm.fileExists(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        let resolved = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        dir = resolved
        for _ in 0..<8 {
            let candidate = dir.appendingPathComponent("shared/testdata/exposition")
            if fm.fileExists(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: "/work/shared/testdata/exposition")
    }()

    static func exposition(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: expositionDirectory.appendingPathComponent(name)))
    }
}
