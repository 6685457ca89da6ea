//! Latency quantiles on OMB's percentile axis (x = log10(1/(1 − q)), so
//! 90%, 99%, 99.9% ... are evenly spaced, as OMB's own quantile charts
//! draw them): what was measured as points, theory as a line over them
//! (dashed when approximate), simulation as points with their intervals.

use super::figure::{Axes, Figure, Mark, Point, Series, percentile_position};
use super::style::{LIVE, SIMULATION, THEORY, pale};

/// The highest quantile drawn (OMB's charts stop at 99.999%; 100% has no
/// place on the axis).
pub const HIGHEST: f64 = 0.99999;

/// What a curve of quantiles is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuantileKind {
    /// Measured (e.g. by OMB): points.
    Measured,
    /// An exact formula: a line.
    Exact,
    /// An approximation: a dashed line.
    Approximate,
    /// Simulated, with confidence intervals: points with bars.
    Simulated,
    /// Replayed through the simulator (a live run's replay): paler points.
    Replayed,
}

/// One point of a curve: (quantile q in [0, 1), value, its interval).
pub type QuantilePoint = (f64, f64, Option<(f64, f64)>);

/// One curve of quantiles.
#[derive(Clone, Debug)]
pub struct QuantileCurve {
    /// Legend text.
    pub label: String,
    /// What it is, which says how it is drawn.
    pub kind: QuantileKind,
    /// The points, by increasing q.
    pub points: Vec<QuantilePoint>,
}

/// The chart `name` of `curves` on the percentile axis, values in
/// `y_label`'s unit; quantiles above [`HIGHEST`] are left out.
pub fn quantile_figure(
    name: &str,
    title: String,
    y_label: String,
    curves: &[QuantileCurve],
) -> Figure {
    let series = curves
        .iter()
        .map(|curve| {
            let (colour, mark) = match curve.kind {
                QuantileKind::Measured => (LIVE[0], Mark::Points),
                QuantileKind::Exact => (THEORY, Mark::Line),
                QuantileKind::Approximate => (THEORY, Mark::Dashed),
                QuantileKind::Simulated => (SIMULATION, Mark::Points),
                QuantileKind::Replayed => (pale(LIVE[0]), Mark::Points),
            };
            Series {
                label: curve.label.clone(),
                colour,
                mark,
                points: curve
                    .points
                    .iter()
                    .filter(|(q, _, _)| (0.0..=HIGHEST).contains(q))
                    .map(|&(q, y, bar)| Point {
                        x: percentile_position(q),
                        y,
                        bar,
                    })
                    .collect(),
            }
        })
        .filter(|series| !series.points.is_empty())
        .collect();
    Figure {
        name: name.to_string(),
        title,
        x_label: "percentile".into(),
        y_label,
        categories: None,
        log_y: false,
        axes: Axes {
            percentile_x: true,
            ..Axes::default()
        },
        markers: Vec::new(),
        series,
    }
}
