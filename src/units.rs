//! Time units the tools understand: conversion to seconds, and model time
//! as clock time (hh:mm) for periods long enough to read that way.

/// Seconds per time unit, for the units a conversion understands.
pub fn seconds_per(unit: &str) -> Option<f64> {
    Some(match unit {
        "ns" => 1e-9,
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "min" => 60.0,
        "h" => 3600.0,
        _ => return None,
    })
}

/// Hours per time unit when a period of `end` time units is long enough
/// to read in clock time (two hours or more) and the unit converts;
/// time 0 is midnight, as rate profiles count it.
pub fn clock_hours(time_unit: &str, end: f64) -> Option<f64> {
    let hours = seconds_per(time_unit)? / 3600.0;
    (end * hours >= 2.0).then_some(hours)
}

/// `hours` since midnight as hh:mm (24:00 at the end of the first day),
/// with `+Nd` on later days.
pub fn clock_time(hours: f64) -> String {
    let minutes = (hours * 60.0).round() as i64;
    if minutes == 24 * 60 {
        return "24:00".into();
    }
    let (days, minutes) = (minutes.div_euclid(24 * 60), minutes.rem_euclid(24 * 60));
    let time = format!("{:02}:{:02}", minutes / 60, minutes % 60);
    if days == 0 {
        time
    } else {
        format!("{time} {days:+}d")
    }
}

/// The span from `start` to `end` (model time in `time_unit`) as text:
/// clock times (`06:00-08:00`) when the whole period, `period_end` long,
/// reads in clock time, else the model times (`21600-28800`).
pub fn span_text(start: f64, end: f64, time_unit: &str, period_end: f64) -> String {
    match clock_hours(time_unit, period_end) {
        Some(hours) => format!("{}-{}", clock_time(start * hours), clock_time(end * hours)),
        None => format!("{start}-{end}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times_and_spans() {
        assert_eq!(clock_time(0.0), "00:00");
        assert_eq!(clock_time(24.0), "24:00");
        assert_eq!(clock_time(26.0), "02:00 +1d");
        assert_eq!(clock_time(-1.0), "23:00 -1d");
        assert_eq!(span_text(21600.0, 28800.0, "s", 86400.0), "06:00-08:00");
        assert_eq!(span_text(90.0, 120.0, "min", 1440.0), "01:30-02:00");
        // A short period, or a unit that does not convert, keeps model time.
        assert_eq!(span_text(0.0, 30.0, "s", 3600.0), "0-30");
        assert_eq!(span_text(0.0, 5.0, "ticks", 1e6), "0-5");
    }
}
