//! What a row of results describes: a queue or the whole network, all
//! classes or one.

use super::Model;

/// Name of the network-wide row (the target whose `queue` is `None`).
pub const SYSTEM: &str = "system";

/// What a row of results describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    /// The queue, or `None` for the whole network (end to end).
    pub queue: Option<usize>,
    /// The class, or `None` for all classes together.
    pub class: Option<usize>,
    /// A partition of a partitioned queue (all classes), or `None` for the
    /// whole queue.
    pub partition: Option<u32>,
}

/// The targets a simulation of `model` reports, in result order: each queue
/// (then the system, when the queues form one network: see
/// [`Model::is_network`]), each followed by its classes when the model has
/// several; then the partitions of each partitioned queue, in queue and
/// partition order.
pub fn targets(model: &Model) -> Vec<Target> {
    let nodes = model.queues.len() + usize::from(model.is_network());
    let classes: Vec<Option<usize>> = if model.has_classes() {
        std::iter::once(None)
            .chain((0..model.classes.len()).map(Some))
            .collect()
    } else {
        vec![None]
    };
    let partitions = model.queues.iter().enumerate().flat_map(|(queue, spec)| {
        let count = spec.partitioning().map_or(0, |p| p.partitions);
        (0..count).map(move |partition| Target {
            queue: Some(queue),
            class: None,
            partition: Some(partition),
        })
    });
    (0..nodes)
        .flat_map(|node| {
            let queue = (node < model.queues.len()).then_some(node);
            classes.iter().map(move |&class| Target {
                queue,
                class,
                partition: None,
            })
        })
        .chain(partitions)
        .collect()
}
