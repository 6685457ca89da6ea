//! Kafka: a topic's partitions read by one consumer group (Kafka 3.x and
//! 4.x with the classic group protocol). Producers pick partitions by their
//! messages' `keys` (see `[[producers]]`).

use super::settings::Settings;
use super::{Expansion, Problem};

/// Consumer settings accepted for the record but not in the model yet,
/// with their defaults (Kafka 3.x and 4.x, `ConsumerConfig`) and why.
const UNMODELLED: [(&str, i64, &str); 6] = [
    (
        "max.poll.records",
        500,
        "a poll's batch: messages are taken one at a time",
    ),
    (
        "fetch.max.wait.ms",
        500,
        "fetch long-polling: a message is seen when it arrives",
    ),
    (
        "fetch.min.bytes",
        1,
        "fetch batching: a message is seen when it arrives",
    ),
    (
        "max.poll.interval.ms",
        300_000,
        "poll timeouts and the rebalances they trigger",
    ),
    (
        "session.timeout.ms",
        45_000,
        "consumer failures and the rebalances they trigger",
    ),
    (
        "auto.commit.interval.ms",
        5_000,
        "commits: nothing is replayed",
    ),
];

/// Expands a Kafka topic's `settings` (version `major`) into `expansion`.
pub(super) fn expand(
    settings: &Settings<'_>,
    _major: u32,
    expansion: &mut Expansion,
) -> Result<(), Problem> {
    let consumers = settings.count("consumers", 1)?.ok_or_else(|| {
        settings.problem(
            "consumers",
            "required: the consumer group's members, a whole number >= 1",
        )
    })?;
    expansion.set("consumers", consumers, "`consumers`: the group's members");
    let service = settings.value("service").ok_or_else(|| {
        settings.problem(
            "service",
            "required: a consumer's work per record, a distribution such as { dist = \"exponential\", mean = 0.01 }",
        )
    })?;
    expansion.set("service", service.clone(), "`service`");
    // Broker config `num.partitions`: 1 for an auto-created topic.
    match settings.count("partitions", 1)? {
        Some(partitions) => expansion.set("partitions", partitions, "`partitions`"),
        None => expansion.set(
            "partitions",
            1,
            "default `num.partitions` = 1 (Kafka docs, Broker Configs)",
        ),
    }
    // ConsumerConfig: [RangeAssignor, CooperativeStickyAssignor]; range is
    // used while every member supports it.
    let strategies = ["range", "roundrobin", "sticky", "cooperative-sticky"];
    match settings.word("partition.assignment.strategy", &strategies)? {
        None => expansion.set(
            "assignor",
            "range",
            "default `partition.assignment.strategy` = [range, cooperative-sticky] (ConsumerConfig)",
        ),
        Some("range") => expansion.set("assignor", "range", "`partition.assignment.strategy`"),
        Some("roundrobin") => {
            expansion.set("assignor", "round-robin", "`partition.assignment.strategy`")
        }
        Some(sticky) => expansion.set(
            "assignor",
            "round-robin",
            format!(
                "`partition.assignment.strategy` = \"{sticky}\": with nobody joining or leaving, as balanced as round-robin (which partitions share a consumer may differ)"
            ),
        ),
    }
    if let Some(backlog) = settings.count("backlog", 0)? {
        expansion.set("backlog", backlog, "`backlog`");
    }
    for (setting, default, why) in UNMODELLED {
        let value = settings.count(setting, 0)?.unwrap_or(default);
        expansion
            .unmodelled
            .push(format!("`{setting}` = {value}: {why}"));
    }
    Ok(())
}
