//! What a bench run on a Kafka-protocol broker makes of a model: one
//! partitioned queue becomes a topic of as many partitions read by one
//! consumer group with the queue's assignor, each message sent to the
//! partition the model's replay gives it (so broker and model agree message
//! by message); consumers joining mid-run (`group_changes` that grow the
//! group) are started at their instants.

use super::MAX_CONSUMERS;
use crate::model::{Assignor, Feature, Features, Model, RebalanceProtocol};

/// Why a group with the sticky assignor is not benchmarked.
pub(super) const STICKY_REFUSED: &str = "the sticky assignor is not benchmarked: librdkafka offers only cooperative-sticky, and a rebalance on tansu 0.6 leaves partitions unowned with it; use `assignor = \"range\"` or \"round-robin\"";

/// What a run on a Kafka-protocol broker reproduces: open producers with
/// any interarrival distribution, with keys or round-robin, into one
/// partitioned queue whose consumers serve with any service distribution,
/// one message at a time, and consumers joining the group mid-run (eager
/// rebalances). Anything else is refused.
const SUPPORTED: Features = Features::of(&[
    Feature::RenewalArrivals,
    Feature::GeneralService,
    Feature::Partitions,
    Feature::RoundRobinPartitioning,
    Feature::GroupChanges,
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
    if let Some(refusal) = unsupported_changes(model) {
        return Some(refusal);
    }
    let most = queue
        .poll()
        .and_then(|poll| poll.changes.as_ref())
        .map_or(queue.consumers, |changes| {
            changes.most_consumers(queue.consumers)
        });
    (most > MAX_CONSUMERS).then(|| {
        format!(
            "a bench run starts one client and thread per consumer, at most {MAX_CONSUMERS}; queue `{}` has up to {most}",
            queue.name
        )
    })
}

/// Why the group changes of `model`'s queue cannot be driven, or `None`:
/// a run starts consumers joining, eagerly (librdkafka's cooperative
/// protocol is cooperative-sticky, refused with the sticky assignor), and
/// never stops one.
fn unsupported_changes(model: &Model) -> Option<String> {
    let queue = &model.queues[0];
    let poll = queue.poll()?;
    let changes = poll.changes.as_ref()?;
    if poll.protocol == RebalanceProtocol::Cooperative {
        return Some(format!(
            "queue `{}` rebalances cooperatively; a bench run on the Kafka protocol drives eager rebalances only (librdkafka's cooperative protocol is cooperative-sticky: {STICKY_REFUSED}): use `rebalance_protocol = \"eager\"`",
            queue.name
        ));
    }
    let mut size = queue.consumers;
    for (index, change) in changes.changes.iter().enumerate() {
        if change.consumers < size {
            return Some(format!(
                "queue `{}`: `group_changes[{index}]` lowers the group to {} consumers; a bench run on the Kafka protocol starts consumers joining and stops none yet: keep only changes that grow the group",
                queue.name, change.consumers
            ));
        }
        size = change.consumers;
    }
    None
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

    #[test]
    fn a_consumer_joining_is_driven_and_one_leaving_is_refused() {
        assert_eq!(
            unsupported(&model("scenarios/bench-kafka-consumer-joins.toml")),
            None
        );
        let text = std::fs::read_to_string("scenarios/bench-kafka-consumer-joins.toml")
            .expect("shipped scenario")
            .replace(
                "{ at = 4000, consumers = 3 } ]",
                "{ at = 4000, consumers = 3 }, { at = 6000, consumers = 2 } ]",
            );
        let scenario = scenario::parse(Path::new("leaves.toml"), text).expect("valid");
        let refused = unsupported(&scenario.points[0].model);
        assert!(
            refused.is_some_and(|why| why.contains("`group_changes[1]` lowers the group")),
            "a leave is refused"
        );
    }
}
