//! Spring Kafka's non-blocking retries (`@RetryableTopic`, the retry topic
//! pattern) on a Kafka topic, `retry_topics = { failure = 0.05, attempts =
//! 4, delay = 1000, multiplier = 5.0, maxDelay = 30000 }`: a record whose
//! processing fails is published to the next retry topic (`<topic>-retry-0`,
//! `-retry-1`, ...), whose own consumers process it once its back-off has
//! passed, and after its last attempt to the dead-letter topic
//! `<topic>-dlt`. The partition of a record not yet due is paused, and
//! every record of a retry topic waits the same delay, so records come due
//! in the order they arrived: a retry topic is a pure delay
//! (`<topic>-retry-<k>-backoff`, unlimited consumers, a deterministic
//! service) followed by a queue served by the retry container's
//! consumers. A failure is a route with probability `failure` to the next
//! topic, after the last attempt to the dead-letter topic, a queue served
//! by the same consumers (Spring's dead-letter handler).

use super::settings::Settings;
use super::{Expansion, Problem, from_millis};

/// Attempts of a record, the first included, when `attempts` is left out
/// (Spring Kafka's `RetryTopicConstants.DEFAULT_MAX_ATTEMPTS`).
const DEFAULT_ATTEMPTS: i64 = 3;

/// Most attempts queuelab expands (each retry topic is two queues).
const MOST_ATTEMPTS: i64 = 100;

/// The back-off before the first retry in ms when `delay` is left out
/// (spring-retry's `@Backoff`, `value` = 1000).
const DEFAULT_DELAY_MS: f64 = 1000.0;

/// The cap on growing back-offs in ms when `maxDelay` is left out or below
/// `delay` (spring-retry's `@Backoff`: 30000).
const DEFAULT_MAX_DELAY_MS: f64 = 30_000.0;

/// The queues of the retry topics of the topic in `expansion`, from its
/// `retry_topics` setting (none without it); routes the topic's failed
/// records to the first of them. Times in ms become `time_unit`.
pub(super) fn expand(
    settings: &Settings<'_>,
    time_unit: &str,
    expansion: &mut Expansion,
) -> Result<Vec<Expansion>, Problem> {
    let Some(value) = settings.value("retry_topics") else {
        return Ok(Vec::new());
    };
    let table = value.as_table().ok_or_else(|| {
        settings.problem(
            "retry_topics",
            format!(
                "must be a table such as {{ failure = 0.05, attempts = 4, delay = 1000, multiplier = 5.0, maxDelay = 30000 }}, got {value}"
            ),
        )
    })?;
    let key = format!("{}.retry_topics", settings.broker());
    let retry = Settings::new(&key, table);
    let chain = Chain::read(&retry, time_unit, expansion)?;
    retry.refuse_others("Spring Kafka retry topic")?;
    Ok(chain.expand(expansion))
}

/// A topic's retry chain, read from its `retry_topics` settings.
struct Chain {
    /// Probability that an attempt fails.
    failure: f64,
    /// Where `failure` came from.
    failure_from: String,
    /// The delay before each retry, in the file's time unit, with where it
    /// came from.
    delays: Vec<(f64, String)>,
    /// Consumers of each retry topic and of the dead-letter topic.
    concurrency: toml::Value,
    /// Where `concurrency` came from.
    concurrency_from: &'static str,
    /// The work of a record on the dead-letter topic.
    dlt_service: toml::Value,
    /// Where `dlt_service` came from.
    dlt_service_from: &'static str,
    /// The work of a record on a retry topic.
    service: toml::Value,
}

impl Chain {
    /// The chain `retry` describes for the topic of `expansion`, times in
    /// `time_unit`.
    fn read(retry: &Settings<'_>, time_unit: &str, expansion: &Expansion) -> Result<Self, Problem> {
        let failure = retry.number("failure", 0.0)?.ok_or_else(|| {
            retry.problem(
                "failure",
                "required: the share of attempts that fail, a number above 0 and at most 1",
            )
        })?;
        if failure == 0.0 || failure > 1.0 {
            return Err(retry.problem(
                "failure",
                format!(
                    "must be a number above 0 and at most 1 (with no failures the retry topics receive nothing: remove `retry_topics`), got {failure}"
                ),
            ));
        }
        let attempts = retry.count("attempts", 1)?;
        if let Some(attempts) = attempts.filter(|a| *a > MOST_ATTEMPTS) {
            return Err(retry.problem(
                "attempts",
                format!("must be from 1 to {MOST_ATTEMPTS}, got {attempts}"),
            ));
        }
        let (attempts, attempts_from) = match attempts {
            Some(attempts) => (attempts, "`attempts`".to_string()),
            None => (
                DEFAULT_ATTEMPTS,
                format!(
                    "default `attempts` = {DEFAULT_ATTEMPTS} (RetryTopicConstants.DEFAULT_MAX_ATTEMPTS)"
                ),
            ),
        };
        let delays = back_offs(retry, attempts - 1)?
            .into_iter()
            .map(|(millis, from)| {
                from_millis(retry, "delay", millis, time_unit).map(|delay| (delay, from))
            })
            .collect::<Result<Vec<_>, Problem>>()?;
        let (concurrency, concurrency_from) = match retry.count("concurrency", 1)? {
            Some(count) => (toml::Value::Integer(count), "`concurrency`"),
            None => (
                own(expansion, "consumers"),
                "default: the main container's concurrency (`consumers`)",
            ),
        };
        let service = own(expansion, "service");
        let (dlt_service, dlt_service_from) = match retry.dist("dlt_service")? {
            Some(work) => (work.clone(), "`dlt_service`"),
            None => (service.clone(), "default: the topic's `service`"),
        };
        Ok(Chain {
            failure,
            failure_from: format!(
                "`failure` = {failure}, {attempts_from}: {attempts} attempt(s) in all"
            ),
            delays,
            concurrency,
            concurrency_from,
            dlt_service,
            dlt_service_from,
            service,
        })
    }

