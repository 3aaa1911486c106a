//! POSIX TZ rules with the RFC 8536 extensions (transition times from
//! −167 to 167 hours): `EST5EDT,M3.2.0,M11.1.0`, `<+1030>-10:30<+11>-11,M10.1.0,M4.1.0`.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc, Weekday};

/// A rule that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TzError(pub String);

impl std::fmt::Display for TzError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateRule {
    /// `Jn`: day 1–365, February 29 never counted.
    Julian1(u32),
    /// `n`: day 0–365, counting February 29 in leap years.
    Julian0(u32),
    /// `Mm.w.d`: day `d` (0 = Sunday) of week `w` (5 = last) of month `m`.
    MonthWeekDay(u32, u32, u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Transition {
    date: DateRule,
    /// Local wall-clock seconds after midnight (may be negative or past 24 h).
    time: i64,
}

/// A zone's offset rule: standard offset, and optionally daylight saving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TzRule {
    /// Standard offset east of UTC, seconds.
    std_offset: i64,
    /// DST offset east of UTC and the start/end transitions.
    dst: Option<(i64, Transition, Transition)>,
    /// Explicit transitions (UTC seconds, offset) that precede the rule
    /// (zones whose future changes a POSIX rule cannot express, like Gaza's).
    explicit: &'static [(i64, i32)],
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
    text: &'a str,
}

impl Cursor<'_> {
    fn err<T>(&self, what: &str) -> Result<T, TzError> {
        Err(TzError(format!(
            "bad time-zone rule `{}`: {what} at {}",
            self.text, self.i
        )))
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn name(&mut self) -> Result<(), TzError> {
        if self.eat(b'<') {
            while let Some(c) = self.peek() {
                self.i += 1;
                if c == b'>' {
                    return Ok(());
                }
            }
            return self.err("unclosed <");
        }
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            self.i += 1;
        }
        if self.i - start < 3 {
            self.err("zone abbreviation of fewer than 3 letters")
        } else {
            Ok(())
        }
    }
    fn number(&mut self) -> Result<i64, TzError> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        if start == self.i {
            return self.err("expected a number");
        }
        std::str::from_utf8(&self.s[start..self.i])
            .ok()
            .and_then(|n| n.parse().ok())
            .map_or_else(|| self.err("number"), Ok)
    }
    /// `[+|-]hh[:mm[:ss]]` in seconds.
    fn hms(&mut self) -> Result<i64, TzError> {
        let sign = if self.eat(b'-') {
            -1
        } else {
            self.eat(b'+');
            1
        };
        let mut secs = self.number()? * 3600;
        if self.eat(b':') {
            secs += self.number()? * 60;
            if self.eat(b':') {
                secs += self.number()?;
            }
        }
        if secs > 167 * 3600 + 3599 {
            self.err("offset out of range")
        } else {
            Ok(sign * secs)
        }
    }
    fn transition(&mut self) -> Result<Transition, TzError> {
        let date = if self.eat(b'M') {
            let m = self.number()? as u32;
            if !self.eat(b'.') {
                return self.err("expected .");
            }
            let w = self.number()? as u32;
            if !self.eat(b'.') {
                return self.err("expected .");
            }
            let d = self.number()? as u32;
            if !(1..=12).contains(&m) || !(1..=5).contains(&w) || d > 6 {
                return self.err("M rule out of range");
            }
            DateRule::MonthWeekDay(m, w, d)
        } else if self.eat(b'J') {
            let n = self.number()? as u32;
            if !(1..=365).contains(&n) {
                return self.err("J day out of range");
            }
            DateRule::Julian1(n)
        } else {
            let n = self.number()? as u32;
            if n > 365 {
                return self.err("day out of range");
            }
            DateRule::Julian0(n)
        };
        let time = if self.eat(b'/') { self.hms()? } else { 7200 };
        Ok(Transition { date, time })
    }
}

fn transition_date(rule: DateRule, year: i32) -> Option<NaiveDate> {
    match rule {
        DateRule::Julian1(n) => {
            let base = NaiveDate::from_ymd_opt(year, 1, 1)?;
            let leap = NaiveDate::from_ymd_opt(year, 2, 29).is_some();
            let skip = u64::from(leap && n >= 60);
            base.checked_add_days(chrono::Days::new(u64::from(n - 1) + skip))
        }
        DateRule::Julian0(n) => NaiveDate::from_yo_opt(year, n + 1),
        DateRule::MonthWeekDay(m, w, d) => {
            let weekday = Weekday::try_from(((d + 6) % 7) as u8).ok()?;
            if w == 5 {
                let next = if m == 12 {
                    NaiveDate::from_ymd_opt(year + 1, 1, 1)?
                } else {
                    NaiveDate::from_ymd_opt(year, m + 1, 1)?
                };
                let last = next.pred_opt()?;
                let back = (7 + last.weekday().num_days_from_monday()
                    - weekday.num_days_from_monday())
                    % 7;
                last.checked_sub_days(chrono::Days::new(u64::from(back)))
            } else {
                NaiveDate::from_weekday_of_month_opt(year, m, weekday, w as u8)
            }
        }
    }
}

