//! Running count, mean and variance of a stream of observations.

/// Running count and mean of observations, updated in O(1) as Welford's
/// algorithm updates them: a [`Tally`] without the variance, for figures
/// that report only a mean (its mean is the tally's, bit for bit).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RunningMean {
    count: u64,
    mean: f64,
}

impl RunningMean {
    /// Adds one observation. A NaN observation makes the mean NaN.
    #[inline]
    pub fn record(&mut self, x: f64) {
        self.count += 1;
        // Through i64 (exact below 2^63, as the count always is): one
        // conversion instruction instead of an unsigned conversion's several.
        self.mean += (x - self.mean) / self.count as i64 as f64;
    }

    /// Number of observations recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Mean of the observations; NaN when there are none.
    pub fn mean(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.mean }
    }
}

/// Running count, mean and sample variance of observations, updated in O(1)
/// with Welford's numerically stable algorithm.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tally {
    running: RunningMean,
    sum_squared_deviations: f64,
}

impl Tally {
    /// An empty tally.
    pub fn new() -> Tally {
        Tally::default()
    }

    /// Adds one observation. A NaN observation makes the mean and variance NaN.
    #[inline]
    pub fn record(&mut self, x: f64) {
        let delta = x - self.running.mean;
        self.running.record(x);
        self.sum_squared_deviations += delta * (x - self.running.mean);
    }

    /// Number of observations recorded since the last reset.
    pub fn count(&self) -> u64 {
        self.running.count()
    }

    /// Mean of the observations; NaN when there are none.
    pub fn mean(&self) -> f64 {
        self.running.mean()
    }

    /// Sample variance (divisor n - 1); NaN with fewer than 2 observations.
    pub fn variance(&self) -> f64 {
        if self.count() < 2 {
            f64::NAN
        } else {
            self.sum_squared_deviations / (self.count() - 1) as f64
        }
    }

    /// Forgets all observations.
    pub fn reset(&mut self) {
        *self = Tally::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_tally_is_nan() {
        let tally = Tally::new();
        assert_eq!(tally.count(), 0);
        assert!(tally.mean().is_nan());
        assert!(tally.variance().is_nan());
    }

    #[test]
    fn single_observation_has_mean_but_no_variance() {
        let mut tally = Tally::new();
        tally.record(3.5);
        assert_eq!(tally.count(), 1);
        assert_eq!(tally.mean(), 3.5);
        assert!(tally.variance().is_nan());
    }

    #[test]
    fn matches_two_pass_formulas() {
        let data = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let mut tally = Tally::new();
        for &x in &data {
            tally.record(x);
        }
        assert_eq!(tally.count(), 8);
        assert!((tally.mean() - 5.0).abs() < 1e-12);
        // Sum of squared deviations is 32, so the sample variance is 32 / 7.
        assert!((tally.variance() - 32.0 / 7.0).abs() < 1e-12);
    }

    #[test]
    fn stable_with_large_offset() {
        let mut tally = Tally::new();
        for x in [1e9 + 4.0, 1e9 + 7.0, 1e9 + 13.0, 1e9 + 16.0] {
            tally.record(x);
        }
        assert!((tally.mean() - (1e9 + 10.0)).abs() < 1e-6);
        assert!((tally.variance() - 30.0).abs() < 1e-6);
    }

    #[test]
    fn a_running_mean_is_the_tallys_mean_bit_for_bit() {
        let (mut tally, mut running) = (Tally::new(), RunningMean::default());
        for x in [0.1, 7.3, 1e9 + 4.0, 0.0, 2.5e-7, 13.0] {
            tally.record(x);
            running.record(x);
            assert_eq!(running.mean().to_bits(), tally.mean().to_bits());
            assert_eq!(running.count(), tally.count());
        }
    }

    #[test]
    fn reset_forgets_everything() {
        let mut tally = Tally::new();
        tally.record(1.0);
        tally.record(2.0);
        tally.reset();
        assert_eq!(tally, Tally::new());
        tally.record(10.0);
        assert_eq!(tally.mean(), 10.0);
    }
}
