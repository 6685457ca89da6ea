//! Relations that should hold between measured means, checked on the
//! simulated and live runs alike: Little's law, and the claim of the
//! article this project grew from, which does not.

use std::collections::BTreeMap;

use crate::model::Model;
use crate::model::Target;
use crate::model::metric::Metric;
use crate::results::{Relation, SEED_CLAIM};
use crate::stats::Estimate;

/// Little's law (L = λW, Lq = λWq) and the seed article's claim L = Σ T_i
/// (the sum of the consumers' processing times), evaluated on measured
/// means. W and Wq count every accepted message, served, expired or
/// dropped, so λ is their rate: the throughput (served messages) /
/// (1 - `p_abandoned` - `p_dropped`), the throughput itself where nothing
/// is lost (equal in steady state).
pub fn relations(
    metrics: &BTreeMap<Metric, f64>,
    consumers: u32,
    mean_service: f64,
) -> Vec<Relation> {
    use Metric::{
        MeanInQueue, MeanInSystem, MeanSojourn, MeanWait, PAbandoned, PDropped, Throughput,
    };
    let get = |metric| metrics.get(&metric).copied();
    let relation = |name: &str, left: Option<f64>, right: Option<f64>| {
        let (left, right) = (left?, right?);
        // A relative error needs a measured left side.
        if !(left.is_finite() && right.is_finite() && left != 0.0) {
            return None;
        }
        Some(Relation {
            relation: name.to_string(),
            left,
            right,
            relative_error: (right - left) / left,
        })
    };
    let served = 1.0 - get(PAbandoned).unwrap_or(0.0) - get(PDropped).unwrap_or(0.0);
    let rate = get(Throughput).map(|throughput| throughput / served);
    [
        relation(
            "L = λW (Little)",
            get(MeanInSystem),
            rate.zip(get(MeanSojourn)).map(|(r, w)| r * w),
        ),
        relation(
            "Lq = λWq (Little)",
            get(MeanInQueue),
            rate.zip(get(MeanWait)).map(|(r, w)| r * w),
        ),
        relation(
            SEED_CLAIM,
            get(MeanInSystem),
            Some(f64::from(consumers) * mean_service),
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The relations of a queue's aggregate row, from its means (none for
/// classes, the system or unlimited consumers); the mean service is
/// utilisation × consumers / throughput, as measured.
pub fn queue_relations(
    model: &Model,
    target: Target,
    metrics: &BTreeMap<Metric, Estimate>,
) -> Vec<Relation> {
    let Some(queue) = target.queue.filter(|_| target.class.is_none()) else {
        return Vec::new();
    };
    if model.queues[queue].is_unlimited() {
        return Vec::new();
    }
    let consumers = model.queues[queue].consumers;
    let means: BTreeMap<Metric, f64> = metrics.iter().map(|(&m, i)| (m, i.mean)).collect();
    let (Some(&utilisation), Some(&throughput)) = (
        means.get(&Metric::Utilisation),
        means.get(&Metric::Throughput),
    ) else {
        return Vec::new();
    };
    if throughput <= 0.0 {
        return Vec::new();
    }
    relations(
        &means,
        consumers,
        utilisation * f64::from(consumers) / throughput,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn little_holds_and_the_article_fails_on_mm1_at_load_0_8() {
        // M/M/1, λ = 0.8, E[S] = 1: L = 4, Lq = 3.2, W = 5, Wq = 4.
        let metrics = BTreeMap::from([
            (Metric::MeanInSystem, 4.0),
            (Metric::MeanInQueue, 3.2),
            (Metric::MeanSojourn, 5.0),
            (Metric::MeanWait, 4.0),
            (Metric::Throughput, 0.8),
        ]);
        let found = relations(&metrics, 1, 1.0);
        assert_eq!(found.len(), 3);
        assert!(found[0].relative_error.abs() < 1e-12);
        assert!(found[1].relative_error.abs() < 1e-12);
        assert_eq!(found[2].right, 1.0);
        assert!((found[2].relative_error + 0.75).abs() < 1e-12);
        let lines = crate::report::relation_lines(&found);
        assert!(lines[2].contains("-75.0%") && lines[2].contains("a claim, not a law"));
        assert!(!lines[0].contains("a claim"));
        assert!(relations(&BTreeMap::new(), 1, 1.0).is_empty());
    }

    #[test]
    fn little_holds_with_the_accepted_rate_when_messages_expire() {
        // Erlang-A, λ = 12 on 10 consumers with mean patience 2: W and Wq
        // count every arrival, the throughput only the served ones.
        let q = crate::theory::abandonment::ErlangA::new(12.0, 1.0, 10, 0.5).unwrap();
        assert!(q.prob_abandon() > 0.1);
        let metrics = BTreeMap::from([
            (Metric::MeanInSystem, q.mean_in_system()),
            (Metric::MeanInQueue, q.mean_in_queue()),
            (Metric::MeanSojourn, q.mean_sojourn()),
            (Metric::MeanWait, q.mean_wait()),
            (Metric::Throughput, q.throughput()),
            (Metric::PAbandoned, q.prob_abandon()),
        ]);
        let found = relations(&metrics, 10, 1.0);
        for relation in &found[..2] {
            assert!(relation.relative_error.abs() < 1e-12, "{relation:?}");
        }
    }
}