impl TzRule {
    /// Parses a POSIX TZ rule.
    pub fn parse(text: &str) -> Result<Self, TzError> {
        let mut c = Cursor {
            s: text.as_bytes(),
            i: 0,
            text,
        };
        c.name()?;
        let std_offset = -c.hms()?;
        if c.peek().is_none() {
            return Ok(Self {
                std_offset,
                dst: None,
                explicit: &[],
            });
        }
        c.name()?;
        let dst_offset = if matches!(c.peek(), Some(b',') | None) {
            std_offset + 3600
        } else {
            -c.hms()?
        };
        if !c.eat(b',') {
            // No rule: POSIX leaves it to the implementation; treat as no DST.
            return if c.peek().is_none() {
                Ok(Self {
                    std_offset,
                    dst: None,
                    explicit: &[],
                })
            } else {
                c.err("expected ,")
            };
        }
        let start = c.transition()?;
        if !c.eat(b',') {
            return c.err("expected , before the end rule");
        }
        let end = c.transition()?;
        if c.peek().is_some() {
            return c.err("trailing characters");
        }
        Ok(Self {
            std_offset,
            dst: Some((dst_offset, start, end)),
            explicit: &[],
        })
    }

    /// The same rule, preceded by explicit transitions (sorted by time).
    pub fn with_transitions(mut self, explicit: &'static [(i64, i32)]) -> Self {
        self.explicit = explicit;
        self
    }

    /// Offset east of UTC, in seconds, at instant `t`.
    pub fn offset_at(&self, t: DateTime<Utc>) -> i64 {
        let ts = t.timestamp();
        if let (Some(first), Some(last)) = (self.explicit.first(), self.explicit.last())
            && ts >= first.0
            && ts < last.0
        {
            let i = self.explicit.partition_point(|(when, _)| *when <= ts);
            return i64::from(self.explicit[i - 1].1);
        }
        if let Some(last) = self.explicit.last()
            && ts >= last.0
            && self.dst.is_none()
        {
            return i64::from(last.1);
        }
        let Some((dst_offset, start, end)) = self.dst else {
            return self.std_offset;
        };
        let at = |rule: Transition, year: i32, offset: i64| -> Option<i64> {
            let date = transition_date(rule.date, year)?;
            let local = date.and_hms_opt(0, 0, 0)?.and_utc().timestamp() + rule.time;
            Some(local - offset)
        };
        // Look at the transitions of the year before, this year and the next,
        // so that rules whose times spill over a year end are handled.
        let year = t.year();
        let mut events: Vec<(i64, bool)> = Vec::with_capacity(6);
        for y in [year - 1, year, year + 1] {
            if let Some(s) = at(start, y, self.std_offset) {
                events.push((s, true));
            }
            if let Some(e) = at(end, y, dst_offset) {
                events.push((e, false));
            }
        }
        events.sort();
        match events.iter().rev().find(|(when, _)| *when <= ts) {
            Some((_, true)) => dst_offset,
            _ => self.std_offset,
        }
    }

    /// Local wall-clock time at instant `t`.
    pub fn to_local(&self, t: DateTime<Utc>) -> NaiveDateTime {
        t.naive_utc() + Duration::seconds(self.offset_at(t))
    }

    /// The instant at which the local wall clock shows `local`. In a gap
    /// (spring forward) the time after the gap; in an overlap, the first.
    pub fn to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        let guess = local.and_utc() - Duration::seconds(self.std_offset);
        let first = local.and_utc() - Duration::seconds(self.offset_at(guess));
        let second = local.and_utc() - Duration::seconds(self.offset_at(first));
        first.min(second)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().expect("time")
    }

    #[test]
    fn new_york_switches_on_the_documented_dates() {
        let ny = TzRule::parse("EST5EDT,M3.2.0,M11.1.0").expect("parses");
        assert_eq!(ny.offset_at(t("2026-03-08T06:59:59Z")), -5 * 3600);
        assert_eq!(ny.offset_at(t("2026-03-08T07:00:00Z")), -4 * 3600);
        assert_eq!(ny.offset_at(t("2026-11-01T05:59:59Z")), -4 * 3600);
        assert_eq!(ny.offset_at(t("2026-11-01T06:00:00Z")), -5 * 3600);
    }

    #[test]
    fn southern_hemisphere_half_hours_and_negative_times() {
        let lh = TzRule::parse("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0").expect("parses");
        assert_eq!(lh.offset_at(t("2026-01-15T00:00:00Z")), 11 * 3600);
        assert_eq!(lh.offset_at(t("2026-07-15T00:00:00Z")), 10 * 3600 + 1800);
        let nuuk = TzRule::parse("<-02>2<-01>,M3.5.0/-1,M10.5.0/0").expect("parses");
        assert_eq!(nuuk.offset_at(t("2026-07-01T00:00:00Z")), -3600);
        assert_eq!(nuuk.offset_at(t("2026-12-01T00:00:00Z")), -7200);
        let tehran = TzRule::parse("<+0330>-3:30").expect("parses");
        assert_eq!(tehran.offset_at(t("2026-07-01T00:00:00Z")), 3 * 3600 + 1800);
    }

    #[test]
    fn bad_rules_are_errors() {
        for bad in [
            "",
            "E5",
            "EST",
            "EST5EDT,M13.1.0,M11.1.0",
            "EST5EDT,M3.2.0",
            "<+03",
            "EST5EDT,J0,J1",
        ] {
            assert!(TzRule::parse(bad).is_err(), "{bad}");
        }
    }
}
