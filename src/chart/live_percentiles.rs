//! Live and bench waits on OMB's percentile axis: per point and channel,
//! the measured p50, p90 and p99 beside the replay's, the simulation's
//! (each with its interval) and theory's (plus the unloaded transit D0 on
//! a broker), as OMB's latency charts draw them.

use super::figure::Figure;
use super::quantiles::{QuantileCurve, QuantileKind, QuantilePoint, quantile_figure};
use crate::model::metric::Metric;
use crate::results::{LiveBlock, Row, RunResults};
use crate::stats::Estimate;
use std::collections::BTreeMap;

/// The wait percentiles live and bench runs measure, with their quantile.
const PERCENTILES: [(f64, Metric); 3] = [
    (0.5, Metric::WaitP50),
    (0.9, Metric::WaitP90),
    (0.99, Metric::WaitP99),
];

/// One chart per point and channel of the first row with live results,
/// `wait_percentiles` (suffixed by channel and point where there are
/// several); none without live results.
pub(super) fn live_percentile_figures(results: &RunResults) -> Vec<Figure> {
    let mut figures = Vec::new();
    let several_points = results.points.len() > 1;
    for (index, point) in results.points.iter().enumerate() {
        let Some(row) = point.results.iter().find(|row| row.live.is_some()) else {
            continue;
        };
        let blocks = row.live.iter().flatten().collect::<Vec<_>>();
        for block in &blocks {
            let mut name = String::from("wait_percentiles");
            if blocks.len() > 1 {
                name.push_str(&format!("_{}", block.channel.name()));
            }
            if several_points {
                name.push_str(&format!("_{}", index + 1));
            }
            let title = format!(
                "{} waits by percentile on {}{}",
                row.label(),
                block.channel.name(),
                super::build::at_point(&crate::scenario::parameter_label(&point.parameters))
            );
            let y_label = format!("wait [{}]", results.time_unit);
            let curves = curves(row, block);
            figures.push(quantile_figure(&name, title, y_label, &curves));
        }
    }
    figures
}

/// Theory (with D0 on a broker), simulation, replay and live, each where
/// it has the percentiles.
fn curves(row: &Row, block: &LiveBlock) -> Vec<QuantileCurve> {
    let mut curves = Vec::new();
    let transit = block
        .broker
        .as_ref()
        .and_then(|broker| broker.theory_with_transit.as_ref());
    let theory = match transit {
        Some(shifted) => Some(("theory + D0", &shifted.metrics, shifted.exact)),
        None => row
            .theory
            .as_ref()
            .map(|theory| ("theory", &theory.metrics, theory.exact)),
    };
    if let Some((label, metrics, exact)) = theory {
        let points: Vec<QuantilePoint> = PERCENTILES
            .iter()
            .filter_map(|&(q, metric)| Some((q, *metrics.get(&metric)?, None)))
            .collect();
        let kind = if exact {
            QuantileKind::Exact
        } else {
            QuantileKind::Approximate
        };
        curves.push(curve(label, kind, points));
    }
    if let Some(simulation) = &row.simulation {
        let points = interval_points(&simulation.metrics);
        curves.push(curve("simulation", QuantileKind::Simulated, points));
    }
    let replay = interval_points(&block.replay.metrics);
    curves.push(curve("replay", QuantileKind::Replayed, replay));
    let measured = interval_points(&block.metrics);
    curves.push(curve(
        block.channel.name(),
        QuantileKind::Measured,
        measured,
    ));
    curves
}

/// The wait percentiles among `metrics`, with their intervals.
fn interval_points(metrics: &BTreeMap<Metric, Estimate>) -> Vec<QuantilePoint> {
    PERCENTILES
        .iter()
        .filter_map(|&(q, metric)| {
            let estimate = metrics.get(&metric)?;
            Some((q, estimate.mean, Some((estimate.ci_low, estimate.ci_high))))
        })
        .collect()
}

/// A curve named `label`.
fn curve(label: &str, kind: QuantileKind, points: Vec<QuantilePoint>) -> QuantileCurve {
    QuantileCurve {
        label: label.to_string(),
        kind,
        points,
    }
}
