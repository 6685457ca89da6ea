//! Quantiles of non-negative durations with bounded relative error.

use std::sync::OnceLock;

use hdrhistogram::Histogram;

/// Significant decimal digits kept by the histogram: bucket widths are at most
/// 2^-10 (about 0.098%) of the values they hold.
const SIGNIFICANT_FIGURES: u8 = 3;

/// Largest tick count stored; larger values are clamped to it. This is the
/// limit up to which the histogram can grow its range.
const MAX_TICKS: u64 = (i64::MAX / 2) as u64;

/// Counts per half bucket of the HDR layout with [`SIGNIFICANT_FIGURES`]
/// (2^10: the sub-buckets 1024..2048 of each power of two past the first).
const HALF_BUCKET_BITS: u32 = 10;

/// The slot of `ticks` in the counts, laid out as the HDR histogram with
/// [`SIGNIFICANT_FIGURES`] lays them out (ticks below 2048 one slot each,
/// then 1024 slots per power of two), so each slot is one of its buckets.
#[inline(always)]
fn slot(ticks: u64) -> usize {
    // Powers of two by which `ticks` exceeds the first bucket [0, 2048).
    let shift = (64 - HALF_BUCKET_BITS - 1) - (ticks | 2047).leading_zeros();
    ((shift as usize) << HALF_BUCKET_BITS) + (ticks >> shift) as usize
}

/// The lowest tick count held by `slot` (inverse of [`slot`]).
fn slot_ticks(slot: usize) -> u64 {
    let half_buckets = slot >> HALF_BUCKET_BITS;
    let sub_bucket = (slot & ((1 << HALF_BUCKET_BITS) - 1)) as u64;
    if half_buckets < 2 {
        slot as u64
    } else {
        let shift = half_buckets - 1;
        ((1 << HALF_BUCKET_BITS) + sub_bucket) << shift
    }
}

/// Why a [`Percentiles`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum PercentilesError {
    /// The resolution is not a usable time step.
    #[error("resolution must be a finite number > 0 with a finite inverse, got {0}")]
    InvalidResolution(f64),
}

/// Distribution of non-negative durations (waiting times, sojourn times),
/// answering quantile and service-level queries with bounded relative error.
///
/// Values are stored as integer ticks, `round(x / resolution)`, counted in
/// the buckets of an HDR histogram with 3 significant figures: ticks below
/// 2048 are exact, larger ones fall in buckets no wider than 2^-10 (about
/// 0.098%) of their values. Recording only counts (a few instructions); the
/// HDR histogram that answers queries is built from the counts on the first
/// query after a change, so queries answer exactly as if every value had
/// been recorded in it. The counts grow with the largest value (at most
/// once per power of two, a few dozen times in all), so large values never
/// fail to record and [`Percentiles::record`] is otherwise O(1) and
/// allocation-free.
///
/// It serialises losslessly as its resolution and the `[ticks, count]` pair
/// of every non-empty bucket, so shards of a run merge exactly.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(into = "RecordedBuckets", try_from = "RecordedBuckets")]
pub struct Percentiles {
    /// Values recorded per bucket, by [`slot`].
    counts: Vec<u64>,
    /// Values recorded in all.
    total: u64,
    resolution: f64,
    ticks_per_unit: f64,
    /// The HDR histogram of `counts`, built on the first query after a change.
    histogram: OnceLock<Histogram<u64>>,
}

impl Percentiles {
    /// Creates an empty histogram distinguishing durations that differ by at
    /// least `resolution` (finite, > 0), in the caller's time unit.
    pub fn new(resolution: f64) -> Result<Percentiles, PercentilesError> {
        let ticks_per_unit = 1.0 / resolution;
        if !(resolution.is_finite() && resolution > 0.0 && ticks_per_unit.is_finite()) {
            return Err(PercentilesError::InvalidResolution(resolution));
        }
        Ok(Percentiles {
            counts: Vec::new(),
            total: 0,
            resolution,
            ticks_per_unit,
            histogram: OnceLock::new(),
        })
    }

    /// The smallest time step distinguished, as given to [`Percentiles::new`].
    pub fn resolution(&self) -> f64 {
        self.resolution
    }

    /// Records one duration. NaN is ignored (not counted); negative values,
    /// including -inf, are recorded as 0; values beyond 2^62 ticks, including
    /// +inf, are recorded as 2^62 ticks. An exact 0 records an exact zero.
    #[inline]
    pub fn record(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.add(slot(self.ticks(x)), 1);
    }

