//! Models in code: builders that name queues, producers and classes by
//! name, as a scenario file does, and check everything a scenario file's
//! model must satisfy when they build. `scenario` builds its models through
//! them, so a model from a program, a notebook driver or a test passes the
//! same checks, with the same messages, as one from a file.
//!
//! ```
//! use queuelab::dist::Dist;
//! use queuelab::model::{Model, ProducerBuilder, QueueBuilder};
//!
//! let mm2 = Model::builder("support")
//!     .queue(QueueBuilder::new("support", 2, Dist::exponential_mean(1.0)?))
//!     .producer(ProducerBuilder::open("tickets", "support", Dist::exponential_rate(1.8)?))
//!     .build()?;
//! assert!((mm2.max_load().unwrap() - 0.9).abs() < 1e-12);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;

use super::metric::Threshold;
use super::profile::Profile;
use super::{
    Admission, Arrivals, Assignor, Availability, Class, Consumption, Discipline, Dispatch, Exit,
    Expiry, KeyDistribution, Keys, Lease, Limit, Model, Outage, Overflow, Partitioning, Poll,
    Producer, Queue, Redelivery, Retry, Route, UNLIMITED, Window,
};
use crate::dist::Dist;
use crate::text::Num;

/// A model that cannot be built: the dotted path of the offending part,
/// named as in a scenario file (e.g. `queues.orders.capacity`), and what is
/// wrong and allowed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct ModelError {
    /// Dotted path of the part, e.g. `queues.orders.capacity`.
    pub key: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl ModelError {
    /// An error on `key` saying `message`.
    pub(super) fn new(key: impl Into<String>, message: impl Into<String>) -> ModelError {
        ModelError {
            key: key.into(),
            message: message.into(),
        }
    }
}

/// A model under construction; [`ModelBuilder::build`] checks it.
#[derive(Clone, Debug)]
pub struct ModelBuilder {
    name: String,
    time_unit: String,
    producers: Vec<ProducerBuilder>,
    queues: Vec<QueueBuilder>,
    classes: Vec<Class>,
    within: Vec<f64>,
    report_every: Option<f64>,
}

/// A queue under construction, naming the queues it routes to.
#[derive(Clone, Debug)]
pub struct QueueBuilder {
    name: String,
    consumers: u32,
    service: Dist,
    discipline: Discipline,
    capacity: Option<u32>,
    max_length: Option<u32>,
    overflow: Option<Overflow>,
    next: Vec<(String, f64)>,
    patience: Option<Dist>,
    dead_letter: Option<String>,
    schedule: Option<Profile>,
    backlog: u32,
    prefetch: Option<u32>,
    ack: Option<Dist>,
    delivery: Option<Dist>,
    partitioning: Option<Partitioning>,
    threads: Option<u32>,
    poll: Option<Poll>,
    retry: Option<RetryPlan>,
    outage: Option<Outage>,
    lease: Option<Lease>,
    topic: Option<String>,
}

/// The retries of a queue under construction (see [`QueueBuilder::retry`]).
#[derive(Clone, Debug)]
struct RetryPlan {
    p: f64,
    max_retries: Option<u32>,
    redelivery: Redelivery,
}

/// A producer under construction, naming its queue and class.
#[derive(Clone, Debug)]
pub struct ProducerBuilder {
    name: String,
    to: String,
    arrivals: Arrivals,
    class: Option<String>,
    profile: Option<Profile>,
    keys: Option<Keys>,
}

impl Model {
    /// A model named `name` (the results folder's name: letters, digits,
    /// '-', '_' or '.'), time unit "s", no queues, producers or classes yet.
    pub fn builder(name: impl Into<String>) -> ModelBuilder {
        ModelBuilder {
            name: name.into(),
            time_unit: "s".into(),
            producers: Vec::new(),
            queues: Vec::new(),
            classes: Vec::new(),
            within: Vec::new(),
            report_every: None,
        }
    }
}

impl ModelBuilder {
    /// The label of the time unit (default "s").
    pub fn time_unit(mut self, unit: impl Into<String>) -> Self {
        self.time_unit = unit.into();
        self
    }

    /// Adds a queue.
    pub fn queue(mut self, queue: QueueBuilder) -> Self {
        self.queues.push(queue);
        self
    }

    /// Adds a producer.
    pub fn producer(mut self, producer: ProducerBuilder) -> Self {
        self.producers.push(producer);
        self
    }

    /// Adds a message class (without any, every message is of one class
    /// named `default`); then every producer names its class.
    pub fn class(mut self, class: Class) -> Self {
        self.classes.push(class);
        self
    }

    /// Reporting intervals of `interval` time units (see
    /// [`Model::report_every`]): a finite time > 0.
    pub fn report_every(mut self, interval: f64) -> Self {
        self.report_every = Some(interval);
        self
    }

    /// Service-level thresholds: each t adds `wait_within_<t>` and
    /// `sojourn_within_<t>` to the results.
    pub fn within(mut self, times: impl IntoIterator<Item = f64>) -> Self {
        self.within.extend(times);
        self
    }

