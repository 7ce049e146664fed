import Foundation
import LookoutFormats
import Testing

/// Broken bodies and the error each must produce, one case a line:
///
///     format | body | line:column | message fragment
///
/// In a body `⏎` is a newline, `⟨FF⟩` a raw byte in hex and `⟨x*N⟩` the character x repeated N
/// times; everything else is literal. Columns count bytes from 1.
private let cases = #"""
text | foo⏎                                  | 1:4  | expected value after metric name
text | foo{a="b"}⏎                           | 1:11 | expected value after metric name
text | foo 1.2.3⏎                            | 1:5  | invalid value "1.2.3"
text | foo abc⏎                              | 1:5  | invalid value "abc"
text | foo 0x10⏎                             | 1:5  | invalid value "0x10"
text | foo 1_000⏎                            | 1:5  | invalid value "1_000"
text | foo 1e400⏎                            | 1:5  | invalid value "1e400"
text | foo +NaN⏎                             | 1:5  | invalid value "+NaN"
text | foo 1e⏎                               | 1:5  | invalid value "1e"
text | foo .⏎                                | 1:5  | invalid value "."
text | foo{a="b⏎                             | 1:7  | unterminated label value
text | foo{a="b} 1⏎                          | 1:7  | unterminated label value
text | foo{a="b\                             | 1:7  | unterminated label value
text | foo{a="\x"} 1⏎                        | 1:8  | invalid escape sequence '\x' in label value
text | foo{a="1",a="2"} 1⏎                   | 1:11 | duplicate label name "a"
text | foo{__name__="foo"} 1⏎                | 1:5  | duplicate label name "__name__"
text | foo{a "b"} 1⏎                         | 1:7  | expected '=' after label name
text | foo{a-b="c"} 1⏎                       | 1:6  | invalid character in label name
text | foo{a=b} 1⏎                           | 1:7  | expected '"' to start label value
text | foo{a="b" c="d"} 1⏎                   | 1:11 | expected ',' or '}' after label value
text | foo{a="b" 1⏎                          | 1:11 | expected ',' or '}' after label value
text | foo{a="b"⏎                            | 1:10 | unterminated label set
text | foo{1a="b"} 1⏎                        | 1:5  | invalid label name
text | foo{,} 1⏎                             | 1:5  | invalid label name
text | foo{a="⟨FF⟩"} 1⏎                      | 1:8  | invalid UTF-8 in label value
text | foo{a="\\⟨C3⟩"} 1⏎                    | 1:8  | invalid UTF-8 in label value
text | 1foo 1⏎                               | 1:1  | invalid metric name
text | ok 1⏎foo-bar 1⏎                       | 2:4  | invalid character in metric name
text | foo 1 abc⏎                            | 1:7  | invalid timestamp "abc"
text | foo 1 1.5⏎                            | 1:7  | invalid timestamp "1.5"; expected integer milliseconds
text | foo 1 99999999999999999999⏎           | 1:7  | invalid timestamp
text | foo 1 2 3⏎                            | 1:9  | unexpected text after timestamp
text | foo 1 # {a="b"} 1⏎                    | 1:7  | unexpected text after value
text | # TYPE foo counter⏎# TYPE foo gauge⏎  | 2:8  | duplicate '# TYPE' for "foo"
text | # HELP foo a⏎# HELP foo b⏎            | 2:8  | duplicate '# HELP' for "foo"
text | foo 1⏎# TYPE foo counter⏎             | 2:8  | '# TYPE' for "foo" after its samples
text | # TYPE foo bogus⏎                     | 1:12 | unknown metric type "bogus"
text | # TYPE foo gaugehistogram⏎            | 1:12 | unknown metric type "gaugehistogram"
text | # TYPE foo⏎                           | 1:11 | expected metric type after metric name
text | # TYPE foo counter x⏎                 | 1:20 | unexpected text after metric type
text | # TYPE 1foo counter⏎                  | 1:8  | invalid metric name in '# TYPE'
text | # TYPE foo-bar counter⏎               | 1:11 | invalid character in metric name in '# TYPE'
text | # HELP⏎                               | 1:7  | expected metric name after '# HELP'
text | # HELP foo ⟨FF⟩⏎                      | 1:12 | invalid UTF-8 in HELP text
om   |                                       | 1:1  | missing '# EOF'
om   | foo 1⏎                                | 2:1  | missing '# EOF'
om   | foo 1⏎# EOF⏎bar 1⏎                    | 3:1  | unexpected content after '# EOF'
om   | foo 1⏎# EOF⏎⏎                         | 3:1  | unexpected content after '# EOF'
om   | # EOF extra⏎                          | 1:6  | unexpected text after '# EOF'
om   | foo 1⏎⏎# EOF⏎                         | 2:1  | blank lines are not allowed
om   | # a comment⏎# EOF⏎                    | 1:1  | only '# HELP', '# TYPE', '# UNIT' and '# EOF' comments
om   | # TYPE a gauge⏎a 1⏎# TYPE b gauge⏎b 1⏎a 2⏎# EOF⏎ | 5:1 | sample of family "a" after its family ended
om   | a 1⏎b 1⏎a 2⏎# EOF⏎                    | 3:1  | families must not interleave
om   | # TYPE a gauge⏎# TYPE b gauge⏎# HELP a x⏎# EOF⏎ | 3:8 | '# HELP' for "a" after its family ended
om   | # TYPE a gauge⏎a 1⏎# HELP a x⏎# EOF⏎  | 3:8  | '# HELP' for "a" after its samples
om   | # TYPE a gauge⏎# TYPE a counter⏎# EOF⏎ | 2:8 | duplicate '# TYPE' for "a"
om   | # UNIT a_seconds seconds⏎# UNIT a_seconds seconds⏎# EOF⏎ | 2:8 | duplicate '# UNIT' for "a_seconds"
om   | # TYPE a bogus⏎# EOF⏎                 | 1:10 | unknown metric type "bogus"
om   | # TYPE a_seconds gauge⏎# UNIT a_seconds bytes⏎# EOF⏎ | 2:18 | unit "bytes" is not a suffix of metric family "a_seconds"
om   | # UNIT seconds seconds⏎# EOF⏎         | 1:16 | unit "seconds" is not a suffix
om   | # UNIT a_xseconds seconds⏎# EOF⏎      | 1:19 | unit "seconds" is not a suffix
om   | # UNIT a_s s!⏎# EOF⏎                  | 1:13 | invalid character in unit
om   | a_total 1 abc⏎# EOF⏎                  | 1:11 | invalid timestamp "abc"
om   | a_total 1 1e400⏎# EOF⏎                | 1:11 | invalid timestamp "1e400"
om   | a_total 1 # trace_id="x" 1⏎# EOF⏎     | 1:13 | expected '{' to start exemplar labels
om   | a_total 1 # {trace_id="x"}⏎# EOF⏎     | 1:27 | expected exemplar value
om   | a_total 1 # {trace_id="x"} y⏎# EOF⏎   | 1:28 | invalid exemplar value "y"
om   | a_total 1 # {t="x"} 1 2 3⏎# EOF⏎      | 1:25 | unexpected text after exemplar timestamp
om   | a_total 1 # {trace_id="⟨x*121⟩"} 1⏎# EOF⏎ | 1:13 | exemplar label set is 129 characters long; at most 128
om   | a_total 1 # {a="1",a="2"} 1⏎# EOF⏎    | 1:20 | duplicate label name "a"
"""#

private struct Case: CustomStringConvertible {
    let format: ExpositionFormat
    let body: [UInt8]
    let line: Int
    let column: Int
    let fragment: String
    let source: String
    var description: String { source }
}

/// Decodes `⏎`, `⟨FF⟩` and `⟨x*N⟩` in a table body.
private func decodeBody(_ text: Substring) -> [UInt8] {
    var out: [UInt8] = []
    var rest = text[...]
    while let ch = rest.first {
        rest = rest.dropFirst()
        if ch == "⏎" {
            out.append(0x0A)
        } else if ch == "⟨", let close = rest.firstIndex(of: "⟩") {
            let inner = rest[..<close]
            rest = rest[rest.index(after: close)...]
            if let star = inner.firstIndex(of: "*") {
                let repeated = String(inner[..<star])
                out += Array(String(repeating: repeated, count: Int(inner[inner.index(after: star)...])!).utf8)
            } else {
                out.append(UInt8(inner, radix: 16)!)
            }
        } else {
            out += Array(String(ch).utf8)
        }
    }
    return out
}

private let parsedCases: [Case] = cases.split(separator: "\n").map { row in
    let fields = row.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
    // Split the remainder from the right: body may contain '|' only in theory, never here.
    let rest = row[row.index(after: row.firstIndex(of: "|")!)...]
    let parts = rest.components(separatedBy: " | ")
    let body = parts[0].trimmingCharacters(in: .whitespaces)
    let position = parts[1].trimmingCharacters(in: .whitespaces).split(separator: ":")
    return Case(format: fields[0] == "om" ? .openMetrics : .prometheusText,
                body: decodeBody(body[...]),
                line: Int(position[0])!, column: Int(position[1])!,
                fragment: parts[2].trimmingCharacters(in: .whitespaces),
                source: String(row))
}

@Suite struct MalformedInputTests {
    @Test(arguments: parsedCases)
    fileprivate func rejects(_ testCase: Case) {
        #expect(throws: ExpositionError.self, "\(testCase)") {
            _ = try ExpositionParser(format: testCase.format).parse(testCase.body)
        }
        do {
            _ = try ExpositionParser(format: testCase.format).parse(testCase.body)
        } catch {
            #expect("\(error.line):\(error.column)" == "\(testCase.line):\(testCase.column)", "\(error)")
            #expect(error.message.contains(testCase.fragment), "\(error)")
        }
    }

    @Test func tableIsComplete() {
        #expect(parsedCases.count == cases.split(separator: "\n").count)
        #expect(parsedCases.count >= 60)
    }
}
