//! The capacity plan's charts: the trade-off (the decided value against
//! the first target's metric, theory as a line, simulation as points with
//! their intervals, the target as a dashed line; for partitions decided
//! with consumers, the partition counts tried with the chosen consumers,
//! theory as points), or for a rate profile the consumer schedule over the
//! period.

use super::build::{axis_label, theory_and_simulation};
use super::figure::{Axes, Behind, Figure, Mark, Point, Series};
use super::style::{REFERENCE, SIMULATION, THEORY};
use super::words::{parameter_axis, parameter_words};
use crate::plan::PlanDocument;
use crate::plan::{Bound, Decision, GoalMetric, Measured, PlanSettings, ScheduleBlock, Source};
use crate::text::decided;
use crate::units::clock_hours;

/// The chart of `document` (values in `time_unit`), or `None` with fewer
/// than two values to show. A target far below the values (a blocking
/// share of 0.001, say) puts the metric on a log axis, so it shows.
pub fn plan_figure(
    document: &PlanDocument,
    settings: &PlanSettings,
    time_unit: &str,
) -> Option<Figure> {
    let goal = settings.goals.first()?;
    let name = goal.name();
    let points = |source: Source| -> Vec<Point> {
        let mut points: Vec<Point> = document
            .candidates
            .iter()
            .filter(|c| c.source == source)
            // Partitions decided with consumers: those of the choice.
            .filter(|c| c.consumers == document.decision.consumers)
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
    // Partition counts with the chosen consumers are not contiguous (the
    // others missed even with one consumer each): theory as points.
    let theory_mark = if document.decision.consumers.is_some() {
        Mark::Points
    } else {
        Mark::Line
    };
    let mut series = theory_and_simulation(theory, theory_mark, simulation);
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
            "{}: {} = {}{} ({})",
            document.scenario,
            parameter_words(&document.decision.parameter),
            decided(document.decision.value),
            document
                .decision
                .consumers
                .map_or_else(String::new, |c| format!(" with {c} consumers")),
            document.decision.status
        ),
        x_label: parameter_axis(&document.decision.parameter, time_unit),
        y_label: match goal.metric {
            GoalMetric::WaitWithin { t } => {
                format!("share starting service within {t} {time_unit}")
            }
            GoalMetric::Metric(metric) => axis_label(metric, time_unit),
        },
        categories: None,
        log_y: Figure::spans_decades(&series),
        axes: Axes {
            integer_x: settings.decision != Decision::Load,
            ..Axes::default()
        },
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

/// The consumer schedule over one period (times in `time_unit`, read as
/// clock times over two hours or more): the recommended consumers per
/// step, theory's pointwise plan (dashed) where every step has one, and
/// the arrival rate shaded behind.
pub fn schedule_figure(
    document: &PlanDocument,
    schedule: &ScheduleBlock,
    time_unit: &str,
) -> Figure {
    let end = schedule.steps.last().map_or(0.0, |s| s.end);
    let clock = clock_hours(time_unit, end);
    let scale = clock.unwrap_or(1.0);
    let steps = |value: &dyn Fn(&crate::plan::ScheduleStep) -> Option<u32>| {
        schedule
            .steps
            .iter()
            .map(|step| {
                let y = f64::from(value(step)?);
                Some([step.start, step.end].map(|x| Point {
                    x: x * scale,
                    y,
                    bar: None,
                }))
            })
            .collect::<Option<Vec<_>>>()
            .map(|points| points.concat())
    };
    let mut series = Vec::new();
    if let Some(points) = steps(&|step| step.theory_consumers) {
        series.push(Series {
            label: "theory (pointwise)".into(),
            colour: THEORY,
            mark: Mark::Dashed,
            points,
        });
    }
    series.push(Series {
        label: format!("schedule ({})", document.decision.status),
        colour: SIMULATION,
        mark: Mark::Line,
        points: steps(&|step| Some(step.consumers)).unwrap_or_default(),
    });
    Figure {
        name: "plan-schedule".into(),
        title: format!(
            "{}: consumers of {} over the period",
            document.scenario, schedule.queue
        ),
        x_label: if clock.is_some() {
            "time of day".into()
        } else {
            format!("time ({time_unit})")
        },
        y_label: "consumers".into(),
        categories: None,
        log_y: false,
        axes: Axes {
            integer_y: true,
            clock_x: clock.is_some(),
            behind: Some(Behind {
                label: format!("arrival rate (per {time_unit})"),
                points: schedule
                    .steps
                    .iter()
                    .flat_map(|s| {
                        [
                            (s.start * scale, s.arrival_rate),
                            (s.end * scale, s.arrival_rate),
                        ]
                    })
                    .collect(),
            }),
            ..Axes::default()
        },
        markers: Vec::new(),
        series,
    }
}
