//! Semantic checks that turn a [`ScenarioSpec`] into a [`Model`] and run
//! settings; every problem names its key and what is allowed.

use std::collections::HashMap;
use std::path::Path;

use super::error::Problem;
use super::spec::{ConsumersSpec, DisciplineSpec, DistSpec, ScenarioSpec, WarmupSpec};
use crate::dist::{Dist, DistError};
use crate::model::metric::Threshold;
use crate::model::{
    Admission, Arrivals, Class, Consumption, Discipline, Dispatch, Exit, Expiry, Model, Producer,
    Queue, Route, UNLIMITED,
};
use crate::run::{Precision, RunConfig, RunLength, Warmup};
use crate::stats::BATCHES;
use crate::text::Num;

/// Messages measured per replication when the file gives neither
/// `customers` nor `horizon`.
pub const DEFAULT_CUSTOMERS: u64 = 100_000;

/// Cap on replications of a precision-driven run without `max_replications`.
pub const DEFAULT_MAX_REPLICATIONS: u32 = 200;

/// Builds the run settings from `[run]`.
pub fn run_config(spec: &ScenarioSpec) -> Result<RunConfig, Problem> {
    let run = &spec.run;
    if !(run.confidence > 0.0 && run.confidence < 1.0) {
        return Err(Problem::new(
            "run.confidence",
            format!(
                "must be between 0 and 1 (e.g. 0.95), got {}",
                Num(run.confidence)
            ),
        ));
    }
    let length = match (run.customers, run.horizon) {
        (Some(_), Some(_)) => {
            return Err(Problem::new(
                "run.horizon",
                "give either `customers` or `horizon`, not both",
            ));
        }
        (Some(0), None) => return Err(Problem::new("run.customers", "must be at least 1")),
        (Some(customers), None) => RunLength::Customers(customers),
        (None, Some(horizon)) if horizon.is_finite() && horizon > 0.0 => {
            RunLength::Horizon(horizon)
        }
        (None, Some(horizon)) => {
            return Err(Problem::new(
                "run.horizon",
                format!("must be a finite time > 0, got {}", Num(horizon)),
            ));
        }
        (None, None) => RunLength::Customers(DEFAULT_CUSTOMERS),
    };
    let precision = match (run.target_precision, run.max_replications) {
        (None, Some(_)) => {
            return Err(Problem::new(
                "run.max_replications",
                "only applies with `target_precision`",
            ));
        }
        (None, None) => None,
        (Some(target), _) if !(target > 0.0 && target < 1.0) => {
            return Err(Problem::new(
                "run.target_precision",
                format!(
                    "must be a relative half-width between 0 and 1 (e.g. 0.01), got {}",
                    Num(target)
                ),
            ));
        }
        (Some(target), cap) => {
            let max_replications = cap.unwrap_or(DEFAULT_MAX_REPLICATIONS);
            if max_replications < run.replications {
                return Err(Problem::new(
                    "run.max_replications",
                    format!(
                        "must be at least `replications` ({}), got {max_replications}",
                        run.replications
                    ),
                ));
            }
            Some(Precision {
                target,
                max_replications,
            })
        }
    };
    let warmup = match run.warmup {
        WarmupSpec::Count(count) => Warmup::Customers(count),
        WarmupSpec::Auto => Warmup::Auto,
    };
    Ok(RunConfig {
        seed: run.seed,
        replications: run.replications,
        length,
        warmup,
        confidence: run.confidence,
        precision,
    })
}