    /// `x` (not NaN) in whole ticks, rounded to the nearest: 0 for
    /// negative values, [`MAX_TICKS`] at most.
    #[inline(always)]
    fn ticks(&self, x: f64) -> u64 {
        // Clamped to 0..=2^62 (never NaN, as `x` is not), the value is
        // truncated by one conversion instruction, as `as` would truncate
        // it without its checks for NaN and overflow; 2^62 itself, which
        // only values at or past it reach, is one past MAX_TICKS.
        let ticks = (x * self.ticks_per_unit + 0.5).clamp(0.0, MAX_TICKS as f64);
        // SAFETY: `ticks` is finite and within 0..=2^62, so its truncation
        // fits an i64.
        let truncated = unsafe { ticks.to_int_unchecked::<i64>() } as u64;
        truncated.min(MAX_TICKS)
    }

    /// Adds `count` values to the bucket at `slot`.
    #[inline(always)]
    fn add(&mut self, slot: usize, count: u64) {
        match self.counts.get_mut(slot) {
            Some(bucket) => *bucket = bucket.saturating_add(count),
            None => self.grow_to_add(slot, count),
        }
        self.total = self.total.saturating_add(count);
        if self.histogram.get().is_some() {
            self.histogram = OnceLock::new();
        }
    }

    /// Extends the counts to the end of the power of two holding `slot`,
    /// and adds `count` values there.
    #[cold]
    fn grow_to_add(&mut self, slot: usize, count: u64) {
        let end = ((slot >> HALF_BUCKET_BITS) + 1) << HALF_BUCKET_BITS;
        self.counts.resize(end, 0);
        self.counts[slot] = count;
    }

    /// The HDR histogram of the counts.
    fn histogram(&self) -> &Histogram<u64> {
        self.histogram.get_or_init(|| {
            let mut histogram = Histogram::new(SIGNIFICANT_FIGURES)
                .expect("3 significant figures are a valid HDR histogram");
            for (slot, &count) in self.counts.iter().enumerate() {
                if count > 0 && histogram.record_n(slot_ticks(slot), count).is_err() {
                    // Growing the range failed (only possible where usize is
                    // too small): count the values at the largest trackable
                    // value instead of losing them.
                    histogram.saturating_record_n(slot_ticks(slot), count);
                }
            }
            histogram
        })
    }

    /// The same histogram without the HDR histogram built for queries
    /// (built again on the next one): one kept for later, as each
    /// replication keeps its own, holds only its counts.
    pub fn trimmed(mut self) -> Percentiles {
        self.histogram = OnceLock::new();
        self
    }

    /// Number of values recorded since the last reset.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The `p`-quantile (0 <= p <= 1) in time units; NaN if empty or `p` is out of range.
    ///
    /// The result is the highest value of the histogram bucket that holds the
    /// quantile, so it is biased upwards by less than one bucket: at most
    /// about 0.1% relative (exact below 2048 ticks), plus the half-tick
    /// rounding of recorded values. `p = 0` gives the lowest value of the
    /// smallest bucket instead.
    pub fn quantile(&self, p: f64) -> f64 {
        if self.total == 0 || !(0.0..=1.0).contains(&p) {
            return f64::NAN;
        }
        self.histogram().value_at_quantile(p) as f64 * self.resolution
    }

    /// Share of recorded values that are <= `t` (in time units); NaN if empty or `t` is NaN.
    ///
    /// Values are compared at the histogram's precision: values sharing `t`'s
    /// bucket (within about 0.1%, or half a tick) count as <= `t`.
    pub fn fraction_at_most(&self, t: f64) -> f64 {
        if self.total == 0 || t.is_nan() {
            return f64::NAN;
        }
        if t < 0.0 {
            return 0.0;
        }
        let ticks = (t * self.ticks_per_unit + 0.5) as u64;
        let histogram = self.histogram();
        if ticks >= histogram.max() {
            return 1.0;
        }
        histogram.quantile_below(ticks)
    }

    /// The recorded distribution as `(value, cumulative fraction)` pairs, one per
    /// non-empty bucket in increasing order: `value` is the bucket's highest
    /// value in time units and the fraction is the share of values at or below
    /// that bucket (the last pair has fraction 1). Empty if nothing is recorded.
    /// Allocates; meant for reporting (e.g. a CCDF is `1 - fraction`).
    pub fn cumulative_buckets(&self) -> Vec<(f64, f64)> {
        self.histogram()
            .iter_recorded()
            .map(|bucket| {
                (
                    bucket.value_iterated_to() as f64 * self.resolution,
                    bucket.quantile(),
                )
            })
            .collect()
    }

