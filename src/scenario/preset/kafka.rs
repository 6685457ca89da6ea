//! Kafka: a topic's partitions read by one consumer group (Kafka 3.x and
//! 4.x with the classic group protocol), and by further groups listed in
//! `groups`, each expanded into a queue of its own reading the topic
//! (`topic`). Producers pick partitions by their messages' `keys` (see
//! `[[producers]]`). Spring Kafka's retry topics (`retry_topics`) add
//! the queues of their chain (see [`retry_topics`]).

use super::settings::Settings;
use super::{Expansion, Problem, from_millis, retry_topics};
use crate::model::{DEFAULT_FETCH_WAIT_MS, DEFAULT_MAX_POLL_RECORDS};

/// Consumer settings accepted for the record but not in the model yet,
/// with their defaults (Kafka 3.x and 4.x, `ConsumerConfig`) and why.
const UNMODELLED: [(&str, i64, &str); 2] = [
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

/// Expands a Kafka topic's `settings` (version `major`, times in
/// `time_unit`) into `expansion`, its first consumer group's with it;
/// returns the expansions of its retry topics (`retry_topics`) and of its
/// other consumer groups (`groups`), each a queue reading the topic.
pub(super) fn expand(
    settings: &Settings<'_>,
    _major: u32,
    time_unit: &str,
    expansion: &mut Expansion,
) -> Result<Vec<Expansion>, Problem> {
    members(settings, expansion)?;
    // Broker config `num.partitions`: 1 for an auto-created topic.
    match settings.count("partitions", 1)? {
        Some(partitions) => expansion.set("partitions", partitions, "`partitions`"),
        None => expansion.set(
            "partitions",
            1,
            "default `num.partitions` = 1 (Kafka docs, Broker Configs)",
        ),
    }
    assignor(settings, expansion)?;
    if let Some(backlog) = settings.count("backlog", 0)? {
        expansion.set("backlog", backlog, "`backlog`");
    }
    poll_and_changes(settings, time_unit, expansion)?;
    let mut others = retry_topics::expand(settings, time_unit, expansion)?;
    for (group, table) in other_groups(settings, expansion)? {
        others.push(other_group(&group, &table, time_unit, expansion)?);
    }
    Ok(others)
}

/// Another consumer group `group` on the topic of `expansion`, with its
/// settings `table`.
fn other_group(
    group: &str,
    table: &toml::Table,
    time_unit: &str,
    expansion: &Expansion,
) -> Result<Expansion, Problem> {
    let key = format!("{}.groups.{group}", expansion.name);
    let group_settings = Settings::new(&key, table);
    group_settings.value("group.id");
    let mut expanded = Expansion::part_of(group, expansion, format!("group \"{group}\""));
    expanded.keys[0].from = "`group.id`".into();
    expanded.set(
        "topic",
        expansion.name.as_str(),
        "another consumer group on the topic: every record, on the same partition",
    );
    members(&group_settings, &mut expanded)?;
    assignor(&group_settings, &mut expanded)?;
    poll_and_changes(&group_settings, time_unit, &mut expanded)?;
    group_settings.refuse_others("Kafka consumer group")?;
    Ok(expanded)
}

/// A consumer group's members and their work per record.
fn members(settings: &Settings<'_>, expansion: &mut Expansion) -> Result<(), Problem> {
    let consumers = settings.count("consumers", 1)?.ok_or_else(|| {
        settings.problem(
            "consumers",
            "required: the consumer group's members, a whole number >= 1",
        )
    })?;
    expansion.set("consumers", consumers, "`consumers`: the group's members");
    let service = settings.dist("service")?.ok_or_else(|| {
        settings.problem(
            "service",
            "required: a consumer's work per record, a distribution such as { dist = \"exponential\", mean = 0.01 }",
        )
    })?;
    expansion.set("service", service.clone(), "`service`");
    Ok(())
}

/// A consumer group's assignor.
fn assignor(settings: &Settings<'_>, expansion: &mut Expansion) -> Result<(), Problem> {
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
            "sticky",
            format!("`partition.assignment.strategy` = \"{sticky}\""),
        ),
    }
    Ok(())
}

/// A group's poll loop, its changes and the consumer settings not
/// modelled.
fn poll_and_changes(
    settings: &Settings<'_>,
    time_unit: &str,
    expansion: &mut Expansion,
) -> Result<(), Problem> {
    poll_loop(settings, time_unit, expansion)?;
    group_changes(settings, expansion);
    for (setting, default, why) in UNMODELLED {
        let value = settings.count(setting, 0)?.unwrap_or(default);
        expansion
            .unmodelled
            .push(format!("`{setting}` = {value}: {why}"));
    }
    Ok(())
}

