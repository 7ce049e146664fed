import LookoutModel

/// Parses PromQL text into an `Expr`, type-checking it like Prometheus; errors carry `line:col`.
public enum PromQLParser {
    public static func parse(_ text: String) throws(QueryError) -> Expr {
        var lexer = Lexer(text)
        var parser = Parser(text: text, tokens: try lexer.tokenize())
        return try parser.parseQuery()
    }
}