    /// The queues of the chain after the topic of `expansion`, whose failed
    /// records it routes to the first.
    fn expand(self, expansion: &mut Expansion) -> Vec<Expansion> {
        let topic = expansion.name.clone();
        let dlt = format!("{topic}-dlt");
        let entry = |k: usize| {
            if k < self.delays.len() {
                format!("{topic}-retry-{k}-backoff")
            } else {
                dlt.clone()
            }
        };
        let last = self.delays.len();
        let mut queues = Vec::with_capacity(2 * last + 1);
        self.route_failures(expansion, &entry(0), last == 0);
        for (k, (delay, from)) in self.delays.iter().enumerate() {
            let name = format!("{topic}-retry-{k}");
            let mut backoff = Expansion::part_of(
                &entry(k),
                expansion,
                format!("retry topic \"{name}\": its back-off"),
            );
            backoff.keys[0].from = format!("records waiting out retry {}'s back-off", k + 1);
            backoff.set(
                "consumers",
                "unlimited",
                "the partition paused until a record is due: a pure delay",
            );
            let mut wait = toml::Table::new();
            wait.insert("dist".into(), "deterministic".into());
            wait.insert("value".into(), (*delay).into());
            backoff.set("service", wait, from.clone());
            backoff.set(
                "next",
                route(&name, 1.0),
                "due records to the retry topic's consumers",
            );
            let mut consumed =
                Expansion::part_of(&name, expansion, format!("retry topic \"{name}\""));
            consumed.keys[0].from = format!("attempt {} of each failed record", k + 2);
            self.consumers(&mut consumed, self.service.clone(), "the topic's `service`");
            self.route_failures(&mut consumed, &entry(k + 1), k + 1 == last);
            queues.push(backoff);
            queues.push(consumed);
        }
        let mut dead = Expansion::part_of(&dlt, expansion, "dead-letter topic".into());
        dead.keys[0].from = "records whose attempts all failed".into();
        self.consumers(&mut dead, self.dlt_service.clone(), self.dlt_service_from);
        queues.push(dead);
        queues
    }

    /// The consumers of a retry or dead-letter topic, doing `work`.
    fn consumers(&self, expansion: &mut Expansion, work: toml::Value, work_from: &str) {
        expansion.set("consumers", self.concurrency.clone(), self.concurrency_from);
        expansion.set("service", work, work_from);
    }

    /// Failed records of `expansion` go to `to`, the next retry topic or
    /// the dead-letter topic.
    fn route_failures(&self, expansion: &mut Expansion, to: &str, last: bool) {
        let whither = if last {
            "after the last attempt a failed record is published to the dead-letter topic (DeadLetterPublishingRecoverer)"
        } else {
            "a failed record is published to the next retry topic"
        };
        expansion.set(
            "next",
            route(to, self.failure),
            format!("{}; {whither}", self.failure_from),
        );
    }
}

/// The back-off before each of `retries` retries in ms, with where it came
/// from: spring-retry's `@Backoff` (`delay`; growing by `multiplier` when
/// it is above 0, capped at `maxDelay`).
fn back_offs(retry: &Settings<'_>, retries: i64) -> Result<Vec<(f64, String)>, Problem> {
    let delay = retry.number("delay", 0.0)?;
    let multiplier = retry.number("multiplier", 0.0)?;
    let max_delay = retry.number("maxDelay", 0.0)?;
    let base = delay.unwrap_or(DEFAULT_DELAY_MS);
    let delay_from = match delay {
        Some(_) => "`delay`".to_string(),
        None => format!("default `delay` = {DEFAULT_DELAY_MS} ms (@Backoff)"),
    };
    let Some(multiplier) = multiplier.filter(|m| *m > 0.0) else {
        if max_delay.is_some() {
            return Err(retry.problem(
                "maxDelay",
                "caps growing back-offs: give `multiplier` (above 0) too, or remove `maxDelay`",
            ));
        }
        return Ok((0..retries)
            .map(|_| (base, format!("{delay_from}, fixed")))
            .collect());
    };
    // spring-retry: a multiplier below 1 counts as 1, a cap below the
    // first delay as its default.
    let growth = multiplier.max(1.0);
    let (cap, cap_from) = match max_delay.filter(|max| *max >= base) {
        Some(max) => (max, "`maxDelay`".to_string()),
        None => (
            DEFAULT_MAX_DELAY_MS,
            format!("default `maxDelay` = {DEFAULT_MAX_DELAY_MS} ms (@Backoff)"),
        ),
    };
    Ok((0..retries)
        .map(|k| {
            let millis = base * growth.powi(k as i32);
            if millis >= cap {
                (cap, cap_from.clone())
            } else {
                (millis, format!("{delay_from} x `multiplier`^{k}"))
            }
        })
        .collect())
}

/// The value the topic's own queue got for `key`.
fn own(expansion: &Expansion, key: &str) -> toml::Value {
    expansion
        .keys
        .iter()
        .find(|d| d.key == key)
        .map(|d| d.value.clone())
        .expect("the topic's consumers and service are read first")
}

/// `next = [ { to, p } ]`.
fn route(to: &str, p: f64) -> toml::Value {
    let mut route = toml::Table::new();
    route.insert("to".into(), to.into());
    route.insert("p".into(), p.into());
    toml::Value::Array(vec![toml::Value::Table(route)])
}
