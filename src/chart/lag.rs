//! Lag over time: per queue, the messages waiting (not yet taken by a
//! consumer, as Kafka's consumer lag counts records past the group's
//! position) averaged over each reporting interval, the queue's total and
//! each partition's, simulation with its CIs and the pointwise stationary
//! approximation dashed. One chart per queue, at the last point with
//! intervals (a rate profile or `report_every`); none without them.

use super::build::at_point;
use super::figure::Figure;
use super::intervals::{last_point_with_intervals, over_time};
use crate::model::metric::Metric;
use crate::results::RunResults;

/// One lag chart per queue (the system row left out: it has no lag of
/// its own), at the last point with intervals.
pub fn lag_figures(results: &RunResults) -> Vec<Figure> {
    let Some(point) = last_point_with_intervals(results) else {
        return Vec::new();
    };
    let mut queues: Vec<&str> = Vec::new();
    for row in point.results.iter().filter(|r| r.class.is_none()) {
        if row.queue != "system" && !queues.contains(&row.queue.as_str()) {
            queues.push(&row.queue);
        }
    }
    let label = crate::scenario::parameter_label(&point.parameters);
    queues
        .into_iter()
        .map(|queue| {
            let rows: Vec<usize> = (0..point.results.len())
                .filter(|&row| {
                    let row = &point.results[row];
                    row.queue == queue && row.class.is_none()
                })
                .collect();
            let parts = if rows.len() > 1 {
                ": the queue and each partition"
            } else {
                ""
            };
            let title = format!(
                "{}: lag of {queue} over time (messages waiting{parts}){}",
                results.scenario,
                at_point(&label)
            );
            over_time(
                results,
                point,
                (&rows, Metric::MeanInQueue),
                format!("lag-{queue}"),
                title,
            )
        })
        .collect()
}
