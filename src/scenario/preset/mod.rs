//! Broker presets: `[[brokers]]` entries written with a broker's own
//! setting names (`prefetch`, `x-max-length`, `partitions`, ...) and its
//! version's defaults, expanded into the queue behaviours queuelab models.
//! A preset is a translation, nothing more: the expanded `[[queues]]` entry
//! is validated and simulated like one written by hand, and
//! `queuelab expand FILE` prints it with where every key came from.
//!
//! One file per broker kind says which settings it reads, their defaults
//! per version (each citing the broker document it comes from) and what
//! each becomes.

mod kafka;
mod rabbitmq;
mod render;
mod retry_topics;
mod rocketmq;
mod settings;

use serde::Deserialize;

use super::Problem;
use super::spec::QueueSpec;
pub use render::expanded_text;
use settings::Settings;

/// `[[brokers]]`: a broker's queue or topic and its consumers, configured
/// with the broker's own setting names.
#[derive(Debug, Deserialize)]
pub struct BrokerSpec {
    /// Unique name; the expanded queue's name (producers send `to` it).
    pub name: String,
    /// Which broker.
    pub kind: BrokerKind,
    /// The broker version whose defaults apply, e.g. `"3.10"`.
    pub version: String,
    /// Every other key: the broker's settings, read by [`BrokerKind`]'s
    /// preset.
    #[serde(flatten)]
    pub settings: toml::Table,
}

/// The brokers queuelab has presets for.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum BrokerKind {
    /// RabbitMQ: a queue read by competing consumers.
    Rabbitmq,
    /// Kafka: a topic's partitions read by one consumer group.
    Kafka,
    /// RocketMQ: a topic's queues read by one push-consumer group.
    Rocketmq,
}

impl BrokerKind {
    /// The broker's name as its users write it.
    pub fn title(self) -> &'static str {
        match self {
            BrokerKind::Rabbitmq => "RabbitMQ",
            BrokerKind::Kafka => "Kafka",
            BrokerKind::Rocketmq => "RocketMQ",
        }
    }

    /// The major versions with presets, as `(major, example)`.
    fn versions(self) -> &'static [(u32, &'static str)] {
        match self {
            BrokerKind::Rabbitmq => &[(3, "3.10"), (4, "4.1")],
            BrokerKind::Kafka => &[(3, "3.9"), (4, "4.0")],
            BrokerKind::Rocketmq => &[(4, "4.9"), (5, "5.3")],
        }
    }
}

/// What one `[[brokers]]` entry became.
#[derive(Clone, Debug, PartialEq)]
pub struct Expansion {
    /// The broker's name, and its queue's (for another consumer group of a
    /// Kafka topic, the group's `group.id`; for a retry topic, its name).
    pub name: String,
    /// For a further queue of a broker (another consumer group of a Kafka
    /// topic, a retry topic): which broker, and what the queue is to it.
    pub part: Option<Part>,
    /// The broker and version whose defaults apply, e.g. "RabbitMQ 3.10".
    pub label: String,
    /// The queue's keys in order, each with where it came from.
    pub keys: Vec<Derived>,
    /// Settings (given or defaulted) the model does not capture, each with
    /// its value and why.
    pub unmodelled: Vec<String>,
}

/// What a further queue of a broker is to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// The broker's name.
    pub broker: String,
    /// What the queue is, e.g. `group "audit"`.
    pub role: String,
}

/// One key of an expanded queue.
#[derive(Clone, Debug, PartialEq)]
pub struct Derived {
    /// The queue key, e.g. `consumers`.
    pub key: &'static str,
    /// Its value.
    pub value: toml::Value,
    /// The setting or default it came from, e.g. "`prefetch` = 10".
    pub from: String,
}

impl Expansion {
    fn new(name: &str, label: String) -> Self {
        Expansion {
            name: name.to_string(),
            part: None,
            label,
            keys: vec![Derived {
                key: "name",
                value: toml::Value::String(name.to_string()),
                from: "`name`".into(),
            }],
            unmodelled: Vec::new(),
        }
    }

