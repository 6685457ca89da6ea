//! The live part of a point's report: per row and channel, the live table
//! beside theory, simulation and replay, the health and the relations.

use serde::Serialize;

use super::comparison::interval_text;
use super::document::{Block, Table};
use super::relations::relation_lines;
use crate::bench::{BrokerKind, GroupMeasures, Latency};
use crate::model::metric::Metric;
use crate::results::{LiveBlock, LiveVerdicts, PointResults, Row};
use crate::stats::Estimate;
use crate::text::{number, significant};

/// Column headers of a live table.
pub const LIVE_HEADERS: [&str; 7] = [
    "metric",
    "theory",
    "simulation [CI]",
    "replay [CI]",
    "live [CI]",
    "live - replay [CI]",
    "verdict",
];

/// Column headers of a short live table (means only).
const SHORT_HEADERS: [&str; 8] = [
    "metric",
    "theory",
    "simulation",
    "replay",
    "live",
    "live - replay",
    "vs replay",
    "vs theory",
];

/// Column headers of a live table: with intervals when `detail`.
pub fn headers(detail: bool) -> &'static [&'static str] {
    if detail {
        &LIVE_HEADERS
    } else {
        &SHORT_HEADERS
    }
}

/// One line per live metric of `block` that `chosen` accepts, beside the
/// row's theory and simulation values, under [`headers`]: with intervals
/// and the verdicts in words when `detail`, else means and a column per
/// verdict; times headed in `unit` (none when empty).
pub fn live_lines(
    row: &Row,
    block: &LiveBlock,
    detail: bool,
    chosen: &dyn Fn(&Metric) -> bool,
    unit: &str,
) -> Vec<Vec<String>> {
    let value = |interval: Option<&Estimate>| match (detail, interval) {
        (true, _) => interval_text(interval),
        (false, Some(interval)) => number(interval.mean),
        (false, None) => "-".to_string(),
    };
    block
        .metrics
        .iter()
        .filter(|(metric, _)| chosen(metric))
        .map(|(metric, live)| {
            // On a broker, theory with the measured transit D0 added (what
            // the verdict compares with; the heading says so).
            let transit = block
                .broker
                .as_ref()
                .and_then(|b| b.theory_with_transit.as_ref());
            let theory = match transit {
                Some(t) => Some((t.metrics.get(metric), t.exact)),
                None => row
                    .theory
                    .as_ref()
                    .map(|t| (t.metrics.get(metric), t.exact)),
            }
            .and_then(|(value, exact)| {
                let value = number(*value?);
                Some(if exact { value } else { format!("~{value}") })
            });
            let simulation = row.simulation.as_ref().and_then(|s| s.metrics.get(metric));
            let mut cells = vec![
                super::terminal::with_unit(*metric, unit),
                theory.unwrap_or_else(|| "-".to_string()),
                value(simulation),
                value(block.replay.metrics.get(metric)),
                value(Some(live)),
                value(block.overhead.get(metric)),
            ];
            let verdicts = block.verdicts.get(metric);
            if detail {
                cells.push(verdicts.map_or_else(String::new, verdict_words));
            } else {
                let replay = verdicts.map_or("-", |v| match v.vs_replay.as_str() {
                    "within overhead tolerance" => "ok",
                    "overhead above tolerance" => "OVERHEAD",
                    _ => "-",
                });
                let theory = verdicts.and_then(|v| v.vs_theory.as_deref());
                // `?`: the machine disturbed the run (its health line says
                // how); the verdict is not to be trusted.
                let doubt = if verdicts.is_some_and(|v| v.contaminated) {
                    "?"
                } else {
                    ""
                };
                cells.push(format!("{replay}{doubt}"));
                cells.push(format!("{}{doubt}", theory.unwrap_or("-")));
            }
            cells
        })
        .collect()
}

/// A live metric's verdicts in words.
fn verdict_words(verdicts: &LiveVerdicts) -> String {
    let mut words = vec![format!("replay: {}", verdicts.vs_replay)];
    if let Some(theory) = &verdicts.vs_theory {
        words.push(format!("theory: {theory}"));
    }
    if verdicts.contaminated {
        words.push("health warning".to_string());
    }
    words.join("; ")
}

