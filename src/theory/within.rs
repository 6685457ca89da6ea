//! Service levels from exact distributions: the share of messages that
//! start service (`wait_within_<t>`) or leave (`sojourn_within_<t>`) within
//! t, where a recognised formula gives the whole waiting or sojourn
//! distribution: FIFO M/M/c (formulas.md §3: P(Wq <= t) = 1 - C e^{-(cμ-λ)t},
//! and the closed-form sojourn tail), FIFO M/M/c/K (§5, Erlang mixtures) and
//! the M/M/c nodes of Jackson networks, and the E_c/M/1 consumers of
//! unlimited prefetch windows (`prefetch.rs`). Nothing elsewhere: means alone do not
//! give a distribution.

use super::prefetch;
use super::recognise::formulas;
use super::result::TheoryResult;
use super::{gim1::GiM1, mmc::Mmc, mmck::Mmck};
use crate::model::Target;
use crate::model::metric::Metric;
use crate::model::{Arrivals, Model};

/// Which time of a message a tail is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Time {
    /// From arrival to the start of service.
    Wait,
    /// From arrival to departure.
    Sojourn,
}

impl Time {
    /// The percentile that a row has exactly when its formula gives this
    /// time's whole distribution.
    fn witness(self) -> Metric {
        match self {
            Time::Wait => Metric::WaitP90,
            Time::Sojourn => Metric::SojournP90,
        }
    }
}

/// P(wait > t) at each of `times` for `target`, where [`super::evaluate`]
/// found an exact waiting-time distribution (FIFO M/M/c, M/M/c/K,
/// GI/M/1 and Jackson nodes): the same formula that gave the exact percentiles.
pub fn wait_tail(model: &Model, target: Target, times: &[f64]) -> Option<Vec<f64>> {
    tail(model, &formulas(model), target, Time::Wait, times)
}

/// P(sojourn > t) at each of `times` for `target`, where
/// [`super::evaluate`] found an exact sojourn distribution (as for
/// [`wait_tail`]).
pub fn sojourn_tail(model: &Model, target: Target, times: &[f64]) -> Option<Vec<f64>> {
    tail(model, &formulas(model), target, Time::Sojourn, times)
}

/// `rows` (the formulas of `model`) with `wait_within_<t>` and
/// `sojourn_within_<t>` for each of the model's thresholds, on the rows
/// whose waiting or sojourn distribution is exact.
pub(super) fn with_service_levels(
    model: &Model,
    rows: Vec<(Target, TheoryResult)>,
) -> Vec<(Target, TheoryResult)> {
    if model.within.is_empty() {
        return rows;
    }
    let times: Vec<f64> = model.within.iter().map(|t| t.value()).collect();
    let levels: Vec<Vec<(Metric, f64)>> = rows
        .iter()
        .map(|&(target, _)| {
            let shares = |time: Time, metric: fn(_) -> Metric| {
                let tail = tail(model, &rows, target, time, &times).unwrap_or_default();
                model
                    .within
                    .iter()
                    .zip(tail)
                    .map(move |(&t, above)| (metric(t), 1.0 - above))
            };
            shares(Time::Wait, Metric::WaitWithin)
                .chain(shares(Time::Sojourn, Metric::SojournWithin))
                .collect()
        })
        .collect();
    rows.into_iter()
        .zip(levels)
        .map(|((target, result), levels)| {
            let result = levels
                .into_iter()
                .fold(result, |result, (metric, value)| result.with(metric, value));
            (target, result)
        })
        .collect()
}

