/// Name rules shared by the parsers, the config and the APIs.
public enum LabelName {
    /// `[a-zA-Z_][a-zA-Z0-9_]*`
    public static func isValid(_ name: String) -> Bool {
        var first = true
        for byte in name.utf8 {
            let letter = (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 95
            let digit = byte >= 48 && byte <= 57
            if !(letter || (!first && digit)) { return false }
            first = false
        }
        return !first
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
    public static func isValidMetricName(_ name: String) -> Bool {
        guard !name.isEmpty else { return false }
        return isValid(name.replacingColons())
    }
}

extension String {
    fileprivate func replacingColons() -> String {
        String(decoding: utf8.map { $0 == 58 ? 95 : $0 }, as: UTF8.self)
    }
}
