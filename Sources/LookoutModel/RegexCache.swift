import Synchronization

/// Compiled regular expressions by pattern, shared by every query: dashboards send the same
/// selector regexes and `label_replace` patterns on every refresh, and compiling one costs more
/// than matching it against a few label values. Bounded: emptied when full.
public enum RegexCache {
    public static let capacity = 1024

    private static let entries = Mutex<[String: RE2Regex]>([:])

    /// How many patterns are held.
    public static var count: Int { entries.withLock { $0.count } }

    /// The compiled `pattern` (RE2 syntax); throws RE2's reason for refusing it.
    public static func compiled(_ pattern: String) throws(RegexError) -> RE2Regex {
        if let known = entries.withLock({ $0[pattern] }) { return known }
        let regex = try RE2Regex(pattern)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll() }
            entries[pattern] = regex
        }
        return regex
    }
}
