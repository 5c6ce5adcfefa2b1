public import Foundation

/// When `usher serve` starts a job on its own: `off`, every so long, or at the times of a 5-field cron
/// expression (`schedule:` in the config).
public enum JobSchedule: Equatable, Sendable, CustomStringConvertible {
    case off
    case every(seconds: Int)
    case cron(CronExpression)

    /// `off`/`false`, a duration (`30m`, `1h30m`: at least one minute), or a cron expression
    /// (`*/15 * * * *`, `0 4 * * mon-fri`, `@daily`); `nil` with the reason otherwise.
    public static func parse(_ text: String) -> Result<JobSchedule, ScheduleError> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if ["off", "false", "never", "no"].contains(trimmed.lowercased()) { return .success(.off) }
        if let seconds = DurationText.seconds(trimmed) {
            guard seconds >= 60 else { return .failure(ScheduleError("an interval must be at least 1m")) }
            guard seconds <= 366 * 86400 else { return .failure(ScheduleError("an interval must be at most a year (366d)")) }
            return .success(.every(seconds: seconds))
        }
        switch CronExpression.parse(trimmed) {
        case .success(let cron): return .success(.cron(cron))
        case .failure(let error): return .failure(error)
        }
    }

    public var description: String {
        switch self {
        case .off: "off"
        case .every(let seconds): DurationText.format(seconds: seconds)
        case .cron(let cron): cron.text
        }
    }

    /// The first start after `now`. An interval counts from the last start (`lastStart`), and a job
    /// that never ran, or whose time passed while nobody was looking (the machine slept, the server was
    /// down), is due at once: once, however many times it was missed. A cron job is not started at
    /// start-up, only at its times, and a missed time is made up once, at `now`.
    public func next(lastStart: Date?, missedSince: Date?, now: Date, timeZone: TimeZone) -> Date? {
        switch self {
        case .off:
            return nil
        case .every(let seconds):
            guard let lastStart else { return now }
            let due = lastStart.addingTimeInterval(TimeInterval(seconds))
            return max(due, now)
        case .cron(let cron):
            // A time that fell between the last look and now was missed: run it once, now.
            if let missedSince, let missed = cron.next(after: missedSince, timeZone: timeZone), missed <= now { return now }
            return cron.next(after: now, timeZone: timeZone)
        }
    }
}