/// The topic's other consumer groups (`groups = [ { "group.id" = ..., ...
/// }, ... ]`), each its `group.id` and settings table, checked: a table
/// each, a unique `group.id` that is not the topic's name.
fn other_groups(
    settings: &Settings<'_>,
    expansion: &Expansion,
) -> Result<Vec<(String, toml::Table)>, Problem> {
    let Some(value) = settings.value("groups") else {
        return Ok(Vec::new());
    };
    let shape = "a list of consumer groups reading the topic too, e.g. [ { \"group.id\" = \"audit\", consumers = 2, service = { dist = \"exponential\", mean = 1.0 } } ]";
    let groups = value
        .as_array()
        .ok_or_else(|| settings.problem("groups", format!("must be {shape}")))?;
    let mut found: Vec<(String, toml::Table)> = Vec::with_capacity(groups.len());
    for (position, group) in groups.iter().enumerate() {
        let table = group.as_table().ok_or_else(|| {
            settings.problem(
                &format!("groups[{position}]"),
                format!("must be a table: {shape}"),
            )
        })?;
        let id = table
            .get("group.id")
            .and_then(toml::Value::as_str)
            .ok_or_else(|| {
                settings.problem(
                    &format!("groups[{position}].group.id"),
                    "required: the group's name in quotes (its results' queue name)",
                )
            })?;
        if id == expansion.name || found.iter().any(|(name, _)| name == id) {
            return Err(settings.problem(
                &format!("groups.{id}.group.id"),
                format!(
                    "\"{id}\" is used twice: each consumer group of topic \"{}\" needs its own name (the topic's own consumers are named after it)",
                    expansion.name
                ),
            ));
        }
        found.push((id.to_string(), table.clone()));
    }
    Ok(found)
}

/// Consumers joining and leaving at given times (`group_changes`, and how
/// long a rebalance pauses, `rebalance_time`: queuelab's, not Kafka's
/// settings); the cooperative protocol when the strategy is
/// `cooperative-sticky` and the group rebalances.
fn group_changes(settings: &Settings<'_>, expansion: &mut Expansion) {
    let changes = settings.value("group_changes");
    if let Some(changes) = changes {
        expansion.set(
            "group_changes",
            changes.clone(),
            "`group_changes`: consumers joining or leaving at given times, each a rebalance",
        );
    }
    if let Some(time) = settings.value("rebalance_time") {
        expansion.set(
            "rebalance_time",
            time.clone(),
            "`rebalance_time`: how long a rebalance pauses",
        );
    }
    let rebalances = changes.is_some() || settings.value("max.poll.interval.ms").is_some();
    let cooperative = settings
        .value("partition.assignment.strategy")
        .and_then(toml::Value::as_str)
        == Some("cooperative-sticky");
    if rebalances && cooperative {
        expansion.set(
            "rebalance_protocol",
            "cooperative",
            "`partition.assignment.strategy` = \"cooperative-sticky\": only the partitions that move pause",
        );
    }
}

/// The consumers' poll loop: `max.poll.records`, the fetch minimum
/// (`fetch.min.bytes` over the records' size `record_bytes`) and its wait
/// (`fetch.max.wait.ms`), and the time a poll costs (`poll_overhead`, not a
/// Kafka setting). With Kafka's defaults a fetch returns with the first
/// record and a poll costs nothing, so the batches change nothing: a
/// consumer serves its partitions' records in arrival order either way.
fn poll_loop(
    settings: &Settings<'_>,
    time_unit: &str,
    expansion: &mut Expansion,
) -> Result<(), Problem> {
    match settings.count("max.poll.records", 1)? {
        Some(records) => expansion.set("max_poll_records", records, "`max.poll.records`"),
        None => expansion.set(
            "max_poll_records",
            i64::from(DEFAULT_MAX_POLL_RECORDS),
            "default `max.poll.records` = 500 (ConsumerConfig)",
        ),
    }
    let record_bytes = settings.count("record_bytes", 1)?;
    match settings.count("fetch.min.bytes", 1)? {
        None | Some(1) => expansion.set(
            "fetch_min",
            1,
            "default `fetch.min.bytes` = 1 (ConsumerConfig): a fetch returns with the first record",
        ),
        Some(bytes) => {
            let size = record_bytes.ok_or_else(|| {
                settings.problem(
                    "record_bytes",
                    format!(
                        "required with `fetch.min.bytes` = {bytes}: a record's size in bytes (a whole number >= 1), so the fetch minimum counts records"
                    ),
                )
            })?;
            let records = (bytes + size - 1) / size;
            expansion.set(
                "fetch_min",
                records,
                format!("`fetch.min.bytes` = {bytes} over `record_bytes` = {size}, rounded up"),
            );
        }
    }
    match settings.number("fetch.max.wait.ms", 0.0)? {
        Some(millis) => {
            let wait = from_millis(settings, "fetch.max.wait.ms", millis, time_unit)?;
            expansion.set(
                "fetch_wait",
                wait,
                format!("`fetch.max.wait.ms` = {millis}"),
            );
        }
        // (Left out when the file's unit does not convert: a fetch
        // minimum of 1 never waits.)
        None => {
            if let Ok(wait) = from_millis(
                settings,
                "fetch.max.wait.ms",
                DEFAULT_FETCH_WAIT_MS,
                time_unit,
            ) {
                expansion.set(
                    "fetch_wait",
                    wait,
                    "default `fetch.max.wait.ms` = 500 (ConsumerConfig)",
                );
            }
        }
    }
    // Opt-in: a poll timeout brings rebalances, which no formula covers,
    // and Kafka's 300 s never fires against work of milliseconds.
    match settings.number("max.poll.interval.ms", 0.0)? {
        Some(millis) => {
            let interval = from_millis(settings, "max.poll.interval.ms", millis, time_unit)?;
            expansion.set(
                "max_poll_interval",
                interval,
                format!("`max.poll.interval.ms` = {millis}: batches that outlast it rebalance the group"),
            );
        }
        None => expansion.unmodelled.push(
            "`max.poll.interval.ms` = 300000 (default): poll timeouts only when set, as they bring rebalances that no formula covers".into(),
        ),
    }
    if let Some(overhead) = settings.dist("poll_overhead")? {
        expansion.set(
            "poll_overhead",
            overhead.clone(),
            "`poll_overhead`: the time a poll costs",
        );
    }
    Ok(())
}
