//! A model in message-queue words, one line per producer, queue and class.

use crate::model::{Admission, Arrivals, Limit, Model, Overflow, Queue, Redelivery};
use crate::results::CLOSED_LOOP;
use crate::text::number;

/// Describes a model: producers, queues (consumers, discipline, service,
/// capacity, load, routing) and classes.
pub fn describe_model(model: &Model) -> Vec<String> {
    let mut lines = Vec::new();
    for producer in &model.producers {
        if let Some(original) = producer.copy_of {
            let original = &model.producers[original];
            lines.push(format!(
                "consumer group {} also reads topic {}: every message of producer {}, on the same partition",
                model.queues[producer.queue].name,
                model.queues[original.queue].name,
                original.name
            ));
            continue;
        }
        let class = if model.has_classes() {
            format!(" (class {})", model.classes[producer.class].name)
        } else {
            String::new()
        };
        let how = match (&producer.arrivals, &producer.profile) {
            (Arrivals::Open { interarrival }, Some(profile)) => {
                let steps: Vec<String> = profile
                    .steps
                    .iter()
                    .map(|step| format!("{} until {}", number(step.value), step.until))
                    .collect();
                let repeats = if profile.repeats {
                    "repeating"
                } else {
                    "then silent"
                };
                format!(
                    "rate per {} following a profile: {} ({repeats}; mean {}), gaps shaped like {} (scv {}); no steady state, so theory is given per interval only",
                    model.time_unit,
                    steps.join(", "),
                    number(profile.mean_value()),
                    interarrival.describe(),
                    number(interarrival.scv())
                )
            }
            (Arrivals::Open { interarrival }, None) => format!(
                "interarrival {}, rate {} per {}",
                interarrival.describe(),
                number(1.0 / interarrival.mean()),
                model.time_unit
            ),
            (Arrivals::Closed { population, think }, _) => format!(
                "{CLOSED_LOOP} {population} clients, each awaiting its reply then thinking {}",
                think.describe()
            ),
        };
        lines.push(format!(
            "producer {} publishes to {}{class}: {how}",
            producer.name, model.queues[producer.queue].name,
        ));
    }
    let loads = model.loads().unwrap_or_default();
    for (index, queue) in model.queues.iter().enumerate() {
        let capacity = admission_words(model, queue);
        let routes: Vec<String> = queue
            .routes()
            .iter()
            .map(|r| {
                format!(
                    "{} to {}",
                    number(r.probability),
                    model.queues[r.queue].name
                )
            })
            .collect();
        let routing = if routes.is_empty() {
            "then messages leave".to_string()
        } else {
            format!("then {} (the rest leaves)", routes.join(", "))
        };
        let load = loads
            .get(index)
            .map_or_else(|| "?".to_string(), |l| number(*l));
        let consumers = match &queue.schedule {
            _ if queue.is_unlimited() => "unlimited".to_string(),
            Some(schedule) => {
                let steps: Vec<String> = schedule
                    .steps
                    .iter()
                    .map(|step| format!("{} until {}", step.value, step.until))
                    .collect();
                format!(
                    "scheduled ({}; at most {})",
                    steps.join(", "),
                    queue.consumers
                )
            }
            None => queue.consumers.to_string(),
        };
        let backlog = match queue.backlog {
            0 => String::new(),
            messages => format!(", {messages} messages waiting at the start"),
        };
        let retry = retry_words(model, queue);
        let outage = queue.outage().map_or_else(String::new, |outage| {
            format!(
                ", each consumer up for {} then down for {} (up {} of the time; a failure hands its messages back)",
                outage.up.describe(),
                outage.repair.describe(),
                number(outage.availability())
            )
        });
        lines.push(format!(
            "queue {}: {consumers} consumer(s), {} order, service {}, {capacity}, load {load}{backlog}{retry}{outage}; {routing}",
            queue.name,
            queue.discipline.name(),
            queue.service.describe(),
        ));
        lines.extend(describe_partitions(model, index));
    }
    if model.has_classes() {
        for class in &model.classes {
            let service = class
                .service
                .as_ref()
                .map_or_else(String::new, |s| format!(", service {}", s.describe()));
            lines.push(format!(
                "class {}: priority {}{service}",
                class.name, class.priority
            ));
        }
    }
    lines
}