/// Checks `run.replications` against the rest of the run (`profiled`: some
/// producer follows a rate profile): at least 1; a single replication gets
/// its intervals from [`BATCHES`] batches of one long run, which needs a
/// steady state (no rate profile), a fixed number of replications (no
/// precision target) and a message per batch at least.
pub fn replications(run: &RunConfig, profiled: bool) -> Result<(), Problem> {
    let problem = |message: String| Err(Problem::new("run.replications", message));
    if run.replications == 0 {
        return problem(
            "must be at least 1 (1: one long run, intervals from batch means; 2 or more: independent replications)".into(),
        );
    }
    if run.replications > 1 {
        return Ok(());
    }
    if run.precision.is_some() {
        return problem(
            "1 means one long run with batch means, but `target_precision` adds replications in batches of `replications`: give at least 2, or remove `target_precision` and lengthen the run".into(),
        );
    }
    if profiled {
        return problem(
            "1 means one long run with batch means, which needs a steady state; a rate profile has none (each interval is estimated across replications): give at least 2".into(),
        );
    }
    if matches!(run.length, RunLength::Customers(customers) if customers < u64::from(BATCHES)) {
        return problem(format!(
            "1 means one long run cut into {BATCHES} batches: measure at least {BATCHES} `customers`, or give at least 2 replications"
        ));
    }
    Ok(())
}

/// Refuses a fixed warm-up that would discard every message: when every
/// producer replays a recorded trace, the run has only so many arrivals.
pub fn warmup_within_traces(run: &RunConfig, model: &Model) -> Result<(), Problem> {
    let Warmup::Customers(warmup) = run.warmup else {
        return Ok(());
    };
    let trace_lengths: Option<Vec<usize>> = model
        .producers
        .iter()
        .map(|producer| match &producer.arrivals {
            Arrivals::Open {
                interarrival: Dist::Sequence { values, .. },
            } => Some(values.len()),
            _ => None,
        })
        .collect();
    let Some(messages) = trace_lengths.map(|lengths| lengths.iter().sum::<usize>() as u64) else {
        return Ok(());
    };
    if warmup >= messages {
        return Err(Problem::new(
            "run.warmup",
            format!(
                "discards the first {warmup} arrivals, but every producer replays a trace and they hold {messages} messages in all, so nothing would be measured; give fewer (or \"auto\")"
            ),
        ));
    }
    Ok(())
}

