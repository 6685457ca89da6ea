//! `queuelab omb compare`: an OMB result's measured end-to-end latencies
//! beside the model of its workload: theory (exact or approximate, as
//! labelled) and, when asked, simulation, as a table, a document and a
//! chart on OMB's percentile axis.
//!
//! The theory for OMB's evenly spaced arrivals:
//! - one partition (one consumer) with exponential work: D/M/1, EXACT
//!   (GI/M/1 with σ = e^{−μ(1−σ)/λ}; the sojourn is exponential of rate
//!   μ(1 − σ)), every percentile;
//! - one partition with constant work: D/D/1, EXACT (nothing waits; every
//!   sojourn is the work);
//! - otherwise what `queuelab theory` gives the scenario (for one partition
//!   with other work, Kingman's approximation of the mean; for several
//!   partitions, nothing: no formula covers a consumer fed by interleaved
//!   evenly spaced streams).

use std::path::Path;

use serde::Serialize;

use super::Imported;
use super::measured::Measured;
use crate::chart::{self, Figure, QuantileCurve, QuantileKind, QuantilePoint};
use crate::model::metric::Metric;
use crate::results::Row;
use crate::stats::Estimate;
use crate::text;
use crate::theory::TheoryResult;
use crate::theory::gim1::GiM1;

/// The statistics compared, by name, with their quantile (`None`: the mean).
const STATISTICS: [(&str, Option<f64>); 8] = [
    ("mean", None),
    ("p50", Some(0.5)),
    ("p75", Some(0.75)),
    ("p90", Some(0.9)),
    ("p95", Some(0.95)),
    ("p99", Some(0.99)),
    ("p99.9", Some(0.999)),
    ("p99.99", Some(0.9999)),
];

/// Points of a theory curve on the chart.
const CURVE_POINTS: usize = 120;

/// How theory gives the sojourn's quantiles.
#[derive(Clone, Debug)]
enum Quantiles {
    /// From the GI/M/1 queue's exponential sojourn.
    Queue(GiM1),
    /// Every sojourn is this long.
    Constant(f64),
    /// At these quantiles only (a formula's percentile metrics).
    At(Vec<(f64, f64)>),
}

/// The theory compared, in ms.
#[derive(Clone, Debug, Serialize)]
pub struct Theory {
    /// The model the formulas are for.
    pub model: String,
    /// True when exact for the model; false for approximations.
    pub exact: bool,
    /// Mean sojourn (end-to-end latency), when known.
    #[serde(skip)]
    mean: Option<f64>,
    /// Its quantiles, when known.
    #[serde(skip)]
    quantiles: Option<Quantiles>,
}

impl Theory {
    /// The `q`-quantile of the sojourn, when theory has it.
    fn quantile(&self, q: f64) -> Option<f64> {
        match self.quantiles.as_ref()? {
            Quantiles::Queue(queue) => Some(queue.sojourn_quantile(q)),
            Quantiles::Constant(value) => Some(*value),
            Quantiles::At(points) => points
                .iter()
                .find(|(p, _)| (p - q).abs() < 1e-12)
                .map(|&(_, v)| v),
        }
    }

    /// The statistic `q` (`None`: the mean).
    fn at(&self, q: Option<f64>) -> Option<f64> {
        q.map_or(self.mean, |q| self.quantile(q))
    }
}

