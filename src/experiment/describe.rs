//! A model in message-queue words, one line per producer, queue and class.

use crate::model::{Arrivals, Model, Queue, Redelivery};
use crate::results::CLOSED_LOOP;
use crate::text::number;

/// Describes a model: producers, queues (consumers, discipline, service,
/// capacity, load, routing) and classes.
pub fn describe_model(model: &Model) -> Vec<String> {
    let mut lines = Vec::new();
    for producer in &model.producers {
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
        let capacity = queue
            .capacity()
            .map_or_else(|| "unbounded".to_string(), |c| format!("capacity {c}"));
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
        lines.push(format!(
            "queue {}: {consumers} consumer(s), {} order, service {}, {capacity}, load {load}{backlog}{retry}; {routing}",
            queue.name,
            queue.discipline.name(),
            queue.service.describe(),
        ));
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
    let exhausted = retry.dead_letter.map_or_else(
        || "then dropped".to_string(),
        |q| format!("then to {}", model.queues[q].name),
    );
    format!(
        ", a delivery fails with probability {}, {how} ({limit}, {exhausted})",
        number(retry.p)
    )
}
