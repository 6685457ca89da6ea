//! Time averages of a queue's prefetch windows: messages ready in the
//! broker, messages delivered and not yet acknowledged, the share of time
//! a ready message waits for a window slot (one minus RabbitMQ's consumer
//! utilisation) and the share of time work is hoarded (a consumer idle
//! while another holds delivered messages it has not started).

use super::station::WindowCounts;
use crate::model::metric::{Metric, MetricValues};
use crate::stats::TimeAverage;

/// The window time averages of one target, O(1) memory.
#[derive(Clone, Copy, Debug)]
pub(super) struct WindowAverages {
    ready: TimeAverage,
    unacked: TimeAverage,
    /// 1 while ready messages exist (no consumer then has a free slot).
    blocked: TimeAverage,
    hoarded: TimeAverage,
}

/// The averages frozen when a window closes, in [`WindowAverages`] order.
pub(super) type WindowMeans = [f64; 4];

impl WindowAverages {
    /// Nothing ready or delivered, from time 0.
    pub(super) fn new() -> Self {
        let zero = TimeAverage::new(0.0);
        WindowAverages {
            ready: zero,
            unacked: zero,
            blocked: zero,
            hoarded: zero,
        }
    }

    fn each(&mut self) -> [&mut TimeAverage; 4] {
        [
            &mut self.ready,
            &mut self.unacked,
            &mut self.blocked,
            &mut self.hoarded,
        ]
    }

    /// Restarts averaging at `now`, keeping the current counts.
    pub(super) fn reset(&mut self, now: f64) {
        for average in self.each() {
            average.reset(now);
        }
    }

    /// Takes the current counts of `whole` at `now` (an interval opening).
    pub(super) fn copy_counts(&mut self, now: f64, whole: &WindowAverages) {
        let mut whole = *whole;
        for (average, from) in self.each().into_iter().zip(whole.each()) {
            average.update(now, from.value());
        }
    }

    /// The windows hold `counts` from `now` on.
    #[inline]
    pub(super) fn update(&mut self, now: f64, counts: WindowCounts) {
        let indicator = |on: bool| if on { 1.0 } else { 0.0 };
        self.ready.update(now, f64::from(counts.ready));
        self.unacked.update(now, f64::from(counts.unacked));
        self.blocked.update(now, indicator(counts.ready > 0));
        self.hoarded.update(now, indicator(counts.hoarded));
    }

    /// The averages up to `now`.
    pub(super) fn means(&self, now: f64) -> WindowMeans {
        [
            self.ready.mean(now),
            self.unacked.mean(now),
            self.blocked.mean(now),
            self.hoarded.mean(now),
        ]
    }
}

/// Writes the window metrics of `means` into a target's `values`.
pub(super) fn write(means: WindowMeans, values: &mut MetricValues) {
    let [ready, unacked, blocked, hoarded] = means;
    values[Metric::MeanReady.index()] = ready;
    values[Metric::MeanUnacked.index()] = unacked;
    // (Clamped: 1 − a share of 1 may round below 0.)
    values[Metric::ConsumerUtilisation.index()] = (1.0 - blocked).max(0.0);
    values[Metric::PHoarded.index()] = hoarded;
}
