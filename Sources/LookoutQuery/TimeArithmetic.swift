/// Saturating millisecond arithmetic, so extreme `@`, offsets and ranges clamp instead of trapping.
extension Int64 {
    func minus(_ other: Int64) -> Int64 {
        let (r, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other > 0 ? .min : .max) : r
    }

    func plus(_ other: Int64) -> Int64 {
        let (r, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : r
    }
}
