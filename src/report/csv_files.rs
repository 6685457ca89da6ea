//! summary.csv (long form, results/README.md), intervals.csv (the same
//! per interval of a rate profile) and replications.csv.

use std::io::Write;

use crate::results::{Row, RunResults, target_labels};
use crate::scenario::Scenario;
use crate::sim::Simulation;
use crate::text::Num;

/// Parameter names used across the points, in first-seen order.
fn parameter_names(results: &RunResults) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for point in &results.points {
        for name in point.parameters.keys() {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    names
}

fn optional(value: Option<impl ToString>) -> String {
    value.map_or_else(String::new, |v| v.to_string())
}

/// Writes a header and `point, <parameters...>, <fields...>` lines.
fn write_rows<W: Write>(
    out: W,
    results: &RunResults,
    header: &[&str],
    rows_of_point: impl Fn(usize) -> Vec<Vec<String>>,
) -> csv::Result<()> {
    let names = parameter_names(results);
    let mut writer = csv::Writer::from_writer(out);
    let head = std::iter::once("point")
        .chain(names.iter().map(String::as_str))
        .chain(header.iter().copied());
    writer.write_record(head)?;
    for (index, point) in results.points.iter().enumerate() {
        let mut prefix = vec![index.to_string()];
        prefix.extend(
            names
                .iter()
                .map(|name| optional(point.parameters.get(name))),
        );
        for fields in rows_of_point(index) {
            writer.write_record(prefix.iter().chain(&fields))?;
        }
    }
    writer.flush()?;
    Ok(())
}

/// Columns of a row's values, after the point's.
const VALUE_HEADER: [&str; 8] = [
    "queue", "class", "source", "metric", "value", "ci_low", "ci_high", "exact",
];

/// summary.csv: one line per point, row, source and metric. Sources:
/// `theory`, `simulation`, and for live runs `live:<channel>` and
/// `replay:<channel>`.
pub fn write_summary<W: Write>(out: W, results: &RunResults) -> csv::Result<()> {
    write_rows(out, results, &VALUE_HEADER, |index| {
        results.points[index]
            .results
            .iter()
            .flat_map(value_lines)
            .collect()
    })
}

/// intervals.csv (rate profiles only): summary.csv's lines for each
/// reporting interval, after its index, start, end and arrival rate.
pub fn write_intervals<W: Write>(out: W, results: &RunResults) -> csv::Result<()> {
    let header: Vec<&str> = ["interval", "start", "end", "arrival_rate"]
        .into_iter()
        .chain(VALUE_HEADER)
        .collect();
    write_rows(out, results, &header, |index| {
        let mut lines = Vec::new();
        for (k, interval) in results.points[index].intervals.iter().enumerate() {
            let prefix = [
                k.to_string(),
                Num(interval.start).to_string(),
                Num(interval.end).to_string(),
                Num(interval.arrival_rate).to_string(),
            ];
            for line in interval.results.iter().flat_map(value_lines) {
                lines.push(prefix.iter().cloned().chain(line).collect());
            }
        }
        lines
    })
}

/// One line per source and metric of `row`, in [`VALUE_HEADER`] order.
fn value_lines(row: &Row) -> Vec<Vec<String>> {
    let mut lines = Vec::new();
    let (queue, class) = (row.node(), row.class.clone().unwrap_or_default());
    for metric in row.metrics() {
        if let Some(theory) = &row.theory
            && let Some(value) = theory.metrics.get(&metric)
        {
            lines.push(vec![
                queue.clone(),
                class.clone(),
                "theory".into(),
                metric.name(),
                Num(*value).to_string(),
                String::new(),
                String::new(),
                theory.exact.to_string(),
            ]);
        }
        let simulated = row.simulation.as_ref().and_then(|s| s.metrics.get(&metric));
        let live = row.live.iter().flatten().flat_map(|block| {
            let channel = block.channel.name();
            [
                (format!("live:{channel}"), block.metrics.get(&metric)),
                (
                    format!("replay:{channel}"),
                    block.replay.metrics.get(&metric),
                ),
            ]
        });
        let measured = std::iter::once(("simulation".to_string(), simulated)).chain(live);
        for (source, interval) in measured {
            if let Some(interval) = interval {
                lines.push(vec![
                    queue.clone(),
                    class.clone(),
                    source,
                    metric.name(),
                    Num(interval.mean).to_string(),
                    Num(interval.ci_low).to_string(),
                    Num(interval.ci_high).to_string(),
                    String::new(),
                ]);
            }
        }
    }
    lines
}

/// replications.csv: every replication's value of every metric.
pub fn write_replications<W: Write>(
    out: W,
    scenario: &Scenario,
    results: &RunResults,
    simulations: &[Option<Simulation>],
) -> csv::Result<()> {
    let header = ["replication", "warmup", "queue", "class", "metric", "value"];
    write_rows(out, results, &header, |index| {
        let Some(simulation) = &simulations[index] else {
            return Vec::new();
        };
        let model = &scenario.points[index].model;
        let mut rows = Vec::new();
        for (replication, outcome) in simulation.replications.iter().enumerate() {
            for (&target, values) in simulation.targets.iter().zip(&outcome.values) {
                let (queue, class) = target_labels(model, target);
                for (metric, &value) in simulation.metrics.iter().zip(values) {
                    if value.is_finite() {
                        rows.push(vec![
                            replication.to_string(),
                            outcome.warmup.to_string(),
                            queue.clone(),
                            class.clone().unwrap_or_default(),
                            metric.name(),
                            Num(value).to_string(),
                        ]);
                    }
                }
            }
        }
        rows
    })
}
