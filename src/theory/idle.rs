//! Idle consumers of a partitioned queue: a fixed group of c consumers on
//! P partitions leaves max(0, c − P) of them owning no partition, whatever
//! the assignor (each assigns every partition to one of the first
//! min(c, P) consumers), the arrivals or the service: exact. A group whose
//! size changes has its own time average (see `GroupChanges::mean_idle`),
//! which the simulation reports; no formula row gives it.

use super::result::TheoryResult;
use crate::model::metric::Metric;
use crate::model::{Model, Target};

/// `rows` with the idle consumers of every partitioned queue whose group
/// is fixed, in the queue's row or a row of its own.
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
        let row = match rows.iter().position(|(t, _)| *t == target) {
            Some(row) => row,
            None => {
                let name = "consumers beyond the partitions (assignment)";
                rows.push((target, TheoryResult::new(name, true)));
                rows.len() - 1
            }
        };
        let idle = partitioning.idle_consumers(queue.consumers);
        rows[row]
            .1
            .metrics
            .insert(Metric::IdleConsumers, f64::from(idle));
    }
    rows
}