/// The theory of the imported workload's one topic: exact for one
/// partition with exponential or constant work, else the formula row
/// `formula` of its queue (times in ms, the scenario's unit).
fn theory(imported: &Imported, formula: Option<&TheoryResult>) -> Option<Theory> {
    let workload = &imported.workload;
    let service = imported.service;
    let lambda = workload.topic_rate() / 1000.0;
    let one_partition = workload.partitions_per_topic == 1;
    if one_partition && service.scv == 1.0 {
        let queue = GiM1::evenly_spaced(lambda, 1.0 / service.mean_ms)?;
        return Some(Theory {
            model: format!(
                "D/M/1 (evenly spaced arrivals, exponential work; GI/M/1, sigma = {:.4})",
                queue.sigma
            ),
            exact: true,
            mean: Some(queue.mean_sojourn()),
            quantiles: Some(Quantiles::Queue(queue)),
        });
    }
    if one_partition && service.scv == 0.0 {
        return Some(Theory {
            model: "D/D/1 (evenly spaced arrivals, constant work below the gap: nothing waits)"
                .into(),
            exact: true,
            mean: Some(service.mean_ms),
            quantiles: Some(Quantiles::Constant(service.mean_ms)),
        });
    }
    let formula = formula?;
    let points: Vec<(f64, f64)> = Metric::SOJOURN_PERCENTILES
        .iter()
        .filter_map(|&(metric, p)| formula.metrics.get(&metric).map(|&v| (p, v)))
        .collect();
    Some(Theory {
        model: formula.model.clone(),
        exact: formula.exact,
        mean: formula.metrics.get(&Metric::MeanSojourn).copied(),
        quantiles: (!points.is_empty()).then_some(Quantiles::At(points)),
    })
}

/// A simulated value with its confidence interval.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Simulated {
    /// Mean over replications.
    pub mean: f64,
    /// Lower end of its confidence interval.
    pub ci_low: f64,
    /// Upper end.
    pub ci_high: f64,
}

impl From<&Estimate> for Simulated {
    fn from(estimate: &Estimate) -> Self {
        Simulated {
            mean: estimate.mean,
            ci_low: estimate.ci_low,
            ci_high: estimate.ci_high,
        }
    }
}

/// One statistic of the end-to-end latency, in ms.
#[derive(Clone, Debug, Serialize)]
pub struct Line {
    /// `mean` or `pNN`.
    pub statistic: String,
    /// The quantile, null for the mean.
    pub quantile: Option<f64>,
    /// What OMB measured, null when the file has no value for it.
    pub measured: Option<f64>,
    /// Theory's value, null when theory has none.
    pub theory: Option<f64>,
    /// measured / theory.
    pub measured_over_theory: Option<f64>,
    /// measured − theory: a constant difference is a transit the model
    /// leaves out.
    pub measured_minus_theory: Option<f64>,
    /// The simulated value, when simulated and measured.
    pub simulation: Option<Simulated>,
}

/// The comparison of one OMB result with its workload's model: the
/// `omb-compare.json` document.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// The OMB result file.
    pub result_file: String,
    /// The workload file.
    pub workload_file: String,
    /// The result's `workload` field.
    pub workload: Option<String>,
    /// The result's `driver` field.
    pub driver: Option<String>,
    /// The equivalent scenario's name.
    pub scenario: String,
    /// The unit of every latency.
    pub time_unit: &'static str,
    /// Mean work per message (ms).
    pub service_mean_ms: f64,
    /// Its squared coefficient of variation.
    pub service_scv: f64,
    /// The consumers' utilisation (theory's, else λ E[S] / consumers
    /// reading).
    pub load: f64,
    /// The field the measured quantiles came from.
    pub measured_from: String,
    /// The theory compared, null when no formula covers the model.
    pub theory: Option<Theory>,
    /// Replications behind the simulated values, null without simulation.
    pub simulation_replications: Option<u32>,
    /// Each statistic side by side.
    pub lines: Vec<Line>,
    /// What the reader should know (mismatches, what was left out).
    pub notes: Vec<String>,
    /// The measured (quantile, ms), for the chart.
    #[serde(skip)]
    measured: Vec<(f64, f64)>,
}

/// Where the two inputs came from.
pub struct Files<'a> {
    /// The OMB result file.
    pub result: &'a Path,
    /// The workload file.
    pub workload: &'a Path,
}

/// Refuses a result that is not of this workload: a `topics` or
/// `partitions` field that disagrees with the workload's (naming both
/// files and the field).
pub fn check_match(measured: &Measured, imported: &Imported, files: &Files) -> Result<(), String> {
    let workload = &imported.workload;
    let pairs = [
        (
            "topics",
            measured.topics,
            u64::from(workload.topics),
            "topics",
        ),
        (
            "partitions",
            measured.partitions,
            u64::from(workload.partitions_per_topic),
            "partitionsPerTopic",
        ),
    ];
    for (field, found, expected, key) in pairs {
        if let Some(found) = found.filter(|&found| found != expected) {
            return Err(format!(
                "{}: field `{field}` is {found}, but the workload {} has `{key}: {expected}`: the result is of another workload",
                files.result.display(),
                files.workload.display()
            ));
        }
    }
    Ok(())
}

