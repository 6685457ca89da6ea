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
}

/// The targets a simulation of `model` reports, in result order: each queue
/// (then the system, when the queues form one network: see
/// [`Model::is_network`]), each followed by its classes when the model has
/// several.
pub fn targets(model: &Model) -> Vec<Target> {
    let nodes = model.queues.len() + usize::from(model.is_network());
    let classes: Vec<Option<usize>> = if model.has_classes() {
        std::iter::once(None)
            .chain((0..model.classes.len()).map(Some))
            .collect()
    } else {
        vec![None]
    };
    (0..nodes)
        .flat_map(|node| {
            let queue = (node < model.queues.len()).then_some(node);
            classes.iter().map(move |&class| Target { queue, class })
        })
        .collect()
}