    /// The model, or the first part that breaks a rule: names (unique,
    /// non-empty, no '.'), references to queues and classes, consumers,
    /// capacities, routing probabilities, distributions with a finite
    /// positive mean, dead letters, thresholds, routing that lets messages
    /// leave, and every queue reached by some message.
    pub fn build(self) -> Result<Model, ModelError> {
        check_model_name(&self.name)?;
        let classes = if self.classes.is_empty() {
            vec![Class::new("default")]
        } else {
            self.classes.clone()
        };
        let class_index = index_by_name(classes.iter().map(|c| c.name.as_str()), "classes")?;
        let queue_index = index_by_name(self.queues.iter().map(|q| q.name.as_str()), "queues")?;
        if self.queues.is_empty() {
            return Err(ModelError::new(
                "queues",
                "at least one [[queues]] entry is required",
            ));
        }
        if self.producers.is_empty() {
            return Err(ModelError::new(
                "producers",
                "at least one [[producers]] entry is required",
            ));
        }
        index_by_name(self.producers.iter().map(|p| p.name.as_str()), "producers")?;
        for class in &classes {
            if let Some(service) = &class.service {
                usable(service, format!("classes.{}.service", class.name))?;
            }
        }
        let queues = Lookup {
            index: &queue_index,
            what: ("queue", "queues"),
            names: self.queues.iter().map(|q| q.name.as_str()).collect(),
        };
        let class_names = Lookup {
            index: &class_index,
            what: ("class", "classes"),
            names: classes.iter().map(|c| c.name.as_str()).collect(),
        };
        let producers = self
            .producers
            .into_iter()
            .map(|producer| producer.resolve(&queues, &class_names, !self.classes.is_empty()))
            .collect::<Result<Vec<_>, _>>()?;
        let mut built = self
            .queues
            .iter()
            .map(|queue| queue.resolve(&queues))
            .collect::<Result<Vec<_>, _>>()?;
        let groups = self
            .queues
            .iter()
            .enumerate()
            .filter_map(|(group, queue)| {
                let topic = queue.topic.as_deref()?;
                Some(
                    queues
                        .find(format!("queues.{}.topic", queue.name), topic)
                        .map(|t| (group, t)),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        if classes.len() > 1
            && let Some(queue) = built.iter().find(|q| q.backlog > 0)
        {
            return Err(ModelError::new(
                format!("queues.{}.backlog", queue.name),
                "a starting backlog is of the model's one class; with several classes, remove `backlog`",
            ));
        }
        // Schedules repeat with the rate profiles.
        let repeats = producers
            .iter()
            .find_map(|p| p.profile.as_ref())
            .is_some_and(|profile| profile.repeats);
        for schedule in built.iter_mut().filter_map(|q| q.schedule.as_mut()) {
            schedule.repeats = repeats;
        }
        let mut model = Model {
            name: self.name,
            time_unit: self.time_unit,
            producers,
            queues: built,
            classes,
            within: thresholds(&self.within)?,
            report_every: match self.report_every {
                Some(interval) if !(interval.is_finite() && interval > 0.0) => {
                    return Err(ModelError::new(
                        "run.report_every",
                        format!("must be a finite time > 0, got {}", Num(interval)),
                    ));
                }
                interval => interval,
            },
        };
        super::fanout::copy_to_groups(&mut model, &groups)?;
        check_flow(&model)?;
        check_partitions(&model)?;
        Ok(model)
    }
}

impl Class {
    /// A class named `name`, priority 0, with the queues' service times.
    pub fn new(name: impl Into<String>) -> Class {
        Class {
            name: name.into(),
            priority: 0,
            service: None,
        }
    }

    /// The same class with priority `priority` (lower is served first).
    pub fn priority(self, priority: i64) -> Class {
        Class { priority, ..self }
    }

    /// The same class with its own service time at every queue.
    pub fn service(self, service: Dist) -> Class {
        Class {
            service: Some(service),
            ..self
        }
    }
}

impl QueueBuilder {
    /// A FIFO queue with `consumers` ([`UNLIMITED`] for one per message)
    /// serving `service`, unbounded, no routing, no expiry.
    pub fn new(name: impl Into<String>, consumers: u32, service: Dist) -> Self {
        QueueBuilder {
            name: name.into(),
            consumers,
            service,
            discipline: Discipline::Fifo,
            capacity: None,
            max_length: None,
            overflow: None,
            next: Vec::new(),
            patience: None,
            dead_letter: None,
            schedule: None,
            backlog: 0,
            prefetch: None,
            ack: None,
            delivery: None,
            partitioning: None,
            threads: None,
            poll: None,
            retry: None,
            outage: None,
            lease: None,
            topic: None,
        }
    }

    /// The service order.
    pub fn discipline(mut self, discipline: Discipline) -> Self {
        self.discipline = discipline;
        self
    }

    /// At most `capacity` messages in queue + in service; arrivals beyond
    /// are rejected.
    pub fn capacity(mut self, capacity: u32) -> Self {
        self.capacity = Some(capacity);
        self
    }

    /// At most `length` messages waiting, not counting those in service
    /// (RabbitMQ's `x-max-length`); arrivals beyond overflow.
    pub fn max_length(mut self, length: u32) -> Self {
        self.max_length = Some(length);
        self
    }

    /// What a full queue (`capacity` or `max_length`) does with an arrival;
    /// [`Overflow::RejectNew`] unless set.
    pub fn overflow(mut self, overflow: Overflow) -> Self {
        self.overflow = Some(overflow);
        self
    }

    /// After service, a message goes to queue `to` with probability `p`
    /// (what no route takes leaves the system).
    pub fn next(mut self, to: impl Into<String>, p: f64) -> Self {
        self.next.push((to.into(), p));
        self
    }

    /// Waiting messages expire after a time drawn from `patience`.
    pub fn patience(mut self, patience: Dist) -> Self {
        self.patience = Some(patience);
        self
    }

    /// Each delivery fails with probability `p`; a failed message is
    /// delivered again by `redelivery`, at most `max_retries` times after
    /// its first delivery (`None`: unlimited), then goes to the
    /// dead-letter queue (or is dropped). Each delivery draws a fresh
    /// service time; a message routes on (`next`) only after a success.
    pub fn retry(mut self, p: f64, max_retries: Option<u32>, redelivery: Redelivery) -> Self {
        self.retry = Some(RetryPlan {
            p,
            max_retries,
            redelivery,
        });
        self
    }

    /// A lease of `ack_wait` on each delivery: a message not acknowledged
    /// within it is delivered again, at most `max_deliver` deliveries in
    /// all (`None`: unlimited), while its consumer goes on with it (see
    /// [`Lease`]).
    pub fn lease(mut self, ack_wait: f64, max_deliver: Option<u32>) -> Self {
        self.lease = Some(Lease {
            ack_wait,
            max_deliver,
        });
        self
    }

    /// The refusals of consumers that vary (unlimited, or on a schedule),
    /// which leases, prefetch windows and outages do not support yet.
    fn varying_consumers(&self) -> [Refusal<'static>; 2] {
        [
            (
                self.consumers == UNLIMITED,
                "consumers",
                "`consumers = \"unlimited\"`",
            ),
            (
                self.schedule.is_some(),
                "consumers_schedule",
                "a consumer schedule",
            ),
        ]
    }

    /// The lease on deliveries, checked: modelled on one shared FIFO line
    /// of a fixed number of consumers, whose messages are never lost
    /// waiting (refused with what it does not support yet).
    fn checked_lease(&self, key: &str) -> Result<Option<Lease>, ModelError> {
        let Some(lease) = &self.lease else {
            return Ok(None);
        };
        if !(lease.ack_wait.is_finite() && lease.ack_wait > 0.0) {
            return Err(ModelError::new(
                format!("{key}.ack_wait"),
                format!("must be a finite time > 0, got {}", Num(lease.ack_wait)),
            ));
        }
        if lease.max_deliver == Some(0) {
            return Err(ModelError::new(
                format!("{key}.max_deliver"),
                "counts every delivery, the first included: a whole number >= 1 (1: never redelivered), or leave it out for no limit",
            ));
        }
        let refused = [
            (
                self.has_window_keys(),
                "prefetch",
                "prefetch windows (`prefetch`, `ack`, `delivery`)",
            ),
            (self.partitioning.is_some(), "partitions", "`partitions`"),
        ]
        .into_iter()
        .chain(self.varying_consumers())
        .chain([
            (
                self.capacity.is_some() || self.max_length.is_some(),
                "capacity",
                "a length limit (`capacity`, `max_length`)",
            ),
            (self.patience.is_some(), "patience", "a `patience` (TTL)"),
            (self.retry.is_some(), "retry", "`retry`"),
            (self.outage.is_some(), "outage", "an `outage`"),
            (self.backlog > 0, "backlog", "a starting `backlog`"),
            (
                self.discipline != Discipline::Fifo,
                "discipline",
                "a `discipline` other than fifo",
            ),
        ]);
        refuse_first(key, refused, |what| {
            format!(
                "a lease (`ack_wait`) is modelled on one shared fifo line with a fixed number of consumers, without {what}; remove `ack_wait` or {what}"
            )
        })?;
        Ok(Some(lease.clone()))
    }

    /// Expired messages (with a patience), overflow victims (with
    /// [`Overflow::DropHead`] or [`Overflow::RejectToDeadLetter`]) and
    /// messages whose retries ran out go to queue `to`.
    pub fn dead_letter(mut self, to: impl Into<String>) -> Self {
        self.dead_letter = Some(to.into());
        self
    }

    /// Consumers that follow `schedule` (its values are consumer counts;
    /// `consumers` should be their most).
    pub fn schedule(mut self, schedule: Profile) -> Self {
        self.schedule = Some(schedule);
        self
    }

    /// `messages` already wait when the run starts: a backlog to catch up
    /// (the drain time says how long it takes).
    pub fn backlog(mut self, messages: u32) -> Self {
        self.backlog = messages;
        self
    }

    /// Prefetch windows of `prefetch` unacknowledged messages per consumer
    /// ([`super::UNLIMITED_PREFETCH`] for no limit) instead of one shared line.
    pub fn prefetch(mut self, prefetch: u32) -> Self {
        self.prefetch = Some(prefetch);
        self
    }

    /// The acknowledgement round trip after each service, during which the
    /// consumer's window slot stays held (needs a prefetch).
    pub fn ack(mut self, ack: Dist) -> Self {
        self.ack = Some(ack);
        self
    }

    /// The trip of each delivery from the broker to its consumer: the
    /// message leaves the ready line when sent and starts once it lands
    /// (needs a prefetch).
    pub fn delivery(mut self, delivery: Dist) -> Self {
        self.delivery = Some(delivery);
        self
    }

    /// True with any key of prefetch windows (`prefetch`, `ack`,
    /// `delivery`).
    fn has_window_keys(&self) -> bool {
        self.prefetch.is_some() || self.ack.is_some() || self.delivery.is_some()
    }

    /// The dispatch axis: one shared line, partitions, or prefetch windows
    /// (refused with what they do not support yet).
    fn dispatch(&self, key: &str) -> Result<Dispatch, ModelError> {
        let refuse =
            |what: &str, message: String| Err(ModelError::new(format!("{key}.{what}"), message));
        if self.retry.is_some() && self.partitioning.is_some() && self.poll.is_some() {
            return refuse(
                "retry",
                "retries on partitions are modelled read one message at a time, not yet with batch polling (`max_poll_records`, `fetch_min`, `fetch_wait`, `poll_overhead`, `max_poll_interval`); remove those keys, or `retry`".into(),
            );
        }
        if let Some(mut partitioning) = self.partitioning {
            if self.has_window_keys() {
                let key = if self.prefetch.is_some() {
                    "prefetch"
                } else if self.ack.is_some() {
                    "ack"
                } else {
                    "delivery"
                };
                return refuse(
                    key,
                    "a partition is read by its one consumer, not through prefetch windows; remove `prefetch`, `ack` and `delivery`, or `partitions`".into(),
                );
            }
            partitioning.threads = self.threads.unwrap_or(1);
            if partitioning.threads == 0 {
                return refuse("threads", "must be a whole number >= 1".into());
            }
            if partitioning.threads > 1 && self.poll.is_some() {
                return refuse(
                    "threads",
                    "a polling consumer serves its batch one message at a time: remove `threads`, or the poll keys (`max_poll_records`, `fetch_min`, `fetch_wait`, `poll_overhead`, `max_poll_interval`, `group_changes`, which reads by polling)".into(),
                );
            }
            return Ok(Dispatch::Partitioned(partitioning));
        }
        if self.threads.is_some() {
            return refuse(
                "threads",
                "threads serve the partitions a consumer owns: set `partitions`, or remove `threads` (on a shared line every consumer is one server)".into(),
            );
        }
        let Some(prefetch) = self.prefetch else {
            if self.ack.is_some() {
                return refuse(
                    "ack",
                    "an acknowledgement round trip holds a prefetch window's slot; set `prefetch` or remove `ack`".into(),
                );
            }
            if self.delivery.is_some() {
                return refuse(
                    "delivery",
                    "a delivery's trip to its consumer holds a prefetch window's slot; set `prefetch` or remove `delivery`".into(),
                );
            }
            return Ok(Dispatch::SharedLine);
        };
        if prefetch == 0 {
            return refuse("prefetch", "must be at least 1, or unlimited".into());
        }
        let unsupported = |what: &str| {
            format!("prefetch windows do not support {what} yet; remove `prefetch` or {what}")
        };
        let refused = self.varying_consumers().into_iter().chain([(
            self.capacity.is_some(),
            "capacity",
            "a `capacity`",
        )]);
        refuse_first(key, refused, unsupported)?;
        if !matches!(
            self.discipline,
            Discipline::Fifo | Discipline::Lifo | Discipline::Random
        ) {
            return refuse(
                "discipline",
                format!(
                    "prefetch windows keep the ready line in `fifo`, `lifo` or `random` order, got `{}`",
                    self.discipline.name()
                ),
            );
        }
        let requeued = self
            .retry
            .as_ref()
            .is_some_and(|plan| plan.redelivery == Redelivery::Head && plan.max_retries != Some(0));
        if requeued && self.overflow == Some(Overflow::DropHead) {
            return refuse(
                "retry.requeue",
                "with prefetch windows a nacked message goes back to the head of the ready line, where \"drop-head\" would drop it mid-visit, which is not modelled; use a delay, or another `overflow`".into(),
            );
        }
        if let Some(ack) = &self.ack {
            usable(ack, format!("{key}.ack"))?;
        }
        if let Some(delivery) = &self.delivery {
            usable(delivery, format!("{key}.delivery"))?;
        }
        Ok(Dispatch::Window(Window {
            prefetch,
            ack: self.ack.clone(),
            delivery: self.delivery.clone(),
        }))
    }

    /// Each consumer fails after an `up` time and is repaired after a
    /// `repair` time, busy or idle; what it held goes back to the head of
    /// the queue and is served again from the start (see [`Outage`]).
    pub fn outage(mut self, up: Dist, repair: Dist) -> Self {
        self.outage = Some(Outage { up, repair });
        self
    }

    /// The availability axis: consumers always up, or failing and repaired
    /// (refused with what outages do not support yet).
    fn availability(&self, key: &str) -> Result<Availability, ModelError> {
        let Some(outage) = &self.outage else {
            return Ok(Availability::AlwaysUp);
        };
        usable(&outage.up, format!("{key}.outage.mtbf"))?;
        usable(&outage.repair, format!("{key}.outage.repair"))?;
        let unsupported = |what: &str| {
            format!(
                "consumer outages are modelled on a shared line or prefetch windows with a fixed number of consumers, without {what}; remove `outage` or {what}"
            )
        };
        let refused = [(
            self.partitioning.is_some(),
            "partitions",
            "`partitions` (a partition's consumer failing is a rebalance)",
        )]
        .into_iter()
        .chain(self.varying_consumers())
        .chain([
            (self.patience.is_some(), "patience", "a `patience` (TTL)"),
            (self.retry.is_some(), "retry", "`retry`"),
            (
                matches!(
                    self.discipline,
                    Discipline::LifoPreemptive
                        | Discipline::PriorityPreemptive
                        | Discipline::ProcessorSharing
                ),
                "discipline",
                "a preemptive or processor-sharing `discipline`",
            ),
        ]);
        refuse_first(key, refused, unsupported)?;
        Ok(Availability::Outages(outage.clone()))
    }

    /// Another consumer group reading the topic of partitioned queue
    /// `topic`: this queue (with the topic's number of `partitions`)
    /// receives a copy of every message the topic's producers publish, on
    /// the same partition (see `fanout.rs`).
    pub fn topic(mut self, topic: impl Into<String>) -> Self {
        self.topic = Some(topic.into());
        self
    }

    /// A partitioned log read by one consumer group of `consumers`:
    /// `partitions` FIFO partitions assigned to the consumers by
    /// `assignor` (see [`Partitioning`]).
    pub fn partitions(mut self, partitions: u32, assignor: Assignor) -> Self {
        self.partitioning = Some(Partitioning {
            partitions,
            assignor,
            threads: 1,
        });
        self
    }

    /// Threads each consumer of a partitioned queue serves its partitions'
    /// messages with, at once (RocketMQ 4.x concurrent consumption; see
    /// [`Partitioning::threads`]).
    pub fn threads(mut self, threads: u32) -> Self {
        self.threads = Some(threads);
        self
    }

    /// Consumers that take batches by polling (a partitioned queue's
    /// group; see [`Poll`]).
    pub fn poll(mut self, poll: Poll) -> Self {
        self.poll = Some(poll);
        self
    }

    /// The consumption axis: one message at a time, or a poll loop
    /// (checked: a partitioned queue's, with whole positive counts, a
    /// fetch wait >= 0 and a usable overhead).
    fn consumption(&self, key: &str) -> Result<Consumption, ModelError> {
        let Some(poll) = &self.poll else {
            return Ok(Consumption::OneAtATime);
        };
        let refuse =
            |what: &str, message: String| Err(ModelError::new(format!("{key}.{what}"), message));
        if self.partitioning.is_none() {
            return refuse(
                "max_poll_records",
                "batch polling (`max_poll_records`, `fetch_min`, `fetch_wait`, `poll_overhead`, `max_poll_interval`) is how a consumer group reads a partitioned queue: set `partitions`, or remove those keys".into(),
            );
        }
        if poll.max_records == 0 {
            return refuse("max_poll_records", "must be at least 1".into());
        }
        if poll.fetch_min == 0 {
            return refuse("fetch_min", "must be at least 1 (messages)".into());
        }
        if !(poll.fetch_wait.is_finite() && poll.fetch_wait >= 0.0) {
            return refuse(
                "fetch_wait",
                format!("must be a finite time >= 0, got {}", Num(poll.fetch_wait)),
            );
        }
        if let Some(overhead) = &poll.overhead {
            usable(overhead, format!("{key}.poll_overhead"))?;
        }
        if let Some(timeout) = &poll.timeout {
            if !(timeout.interval.is_finite() && timeout.interval > 0.0) {
                return refuse(
                    "max_poll_interval",
                    format!("must be a finite time > 0, got {}", Num(timeout.interval)),
                );
            }
            usable(&timeout.rebalance, format!("{key}.rebalance_time"))?;
            // A batch's first message alone would always outlast the
            // interval: every batch times out and the group rebalances
            // forever, a run that cannot finish.
            let shortest = self.service.least() + poll.overhead.as_ref().map_or(0.0, Dist::least);
            if shortest >= timeout.interval {
                return refuse(
                    "max_poll_interval",
                    format!(
                        "must exceed the shortest poll overhead + service ({}): with {} every batch times out and the group rebalances forever",
                        Num(shortest),
                        Num(timeout.interval)
                    ),
                );
            }
        }
        if let Some(changes) = &poll.changes {
            usable(&changes.rebalance, format!("{key}.rebalance_time"))?;
            let mut last = 0.0;
            for (index, change) in changes.changes.iter().enumerate() {
                let entry = format!("group_changes[{index}]");
                if !(change.at.is_finite() && change.at > last) {
                    return refuse(
                        &format!("{entry}.at"),
                        format!(
                            "must be a finite time > 0, after the previous change's (changes in time order), got {}",
                            Num(change.at)
                        ),
                    );
                }
                if !(1..=MAX_PARTITIONS).contains(&change.consumers) {
                    return refuse(
                        &format!("{entry}.consumers"),
                        format!(
                            "must be from 1 to {MAX_PARTITIONS} (consumers beyond the partitions idle), got {}",
                            change.consumers
                        ),
                    );
                }
                last = change.at;
            }
        }
        Ok(Consumption::Polls(poll.clone()))
    }

    fn resolve(&self, queues: &Lookup) -> Result<Queue, ModelError> {
        let key = format!("queues.{}", self.name);
        let consumers = self.consumers;
        if consumers == 0 {
            return Err(ModelError::new(
                format!("{key}.consumers"),
                "must be at least 1, or \"unlimited\"",
            ));
        }
        match self.capacity {
            Some(_) if consumers == UNLIMITED => {
                return Err(ModelError::new(
                    format!("{key}.capacity"),
                    "a capacity needs a number of consumers, not \"unlimited\"",
                ));
            }
            Some(capacity) if capacity < consumers => {
                return Err(ModelError::new(
                    format!("{key}.capacity"),
                    format!(
                        "counts messages in queue + in service, so it must be at least the {consumers} consumers, got {capacity}"
                    ),
                ));
            }
            _ => {}
        }
        let limit = self.limit(&key)?;
        if let Some(limit) = limit {
            let (room, counted) = match limit {
                Limit::InSystem(capacity) => (capacity, "capacity"),
                Limit::Waiting(length) => (consumers.saturating_add(length), "max_length"),
            };
            if self.backlog > room {
                return Err(ModelError::new(
                    format!("{key}.backlog"),
                    format!(
                        "counts in the {counted} (room for {room} messages in queue + in service), got {}",
                        self.backlog
                    ),
                ));
            }
        }
        let mut routes = Vec::with_capacity(self.next.len());
        for (to, p) in &self.next {
            if !(0.0..=1.0).contains(p) {
                return Err(ModelError::new(
                    format!("{key}.next"),
                    format!("probability to \"{to}\" must be in [0, 1], got {}", Num(*p)),
                ));
            }
            routes.push(Route {
                queue: queues.find(format!("{key}.next"), to)?,
                probability: *p,
            });
        }
        let total: f64 = routes.iter().map(|r| r.probability).sum();
        if total > 1.0 + 1e-9 {
            return Err(ModelError::new(
                format!("{key}.next"),
                format!(
                    "routing probabilities must sum to at most 1 (the rest leaves), got {}",
                    Num(total)
                ),
            ));
        }
        usable(&self.service, format!("{key}.service"))?;
        let overflow = self.overflow.unwrap_or_default();
        let overflow_victims = overflow != Overflow::RejectNew;
        let dead_letter = match &self.dead_letter {
            None if overflow == Overflow::RejectToDeadLetter => {
                return Err(ModelError::new(
                    format!("{key}.overflow"),
                    "\"reject-publish-dlx\" sends rejected arrivals to the queue's `dead_letter`: set one, or use \"reject-publish\"",
                ));
            }
            None => None,
            Some(_) if self.patience.is_none() && !overflow_victims && self.retry.is_none() => {
                return Err(ModelError::new(
                    format!("{key}.dead_letter"),
                    "receives expired messages (set a `patience`), overflow victims (`overflow = \"drop-head\"` or \"reject-publish-dlx\") or messages whose retries ran out (a `retry`); set one or remove `dead_letter`",
                ));
            }
            Some(name) if *name == self.name => {
                return Err(ModelError::new(
                    format!("{key}.dead_letter"),
                    "a queue cannot be its own dead-letter queue",
                ));
            }
            Some(name) => Some(queues.find(format!("{key}.dead_letter"), name)?),
        };
        let expiry = match &self.patience {
            None => None,
            Some(patience) => {
                usable(patience, format!("{key}.patience"))?;
                Some(Expiry {
                    patience: patience.clone(),
                })
            }
        };
        let admission = match limit {
            None => Admission::Unbounded,
            Some(limit) => Admission::Bounded { limit, overflow },
        };
        let retry = match &self.retry {
            None => None,
            Some(plan) => Some(plan.resolve(&key, self.discipline)?),
        };
        Ok(Queue {
            name: self.name.clone(),
            consumers,
            schedule: self.schedule.clone(),
            service: self.service.clone(),
            admission,
            discipline: self.discipline,
            dispatch: self.dispatch(&key)?,
            consumption: self.consumption(&key)?,
            availability: self.availability(&key)?,
            exit: Exit {
                routes,
                expiry,
                retry,
                lease: self.checked_lease(&key)?,
                dead_letter,
            },
            backlog: self.backlog,
        })
    }

    /// The length limit (`capacity` or `max_length`, not both), checked
    /// with the `overflow` it needs.
    fn limit(&self, key: &str) -> Result<Option<Limit>, ModelError> {
        let limit = match (self.capacity, self.max_length) {
            (Some(_), Some(_)) => {
                return Err(ModelError::new(
                    format!("{key}.max_length"),
                    "give either `capacity` (messages in queue + in service) or `max_length` (waiting messages only), not both",
                ));
            }
            (Some(capacity), None) => Some(Limit::InSystem(capacity)),
            (None, Some(_)) if self.consumers == UNLIMITED => {
                return Err(ModelError::new(
                    format!("{key}.max_length"),
                    "with `consumers = \"unlimited\"` no message waits: remove `max_length`",
                ));
            }
            (None, Some(length)) => Some(Limit::Waiting(length)),
            (None, None) => None,
        };
        match self.overflow {
            Some(overflow) if limit.is_none() => Err(ModelError::new(
                format!("{key}.overflow"),
                format!(
                    "\"{}\" says what a full queue does: set `capacity` or `max_length`, or remove `overflow`",
                    overflow.name()
                ),
            )),
            Some(Overflow::DropHead) if self.discipline != Discipline::Fifo => {
                Err(ModelError::new(
                    format!("{key}.overflow"),
                    format!(
                        "\"drop-head\" drops the oldest waiting message, which only the `fifo` discipline defines; got `{}`",
                        self.discipline.name()
                    ),
                ))
            }
            _ => Ok(limit),
        }
    }
}

impl RetryPlan {
    /// The retries of queue `key` (served in `discipline` order).
    fn resolve(&self, key: &str, discipline: Discipline) -> Result<Retry, ModelError> {
        let key = format!("{key}.retry");
        if !(0.0..1.0).contains(&self.p) {
            return Err(ModelError::new(
                format!("{key}.p"),
                format!(
                    "the probability that a delivery fails must be in [0, 1), got {}",
                    Num(self.p)
                ),
            ));
        }
        match &self.redelivery {
            Redelivery::Head if discipline.interrupts_service() => {
                return Err(ModelError::new(
                    format!("{key}.requeue"),
                    "a message requeued at the head is served again at once by its consumer, which needs a discipline that serves one message to completion (fifo, lifo, priority, random)",
                ));
            }
            Redelivery::Head => {}
            Redelivery::After(delays) => {
                // The delays a retry can wait: the listed ones, and the
                // one after the list when more retries are allowed.
                let listed = delays.steps.len();
                let past_list = self.max_retries.is_none_or(|r| r as usize > listed);
                let used = delays.steps.iter().chain(past_list.then_some(&delays.then));
                if let Some(bad) = used.copied().find(|d| !(d.is_finite() && *d >= 0.0)) {
                    return Err(ModelError::new(
                        format!("{key}.delays"),
                        format!("every delay must be a finite time >= 0, got {}", Num(bad)),
                    ));
                }
            }
        }
        Ok(Retry {
            p: self.p,
            max_retries: self.max_retries,
            redelivery: self.redelivery.clone(),
        })
    }
}

impl ProducerBuilder {
    /// An open stream into queue `to`, messages `interarrival` apart.
    pub fn open(name: impl Into<String>, to: impl Into<String>, interarrival: Dist) -> Self {
        Self::with(name, to, Arrivals::Open { interarrival })
    }

    /// A closed loop into queue `to`: `population` clients, each sending a
    /// message, awaiting its exit, thinking for a time from `think`, and
    /// sending again.
    pub fn closed(
        name: impl Into<String>,
        to: impl Into<String>,
        population: u32,
        think: Dist,
    ) -> Self {
        Self::with(name, to, Arrivals::Closed { population, think })
    }

    fn with(name: impl Into<String>, to: impl Into<String>, arrivals: Arrivals) -> Self {
        ProducerBuilder {
            name: name.into(),
            to: to.into(),
            arrivals,
            class: None,
            profile: None,
            keys: None,
        }
    }

    /// Its messages are of class `class` (required once the model has classes).
    pub fn class(mut self, class: impl Into<String>) -> Self {
        self.class = Some(class.into());
        self
    }

    /// Its rate follows `profile` over time (the interarrival distribution
    /// then has mean 1 and gives only the shape).
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = Some(profile);
        self
    }

    /// Its messages carry `keys`, which spread them over the partitions of
    /// a partitioned queue (by Kafka's hash of the key).
    pub fn keys(mut self, keys: Keys) -> Self {
        self.keys = Some(keys);
        self
    }

    fn resolve(
        self,
        queues: &Lookup,
        classes: &Lookup,
        declared_classes: bool,
    ) -> Result<Producer, ModelError> {
        let key = format!("producers.{}", self.name);
        let class = match &self.class {
            None if !declared_classes => 0,
            None => {
                return Err(ModelError::new(
                    format!("{key}.class"),
                    format!(
                        "the scenario declares classes, so each producer needs `class` (one of: {})",
                        classes.names.join(", ")
                    ),
                ));
            }
            Some(name) => classes.find(format!("{key}.class"), name)?,
        };
        match &self.arrivals {
            Arrivals::Open { interarrival } => {
                usable(interarrival, format!("{key}.interarrival"))?;
            }
            Arrivals::Closed { population: 0, .. } => {
                return Err(ModelError::new(
                    format!("{key}.closed"),
                    "population must be at least 1",
                ));
            }
            Arrivals::Closed { think, .. } => usable(think, format!("{key}.closed.think"))?,
        }
        Ok(Producer {
            queue: queues.find(format!("{key}.to"), &self.to)?,
            name: self.name,
            arrivals: self.arrivals,
            class,
            profile: self.profile,
            keys: self.keys,
            copy_of: None,
        })
    }
}

/// Names of one kind (queues or classes) and their positions.
struct Lookup<'a> {
    index: &'a HashMap<&'a str, usize>,
    /// What the names name, singular and plural.
    what: (&'static str, &'static str),
    names: Vec<&'a str>,
}

impl Lookup<'_> {
    /// The position of `name`, or the problem at `key`.
    fn find(&self, key: String, name: &str) -> Result<usize, ModelError> {
        self.index.get(name).copied().ok_or_else(|| {
            ModelError::new(
                key,
                format!(
                    "no {} named \"{name}\" ({}: {})",
                    self.what.0,
                    self.what.1,
                    self.names.join(", ")
                ),
            )
        })
    }
}

