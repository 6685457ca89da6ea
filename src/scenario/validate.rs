//! Semantic checks that turn a [`ScenarioSpec`] into a [`Model`] and run
//! settings; every problem names its key and what is allowed.

use std::path::Path;

use super::error::Problem;
use super::spec::{
    AssignorSpec, ConsumersSpec, DistSpec, GroupChangeSpec, KeyDistributionSpec, KeysSpec,
    MtbfSpec, ProducerSpec, QueueSpec, RebalanceProtocolSpec, ScenarioSpec, TimeSpec, WarmupSpec,
};
use crate::dist::{Dist, DistError};
use crate::model::{
    Arrivals, Assignor, Class, DEFAULT_FETCH_WAIT_MS, DEFAULT_MAX_POLL_RECORDS,
    DEFAULT_REBALANCE_MS, GroupChange, GroupChanges, KeyDistribution, Keys, Model, Poll,
    PollTimeout, ProducerBuilder, QueueBuilder, RebalanceProtocol, UNLIMITED,
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

/// Checks `run.replications` against the rest of the run and the models
/// of every sweep point: at least 1; a single replication gets its intervals from [`BATCHES`]
/// batches of one long run, which needs a steady state (no rate profile),
/// one value per replication measured once (no backlog's drain time), a
/// fixed number of replications (no precision target) and a message per
/// batch at least.
pub fn replications<'a>(
    run: &RunConfig,
    models: impl IntoIterator<Item = &'a Model>,
) -> Result<(), Problem> {
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
    let (mut profiled, mut backlogged) = (false, false);
    for model in models {
        profiled |= model.has_intervals();
        backlogged |= model.queues.iter().any(|q| q.backlog > 0);
    }
    if profiled {
        return problem(
            "1 means one long run with batch means, which needs a steady state; a rate profile (or `report_every`) reports each interval, estimated across replications: give at least 2".into(),
        );
    }
    if backlogged {
        return problem(
            "1 means one long run with batch means, but a `backlog` drains once per run (its drain time is estimated across replications): give at least 2".into(),
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

/// Builds the model through [`Model::builder`] (which checks names,
/// references, consumers, capacities, routing and flow); here only what is
/// particular to the file: distributions, profiles and schedules from their
/// keys, and keys that exclude each other. `base_dir` resolves empirical
/// sample and trace files.
pub fn model(spec: &ScenarioSpec, base_dir: &Path) -> Result<Model, Problem> {
    if spec.queues.is_empty() && spec.brokers.is_empty() {
        return Err(Problem::new(
            "queues",
            "at least one [[queues]] or [[brokers]] entry is required",
        ));
    }
    let mut model = Model::builder(&spec.name)
        .time_unit(&spec.time_unit)
        .within(spec.compare.within.iter().copied());
    if let Some(interval) = spec.run.report_every {
        model = model.report_every(interval);
    }
    for class in &spec.classes {
        let mut built = Class::new(&class.name).priority(class.priority);
        if let Some(service) = &class.service {
            built = built.service(dist(
                service,
                &format!("classes.{}.service", class.name),
                base_dir,
            )?);
        }
        model = model.class(built);
    }
    for producer in &spec.producers {
        model = model.producer(producer_builder(producer, base_dir)?);
    }
    let expanded = super::preset::queue_specs(&spec.brokers, &spec.time_unit)?;
    // A consumer group on a topic reads the topic's partitions.
    let partitions_of = |name: &str| {
        let topic = spec.queues.iter().chain(&expanded).find(|q| q.name == name);
        topic.and_then(|q| q.partitions)
    };
    let topic_partitions = |queue: &QueueSpec| queue.topic.as_deref().and_then(partitions_of);
    for queue in &spec.queues {
        let built = queue_builder(queue, topic_partitions(queue), base_dir, &spec.time_unit)?;
        model = model.queue(built);
    }
    for queue in &expanded {
        let built = queue_builder(queue, topic_partitions(queue), base_dir, &spec.time_unit)
            .map_err(|p| from_broker(queue, p))?;
        model = model.queue(built);
    }
    model.build().map_err(|e| {
        let problem = Problem::new(e.key, e.message);
        match expanded
            .iter()
            .find(|q| problem.key.starts_with(&format!("queues.{}.", q.name)))
        {
            Some(queue) => from_broker(queue, problem),
            None => problem,
        }
    })
}

/// A problem with `queue`, which a broker expanded into, named by the
/// broker (whose settings the file holds; for another consumer group of a
/// Kafka topic, `<topic>.groups.<group>`) and the queue key it set.
fn from_broker(queue: &QueueSpec, problem: Problem) -> Problem {
    let broker = match &queue.topic {
        Some(topic) => format!("{topic}.groups.{}", queue.name),
        None => queue.name.clone(),
    };
    let queue_key = problem
        .key
        .strip_prefix(&format!("queues.{}.", queue.name))
        .unwrap_or(&problem.key);
    Problem::new(
        format!("brokers.{broker}"),
        format!(
            "expanded into `{queue_key}` (see `queuelab expand`): {}",
            problem.message
        ),
    )
}

/// A producer from its `[[producers]]` entry.
fn producer_builder(producer: &ProducerSpec, base_dir: &Path) -> Result<ProducerBuilder, Problem> {
    let key = format!("producers.{}", producer.name);
    let profile = super::profile::rate_profile(producer, &key)?;
    let interarrival = producer
        .interarrival
        .as_ref()
        .map(|spec| interarrival_dist(spec, &format!("{key}.interarrival"), base_dir))
        .transpose()?;
    let mut built = match (interarrival, &producer.closed) {
        (interarrival, None) if profile.is_some() => ProducerBuilder::open(
            &producer.name,
            &producer.to,
            super::profile::shape(interarrival, &key)?,
        ),
        (Some(interarrival), None) => {
            ProducerBuilder::open(&producer.name, &producer.to, interarrival)
        }
        (None, Some(closed)) => ProducerBuilder::closed(
            &producer.name,
            &producer.to,
            closed.population,
            dist(&closed.think, &format!("{key}.closed.think"), base_dir)?,
        ),
        _ => {
            return Err(Problem::new(
                key,
                "give exactly one of `interarrival` (an open stream) or `closed = { population, think }` (clients awaiting replies)",
            ));
        }
    };
    if let Some(class) = &producer.class {
        built = built.class(class);
    }
    if let Some(profile) = profile {
        built = built.profile(profile);
    }
    if let Some(keys) = &producer.keys {
        built = built.keys(keys_of(keys, &format!("{key}.keys"))?);
    }
    Ok(built)
}

/// A producer's `keys`: an exponent for zipf only.
fn keys_of(keys: &KeysSpec, key: &str) -> Result<Keys, Problem> {
    let distribution = match (keys.distribution, keys.exponent) {
        (KeyDistributionSpec::Uniform, None) => KeyDistribution::Uniform,
        (KeyDistributionSpec::Zipf, Some(exponent)) => KeyDistribution::Zipf { exponent },
        (KeyDistributionSpec::Uniform, Some(_)) => {
            return Err(Problem::new(
                format!("{key}.exponent"),
                "only `distribution = \"zipf\"` takes an `exponent`; remove it for uniform keys",
            ));
        }
        (KeyDistributionSpec::Zipf, None) => {
            return Err(Problem::new(
                format!("{key}.exponent"),
                "`distribution = \"zipf\"` needs an `exponent` s > 0 (key k drawn with weight 1/(k+1)^s)",
            ));
        }
    };
    Ok(Keys {
        count: keys.count,
        distribution,
    })
}

/// A queue from its `[[queues]]` entry; a consumer group on a topic has
/// the `topic_partitions` unless it gives its own `partitions`.
fn queue_builder(
    queue: &QueueSpec,
    topic_partitions: Option<u32>,
    base_dir: &Path,
    time_unit: &str,
) -> Result<QueueBuilder, Problem> {
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
                key,
                "needs `consumers` (a whole number or \"unlimited\") or a `consumers_schedule`",
            ));
        }
        (Some(consumers), None) => consumers,
    };
    let consumers = match consumers {
        ConsumersSpec::Count(count) => count,
        ConsumersSpec::Unlimited => UNLIMITED,
    };
    let service = dist(&queue.service, &format!("{key}.service"), base_dir)?;
    let mut built = QueueBuilder::new(&queue.name, consumers, service).discipline(queue.discipline);
    if let Some(capacity) = queue.capacity {
        built = built.capacity(capacity);
    }
    if let Some(length) = queue.max_length {
        built = built.max_length(length);
    }
    if let Some(overflow) = queue.overflow {
        built = built.overflow(overflow);
    }
    for route in &queue.next {
        built = built.next(&route.to, route.p);
    }
    if let Some(patience) = &queue.patience {
        built = built.patience(dist(patience, &format!("{key}.patience"), base_dir)?);
    }
    if let Some(dead_letter) = &queue.dead_letter {
        built = built.dead_letter(dead_letter);
    }
    if let Some(retry) = &queue.retry {
        let (p, max_retries, redelivery) = super::retry::retry(retry, &key, time_unit)?;
        built = built.retry(p, max_retries, redelivery);
    }
    if let Some(outage) = &queue.outage {
        let key = format!("{key}.outage");
        let up = match &outage.mtbf {
            MtbfSpec::Mean(mean) => checked(Dist::exponential_mean(*mean), &format!("{key}.mtbf"))?,
            MtbfSpec::Dist(spec) => dist(spec, &format!("{key}.mtbf"), base_dir)?,
        };
        built = built.outage(
            up,
            dist(&outage.repair, &format!("{key}.repair"), base_dir)?,
        );
    }
    match (queue.ack_wait, queue.max_deliver) {
        (Some(ack_wait), max_deliver) => built = built.lease(ack_wait, max_deliver),
        (None, Some(_)) => {
            return Err(Problem::new(
                format!("{key}.max_deliver"),
                "limits the deliveries of a message whose lease runs out: set `ack_wait` too, or remove `max_deliver`",
            ));
        }
        (None, None) => {}
    }
    if let Some(schedule) = schedule {
        built = built.schedule(schedule);
    }
    if let Some(prefetch) = queue.prefetch {
        built = built.prefetch(prefetch.0);
    }
    if let Some(ack) = &queue.ack {
        built = built.ack(dist(ack, &format!("{key}.ack"), base_dir)?);
    }
    if let Some(delivery) = &queue.delivery {
        built = built.delivery(dist(delivery, &format!("{key}.delivery"), base_dir)?);
    }
    let assignor = match queue.assignor {
        None | Some(AssignorSpec::Range) => Assignor::Range,
        Some(AssignorSpec::RoundRobin) => Assignor::RoundRobin,
        Some(AssignorSpec::Sticky) => Assignor::Sticky,
    };
    if let Some(threads) = queue.threads {
        built = built.threads(threads);
    }
    if let Some(topic) = &queue.topic {
        built = built.topic(topic);
    }
    match (queue.partitions.or(topic_partitions), queue.assignor) {
        (Some(partitions), _) => built = built.partitions(partitions, assignor),
        (None, Some(_)) => {
            return Err(Problem::new(
                format!("{key}.assignor"),
                "assigns partitions to consumers: set `partitions` too, or remove `assignor`",
            ));
        }
        (None, None) => {}
    }
    if let Some(poll) = poll(queue, &key, base_dir, time_unit)? {
        built = built.poll(poll);
    }
    Ok(built.backlog(queue.backlog))
}

