//! The theory-vs-simulation comparison table with a verdict per metric,
//! shared by the terminal table and report.md.

use super::heavy_tail::heavy_tailed_queues;
use crate::model::metric::Metric;
use crate::results::{PointResults, Row, RunResults};
use crate::stats::Estimate;
use crate::text::{number, significant};

/// How a simulation estimate relates to the formula value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Exact formula value inside the simulation's confidence interval.
    Agrees,
    /// Exact formula value outside the confidence interval.
    Outside,
    /// Only an approximation exists; shown for orientation.
    Approximation,
    /// Only one source has a value.
    Single,
    /// A waiting-time percentile inside the atom of waits at 0 (exact
    /// theory says P(wait = 0) reaches its probability): it is exactly 0,
    /// and the simulated values jump between 0 and positive ones, so the
    /// interval says nothing.
    AtAtom,
    /// Every replication gave the same value (a share all of them saw as
    /// 1, say) and exact theory differs from it by at most one part in a
    /// million (`HAIR`): an interval of zero width cannot judge that.
    NoSpread,
    /// A mean whose interval covers far less often than its confidence:
    /// the service is so heavy-tailed that the run never draws the
    /// services behind a good share of it (`simulation.heavy_tail`).
    HeavyTail,
}

impl Verdict {
    /// Short label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Agrees => "agrees (in CI)",
            Verdict::Outside => "OUTSIDE CI",
            Verdict::Approximation => "approximation",
            Verdict::Single => "",
            Verdict::AtAtom => "no verdict (P(wait = 0) >= p)",
            Verdict::NoSpread => "no verdict (no spread across replications)",
            Verdict::HeavyTail => "no verdict (heavy-tailed service)",
        }
    }
}

/// The largest difference, relative to the value (or absolute below 1),
/// between exact theory and a simulated value that every replication
/// shared, that still gets no verdict rather than "outside": a million
/// messages or so all meeting a share of 0.999999 is no surprise.
const HAIR: f64 = 1e-6;

/// Compares a formula value with an interval.
pub fn verdict(theory: Option<(f64, bool)>, simulation: Option<&Estimate>) -> Verdict {
    match (theory, simulation) {
        (Some((_, false)), Some(_)) => Verdict::Approximation,
        (Some((value, true)), Some(interval)) => {
            let slack = 1e-12 * value.abs().max(1e-300);
            if value >= interval.ci_low - slack && value <= interval.ci_high + slack {
                Verdict::Agrees
            } else if interval.ci_low == interval.ci_high
                && (value - interval.ci_low).abs() <= HAIR * interval.ci_low.abs().max(1.0)
            {
                Verdict::NoSpread
            } else {
                Verdict::Outside
            }
        }
        _ => Verdict::Single,
    }
}

/// Column headers of the comparison table.
pub const HEADERS: [&str; 6] = [
    "queue",
    "class",
    "metric",
    "theory",
    "simulation [CI]",
    "verdict",
];

/// An interval as `mean [low, high]`, 4 significant digits each; `-` when absent.
pub fn interval_text(interval: Option<&Estimate>) -> String {
    interval.map_or_else(
        || "-".to_string(),
        |i| {
            format!(
                "{} [{}, {}]",
                number(i.mean),
                number(i.ci_low),
                number(i.ci_high)
            )
        },
    )
}

/// One line of the comparison table.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// The cells, as in [`HEADERS`].
    pub cells: [String; 6],
    /// The verdict shown in the last cell.
    pub verdict: Verdict,
}

/// One table line per metric of each row that has a value from any source.
pub fn lines(point: &PointResults) -> Vec<Line> {
    point.results.iter().flat_map(row_lines).collect()
}

fn row_lines(row: &Row) -> Vec<Line> {
    row.metrics()
        .into_iter()
        .filter_map(|metric| {
            let judged = judge(row, metric)?;
            let simulation_text = interval_text(judged.simulation.as_ref());
            Some(Line {
                cells: [
                    row.node(),
                    row.class.clone().unwrap_or_default(),
                    metric.name(),
                    judged.theory_text(),
                    simulation_text,
                    judged.verdict_text(),
                ],
                verdict: judged.verdict,
            })
        })
        .collect()
}