/// The model's name names its results folder.
fn check_model_name(name: &str) -> Result<(), ModelError> {
    let safe = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && !name.starts_with('.');
    if safe {
        return Ok(());
    }
    Err(ModelError::new(
        "name",
        format!(
            "must be a non-empty folder name of letters, digits, '-', '_' or '.', got \"{name}\""
        ),
    ))
}

/// Maps names to positions, refusing duplicates and empty names.
fn index_by_name<'a>(
    names: impl Iterator<Item = &'a str>,
    section: &str,
) -> Result<HashMap<&'a str, usize>, ModelError> {
    let mut index = HashMap::new();
    for (position, name) in names.enumerate() {
        if name.is_empty() || name.contains('.') {
            return Err(ModelError::new(
                format!("{section}.name"),
                format!("names must be non-empty and contain no '.', got \"{name}\""),
            ));
        }
        if index.insert(name, position).is_some() {
            return Err(ModelError::new(
                format!("{section}.{name}"),
                format!("the name \"{name}\" is used twice in [[{section}]]"),
            ));
        }
    }
    Ok(index)
}

/// A distribution queuelab can simulate and reason about: a finite mean
/// > 0 whose rate (1/mean) a 64-bit float holds.
fn usable(dist: &Dist, key: String) -> Result<(), ModelError> {
    let mean = dist.mean();
    if !(mean.is_finite() && mean > 0.0) {
        return Err(ModelError::new(
            key,
            format!(
                "{} has mean {}; queuelab needs a finite mean > 0 (for pareto: shape > 1)",
                dist.describe(),
                Num(mean)
            ),
        ));
    }
    if !mean.is_normal() || !(1.0 / mean).is_finite() {
        return Err(ModelError::new(
            key,
            format!(
                "{} has mean {}, too small for a 64-bit float to hold its rate (1/mean); choose a larger time unit",
                dist.describe(),
                Num(mean)
            ),
        ));
    }
    Ok(())
}