/// Builds the model; `base_dir` resolves empirical sample and trace files.
pub fn model(spec: &ScenarioSpec, base_dir: &Path) -> Result<Model, Problem> {
    if spec.name.is_empty()
        || !spec
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        || spec.name.starts_with('.')
    {
        return Err(Problem::new(
            "name",
            format!(
                "must be a non-empty folder name of letters, digits, '-', '_' or '.', got \"{}\"",
                spec.name
            ),
        ));
    }
    let classes = classes(spec, base_dir)?;
    let class_index = index_by_name(classes.iter().map(|c| c.name.as_str()), "classes")?;
    let queue_index = index_by_name(spec.queues.iter().map(|q| q.name.as_str()), "queues")?;
    if spec.queues.is_empty() {
        return Err(Problem::new(
            "queues",
            "at least one [[queues]] entry is required",
        ));
    }
    if spec.producers.is_empty() {
        return Err(Problem::new(
            "producers",
            "at least one [[producers]] entry is required",
        ));
    }
    let queue_names = || {
        spec.queues
            .iter()
            .map(|q| q.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let lookup_queue = |key: String, name: &str| {
        queue_index.get(name).copied().ok_or_else(|| {
            Problem::new(
                key,
                format!("no queue named \"{name}\" (queues: {})", queue_names()),
            )
        })
    };

    index_by_name(spec.producers.iter().map(|p| p.name.as_str()), "producers")?;
    let mut producers = Vec::with_capacity(spec.producers.len());
    for producer in &spec.producers {
        let key = format!("producers.{}", producer.name);
        let class = match &producer.class {
            None if spec.classes.is_empty() => 0,
            None => {
                let known: Vec<_> = classes.iter().map(|c| c.name.as_str()).collect();
                return Err(Problem::new(
                    format!("{key}.class"),
                    format!(
                        "the scenario declares classes, so each producer needs `class` (one of: {})",
                        known.join(", ")
                    ),
                ));
            }
            Some(name) => *class_index.get(name.as_str()).ok_or_else(|| {
                let known: Vec<_> = classes.iter().map(|c| c.name.as_str()).collect();
                Problem::new(
                    format!("{key}.class"),
                    format!("no class named \"{name}\" (classes: {})", known.join(", ")),
                )
            })?,
        };
        let profile = super::profile::rate_profile(producer, &key)?;
        let interarrival = producer
            .interarrival
            .as_ref()
            .map(|spec| interarrival_dist(spec, &format!("{key}.interarrival"), base_dir))
            .transpose()?;
        let arrivals = match (interarrival, &producer.closed) {
            (interarrival, None) if profile.is_some() => Arrivals::Open {
                interarrival: super::profile::shape(interarrival, &key)?,
            },
            (Some(interarrival), None) => Arrivals::Open { interarrival },
            (None, Some(closed)) if closed.population == 0 => {
                return Err(Problem::new(
                    format!("{key}.closed"),
                    "population must be at least 1",
                ));
            }
            (None, Some(closed)) => Arrivals::Closed {
                population: closed.population,
                think: dist(&closed.think, &format!("{key}.closed.think"), base_dir)?,
            },
            _ => {
                return Err(Problem::new(
                    key.clone(),
                    "give exactly one of `interarrival` (an open stream) or `closed = { population, think }` (clients awaiting replies)",
                ));
            }
        };
        producers.push(Producer {
            name: producer.name.clone(),
            queue: lookup_queue(format!("{key}.to"), &producer.to)?,
            arrivals,
            class,
            profile,
        });
    }

    let mut queues = Vec::with_capacity(spec.queues.len());
    for queue in &spec.queues {
        let key = format!("queues.{}", queue.name);
        let schedule = super::profile::consumer_schedule(queue, &key)?;
        let consumers = match (queue.consumers, &schedule) {
            (Some(_), Some(_)) => {
                return Err(Problem::new(
                    format!("{key}.consumers_schedule"),
                    "give either `consumers` or `consumers_schedule`, not both",
                ));
            }
            (None, Some(schedule)) => super::profile::most_consumers(schedule),
            (None, None) => {
                return Err(Problem::new(
                    key.clone(),
                    "needs `consumers` (a whole number or \"unlimited\") or a `consumers_schedule`",
                ));
            }
            (Some(consumers), None) => consumers,
        };
        let consumers = match consumers {
            ConsumersSpec::Count(0) => {
                return Err(Problem::new(
                    format!("{key}.consumers"),
                    "must be at least 1, or \"unlimited\"",
                ));
            }
            ConsumersSpec::Count(count) => count,
            ConsumersSpec::Unlimited if queue.capacity.is_some() => {
                return Err(Problem::new(
                    format!("{key}.capacity"),
                    "a capacity needs a number of consumers, not \"unlimited\"",
                ));
            }
            ConsumersSpec::Unlimited => UNLIMITED,
        };
        if let Some(capacity) = queue.capacity
            && capacity < consumers
        {
            return Err(Problem::new(
                format!("{key}.capacity"),
                format!(
                    "counts messages in queue + in service, so it must be at least the {consumers} consumers, got {capacity}"
                ),
            ));
        }
        let mut routes = Vec::with_capacity(queue.next.len());
        for route in &queue.next {
            if !(0.0..=1.0).contains(&route.p) {
                return Err(Problem::new(
                    format!("{key}.next"),
                    format!(
                        "probability to \"{}\" must be in [0, 1], got {}",
                        route.to,
                        Num(route.p)
                    ),
                ));
            }
            routes.push(Route {
                queue: lookup_queue(format!("{key}.next"), &route.to)?,
                probability: route.p,
            });
        }
        let total: f64 = routes.iter().map(|r| r.probability).sum();
        if total > 1.0 + 1e-9 {
            return Err(Problem::new(
                format!("{key}.next"),
                format!(
                    "routing probabilities must sum to at most 1 (the rest leaves), got {}",
                    Num(total)
                ),
            ));
        }
        queues.push(Queue {
            name: queue.name.clone(),
            consumers,
            service: dist(&queue.service, &format!("{key}.service"), base_dir)?,
            discipline: match queue.discipline {
                DisciplineSpec::Fifo => Discipline::Fifo,
                DisciplineSpec::Lifo => Discipline::Lifo,
                DisciplineSpec::Priority => Discipline::Priority,
                DisciplineSpec::Random => Discipline::Random,
                DisciplineSpec::LifoPreemptive => Discipline::LifoPreemptive,
                DisciplineSpec::PriorityPreemptive => Discipline::PriorityPreemptive,
                DisciplineSpec::ProcessorSharing => Discipline::ProcessorSharing,
            },
            admission: Admission::with_capacity(queue.capacity),
            dispatch: Dispatch::SharedLine,
            consumption: Consumption::OneAtATime,
            schedule,
            exit: Exit {
                routes,
                expiry: match &queue.patience {
                    None if queue.dead_letter.is_some() => {
                        return Err(Problem::new(
                            format!("{key}.dead_letter"),
                            "messages only expire with a `patience`; set one or remove `dead_letter`",
                        ));
                    }
                    None => None,
                    Some(patience) => Some(Expiry {
                        patience: dist(patience, &format!("{key}.patience"), base_dir)?,
                        dead_letter: match &queue.dead_letter {
                            None => None,
                            Some(name) if *name == queue.name => {
                                return Err(Problem::new(
                                    format!("{key}.dead_letter"),
                                    "a queue cannot be its own dead-letter queue",
                                ));
                            }
                            Some(name) => Some(lookup_queue(format!("{key}.dead_letter"), name)?),
                        },
                    }),
                },
            },
        });
    }

    // Schedules repeat with the rate profiles (whose agreement with each
    // other, and with the schedules' period, `profile::adapt_run` checks).
    let repeats = producers
        .iter()
        .find_map(|p| p.profile.as_ref())
        .is_some_and(|profile| profile.repeats);
    for schedule in queues.iter_mut().filter_map(|q| q.schedule.as_mut()) {
        schedule.repeats = repeats;
    }
    let model = Model {
        name: spec.name.clone(),
        time_unit: spec.time_unit.clone(),
        producers,
        queues,
        classes,
        within: thresholds(&spec.compare.within)?,
    };
    if model.arrival_rate_bounds().is_none() {
        return Err(Problem::new(
            "queues",
            "the routing (`next`, `dead_letter`) never lets messages leave the system: some probabilities must sum below 1, and dead-letter queues must not lead back",
        ));
    }
    for (queue, reached) in model.queues.iter().zip(model.reachable_queues()) {
        if !reached {
            return Err(Problem::new(
                format!("queues.{}", queue.name),
                format!(
                    "queue \"{}\" receives no messages: point a producer (`to`) or a route (`next`) at it, or remove it",
                    queue.name
                ),
            ));
        }
    }
    Ok(model)
}

/// The declared classes, or one implicit `default` class.
/// `[compare] within`: distinct finite times >= 0, in increasing order (the
/// order of their metrics in every result).
fn thresholds(times: &[f64]) -> Result<Vec<Threshold>, Problem> {
    let mut thresholds: Vec<Threshold> = Vec::with_capacity(times.len());
    for &t in times {
        let Some(threshold) = Threshold::new(t) else {
            return Err(Problem::new(
                "compare.within",
                format!("each threshold must be a finite time >= 0, got {t}"),
            ));
        };
        if thresholds.contains(&threshold) {
            return Err(Problem::new(
                "compare.within",
                format!("threshold {t} is listed twice"),
            ));
        }
        thresholds.push(threshold);
    }
    thresholds.sort();
    Ok(thresholds)
}

fn classes(spec: &ScenarioSpec, base_dir: &Path) -> Result<Vec<Class>, Problem> {
    if spec.classes.is_empty() {
        return Ok(vec![Class {
            name: "default".to_string(),
            priority: 0,
            service: None,
        }]);
    }
    spec.classes
        .iter()
        .map(|class| {
            let service = class
                .service
                .as_ref()
                .map(|s| dist(s, &format!("classes.{}.service", class.name), base_dir))
                .transpose()?;
            Ok(Class {
                name: class.name.clone(),
                priority: class.priority,
                service,
            })
        })
        .collect()
}

/// Maps names to positions, refusing duplicates and empty names.
fn index_by_name<'a>(
    names: impl Iterator<Item = &'a str>,
    section: &str,
) -> Result<HashMap<&'a str, usize>, Problem> {
    let mut index = HashMap::new();
    for (position, name) in names.enumerate() {
        if name.is_empty() || name.contains('.') {
            return Err(Problem::new(
                format!("{section}.name"),
                format!("names must be non-empty and contain no '.', got \"{name}\""),
            ));
        }
        if index.insert(name, position).is_some() {
            return Err(Problem::new(
                format!("{section}.{name}"),
                format!("the name \"{name}\" is used twice in [[{section}]]"),
            ));
        }
    }
    Ok(index)
}

