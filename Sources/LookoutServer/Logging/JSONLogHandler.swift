import LookoutFormats
import Foundation
import Logging
import LookoutModel
import Synchronization

/// A swift-log handler that writes one JSON object per line to stderr:
/// `{"ts":"…","level":"info","logger":"lookout","msg":"…","scrape.target":"…"}`.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    private static let output = Mutex(())

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var writer = JSONWriter()
        writer.object { writer in
            writer.field("ts", RFC3339.format(WallClock.nowMilliseconds()))
            writer.field("level", event.level.rawValue)
            writer.field("logger", label)
            writer.field("msg", event.message.description)
            let merged = self.metadata.merging(event.metadata ?? [:]) { $1 }
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                writer.field(key, "\(value)")
            }
        }
        let line = writer.text + "\n"
        Self.output.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }
}
