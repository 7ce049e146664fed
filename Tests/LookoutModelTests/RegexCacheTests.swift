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
