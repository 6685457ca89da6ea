//! What a bench run on a Kafka-protocol broker makes of a model: one
//! partitioned queue becomes a topic of as many partitions read by one
//! consumer group with the queue's assignor, each message sent to the
//! partition the model's replay gives it (so broker and model agree message
//! by message).

use super::MAX_CONSUMERS;
use crate::model::{Assignor, Feature, Features, Model};

/// Why a group with the sticky assignor is not benchmarked.
pub(super) const STICKY_REFUSED: &str = "the sticky assignor is not benchmarked: librdkafka offers only cooperative-sticky, and a rebalance on tansu 0.6 leaves partitions unowned with it; use `assignor = \"range\"` or \"round-robin\"";

/// What a run on a Kafka-protocol broker reproduces: open producers with
/// any interarrival distribution, with keys or round-robin, into one
/// partitioned queue whose consumers serve with any service distribution,
/// one message at a time. Anything else is refused.
const SUPPORTED: Features = Features::of(&[
    Feature::RenewalArrivals,
    Feature::GeneralService,
    Feature::Partitions,
    Feature::RoundRobinPartitioning,
]);

/// Why `model` cannot be benchmarked on a Kafka-protocol broker, or `None`
/// when it can.
pub fn unsupported(model: &Model) -> Option<String> {
    if model.queues.len() != 1 {
        return Some(format!(
            "a bench run drives one topic; this model has {} queues",
            model.queues.len()
        ));
    }
    let queue = &model.queues[0];
    let Some(partitioning) = queue.partitioning() else {
        return Some(format!(
            "`--broker kafka` drives a topic read by a consumer group: queue `{}` needs `partitions`",
            queue.name
        ));
    };
    if partitioning.assignor == Assignor::Sticky {
        return Some(format!("queue `{}`: {STICKY_REFUSED}", queue.name));
    }
    if let Some((feature, site)) = model
        .feature_sites()
        .into_iter()
        .find(|(feature, _)| !SUPPORTED.contains(*feature))
    {
        return Some(format!(
            "bench runs on the Kafka protocol do not support {} ({site}) yet: they drive open producers into one partitioned topic and a consumer group serving one message at a time",
            feature.describe()
        ));
    }
    (queue.consumers > MAX_CONSUMERS).then(|| {
        format!(
            "a bench run starts one client and thread per consumer, at most {MAX_CONSUMERS}; queue `{}` has {}",
            queue.name, queue.consumers
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario;
    use std::path::Path;

    fn model(file: &str) -> Model {
        let scenario = scenario::load(Path::new(file)).expect("shipped scenario");
        scenario.points[0].model.clone()
    }

    #[test]
    fn a_partitioned_queue_is_a_topic_and_a_shared_line_is_refused() {
        assert_eq!(
            unsupported(&model("scenarios/bench-kafka-6-partitions.toml")),
            None
        );
        let refused = unsupported(&model("scenarios/bench-rabbitmq-prefetch1.toml"));
        assert!(refused.is_some_and(|why| why.contains("needs `partitions`")));
    }
}
