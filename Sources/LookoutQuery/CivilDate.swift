/// UTC calendar fields of a Unix time by integer arithmetic (Howard Hinnant's `civil_from_days`),
/// for the date functions: Foundation's `Calendar` costs microseconds per call, which a range
/// query pays at every step.
///
/// Covers 1900-01-01 to 2099-12-31 only, where the proleptic Gregorian calendar Go uses and
/// Foundation's (Julian before 1582) agree; outside it `init` returns nil and callers use
/// `Calendar`.
struct CivilDate: Equatable {
    var year: Int
    var month: Int       // 1...12
    var day: Int         // 1...31
    var hour: Int
    var minute: Int
    var weekday: Int     // 0 = Sunday
    var dayOfYear: Int   // 1...366
    var daysInMonth: Int

    static let lowest: Double = -2_208_988_800   // 1900-01-01T00:00:00Z
    static let highest: Double = 4_102_444_800   // 2100-01-01T00:00:00Z
    /// Days in each month, and days before each month's first, in a common year.
    static let monthLengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    static let daysBeforeMonth = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]

    /// `seconds` must be a whole number of seconds since 1970-01-01T00:00:00Z.
    init?(unixSeconds seconds: Double) {
        guard seconds >= CivilDate.lowest, seconds < CivilDate.highest else { return nil }
        let s = Int(seconds)
        let days = s >= 0 ? s / 86_400 : (s - 86_399) / 86_400 // floor division
        let secondOfDay = s - days * 86_400
        hour = secondOfDay / 3_600
        minute = secondOfDay % 3_600 / 60
        weekday = ((days % 7) + 11) % 7 // 1970-01-01 was a Thursday (4)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfMarchYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfMarchYear + 2) / 153
        day = dayOfMarchYear - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        daysInMonth = month == 2 && leap ? 29 : Self.monthLengths[month - 1]
        dayOfYear = Self.daysBeforeMonth[month - 1] + (leap && month > 2 ? 1 : 0) + day
    }
}
