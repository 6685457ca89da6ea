//! Student-t confidence intervals across independent replications.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// A point estimate with a two-sided confidence interval; written to the
/// results as `{mean, ci_low, ci_high}`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Estimate {
    /// Sample mean.
    pub mean: f64,
    /// Lower end of the confidence interval.
    pub ci_low: f64,
    /// Upper end of the confidence interval.
    pub ci_high: f64,
    /// The interval reached past the range of values the quantity can
    /// take and was cut there (see [`Estimate::within`]); the results list
    /// such metrics apart, in `simulation.clipped`.
    #[serde(skip)]
    pub clipped: bool,
}

impl Estimate {
    /// Half the width of the confidence interval; NaN when there is no interval.
    pub fn half_width(&self) -> f64 {
        (self.ci_high - self.ci_low) / 2.0
    }

    /// The interval cut to `[low, high]`, the range of values the
    /// estimated quantity can take (e.g. [0, 1] for a probability), marked
    /// [`Estimate::clipped`] when that changed it. The true value lies in
    /// that range, so the cut interval covers it exactly when the uncut
    /// one does: coverage is unchanged, and no bound is impossible. An
    /// interval that had to be cut says the symmetric t interval is a poor
    /// fit (too few, too skewed samples), which the mark keeps visible.
    pub fn within(self, (low, high): (f64, f64)) -> Estimate {
        if self.ci_low.is_nan() || self.ci_high.is_nan() {
            return self;
        }
        let ci_low = self.ci_low.max(low);
        let ci_high = self.ci_high.min(high);
        Estimate {
            clipped: self.clipped || ci_low != self.ci_low || ci_high != self.ci_high,
            ci_low,
            ci_high,
            ..self
        }
    }
}

/// Mean of `samples` (typically one value per replication) with the two-sided
/// Student-t interval `mean ± t_{(1+confidence)/2, n-1} * s / sqrt(n)`, where
/// `s` is the sample standard deviation.
///
/// - No samples or any NaN sample: everything is NaN.
/// - One sample, or `confidence` outside (0, 1): the mean with a NaN interval.
/// - All samples equal: a zero-width interval.
pub fn student_t_interval(samples: &[f64], confidence: f64) -> Estimate {
    let nan = Estimate {
        mean: f64::NAN,
        ci_low: f64::NAN,
        ci_high: f64::NAN,
        clipped: false,
    };
    if samples.is_empty() || samples.iter().any(|x| x.is_nan()) {
        return nan;
    }
    let n = samples.len() as f64;
    let mean = samples.iter().sum::<f64>() / n;
    let Some(t) = t_quantile(samples.len(), confidence) else {
        return Estimate { mean, ..nan };
    };
    let half_width = t * standard_error(samples);
    Estimate {
        mean,
        ci_low: mean - half_width,
        ci_high: mean + half_width,
        clipped: false,
    }
}

/// Standard error of the mean of `samples`: s / sqrt(n), with `s` the
/// sample standard deviation; NaN for fewer than two samples.
pub fn standard_error(samples: &[f64]) -> f64 {
    let n = samples.len() as f64;
    if samples.len() < 2 {
        return f64::NAN;
    }
    let mean = samples.iter().sum::<f64>() / n;
    let variance = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (variance / n).sqrt()
}

/// `t_{(1+confidence)/2, n-1}`, or `None` without a valid interval (n < 2 or
/// confidence outside (0, 1)).
pub(super) fn t_quantile(n: usize, confidence: f64) -> Option<f64> {
    if n < 2 || !(confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    let students_t = StudentsT::new(0.0, 1.0, (n - 1) as f64).ok()?;
    Some(students_t.inverse_cdf((1.0 + confidence) / 2.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, Normal};

    #[test]
    fn known_t_quantiles() {
        let t4 = t_quantile(5, 0.95).unwrap();
        let t9 = t_quantile(10, 0.95).unwrap();
        assert!((t4 - 2.776445105).abs() < 1e-8, "{t4}");
        assert!((t9 - 2.262157163).abs() < 1e-8, "{t9}");
    }

    #[test]
    fn hand_computed_interval() {
        // mean 3, s^2 = 2.5, s / sqrt(5) = sqrt(0.5), t_{0.975,4} = 2.776445105.
        let estimate = student_t_interval(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.95);
        let half_width = 2.776445105 * 0.5f64.sqrt();
        assert!((estimate.mean - 3.0).abs() < 1e-12);
        assert!((estimate.half_width() - half_width).abs() < 1e-8);
        assert!((estimate.ci_low - (3.0 - half_width)).abs() < 1e-8);
        assert!((estimate.ci_high - (3.0 + half_width)).abs() < 1e-8);
    }

    #[test]
    fn degenerate_inputs() {
        let empty = student_t_interval(&[], 0.95);
        assert!(empty.mean.is_nan() && empty.ci_low.is_nan() && empty.ci_high.is_nan());

        let one = student_t_interval(&[4.0], 0.95);
        assert_eq!(one.mean, 4.0);
        assert!(one.ci_low.is_nan() && one.ci_high.is_nan() && one.half_width().is_nan());

        let with_nan = student_t_interval(&[1.0, f64::NAN, 3.0], 0.95);
        assert!(with_nan.mean.is_nan() && with_nan.ci_low.is_nan() && with_nan.ci_high.is_nan());

        let equal = student_t_interval(&[2.5; 6], 0.95);
        assert_eq!(
            equal,
            Estimate {
                mean: 2.5,
                ci_low: 2.5,
                ci_high: 2.5,
                clipped: false,
            }
        );

        for confidence in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
            let estimate = student_t_interval(&[1.0, 2.0, 3.0], confidence);
            assert_eq!(estimate.mean, 2.0);
            assert!(estimate.ci_low.is_nan() && estimate.ci_high.is_nan());
        }
    }

    #[test]
    fn intervals_are_cut_to_the_range_and_marked() {
        // Two replications of a probability: 0.25 +- 12.7 * 0.25.
        let raw = student_t_interval(&[0.0, 0.5], 0.95);
        assert!(raw.ci_low < 0.0 && raw.ci_high > 1.0, "{raw:?}");
        let cut = raw.within((0.0, 1.0));
        assert_eq!((cut.mean, cut.ci_low, cut.ci_high), (0.25, 0.0, 1.0));
        assert!(cut.clipped);
        let inside = student_t_interval(&[0.4, 0.5, 0.45], 0.95);
        assert_eq!(inside.within((0.0, 1.0)), inside);
        assert!(!inside.within((0.0, 1.0)).clipped);
        let nan = student_t_interval(&[], 0.95).within((0.0, f64::INFINITY));
        assert!(nan.ci_low.is_nan() && nan.ci_high.is_nan() && !nan.clipped);
    }

    #[test]
    fn covers_true_mean_at_nominal_rate() {
        let mut rng = ChaCha8Rng::seed_from_u64(2024);
        let normal = Normal::new(10.0, 3.0).unwrap();
        let trials = 2000;
        let mut covered = 0;
        for _ in 0..trials {
            let samples: Vec<f64> = (0..8).map(|_| normal.sample(&mut rng)).collect();
            let estimate = student_t_interval(&samples, 0.95);
            if estimate.ci_low <= 10.0 && 10.0 <= estimate.ci_high {
                covered += 1;
            }
        }
        let coverage = f64::from(covered) / f64::from(trials);
        assert!((0.935..=0.965).contains(&coverage), "coverage {coverage}");
    }
}