/// P(`time` > t) at each of `times` for `target`, when `rows` (the
/// formulas of `model`) give `target` that distribution exactly.
fn tail(
    model: &Model,
    rows: &[(Target, TheoryResult)],
    target: Target,
    time: Time,
    times: &[f64],
) -> Option<Vec<f64>> {
    let queue = target.queue?;
    // A partitioned queue's distributions are its consumers' (not M/M/c).
    // Nor are those of a queue whose consumers fail.
    let queue_spec = &model.queues[queue];
    if queue_spec.is_unlimited()
        || queue_spec.partitioning().is_some()
        || queue_spec.outage().is_some()
    {
        return None;
    }
    let exact = rows.iter().any(|(t, result)| {
        *t == target && result.exact && result.metrics.contains_key(&time.witness())
    });
    if !exact {
        return None;
    }
    if let Some(split) = prefetch::split_of(model, queue) {
        let tail = |t| match time {
            Time::Wait => split.wait_tail(t),
            Time::Sojourn => split.sojourn_tail(t),
        };
        return Some(times.iter().map(|&t| tail(t)).collect());
    }
    let rates = &model.arrival_rates()?[queue];
    let lambda: f64 = rates.iter().sum();
    // Exact percentiles imply one common exponential service mean.
    let work: f64 = (0..rates.len())
        .map(|class| rates[class] * model.service(queue, class).mean())
        .sum();
    let mu = lambda / work;
    // ... and, from a renewal producer that is not Poisson, GI/M/1.
    let mut producers = model.producers.iter().filter(|p| p.queue == queue);
    if let (Some(producer), None) = (producers.next(), producers.next())
        && !producer.is_poisson()
    {
        let Arrivals::Open { interarrival } = &producer.arrivals else {
            return None;
        };
        let gi_m1 = GiM1::renewal(interarrival, mu)?;
        let tail = |t| match time {
            Time::Wait => gi_m1.wait_tail(t),
            Time::Sojourn => gi_m1.sojourn_tail(t),
        };
        return Some(times.iter().map(|&t| tail(t)).collect());
    }
    let spec = &model.queues[queue];
    match spec.capacity() {
        Some(capacity) if capacity > spec.consumers => {
            let mmck = Mmck::new(lambda, mu, spec.consumers, capacity)?;
            let tail = |t| match time {
                Time::Wait => mmck.wait_tail(t),
                Time::Sojourn => mmck.sojourn_tail(t),
            };
            Some(times.iter().map(|&t| tail(t)).collect())
        }
        Some(_) => None,
        None => {
            let mmc = Mmc::new(lambda, mu, spec.consumers)?;
            let tail = |t| match time {
                Time::Wait => mmc.wait_tail(t),
                Time::Sojourn => mmc.sojourn_tail(t),
            };
            Some(times.iter().map(|&t| tail(t)).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::metric::Threshold;
    use std::path::Path;

    /// The first point of `text` with thresholds 0, 1 and 4.
    fn model(queue: &str) -> Model {
        let text = format!(
            r#"
name = "t"
[compare]
within = [0.0, 1.0, 4.0]
[[producers]]
name = "p"
to = "q"
interarrival = {{ dist = "exponential", rate = 1.5 }}
[[queues]]
name = "q"
{queue}
"#
        );
        let scenario = crate::scenario::parse(Path::new("t.toml"), text).unwrap();
        scenario.points[0].model.clone()
    }

    fn value(model: &Model, metric: Metric) -> Option<f64> {
        let rows = super::super::evaluate(model);
        rows[0].1.metrics.get(&metric).copied()
    }

    fn wait(t: f64) -> Metric {
        Metric::WaitWithin(Threshold::new(t).unwrap())
    }

    fn sojourn(t: f64) -> Metric {
        Metric::SojournWithin(Threshold::new(t).unwrap())
    }

    fn assert_close(actual: Option<f64>, expected: f64) {
        let actual = actual.expect("a value");
        assert!((actual - expected).abs() <= 1e-12, "{actual} vs {expected}");
    }

    #[test]
    fn mm2_matches_hand_computed_erlang_c_values() {
        // λ = 1.5, μ = 1, c = 2: a = 1.5, B(2, 1.5) = 1.125/3.625 = 9/29,
        // C = 2B/(2 - a(1 - B)) = 0.6428571... = 9/14, δ = cμ - λ = 0.5.
        let model = model("consumers = 2\nservice = { dist = \"exponential\", mean = 1.0 }");
        let c = 9.0 / 14.0;
        for t in [0.0, 1.0, 4.0] {
            assert_close(value(&model, wait(t)), 1.0 - c * (-0.5 * t).exp());
        }
        // δ ≠ μ: P(W > t) = e^{-μt}(1 - Cμ/(μ - δ)) + (Cμ/(μ - δ)) e^{-δt},
        // Cμ/(μ - δ) = 2C = 9/7.
        let k = 9.0 / 7.0;
        assert_close(value(&model, sojourn(0.0)), 0.0);
        for t in [1.0_f64, 4.0] {
            let tail = (-t).exp() * (1.0 - k) + k * (-0.5 * t).exp();
            assert_close(value(&model, sojourn(t)), 1.0 - tail);
        }
    }

    #[test]
    fn mm1_sojourn_is_exponential_and_wait_has_an_atom() {
        // λ = 1.5, μ = 2: ρ = 0.75, W ~ Exp(0.5), P(Wq > t) = ρ e^{-0.5t}.
        let model = model("consumers = 1\nservice = { dist = \"exponential\", rate = 2.0 }");
        for t in [0.0, 1.0, 4.0] {
            assert_close(value(&model, wait(t)), 1.0 - 0.75 * (-0.5 * t).exp());
        }
        for t in [1.0, 4.0] {
            assert_close(value(&model, sojourn(t)), 1.0 - (-0.5 * t).exp());
        }
        assert_close(value(&model, wait(0.0)), 1.0 - 0.75);
    }

    #[test]
    fn mm1k_matches_its_erlang_mixture() {
        // λ = 1.5, μ = 1, c = 1, K = 2: π ∝ (1, 1.5, 2.25), an accepted
        // message finds 0 or 1 with probabilities 1/2.5 and 1.5/2.5; it
        // waits Exp(1) when it finds 1, and its sojourn is Exp(1) or
        // Erlang(2, 1).
        let model =
            model("consumers = 1\ncapacity = 2\nservice = { dist = \"exponential\", mean = 1.0 }");
        let busy = 1.5 / 2.5;
        for t in [0.0_f64, 1.0, 4.0] {
            let erlang2 = (-t).exp() * (1.0 + t);
            assert_close(value(&model, wait(t)), 1.0 - busy * (-t).exp());
            assert_close(
                value(&model, sojourn(t)),
                1.0 - ((1.0 - busy) * (-t).exp() + busy * erlang2),
            );
        }
    }

    #[test]
    fn no_distribution_no_service_level() {
        // M/D/1: exact means (Pollaczek-Khinchine), no distribution.
        let md1 = model("consumers = 1\nservice = { dist = \"deterministic\", value = 0.5 }");
        assert!(value(&md1, Metric::MeanWait).is_some());
        assert_eq!(value(&md1, wait(1.0)), None);
        assert_eq!(value(&md1, sojourn(1.0)), None);
        // LIFO M/M/1: exact means, no FIFO distribution.
        let lifo = model(
            "consumers = 1\ndiscipline = \"lifo\"\nservice = { dist = \"exponential\", rate = 2.0 }",
        );
        assert!(value(&lifo, Metric::MeanWait).is_some());
        assert_eq!(value(&lifo, wait(1.0)), None);
    }
}
