//! Working time in Vietnam (UTC+7): which minutes count towards a deadline.
//!
//! Working days are Monday to Friday (Saturday morning if the district
//! works it), working hours by default 07:00–11:30 and 13:30–17:00, and
//! public holidays (Tết among them) listed per year in the district's
//! configuration. A deadline of *n* working minutes is the instant at which
//! *n* working minutes have passed since the start; a start outside working
//! time counts from the next working minute.

use std::collections::BTreeSet;

use phananh_protocol::vn_time::OFFSET;
use time::{Date, Duration, OffsetDateTime, Time, Weekday};

/// A span of working time in a day, in minutes after midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First working minute.
    pub start: u16,
    /// The minute work stops (exclusive).
    pub end: u16,
}

/// The district's working calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// Working periods of a weekday, in order, not overlapping.
    pub periods: Vec<Period>,
    /// Saturday's periods that fall before noon count too.
    pub saturday_morning: bool,
    /// Days off (Vietnam dates).
    pub holidays: BTreeSet<Date>,
}

impl Default for Calendar {
    /// 07:00–11:30 and 13:30–17:00, Monday to Friday, no holidays.
    fn default() -> Self {
        Calendar {
            periods: vec![Period { start: 7 * 60, end: 11 * 60 + 30 }, Period { start: 13 * 60 + 30, end: 17 * 60 }],
            saturday_morning: false,
            holidays: BTreeSet::new(),
        }
    }
}

/// Noon, in minutes: Saturday morning ends here.
const NOON: u16 = 12 * 60;
/// The furthest a deadline may be searched for (a year of days).
const MAX_DAYS: u32 = 400;

impl Calendar {
    /// The working periods of a Vietnam date (none on a day off).
    pub fn periods_on(&self, date: Date) -> Vec<Period> {
        if self.holidays.contains(&date) {
            return Vec::new();
        }
        match date.weekday() {
            Weekday::Sunday => Vec::new(),
            Weekday::Saturday if self.saturday_morning => self
                .periods
                .iter()
                .filter(|p| p.start < NOON)
                .map(|p| Period { start: p.start, end: p.end.min(NOON) })
                .collect(),
            Weekday::Saturday => Vec::new(),
            _ => self.periods.clone(),
        }
    }

    /// Working minutes in an ordinary weekday.
    pub fn minutes_per_day(&self) -> u32 {
        self.periods.iter().map(|p| u32::from(p.end - p.start)).sum()
    }

    /// The instant `minutes` working minutes after `from`. `None` only if
    /// no working time is found within a year (a calendar of holidays).
    pub fn add_working_minutes(&self, from: OffsetDateTime, minutes: u32) -> Option<OffsetDateTime> {
        let local = from.to_offset(OFFSET);
        let mut date = local.date();
        let mut now = (local.hour() as u16) * 60 + local.minute() as u16;
        let mut left = minutes;
        // Seconds past the minute count as part of the minute already begun.
        let mut carry_seconds =
            Duration::seconds(i64::from(local.second())) + Duration::nanoseconds(i64::from(local.nanosecond()));
        for _ in 0..MAX_DAYS {
            for p in self.periods_on(date) {
                if now >= p.end {
                    continue;
                }
                let start = now.max(p.start);
                if start > now {
                    carry_seconds = Duration::ZERO;
                }
                let available = u32::from(p.end - start);
                if left <= available {
                    let minute = start + left as u16;
                    let at = Time::from_hms((minute / 60) as u8, (minute % 60) as u8, 0).ok()?;
                    // Never end past the period's close because of carried seconds.
                    let carry = if minute == p.end { Duration::ZERO } else { carry_seconds };
                    return Some(date.with_time(at).assume_offset(OFFSET).to_offset(from.offset()) + carry);
                }
                left -= available;
                now = p.end;
                carry_seconds = Duration::ZERO;
            }
            date = date.next_day()?;
            now = 0;
        }
        None
    }