/// One metric of one row: both sources and their verdict.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Judged {
    /// The formula value and whether it is exact.
    pub theory: Option<(f64, bool)>,
    /// The simulation's interval.
    pub simulation: Option<Estimate>,
    /// How they relate.
    pub verdict: Verdict,
}

impl Judged {
    /// The formula value, `~` marking an approximation; `-` when absent.
    pub fn theory_text(&self) -> String {
        match self.theory {
            Some((value, true)) => number(value),
            Some((value, false)) => format!("~{}", number(value)),
            None => "-".to_string(),
        }
    }

    /// The verdict in words, with how far an outside value is.
    pub fn verdict_text(&self) -> String {
        match (self.verdict, self.theory, self.simulation) {
            (Verdict::Outside, Some((value, _)), Some(interval)) => {
                format!("{}, outside CI", difference_text(value, interval.mean))
            }
            (Verdict::HeavyTail, Some((value, _)), Some(interval)) => format!(
                "{}, {}",
                difference_text(value, interval.mean),
                self.verdict.label()
            ),
            _ => self.verdict.label().to_string(),
        }
    }

    /// Whether every value is exactly 0: a row that says nothing (e.g.
    /// `p_blocked` of an unbounded queue).
    pub fn all_zero(&self) -> bool {
        self.theory.is_none_or(|(value, _)| value == 0.0)
            && self
                .simulation
                .is_none_or(|i| i.mean == 0.0 && i.ci_low == 0.0 && i.ci_high == 0.0)
    }
}

/// `metric` of `row` from theory and simulation, judged; `None` when
/// neither source has it.
pub fn judge(row: &Row, metric: Metric) -> Option<Judged> {
    let theory = row
        .theory
        .as_ref()
        .and_then(|t| t.metrics.get(&metric).map(|&v| (v, t.exact)));
    let simulation = row
        .simulation
        .as_ref()
        .and_then(|s| s.metrics.get(&metric))
        .copied();
    if theory.is_none() && simulation.is_none() {
        return None;
    }
    let verdict = match verdict(theory, simulation.as_ref()) {
        _ if simulation.is_some() && at_wait_atom(row, metric) => Verdict::AtAtom,
        Verdict::Agrees | Verdict::Outside if heavy_tailed(row, metric) => Verdict::HeavyTail,
        judged => judged,
    };
    Some(Judged {
        theory,
        simulation,
        verdict,
    })
}

/// Whether `metric` of `row` is a mean its heavy-tailed service leaves
/// without a trustworthy interval.
fn heavy_tailed(row: &Row, metric: Metric) -> bool {
    row.simulation
        .as_ref()
        .and_then(|s| s.heavy_tail.as_ref())
        .is_some_and(|tail| tail.metrics.contains(&metric))
}

/// How far a simulated `mean` is from the exact `theory` value:
/// `+0.31%` (or the difference itself when theory is 0: `+0.2 from 0`).
fn difference_text(theory: f64, mean: f64) -> String {
    if theory == 0.0 {
        let sign = if mean > 0.0 { "+" } else { "" };
        return format!("{sign}{} from 0", number(mean));
    }
    let percent = (mean - theory) / theory.abs() * 100.0;
    let decimals = match percent.abs() {
        p if p >= 10.0 => 0,
        p if p >= 1.0 => 1,
        _ => 2,
    };
    format!("{percent:+.decimals$}%")
}

/// How the exact theory values of a run fared against the simulation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VerdictCounts {
    /// Inside the interval.
    pub agrees: usize,
    /// Outside it.
    pub outside: usize,
    /// Means left without a verdict: their heavy-tailed service makes
    /// their intervals undercover.
    pub heavy_tail: usize,
}

/// The verdicts of every point of `results`.
pub fn verdict_counts(results: &RunResults) -> VerdictCounts {
    let mut counts = VerdictCounts::default();
    for line in results.points.iter().flat_map(lines) {
        match line.verdict {
            Verdict::Agrees => counts.agrees += 1,
            Verdict::Outside => counts.outside += 1,
            Verdict::HeavyTail => counts.heavy_tail += 1,
            Verdict::Approximation | Verdict::Single | Verdict::AtAtom | Verdict::NoSpread => {}
        }
    }
    counts
}

