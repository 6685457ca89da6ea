//! Chart text in words: a swept parameter as a reader says it (with its
//! unit on an axis), not as the scenario's dotted key, and a metric as its
//! axis names it.

use super::build::axis_label;
use crate::model::metric::Metric;

/// Axis text of a swept parameter, with its unit where it has one:
/// `queues.payments.consumers` reads "consumers of payments",
/// `producers.shop.interarrival.rate` "arrival rate of shop (per ms)".
pub fn parameter_axis(parameter: &str, time_unit: &str) -> String {
    if parameter == "load" {
        return "offered load of the busiest queue".into();
    }
    let segments: Vec<&str> = parameter.split('.').collect();
    let (owner, rest) = match segments.as_slice() {
        ["queues", "*", rest @ ..] if !rest.is_empty() => ("every queue".to_string(), rest),
        ["queues" | "producers", name, rest @ ..] if !rest.is_empty() => (name.to_string(), rest),
        ["classes", name, rest @ ..] if !rest.is_empty() => (format!("class {name}"), rest),
        _ => return parameter.to_string(),
    };
    // `closed.think.mean` is the think time of a closed producer.
    let rest = match rest {
        ["closed", inner @ ..] if !inner.is_empty() => inner,
        _ => rest,
    };
    let quantity = |name: &str| match name {
        "service" => "service time".to_string(),
        "interarrival" => "time between arrivals".to_string(),
        "think" => "think time".to_string(),
        other => other.replace('_', " "),
    };
    match rest {
        ["consumers"] => format!("consumers of {owner}"),
        ["capacity"] => format!("capacity of {owner} (messages)"),
        ["population"] => format!("clients of {owner}"),
        ["interarrival", "rate"] => format!("arrival rate of {owner} (per {time_unit})"),
        [what, "rate"] => format!(
            "{} rate of {owner} (per {time_unit})",
            what.replace('_', " ")
        ),
        [what, "mean" | "value"] => format!("mean {} of {owner} ({time_unit})", quantity(what)),
        [what, "scv"] => format!("{} variability (SCV) of {owner}", quantity(what)),
        _ => {
            let words: Vec<String> = rest.iter().map(|s| s.replace('_', " ")).collect();
            format!("{} of {owner}", words.join(" "))
        }
    }
}

/// A swept parameter in words for a title (no unit).
pub fn parameter_words(parameter: &str) -> String {
    if parameter == "load" {
        return "load".into();
    }
    without_unit(&parameter_axis(parameter, PLACEHOLDER))
}

/// A metric in words for a title: its axis text without the unit.
pub fn metric_words(metric: Metric) -> String {
    without_unit(&axis_label(metric, PLACEHOLDER))
}

/// Stands for the time unit in text whose unit is then dropped.
const PLACEHOLDER: &str = "time unit";

/// `text` without a trailing unit in parentheses (a time unit, or
/// messages).
fn without_unit(text: &str) -> String {
    [" (time unit)", " (per time unit)", " (messages)"]
        .iter()
        .find_map(|unit| text.strip_suffix(unit))
        .unwrap_or(text)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_keys_read_as_words() {
        let cases = [
            ("load", "offered load of the busiest queue"),
            ("queues.payments.consumers", "consumers of payments"),
            ("queues.inbox.capacity", "capacity of inbox (messages)"),
            ("producers.clients.closed.population", "clients of clients"),
            (
                "producers.shop.interarrival.rate",
                "arrival rate of shop (per ms)",
            ),
            ("queues.q.service.mean", "mean service time of q (ms)"),
            (
                "queues.q.service.scv",
                "service time variability (SCV) of q",
            ),
            ("queues.q.discipline", "discipline of q"),
            ("queues.*.consumers", "consumers of every queue"),
            ("classes.urgent.weight", "weight of class urgent"),
            ("odd", "odd"),
        ];
        for (key, words) in cases {
            assert_eq!(parameter_axis(key, "ms"), words, "{key}");
        }
        assert_eq!(
            parameter_words("producers.shop.interarrival.rate"),
            "arrival rate of shop"
        );
        assert_eq!(metric_words(Metric::MeanWait), "mean wait");
        assert_eq!(metric_words(Metric::WaitP99), "wait p99");
        assert_eq!(metric_words(Metric::Throughput), "messages per time unit");
        assert_eq!(
            parameter_words("queues.inbox.capacity"),
            "capacity of inbox"
        );
    }
}