/// `[compare] within`: distinct finite times >= 0, in increasing order (the
/// order of their metrics in every result).
fn thresholds(times: &[f64]) -> Result<Vec<Threshold>, ModelError> {
    let mut thresholds: Vec<Threshold> = Vec::with_capacity(times.len());
    for &t in times {
        let Some(threshold) = Threshold::new(t) else {
            return Err(ModelError::new(
                "compare.within",
                format!("each threshold must be a finite time >= 0, got {t}"),
            ));
        };
        if thresholds.contains(&threshold) {
            return Err(ModelError::new(
                "compare.within",
                format!("threshold {t} is listed twice"),
            ));
        }
        thresholds.push(threshold);
    }
    thresholds.sort();
    Ok(thresholds)
}

/// Messages can leave, and every queue receives some.
fn check_flow(model: &Model) -> Result<(), ModelError> {
    if model.arrival_rate_bounds().is_none() {
        return Err(ModelError::new(
            "queues",
            "the routing (`next`, `dead_letter`) never lets messages leave the system: some probabilities must sum below 1, and dead-letter queues must not lead back",
        ));
    }
    for (queue, reached) in model.queues.iter().zip(model.reachable_queues()) {
        if !reached {
            return Err(ModelError::new(
                format!("queues.{}", queue.name),
                format!(
                    "queue \"{}\" receives no messages: point a producer (`to`) or a route (`next`) at it, or remove it",
                    queue.name
                ),
            ));
        }
    }
    Ok(())
}

