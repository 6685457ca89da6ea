//! The run's answer in words: sentences built from the results alone (never
//! from the scenario's name), each saying what one kind of figure does
//! across the sweep, with this run's numbers: how the headline metrics
//! move and where the wait is best, which points run near saturation, the
//! busiest consumer of a partitioned queue, consumers left idle beyond the
//! partitions, and how far theory and simulation agree.

use super::comparison::{number_percent, verdict_counts};
use crate::chart::metric_words;
use crate::model::SYSTEM;
use crate::model::metric::Metric;
use crate::results::{PointResults, Row, RunResults};
use crate::scenario::parameter_label;
use crate::stats::Estimate;
use crate::text::{decided, number};

/// Metrics of a queue's row whose course across the sweep is told, when
/// present and not all 0: the wait, what a broker feature costs (losses,
/// retries, rebalances, hoarding, a backlog's drain), then the tail and
/// how busy the consumers are.
const QUEUE_METRICS: [Metric; 17] = [
    Metric::MeanWait,
    Metric::MeanWaitServed,
    Metric::PBlocked,
    Metric::PDropped,
    Metric::PAbandoned,
    Metric::PDeadLettered,
    Metric::RetriesPerMessage,
    Metric::MeanInRetry,
    Metric::RedeliveriesPerMessage,
    Metric::PRedelivered,
    Metric::RebalanceRate,
    Metric::RebalanceShare,
    Metric::PLeaseExpired,
    Metric::PHoarded,
    Metric::DrainTime,
    Metric::WaitP99,
    Metric::Utilisation,
];

/// Metrics of the `system` row (end to end) whose course is told.
const SYSTEM_METRICS: [Metric; 2] = [Metric::MeanSojourn, Metric::SojournP99];

/// Metrics whose best point (the lowest) is named.
const BEST_LOW: [Metric; 2] = [Metric::MeanWait, Metric::MeanSojourn];

/// The ways a queue loses messages: refused, dropped from the head, expired.
const LOSSES: [Metric; 3] = [Metric::PBlocked, Metric::PDropped, Metric::PAbandoned];

/// Consumers busy at least this share of the time run near saturation:
/// waits there grow steeply with the load.
const NEAR_SATURATION: f64 = 0.9;

/// Points of one kind of theory named, up to this many.
const NAMED_POINTS: usize = 3;

/// Swept parameter names whose last segment alone says too little
/// (`retry.p`, not `p`).
const VAGUE_NAMES: [&str; 5] = ["p", "rate", "mean", "value", "scv"];

/// The findings of `results`, one sentence each.
pub fn findings(results: &RunResults) -> Vec<String> {
    let mut sentences = Vec::new();
    let unit = results.time_unit.as_str();
    for series in sweep_series(&results.points) {
        for queue in queue_names(&results.points) {
            let metrics: &[Metric] = if queue == SYSTEM {
                &SYSTEM_METRICS
            } else {
                &QUEUE_METRICS
            };
            // The wait first, then what sets this run apart, then the rest.
            let (headline, rest) = metrics.split_at(1);
            sentences.extend(course(&series, &queue, headline[0], unit));
            sentences.extend(losses(&series, &queue));
            sentences.extend(busiest_consumer(&series, &queue, unit));
            sentences.extend(idle_consumers(&series, &queue, unit));
            sentences.extend(saturation(&series, &queue));
            for &metric in rest {
                sentences.extend(course(&series, &queue, metric, unit));
            }
        }
    }
    sentences.push(theory_sentence(results));
    sentences
}

/// Points along which one parameter (or several, moved together) varies,
/// the others held: a whole one-parameter sweep, or one line of a grid.
struct Series<'a> {
    /// The parameters held, in words (empty for a plain sweep).
    held: String,
    /// Each point with its position in words (`prefetch = 10`).
    points: Vec<(String, &'a PointResults)>,
}

