//! Fan-out: several consumer groups reading one topic (Kafka). The topic
//! is a partitioned queue, read by its own consumers (its first group,
//! named as the queue); every other group is a partitioned queue of its
//! own (`topic = "<queue>"`) with the topic's partitions and its own
//! consumers, service, assignor and poll loop. Every message a producer
//! publishes to the topic reaches every group, on the same partition.
//!
//! In the model each group gets a copy of each of the topic's producers
//! (the same arrivals, keys and class, [`Producer::copy_of`]), so a
//! group's traffic, loads and formulas are those of one group fed by the
//! topic's producers: the groups are dependent (they see the same
//! messages) but each one's figures are those of a group alone. The
//! simulator publishes each message once and hands a copy to every group
//! with the partition the original took.

use super::{ModelError, Producer};
use crate::model::{Arrivals, Model};

impl Model {
    /// The topic (a queue's index) whose messages group queue `queue`
    /// copies, `None` for a queue fed by producers of its own.
    pub fn topic_of(&self, queue: usize) -> Option<usize> {
        self.producers
            .iter()
            .filter(|p| p.queue == queue)
            .find_map(|p| p.copy_of)
            .map(|original| self.producers[original].queue)
    }

    /// True when `queue` is a topic read by other consumer groups too, or
    /// one of those groups: queues that share their partitions.
    pub fn shares_topic(&self, queue: usize) -> bool {
        self.topic_of(queue).is_some()
            || (0..self.queues.len()).any(|group| self.topic_of(group) == Some(queue))
    }
}

/// Checks each `(group, topic)` pair of queue indices (a group reads the
/// topic's partitions, neither routes onward, producers publish to the
/// topic only, in open streams) and adds to `model` a copy of each of the
/// topic's producers for each group, after the producers of their own.
pub(super) fn copy_to_groups(
    model: &mut Model,
    groups: &[(usize, usize)],
) -> Result<(), ModelError> {
    for &(group, topic) in groups {
        check_group(model, groups, group, topic)?;
    }
    let originals = model.producers.len();
    for &(group, topic) in groups {
        for index in 0..originals {
            let producer = &model.producers[index];
            if producer.queue != topic {
                continue;
            }
            let copy = Producer {
                name: format!("{}/{}", producer.name, model.queues[group].name),
                queue: group,
                copy_of: Some(index),
                ..producer.clone()
            };
            model.producers.push(copy);
        }
    }
    Ok(())
}