/// The comparison of `measured` with the model of `imported`, whose
/// results row (theory and, when simulated, simulation) is `row`.
pub fn compare(measured: &Measured, imported: &Imported, row: &Row, files: &Files) -> Comparison {
    let theory = theory(imported, row.theory.as_ref());
    let simulation = row.simulation.as_ref();
    let simulated = |q: Option<f64>| {
        let metric = match q {
            None => Some(Metric::MeanSojourn),
            Some(q) => Metric::SOJOURN_PERCENTILES
                .iter()
                .find(|(_, p)| (p - q).abs() < 1e-12)
                .map(|&(metric, _)| metric),
        }?;
        simulation?.metrics.get(&metric).map(Simulated::from)
    };
    let lines: Vec<Line> = STATISTICS
        .iter()
        .map(|&(name, q)| {
            let measured_value = q.map_or(measured.mean, |q| measured.at(q));
            let theory_value = theory.as_ref().and_then(|t| t.at(q));
            Line {
                statistic: name.to_string(),
                quantile: q,
                measured: measured_value,
                theory: theory_value,
                measured_over_theory: measured_value
                    .zip(theory_value)
                    .filter(|(_, t)| *t > 0.0)
                    .map(|(m, t)| m / t),
                measured_minus_theory: measured_value.zip(theory_value).map(|(m, t)| m - t),
                simulation: simulated(q),
            }
        })
        .collect();
    let mut notes = Vec::new();
    let workload = &imported.workload;
    if let Some(name) = measured.workload.as_ref().filter(|n| **n != workload.name) {
        notes.push(format!(
            "the result's workload is \"{name}\", the workload file's name is \"{}\"",
            workload.name
        ));
    }
    if theory.is_none() {
        notes.push(match workload.partitions_per_topic {
            1 => "no formula covers this work's distribution with evenly spaced arrivals".into(),
            n => format!(
                "no formula: each consumer of the {n} partitions is fed interleaved evenly spaced streams, which no formula here covers; --simulate draws the model's percentiles"
            ),
        });
    }
    if workload.subscriptions_per_topic > 1 {
        notes.push(format!(
            "each of the {} subscriptions reads every message and all are alike: OMB pools their latencies, and the topic's first subscription stands for each",
            workload.subscriptions_per_topic
        ));
    }
    notes.push(
        "OMB's end-to-end latency includes the broker's and the network's transit, which the model leaves out: a measured-theory about constant over the percentiles is that transit; one growing with the percentile is a heavier tail than the model's".into(),
    );
    let utilisation = row
        .theory
        .as_ref()
        .and_then(|t| t.metrics.get(&Metric::Utilisation).copied());
    let load = utilisation.unwrap_or_else(|| {
        let lambda = workload.topic_rate() / 1000.0;
        let consumers = workload
            .consumers_per_subscription
            .min(workload.partitions_per_topic);
        lambda * imported.service.mean_ms / f64::from(consumers)
    });
    Comparison {
        result_file: files.result.display().to_string(),
        workload_file: files.workload.display().to_string(),
        workload: measured.workload.clone(),
        driver: measured.driver.clone(),
        scenario: imported.scenario.name.clone(),
        time_unit: "ms",
        service_mean_ms: imported.service.mean_ms,
        service_scv: imported.service.scv,
        load,
        measured_from: measured.source.clone(),
        theory,
        simulation_replications: simulation.map(|s| s.replications),
        lines,
        notes,
        measured: measured.quantiles.clone(),
    }
}