/// The poll loop of a queue with any of the batch-polling keys (or group
/// changes: a Kafka group reads by polling), with Kafka's defaults for the
/// others (`fetch_wait`: 500 ms in `time_unit`).
fn poll(
    queue: &QueueSpec,
    key: &str,
    base_dir: &Path,
    time_unit: &str,
) -> Result<Option<Poll>, Problem> {
    if queue.max_poll_records.is_none()
        && queue.fetch_min.is_none()
        && queue.fetch_wait.is_none()
        && queue.poll_overhead.is_none()
        && queue.max_poll_interval.is_none()
        && queue.rebalance_time.is_none()
        && queue.group_changes.is_none()
        && queue.rebalance_protocol.is_none()
    {
        return Ok(None);
    }
    let fetch_min = queue.fetch_min.unwrap_or(1);
    let fetch_wait = match (queue.fetch_wait, crate::units::seconds_per(time_unit)) {
        (Some(wait), _) => wait,
        (None, Some(seconds)) => DEFAULT_FETCH_WAIT_MS * 1e-3 / seconds,
        // Irrelevant: a fetch returns with the first message.
        (None, None) if fetch_min <= 1 => 0.0,
        (None, None) => {
            return Err(Problem::new(
                format!("{key}.fetch_wait"),
                format!(
                    "needs a value: Kafka's default 500 ms does not convert to the time unit \"{time_unit}\" (a time >= 0 in it)"
                ),
            ));
        }
    };
    let overhead = match &queue.poll_overhead {
        Some(spec) => Some(dist(spec, &format!("{key}.poll_overhead"), base_dir)?),
        None => None,
    };
    let rebalances = queue.max_poll_interval.is_some() || queue.group_changes.is_some();
    let rebalance = match (rebalances, &queue.rebalance_time) {
        (false, None) => None,
        (false, Some(_)) => {
            return Err(Problem::new(
                format!("{key}.rebalance_time"),
                "rebalances follow poll timeouts or group changes: set `max_poll_interval` or `group_changes` too, or remove `rebalance_time`",
            ));
        }
        (true, rebalance) => Some(rebalance_time(
            rebalance.as_ref(),
            key,
            base_dir,
            time_unit,
        )?),
    };
    if !rebalances && queue.rebalance_protocol.is_some() {
        return Err(Problem::new(
            format!("{key}.rebalance_protocol"),
            "says how rebalances pause the group, and they follow poll timeouts or group changes: set `max_poll_interval` or `group_changes` too, or remove `rebalance_protocol`",
        ));
    }
    let timeout = queue.max_poll_interval.map(|interval| PollTimeout {
        interval,
        rebalance: rebalance.clone().expect("a rebalance time with rebalances"),
    });
    let changes = match &queue.group_changes {
        None => None,
        Some(changes) => Some(Box::new(GroupChanges {
            changes: group_changes(changes, key)?,
            rebalance: rebalance.expect("a rebalance time with rebalances"),
        })),
    };
    Ok(Some(Poll {
        max_records: queue.max_poll_records.unwrap_or(DEFAULT_MAX_POLL_RECORDS),
        fetch_min,
        fetch_wait,
        overhead,
        timeout,
        changes,
        protocol: match queue.rebalance_protocol {
            None | Some(RebalanceProtocolSpec::Eager) => RebalanceProtocol::Eager,
            Some(RebalanceProtocolSpec::Cooperative) => RebalanceProtocol::Cooperative,
        },
    }))
}

