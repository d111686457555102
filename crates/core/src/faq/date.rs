//! Calendar dates as FAQ files write them: `YYYY-MM-DD`, or `YYYY`/`YYYY-MM` for
//! publications that give no more.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A date, perhaps only a year or a year and month; ordered by year, month, day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// The year, e.g. 2026.
    pub year: i32,
    /// The month, 1 to 12; `None` for a year alone.
    pub month: Option<u8>,
    /// The day of the month; `None` for a year or year and month alone.
    pub day: Option<u8>,
}

impl Date {
    /// Parses `YYYY-MM-DD`, or with `allow_partial` also `YYYY` and `YYYY-MM`.
    pub fn parse(text: &str, allow_partial: bool) -> Option<Date> {
        let parts: Vec<&str> = text.split('-').collect();
        let number = |s: &str, len: usize| -> Option<u32> {
            (s.len() == len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
        };
        let year = number(parts.first()?, 4)? as i32;
        let date = match parts.len() {
            1 if allow_partial => Date { year, month: None, day: None },
            2 if allow_partial => {
                let month = number(parts[1], 2)?;
                (1..=12).contains(&month).then_some(())?;
                Date { year, month: Some(month as u8), day: None }
            }
            3 => {
                let month = number(parts[1], 2)?;
                let day = number(parts[2], 2)?;
                (1..=12).contains(&month).then_some(())?;
                (1..=days_in_month(year, month)).contains(&day).then_some(())?;
                Date { year, month: Some(month as u8), day: Some(day as u8) }
            }
            _ => return None,
        };
        Some(date)
    }

    /// Today in UTC.
    pub fn today() -> Date {
        let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        Date::from_days_since_epoch((secs / 86_400) as i64)
    }

    /// Howard Hinnant's `civil_from_days`.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month: Some(month), day: Some(day) }
    }

    /// The same day twelve months earlier (29 Feb -> 28 Feb).
    pub fn one_year_before(self) -> Date {
        let mut earlier = Date { year: self.year - 1, ..self };
        if let (Some(m), Some(d)) = (earlier.month, earlier.day) {
            earlier.day = Some(d.min(days_in_month(earlier.year, u32::from(m)) as u8));
        }
        earlier
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_full_and_partial_dates() {
        assert_eq!(Date::parse("2026-11-22", false).unwrap().to_string(), "2026-11-22");
        assert_eq!(Date::parse("2019", true).unwrap().to_string(), "2019");
        assert!(Date::parse("2019", false).is_none());
        for bad in ["2026-13-01", "2026-02-30", "26-01-01", "2026/01/01", "", "2026-1-1"] {
            assert!(Date::parse(bad, true).is_none(), "{bad}");
        }
        assert!(Date::parse("2024-02-29", false).is_some());
    }

    #[test]
    fn civil_from_days_matches_known_dates() {
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days_since_epoch(20_414).to_string(), "2025-11-22");
    }

    #[test]
    fn a_year_before_a_leap_day() {
        let d = Date::parse("2028-02-29", false).unwrap();
        assert_eq!(d.one_year_before().to_string(), "2027-02-28");
    }
}
