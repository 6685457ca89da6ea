//! The `retry` key of a queue, turned into the model's retries: which of
//! `delays`, `backoff`, `levels` and `requeue` says how a failed message
//! is delivered again, and how many retries it gets.

use super::error::Problem;
use super::spec::{BackoffKind, RetrySpec};
use crate::model::{Backoff, Delays, ROCKETMQ_RETRIES, Redelivery};
use crate::text::Num;

/// The retries of queue `key` from `spec` in a model timed in `time_unit`:
/// the failure probability, the most retries (`None`: unlimited) and the
/// redelivery. The model's builder checks the probability, the delays (>= 0,
/// finite) and the discipline of a requeue at the head.
pub(super) fn retry(
    spec: &RetrySpec,
    key: &str,
    time_unit: &str,
) -> Result<(f64, Option<u32>, Redelivery), Problem> {
    let key = format!("{key}.retry");
    let given = [
        ("delays", spec.delays.is_some()),
        ("backoff", spec.backoff.is_some()),
        ("levels", spec.levels.is_some()),
        ("requeue", spec.requeue.is_some()),
    ];
    let named: Vec<&str> = given.iter().filter(|(_, g)| *g).map(|(n, _)| *n).collect();
    let max_retries = spec.max_retries;
    if named.is_empty() && max_retries == Some(0) {
        // No retry: every failed delivery is dead-lettered (or dropped) at
        // once (RabbitMQ's nack with requeue=false); nothing is redelivered.
        return Ok((spec.p, Some(0), Redelivery::Head));
    }
    if named.len() != 1 {
        return Err(Problem::new(
            key,
            format!(
                "give exactly one of `delays` (a list), `backoff`, `levels = \"rocketmq\"` or `requeue = \"head\"` (or none with `max_retries = 0`: every failed delivery dead-lettered at once){}",
                if named.is_empty() {
                    String::new()
                } else {
                    format!(", got {}", named.join(" and "))
                }
            ),
        ));
    }
    if let Some(delays) = &spec.delays {
        let retries = max_retries.unwrap_or(delays.len() as u32);
        if delays.len() != retries as usize {
            return Err(Problem::new(
                format!("{key}.delays"),
                format!(
                    "lists the delay before each retry, so it needs max_retries = {retries} values, got {}",
                    delays.len()
                ),
            ));
        }
        let delays = Delays {
            steps: delays.clone(),
            then: 0.0,
        };
        return Ok((spec.p, Some(retries), Redelivery::After(delays)));
    }
    if let Some(backoff) = &spec.backoff {
        let time = |value: f64, name: &str| {
            if value.is_finite() && value >= 0.0 {
                Ok(value)
            } else {
                Err(Problem::new(
                    format!("{key}.backoff.{name}"),
                    format!("must be a finite time >= 0, got {}", Num(value)),
                ))
            }
        };
        let base = time(backoff.base, "base")?;
        let max = backoff.max.map(|max| time(max, "max")).transpose()?;
        let kind = match backoff.kind {
            BackoffKind::Fixed => Backoff::Fixed,
            BackoffKind::Linear => Backoff::Linear,
            BackoffKind::Exponential => Backoff::Exponential,
        };
        let delays = Delays::backoff(kind, base, max, max_retries).ok_or_else(|| {
            Problem::new(
                format!("{key}.backoff"),
                "growing delays with unlimited retries grow without end: give `backoff.max` or `max_retries`",
            )
        })?;
        return Ok((spec.p, max_retries, Redelivery::After(delays)));
    }
    if let Some(levels) = &spec.levels {
        if levels != "rocketmq" {
            return Err(Problem::new(
                format!("{key}.levels"),
                format!("unknown ladder \"{levels}\"; allowed: \"rocketmq\""),
            ));
        }
        let delays = Delays::rocketmq(time_unit).ok_or_else(|| {
            Problem::new(
                format!("{key}.levels"),
                format!(
                    "the RocketMQ ladder is in seconds (10 s to 2 h), which needs a time_unit that converts: ns, us, ms, s, min or h, got \"{time_unit}\""
                ),
            )
        })?;
        let retries = max_retries.unwrap_or(ROCKETMQ_RETRIES);
        return Ok((spec.p, Some(retries), Redelivery::After(delays)));
    }
    match spec.requeue.as_deref() {
        Some("head") => Ok((spec.p, max_retries, Redelivery::Head)),
        other => Err(Problem::new(
            format!("{key}.requeue"),
            format!(
                "unknown requeue \"{}\"; allowed: \"head\" (use `delays`, `backoff` or `levels` for a delay)",
                other.unwrap_or_default()
            ),
        )),
    }
}
