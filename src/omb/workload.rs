//! An OpenMessaging Benchmark workload file read as is: OMB's workloads
//! are flat YAML maps of scalars, so the file is parsed as YAML
//! (marked-yaml, which keeps each key's line) and anything but that shape
//! is refused, naming its line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use marked_yaml::{LoaderOptions, Node, parse_yaml_with_options};

/// The most subscriptions per topic an import accepts: each becomes a
/// consumer group (a queue) of the scenario.
pub const MAX_SUBSCRIPTIONS: u32 = 100;

/// OMB's key distributors (`keyDistributor`, `KeyDistributorType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyDistributor {
    /// `NO_KEY` (OMB's default): messages without keys.
    NoKey,
    /// `KEY_ROUND_ROBIN`: OMB's 10,000 random keys in turn.
    KeyRoundRobin,
    /// `RANDOM_NANO`: one of OMB's 10,000 random keys at random.
    RandomNano,
}

impl KeyDistributor {
    /// The distributors' names, as OMB spells them.
    pub const NAMES: [&'static str; 3] = ["NO_KEY", "KEY_ROUND_ROBIN", "RANDOM_NANO"];

    /// OMB's name for it.
    pub fn name(self) -> &'static str {
        match self {
            KeyDistributor::NoKey => Self::NAMES[0],
            KeyDistributor::KeyRoundRobin => Self::NAMES[1],
            KeyDistributor::RandomNano => Self::NAMES[2],
        }
    }
}

/// The keys of OMB's `Workload` class. Those marked "no effect" are
/// accepted because OMB's files carry them, but change nothing in a model
/// whose service time the user gives.
pub const KEYS: [&str; 16] = [
    "name",
    "topics",
    "partitionsPerTopic",
    "keyDistributor",
    "messageSize",
    "useRandomizedPayloads",
    "randomBytesRatio",
    "randomizedPayloadPoolSize",
    "payloadFile",
    "subscriptionsPerTopic",
    "producersPerTopic",
    "consumerPerSubscription",
    "producerRate",
    "consumerBacklogSizeGB",
    "backlogDrainRatio",
    "testDurationMinutes",
];

/// `warmupDurationMinutes` is OMB's too (kept apart so [`KEYS`] lists the
/// ones a workload file usually has first).
const MORE_KEYS: [&str; 1] = ["warmupDurationMinutes"];

/// A workload file that cannot be read as an OMB workload (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {message}", file.display(), line.map_or_else(String::new, |l| format!(":{l}")))]
pub struct WorkloadError {
    /// The workload file.
    pub file: PathBuf,
    /// The line at fault, when one is.
    pub line: Option<usize>,
    /// What is wrong and what is allowed.
    pub message: String,
}

/// A validated OMB workload.
#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    /// `name` (the file's stem when absent).
    pub name: String,
    /// `topics`.
    pub topics: u32,
    /// `partitionsPerTopic`.
    pub partitions_per_topic: u32,
    /// `keyDistributor` (default `NO_KEY`).
    pub key_distributor: KeyDistributor,
    /// `messageSize` in bytes (0 when absent).
    pub message_size: u64,
    /// `subscriptionsPerTopic` (1 when absent): consumer groups that each
    /// read every message of the topic.
    pub subscriptions_per_topic: u32,
    /// `producersPerTopic`.
    pub producers_per_topic: u32,
    /// `consumerPerSubscription`.
    pub consumers_per_subscription: u32,
    /// `producerRate`: messages per second over all producers and topics.
    pub producer_rate: f64,
    /// `testDurationMinutes`.
    pub test_duration_minutes: f64,
    /// `warmupDurationMinutes` (OMB's default 1).
    pub warmup_duration_minutes: f64,
}

impl Workload {
    /// Messages per second into one topic (the rate is over all topics).
    pub fn topic_rate(&self) -> f64 {
        self.producer_rate / f64::from(self.topics)
    }
}

/// Reads and validates the workload in `file`.
pub fn load(file: &Path) -> Result<Workload, WorkloadError> {
    let text = crate::input::read_text(file, crate::input::MAX_SCENARIO_BYTES).map_err(|e| {
        WorkloadError {
            file: file.to_path_buf(),
            line: None,
            message: format!("cannot read the OMB workload: {e}"),
        }
    })?;
    parse(file, &text)
}

/// Validates the workload `text` that came from `file`.
pub fn parse(file: &Path, text: &str) -> Result<Workload, WorkloadError> {
    let entries = entries(file, text)?;
    Fields { file, entries }.workload()
}

/// One `key: value` line: its value (unquoted) and line number.
type Entries = BTreeMap<String, (String, usize)>;