/// Converts a producer's `interarrival` spec, which may also be a `trace`
/// of recorded arrival timestamps, naming `key` in any error.
fn interarrival_dist(spec: &DistSpec, key: &str, base_dir: &Path) -> Result<Dist, Problem> {
    match spec {
        DistSpec::Trace { file, column } => checked(
            Dist::trace_from_csv(base_dir.join(file), column.as_deref()),
            key,
        ),
        other => dist(other, key, base_dir),
    }
}

/// Converts a distribution spec, naming `key` in any error.
fn dist(spec: &DistSpec, key: &str, base_dir: &Path) -> Result<Dist, Problem> {
    let problem = |message: String| Problem::new(key, message);
    let result = match spec {
        DistSpec::Exponential {
            rate: Some(rate),
            mean: None,
        } => Dist::exponential_rate(*rate),
        DistSpec::Exponential {
            rate: None,
            mean: Some(mean),
        } => Dist::exponential_mean(*mean),
        DistSpec::Exponential { .. } => {
            return Err(problem(
                "exponential needs exactly one of `rate` or `mean`".into(),
            ));
        }
        DistSpec::Deterministic { value } => Dist::deterministic(*value),
        DistSpec::Erlang { k, mean } => Dist::erlang(*k, *mean),
        DistSpec::Gamma { mean, scv } => Dist::gamma(*mean, *scv),
        DistSpec::Hyperexponential {
            mean: Some(mean),
            scv: Some(scv),
            probs: None,
            rates: None,
        } => Dist::hyperexponential_balanced(*mean, *scv),
        DistSpec::Hyperexponential {
            mean: None,
            scv: None,
            probs: Some(probs),
            rates: Some(rates),
        } => Dist::hyperexponential(probs, rates),
        DistSpec::Hyperexponential { .. } => {
            return Err(problem(
                "hyperexponential needs either `mean` and `scv`, or `probs` and `rates`".into(),
            ));
        }
        DistSpec::Lognormal { mean, scv } => Dist::lognormal(*mean, *scv),
        DistSpec::Uniform { low, high } => Dist::uniform(*low, *high),
        DistSpec::Weibull { shape, scale } => Dist::weibull(*shape, *scale),
        DistSpec::Pareto { shape, scale } => Dist::pareto(*shape, *scale),
        DistSpec::Empirical { file, column } => {
            Dist::empirical_from_csv(base_dir.join(file), column.as_deref())
        }
        DistSpec::Trace { .. } => {
            return Err(problem(
                "`trace` replays recorded arrival times, so it is only allowed as a producer's `interarrival`; use `empirical` (same `file` and `column`) to resample recorded values here".into(),
            ));
        }
    };
    checked(result, key)
}

/// A built distribution, or the problem at `key`: its error, or a mean that
/// is not finite and > 0.
fn checked(result: Result<Dist, DistError>, key: &str) -> Result<Dist, Problem> {
    let problem = |message: String| Problem::new(key, message);
    let dist = result.map_err(|e| problem(e.to_string()))?;
    let mean = dist.mean();
    if !(mean.is_finite() && mean > 0.0) {
        return Err(problem(format!(
            "{} has mean {}; queuelab needs a finite mean > 0 (for pareto: shape > 1)",
            dist.describe(),
            Num(mean)
        )));
    }
    if !mean.is_normal() || !(1.0 / mean).is_finite() {
        return Err(problem(format!(
            "{} has mean {}, too small for a 64-bit float to hold its rate (1/mean); choose a larger time unit",
            dist.describe(),
            Num(mean)
        )));
    }
    Ok(dist)
}
