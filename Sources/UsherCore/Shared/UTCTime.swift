/// Moments (seconds since 1970) written in UTC, without Foundation: `2024-03-01T02:00:00Z`, `2024-03-01`.
public enum UTCTime {
    /// Year, month, day, hour, minute and second of a moment in UTC (proleptic Gregorian calendar).
    public static func components(_ seconds: Int64) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let rest = seconds - days * 86400
        // Days to a civil date (H. Hinnant's algorithm): eras of 400 years from 0000-03-01.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day), Int(rest / 3600), Int(rest % 3600 / 60), Int(rest % 60))
    }

    /// `2024-03-01T02:00:00Z`.
    public static func iso8601(_ seconds: Int64) -> String {
        let c = components(seconds)
        return "\(day(c))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))Z"
    }

    /// `2024-03-01`.
    public static func day(_ seconds: Int64) -> String { day(components(seconds)) }

    private static func day(_ c: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int)) -> String {
        let year = String(c.year)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + "-" + two(c.month) + "-" + two(c.day)
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
