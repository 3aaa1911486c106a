//! Business-hours arithmetic: when does an SLA of N working minutes, started
//! now, run out in the merchant's calendar?

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use serde::Deserialize;

use super::{TzRule, zone};

/// Why a calendar is not usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarError(pub String);

/// A calendar as rules and manifests write it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarSpec {
    time_zone: String,
    #[serde(default = "nine")]
    open: String,
    #[serde(default = "five")]
    close: String,
    /// ISO weekdays, 1 = Monday … 7 = Sunday.
    #[serde(default = "weekdays")]
    days: Vec<u32>,
    #[serde(default)]
    holidays: Vec<NaiveDate>,
}

fn nine() -> String {
    "09:00".to_owned()
}
fn five() -> String {
    "17:00".to_owned()
}
fn weekdays() -> Vec<u32> {
    vec![1, 2, 3, 4, 5]
}

/// A merchant's working hours in its time zone.
#[derive(Debug, Clone)]
pub struct BusinessCalendar {
    tz: TzRule,
    open: NaiveTime,
    close: NaiveTime,
    days: [bool; 7],
    holidays: BTreeSet<NaiveDate>,
}

impl BusinessCalendar {
    /// Reads `{time_zone, open?, close?, days?, holidays?}` (defaults: 09:00–17:00, Monday to Friday).
    pub fn from_json(value: &serde_json::Value) -> Result<Self, CalendarError> {
        let spec: CalendarSpec = serde_json::from_value(value.clone())
            .map_err(|e| CalendarError(format!("business calendar: {e}")))?;
        let tz = zone(&spec.time_zone).map_err(|e| CalendarError(e.0))?;
        let time = |s: &str| {
            NaiveTime::parse_from_str(s, "%H:%M")
                .map_err(|_| CalendarError(format!("business calendar: `{s}` is not a HH:MM time")))
        };
        let (open, close) = (time(&spec.open)?, time(&spec.close)?);
        if open >= close {
            return Err(CalendarError(
                "business calendar: `open` must be before `close`".to_owned(),
            ));
        }
        let mut days = [false; 7];
        for d in spec.days {
            if !(1..=7).contains(&d) {
                return Err(CalendarError(format!(
                    "business calendar: day {d} is not 1 (Monday) … 7 (Sunday)"
                )));
            }
            days[(d - 1) as usize] = true;
        }
        if !days.contains(&true) {
            return Err(CalendarError(
                "business calendar: no working days".to_owned(),
            ));
        }
        Ok(Self {
            tz,
            open,
            close,
            days,
            holidays: spec.holidays.into_iter().collect(),
        })
    }

    fn working(&self, date: NaiveDate) -> bool {
        self.days[date.weekday().num_days_from_monday() as usize] && !self.holidays.contains(&date)
    }

    /// Whether `t` falls in working hours.
    pub fn is_open(&self, t: DateTime<Utc>) -> bool {
        let local = self.tz.to_local(t);
        self.working(local.date()) && local.time() >= self.open && local.time() < self.close
    }

    /// The instant `minutes` working minutes after `start`. Searches at most
    /// ten years ahead, so a calendar with all days as holidays cannot hang.
    pub fn add_working_minutes(&self, start: DateTime<Utc>, minutes: i64) -> Option<DateTime<Utc>> {
        let mut remaining = Duration::minutes(minutes.max(0));
        let local = self.tz.to_local(start);
        let mut date = local.date();
        let mut time = local.time();
        for _ in 0..3660 {
            if self.working(date) {
                let from = time.max(self.open);
                if from < self.close {
                    let available = self.close - from;
                    if remaining <= available {
                        return Some(self.tz.to_utc(date.and_time(from) + remaining));
                    }
                    remaining -= available;
                }
            }
            date = date.succ_opt()?;
            time = NaiveTime::MIN;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().expect("time")
    }

    fn ny() -> BusinessCalendar {
        BusinessCalendar::from_json(
            &json!({"time_zone": "America/New_York", "holidays": ["2026-11-26"]}),
        )
        .expect("calendar")
    }

    #[test]
    fn sla_clock_stops_outside_hours_weekends_and_holidays() {
        let cal = ny();
        // Wednesday 16:00 EST + 2 working hours → Friday 10:00 (Thursday is Thanksgiving).
        assert_eq!(
            cal.add_working_minutes(t("2026-11-25T21:00:00Z"), 120),
            Some(t("2026-11-27T15:00:00Z"))
        );
        // Friday 16:30 + 60 min → Monday 09:30.
        assert_eq!(
            cal.add_working_minutes(t("2026-11-27T21:30:00Z"), 60),
            Some(t("2026-11-30T14:30:00Z"))
        );
        // Saturday night + 30 min → Monday 09:30.
        assert_eq!(
            cal.add_working_minutes(t("2026-11-29T03:00:00Z"), 30),
            Some(t("2026-11-30T14:30:00Z"))
        );
    }

    #[test]
    fn dst_change_moves_the_utc_time_of_opening() {
        let cal = ny();
        // Friday 6 March 2026 16:00 EST + 2 h → Monday 9 March 10:00 EDT (14:00 UTC, not 15:00).
        assert_eq!(
            cal.add_working_minutes(t("2026-03-06T21:00:00Z"), 120),
            Some(t("2026-03-09T14:00:00Z"))
        );
        assert!(cal.is_open(t("2026-03-09T13:30:00Z")));
        assert!(!cal.is_open(t("2026-03-06T13:30:00Z")));
    }

    #[test]
    fn bad_calendars_are_errors() {
        for bad in [
            json!({"time_zone": "Mars/Olympus"}),
            json!({"time_zone": "UTC", "open": "18:00", "close": "09:00"}),
            json!({"time_zone": "UTC", "days": [8]}),
            json!({"time_zone": "UTC", "days": []}),
        ] {
            assert!(BusinessCalendar::from_json(&bad).is_err(), "{bad}");
        }
    }
}
