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

    /// The moment an ISO 8601 date-time names, in seconds since 1970: `2024-03-01T02:00:00Z`, with any fraction of a
    /// second (dropped; Jellyfin writes seven digits) and `Z` or an offset such as `+01:00`; a date alone is its
    /// midnight UTC. `nil` for anything else.
    public static func seconds(iso8601 text: String) -> Int64? {
        let chars = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= chars.count else { return nil }
            var n: Int64 = 0
            for c in chars[from..<from + count] {
                guard c >= 48, c <= 57 else { return nil }
                n = n * 10 + Int64(c - 48)
            }
            return n
        }
        guard let year = number(0, 4), chars.count >= 10, chars[4] == 45, chars[7] == 45, let month = number(5, 2), let day = number(8, 2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        // Civil date to days (H. Hinnant's algorithm, the inverse of `components`).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        guard chars.count > 10 else { return days * 86400 }
        guard chars[10] == 84 || chars[10] == 32, let hour = number(11, 2), chars.count >= 19, chars[13] == 58, let minute = number(14, 2),
            chars[16] == 58, let second = number(17, 2), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        if index < chars.count, chars[index] == 46 {
            index += 1
            while index < chars.count, chars[index] >= 48, chars[index] <= 57 { index += 1 }
        }
        var offset: Int64 = 0
        if index < chars.count {
            if chars[index] == 90, index + 1 == chars.count {
                offset = 0
            } else if chars[index] == 43 || chars[index] == 45, let h = number(index + 1, 2) {
                let colon = index + 3 < chars.count && chars[index + 3] == 58
                guard let m = number(index + (colon ? 4 : 3), 2), index + (colon ? 6 : 5) == chars.count else { return nil }
                offset = (h * 3600 + m * 60) * (chars[index] == 45 ? -1 : 1)
            } else {
                return nil
            }
        }
        return days * 86400 + hour * 3600 + minute * 60 + second - offset
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