    /// Adds every value recorded in `other` (which must share this
    /// histogram's resolution, as the histograms of one target do across
    /// replications).
    pub fn merge(&mut self, other: &Percentiles) {
        debug_assert_eq!(self.resolution, other.resolution);
        for (slot, &count) in other.counts.iter().enumerate() {
            if count > 0 {
                self.add(slot, count);
            }
        }
    }

    /// The complementary CDF P(X > t) at up to `points` bucket edges, spread
    /// evenly over the recorded buckets; empty if nothing is recorded.
    pub fn tail_points(&self, points: usize) -> Vec<(f64, f64)> {
        let buckets = self.cumulative_buckets();
        let step = buckets.len().div_ceil(points.max(1)).max(1);
        let mut tail: Vec<(f64, f64)> = buckets
            .iter()
            .step_by(step)
            .map(|&(value, fraction)| (value, (1.0 - fraction).max(0.0)))
            .collect();
        if let Some(&(value, _)) = buckets.last()
            && tail.last().is_none_or(|&(last, _)| last < value)
        {
            tail.push((value, 0.0));
        }
        tail
    }

    /// Forgets all recorded values, keeping the allocated range.
    pub fn reset(&mut self) {
        self.counts.fill(0);
        self.total = 0;
        self.histogram = OnceLock::new();
    }
}

/// The serialised form of [`Percentiles`].
#[derive(serde::Serialize, serde::Deserialize)]
struct RecordedBuckets {
    resolution: f64,
    /// `[ticks, count]` per non-empty bucket, `ticks` being the bucket's
    /// highest value.
    buckets: Vec<(u64, u64)>,
}

impl From<Percentiles> for RecordedBuckets {
    fn from(percentiles: Percentiles) -> RecordedBuckets {
        let buckets = percentiles
            .histogram()
            .iter_recorded()
            .map(|bucket| (bucket.value_iterated_to(), bucket.count_at_value()))
            .collect();
        RecordedBuckets {
            resolution: percentiles.resolution,
            buckets,
        }
    }
}

impl TryFrom<RecordedBuckets> for Percentiles {
    type Error = PercentilesError;

