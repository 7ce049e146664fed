import Foundation
import Testing
@testable import LookoutModel

/// Compiled regexes are shared by pattern, invalid patterns still fail, and the cache stays bounded.
@Suite struct RegexCacheTests {
    @Test func aPatternIsCompiledOnce() throws {
        let first = try RegexCache.compiled("^(?:regex-cache-test-[0-9]+)$")
        let second = try RegexCache.compiled("^(?:regex-cache-test-[0-9]+)$")
        #expect(first === second)
        #expect(try RegexCache.compiled("^(?:regex-cache-test-[a-z]+)$") !== first)
    }

    @Test func anInvalidPatternThrowsEveryTime() {
        #expect(throws: (any Error).self) { try RegexCache.compiled("(unclosed") }
        #expect(throws: (any Error).self) { try RegexCache.compiled("(unclosed") }
        #expect(throws: LabelMatcherError.self) { try LabelMatcher("job", .regexMatch, "(unclosed") }
    }

    @Test func matchersShareCompiledRegexesAndStillMatch() throws {
        let a = try LabelMatcher("path", .regexMatch, "/api/.+")
        let b = try LabelMatcher("path", .regexMatch, "/api/.+")
        #expect(a.matches("/api/v1") && b.matches("/api/v1"))
        #expect(!a.matches("/healthz") && !b.matches("/healthz"))
    }

    @Test func staysWithinItsCapacity() throws {
        for i in 0...(RegexCache.capacity + 10) { _ = try RegexCache.compiled("^bounded-\(i)$") }
        #expect(RegexCache.count <= RegexCache.capacity)
    }
}

/// Regexes are RE2's: Prometheus's syntax, whole-string matches, linear time.
@Suite struct RE2RegexTests {
    @Test func prometheusSyntaxAndAnchoring() throws {
        let named = try RE2Regex("^(?:(?P<host>[^:]+):(?P<port>\\d+))$")
        #expect(named.groupCount == 2 && named.groupIndex("port") == 2 && named.groupIndex("nope") == nil)
        let groups = try #require(named.fullMatchGroups("héllo:9090"))
        #expect(groups[1] == 0..<6 && groups[2] == 7..<11, "byte ranges of the UTF-8")
        #expect(named.fullMatchGroups("no port") == nil)
        let matcher = try AnchoredRegex("api|web.*")
        #expect(matcher.matches("web-1") && matcher.matches("api") && !matcher.matches("xapi") && !matcher.matches(""))
        #expect(try AnchoredRegex(".*").matches(""))
        #expect(!(try AnchoredRegex("a.b").matches("a\nb")), "`.` does not match a newline, as in Go")
        #expect(throws: RegexError.self) { try RE2Regex("(") }
        #expect(throws: RegexError.self) { try RE2Regex("a(?=b)") } // lookahead: not RE2
    }

    /// A pattern that makes a backtracking engine take exponential time is matched at once.
    @Test func noCatastrophicBacktracking() throws {
        let regex = try AnchoredRegex("(.*.*)*Y")
        let text = String(repeating: "x", count: 5_000)
        let started = ContinuousClock.now
        #expect(!regex.matches(text))
        #expect(ContinuousClock.now - started < .seconds(5), "linear, not exponential")
    }
}