/// A queue's admission in words: "unbounded", "capacity 10", or
/// "max_length 20 waiting (drop-head to dlq)".
fn admission_words(model: &Model, queue: &Queue) -> String {
    let Admission::Bounded { limit, overflow } = queue.admission else {
        return "unbounded".to_string();
    };
    let limit = match limit {
        Limit::InSystem(capacity) => format!("capacity {capacity}"),
        Limit::Waiting(length) => format!("max_length {length} waiting"),
    };
    match (overflow, queue.dead_letter()) {
        (Overflow::RejectNew, _) => limit,
        (overflow, None) => format!("{limit} ({})", overflow.name()),
        (overflow, Some(to)) => {
            format!("{limit} ({} to {})", overflow.name(), model.queues[to].name)
        }
    }
}

/// A partitioned queue's layout in words: which consumer owns which
/// partitions, at what load, the idle consumers and the hottest partition
/// (loads per thread when consumers have several).
fn describe_partitions(model: &Model, queue: usize) -> Option<String> {
    let spec = &model.queues[queue];
    let partitioning = spec.partitioning()?;
    let loads = model.partition_loads(queue)?;
    let consumer_loads = model.consumer_loads(queue)?;
    let owners = partitioning.owners(spec.consumers);
    let owned: Vec<String> = (0..partitioning.working_consumers(spec.consumers))
        .map(|consumer| {
            let partitions: Vec<String> = (0..partitioning.partitions)
                .filter(|&p| owners[p as usize] == consumer)
                .map(|p| p.to_string())
                .collect();
            format!(
                "consumer {consumer} owns {} (load {})",
                partitions.join(", "),
                number(consumer_loads[consumer as usize])
            )
        })
        .collect();
    let idle = match partitioning.idle_consumers(spec.consumers) {
        0 => "no consumer idle".to_string(),
        idle => format!("{idle} consumer(s) idle (beyond the partitions)"),
    };
    let (hottest, load) = loads
        .iter()
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |best, (p, &l)| {
            if l > best.1 { (p, l) } else { best }
        });
    // With threads, loads are per thread (a partition's over its
    // consumer's threads).
    let threads = match partitioning.threads {
        1 => String::new(),
        threads => format!(", {threads} threads per consumer (loads per thread)"),
    };
    Some(format!(
        "queue {}: {} partitions, {} assignor{threads}: {}; {idle}; hottest partition {hottest} at load {}",
        spec.name,
        partitioning.partitions,
        partitioning.assignor.name(),
        owned.join("; "),
        number(load / f64::from(partitioning.threads))
    ))
}

/// How `queue` retries failed deliveries, e.g. ", a delivery fails with
/// probability 0.2, retried after 10, 30, 60 ... (at most 16 retries), then
/// to dlq"; empty without retries.
fn retry_words(model: &Model, queue: &Queue) -> String {
    let Some(retry) = queue.retry() else {
        return String::new();
    };
    let how = match &retry.redelivery {
        Redelivery::Head => "requeued at the head".to_string(),
        Redelivery::After(delays) => {
            let shown = retry.max_retries.unwrap_or(4).min(4);
            let mut first: Vec<String> = (1..=shown).map(|k| number(delays.before(k))).collect();
            if retry.max_retries.is_none_or(|r| r > shown) {
                first.push("...".into());
            }
            format!("retried after {} {}", first.join(", "), model.time_unit)
        }
    };
    let limit = retry.max_retries.map_or_else(
        || "no limit".to_string(),
        |r| format!("at most {r} retries"),
    );
    let exhausted = queue.dead_letter().map_or_else(
        || "then dropped".to_string(),
        |q| format!("then to {}", model.queues[q].name),
    );
    format!(
        ", a delivery fails with probability {}, {how} ({limit}, {exhausted})",
        number(retry.p)
    )
}
