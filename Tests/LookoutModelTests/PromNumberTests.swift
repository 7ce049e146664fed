import Foundation
import Testing
@testable import LookoutModel

@Suite struct PromNumberTests {
    @Test func valuesPrintLikeGo() {
        #expect(PromNumber.format(1) == "1")
        #expect(PromNumber.format(0.1) == "0.1")
        #expect(PromNumber.format(1e21) == "1e+21")
        #expect(PromNumber.format(9.902246988233491e+299) == "9.902246988233491e+299")
        #expect(PromNumber.format(1.5e-7) == "1.5e-07")
        #expect(PromNumber.format(1e-6) == "0.000001")
        #expect(PromNumber.format(1e15) == "1000000000000000")
        #expect(PromNumber.format(1e16) == "10000000000000000")
        #expect(PromNumber.format(123456789012345680000) == "123456789012345680000")
        #expect(PromNumber.format(-2.5e6) == "-2500000")
        #expect(PromNumber.format(.nan) == "NaN")
        #expect(PromNumber.format(.infinity) == "+Inf")
        #expect(PromNumber.format(-.infinity) == "-Inf")
        #expect(PromNumber.format(123456.789) == "123456.789")
    }

    @Test func timesAreSecondsWithMilliseconds() {
        #expect(PromNumber.seconds(1_435_781_451_781) == "1435781451.781")
        #expect(PromNumber.seconds(1_435_781_451_000) == "1435781451")
        #expect(PromNumber.seconds(1_435_781_451_500) == "1435781451.5")
        #expect(PromNumber.seconds(-1_500) == "-1.5")
    }

    /// `formatPlain` prints Swift's own digits when they carry no exponent; the digit-by-digit
    /// path it skips must agree for every magnitude and sign.
    @Test func plainFastPathAgreesWithTheDigitPath() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50_000 {
            let magnitude = Double.random(in: -30...30, using: &generator)
            var v = (Double.random(in: 1..<10, using: &generator) * Foundation.pow(10, magnitude.rounded(.down)))
            if Bool.random(using: &generator) { v = v.rounded() }
            if Bool.random(using: &generator) { v = -v }
            guard v != 0 else { continue } // zeros are printed before either path
            let (negative, digits, point) = PromNumber.decimalDigits(v)
            let expected = (negative ? "-" : "") + PromNumber.plainDigits(digits, point: point)
            #expect(PromNumber.formatPlain(v) == expected, "\(v)")
            if PromNumber.formatPlain(v) != expected { return }
        }
    }
}