/// How long a rebalance pauses: `rebalance_time`, or queuelab's default
/// 3 s in `time_unit`.
fn rebalance_time(
    spec: Option<&TimeSpec>,
    key: &str,
    base_dir: &Path,
    time_unit: &str,
) -> Result<Dist, Problem> {
    let key = format!("{key}.rebalance_time");
    match spec {
        Some(TimeSpec::Fixed(time)) => checked(Dist::deterministic(*time), &key),
        Some(TimeSpec::Dist(spec)) => dist(spec, &key, base_dir),
        None => {
            let seconds = crate::units::seconds_per(time_unit).ok_or_else(|| {
                Problem::new(
                    &key,
                    format!(
                        "needs a value: queuelab's default 3 s does not convert to the time unit \"{time_unit}\" (a time, or a distribution, in it)"
                    ),
                )
            })?;
            checked(
                Dist::deterministic(DEFAULT_REBALANCE_MS * 1e-3 / seconds),
                &key,
            )
        }
    }
}

/// `group_changes`, checked: at least one, at finite times > 0 that
/// increase, each to at least 1 consumer.
fn group_changes(changes: &[GroupChangeSpec], key: &str) -> Result<Vec<GroupChange>, Problem> {
    let key = format!("{key}.group_changes");
    if changes.is_empty() {
        return Err(Problem::new(
            key,
            "needs at least one change `{ at = <time>, consumers = <count> }`, or remove it",
        ));
    }
    let mut last = 0.0;
    for (index, change) in changes.iter().enumerate() {
        let entry = format!("{key}[{index}]");
        if !(change.at.is_finite() && change.at > last) {
            let bound = if index == 0 {
                "> 0".to_string()
            } else {
                format!("after the previous change's {}", Num(last))
            };
            return Err(Problem::new(
                format!("{entry}.at"),
                format!(
                    "must be a finite time {bound} (changes in time order), got {}",
                    Num(change.at)
                ),
            ));
        }
        if change.consumers == 0 {
            return Err(Problem::new(
                format!("{entry}.consumers"),
                "must be at least 1 (a group with no consumer is not modelled)",
            ));
        }
        last = change.at;
    }
    Ok(changes
        .iter()
        .map(|change| GroupChange {
            at: change.at,
            consumers: change.consumers,
        })
        .collect())
}