/// One group on its topic, as [`copy_to_groups`] requires.
fn check_group(
    model: &Model,
    groups: &[(usize, usize)],
    group: usize,
    topic: usize,
) -> Result<(), ModelError> {
    let (name, topic_name) = (&model.queues[group].name, &model.queues[topic].name);
    let key = format!("queues.{name}");
    let refuse =
        |part: &str, message: String| Err(ModelError::new(format!("{key}.{part}"), message));
    if group == topic {
        return refuse(
            "topic",
            "names the queue itself; `topic` names another partitioned queue whose messages this group reads too".into(),
        );
    }
    if let Some(&(_, root)) = groups.iter().find(|(g, _)| *g == topic) {
        return refuse(
            "topic",
            format!(
                "queue \"{topic_name}\" is itself a group on topic \"{}\": name that topic",
                model.queues[root].name
            ),
        );
    }
    let Some(partitioning) = model.queues[topic].partitioning() else {
        return refuse(
            "topic",
            format!(
                "queue \"{topic_name}\" has no `partitions`: a topic read by several consumer groups is a partitioned queue"
            ),
        );
    };
    let partitions = model.queues[group].partitioning().map(|p| p.partitions);
    if partitions != Some(partitioning.partitions) {
        return refuse(
            "partitions",
            format!(
                "a group reads its topic's partitions: topic \"{topic_name}\" has {}, got {}",
                partitioning.partitions,
                partitions.map_or("none".to_string(), |p| p.to_string())
            ),
        );
    }
    for (queue, part) in [(group, "next"), (topic, "next")] {
        let spec = &model.queues[queue];
        let onward = if !spec.routes().is_empty() {
            Some(part)
        } else {
            spec.dead_letter().map(|_| "dead_letter")
        };
        if let Some(part) = onward {
            return Err(ModelError::new(
                format!("queues.{}.{part}", spec.name),
                format!(
                    "a topic read by several consumer groups (\"{topic_name}\" and \"{name}\") ends at each group: remove `{part}`"
                ),
            ));
        }
    }
    for producer in &model.producers {
        let key = format!("producers.{}", producer.name);
        if producer.queue == group {
            return Err(ModelError::new(
                format!("{key}.to"),
                format!(
                    "queue \"{name}\" is a consumer group on topic \"{topic_name}\" and receives every message published there: send to \"{topic_name}\""
                ),
            ));
        }
        if producer.queue == topic && matches!(producer.arrivals, Arrivals::Closed { .. }) {
            return Err(ModelError::new(
                format!("{key}.closed"),
                format!(
                    "a closed-loop client awaits one reply, but topic \"{topic_name}\" is read by several consumer groups: give an open stream (`interarrival`)"
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::dist::Dist;
    use crate::model::{Assignor, Feature, Model, ModelBuilder, ProducerBuilder, QueueBuilder};

    fn exp(mean: f64) -> Dist {
        Dist::exponential_mean(mean).unwrap()
    }

    /// Topic `t` (4 partitions, 2 consumers) and group `g` (1 consumer)
    /// on it, `group` changing the group's queue.
    fn fan_out(group: impl FnOnce(QueueBuilder) -> QueueBuilder) -> ModelBuilder {
        Model::builder("f")
            .queue(QueueBuilder::new("t", 2, exp(1.0)).partitions(4, Assignor::Range))
            .queue(group(
                QueueBuilder::new("g", 1, exp(0.5))
                    .partitions(4, Assignor::RoundRobin)
                    .topic("t"),
            ))
            .producer(ProducerBuilder::open("p", "t", exp(2.0)))
    }

    fn refused(builder: ModelBuilder) -> (String, String) {
        let error = builder.build().expect_err("refused");
        (error.key, error.message)
    }

    #[test]
    fn each_group_gets_a_copy_of_the_topic_s_producers() {
        let model = fan_out(|g| g).build().unwrap();
        assert_eq!(model.producers.len(), 2);
        let copy = &model.producers[1];
        assert_eq!(
            (copy.name.as_str(), copy.queue, copy.copy_of),
            ("p/g", 1, Some(0))
        );
        assert_eq!(model.topic_of(1), Some(0));
        assert_eq!(model.topic_of(0), None);
        assert!(model.shares_topic(0) && model.shares_topic(1));
        // Each group's load is its own: 0.5 / 2 consumers, 0.25 / 1.
        assert_eq!(model.partition_rates(1), model.partition_rates(0));
        assert!(model.features().contains(Feature::FanOut));
    }

    #[test]
    fn refuses_groups_that_do_not_read_a_topic_s_partitions() {
        let (key, message) = refused(fan_out(|g| g.partitions(3, Assignor::Range)));
        assert_eq!(key, "queues.g.partitions");
        assert!(message.contains("has 4, got 3"), "{message}");
        let (key, _) = refused(fan_out(|g| g.topic("g")));
        assert_eq!(key, "queues.g.topic");
        let (key, message) = refused(fan_out(|g| g.topic("nowhere")));
        assert_eq!(key, "queues.g.topic");
        assert!(message.contains("no queue named \"nowhere\""), "{message}");
        let (key, _) = refused(fan_out(|g| g.next("t", 0.5)));
        assert_eq!(key, "queues.g.next");
        let (key, message) =
            refused(fan_out(|g| g).producer(ProducerBuilder::open("direct", "g", exp(2.0))));
        assert_eq!(key, "producers.direct.to");
        assert!(message.contains("send to \"t\""), "{message}");
        let (key, _) =
            refused(fan_out(|g| g).producer(ProducerBuilder::closed("loop", "t", 2, exp(1.0))));
        assert_eq!(key, "producers.loop.closed");
        let chained = fan_out(|g| g).queue(
            QueueBuilder::new("h", 1, exp(0.5))
                .partitions(4, Assignor::Range)
                .topic("g"),
        );
        let (key, message) = refused(chained);
        assert_eq!(key, "queues.h.topic");
        assert!(message.contains("name that topic"), "{message}");
    }

    #[test]
    fn a_topic_is_a_partitioned_queue() {
        let model = Model::builder("f")
            .queue(QueueBuilder::new("t", 1, exp(1.0)))
            .queue(
                QueueBuilder::new("g", 1, exp(1.0))
                    .partitions(2, Assignor::Range)
                    .topic("t"),
            )
            .producer(ProducerBuilder::open("p", "t", exp(2.0)));
        let (key, message) = refused(model);
        assert_eq!(key, "queues.g.topic");
        assert!(message.contains("has no `partitions`"), "{message}");
    }
}
