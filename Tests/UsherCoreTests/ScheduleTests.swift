import Foundation
import Testing

@testable import UsherCore

struct ScheduleTests {
    let utc = TimeZone(identifier: "UTC")!

    func date(_ text: String, _ zone: TimeZone? = nil) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = zone ?? utc
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate]
        return formatter.date(from: text)!
    }

    func cron(_ text: String) throws -> CronExpression {
        try CronExpression.parse(text).get()
    }

    @Test(arguments: [
        ("off", JobSchedule.off), ("false", .off), ("OFF", .off), ("30m", .every(seconds: 1800)), ("1h30m", .every(seconds: 5400)),
        ("1d", .every(seconds: 86400)),
    ])
    func parsesOffAndIntervals(text: String, expected: JobSchedule) throws {
        #expect(try JobSchedule.parse(text).get() == expected)
    }

    @Test(arguments: [
        ("30s", "at least 1m"), ("400d", "at most a year"), ("* * * *", "5 fields"), ("60 * * * *", "'60' is not a valid minute"),
        ("* 24 * * *", "'24' is not a valid hour"), ("* * 0 * *", "not a valid day of month"), ("* * * 13 *", "not a valid month"),
        ("* * * * 8", "not a valid day of week"), ("*/0 * * * *", "step"), ("5-1 * * * *", "runs backwards"), ("1,,2 * * * *", "empty part"),
        ("every day", "5 fields"), ("1-2-3 * * * *", "not a number, a range or a step"),
    ])
    func refusesWithAReason(text: String, reason: String) {
        switch JobSchedule.parse(text) {
        case .success(let schedule): Issue.record("'\(text)' was read as \(schedule)")
        case .failure(let error): #expect(error.message.contains(reason), "\(error.message)")
        }
    }

    @Test func cronFieldsListsRangesStepsAndNames() throws {
        let c = try cron("*/15 9-17/4 1,15 jan-mar mon-fri")
        #expect(c.minutes == [0, 15, 30, 45])
        #expect(c.hours == [9, 13, 17])
        #expect(c.daysOfMonth == [1, 15])
        #expect(c.months == [1, 2, 3])
        #expect(c.daysOfWeek == [1, 2, 3, 4, 5])
        #expect(try cron("0 0 * * 7").daysOfWeek == [0])
        #expect(try cron("@daily") == cron("0 0 * * *").withText("@daily"))
    }

    @Test func cronNextTimes() throws {
        let every15 = try cron("*/15 * * * *")
        #expect(every15.next(after: date("2026-12-06T10:07:30"), timeZone: utc) == date("2026-12-06T10:15:00"))
        // Strictly after: at 10:15 exactly the next is 10:30.
        #expect(every15.next(after: date("2026-12-06T10:15:00"), timeZone: utc) == date("2026-12-06T10:30:00"))
        #expect(every15.next(after: date("2026-12-31T23:50:00"), timeZone: utc) == date("2027-01-01T00:00:00"))
        // 04:30 on weekdays; 2026-12-05 is a Saturday.
        let weekdays = try cron("30 4 * * mon-fri")
        #expect(weekdays.next(after: date("2026-12-05T12:00:00"), timeZone: utc) == date("2026-12-07T04:30:00"))
        // Day of month and day of week both restricted: either one runs (the 13th, or any Friday).
        let either = try cron("0 0 13 * fri")
        #expect(either.next(after: date("2026-12-06T00:00:00"), timeZone: utc) == date("2026-12-11T00:00:00"))
        #expect(either.next(after: date("2026-12-11T00:00:00"), timeZone: utc) == date("2026-12-13T00:00:00"))
        // The 31st skips months without one; 30 February never comes.
        #expect(try cron("0 12 31 * *").next(after: date("2026-11-01T00:00:00"), timeZone: utc) == date("2026-12-31T12:00:00"))
        #expect(try cron("0 0 30 2 *").next(after: date("2026-01-01T00:00:00"), timeZone: utc) == nil)
    }

    @Test func cronFollowsTheLocalTimeZoneAndSkipsATimeThatDoesNotExist() throws {
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let daily = try cron("0 3 * * *")
        // 03:00 in Berlin in winter is 02:00 UTC.
        #expect(daily.next(after: date("2026-12-06T12:00:00"), timeZone: berlin) == date("2026-12-07T02:00:00"))
        // 2027-03-28: clocks go from 02:00 to 03:00; 02:30 does not exist that day and is skipped.
        let halfPastTwo = try cron("30 2 * * *")
        #expect(halfPastTwo.next(after: date("2027-03-27T12:00:00"), timeZone: berlin) == date("2027-03-29T00:30:00"))
    }

    @Test func anIntervalCountsFromTheLastStartAndAMissedRunHappensOnce() {
        let schedule = JobSchedule.every(seconds: 1800)
        let now = date("2026-12-06T10:00:00")
        // Never ran: now.
        #expect(schedule.next(lastStart: nil, missedSince: nil, now: now, timeZone: utc) == now)
        // Ran 10 minutes ago: in 20 minutes.
        #expect(schedule.next(lastStart: now.addingTimeInterval(-600), missedSince: nil, now: now, timeZone: utc) == now.addingTimeInterval(1200))
        // Ran 5 hours ago (the machine slept through 9 slots): once, now.
        #expect(schedule.next(lastStart: now.addingTimeInterval(-5 * 3600), missedSince: nil, now: now, timeZone: utc) == now)
        #expect(JobSchedule.off.next(lastStart: nil, missedSince: nil, now: now, timeZone: utc) == nil)
    }

    @Test func aCronTimeMissedWhileDownIsMadeUpOnceAndNotAtAFirstStart() throws {
        let hourly = JobSchedule.cron(try cron("0 * * * *"))
        let now = date("2026-12-06T10:20:00")
        // First start ever: the next hour, not now.
        #expect(hourly.next(lastStart: nil, missedSince: nil, now: now, timeZone: utc) == date("2026-12-06T11:00:00"))
        // Last ran at 07:00: 08:00, 09:00 and 10:00 were missed: one run now.
        #expect(hourly.next(lastStart: nil, missedSince: date("2026-12-06T07:00:00"), now: now, timeZone: utc) == now)
        // Last ran at 10:00: nothing missed.
        #expect(hourly.next(lastStart: nil, missedSince: date("2026-12-06T10:00:00"), now: now, timeZone: utc) == date("2026-12-06T11:00:00"))
    }
}

extension CronExpression {
    /// The same times under another text (`@daily` is `0 0 * * *`).
    func withText(_ text: String) -> CronExpression {
        CronExpression(
            text: text, minutes: minutes, hours: hours, daysOfMonth: daysOfMonth, months: months, daysOfWeek: daysOfWeek,
            dayOfMonthRestricted: dayOfMonthRestricted, dayOfWeekRestricted: dayOfWeekRestricted)
    }
}