    /// Working minutes between `from` and `to` (0 if `to` is not later).
    pub fn working_minutes_between(&self, from: OffsetDateTime, to: OffsetDateTime) -> u32 {
        if to <= from {
            return 0;
        }
        let (from, to) = (from.to_offset(OFFSET), to.to_offset(OFFSET));
        let mut total = 0u32;
        let mut date = from.date();
        for _ in 0..MAX_DAYS {
            if date > to.date() {
                break;
            }
            for p in self.periods_on(date) {
                let lo = if date == from.date() {
                    p.start.max(from.hour() as u16 * 60 + from.minute() as u16)
                } else {
                    p.start
                };
                let hi = if date == to.date() { p.end.min(to.hour() as u16 * 60 + to.minute() as u16) } else { p.end };
                total += u32::from(hi.saturating_sub(lo));
            }
            match date.next_day() {
                Some(d) => date = d,
                None => break,
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    /// A Vietnam wall-clock time.
    fn vn(t: time::PrimitiveDateTime) -> OffsetDateTime {
        t.assume_offset(OFFSET)
    }

    fn hours(h: u32) -> u32 {
        h * 60
    }

    #[test]
    fn inside_a_morning_it_is_plain_arithmetic() {
        let c = Calendar::default();
        assert_eq!(c.add_working_minutes(vn(datetime!(2026-12-01 08:00)), 90), Some(vn(datetime!(2026-12-01 09:30))));
        assert_eq!(c.minutes_per_day(), 480);
    }

    #[test]
    fn the_lunch_break_does_not_count() {
        let c = Calendar::default();
        // 11:00 + 1 h of work = 30 min before lunch, 30 after: 14:00.
        assert_eq!(c.add_working_minutes(vn(datetime!(2026-12-01 11:00)), 60), Some(vn(datetime!(2026-12-01 14:00))));
        // Arriving at lunch counts from 13:30.
        assert_eq!(c.add_working_minutes(vn(datetime!(2026-12-01 12:10)), 30), Some(vn(datetime!(2026-12-01 14:00))));
    }

    #[test]
    fn friday_at_16_55_runs_into_monday() {
        let c = Calendar::default();
        // 2026-12-04 is a Friday: 5 minutes on Friday, 7 h 55 on Monday.
        let due = c.add_working_minutes(vn(datetime!(2026-12-04 16:55)), hours(8));
        assert_eq!(due, Some(vn(datetime!(2026-12-07 16:55))));
        // Five working days from Friday 16:55: the next Friday 16:55.
        let due = c.add_working_minutes(vn(datetime!(2026-12-04 16:55)), 5 * c.minutes_per_day());
        assert_eq!(due, Some(vn(datetime!(2026-12-11 16:55))));
    }

    #[test]
    fn saturday_morning_when_the_district_works_it() {
        let mut c = Calendar::default();
        let friday = vn(datetime!(2026-12-04 16:00));
        assert_eq!(c.add_working_minutes(friday, 120), Some(vn(datetime!(2026-12-07 08:00))), "weekend off");
        c.saturday_morning = true;
        assert_eq!(c.add_working_minutes(friday, 120), Some(vn(datetime!(2026-12-05 08:00))));
        // Saturday afternoon stays off: 4 h 30 on Saturday morning, then Monday.
        let sat = vn(datetime!(2026-12-05 07:00));
        assert_eq!(c.add_working_minutes(sat, hours(5)), Some(vn(datetime!(2026-12-07 07:30))));
    }

    #[test]
    fn a_report_on_a_holiday_counts_from_the_next_working_day() {
        let mut c = Calendar::default();
        c.holidays.insert(date!(2026 - 09 - 02)); // Quốc khánh, a Wednesday
        let on_holiday = vn(datetime!(2026-09-02 09:00));
        assert_eq!(c.add_working_minutes(on_holiday, 60), Some(vn(datetime!(2026-09-03 08:00))));
    }

    #[test]
    fn a_deadline_across_tet() {
        let mut c = Calendar::default();
        // Tết Bính Ngọ 2026: 14–22 February (Saturday to Sunday) off.
        let mut d = date!(2026 - 02 - 14);
        while d <= date!(2026 - 02 - 22) {
            c.holidays.insert(d);
            d = d.next_day().unwrap();
        }
        // Friday 13 Feb at 16:00, 5 working days: 1 h on Friday, then from
        // Monday 23 Feb: the following Friday 27 Feb at 16:00.
        let due = c.add_working_minutes(vn(datetime!(2026-02-13 16:00)), 5 * c.minutes_per_day());
        assert_eq!(due, Some(vn(datetime!(2026-02-27 16:00))));
    }

    #[test]
    fn utc_instants_are_read_in_vietnam_time() {
        let c = Calendar::default();
        // 2026-12-01 01:00 UTC is 08:00 in Vietnam.
        let due = c.add_working_minutes(datetime!(2026-12-01 01:00 UTC), 30).unwrap();
        assert_eq!(due, datetime!(2026-12-01 01:30 UTC));
        assert_eq!(due.offset(), time::UtcOffset::UTC, "the answer keeps the caller's offset");
    }

    #[test]
    fn minutes_between_is_the_inverse() {
        let c = Calendar::default();
        let from = vn(datetime!(2026-12-04 16:55));
        let due = c.add_working_minutes(from, hours(8)).unwrap();
        assert_eq!(c.working_minutes_between(from, due), hours(8));
        assert_eq!(c.working_minutes_between(due, from), 0);
    }

    #[test]
    fn a_year_of_holidays_has_no_deadline() {
        let mut c = Calendar::default();
        let mut d = date!(2026 - 01 - 01);
        for _ in 0..420 {
            c.holidays.insert(d);
            d = d.next_day().unwrap();
        }
        assert_eq!(c.add_working_minutes(vn(datetime!(2026-01-01 08:00)), 60), None);
    }
}
