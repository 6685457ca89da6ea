//! The warm-up of a sweep point: one truncation point for all its
//! replications, chosen on pilot runs whose random streams are independent
//! of every measured replication.
//!
//! Cutting each replication where MSER-5 says on its own data removes its
//! high excursions along with the transient (the cut is chosen on the very
//! data it then measures), which biases the estimates low and makes the
//! intervals under-cover. Instead, [`PILOTS`] pilot runs from an empty
//! system, on streams of their own, are averaged message by message (the
//! averaged series of Hoad, Robinson & Davies 2010), and MSER-5 (White 1997;
//! Franklin & White 2008) picks the truncation point on that average. Every
//! replication then discards the same number of arrivals, a choice that does
//! not depend on the data it measures.

use rayon::prelude::*;

use super::engine::{Engine, Plan};
use super::streams::StreamSet;
use crate::model::{Model, Producer};
use crate::run::{PILOTS, RunConfig, RunLength, Warmup};
use crate::stats::mser5_truncation;

/// Points kept in a warm-up trace.
const TRACE_POINTS: usize = 500;

/// Messages every replication of `model` discards: the fixed count, or
/// MSER-5 on the pilots' averaged waiting-time series.
pub fn warmup(model: &Model, run: &RunConfig) -> u64 {
    match run.warmup {
        Warmup::Customers(count) => count,
        Warmup::Auto => mser5_truncation(&averaged_pilot_waits(model, run)) as u64,
    }
}

/// The total waiting time of each message, in arrival order, averaged over
/// [`PILOTS`] pilot runs from an empty system (a blocked message waited 0).
/// The pilots run in parallel and are summed in pilot order, so the result
/// does not depend on the number of threads.
fn averaged_pilot_waits(model: &Model, run: &RunConfig) -> Vec<f64> {
    let plan = Plan {
        warmup: 0,
        length: RunLength::Customers(
            run.pilot_messages(model.producers.iter().map(Producer::max_rate)),
        ),
        batches: 0,
    };
    let pilots: Vec<Vec<f64>> = (0..PILOTS)
        .into_par_iter()
        .map(|pilot| {
            let (_, series) = Engine::new(model, plan, run.seed, StreamSet::Pilot(pilot))
                .record_waits()
                .run();
            series.unwrap_or_default()
        })
        .collect();
    // A replayed trace may end early: every pilot replays the same one.
    let length = pilots.iter().map(Vec::len).min().unwrap_or(0);
    (0..length)
        .map(|index| {
            let total: f64 = pilots
                .iter()
                .map(|series| series[index])
                .map(|wait| if wait.is_nan() { 0.0 } else { wait })
                .sum();
            total / f64::from(PILOTS)
        })
        .collect()
}

/// How the warm-up of a sweep point was chosen, for a chart: the pilots'
/// averaged waiting-time series and the truncation point.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WarmupTrace {
    /// Always 0: kept for readers of older files, which traced replication
    /// 0 alone (see `pilots`).
    pub replication: u32,
    /// `auto` (MSER-5) or `fixed`.
    pub method: String,
    /// Messages every replication discards.
    pub truncation: u64,
    /// (message index, running mean of the averaged waiting time up to it),
    /// thinned.
    pub running_mean: Vec<(u64, f64)>,
    /// Pilot runs averaged (0 in older files: one pilot of replication 0).
    #[serde(default)]
    pub pilots: u32,
    /// (index of a bin's last message, mean waiting time of the bin's
    /// messages averaged over the pilots): the series MSER-5 looks at, in
    /// at most 500 consecutive bins (empty in older files).
    #[serde(default)]
    pub averaged: Vec<(u64, f64)>,
}

/// The warm-up trace of `model`: the pilots' averaged series and the cut
/// every replication gets.
pub fn warmup_trace(model: &Model, run: &RunConfig) -> WarmupTrace {
    let waits = averaged_pilot_waits(model, run);
    let (method, truncation) = match run.warmup {
        Warmup::Auto => ("auto", mser5_truncation(&waits) as u64),
        Warmup::Customers(count) => ("fixed", count),
    };
    let step = waits.len().div_ceil(TRACE_POINTS).max(1);
    let averaged = waits
        .chunks(step)
        .enumerate()
        .map(|(bin, chunk)| {
            let last = (bin * step + chunk.len()) as u64;
            (last, chunk.iter().sum::<f64>() / chunk.len() as f64)
        })
        .collect();
    let mut total = 0.0;
    let running_mean = waits
        .iter()
        .enumerate()
        .filter_map(|(index, wait)| {
            total += wait;
            let count = index + 1;
            (count % step == 0 || count == waits.len())
                .then(|| (count as u64, total / count as f64))
        })
        .collect();
    WarmupTrace {
        replication: 0,
        method: method.to_string(),
        truncation,
        running_mean,
        pilots: PILOTS,
        averaged,
    }
}
