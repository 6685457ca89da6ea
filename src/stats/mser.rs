//! MSER-5 warm-up truncation (White 1997; Franklin & White 2008).

/// Observations per batch in MSER-5.
const BATCH_SIZE: usize = 5;

/// Series shorter than this are not truncated.
const MIN_OBSERVATIONS: usize = 10;

/// Number of initial observations to delete as warm-up, by the MSER-5 rule.
///
/// The series is cut into `n` batches of 5 consecutive observations with means
/// `Z_1..Z_n` (an incomplete last batch is dropped). For each number of deleted
/// batches `d` in `0..=n/2` the rule computes
///
/// ```text
/// MSER(d) = 1/(n-d)^2 * sum_{j=d+1..n} (Z_j - Zbar_d)^2,   Zbar_d = mean of Z_{d+1..n}
/// ```
///
/// and returns `5 * d` for the `d` minimising it (the smallest such `d` on ties).
/// Runs in O(len) time using running (Welford) sums over suffixes, and in
/// O(len / 5) memory for the batch means.
///
/// Returns 0 for series shorter than 10 observations and for series containing
/// NaN or infinite values. With only 2 complete batches the rule always deletes
/// one of them (the remaining single batch has MSER 0), so very short series
/// are best not truncated automatically.
pub fn mser5_truncation(series: &[f64]) -> usize {
    if series.len() < MIN_OBSERVATIONS || !series.iter().all(|x| x.is_finite()) {
        return 0;
    }
    let batch_means: Vec<f64> = series
        .chunks_exact(BATCH_SIZE)
        .map(|batch| batch.iter().sum::<f64>() / BATCH_SIZE as f64)
        .collect();
    let batches = batch_means.len();
    let max_deleted = batches / 2;

    // Walk from the last batch backwards, keeping the mean and the sum of squared
    // deviations of the suffix Z_{d+1..n} (Welford's update), and evaluate MSER(d)
    // once the suffix starts at a candidate d.
    let mut suffix_len = 0.0;
    let mut suffix_mean = 0.0;
    let mut suffix_squared_deviations = 0.0;
    let mut best_deleted = 0;
    let mut best_statistic = f64::INFINITY;
    for (deleted, &z) in batch_means.iter().enumerate().rev() {
        suffix_len += 1.0;
        let delta = z - suffix_mean;
        suffix_mean += delta / suffix_len;
        suffix_squared_deviations += delta * (z - suffix_mean);
        if deleted <= max_deleted {
            let statistic = suffix_squared_deviations / (suffix_len * suffix_len);
            // `<=` while d decreases keeps the smallest d among ties.
            if statistic <= best_statistic {
                best_statistic = statistic;
                best_deleted = deleted;
            }
        }
    }
    best_deleted * BATCH_SIZE
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Direct O(n^2) evaluation of the MSER-5 rule, for comparison.
    fn brute_force(series: &[f64]) -> usize {
        if series.len() < MIN_OBSERVATIONS {
            return 0;
        }
        let z: Vec<f64> = series
            .chunks_exact(BATCH_SIZE)
            .map(|b| b.iter().sum::<f64>() / BATCH_SIZE as f64)
            .collect();
        let n = z.len();
        let mut best = (f64::INFINITY, 0);
        for d in 0..=n / 2 {
            let tail = &z[d..];
            let mean = tail.iter().sum::<f64>() / tail.len() as f64;
            let ss: f64 = tail.iter().map(|x| (x - mean).powi(2)).sum();
            let statistic = ss / ((n - d) as f64).powi(2);
            if statistic < best.0 {
                best = (statistic, d);
            }
        }
        best.1 * BATCH_SIZE
    }

    fn noise(rng: &mut ChaCha8Rng, len: usize) -> Vec<f64> {
        (0..len).map(|_| rng.random::<f64>() - 0.5).collect()
    }

    #[test]
    fn short_or_invalid_series_are_not_truncated() {
        assert_eq!(mser5_truncation(&[]), 0);
        assert_eq!(mser5_truncation(&[100.0; 9]), 0);
        let mut series = vec![1.0; 100];
        series[50] = f64::NAN;
        assert_eq!(mser5_truncation(&series), 0);
    }

    #[test]
    fn constant_series_is_not_truncated() {
        assert_eq!(mser5_truncation(&[3.0; 1000]), 0);
    }

    #[test]
    fn strong_transient_is_removed() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut series = vec![50.0; 1000];
        series.extend(noise(&mut rng, 9000));
        let truncation = mser5_truncation(&series);
        assert!(
            (1000..=1010).contains(&truncation),
            "truncated {truncation}"
        );
    }

    #[test]
    fn stationary_series_gets_small_truncation() {
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        let series = noise(&mut rng, 10_000);
        let truncation = mser5_truncation(&series);
        assert!(truncation <= 500, "truncated {truncation}");
    }

    #[test]
    fn matches_brute_force() {
        let mut rng = ChaCha8Rng::seed_from_u64(13);
        for trial in 0..200 {
            let len = rng.random_range(0..600);
            let drift = rng.random_range(0.0..5.0);
            let series: Vec<f64> = (0..len)
                .map(|i| drift * (-(i as f64) / 50.0).exp() + rng.random::<f64>())
                .collect();
            assert_eq!(
                mser5_truncation(&series),
                brute_force(&series),
                "trial {trial}, len {len}"
            );
        }
    }
}