/// The health of `block` in short: `health: ok`, or its warnings.
pub fn health_summary(block: &LiveBlock) -> String {
    let warnings = &block.health.warnings;
    if warnings.is_empty() {
        return "health: ok (the measurements in full: --detail)".to_string();
    }
    format!("health: WARNING: {}", warnings.join("; WARNING: "))
}

/// The health of `block` in one paragraph.
pub fn health_text(block: &LiveBlock) -> String {
    let h = &block.health;
    let us = |value: Option<f64>| value.map_or_else(|| "-".to_string(), |v| format!("{v:.1}"));
    let percent = |value: Option<f64>| {
        value.map_or_else(|| "-".to_string(), |v| format!("{:.0}%", v * 100.0))
    };
    let mut text = format!(
        "scheduling {}, waits {}; producer lag p50/p99 {}/{} µs; service overshoot mean/p99 {}/{} µs; consumer wake-up p50/p99 {}/{} µs; {} involuntary context switches; machine {} busy ({} by other processes); messages planned/sent/served {}/{}/{}",
        serde_name(&h.scheduling),
        serde_name(&h.wait_method),
        us(h.producer_lag_p50_us),
        us(h.producer_lag_p99_us),
        us(h.service_overshoot_mean_us),
        us(h.service_overshoot_p99_us),
        us(h.wakeup_latency_p50_us),
        us(h.wakeup_latency_p99_us),
        h.involuntary_context_switches,
        percent(h.machine_busy),
        percent(h.other_processes_busy),
        h.messages.planned,
        h.messages.sent,
        h.messages.served,
    );
    let queues: Vec<String> = h
        .queues
        .iter()
        .map(|q| {
            format!(
                "{} {}/{}/{}/{}",
                q.queue, q.arrived, q.rejected, q.served, q.forwarded
            )
        })
        .collect();
    text.push_str(&format!(
        "; visits arrived/rejected/served/forwarded: {}",
        queues.join(", ")
    ));
    for warning in &h.warnings {
        text.push_str(&format!("; WARNING: {warning}"));
    }
    text
}