impl Series<'_> {
    /// Whom a sentence is about: `**queue**` (or `**end to end**` for the
    /// system), with the held parameters of a grid's line.
    fn subject(&self, queue: &str) -> String {
        let name = if queue == SYSTEM { "end to end" } else { queue };
        if self.held.is_empty() {
            format!("**{name}**")
        } else {
            format!("**{name}** with {}", self.held)
        }
    }
}

/// The last segment of a swept parameter's key, or the last two where the
/// last says too little: `prefetch`, `retry.p`.
fn short_key(key: &str) -> String {
    let segments: Vec<&str> = key.split('.').collect();
    match segments.as_slice() {
        [.., before, last] if VAGUE_NAMES.contains(last) => format!("{before}.{last}"),
        [.., last] => (*last).to_string(),
        [] => key.to_string(),
    }
}

/// `keys` of `point`'s parameters in words, short names first.
fn position(point: &PointResults, keys: &[&String]) -> String {
    let pairs: Vec<(String, serde_json::Value)> = keys
        .iter()
        .filter_map(|&key| {
            point
                .parameters
                .get(key)
                .map(|value| (short_key(key), value.clone()))
        })
        .collect();
    parameter_label(pairs.iter().map(|(k, v)| (k, v)))
}

/// The points cut into series: the parameters that change from the first
/// point to the second vary (a grid's innermost), the rest are held.
fn sweep_series(points: &[PointResults]) -> Vec<Series<'_>> {
    let Some(first) = points.first() else {
        return Vec::new();
    };
    let varying: Vec<&String> = match points.get(1) {
        Some(second) => first
            .parameters
            .keys()
            .filter(|key| first.parameters.get(*key) != second.parameters.get(*key))
            .collect(),
        None => first.parameters.keys().collect(),
    };
    let held: Vec<&String> = first
        .parameters
        .keys()
        .filter(|key| !varying.contains(key))
        .collect();
    let mut series: Vec<Series> = Vec::new();
    for point in points {
        let held_text = position(point, &held);
        let at = position(point, &varying);
        match series.last_mut() {
            Some(last) if last.held == held_text => last.points.push((at, point)),
            _ => series.push(Series {
                held: held_text,
                points: vec![(at, point)],
            }),
        }
    }
    series
}

/// Names of the queues with a row of their own (and `system`), in the
/// order of the first point's rows.
fn queue_names(points: &[PointResults]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for row in points.iter().flat_map(|p| &p.results) {
        if row.is_whole() && !names.contains(&row.queue) {
            names.push(row.queue.clone());
        }
    }
    names
}

/// The row of `queue` as a whole at `point`.
fn queue_row<'a>(point: &'a PointResults, queue: &str) -> Option<&'a Row> {
    point
        .results
        .iter()
        .find(|r| r.queue == queue && r.is_whole())
}

/// The simulated `metric` of `row`.
fn simulated(row: &Row, metric: Metric) -> Option<Estimate> {
    row.simulation.as_ref()?.metrics.get(&metric).copied()
}

/// A value of `metric` in words: shares and utilisation in percent, times
/// with the unit, rates per unit.
fn value_text(metric: Metric, value: f64, unit: &str) -> String {
    if metric.is_probability() || metric == Metric::Utilisation {
        return format!("{}%", number(value * 100.0));
    }
    match metric.time_power() {
        1 if !unit.is_empty() => format!("{} {unit}", number(value)),
        -1 if !unit.is_empty() => format!("{} per {unit}", number(value)),
        _ => number(value),
    }
}

/// Whether two intervals overlap: their difference is not told apart.
fn overlap(a: &Estimate, b: &Estimate) -> bool {
    a.ci_low <= b.ci_high && b.ci_low <= a.ci_high
}