    /// A further queue of the broker `broker`, which is `role` to it.
    fn part_of(name: &str, broker: &Expansion, role: String) -> Self {
        let mut part = Expansion::new(name, broker.label.clone());
        part.part = Some(Part {
            broker: broker.name.clone(),
            role,
        });
        part
    }

    /// Sets queue key `key` to `value`, which came `from` a setting.
    fn set(&mut self, key: &'static str, value: impl Into<toml::Value>, from: impl Into<String>) {
        self.keys.push(Derived {
            key,
            value: value.into(),
            from: from.into(),
        });
    }

    /// The `[[queues]]` entry, as if written by hand.
    fn queue_spec(&self) -> Result<QueueSpec, Problem> {
        let table: toml::Table = self
            .keys
            .iter()
            .map(|d| (d.key.to_string(), d.value.clone()))
            .collect();
        toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| {
                Problem::new(
                    format!("brokers.{}", self.name),
                    format!("as expanded into a queue: {}", e.message()),
                )
            })
    }
}

/// The expansion of every broker of a file whose times are in `time_unit`:
/// one per broker, each followed by those of its Kafka topic's other
/// consumer groups.
pub fn expand(brokers: &[BrokerSpec], time_unit: &str) -> Result<Vec<Expansion>, Problem> {
    let mut expansions = Vec::with_capacity(brokers.len());
    for broker in brokers {
        let major = major_version(broker)?;
        let settings = Settings::new(&broker.name, &broker.settings);
        let label = format!("{} {}", broker.kind.title(), broker.version);
        let mut expansion = Expansion::new(&broker.name, label);
        let groups = match broker.kind {
            BrokerKind::Rabbitmq => {
                rabbitmq::expand(&settings, major, time_unit, &mut expansion)?;
                Vec::new()
            }
            BrokerKind::Kafka => kafka::expand(&settings, major, time_unit, &mut expansion)?,
            BrokerKind::Rocketmq => {
                rocketmq::expand(&settings, major, time_unit, &mut expansion)?;
                Vec::new()
            }
        };
        settings.refuse_others(broker.kind.title())?;
        expansions.push(expansion);
        expansions.extend(groups);
    }
    Ok(expansions)
}

/// The `[[queues]]` entries the brokers expand into, each checked as a
/// queue written by hand would be, with errors named by the broker.
pub fn queue_specs(brokers: &[BrokerSpec], time_unit: &str) -> Result<Vec<QueueSpec>, Problem> {
    expand(brokers, time_unit)?
        .iter()
        .map(Expansion::queue_spec)
        .collect()
}

/// The major version of `broker.version` (one to three whole numbers
/// joined by dots), if the kind has a preset for it.
fn major_version(broker: &BrokerSpec) -> Result<u32, Problem> {
    let versions = broker.kind.versions();
    let parts: Option<Vec<u32>> = broker
        .version
        .split('.')
        .map(|part| {
            part.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| part.parse().ok())
                .flatten()
        })
        .collect();
    let major = parts
        .filter(|parts| parts.len() <= 3)
        .and_then(|parts| parts.first().copied());
    match major {
        Some(major) if versions.iter().any(|(m, _)| *m == major) => Ok(major),
        _ => {
            let allowed: Vec<String> = versions
                .iter()
                .map(|(m, example)| format!("{m}.x (e.g. \"{example}\")"))
                .collect();
            Err(Problem::new(
                format!("brokers.{}.version", broker.name),
                format!(
                    "{} versions with presets: {}; got \"{}\"",
                    broker.kind.title(),
                    allowed.join(", "),
                    broker.version
                ),
            ))
        }
    }
}

/// A time in milliseconds (a broker setting) in the file's `time_unit`.
fn from_millis(
    settings: &Settings<'_>,
    setting: &str,
    millis: f64,
    time_unit: &str,
) -> Result<f64, Problem> {
    let seconds = crate::units::seconds_per(time_unit).ok_or_else(|| {
        settings.problem(
            setting,
            format!(
                "is in milliseconds, but the file's time_unit \"{time_unit}\" does not convert; use one of ns, us, ms, s, min, h"
            ),
        )
    })?;
    Ok(millis * 1e-3 / seconds)
}
