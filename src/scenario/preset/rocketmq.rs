//! RocketMQ: a topic's queues read by a push-consumer group, consumed
//! concurrently (the default listener) or orderly. RocketMQ 4.x balances
//! queues over the group's instances (each serving its queues' messages
//! with its own threads, a partitioned queue with `threads`); 5.x push
//! consumers balance single messages, so every instance's threads share
//! one line.

use super::settings::Settings;
use super::{Expansion, Problem};

/// Retries of a failed concurrent delivery when `maxReconsumeTimes` is
/// -1, the default (DefaultMQPushConsumer; RocketMQ docs, consumer retry).
const DEFAULT_RETRIES: i64 = 16;

/// Expands a RocketMQ consumer group's `settings` (version `major`) into
/// `expansion`.
pub(super) fn expand(
    settings: &Settings<'_>,
    major: u32,
    expansion: &mut Expansion,
) -> Result<(), Problem> {
    let instances = settings.count("consumers", 1)?.ok_or_else(|| {
        settings.problem(
            "consumers",
            "required: the consumer group's instances, a whole number >= 1",
        )
    })?;
    let service = settings.value("service").ok_or_else(|| {
        settings.problem(
            "service",
            "required: a consumer thread's work per message, a distribution such as { dist = \"exponential\", mean = 0.01 }",
        )
    })?;
    // DefaultMQPushConsumer: consumeThreadMin = consumeThreadMax = 20; the
    // pool's queue is unbounded, so it never grows past the minimum
    // (apache/rocketmq#5290).
    let threads = settings.count("consumeThreadMin", 1)?;
    let threads_from = threads.map_or(
        "default `consumeThreadMin` = 20 (DefaultMQPushConsumer)",
        |_| "`consumeThreadMin`",
    );
    let threads = threads.unwrap_or(20);
    // TopicConfig: 16 read and 16 write queues.
    let read = settings.count("readQueueNums", 1)?.unwrap_or(16);
    let write = settings.count("writeQueueNums", 1)?.unwrap_or(read);
    if write > read {
        return Err(settings.problem(
            "writeQueueNums",
            format!(
                "{write} write queues but {read} read queues: messages in the last {} queues are never consumed (alibaba/rocketmq#204); make them equal",
                write - read
            ),
        ));
    }
    let orderly =
        settings.word("messageListener", &["concurrently", "orderly"])? == Some("orderly");
    if orderly {
        // Orderly: each queue is locked by one instance and served one
        // message at a time; the instance's threads serve different queues
        // at once, so with enough threads each queue has a server of its own.
        let per_instance = (read + instances - 1) / instances;
        if per_instance > threads {
            return Err(settings.problem(
                "consumeThreadMin",
                format!(
                    "an instance holds up to {per_instance} of the {read} queues but has {threads} threads: threads shared between locked queues are not modelled; use at least {per_instance} threads or more instances"
                ),
            ));
        }
        expansion.set(
            "consumers",
            read,
            format!(
                "`messageListener` = \"orderly\": each of the {read} queues served in order by a thread of its instance ({instances} instances, {threads} threads each)"
            ),
        );
        expansion.set("service", service.clone(), "`service`");
        expansion.set(
            "partitions",
            read,
            "`readQueueNums` (default 16, TopicConfig)",
        );
    } else if major >= 5 || instances == 1 {
        expansion.set(
            "consumers",
            instances * threads,
            format!(
                "{instances} instance(s) x {threads} threads ({threads_from}){}",
                if major >= 5 {
                    ", sharing every message (5.x message-level balancing)"
                } else {
                    ", one instance reading every queue"
                }
            ),
        );
        expansion.set("service", service.clone(), "`service`");
    } else {
        // 4.x: the rebalance gives each instance a contiguous share of the
        // read queues (AllocateMessageQueueAveragely, the range
        // assignment), which it serves with its own pool of threads.
        expansion.set(
            "consumers",
            instances,
            "`consumers`: the group's instances, each holding its queues (4.x queue-level balancing)",
        );
        expansion.set("service", service.clone(), "`service`");
        expansion.set(
            "partitions",
            read,
            "`readQueueNums` (default 16, TopicConfig)",
        );
        expansion.set(
            "assignor",
            "range",
            "AllocateMessageQueueAveragely (the default allocation strategy): contiguous queues, the first instances one more",
        );
        expansion.set(
            "threads",
            threads,
            format!("{threads_from}: each instance serves its queues' messages concurrently"),
        );
    }
    let failure = settings.number("failure", 0.0)?;
    let retries = settings.count("maxReconsumeTimes", -1)?;
    let balanced_queues = !orderly && major < 5 && instances > 1;
    match failure {
        Some(p) if p > 0.0 && orderly => {
            return Err(settings.problem(
                "failure",
                "orderly consumption retries a failed message in place after suspending its queue: not modelled; use messageListener = \"concurrently\"",
            ));
        }
        Some(p) if p > 0.0 && balanced_queues => {
            return Err(settings.problem(
                "failure",
                "4.x with several instances: a failed message goes through the %RETRY% topic's delay levels and comes back on a queue some instance holds; delayed retries over balanced queues are not modelled; use version 5.x (message-level balancing) or one instance",
            ));
        }
        Some(p) if p > 0.0 => {
            let (max_retries, from) = match retries {
                None | Some(-1) => (
                    DEFAULT_RETRIES,
                    "default `maxReconsumeTimes` = -1: 16 retries (RocketMQ docs, consumer retry)",
                ),
                Some(n) => (n, "`maxReconsumeTimes`"),
            };
            let mut retry = toml::Table::new();
            retry.insert("p".into(), p.into());
            retry.insert("levels".into(), "rocketmq".into());
            retry.insert("max_retries".into(), max_retries.into());
            expansion.set(
                "retry",
                retry,
                format!(
                    "`failure` = {p}, the delay levels of %RETRY% (10s, 30s, 1m ... 2h), {from}; then %DLQ%"
                ),
            );
        }
        _ => {}
    }
    if let Some(backlog) = settings.count("backlog", 0)? {
        expansion.set("backlog", backlog, "`backlog`");
    }
    expansion.unmodelled.push(format!(
        "`pullBatchSize` = {}: pulls in batches; a message is seen when it arrives",
        settings.count("pullBatchSize", 1)?.unwrap_or(32)
    ));
    if major < 5 {
        expansion.unmodelled.push(
            "rebalancing every 20 s (`rocketmq.client.rebalance.waitInterval`): the group never changes".into(),
        );
    }
    Ok(())
}