/// How `metric` of `queue` moves along `series`: its value at a single
/// point; from the first to the last point otherwise, with an extreme in
/// between and, for a wait, the best point and those within its interval.
fn course(series: &Series, queue: &str, metric: Metric, unit: &str) -> Option<String> {
    let values: Vec<(&str, Estimate)> = series
        .points
        .iter()
        .filter_map(|(at, point)| Some((at.as_str(), simulated(queue_row(point, queue)?, metric)?)))
        .collect();
    if values.iter().all(|(_, e)| e.mean == 0.0) {
        return None;
    }
    let what = format!(
        "{}: {} (`{}`)",
        series.subject(queue),
        metric_words(metric),
        metric.name()
    );
    let text = |e: &Estimate| value_text(metric, e.mean, unit);
    let (first_at, first) = values.first()?;
    let (last_at, last) = values.last()?;
    if values.len() == 1 {
        let at = if first_at.is_empty() {
            String::new()
        } else {
            format!(" at {first_at}")
        };
        return Some(format!(
            "{what}{at}: {} [{}, {}].",
            text(first),
            value_text(metric, first.ci_low, unit),
            value_text(metric, first.ci_high, unit)
        ));
    }
    let mut sentence = if overlap(first, last) {
        format!(
            "{what} is {} at {first_at} and {} at {last_at}, alike within their intervals",
            text(first),
            text(last)
        )
    } else {
        let verb = if last.mean > first.mean {
            "rises"
        } else {
            "falls"
        };
        format!(
            "{what} {verb} from {} at {first_at} to {} at {last_at}",
            text(first),
            text(last)
        )
    };
    let extreme = if BEST_LOW.contains(&metric) {
        best_point(&values)
    } else {
        inner_extreme(&values)
    };
    if let Some((word, at, value, alike)) = extreme {
        sentence.push_str(&format!("; {word} {} at {at}", text(&value)));
        if !alike.is_empty() {
            sentence.push_str(&format!(" ({} within its interval)", alike.join(", ")));
        }
    }
    Some(sentence + ".")
}

/// An extreme worth naming: its word (`lowest`, `highest`), where, the
/// value, and the other points within its interval.
type Extreme<'a> = (&'static str, &'a str, Estimate, Vec<&'a str>);

/// The lowest of `values` with the other points within its interval;
/// `None` when every point is, or when it is an end with none (the
/// course says it already).
fn best_point<'a>(values: &[(&'a str, Estimate)]) -> Option<Extreme<'a>> {
    let (index, (at, best)) = values
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.1.mean.total_cmp(&b.1.1.mean))?;
    let alike: Vec<&str> = values
        .iter()
        .enumerate()
        .filter(|(i, (_, e))| *i != index && (best.ci_low..=best.ci_high).contains(&e.mean))
        .map(|(_, (at, _))| *at)
        .collect();
    let at_an_end = index == 0 || index == values.len() - 1;
    if alike.len() == values.len() - 1 || (at_an_end && alike.is_empty()) {
        return None;
    }
    Some(("lowest", at, *best, alike))
}

/// The highest (or else lowest) inner point of `values` beyond the
/// intervals of both ends: a peak or a dip the ends do not show.
fn inner_extreme<'a>(values: &[(&'a str, Estimate)]) -> Option<Extreme<'a>> {
    let (first, last) = (&values.first()?.1, &values.last()?.1);
    let inner = values.get(1..values.len().saturating_sub(1))?;
    let beyond_ends = |e: &Estimate, higher: bool| {
        [first, last].iter().all(|end| {
            !overlap(e, end)
                && if higher {
                    e.mean > end.mean
                } else {
                    e.mean < end.mean
                }
        })
    };
    let peak = inner
        .iter()
        .filter(|(_, e)| beyond_ends(e, true))
        .max_by(|a, b| a.1.mean.total_cmp(&b.1.mean))
        .map(|(at, e)| ("highest", *at, *e, Vec::new()));
    peak.or_else(|| {
        inner
            .iter()
            .filter(|(_, e)| beyond_ends(e, false))
            .min_by(|a, b| a.1.mean.total_cmp(&b.1.mean))
            .map(|(at, e)| ("lowest", *at, *e, Vec::new()))
    })
}