impl Comparison {
    /// The terminal table: each statistic's measured, theory and simulated
    /// value, then the notes.
    pub fn table(&self) -> String {
        let mut text = format!(
            "OMB result {} ({}) against the model of {} (one topic; work {} ms, scv {}; load {})\n",
            self.result_file,
            self.driver.as_deref().unwrap_or("no driver named"),
            self.workload_file,
            text::number(self.service_mean_ms),
            text::number(self.service_scv),
            text::number(self.load),
        );
        text.push_str(&match &self.theory {
            Some(theory) if theory.exact => format!("theory: {}, exact\n", theory.model),
            Some(theory) => format!("theory: {}, APPROXIMATE (marked ~)\n", theory.model),
            None => "theory: none\n".into(),
        });
        let approximate = self.theory.as_ref().is_some_and(|t| !t.exact);
        let value = |v: Option<f64>| v.map_or_else(|| "-".into(), text::number);
        let headers = [
            "end-to-end (ms)",
            "measured",
            "theory",
            "measured/theory",
            "measured-theory",
            "simulation [95% CI]",
        ];
        let lines = self.lines.iter().map(|line| {
            let theory = match line.theory {
                Some(t) if approximate => format!("~{}", text::number(t)),
                t => value(t),
            };
            let simulation = line.simulation.map_or_else(
                || "-".into(),
                |s| {
                    format!(
                        "{} [{}, {}]",
                        text::number(s.mean),
                        text::number(s.ci_low),
                        text::number(s.ci_high)
                    )
                },
            );
            vec![
                line.statistic.clone(),
                value(line.measured),
                theory,
                line.measured_over_theory
                    .map_or_else(|| "-".into(), |r| format!("{r:.3}")),
                value(line.measured_minus_theory),
                simulation,
            ]
        });
        text.push_str(&text::aligned(&headers, lines));
        for note in &self.notes {
            text.push_str(&text::wrap(&format!("note: {note}"), 100, "  "));
        }
        text
    }

    /// The chart: the measured quantiles as points, theory as a line over
    /// them (dashed when approximate), simulation with its intervals.
    pub fn figure(&self) -> Figure {
        let mut curves = vec![QuantileCurve {
            label: "measured (OMB result)".into(),
            kind: QuantileKind::Measured,
            points: self.measured.iter().map(|&(q, ms)| (q, ms, None)).collect(),
        }];
        if let Some(theory) = &self.theory {
            let kind = if theory.exact {
                QuantileKind::Exact
            } else {
                QuantileKind::Approximate
            };
            let name = theory.model.split(" (").next().unwrap_or_default();
            let label = if theory.exact {
                format!("theory: {name}, exact")
            } else {
                format!("theory: {name}, approximate")
            };
            let points = match &theory.quantiles {
                Some(Quantiles::At(points)) => points.iter().map(|&(q, v)| (q, v, None)).collect(),
                Some(_) => {
                    let highest = chart::HIGHEST.min(
                        self.measured
                            .iter()
                            .map(|&(q, _)| q)
                            .filter(|&q| q <= chart::HIGHEST)
                            .fold(0.999, f64::max),
                    );
                    let reach = -(1.0 - highest).log10();
                    (0..=CURVE_POINTS)
                        .filter_map(|i| {
                            let q = 1.0 - 10f64.powf(-reach * i as f64 / CURVE_POINTS as f64);
                            theory.quantile(q).map(|v| (q, v, None))
                        })
                        .collect()
                }
                None => Vec::new(),
            };
            curves.push(QuantileCurve {
                label,
                kind,
                points,
            });
        }
        let simulated: Vec<QuantilePoint> = self
            .lines
            .iter()
            .filter_map(|line| {
                let s = line.simulation?;
                Some((line.quantile?, s.mean, Some((s.ci_low, s.ci_high))))
            })
            .collect();
        if !simulated.is_empty() {
            curves.push(QuantileCurve {
                label: "simulation (95% CI)".into(),
                kind: QuantileKind::Simulated,
                points: simulated,
            });
        }
        chart::quantile_figure(
            "omb_end_to_end_quantiles",
            format!(
                "{}: end-to-end latency, measured and model",
                self.workload.as_deref().unwrap_or(&self.scenario)
            ),
            "end-to-end latency (ms)".into(),
            &curves,
        )
    }
}
