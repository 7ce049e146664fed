import Foundation
import LookoutModel
import Testing
@testable import LookoutQuery

/// Hostile nesting: the parser rejects expressions deeper than `Parser.maxDepth` with a positioned
/// `bad_data` error, and everything that walks an accepted tree fits in a small thread stack.
@Suite struct PromQLDepthTests {
    static let huge = 100_000

    /// Deep inputs of every recursive shape, each with the position of the error that stops it.
    /// (Test arguments are the shape names: the inputs are too long to print.)
    static let tooDeep: [String: (input: String, position: String)] = [
        "parentheses": (String(repeating: "(", count: huge) + "1" + String(repeating: ")", count: huge), "1:257:"),
        "unclosed parentheses": (String(repeating: "(", count: huge), "1:257:"),
        "left-associative chain": ("1" + String(repeating: "+1", count: huge), "1:512:"),
        "right-associative chain": ("2" + String(repeating: "^2", count: huge), "1:513:"),
        "unary minus": (String(repeating: "-", count: huge) + "1", "1:257:"),
        "function calls": (String(repeating: "abs(", count: huge) + "foo" + String(repeating: ")", count: huge), "1:1025:"),
        "aggregations": (String(repeating: "sum(", count: huge) + "foo" + String(repeating: ")", count: huge), "1:1025:"),
        "subqueries": (String(repeating: "max_over_time(", count: huge) + "foo" + String(repeating: "[1m:])", count: huge), "1:3585:"),
        "nested chains": (String(repeating: "(1+1+1+1+1+1+1+1+", count: huge) + "1" + String(repeating: ")", count: huge), "1:2163:"),
    ]

    @Test(arguments: tooDeep.keys.sorted())
    func rejectsDeepInput(_ shape: String) throws {
        let (input, position) = try #require(Self.tooDeep[shape])
        do {
            let expr = try PromQLParser.parse(input)
            Issue.record("parsed \(shape) of \(input.utf8.count) bytes into \(expr.type)")
        } catch {
            #expect(error.kind == .badData)
            #expect(error.message.hasPrefix(position + " parse error: expression nested too deeply"), "\(shape): \(error.message)")
        }
    }

    /// The deepest accepted inputs of each shape, for `fitsInASmallStack`.
    static let deepest: [String: String] = {
        let n = Parser.maxDepth
        return [
            "parentheses": String(repeating: "(", count: n - 1) + "1" + String(repeating: ")", count: n - 1),
            "left-associative vector chain": "m" + String(repeating: " + m", count: n - 1),
            "left-associative scalar chain": "1" + String(repeating: "+1", count: n - 1),
            "right-associative chain": "m" + String(repeating: " ^ 1", count: n - 1),
            "unary minus": String(repeating: "-(", count: (n - 1) / 2) + "m" + String(repeating: ")", count: (n - 1) / 2),
            "function calls": String(repeating: "abs(", count: n - 1) + "m" + String(repeating: ")", count: n - 1),
            "aggregations": String(repeating: "sum by (i) (", count: n - 1) + "m" + String(repeating: ")", count: n - 1),
            "subqueries": String(repeating: "max_over_time(", count: (n - 1) / 2) + "m"
                + String(repeating: "[1m:])", count: (n - 1) / 2),
            "on matching": "m" + String(repeating: " * on (i) group_left m", count: n - 1),
        ]
    }()

    /// The stack the deepest expressions must fit in: a 512 KiB secondary thread in an optimized
    /// build. Unoptimized frames are far larger (measured at `maxDepth` = 256: up to ~12 KiB per
    /// level, ~3 MiB for 256 nested calls; 512 KiB holds only ~48 nested calls), so a debug
    /// build checks against 4 MiB, which still proves the default 8 MiB main thread is safe.
    #if DEBUG
    static let stackSize = 4 << 20
    #else
    static let stackSize = 512 << 10
    #endif

    /// Parsing, printing, `isStepInvariant` and an instant and a range evaluation of the deepest
    /// accepted expressions, on a thread with a `stackSize` stack (a stack overflow crashes the run).
    @Test(arguments: deepest.keys.sorted())
    func fitsInASmallStack(_ shape: String) throws {
        let input = try #require(Self.deepest[shape])
        let outcome = Self.onThread(stackSize: Self.stackSize) { () -> String? in
            do {
                let expr = try PromQLParser.parse(input)
                let printed = expr.description
                _ = expr.isStepInvariant
                let reparsed = try PromQLParser.parse(printed)
                guard reparsed == expr else { return "printing does not round-trip" }
                let querier = InMemoryMetricQuerier((0..<2).map { i in
                    SeriesData(labels: ["__name__": "m", "i": String(i)],
                               samples: (0..<20).map { Sample(Int64($0) * 15_000, 1) })
                })
                let engine = QueryEngine(querier: querier)
                _ = try engine.instant(expr, at: 120_000)
                _ = try engine.range(expr, start: 0, end: 120_000, step: 60_000)
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(outcome == nil, "\(shape): \(outcome ?? "")")
    }

    /// Runs `body` on a new thread with the given stack size and returns its result.
    static func onThread(stackSize: Int, _ body: @escaping @Sendable () -> String?) -> String? {
        let box = OutcomeBox()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.value = body()
            done.signal()
        }
        thread.stackSize = stackSize
        thread.start()
        done.wait()
        return box.value
    }
}

/// Carries a result out of a thread: written once by that thread before it signals, read only
/// after the wait, so the semaphore orders every access.
private final class OutcomeBox: @unchecked Sendable {
    var value: String?
}