/// The share of arrivals `queue` loses, point by point, where the series
/// loses them in more than one way (refused, dropped from the head,
/// expired): the kinds added up, so the policies compare.
fn losses(series: &Series, queue: &str) -> Option<String> {
    let share = |point: &PointResults, metric: Metric| {
        queue_row(point, queue)
            .and_then(|row| simulated(row, metric))
            .map_or(0.0, |e| e.mean)
    };
    let kinds = LOSSES
        .iter()
        .filter(|&&metric| series.points.iter().any(|(_, p)| share(p, metric) > 0.0))
        .count();
    if kinds < 2 {
        return None;
    }
    let lost: Vec<String> = series
        .points
        .iter()
        .map(|(at, point)| {
            let refused = share(point, Metric::PBlocked);
            let accepted_lost = share(point, Metric::PDropped) + share(point, Metric::PAbandoned);
            let lost = refused + (1.0 - refused) * accepted_lost;
            format!("{}% at {at}", number(lost * 100.0))
        })
        .collect();
    Some(format!(
        "{}: share of arrivals lost in all (refused, dropped from the head or expired) {}.",
        series.subject(queue),
        lost.join(", ")
    ))
}

/// The points where the consumers of `queue` are busy
/// [`NEAR_SATURATION`] of the time or more.
fn saturation(series: &Series, queue: &str) -> Option<String> {
    let busy: Vec<String> = series
        .points
        .iter()
        .filter_map(|(at, point)| {
            let load = simulated(queue_row(point, queue)?, Metric::Utilisation)?.mean;
            let percent = format!("{}%", number(load * 100.0));
            (load >= NEAR_SATURATION).then(|| {
                if at.is_empty() {
                    percent
                } else {
                    format!("{at} ({percent})")
                }
            })
        })
        .collect();
    if busy.is_empty() {
        return None;
    }
    let at = if series.points.len() == 1 && series.points[0].0.is_empty() {
        format!(" ({})", busy[0])
    } else {
        format!(" at {}", busy.join(", "))
    };
    Some(format!(
        "{}: consumers busy {}% of the time or more{at}: near saturation, where a little more load costs much longer waits or more losses.",
        series.subject(queue),
        number_percent(NEAR_SATURATION)
    ))
}

/// Where some consumers of `queue` own no partition: how many, and the
/// mean wait there beside the point before.
fn idle_consumers(series: &Series, queue: &str, unit: &str) -> Vec<String> {
    let mut sentences = Vec::new();
    for (index, (at, point)) in series.points.iter().enumerate() {
        let Some(row) = queue_row(point, queue) else {
            continue;
        };
        let Some(idle) = simulated(row, Metric::IdleConsumers).filter(|e| e.mean > 0.0) else {
            continue;
        };
        let place = if at.is_empty() {
            String::new()
        } else {
            format!(" at {at}")
        };
        let count = match decided(idle.mean) {
            one if one == "1" => "1 consumer owns no partition and idles".to_string(),
            many => format!("{many} consumers own no partition and idle"),
        };
        let mut sentence = format!(
            "{}: {count}{place} (`idle_consumers`)",
            series.subject(queue),
        );
        let wait = |row: &Row| simulated(row, Metric::MeanWait);
        let before = index
            .checked_sub(1)
            .map(|i| &series.points[i])
            .and_then(|(at, point)| Some((at, wait(queue_row(point, queue)?)?)));
        if let (Some(now), Some((before_at, then))) = (wait(row), before) {
            let verdict = if overlap(&now, &then) {
                "alike within their intervals"
            } else {
                "apart beyond their intervals"
            };
            sentence.push_str(&format!(
                "; mean wait {} there against {} at {before_at}, {verdict}",
                value_text(Metric::MeanWait, now.mean, unit),
                value_text(Metric::MeanWait, then.mean, unit),
            ));
        }
        sentences.push(sentence + ".");
    }
    sentences
}

/// One consumer of a partitioned queue at one point.
struct ConsumerLoad<'a> {
    /// Its number in the group.
    consumer: u32,
    /// Its load: its partitions' loads summed.
    load: f64,
    /// The rows of the partitions it owns.
    partitions: Vec<&'a Row>,
}

