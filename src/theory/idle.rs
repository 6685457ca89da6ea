//! Idle consumers of a partitioned queue: a fixed group of c consumers on
//! P partitions leaves max(0, c − P) of them owning no partition, whatever
//! the assignor (each assigns every partition to one of the first
//! min(c, P) consumers), the arrivals or the service: exact. A group whose
//! size changes has its own time average (see `GroupChanges::mean_idle`),
//! which the simulation reports; no formula row gives it. Nor does a
//! model no formula family covers get this one alone: the whitelist
//! holds for every figure but a backlog's drain time (see `recognise`).

use super::result::TheoryResult;
use crate::model::metric::Metric;
use crate::model::{Model, Target};

/// `rows` with the idle consumers of every partitioned queue whose group
/// is fixed, in the queue's row where a formula family gave it one (a
/// model no family covers gets no formula, this one included).
pub(super) fn with_idle_consumers(
    model: &Model,
    mut rows: Vec<(Target, TheoryResult)>,
) -> Vec<(Target, TheoryResult)> {
    for (index, queue) in model.queues.iter().enumerate() {
        let Some(partitioning) = queue.partitioning() else {
            continue;
        };
        if queue.group_changes().is_some() {
            continue;
        }
        let target = Target {
            queue: Some(index),
            class: None,
            partition: None,
        };
        if let Some((_, row)) = rows.iter_mut().find(|(t, _)| *t == target) {
            let idle = partitioning.idle_consumers(queue.consumers);
            row.metrics.insert(Metric::IdleConsumers, f64::from(idle));
        }
    }
    rows
}