public struct ScheduleError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A standard 5-field cron expression: minute (0–59), hour (0–23), day of month (1–31), month (1–12 or
/// jan–dec) and day of week (0–7 or sun–sat, 0 and 7 both Sunday). Each field is `*`, a number, a range
/// `a-b`, a step `*/n` or `a-b/n`, or a comma list of those. As in cron, when both the day of month and
/// the day of week are restricted, a day that matches either runs. `@hourly`, `@daily` (`@midnight`),
/// `@weekly`, `@monthly` and `@yearly` (`@annually`) are shorthands.
public struct CronExpression: Equatable, Sendable {
    public let text: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    /// 0 = Sunday.
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    static let shorthands = [
        "@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0",
        "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *",
    ]
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    public static func parse(_ text: String) -> Result<CronExpression, ScheduleError> {
        let expanded = shorthands[text.lowercased()] ?? text
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            return .failure(
                ScheduleError(
                    "expected off, an interval such as 30m, or a cron expression of 5 fields (minute hour day month weekday), such as '*/30 * * * *'; got \(fields.count) field\(fields.count == 1 ? "" : "s")"
                ))
        }
        do throws(ScheduleError) {
            let minutes = try field(fields[0], name: "minute", range: 0...59, names: [])
            let hours = try field(fields[1], name: "hour", range: 0...23, names: [])
            let days = try field(fields[2], name: "day of month", range: 1...31, names: [])
            let months = try field(fields[3], name: "month", range: 1...12, names: monthNames, firstName: 1)
            var weekdays = try field(fields[4], name: "day of week", range: 0...7, names: dayNames, firstName: 0)
            if weekdays.remove(7) != nil { weekdays.insert(0) }
            return .success(
                CronExpression(
                    text: text, minutes: minutes, hours: hours, daysOfMonth: days, months: months, daysOfWeek: weekdays,
                    dayOfMonthRestricted: !fields[2].hasPrefix("*"), dayOfWeekRestricted: !fields[4].hasPrefix("*")))
        } catch {
            return .failure(error)
        }
    }

    private static func field(_ text: String, name: String, range: ClosedRange<Int>, names: [String], firstName: Int = 0) throws(ScheduleError) -> Set<Int> {
        func value(_ word: Substring) throws(ScheduleError) -> Int {
            if let number = Int(word), range.contains(number) { return number }
            if let index = names.firstIndex(of: word.lowercased()) { return index + firstName }
            throw ScheduleError("the \(name) field: '\(word)' is not a valid \(name) (\(range.lowerBound)–\(range.upperBound))")
        }
        var result = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { throw ScheduleError("the \(name) field '\(text)' has an empty part") }
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw ScheduleError("the \(name) field: '\(part)' has more than one '/'") }
            var step = 1
            if pieces.count == 2 {
                guard let n = Int(pieces[1]), n >= 1, n <= range.upperBound + 1 else {
                    throw ScheduleError("the \(name) field: the step in '\(part)' must be a number from 1 to \(range.upperBound + 1)")
                }
                step = n
            }
            var low = range.lowerBound
            var high = range.upperBound
            if pieces[0] != "*" {
                let bounds = pieces[0].split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2, !bounds.contains(where: \.isEmpty) else {
                    throw ScheduleError("the \(name) field: '\(part)' is not a number, a range or a step")
                }
                low = try value(bounds[0])
                high = bounds.count == 2 ? try value(bounds[1]) : (pieces.count == 2 ? range.upperBound : low)
                guard low <= high else { throw ScheduleError("the \(name) field: the range '\(pieces[0])' runs backwards") }
            }
            result.formUnion(stride(from: low, through: high, by: step))
        }
        return result
    }

    /// The first minute strictly after `date` that the expression names, in `timeZone`; `nil` if none
    /// comes within five years (a date that never exists, such as 31 February).
    public func next(after date: Date, timeZone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        // Start at the next whole minute.
        guard let start = calendar.dateInterval(of: .minute, for: date)?.end else { return nil }
        var c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: start)
        guard let firstYear = c.year else { return nil }
        // Out-of-range values (minute 60, hour 24, day 32, month 13) are carried by the checks that follow.
        func startOfNextMonth(_ year: Int, _ month: Int) {
            (c.year, c.month, c.day, c.hour, c.minute) = month == 12 ? (year + 1, 1, 1, 0, 0) : (year, month + 1, 1, 0, 0)
        }
        while let year = c.year, year <= firstYear + 5 {
            guard let month = c.month, let day = c.day, let hour = c.hour, let minute = c.minute else { return nil }
            guard months.contains(month) else {
                startOfNextMonth(year, month)
                continue
            }
            // A day past the end of the month goes to the next month.
            guard let dayDate = calendar.date(from: DateComponents(year: year, month: month, day: day)),
                calendar.component(.month, from: dayDate) == month
            else {
                startOfNextMonth(year, month)
                continue
            }
            guard dayMatches(day: day, weekday: calendar.component(.weekday, from: dayDate) - 1), hour < 24 else {
                (c.day, c.hour, c.minute) = (day + 1, 0, 0)
                continue
            }
            guard hours.contains(hour) else {
                (c.hour, c.minute) = (hours.filter { $0 > hour }.min() ?? 24, 0)
                continue
            }
            guard let nextMinute = minutes.filter({ $0 >= minute }).min() else {
                (c.hour, c.minute) = (hour + 1, 0)
                continue
            }
            c.minute = nextMinute
            // A local time that does not exist (a clock put forward) is skipped, as cron does.
            if let found = calendar.date(from: c), calendar.component(.hour, from: found) == hour,
                calendar.component(.minute, from: found) == nextMinute, found > date
            {
                return found
            }
            c.minute = nextMinute + 1
        }
        return nil
    }

    func dayMatches(day: Int, weekday: Int) -> Bool {
        switch (dayOfMonthRestricted, dayOfWeekRestricted) {
        case (true, true): daysOfMonth.contains(day) || daysOfWeek.contains(weekday)
        case (true, false): daysOfMonth.contains(day)
        case (false, true): daysOfWeek.contains(weekday)
        case (false, false): true
        }
    }
}