/// The consumers of partitioned `queue` at one point, busiest first.
fn consumer_loads<'a>(point: &'a PointResults, queue: &str) -> Vec<ConsumerLoad<'a>> {
    let mut consumers: Vec<ConsumerLoad> = Vec::new();
    for row in &point.results {
        let (Some(consumer), true) = (row.consumer, row.queue == queue && row.class.is_none())
        else {
            continue;
        };
        let load = simulated(row, Metric::Utilisation).map_or(0.0, |e| e.mean);
        match consumers.iter_mut().find(|c| c.consumer == consumer) {
            Some(entry) => {
                entry.load += load;
                entry.partitions.push(row);
            }
            None => consumers.push(ConsumerLoad {
                consumer,
                load,
                partitions: vec![row],
            }),
        }
    }
    consumers.sort_by(|a, b| b.load.total_cmp(&a.load));
    consumers
}

/// The busiest consumer of partitioned `queue` at the series' most uneven
/// point (busiest against the average of the consumers owning partitions):
/// its load and partitions, and its hottest partition's wait against the
/// queue's.
fn busiest_consumer(series: &Series, queue: &str, unit: &str) -> Option<String> {
    let uneven = |loads: &[ConsumerLoad]| {
        let average = loads.iter().map(|c| c.load).sum::<f64>() / loads.len() as f64;
        (loads[0].load / average, average)
    };
    let (at, point, loads) = series
        .points
        .iter()
        .map(|(at, point)| (at, point, consumer_loads(point, queue)))
        .filter(|(_, _, loads)| !loads.is_empty())
        // The first of equally uneven points.
        .rev()
        .max_by(|a, b| uneven(&a.2).0.total_cmp(&uneven(&b.2).0))?;
    let ConsumerLoad {
        consumer,
        load,
        partitions,
    } = &loads[0];
    let average = uneven(&loads).1;
    let names: Vec<String> = partitions
        .iter()
        .filter_map(|r| r.partition.map(|p| p.to_string()))
        .collect();
    let place = if at.is_empty() {
        String::new()
    } else {
        format!("at {at}, ")
    };
    let mut sentence = format!(
        "{}: busiest consumer {place}consumer {consumer} (partition {}) at load {}, against {} on average over the {} consumers owning partitions",
        series.subject(queue),
        names.join(", "),
        number(*load),
        number(average),
        loads.len()
    );
    let hottest = partitions.iter().max_by(|a, b| {
        let load = |r: &Row| simulated(r, Metric::Utilisation).map_or(0.0, |e| e.mean);
        load(a).total_cmp(&load(b))
    });
    let hot_wait = hottest.and_then(|r| Some((r.partition?, simulated(r, Metric::MeanWait)?)));
    let queue_wait = queue_row(point, queue).and_then(|r| simulated(r, Metric::MeanWait));
    if let (Some((partition, hot)), Some(whole)) = (hot_wait, queue_wait) {
        sentence.push_str(&format!(
            "; partition {partition}'s messages wait {} on average, the whole queue's {}",
            value_text(Metric::MeanWait, hot.mean, unit),
            value_text(Metric::MeanWait, whole.mean, unit)
        ));
    }
    Some(sentence + ".")
}