/// A broker block's own measures in one paragraph (`None` for an
/// in-process channel): where it ran, its unloaded transit D0 (added to
/// the theory column) and its latencies under load, in µs.
pub fn broker_text(block: &LiveBlock) -> Option<String> {
    let b = block.broker.as_ref()?;
    let us = |value: Option<f64>| value.map_or_else(|| "-".to_string(), |v| format!("{v:.0}"));
    let latency = |l: &Latency| format!("{}/{}/{}", us(l.mean_us), us(l.p50_us), us(l.p99_us));
    let prefetch = match (b.broker, b.prefetch) {
        (BrokerKind::Kafka, _) => "a consumer group fetching ahead (no window)".to_string(),
        (_, 0) => "prefetch unlimited".to_string(),
        (_, p) => format!("prefetch {p}"),
    };
    let mut text = format!(
        "broker: {} at {}, queue `{}`, {prefetch}, {} consumers; unloaded transit D0 mean/p50/p99 {} µs ({} round trips with one message in flight)",
        b.broker.name(),
        b.url,
        b.queue,
        b.consumers,
        latency(&b.transit_unloaded),
        b.transit_unloaded.count,
    );
    if let Some(saturation) = &b.saturation {
        text.push_str(&format!(
            "; saturation rate {:.0} msg/s ({} delivered in {:.1} s to the consumers at zero service, before the run)",
            saturation.rate_per_second, saturation.delivered, saturation.seconds
        ));
    }
    if let Some(theory) = &b.theory_with_transit {
        text.push_str(&format!(
            "; the theory column is theory + D0 ({} time units added to waits and sojourns, λ·D0 to the mean counts)",
            number(theory.transit)
        ));
    }
    text.push_str(&format!(
        "; under load, mean/p50/p99 µs: publish to delivery {}, publish to confirm {}, service end to ack {}, ack to the next ready delivery {} (the broker's turnaround per service); redelivered {}",
        latency(&b.publish_to_delivery),
        latency(&b.publish_to_confirm),
        latency(&b.service_end_to_ack),
        latency(&b.ack_to_next_delivery),
        b.redelivered
    ));
    let served = block.health.messages.served;
    if b.redelivered > 0 && served > 0 {
        text.push_str(&format!(
            " ({} per message served)",
            significant(b.redelivered as f64 / served as f64, 4)
        ));
    }
    let losses = [b.refused, b.refused_dead_lettered, b.dropped, b.expired];
    text.push_str(&losses_clause(losses, block.health.messages.sent));
    if b.nacked > 0 {
        text.push_str(&format!(
            "; nacked with requeue {} (the failed deliveries)",
            b.nacked
        ));
    }
    if let Some(depth) = &b.depth {
        text.push_str(&format!(
            "; the broker's queue, sampled {} times: {:.2} ready messages on average (at most {})",
            depth.samples, depth.ready_mean, depth.ready_max,
        ));
        if let (Some(mean), Some(max)) = (depth.unacked_mean, depth.unacked_max) {
            text.push_str(&format!(
                ", {mean:.2} delivered and unacknowledged (at most {max})"
            ));
        }
        if let (Some(min), Some(max)) = (depth.consumers_min, depth.consumers_max) {
            text.push_str(&format!(", {min}-{max} consumers"));
        }
    }
    if let Some(group) = &b.group {
        text.push_str(&group_text(group));
    }
    if b.replay_turnaround > 0.0 && b.replay_delivery > 0.0 {
        text.push_str(&format!(
            "; the replay holds each consumer's window slot for the mean turnaround, {} time units: {} after each service (as the model's `ack` round trip), then {} for the next delivery's trip once it left the ready line (as the model's `delivery`; half of ack to the next delivery, the two legs taken as equal)",
            number(b.replay_turnaround),
            number(b.replay_turnaround - b.replay_delivery),
            number(b.replay_delivery)
        ));
    } else if b.replay_turnaround > 0.0 {
        text.push_str(&format!(
            "; the replay holds each consumer's window slot for the mean turnaround, {} time units, after each service (as the model's `ack` round trip)",
            number(b.replay_turnaround)
        ));
    } else if b.group.is_none() && b.ack_to_next_delivery.count > 0 {
        text.push_str(
            "; the replay holds no turnaround (a lease is modelled on a shared line only), so live − replay keeps it",
        );
    }
    if b.replay_ttl_start > 0.0 {
        text.push_str(&format!(
            "; a fixed TTL starts {} time units after each scheduled send in the replay, when the message reaches the queue (the producer's mean lag, then the publish's leg: half of publish to confirm)",
            number(b.replay_ttl_start)
        ));
    }
    Some(text)
}

/// The broker's losses (refused, of those dead-lettered, dropped, expired)
/// of `published` messages as a clause of the broker paragraph; empty
/// when it lost none.
fn losses_clause(losses: [u64; 4], published: usize) -> String {
    const KINDS: [&str; 4] = [
        "refused with a publisher nack",
        "of those dead-lettered",
        "dropped from the head into the dead-letter queue",
        "expired into the dead-letter queue",
    ];
    let named: Vec<String> = losses
        .iter()
        .zip(KINDS)
        .filter(|(count, _)| **count > 0)
        .map(|(count, kind)| format!("{kind} {count}"))
        .collect();
    if named.is_empty() {
        return String::new();
    }
    format!("; messages {}, of {published} published", named.join(", "))
}

/// A consumer group's figures as a clause of the broker paragraph:
/// messages per consumer, the idle consumers beside the model's, each
/// partition's messages and lag, and each join's pause and catch-up.
fn group_text(group: &GroupMeasures) -> String {
    let received: Vec<String> = group.received.iter().map(u64::to_string).collect();
    let partitions: Vec<String> = group
        .partitions
        .iter()
        .enumerate()
        .map(|(index, p)| format!("{index}: {}/{}/{:.2}", p.sent, p.delivered, p.lag_mean))
        .collect();
    let mut text = format!(
        "; consumer group: messages received per consumer {}; idle consumers (received none) {}, the model's {}; per partition sent/delivered/mean lag (messages published, not yet committed) {}",
        received.join(", "),
        group.idle_consumers,
        group.idle_consumers_model,
        partitions.join(", ")
    );
    for change in &group.changes {
        text.push_str(&format!(
            "; at {:.0} ms the group grew to {}: ",
            change.at_ms, change.consumers
        ));
        text.push_str(&match &change.pause {
            Some(pause) => {
                let partitions: Vec<String> = pause
                    .partition_pause_ms
                    .iter()
                    .map(|ms| format!("{ms:.0}"))
                    .collect();
                format!(
                    "each partition paused (held a message, delivered none) {} ms, mean {:.0} ms (the model's rebalance pause {:.0} ms), the first from {:.0} ms after it; the whole group received nothing for at most {:.0} ms; a backlog of {} messages caught up within {:.0} ms",
                    partitions.join("/"),
                    pause.pause_mean_ms,
                    change.pause_model_ms,
                    pause.paused_after_ms,
                    pause.group_pause_ms,
                    pause.backlog,
                    pause.catch_up_ms
                )
            }
            None => format!(
                "no delivery after it (the model's rebalance pause {:.0} ms)",
                change.pause_model_ms
            ),
        });
    }
    text
}

