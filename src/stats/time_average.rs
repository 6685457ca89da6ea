//! Time-weighted average of a piecewise-constant quantity.

/// Time-weighted average of a piecewise-constant quantity such as a queue length
/// or the number of busy servers. All operations are O(1).
///
/// Times passed to [`TimeAverage::update`], [`TimeAverage::mean`] and
/// [`TimeAverage::reset`] must never decrease; the value starts at 0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeAverage {
    start_time: f64,
    last_change: f64,
    value: f64,
    area: f64,
}

impl TimeAverage {
    /// Starts averaging at `start_time` with a value of 0.
    pub fn new(start_time: f64) -> TimeAverage {
        TimeAverage {
            start_time,
            last_change: start_time,
            value: 0.0,
            area: 0.0,
        }
    }

    /// At time `now`, closes the current segment (adding value * duration to the
    /// area) and sets the value to `new_value`.
    #[inline]
    pub fn update(&mut self, now: f64, new_value: f64) {
        self.area += self.value * (now - self.last_change);
        self.last_change = now;
        self.value = new_value;
    }

    /// Time average from the last reset up to `now`, including the current
    /// segment; NaN if no time has elapsed.
    pub fn mean(&self, now: f64) -> f64 {
        let elapsed = now - self.start_time;
        if elapsed > 0.0 {
            (self.area + self.value * (now - self.last_change)) / elapsed
        } else {
            f64::NAN
        }
    }

    /// Restarts averaging at `now`, keeping the current value (used to discard warm-up).
    pub fn reset(&mut self, now: f64) {
        self.start_time = now;
        self.last_change = now;
        self.area = 0.0;
    }

    /// The current value.
    #[inline]
    pub fn value(&self) -> f64 {
        self.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_elapsed_time_is_nan() {
        let average = TimeAverage::new(5.0);
        assert!(average.mean(5.0).is_nan());
        assert_eq!(average.value(), 0.0);
    }

    #[test]
    fn weights_values_by_duration() {
        let mut average = TimeAverage::new(0.0);
        average.update(1.0, 2.0); // 0 on [0, 1)
        average.update(3.0, 1.0); // 2 on [1, 3)
        // 1 on [3, 7): area = 0 + 4 + 4 = 8 over 7 time units.
        assert!((average.mean(7.0) - 8.0 / 7.0).abs() < 1e-12);
        assert_eq!(average.value(), 1.0);
    }

    #[test]
    fn simultaneous_updates_keep_only_the_last_value() {
        let mut average = TimeAverage::new(0.0);
        average.update(2.0, 5.0);
        average.update(2.0, 3.0);
        // 0 on [0, 2), 3 on [2, 4).
        assert!((average.mean(4.0) - 1.5).abs() < 1e-12);
    }

    #[test]
    fn reset_discards_history_but_keeps_value() {
        let mut average = TimeAverage::new(0.0);
        average.update(1.0, 100.0);
        average.reset(10.0);
        assert_eq!(average.value(), 100.0);
        assert!(average.mean(10.0).is_nan());
        average.update(12.0, 0.0);
        // 100 on [10, 12), 0 on [12, 14).
        assert!((average.mean(14.0) - 50.0).abs() < 1e-12);
    }
}