/// How theory and simulation compare, in one sentence: at how many points
/// a formula is exact, only approximate or absent, and how many exact
/// values lie inside the simulation's intervals.
fn theory_sentence(results: &RunResults) -> String {
    let total = results.points.len();
    let kind = |point: &PointResults| {
        let theories: Vec<bool> = point
            .results
            .iter()
            .filter_map(|r| r.theory.as_ref().map(|t| t.exact))
            .collect();
        if theories.contains(&true) {
            Kind::Exact
        } else if theories.is_empty() {
            Kind::None
        } else {
            Kind::Approximate
        }
    };
    // Where a kind holds: at every point, or at n of them, named when few.
    let at = |wanted: Kind| -> Option<String> {
        let points: Vec<&PointResults> = results
            .points
            .iter()
            .filter(|p| kind(p) == wanted)
            .collect();
        let keys: Vec<&String> = points.first()?.parameters.keys().collect();
        Some(match points.len() {
            n if n == total && total == 1 => String::new(),
            n if n == total => " at every point".to_string(),
            n if n <= NAMED_POINTS => {
                let names: Vec<String> = points.iter().map(|p| position(p, &keys)).collect();
                format!(" at {n} of {total} points ({})", names.join("; "))
            }
            n => format!(" at {n} of {total} points"),
        })
    };
    let mut parts = Vec::new();
    if let Some(where_) = at(Kind::Exact) {
        parts.push(format!("exact{where_}"));
    }
    if let Some(where_) = at(Kind::Approximate) {
        parts.push(format!(
            "approximate only{where_} (values marked ~, not judged)"
        ));
    }
    if let Some(where_) = at(Kind::None) {
        parts.push(format!(
            "none{where_}: no formula covers the model there (`queuelab theory scenario.toml` names what it lacks), so those figures are the simulation's alone"
        ));
    }
    let mut sentence = format!("Theory: {}.", parts.join("; "));
    let counts = verdict_counts(results);
    let judged = counts.agrees + counts.outside;
    if judged > 0 {
        sentence.push_str(&format!(
            " {} of {judged} exact values lie inside the simulation's {}% intervals ({} outside, about {:.1} expected by chance).",
            counts.agrees,
            number_percent(results.confidence),
            counts.outside,
            judged as f64 * (1.0 - results.confidence)
        ));
    }
    sentence
}

