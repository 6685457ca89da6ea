//! RocketMQ: a topic's queues read by a push-consumer group, consumed
//! concurrently (the default listener) or orderly. RocketMQ 4.x balances
//! queues over the group's instances (each serving its queues' messages
//! with its own threads, a partitioned queue with `threads`); 5.x push
//! consumers balance single messages, so every instance's threads share
//! one line. An orderly consumer retries a failed message in place: its
//! queue is suspended for `suspendCurrentQueueTimeMillis` and the message
//! consumed again (a blocking retry on the queue).

use super::settings::Settings;
use super::{Expansion, Problem, from_millis};

/// Retries of a failed concurrent delivery when `maxReconsumeTimes` is
/// -1, the default (DefaultMQPushConsumer; RocketMQ docs, consumer retry).
const DEFAULT_RETRIES: i64 = 16;

/// How long an orderly consumer suspends a queue whose message failed
/// before consuming it again, in ms: 1000 in 4.x
/// (DefaultMQPushConsumer.suspendCurrentQueueTimeMillis), 3000 in 5.x.
const fn default_suspend_millis(major: u32) -> f64 {
    if major >= 5 { 3000.0 } else { 1000.0 }
}

/// Expands a RocketMQ consumer group's `settings` (version `major`, times
/// in `time_unit`) into `expansion`.
pub(super) fn expand(
    settings: &Settings<'_>,
    major: u32,
    time_unit: &str,
    expansion: &mut Expansion,
) -> Result<(), Problem> {
    let instances = settings.count("consumers", 1)?.ok_or_else(|| {
        settings.problem(
            "consumers",
            "required: the consumer group's instances, a whole number >= 1",
        )
    })?;
    let service = settings.dist("service")?.ok_or_else(|| {
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
    let failure = settings.share("failure")?.filter(|p| *p > 0.0);
    let suspend = settings.number("suspendCurrentQueueTimeMillis", 0.0)?;
    if suspend.is_some() && !orderly {
        return Err(settings.problem(
            "suspendCurrentQueueTimeMillis",
            "only an orderly consumer suspends a queue to retry in place: set messageListener = \"orderly\", or remove it",
        ));
    }
    let retries = settings.count("maxReconsumeTimes", -1)?;
    match failure {
        Some(p) if orderly => {
            orderly_retry(settings, major, time_unit, (p, suspend, retries), expansion)?;
        }
        Some(_) if major < 5 && instances > 1 => {
            return Err(settings.problem(
                "failure",
                "4.x with several instances: a failed message goes through the %RETRY% topic's delay levels and comes back on a queue some instance holds; delayed retries over balanced queues are not modelled; use version 5.x (message-level balancing) or one instance",
            ));
        }
        Some(p) => {
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
        None => {}
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

/// An orderly consumer's retries in place: a failed message (share `p`)
/// suspends its queue for `suspend` ms (the version's default when `None`)
/// and is consumed again, up to `retries` times (`maxReconsumeTimes`; -1 or
/// `None`: 4.x's `Integer.MAX_VALUE`, unlimited, or 5.x's 16), then goes to
/// %DLQ%. Each queue has a consumer of its own, so the blocking retry
/// suspends only the failed message's queue.
fn orderly_retry(
    settings: &Settings<'_>,
    major: u32,
    time_unit: &str,
    (p, suspend, retries): (f64, Option<f64>, Option<i64>),
    expansion: &mut Expansion,
) -> Result<(), Problem> {
    let (millis, suspend_from) = match suspend {
        Some(millis) => (millis, "`suspendCurrentQueueTimeMillis`".to_string()),
        None => {
            let millis = default_suspend_millis(major);
            (
                millis,
                format!(
                    "default `suspendCurrentQueueTimeMillis` = {millis} ({})",
                    if major >= 5 {
                        "5.x"
                    } else {
                        "DefaultMQPushConsumer, 4.x"
                    }
                ),
            )
        }
    };
    let base = from_millis(settings, "suspendCurrentQueueTimeMillis", millis, time_unit)?;
    let mut retry = toml::Table::new();
    retry.insert("p".into(), p.into());
    let limit = match retries {
        Some(n) if n >= 0 => Some((n, "`maxReconsumeTimes`".to_string())),
        _ if major >= 5 => Some((
            DEFAULT_RETRIES,
            "default `maxReconsumeTimes` = -1: 16 retries (RocketMQ docs, consumer retry)".into(),
        )),
        _ => None,
    };
    let retries_from = match &limit {
        Some((n, from)) => {
            retry.insert("max_retries".into(), (*n).into());
            format!("{from}, then %DLQ%")
        }
        None => "default `maxReconsumeTimes` = -1: Integer.MAX_VALUE for orderly consumption (ConsumeMessageOrderlyService), unlimited: a message that always fails blocks its queue".into(),
    };
    let mut backoff = toml::Table::new();
    backoff.insert("kind".into(), "fixed".into());
    backoff.insert("base".into(), base.into());
    retry.insert("backoff".into(), backoff.into());
    expansion.set(
        "retry",
        retry,
        format!(
            "`failure` = {p}, `messageListener` = \"orderly\": the queue suspended for {suspend_from}, the message consumed again in place; {retries_from}"
        ),
    );
    Ok(())
}
