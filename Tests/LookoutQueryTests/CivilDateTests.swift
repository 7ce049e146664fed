import Foundation
import Testing
@testable import LookoutQuery

/// `CivilDate` agrees with Foundation's UTC Gregorian calendar wherever it answers.
@Suite struct CivilDateTests {
    static func fields(_ d: CivilDate?) -> [Int]? {
        d.map { [$0.year, $0.month, $0.day, $0.hour, $0.minute, $0.weekday, $0.dayOfYear, $0.daysInMonth] }
    }

    static func expected(_ seconds: Double) -> [Int] {
        let calendar = Evaluator.utcCalendar
        let date = Date(timeIntervalSince1970: seconds)
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
        return [c.year!, c.month!, c.day!, c.hour!, c.minute!, c.weekday! - 1,
                calendar.ordinality(of: .day, in: .year, for: date)!,
                calendar.range(of: .day, in: .month, for: date)!.count]
    }

    @Test func matchesFoundation() {
        var times: [Double] = [0, -1, 1, 86_399, 86_400, -86_400, -86_401, 951_782_400, 951_868_799, 1_709_251_199,
                               1_709_164_800, 4_102_444_799, -2_208_988_800, -2_208_988_799, 946_684_800]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3_000 { times.append(Double(Int.random(in: -2_208_988_800..<4_102_444_800, using: &rng))) }
        for day in stride(from: -25_567, to: 47_482, by: 13) { times.append(Double(day) * 86_400 + 43_210) }
        for t in times {
            #expect(Self.fields(CivilDate(unixSeconds: t)) == Self.expected(t), "\(t)")
        }
    }

    @Test func outOfRangeIsNil() {
        #expect(CivilDate(unixSeconds: -2_208_988_801) == nil)
        #expect(CivilDate(unixSeconds: 4_102_444_800) == nil)
    }
}