/// The verdicts in one sentence, with how many values one expects outside
/// by chance at the run's confidence; `None` when no exact value met a
/// simulated interval.
pub fn verdict_summary(results: &RunResults) -> Option<String> {
    let VerdictCounts {
        agrees,
        outside,
        heavy_tail,
    } = verdict_counts(results);
    let judged = agrees + outside;
    if judged + heavy_tail == 0 {
        return None;
    }
    let miss = 1.0 - results.confidence;
    let mut summary = format!(
        "verdicts on exact theory: agrees {agrees}, OUTSIDE CI {outside} (expected about {:.1} at {}% if all agree; the metrics of a point come from the same replications and the points share random numbers, so one unlucky seed shows up in several rows)",
        judged as f64 * miss,
        number_percent(results.confidence),
    );
    if let Some((queues, share)) = heavy_tailed_queues(results).filter(|_| heavy_tail > 0) {
        summary.push_str(&format!(
            "; no verdict on {heavy_tail} means at {}, whose service is so heavy-tailed that up to {}% of its second moment lies in services rarer than one in those the run draws there: their intervals cover less often than {}% (report.md says more)",
            queues.join(", "),
            significant(share * 100.0, 2),
            number_percent(results.confidence),
        ));
    }
    Some(summary)
}

/// A confidence level as a percentage without trailing zeros (95, 99.9).
pub(super) fn number_percent(level: f64) -> String {
    let text = format!("{:.3}", level * 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `metric` is a waiting-time percentile whose probability `p` lies
/// within the atom of waits at 0 by exact theory: P(wait = 0) = 1 -
/// `p_wait` >= p.
fn at_wait_atom(row: &Row, metric: Metric) -> bool {
    let Some((_, p)) = Metric::WAIT_PERCENTILES.iter().find(|(m, _)| *m == metric) else {
        return false;
    };
    row.theory
        .as_ref()
        .filter(|theory| theory.exact)
        .and_then(|theory| theory.metrics.get(&Metric::PWait))
        .is_some_and(|p_wait| 1.0 - p_wait >= p - 1e-9)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interval(low: f64, high: f64) -> Estimate {
        Estimate {
            mean: (low + high) / 2.0,
            ci_low: low,
            ci_high: high,
            clipped: false,
        }
    }

    #[test]
    fn verdicts() {
        assert_eq!(
            verdict(Some((1.0, true)), Some(&interval(0.9, 1.1))),
            Verdict::Agrees
        );
        assert_eq!(
            verdict(Some((1.2, true)), Some(&interval(0.9, 1.1))),
            Verdict::Outside
        );
        assert_eq!(
            verdict(Some((1.2, false)), Some(&interval(0.9, 1.1))),
            Verdict::Approximation
        );
        assert_eq!(verdict(None, Some(&interval(0.9, 1.1))), Verdict::Single);
        assert_eq!(
            verdict(Some((0.0, true)), Some(&interval(0.0, 0.0))),
            Verdict::Agrees
        );
        // Every replication saw 1: theory a hair below cannot be judged,
        // theory clearly below is outside.
        assert_eq!(
            verdict(Some((0.999_999_9, true)), Some(&interval(1.0, 1.0))),
            Verdict::NoSpread
        );
        assert_eq!(
            verdict(Some((0.99, true)), Some(&interval(1.0, 1.0))),
            Verdict::Outside
        );
    }

    /// One point, one row: theory 1.0 (exact) for `mean_wait` and 0 for
    /// `p_blocked`, beside the given simulated intervals.
    fn one_row(wait: Estimate, blocked: Estimate) -> RunResults {
        use crate::results::{PointResults, SimulationBlock};
        use crate::theory::TheoryResult;
        let theory = TheoryResult::new("M/M/1", true)
            .with(Metric::MeanWait, 1.0)
            .with(Metric::PBlocked, 0.0);
        let simulation = SimulationBlock {
            replications: 8,
            metrics: [(Metric::MeanWait, wait), (Metric::PBlocked, blocked)].into(),
            warmup: vec![0; 8],
            warmup_rule: None,
            change_from_previous: Default::default(),
            precision: None,
            relations: Vec::new(),
            clipped: Vec::new(),
            batch_means: None,
            heavy_tail: None,
        };
        RunResults {
            scenario: "t".into(),
            seed: 1,
            description: String::new(),
            time_unit: "s".into(),
            confidence: 0.95,
            run_settings: String::new(),
            points: vec![PointResults {
                parameters: Default::default(),
                model: Vec::new(),
                results: vec![Row {
                    queue: "q".into(),
                    class: None,
                    partition: None,
                    consumer: None,
                    theory: Some(theory),
                    simulation: Some(simulation),
                    live: None,
                }],
                intervals: Vec::new(),
            }],
        }
    }

    #[test]
    fn a_value_outside_the_interval_says_how_far_and_the_summary_what_to_expect() {
        let results = one_row(interval(1.001, 1.005), interval(0.0, 0.0));
        let found = lines(&results.points[0]);
        assert_eq!(found[0].cells[5], "+0.30%, outside CI");
        assert_eq!(found[1].cells[5], "agrees (in CI)");
        assert_eq!(
            verdict_counts(&results),
            VerdictCounts {
                agrees: 1,
                outside: 1,
                heavy_tail: 0
            }
        );
        let summary = verdict_summary(&results).unwrap();
        assert!(
            summary.starts_with("verdicts on exact theory: agrees 1, OUTSIDE CI 1 (expected about 0.1 at 95% if all agree"),
            "{summary}"
        );
        let results = one_row(interval(0.8, 0.9), interval(0.001, 0.003));
        let found = lines(&results.points[0]);
        assert_eq!(found[0].cells[5], "-15%, outside CI");
        assert_eq!(found[1].cells[5], "+0.002000 from 0, outside CI");
    }

    #[test]
    fn a_heavy_tailed_mean_gets_no_verdict_and_is_counted_apart() {
        use crate::results::HeavyTailBlock;
        let mut results = one_row(interval(0.8, 0.9), interval(0.0, 0.0));
        let row = &mut results.points[0].results[0];
        row.simulation.as_mut().unwrap().heavy_tail = Some(HeavyTailBlock {
            unseen_share: 0.2,
            draws: 8e5,
            metrics: vec![Metric::MeanWait],
        });
        let found = lines(&results.points[0]);
        assert_eq!(found[0].cells[5], "-15%, no verdict (heavy-tailed service)");
        assert_eq!(found[1].cells[5], "agrees (in CI)");
        assert_eq!(
            verdict_counts(&results),
            VerdictCounts {
                agrees: 1,
                outside: 0,
                heavy_tail: 1
            }
        );
        let summary = verdict_summary(&results).unwrap();
        assert!(
            summary.ends_with("; no verdict on 1 means at q, whose service is so heavy-tailed that up to 20% of its second moment lies in services rarer than one in those the run draws there: their intervals cover less often than 95% (report.md says more)"),
            "{summary}"
        );
    }

    #[test]
    fn percentiles_inside_the_atom_of_waits_at_zero_get_no_verdict() {
        // M/M/1 at load 0.5: P(wait = 0) = 0.5, so the median wait is 0.
        let row: Row = serde_json::from_value(serde_json::json!({
            "queue": "q",
            "class": null,
            "theory": { "exact": true, "model": "M/M/1", "metrics": {
                "p_wait": 0.5, "wait_p50": 0.0, "wait_p90": 3.219, "mean_wait": 1.0 } },
            "simulation": { "replications": 8, "warmup": [], "metrics": {
                "wait_p50": { "mean": 0.01, "ci_low": 0.002, "ci_high": 0.018 },
                "wait_p90": { "mean": 3.2, "ci_low": 3.1, "ci_high": 3.3 },
                "mean_wait": { "mean": 1.0, "ci_low": 0.9, "ci_high": 1.1 } } },
            "live": null
        }))
        .unwrap();
        let verdicts: Vec<(String, Verdict)> = row_lines(&row)
            .into_iter()
            .map(|line| (line.cells[2].clone(), line.verdict))
            .collect();
        assert!(
            verdicts.contains(&("wait_p50".into(), Verdict::AtAtom)),
            "{verdicts:?}"
        );
        assert!(
            verdicts.contains(&("wait_p90".into(), Verdict::Agrees)),
            "{verdicts:?}"
        );
        assert!(
            verdicts.contains(&("mean_wait".into(), Verdict::Agrees)),
            "{verdicts:?}"
        );
    }
}
