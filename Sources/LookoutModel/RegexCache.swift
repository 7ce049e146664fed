import Foundation
import Synchronization

/// Compiled regular expressions by pattern, shared by every query: dashboards send the same
/// selector regexes and `label_replace` patterns on every refresh, and compiling one with ICU
/// costs more than matching it against a few label values. Bounded: emptied when full.
///
/// `NSRegularExpression` is immutable and documented as safe to share between threads.
public enum RegexCache {
    public static let capacity = 1024

    private static let entries = Mutex<[String: NSRegularExpression]>([:])

    /// How many patterns are held.
    public static var count: Int { entries.withLock { $0.count } }

    /// The compiled `pattern` (ICU syntax); throws what `NSRegularExpression` throws.
    public static func compiled(_ pattern: String) throws -> NSRegularExpression {
        if let known = entries.withLock({ $0[pattern] }) { return known }
        let regex = try NSRegularExpression(pattern: pattern)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll() }
            entries[pattern] = regex
        }
        return regex
    }
}