/// Group changes happen at fixed times counted from an empty system at
/// time 0, so the run measures from there: an automatic warm-up becomes
/// none (it would discard the changes, or cut into them), and a warm-up of
/// messages, or a change after the run's `horizon` (which would never
/// happen), is refused.
pub fn adapt_to_group_changes(run: &mut RunConfig, model: &Model) -> Result<(), Problem> {
    for queue in &model.queues {
        let Some(changes) = queue.poll().and_then(|poll| poll.changes.as_ref()) else {
            continue;
        };
        match run.warmup {
            Warmup::Auto => run.warmup = Warmup::Customers(0),
            Warmup::Customers(0) => {}
            Warmup::Customers(count) => {
                return Err(Problem::new(
                    "run.warmup",
                    format!(
                        "queue `{}` changes its group at fixed times from an empty start (`group_changes`, the first at {}), which a warm-up of {count} messages would discard or cut into; set `warmup = 0` (or leave it out)",
                        queue.name,
                        Num(changes.changes[0].at)
                    ),
                ));
            }
        }
        let RunLength::Horizon(horizon) = run.length else {
            continue;
        };
        if let Some(index) = changes.changes.iter().position(|c| c.at >= horizon) {
            return Err(Problem::new(
                format!("queues.{}.group_changes[{index}].at", queue.name),
                format!(
                    "must fall within the run (before `run.horizon` = {}), got {}",
                    Num(horizon),
                    Num(changes.changes[index].at)
                ),
            ));
        }
    }
    Ok(())
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

/// A built distribution, or the problem at `key` (whether its mean is
/// usable, the model's builder checks).
fn checked(result: Result<Dist, DistError>, key: &str) -> Result<Dist, Problem> {
    result.map_err(|e| Problem::new(key, e.to_string()))
}