/// A feature combination a model refuses: whether the queue has it, the
/// key (below the queue's) that names it, and how the message names it.
type Refusal<'a> = (bool, &'a str, &'a str);

/// Refuses the first combination of `table` the queue has, as an error on
/// `key.part` whose message is `message(what)`; in table order, so the
/// same combination is always named first.
fn refuse_first<'a>(
    key: &str,
    table: impl IntoIterator<Item = Refusal<'a>>,
    message: impl Fn(&str) -> String,
) -> Result<(), ModelError> {
    match table.into_iter().find(|(present, _, _)| *present) {
        Some((_, part, what)) => Err(ModelError::new(format!("{key}.{part}"), message(what))),
        None => Ok(()),
    }
}

/// Most distinct keys a producer may have (their partitions are hashed
/// once, when a run starts).
const MAX_KEYS: u32 = 1_000_000;

/// Most partitions a queue may have.
pub const MAX_PARTITIONS: u32 = 10_000;

/// A partitioned queue is a plain FIFO log read by a fixed group, fed by
/// producers only; keys are whole and only where partitions use them.
fn check_partitions(model: &Model) -> Result<(), ModelError> {
    for (index, queue) in model.queues.iter().enumerate() {
        let Some(partitioning) = queue.partitioning() else {
            continue;
        };
        let key = format!("queues.{}", queue.name);
        if !(1..=MAX_PARTITIONS).contains(&partitioning.partitions) {
            return Err(ModelError::new(
                format!("{key}.partitions"),
                format!(
                    "must be from 1 to {MAX_PARTITIONS} (each gets its own figures), got {}",
                    partitioning.partitions
                ),
            ));
        }
        let refused = [
            (
                queue.is_unlimited(),
                "consumers",
                "a number of consumers (the group's size), not \"unlimited\"",
            ),
            (
                queue.schedule.is_some(),
                "consumers_schedule",
                "a fixed group: remove `consumers_schedule`",
            ),
            (
                queue.discipline != Discipline::Fifo,
                "discipline",
                "FIFO partitions: remove `discipline`",
            ),
            (
                queue.admission.capacity().is_some(),
                "capacity",
                "unbounded partitions: remove `capacity`",
            ),
            (
                matches!(
                    queue.admission,
                    Admission::Bounded {
                        limit: Limit::Waiting(_),
                        ..
                    }
                ),
                "max_length",
                "unbounded partitions: remove `max_length`",
            ),
            (
                queue.patience().is_some(),
                "patience",
                "messages that stay until consumed: remove `patience`",
            ),
            (
                queue.backlog > 0,
                "backlog",
                "no starting backlog: remove `backlog`",
            ),
        ];
        refuse_first(&key, refused, |needs| {
            format!("a partitioned queue (`partitions`) needs {needs}")
        })?;
        let fed_by_queue = model.queues.iter().find(|q| {
            q.routes().iter().any(|r| r.queue == index) || q.dead_letter() == Some(index)
        });
        if let Some(feeder) = fed_by_queue {
            return Err(ModelError::new(
                format!("queues.{}", feeder.name),
                format!(
                    "routes messages to the partitioned queue \"{}\", which only producers may feed (they choose the partition)",
                    queue.name
                ),
            ));
        }
    }
    for producer in &model.producers {
        let Some(keys) = producer.keys else { continue };
        let key = format!("producers.{}.keys", producer.name);
        if model.queues[producer.queue].partitioning().is_none() {
            return Err(ModelError::new(
                key,
                format!(
                    "keys choose a partition, but queue \"{}\" has no `partitions`",
                    model.queues[producer.queue].name
                ),
            ));
        }
        if !(1..=MAX_KEYS).contains(&keys.count) {
            return Err(ModelError::new(
                format!("{key}.count"),
                format!("must be from 1 to {MAX_KEYS}, got {}", keys.count),
            ));
        }
        if let KeyDistribution::Zipf { exponent } = keys.distribution
            && !(exponent.is_finite() && exponent > 0.0)
        {
            return Err(ModelError::new(
                format!("{key}.exponent"),
                format!("must be a finite number > 0, got {}", Num(exponent)),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exp(mean: f64) -> Dist {
        Dist::exponential_mean(mean).unwrap()
    }

    /// An M/M/1 at load 0.5 with `queue` changed.
    fn mm1(queue: impl FnOnce(QueueBuilder) -> QueueBuilder) -> ModelBuilder {
        Model::builder("t")
            .queue(queue(QueueBuilder::new("q", 1, exp(1.0))))
            .producer(ProducerBuilder::open("p", "q", exp(2.0)))
    }

    fn refused(builder: ModelBuilder) -> (String, String) {
        let error = builder.build().expect_err("the model is refused");
        (error.key, error.message)
    }

    #[test]
    fn builds_a_network_by_names() {
        let model = Model::builder("net")
            .queue(QueueBuilder::new("a", 2, exp(1.0)).next("b", 0.5))
            .queue(
                QueueBuilder::new("b", 1, exp(0.5))
                    .capacity(4)
                    .patience(exp(3.0))
                    .dead_letter("c"),
            )
            .queue(QueueBuilder::new("c", UNLIMITED, exp(1.0)))
            .producer(ProducerBuilder::open("p", "a", exp(1.0)))
            .within([2.0, 1.0])
            .build()
            .unwrap();
        assert_eq!(
            model.queues[0].routes(),
            [Route {
                queue: 1,
                probability: 0.5
            }]
        );
        assert_eq!(model.queues[1].capacity(), Some(4));
        assert_eq!(model.queues[1].dead_letter(), Some(2));
        assert!(model.is_network());
        let within: Vec<f64> = model.within.iter().map(|t| t.value()).collect();
        assert_eq!(within, [1.0, 2.0]);
        assert_eq!(model.classes[0].name, "default");
    }

    #[test]
    fn builds_length_limits_and_their_overflow() {
        let model = Model::builder("rabbit")
            .queue(
                QueueBuilder::new("q", 3, exp(1.0))
                    .max_length(5)
                    .overflow(Overflow::DropHead)
                    .dead_letter("dlq"),
            )
            .queue(QueueBuilder::new("r", 1, exp(1.0)).capacity(2))
            .queue(QueueBuilder::new("dlq", 1, exp(0.1)))
            .producer(ProducerBuilder::open("p", "q", exp(1.0)))
            .producer(ProducerBuilder::open("p2", "r", exp(1.0)))
            .build()
            .unwrap();
        let [q, r, _] = &model.queues[..] else {
            panic!("three queues");
        };
        assert_eq!(
            q.admission,
            Admission::Bounded {
                limit: Limit::Waiting(5),
                overflow: Overflow::DropHead,
            }
        );
        // Room for the 3 consumers and 5 waiting.
        assert_eq!(q.capacity(), Some(8));
        assert_eq!(q.admission.capacity(), None);
        assert_eq!(q.dead_letter(), Some(2));
        assert_eq!(r.admission, Admission::with_capacity(Some(2)));
        assert_eq!(r.dead_letter(), None);
    }

    #[test]
    fn refuses_what_a_scenario_file_would_refuse_naming_the_part() {
        let cases: Vec<(ModelBuilder, &str, &str)> = vec![
            (mm1(|q| q).within([1.0, 1.0]), "compare.within", "twice"),
            (Model::builder("../x"), "name", "folder name"),
            (
                mm1(|q| QueueBuilder { consumers: 0, ..q }),
                "queues.q.consumers",
                "at least 1",
            ),
            (
                mm1(|q| {
                    q.prefetch(10)
                        .max_length(5)
                        .overflow(Overflow::DropHead)
                        .retry(0.1, None, Redelivery::Head)
                }),
                "queues.q.retry.requeue",
                "drop-head",
            ),
            (
                mm1(|q| q.capacity(0)),
                "queues.q.capacity",
                "at least the 1 consumers",
            ),
            (
                mm1(|q| q.next("nowhere", 0.5)),
                "queues.q.next",
                "no queue named \"nowhere\" (queues: q)",
            ),
            (
                mm1(|q| q.next("q", 1.5)),
                "queues.q.next",
                "must be in [0, 1]",
            ),
            (
                mm1(|q| q.next("q", 1.0)),
                "queues",
                "never lets messages leave",
            ),
            (
                mm1(|q| q.dead_letter("q")),
                "queues.q.dead_letter",
                "receives expired messages (set a `patience`), overflow victims",
            ),
            (
                mm1(|q| q.capacity(2).dead_letter("q")),
                "queues.q.dead_letter",
                "overflow victims (`overflow",
            ),
            (
                mm1(|q| q.capacity(2).max_length(1)),
                "queues.q.max_length",
                "either `capacity` (messages in queue + in service) or `max_length`",
            ),
            (
                mm1(|_| QueueBuilder::new("q", UNLIMITED, exp(1.0)).max_length(1)),
                "queues.q.max_length",
                "no message waits",
            ),
            (
                mm1(|q| q.max_length(1).backlog(3)),
                "queues.q.backlog",
                "counts in the max_length (room for 2 messages",
            ),
            (
                mm1(|q| q.overflow(Overflow::DropHead)),
                "queues.q.overflow",
                "set `capacity` or `max_length`",
            ),
            (
                mm1(|q| {
                    q.max_length(2)
                        .overflow(Overflow::DropHead)
                        .discipline(Discipline::Lifo)
                }),
                "queues.q.overflow",
                "only the `fifo` discipline defines; got `lifo`",
            ),
            (
                mm1(|q| q.max_length(2).overflow(Overflow::RejectToDeadLetter)),
                "queues.q.overflow",
                "sends rejected arrivals to the queue's `dead_letter`",
            ),
            (
                mm1(|q| {
                    q.max_length(2)
                        .overflow(Overflow::DropHead)
                        .dead_letter("q")
                }),
                "queues.q.dead_letter",
                "its own dead-letter queue",
            ),
            (
                mm1(|q| q.patience(exp(1.0)).dead_letter("q")),
                "queues.q.dead_letter",
                "its own dead-letter queue",
            ),
            (
                mm1(|q| QueueBuilder {
                    service: Dist::pareto(0.5, 1.0).unwrap(),
                    ..q
                }),
                "queues.q.service",
                "finite mean > 0",
            ),
            (
                mm1(|q| q).queue(QueueBuilder::new("idle", 1, exp(1.0))),
                "queues.idle",
                "receives no messages",
            ),
            (
                mm1(|q| q).queue(QueueBuilder::new("q", 1, exp(1.0))),
                "queues.q",
                "used twice",
            ),
            (
                mm1(|q| q).class(Class::new("gold")),
                "producers.p.class",
                "one of: gold",
            ),
            (
                Model::builder("t")
                    .queue(QueueBuilder::new("q", 1, exp(1.0)))
                    .producer(ProducerBuilder::closed("p", "q", 0, exp(1.0))),
                "producers.p.closed",
                "at least 1",
            ),
            (
                Model::builder("t").queue(QueueBuilder::new("q", 1, exp(1.0))),
                "producers",
                "at least one",
            ),
        ];
        for (builder, key, says) in cases {
            let (got_key, message) = refused(builder);
            assert_eq!(got_key, key, "{message}");
            assert!(message.contains(says), "{key}: {message}");
        }
    }
}