    fn try_from(recorded: RecordedBuckets) -> Result<Percentiles, PercentilesError> {
        let mut percentiles = Percentiles::new(recorded.resolution)?;
        for (ticks, count) in recorded.buckets {
            percentiles.add(slot(ticks.min(MAX_TICKS)), count);
        }
        Ok(percentiles)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relative_error(estimate: f64, exact: f64) -> f64 {
        ((estimate - exact) / exact).abs()
    }

    /// Ticks around every power of two, small ones and random ones up to
    /// the largest stored.
    fn awkward_ticks() -> Vec<u64> {
        let mut ticks: Vec<u64> = (0..5000).collect();
        for power in 0..63 {
            let edge = 1u64 << power;
            ticks.extend([edge - 1, edge, edge + 1, edge + edge / 3]);
        }
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..20_000 {
            // xorshift, then a random number of bits.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ticks.push(state >> (state % 64));
        }
        ticks.into_iter().map(|t| t.min(MAX_TICKS)).collect()
    }

    #[test]
    fn ticks_round_and_saturate_as_the_unsigned_cast() {
        let percentiles = Percentiles::new(0.25).unwrap();
        let edges = [
            f64::NEG_INFINITY,
            -1e300,
            -0.3,
            -0.0,
            0.0,
            0.12,
            0.13,
            1e15,
            MAX_TICKS as f64 * 0.25 * (1.0 - f64::EPSILON),
            MAX_TICKS as f64 * 0.25,
            1e300,
            f64::INFINITY,
        ];
        for x in edges {
            let expected = ((x * 4.0 + 0.5) as u64).min(MAX_TICKS);
            assert_eq!(percentiles.ticks(x), expected, "x {x}");
        }
    }

    #[test]
    fn slots_are_the_hdr_histograms_buckets() {
        let hdr = Histogram::<u64>::new_with_max(MAX_TICKS, SIGNIFICANT_FIGURES).unwrap();
        for ticks in awkward_ticks() {
            let lowest = slot_ticks(slot(ticks));
            assert_eq!(lowest, hdr.lowest_equivalent(ticks), "ticks {ticks}");
            assert_eq!(slot(lowest), slot(ticks));
        }
    }

    #[test]
    fn answers_as_an_hdr_histogram_fed_every_value() {
        let resolution = 1e-3;
        let mut percentiles = Percentiles::new(resolution).unwrap();
        let mut hdr = Histogram::<u64>::new(SIGNIFICANT_FIGURES).unwrap();
        for (index, ticks) in awkward_ticks().into_iter().enumerate() {
            let x = ticks as f64 * resolution;
            percentiles.record(x);
            hdr.record(((x * (1.0 / resolution) + 0.5) as u64).min(MAX_TICKS))
                .unwrap();
            if index % 7919 == 0 {
                // A query in between, then more values.
                assert_eq!(
                    percentiles.quantile(0.5),
                    hdr.value_at_quantile(0.5) as f64 * resolution
                );
            }
        }
        assert_eq!(percentiles.count(), hdr.len());
        let recorded: Vec<_> = hdr
            .iter_recorded()
            .map(|b| (b.value_iterated_to() as f64 * resolution, b.quantile()))
            .collect();
        let buckets = percentiles.cumulative_buckets();
        assert_eq!(buckets.len(), recorded.len());
        assert!(buckets.iter().zip(&recorded).all(|(a, b)| a == b));
        for p in [0.0, 1e-4, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0] {
            assert_eq!(
                percentiles.quantile(p),
                hdr.value_at_quantile(p) as f64 * resolution
            );
        }
        for ticks in [0, 1, 2047, 2048, 5000, 1 << 20, 1 << 40, MAX_TICKS] {
            let t = ticks as f64 * resolution;
            let expected = if ticks >= hdr.max() {
                1.0
            } else {
                hdr.quantile_below(ticks)
            };
            assert_eq!(percentiles.fraction_at_most(t), expected, "ticks {ticks}");
        }
    }

    #[test]
    fn merge_adds_counts_and_tail_points_fall_to_zero() {
        let mut first = Percentiles::new(0.001).unwrap();
        let mut second = Percentiles::new(0.001).unwrap();
        for i in 0..1000 {
            first.record(f64::from(i) * 0.01);
            second.record(f64::from(i) * 0.01 + 10.0);
        }
        first.merge(&second);
        assert_eq!(first.count(), 2000);
        assert!(relative_error(first.quantile(0.5), 10.0) < 2e-3);
        let tail = first.tail_points(50);
        assert!(tail.len() <= 52);
        assert!(tail.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 >= w[1].1));
        assert_eq!(tail.last().unwrap().1, 0.0);
        assert!(Percentiles::new(1.0).unwrap().tail_points(10).is_empty());
    }

