//! The capacity plan's trade-off chart: the decided value against the
//! first target's metric, theory as a line, simulation as points with
//! their intervals, the target as a dashed line.

use super::build::theory_and_simulation;
use super::figure::{Figure, Mark, Point, Series};
use super::style::REFERENCE;
use crate::plan::{Bound, GoalMetric, Measured, PlanSettings, Source};
use crate::report::{PlanDocument, decided};

/// The chart of `document`, or `None` with fewer than two values to show.
pub fn plan_figure(document: &PlanDocument, settings: &PlanSettings) -> Option<Figure> {
    let goal = settings.goals.first()?;
    let name = goal.name();
    let points = |source: Source| -> Vec<Point> {
        let mut points: Vec<Point> = document
            .candidates
            .iter()
            .filter(|c| c.source == source)
            .filter_map(|c| match c.metrics.get(&name)? {
                Measured::Value(y) => Some(Point {
                    x: c.value,
                    y: *y,
                    bar: None,
                }),
                Measured::Interval(i) => Some(Point {
                    x: c.value,
                    y: i.mean,
                    bar: Some((i.ci_low, i.ci_high)),
                }),
            })
            .collect();
        points.sort_by(|a, b| a.x.total_cmp(&b.x));
        points
    };
    let theory = points(Source::Theory);
    let simulation = points(Source::Simulation);
    let xs = || theory.iter().chain(&simulation).map(|p| p.x);
    let (low, high) = (
        xs().fold(f64::INFINITY, f64::min),
        xs().fold(f64::NEG_INFINITY, f64::max),
    );
    if high.partial_cmp(&low) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let (sign, bound) = match goal.bound {
        Bound::AtMost(x) => ("<=", x),
        Bound::AtLeast(x) => (">=", x),
    };
    let mut series = theory_and_simulation(theory, Mark::Line, simulation);
    series.push(Series {
        label: format!("target ({sign} {bound})"),
        colour: REFERENCE,
        mark: Mark::Dashed,
        points: [low, high]
            .iter()
            .map(|&x| Point {
                x,
                y: bound,
                bar: None,
            })
            .collect(),
    });
    Some(Figure {
        name: format!("plan-{name}"),
        title: format!(
            "{}: {} = {} ({})",
            document.scenario,
            document.decision.parameter,
            decided(document.decision.value),
            document.decision.status
        ),
        x_label: document.decision.parameter.clone(),
        y_label: match goal.metric {
            GoalMetric::WaitWithin { t } => format!("share starting service within {t}"),
            GoalMetric::Metric(_) => name,
        },
        categories: None,
        log_y: false,
        markers: vec![(
            document.decision.value,
            if document.decision.status == "meets" {
                "recommended".into()
            } else {
                "best found (infeasible)".into()
            },
        )],
        series,
    })
}