/// The top-level `key: value` pairs of `text`, a YAML mapping of scalars
/// as OMB writes them, refusing anything else.
fn entries(file: &Path, text: &str) -> Result<Entries, WorkloadError> {
    let fail = |line: Option<usize>, message: String| WorkloadError {
        file: file.to_path_buf(),
        line,
        message,
    };
    let options = LoaderOptions::default().error_on_duplicate_keys(true);
    let root = parse_yaml_with_options(0, text, options).map_err(|e| {
        fail(
            None,
            format!("not an OMB workload (a YAML map of `key: value` lines): {e}"),
        )
    })?;
    let Node::Mapping(mapping) = root else {
        return Err(fail(
            None,
            "an OMB workload is a YAML map of `key: value` lines".into(),
        ));
    };
    let mut entries = Entries::new();
    for (key, value) in mapping.iter() {
        let line = key.span().start().map_or(0, |marker| marker.line());
        let name = key.as_str();
        if !KEYS.contains(&name) && !MORE_KEYS.contains(&name) {
            return Err(fail(
                Some(line),
                format!(
                    "unknown key `{name}`; OMB workload keys are: {}",
                    KEYS.iter()
                        .chain(&MORE_KEYS)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let Some(scalar) = value.as_scalar() else {
            return Err(fail(
                Some(line),
                format!(
                    "key `{name}`: nested YAML (a list or a map) is not an OMB workload value; its keys are all top-level `key: value` lines"
                ),
            ));
        };
        entries.insert(name.to_string(), (scalar.as_str().to_string(), line));
    }
    Ok(entries)
}

/// The entries of one file, read key by key.
struct Fields<'a> {
    file: &'a Path,
    entries: Entries,
}

impl Fields<'_> {
    fn error(&self, key: &str, message: impl Into<String>) -> WorkloadError {
        WorkloadError {
            file: self.file.to_path_buf(),
            line: self.entries.get(key).map(|(_, line)| *line),
            message: format!("key `{key}`: {}", message.into()),
        }
    }

    /// A whole number >= `min`, `None` when absent.
    fn count(&self, key: &str, min: u64) -> Result<Option<u64>, WorkloadError> {
        let Some((value, _)) = self.entries.get(key) else {
            return Ok(None);
        };
        match value.replace('_', "").parse::<u64>() {
            Ok(n) if n >= min => Ok(Some(n)),
            _ => Err(self.error(key, format!("`{value}` is not a whole number >= {min}"))),
        }
    }

    /// A whole number >= 1 that fits 32 bits, required.
    fn required(&self, key: &str) -> Result<u32, WorkloadError> {
        self.count(key, 1)?
            .ok_or_else(|| self.error(key, "required: a whole number >= 1"))
            .and_then(|n| {
                u32::try_from(n).map_err(|_| self.error(key, format!("{n} is too large")))
            })
    }

    /// A number >= 0, `None` when absent.
    fn number(&self, key: &str) -> Result<Option<f64>, WorkloadError> {
        let Some((value, _)) = self.entries.get(key) else {
            return Ok(None);
        };
        match value.parse::<f64>() {
            Ok(x) if x.is_finite() && x >= 0.0 => Ok(Some(x)),
            _ => Err(self.error(key, format!("`{value}` is not a number >= 0"))),
        }
    }

    fn workload(&self) -> Result<Workload, WorkloadError> {
        let name = match self.entries.get("name") {
            Some((name, _)) if !name.trim().is_empty() => name.clone(),
            _ => self
                .file
                .file_stem()
                .map_or_else(|| "omb".into(), |s| s.to_string_lossy().into_owned()),
        };
        let key_distributor = match self.entries.get("keyDistributor").map(|(v, _)| v.as_str()) {
            None | Some("NO_KEY") => KeyDistributor::NoKey,
            Some("KEY_ROUND_ROBIN") => KeyDistributor::KeyRoundRobin,
            Some("RANDOM_NANO") => KeyDistributor::RandomNano,
            Some(other) => {
                return Err(self.error(
                    "keyDistributor",
                    format!(
                        "`{other}` is not one of {} (OMB has no Zipf keys)",
                        KeyDistributor::NAMES.join(", ")
                    ),
                ));
            }
        };
        let subscriptions = self.count("subscriptionsPerTopic", 1)?.unwrap_or(1);
        let subscriptions = u32::try_from(subscriptions)
            .ok()
            .filter(|&n| n <= MAX_SUBSCRIPTIONS)
            .ok_or_else(|| {
                self.error(
                    "subscriptionsPerTopic",
                    format!(
                        "{subscriptions} subscriptions: each is a consumer group the model runs; allowed: 1 to {MAX_SUBSCRIPTIONS}"
                    ),
                )
            })?;
        let rate = self
            .number("producerRate")?
            .ok_or_else(|| self.error("producerRate", "required: messages per second, > 0"))?;
        if rate == 0.0 {
            return Err(self.error(
                "producerRate",
                "0 asks OMB to search for the highest sustainable rate, which is not modelled; give a rate > 0 (messages per second over all producers)",
            ));
        }
        if self.number("consumerBacklogSizeGB")?.unwrap_or(0.0) > 0.0 {
            return Err(self.error(
                "consumerBacklogSizeGB",
                "a backlog built before the consumers start is not modelled for partitioned topics; allowed: 0",
            ));
        }
        // Accepted, no effect on the model (checked for shape only).
        self.count("randomizedPayloadPoolSize", 0)?;
        self.number("randomBytesRatio")?;
        self.number("backlogDrainRatio")?;
        if let Some((value, _)) = self.entries.get("useRandomizedPayloads")
            && !matches!(value.as_str(), "true" | "false")
        {
            return Err(self.error(
                "useRandomizedPayloads",
                format!("`{value}` is not true or false"),
            ));
        }
        Ok(Workload {
            name,
            topics: self.required("topics")?,
            partitions_per_topic: self.required("partitionsPerTopic")?,
            key_distributor,
            message_size: self.count("messageSize", 0)?.unwrap_or(0),
            subscriptions_per_topic: subscriptions,
            producers_per_topic: self.required("producersPerTopic")?,
            consumers_per_subscription: self.required("consumerPerSubscription")?,
            producer_rate: rate,
            test_duration_minutes: self
                .number("testDurationMinutes")?
                .ok_or_else(|| self.error("testDurationMinutes", "required: minutes > 0"))?,
            warmup_duration_minutes: self.number("warmupDurationMinutes")?.unwrap_or(1.0),
        })
    }
}
