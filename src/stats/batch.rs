//! Confidence intervals from one long run: the measured window cut into
//! consecutive batches whose values stand in for independent replications
//! (non-overlapping batch means; Schmeiser 1982 finds 10 to 30 batches
//! enough), centred on the whole run's value (sectioning: Asmussen & Glynn
//! 2007, ch. III.5; Nakayama 2014, which also covers quantiles).

use super::interval::{Estimate, standard_error, t_quantile};

/// Batches one long run is cut into.
pub const BATCHES: u32 = 20;

/// Values beyond a percentile that every batch needs for the percentile to
/// get a batch-means interval: with fewer, the batch percentiles are too
/// skewed for a t interval. On M/M/1 at load 0.8, `wait_p99` covered 62%
/// with 10 values beyond it per batch, 91.6% with 100 and 93.5% with 200
/// (`wait_p90` 94.4% with 100).
pub const BATCH_TAIL: u64 = 200;

/// The interval `whole ± t_{(1+confidence)/2, b-1} * s / sqrt(b)` from the
/// values of `b` batches (their standard deviation `s`) around the whole
/// run's value `whole`. For a mean over messages in equal batches `whole`
/// is the mean of the batch means; for time averages and percentiles it is
/// the better-centred estimate.
///
/// NaN throughout when `whole` or a batch value is NaN, or with fewer than
/// two batches (no spread to estimate).
pub fn batch_means_interval(whole: f64, batches: &[f64], confidence: f64) -> Estimate {
    let nan = Estimate {
        mean: f64::NAN,
        ci_low: f64::NAN,
        ci_high: f64::NAN,
        clipped: false,
    };
    if whole.is_nan() || batches.iter().any(|x| x.is_nan()) {
        return nan;
    }
    let Some(t) = t_quantile(batches.len(), confidence) else {
        return nan;
    };
    let half_width = t * standard_error(batches);
    Estimate {
        mean: whole,
        ci_low: whole - half_width,
        ci_high: whole + half_width,
        clipped: false,
    }
}

/// Lag-1 sample autocorrelation of `values`; NaN for fewer than 3 values
/// or no spread.
pub fn lag1_correlation(values: &[f64]) -> f64 {
    if values.len() < 3 {
        return f64::NAN;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance: f64 = values.iter().map(|x| (x - mean).powi(2)).sum();
    let covariance: f64 = values
        .windows(2)
        .map(|pair| (pair[0] - mean) * (pair[1] - mean))
        .sum();
    if variance > 0.0 {
        covariance / variance
    } else {
        f64::NAN
    }
}

/// The lag-1 autocorrelation above which `count` batch values are judged
/// correlated: the one-sided 5% point under independence, where the sample
/// autocorrelation is about normal with mean -1/count and variance
/// 1/count.
pub fn lag1_critical(count: usize) -> f64 {
    let n = count as f64;
    -1.0 / n + 1.645 / n.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn interval_is_centred_on_the_whole_run() {
        // s = sqrt(2.5), b = 5, t_{0.975,4} = 2.776445105.
        let estimate = batch_means_interval(3.5, &[1.0, 2.0, 3.0, 4.0, 5.0], 0.95);
        let half_width = 2.776445105 * 0.5f64.sqrt();
        assert_eq!(estimate.mean, 3.5);
        assert!((estimate.ci_low - (3.5 - half_width)).abs() < 1e-8);
        assert!((estimate.ci_high - (3.5 + half_width)).abs() < 1e-8);
        assert!(batch_means_interval(1.0, &[1.0], 0.95).mean.is_nan());
        assert!(
            batch_means_interval(1.0, &[1.0, f64::NAN], 0.95)
                .mean
                .is_nan()
        );
        assert!(
            batch_means_interval(f64::NAN, &[1.0, 2.0], 0.95)
                .mean
                .is_nan()
        );
    }

    #[test]
    fn lag1_correlation_sees_a_trend_and_not_noise() {
        let trend: Vec<f64> = (0..20).map(f64::from).collect();
        assert!(lag1_correlation(&trend) > lag1_critical(20));
        let alternating: Vec<f64> = (0..20).map(|k| f64::from(k % 2)).collect();
        assert!(lag1_correlation(&alternating) < -0.9);
        assert!(lag1_correlation(&[1.0, 1.0, 1.0]).is_nan());
        // Independent values exceed the critical value about 5% of the time.
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let trials = 4000;
        let alarms = (0..trials)
            .filter(|_| {
                let values: Vec<f64> = (0..20).map(|_| rng.random::<f64>()).collect();
                lag1_correlation(&values) > lag1_critical(20)
            })
            .count();
        let share = alarms as f64 / f64::from(trials);
        assert!((0.03..=0.07).contains(&share), "false alarms {share}");
    }
}
