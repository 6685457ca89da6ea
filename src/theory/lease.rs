//! The one exact figure of a lease on deliveries (`ack_wait`): the share
//! of messages whose first delivery outlives its lease, P(S > ack_wait).
//! Every message reaching a queue with a lease is delivered once at the
//! start of its service (nothing there is lost waiting) and acknowledged
//! when its service S ends, so its first lease runs out exactly when
//! S > ack_wait, whatever the arrivals, the consumers or the queueing.
//! Nothing more is exact: the duplicates that follow wait behind the
//! consumers they keep busy (and are withdrawn when the first delivery
//! ends first), so no formula gives their count or the waits they cause.

use super::result::TheoryResult;
use crate::model::metric::Metric;
use crate::model::{Model, Target};

/// The label of the rows this adds.
const MODEL: &str = "lease: P(S > ack_wait)";

/// `rows` with `p_lease_expired` for every queue with a lease whose
/// messages all take its own service (no class with a `service` of its
/// own) from a distribution with a survival function, in the queue's row
/// or a row of its own.
pub(super) fn with_lease_figures(
    model: &Model,
    mut rows: Vec<(Target, TheoryResult)>,
) -> Vec<(Target, TheoryResult)> {
    if model.classes.iter().any(|class| class.service.is_some()) {
        return rows;
    }
    for (index, queue) in model.queues.iter().enumerate() {
        let Some(lease) = queue.lease() else {
            continue;
        };
        let Some(expired) = queue.service.survival(lease.ack_wait) else {
            continue;
        };
        let target = Target {
            queue: Some(index),
            class: None,
            partition: None,
        };
        let row = match rows.iter().position(|(t, _)| *t == target) {
            Some(row) => row,
            None => {
                rows.push((target, TheoryResult::new(MODEL, true)));
                rows.len() - 1
            }
        };
        rows[row].1.metrics.insert(Metric::PLeaseExpired, expired);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;
    use crate::model::{ProducerBuilder, QueueBuilder};

    #[test]
    fn the_first_lease_runs_out_with_the_services_longer_than_it() {
        // Services Exp(mean 10) under a lease of 20: e^-2 = 0.1353...
        let model = Model::builder("lease")
            .queue(
                QueueBuilder::new("q", 2, Dist::exponential_mean(10.0).unwrap()).lease(20.0, None),
            )
            .producer(ProducerBuilder::open(
                "p",
                "q",
                Dist::exponential_mean(1.0 / 0.14).unwrap(),
            ))
            .build()
            .unwrap();
        let rows = super::super::evaluate(&model);
        assert_eq!(rows.len(), 1, "no formula beyond the lease's figure");
        let (target, result) = &rows[0];
        assert_eq!(target.queue, Some(0));
        assert!(result.exact);
        assert_eq!(result.model, MODEL);
        let expired = result.metrics[&Metric::PLeaseExpired];
        assert!((expired - 0.135_335_283_236_612_7).abs() < 1e-15);
        assert_eq!(result.metrics.len(), 1);
    }
}