/// What theory a point has.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// An exact formula for some row.
    Exact,
    /// Approximations only.
    Approximate,
    /// No formula.
    None,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// A simulated value `mean` ± `half`.
    fn estimate(mean: f64, half: f64) -> Value {
        json!({ "mean": mean, "ci_low": mean - half, "ci_high": mean + half })
    }

    /// A row of `queue` (partition `partition` of `consumer` when given)
    /// with simulated `metrics` and, when given, theory (exact or not).
    fn row(queue: &str, part: Option<(u32, u32)>, metrics: Value, theory: Option<bool>) -> Value {
        let mut row = json!({
            "queue": queue, "class": null, "live": null,
            "theory": theory.map(|exact| json!({ "exact": exact, "model": "M/M/1",
                "metrics": { "mean_wait": 1.0 } })),
            "simulation": { "replications": 8, "warmup": [], "metrics": metrics },
        });
        if let Some((partition, consumer)) = part {
            row["partition"] = json!(partition);
            row["consumer"] = json!(consumer);
        }
        row
    }

    /// Results of `points`, each (parameters, rows).
    fn results(points: Vec<(Value, Vec<Value>)>) -> RunResults {
        let points: Vec<Value> = points
            .into_iter()
            .map(|(parameters, rows)| json!({ "parameters": parameters, "model": [], "results": rows }))
            .collect();
        serde_json::from_value(json!({
            "scenario": "t", "seed": 1, "description": "", "time_unit": "ms",
            "confidence": 0.95, "run_settings": "", "points": points,
        }))
        .unwrap()
    }

    /// A sweep of `queues.q.consumers` over `waits` (mean, half-width).
    fn wait_sweep(waits: &[(f64, f64)]) -> RunResults {
        results(
            waits
                .iter()
                .enumerate()
                .map(|(i, &(mean, half))| {
                    let metrics = json!({ "mean_wait": estimate(mean, half) });
                    (
                        json!({ "queues.q.consumers": i + 1 }),
                        vec![row("q", None, metrics, Some(true))],
                    )
                })
                .collect(),
        )
    }

    fn has(sentences: &[String], part: &str) -> bool {
        sentences.iter().any(|s| s.contains(part))
    }

    #[test]
    fn a_sweep_says_how_a_metric_moves_and_where_the_wait_is_best() {
        let found = findings(&wait_sweep(&[
            (4.0, 0.1),
            (1.0, 0.1),
            (1.05, 0.1),
            (2.0, 0.1),
        ]));
        assert!(
            has(
                &found,
                "**q**: mean wait (`mean_wait`) falls from 4.000 ms at consumers = 1 to 2.000 ms at consumers = 4; lowest 1.000 ms at consumers = 2 (consumers = 3 within its interval)."
            ),
            "{found:#?}"
        );
        // Ends alike; a monotone best at an end is not repeated.
        let found = findings(&wait_sweep(&[(1.0, 0.1), (1.05, 0.1)]));
        assert!(has(&found, "alike within their intervals"), "{found:#?}");
        let found = findings(&wait_sweep(&[(1.0, 0.1), (2.0, 0.1), (3.0, 0.1)]));
        assert!(has(&found, "rises from 1.000 ms"), "{found:#?}");
        assert!(!has(&found, "lowest"), "{found:#?}");
        // A metric all 0 says nothing.
        let found = findings(&wait_sweep(&[(0.0, 0.0), (0.0, 0.0)]));
        assert!(!has(&found, "mean_wait"), "{found:#?}");
    }

    #[test]
    fn a_peak_inside_the_sweep_is_named() {
        let point = |i: u32, hoarded: f64| {
            let metrics = json!({ "p_hoarded": estimate(hoarded, 0.01) });
            (
                json!({ "queues.q.prefetch": i }),
                vec![row("q", None, metrics, None)],
            )
        };
        let found = findings(&results(vec![
            point(1, 0.0),
            point(20, 0.64),
            point(0, 0.51),
        ]));
        assert!(
            has(
                &found,
                "rises from 0% at prefetch = 1 to 51.00% at prefetch = unlimited; highest 64.00% at prefetch = 20."
            ),
            "{found:#?}"
        );
    }

    #[test]
    fn losses_of_several_kinds_are_added_up_and_saturation_is_flagged() {
        let point = |overflow: &str, metric: &str, loss: f64, busy: f64| {
            let metrics =
                json!({ metric: estimate(loss, 0.001), "utilisation": estimate(busy, 0.001) });
            (
                json!({ "queues.q.overflow": overflow }),
                vec![row("q", None, metrics, Some(true))],
            )
        };
        let found = findings(&results(vec![
            point("reject-publish", "p_blocked", 0.2, 0.95),
            point("drop-head", "p_dropped", 0.2, 0.95),
        ]));
        assert!(
            has(
                &found,
                "lost in all (refused, dropped from the head or expired) 20.00% at overflow = \"reject-publish\", 20.00% at overflow = \"drop-head\""
            ),
            "{found:#?}"
        );
        assert!(
            has(&found, "consumers busy 90% of the time or more"),
            "{found:#?}"
        );
        let found = findings(&results(vec![
            point("reject-publish", "p_blocked", 0.2, 0.5),
            point("drop-head", "p_blocked", 0.1, 0.5),
        ]));
        assert!(!has(&found, "lost in all"), "{found:#?}");
        assert!(!has(&found, "near saturation"), "{found:#?}");
    }

    /// A point of a topic of 3 partitions: consumer 0 owns 0 and 1 (loads
    /// `loads[0]`, `loads[1]`), consumer 1 owns 2; `idle` consumers own none.
    fn topic(consumers: u32, loads: [f64; 3], idle: f64) -> (Value, Vec<Value>) {
        let total: f64 = loads.iter().sum();
        let whole = json!({
            "mean_wait": estimate(1.0, 0.1),
            "utilisation": estimate(total / f64::from(consumers), 0.01),
            "idle_consumers": estimate(idle, 0.0),
        });
        let mut rows = vec![row("t", None, whole, Some(true))];
        for (partition, load) in loads.into_iter().enumerate() {
            let metrics = json!({
                "utilisation": estimate(load, 0.01),
                "mean_wait": estimate(10.0 * load, 0.1),
            });
            let consumer = u32::from(partition == 2);
            rows.push(row(
                "t",
                Some((partition as u32, consumer)),
                metrics,
                Some(true),
            ));
        }
        (json!({ "queues.t.consumers": consumers }), rows)
    }

    #[test]
    fn the_busiest_consumer_and_idle_consumers_are_told_only_when_there() {
        let found = findings(&results(vec![
            topic(2, [0.5, 0.4, 0.3], 0.0),
            topic(3, [0.5, 0.4, 0.3], 1.0),
        ]));
        assert!(
            has(
                &found,
                "**t**: busiest consumer at consumers = 2, consumer 0 (partition 0, 1) at load 0.9000, against 0.6000 on average over the 2 consumers owning partitions; partition 0's messages wait 5.000 ms on average, the whole queue's 1.000 ms."
            ),
            "{found:#?}"
        );
        assert!(
            has(
                &found,
                "**t**: 1 consumer owns no partition and idles at consumers = 3 (`idle_consumers`); mean wait 1.000 ms there against 1.000 ms at consumers = 2, alike within their intervals."
            ),
            "{found:#?}"
        );
        let found = findings(&wait_sweep(&[(1.0, 0.1), (2.0, 0.1)]));
        assert!(!has(&found, "busiest consumer"), "{found:#?}");
        assert!(!has(&found, "idle"), "{found:#?}");
    }

    #[test]
    fn a_grid_tells_each_line_with_the_parameters_it_holds() {
        let point = |assignor: &str, consumers: u32, wait: f64| {
            let metrics = json!({ "mean_wait": estimate(wait, 0.01) });
            (
                json!({ "queues.q.assignor": assignor, "queues.q.consumers": consumers }),
                vec![row("q", None, metrics, Some(true))],
            )
        };
        let found = findings(&results(vec![
            point("range", 2, 3.0),
            point("range", 4, 1.0),
            point("sticky", 2, 2.0),
            point("sticky", 4, 0.5),
        ]));
        assert!(
            has(
                &found,
                "**q** with assignor = \"range\": mean wait (`mean_wait`) falls from 3.000 ms at consumers = 2 to 1.000 ms at consumers = 4."
            ),
            "{found:#?}"
        );
        assert!(
            has(&found, "**q** with assignor = \"sticky\": mean wait"),
            "{found:#?}"
        );
    }

    #[test]
    fn the_theory_sentence_says_where_theory_is_exact_approximate_or_absent() {
        let point = |i: u32, theory: Option<bool>| {
            let metrics = json!({ "mean_wait": estimate(1.0, 0.1) });
            (
                json!({ "queues.q.prefetch": i }),
                vec![row("q", None, metrics, theory)],
            )
        };
        let found = findings(&results(vec![
            point(1, None),
            point(2, Some(false)),
            point(0, Some(true)),
        ]));
        let theory = found.last().unwrap();
        assert!(
            theory.contains("exact at 1 of 3 points (prefetch = unlimited)"),
            "{theory}"
        );
        assert!(
            theory.contains("approximate only at 1 of 3 points (prefetch = 2)"),
            "{theory}"
        );
        assert!(
            theory.contains("none at 1 of 3 points (prefetch = 1): no formula covers"),
            "{theory}"
        );
        assert!(
            theory.contains("1 of 1 exact values lie inside the simulation's 95% intervals (0 outside, about 0.1 expected by chance)"),
            "{theory}"
        );
        let found = findings(&wait_sweep(&[(1.0, 0.1), (2.0, 0.1)]));
        assert!(
            found
                .last()
                .unwrap()
                .starts_with("Theory: exact at every point."),
            "{found:#?}"
        );
    }

    #[test]
    fn a_single_point_gives_its_value_and_interval() {
        let metrics = json!({ "mean_wait": estimate(2.0, 0.5) });
        let found = findings(&results(vec![(
            json!({}),
            vec![row("q", None, metrics, None)],
        )]));
        assert_eq!(
            found[0],
            "**q**: mean wait (`mean_wait`): 2.000 ms [1.500 ms, 2.500 ms]."
        );
        assert_eq!(
            found[1],
            "Theory: none: no formula covers the model there (`queuelab theory scenario.toml` names what it lacks), so those figures are the simulation's alone."
        );
    }
}
