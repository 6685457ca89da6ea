//! A starting backlog: messages already waiting when a run starts, and the
//! instant each queue first has none waiting (its drain time).

use crate::model::metric::{Metric, MetricValues};
use crate::model::{Model, Target, targets};

/// The queues still catching up with their backlog.
#[derive(Debug)]
pub(super) struct Drains {
    /// Per queue: `Some(None)` while its backlog is not caught up,
    /// `Some(Some(t))` once it was at `t`, `None` without a backlog.
    drained_at: Vec<Option<Option<f64>>>,
    /// Queues still catching up.
    pending: usize,
}

impl Drains {
    /// Every queue of `model` with a backlog, none caught up yet.
    pub(super) fn new(model: &Model) -> Self {
        let drained_at: Vec<_> = model
            .queues
            .iter()
            .map(|queue| (queue.backlog > 0).then_some(None))
            .collect();
        let pending = drained_at.iter().flatten().count();
        Drains {
            drained_at,
            pending,
        }
    }

    /// Some queue is still catching up (checked before [`Drains::observe`]
    /// so runs without a backlog pay one comparison).
    #[inline(always)]
    pub(super) fn pending(&self) -> bool {
        self.pending > 0
    }

    /// `queue` has `waiting` messages at `now`: none waiting catches up its
    /// backlog, once.
    pub(super) fn observe(&mut self, queue: usize, waiting: u32, now: f64) {
        if waiting == 0
            && let Some(drained @ None) = &mut self.drained_at[queue]
        {
            *drained = Some(now);
            self.pending -= 1;
        }
    }

    /// Writes each drain time into the queue's row of `values` (laid out
    /// as [`targets`]); a backlog not caught up by the end of the run
    /// stays without a value.
    pub(super) fn write(&self, model: &Model, values: &mut [MetricValues]) {
        let rows = targets(model);
        for (queue, drained) in self.drained_at.iter().enumerate() {
            let Some(Some(time)) = drained else {
                continue;
            };
            let target = Target {
                queue: Some(queue),
                class: None,
                partition: None,
            };
            if let Some(row) = rows.iter().position(|t| *t == target) {
                values[row][Metric::DrainTime.index()] = *time;
            }
        }
    }
}