/// The name a value serialises to, e.g. `real-time`.
fn serde_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// The live part of a point's report (nothing without live results): per
/// row and channel, the table beside theory, simulation and replay, the
/// health and the relations on the live run.
pub fn live_blocks(point: &PointResults) -> Vec<Block<'static>> {
    let mut blocks = Vec::new();
    for row in &point.results {
        for block in row.live.iter().flatten() {
            blocks.push(Block::Heading(
                3,
                format!(
                    "Live: {} on `{}` ({} ms per time unit, {} s measured after {} s warm-up, {} batches)",
                    row.label(),
                    block.channel.name(),
                    block.settings.time_scale_ms,
                    block.settings.seconds,
                    block.settings.warmup_seconds,
                    block.settings.batches,
                ),
            ));
            blocks.push(Block::Table(Table::new(
                &LIVE_HEADERS,
                live_lines(row, block, true, &|_| true, ""),
            )));
            if let Some(broker) = broker_text(block) {
                blocks.push(Block::Paragraph(format!("{broker}.")));
            }
            blocks.push(Block::Paragraph(format!("Health: {}.", health_text(block))));
            if !block.relations.is_empty() {
                blocks.push(Block::Paragraph("Relations on the live run:".into()));
                blocks.push(Block::List(relation_lines(&block.relations)));
            }
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::{ChangeMeasures, PartitionMeasures, PauseMeasures};

    #[test]
    fn the_losses_clause_names_each_loss_the_broker_counted() {
        assert_eq!(losses_clause([0; 4], 100), "");
        assert_eq!(
            losses_clause([12, 12, 0, 0], 100),
            "; messages refused with a publisher nack 12, of those dead-lettered 12, of 100 published"
        );
        assert_eq!(
            losses_clause([0, 0, 0, 7], 50),
            "; messages expired into the dead-letter queue 7, of 50 published"
        );
    }

    #[test]
    fn the_group_clause_sets_idle_consumers_and_each_pause_beside_the_model() {
        let partition = PartitionMeasures {
            sent: 10,
            delivered: 10,
            lag_mean: 0.25,
        };
        let group = GroupMeasures {
            received: vec![10, 0],
            idle_consumers: 1,
            idle_consumers_model: 1,
            partitions: vec![partition],
            changes: vec![ChangeMeasures {
                at_ms: 4000.0,
                consumers: 2,
                pause_model_ms: 3000.0,
                pause: Some(PauseMeasures {
                    partition_pause_ms: vec![3500.0, 0.0],
                    pause_mean_ms: 1750.0,
                    paused_after_ms: 1200.0,
                    group_pause_ms: 120.0,
                    backlog: 420,
                    catch_up_ms: 2100.0,
                }),
            }],
        };
        let text = group_text(&group);
        assert!(
            text.contains("messages received per consumer 10, 0"),
            "{text}"
        );
        assert!(text.contains("idle consumers (received none) 1, the model's 1"));
        assert!(text.contains("0: 10/10/0.25"));
        assert!(text.contains(
            "at 4000 ms the group grew to 2: each partition paused (held a message, delivered none) 3500/0 ms, mean 1750 ms (the model's rebalance pause 3000 ms), the first from 1200 ms after it; the whole group received nothing for at most 120 ms; a backlog of 420 messages caught up within 2100 ms"
        ));
    }
}