    #[test]
    fn serialisation_round_trips_every_bucket() {
        let mut original = Percentiles::new(0.001).unwrap();
        for i in 0..5000 {
            original.record(f64::from(i).powf(1.7) * 0.003);
        }
        let json = serde_json::to_string(&original).unwrap();
        let restored: Percentiles = serde_json::from_str(&json).unwrap();
        assert_eq!(restored.count(), original.count());
        assert_eq!(restored.resolution(), original.resolution());
        assert_eq!(restored.cumulative_buckets(), original.cumulative_buckets());
        for p in [0.0, 0.5, 0.9, 0.99, 1.0] {
            assert_eq!(restored.quantile(p), original.quantile(p));
        }
        assert!(serde_json::from_str::<Percentiles>(r#"{"resolution":0.0,"buckets":[]}"#).is_err());
    }

    #[test]
    fn rejects_bad_resolution() {
        for resolution in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e-320] {
            let error = Percentiles::new(resolution).unwrap_err();
            assert!(error.to_string().starts_with("resolution must be"));
        }
    }

    #[test]
    fn empty_is_nan() {
        let percentiles = Percentiles::new(0.001).unwrap();
        assert_eq!(percentiles.count(), 0);
        assert!(percentiles.quantile(0.5).is_nan());
        assert!(percentiles.fraction_at_most(1.0).is_nan());
        assert!(percentiles.cumulative_buckets().is_empty());
    }

    #[test]
    fn exact_for_small_tick_counts() {
        let mut percentiles = Percentiles::new(0.5).unwrap();
        for i in 0..=100 {
            percentiles.record(f64::from(i) * 0.5);
        }
        assert_eq!(percentiles.count(), 101);
        assert_eq!(percentiles.quantile(0.0), 0.0);
        assert_eq!(percentiles.quantile(0.5), 25.0);
        assert_eq!(percentiles.quantile(1.0), 50.0);
        assert!(percentiles.quantile(1.5).is_nan());
        assert!(percentiles.quantile(f64::NAN).is_nan());
    }

    #[test]
    fn quantiles_within_relative_error() {
        let mut percentiles = Percentiles::new(1e-6).unwrap();
        let n = 100_000;
        // Values spread over several orders of magnitude: 1e-3 .. 1e2.
        let values: Vec<f64> = (1..=n)
            .map(|i| 10f64.powf(-3.0 + 5.0 * f64::from(i) / f64::from(n)))
            .collect();
        for &x in &values {
            percentiles.record(x);
        }
        for p in [0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0] {
            let rank = ((p * f64::from(n)).ceil() as usize).max(1);
            let exact = values[rank - 1];
            let estimate = percentiles.quantile(p);
            // Biased upwards, except for the half-tick rounding of recorded values.
            assert!(estimate >= exact - 0.5e-6, "p {p}: {estimate} < {exact}");
            assert!(
                relative_error(estimate, exact) <= 1e-3,
                "p {p}: {estimate} vs {exact}"
            );
        }
    }

    #[test]
    fn zero_is_exact_and_invalid_values_are_handled() {
        let mut percentiles = Percentiles::new(0.01).unwrap();
        percentiles.record(0.0);
        percentiles.record(-5.0);
        percentiles.record(f64::NAN);
        percentiles.record(1.0);
        assert_eq!(percentiles.count(), 3);
        assert_eq!(percentiles.quantile(0.5), 0.0);
        assert_eq!(percentiles.fraction_at_most(0.0), 2.0 / 3.0);
        assert_eq!(percentiles.fraction_at_most(-1.0), 0.0);
    }

    #[test]
    fn huge_values_never_fail() {
        let mut percentiles = Percentiles::new(1e-9).unwrap();
        percentiles.record(1.0);
        percentiles.record(1e9); // 1e18 ticks
        percentiles.record(f64::INFINITY);
        assert_eq!(percentiles.count(), 3);
        assert!(relative_error(percentiles.quantile(0.5), 1e9) <= 1e-3);
        let max_seconds = MAX_TICKS as f64 * 1e-9;
        assert!(relative_error(percentiles.quantile(1.0), max_seconds) <= 1e-3);
    }

    #[test]
    fn fraction_at_most_counts_values_up_to_t() {
        let mut percentiles = Percentiles::new(1.0).unwrap();
        for i in 1..=1000 {
            percentiles.record(f64::from(i));
        }
        assert_eq!(percentiles.fraction_at_most(0.4), 0.0);
        assert_eq!(percentiles.fraction_at_most(250.0), 0.25);
        assert_eq!(percentiles.fraction_at_most(999.0), 0.999);
        assert_eq!(percentiles.fraction_at_most(1000.0), 1.0);
        assert_eq!(percentiles.fraction_at_most(1e300), 1.0);
        assert!(percentiles.fraction_at_most(f64::NAN).is_nan());
    }

    #[test]
    fn cumulative_buckets_are_monotone_and_end_at_one() {
        let mut percentiles = Percentiles::new(0.001).unwrap();
        for x in [0.0, 0.5, 0.5, 2.0, 100.0] {
            percentiles.record(x);
        }
        let buckets = percentiles.cumulative_buckets();
        assert_eq!(buckets.len(), 4);
        assert_eq!(buckets[0], (0.0, 0.2));
        assert_eq!(buckets[1], (0.5, 0.6));
        assert_eq!(buckets[2], (2.0, 0.8));
        assert!(relative_error(buckets[3].0, 100.0) <= 1e-3);
        assert_eq!(buckets[3].1, 1.0);
        assert!(
            buckets
                .windows(2)
                .all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1)
        );
    }

    #[test]
    fn trimmed_answers_the_same() {
        let mut percentiles = Percentiles::new(0.01).unwrap();
        for i in 0..5000 {
            percentiles.record(f64::from(i).sqrt());
        }
        let median = percentiles.quantile(0.5);
        let trimmed = percentiles.trimmed();
        assert!(trimmed.histogram.get().is_none());
        assert_eq!(trimmed.quantile(0.5), median);
    }

    #[test]
    fn reset_empties() {
        let mut percentiles = Percentiles::new(0.1).unwrap();
        percentiles.record(3.0);
        percentiles.reset();
        assert_eq!(percentiles.count(), 0);
        assert!(percentiles.quantile(0.5).is_nan());
        percentiles.record(7.0);
        assert_eq!(percentiles.quantile(0.5), 7.0);
    }
}
