//! Billing periods anchored to the subscription's start, with month-end handling.
//!
//! Period `n` starts at the anchor plus `n × intervalCount` intervals, computed **from the
//! anchor every time** (never from the previous period), so a month-end anchor comes back:
//! Jan 31 → Feb 28 (Feb 29 in leap years) → Mar 31 → Apr 30 → May 31. The day of month is
//! clamped to the month's length; the local time of day is kept.
//!
//! Calendar arithmetic happens in the subscription's local time, given as a fixed UTC offset
//! (`utcOffsetSeconds`, a [`chrono::FixedOffset`]). Decision: a fixed offset rather than an
//! IANA zone through `chrono-tz` because (1) it is exact and identical on every host and on
//! wasm32 without shipping the tz database (~0.5 MB) into the browser bundle, (2) a DST zone
//! makes "the same local time next month" ambiguous or non-existent twice a year, and the
//! rule for those instants would have to be invented and documented anyway, and (3) billing
//! day boundaries only need the merchant's or customer's day, which a fixed offset gives. A
//! host billing in a DST zone passes the offset of the zone's standard time.

use super::plan::Interval;
use crate::error::{KassaError, Result};
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// One billing period: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    /// Index from the anchor (0 is the first period).
    pub index: u32,
    /// Start, inclusive.
    pub start: DateTime<Utc>,
    /// End, exclusive (the next period's start).
    pub end: DateTime<Utc>,
}

impl Period {
    /// Whether `t` lies in the period.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }

    /// Length in seconds.
    pub fn seconds(&self) -> i64 {
        (self.end - self.start).num_seconds()
    }
}

/// The periods of a subscription: an anchor, an interval and a fixed UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PeriodSchedule {
    /// Start of period 0; its local day of month is the anchor day.
    pub anchor: DateTime<Utc>,
    /// Interval unit.
    pub interval: Interval,
    /// Intervals per period (at least 1).
    #[serde(default = "one")]
    pub interval_count: u32,
    /// Local time offset from UTC in seconds (`3600` for UTC+1), |offset| < 24 h.
    #[serde(default)]
    pub utc_offset_seconds: i32,
}

fn one() -> u32 {
    1
}

fn days_in_month(year: i32, month: u32) -> Option<u32> {
    let (ny, nm) = if month == 12 {
        (year.checked_add(1)?, 1)
    } else {
        (year, month + 1)
    };
    let first_next = NaiveDate::from_ymd_opt(ny, nm, 1)?;
    Some(first_next.pred_opt()?.day())
}

/// `local` moved by `months` calendar months, the day clamped to the target month's length.
fn add_months(local: NaiveDateTime, months: i64) -> Option<NaiveDateTime> {
    let total = i64::from(local.year())
        .checked_mul(12)?
        .checked_add(i64::from(local.month0()))?
        .checked_add(months)?;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = u32::try_from(total.rem_euclid(12)).ok()? + 1;
    let day = local.day().min(days_in_month(year, month)?);
    Some(NaiveDate::from_ymd_opt(year, month, day)?.and_time(local.time()))
}

impl PeriodSchedule {
    /// Checks the schedule.
    pub fn validate(&self) -> Result<()> {
        if self.interval_count == 0 || self.interval_count > 1000 {
            return Err(KassaError::validation(
                "intervalCount",
                "must be between 1 and 1000",
            ));
        }
        self.offset()?;
        Ok(())
    }

    fn offset(&self) -> Result<FixedOffset> {
        FixedOffset::east_opt(self.utc_offset_seconds).ok_or_else(|| {
            KassaError::validation("utcOffsetSeconds", "must be within ±86399 seconds")
        })
    }

    fn out_of_range() -> KassaError {
        KassaError::validation("period", "the period lies outside the supported dates")
    }

    /// The start of period `n`.
    pub fn start_of(&self, n: u32) -> Result<DateTime<Utc>> {
        let steps = i64::from(n) * i64::from(self.interval_count);
        match self.interval {
            Interval::Day | Interval::Week => {
                let days = if self.interval == Interval::Week {
                    steps * 7
                } else {
                    steps
                };
                Duration::try_days(days)
                    .and_then(|d| self.anchor.checked_add_signed(d))
                    .ok_or_else(Self::out_of_range)
            }
            Interval::Month | Interval::Year => {
                let months = if self.interval == Interval::Year {
                    steps * 12
                } else {
                    steps
                };
                let offset = self.offset()?;
                let local = self.anchor.with_timezone(&offset).naive_local();
                let moved = add_months(local, months).ok_or_else(Self::out_of_range)?;
                offset
                    .from_local_datetime(&moved)
                    .single()
                    .map(|d| d.with_timezone(&Utc))
                    .ok_or_else(Self::out_of_range)
            }
        }
    }

    /// Period `n`.
    pub fn period(&self, n: u32) -> Result<Period> {
        let next = n.checked_add(1).ok_or_else(Self::out_of_range)?;
        Ok(Period {
            index: n,
            start: self.start_of(n)?,
            end: self.start_of(next)?,
        })
    }

    /// The period containing `t` (`VALIDATION_ERROR` when `t` is before the anchor).
    pub fn period_at(&self, t: DateTime<Utc>) -> Result<Period> {
        self.validate()?;
        if t < self.anchor {
            return Err(KassaError::validation(
                "at",
                "lies before the subscription's first period",
            ));
        }
        // An estimate from the average period length, then exact steps.
        let approx_secs: i64 = match self.interval {
            Interval::Day => 86_400,
            Interval::Week => 7 * 86_400,
            Interval::Month => 2_629_746,
            Interval::Year => 31_556_952,
        } * i64::from(self.interval_count);
        let est = (t - self.anchor).num_seconds() / approx_secs.max(1);
        let mut n = u32::try_from(est).map_err(|_| Self::out_of_range())?;
        while n > 0 && self.start_of(n)? > t {
            n -= 1;
        }
        loop {
            let p = self.period(n)?;
            if p.contains(t) {
                return Ok(p);
            }
            n = n.checked_add(1).ok_or_else(Self::out_of_range)?;
        }
    }
}
