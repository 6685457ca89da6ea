//! The behaviours a model uses beyond a plain FIFO queue with Poisson
//! arrivals and exponential service, found by taking every part of the
//! model apart field by field: a new field breaks the build here until
//! someone decides which feature it is. Theory families and live runs
//! declare the features they cover; anything else gets no formula, or no
//! live run.

use super::{
    Admission, Arrivals, Availability, Class, Consumption, Discipline, Dispatch, Exit, Expiry,
    Limit, Model, Overflow, Producer, Queue, Redelivery, Retry, UNLIMITED, Window,
};
use crate::dist::Dist;

/// One behaviour of a model beyond the plain M/M/c queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    /// Open arrivals whose gaps are not exponential.
    RenewalArrivals,
    /// Arrivals replaying recorded gaps in order (`trace`).
    TraceArrivals,
    /// A closed loop of clients.
    ClosedLoop,
    /// A producer rate that follows a profile.
    RateProfile,
    /// Consumers that follow a schedule.
    ConsumerSchedule,
    /// More than one message class.
    Classes,
    /// A class with its own service time.
    ClassService,
    /// Service times that are not exponential.
    GeneralService,
    /// One consumer per message.
    UnlimitedConsumers,
    /// Last in, first out.
    Lifo,
    /// Random order.
    RandomOrder,
    /// LIFO with preemptive resume.
    LifoPreemptive,
    /// Priority classes, without preemption.
    Priority,
    /// Priority classes, with preemptive resume.
    PriorityPreemptive,
    /// Processor sharing.
    ProcessorSharing,
    /// A bounded queue.
    Capacity,
    /// Messages that expire while they wait.
    Patience,
    /// Expired messages, or messages whose retries ran out, sent to
    /// another queue.
    DeadLetter,
    /// Messages routed to another queue after service.
    Routing,
    /// Messages waiting when the run starts.
    Backlog,
    /// Prefetch windows without a limit: a round-robin split of the
    /// arrivals over the consumers.
    UnlimitedPrefetch,
    /// Finite prefetch windows beyond one message acknowledged at once
    /// (which is the shared line).
    PrefetchWindow,
    /// A length limit that counts waiting messages only.
    MaxLength,
    /// A full queue drops its oldest waiting message to let an arrival in.
    DropHead,
    /// A full queue sends the rejected arrival to its dead-letter queue.
    RejectToDeadLetter,
    /// A partitioned queue read by a consumer group, fed by producers
    /// with keys (each partition then receives a split of their streams).
    Partitions,
    /// A producer without keys sending round-robin over a partitioned
    /// queue's partitions (a partition then receives every P-th message).
    RoundRobinPartitioning,
    /// Failed deliveries delivered again after a delay (`retry`).
    RetryDelays,
    /// Failed deliveries served again at once (`retry.requeue = "head"`).
    RequeueHead,
    /// Consumers that fail and are repaired (`outage`).
    Outages,
    /// Polls of one message each with an overhead: every message's
    /// service is the overhead plus its own.
    PollOverhead,
    /// Polls of batches that pay an overhead or wait for a fetch minimum.
    BatchPolling,
    /// Poll timeouts and the rebalances they trigger.
    PollTimeouts,
    /// Consumers joining or leaving a group at given times, and the
    /// rebalances they trigger (`group_changes`).
    GroupChanges,
    /// Consumers of a partitioned queue serving their partitions'
    /// messages with several threads at once (`threads` above 1).
    ConsumerThreads,
    /// Failed records of a partition retried after a delay their consumer
    /// is held through (`retry` with `delays` or `backoff` on `partitions`).
    BlockingRetry,
    /// A lease on each delivery (`ack_wait`): one not acknowledged in time
    /// is delivered again while its consumer goes on with it; no formula
    /// covers the waits this duplicate work causes.
    Lease,
    /// Several consumer groups reading one topic (`topic`): each group's
    /// queue receives a copy of every message on the same partition.
    FanOut,
    /// Deliveries that take time to reach their consumer (`delivery`):
    /// no formula covers a window slot held through the trip.
    DeliveryTrip,
}

impl Feature {
    /// Every feature, in declaration order.
    pub const ALL: [Feature; 39] = [
        Feature::RenewalArrivals,
        Feature::TraceArrivals,
        Feature::ClosedLoop,
        Feature::RateProfile,
        Feature::ConsumerSchedule,
        Feature::Classes,
        Feature::ClassService,
        Feature::GeneralService,
        Feature::UnlimitedConsumers,
        Feature::Lifo,
        Feature::RandomOrder,
        Feature::LifoPreemptive,
        Feature::Priority,
        Feature::PriorityPreemptive,
        Feature::ProcessorSharing,
        Feature::Capacity,
        Feature::Patience,
        Feature::DeadLetter,
        Feature::Routing,
        Feature::Backlog,
        Feature::UnlimitedPrefetch,
        Feature::PrefetchWindow,
        Feature::MaxLength,
        Feature::DropHead,
        Feature::RejectToDeadLetter,
        Feature::Partitions,
        Feature::RoundRobinPartitioning,
        Feature::RetryDelays,
        Feature::RequeueHead,
        Feature::Outages,
        Feature::PollOverhead,
        Feature::BatchPolling,
        Feature::PollTimeouts,
        Feature::GroupChanges,
        Feature::ConsumerThreads,
        Feature::BlockingRetry,
        Feature::Lease,
        Feature::FanOut,
        Feature::DeliveryTrip,
    ];

    /// The feature in a few words, naming its scenario key.
    pub fn describe(self) -> &'static str {
        match self {
            Feature::RenewalArrivals => "non-exponential interarrival times",
            Feature::TraceArrivals => "a recorded `trace` of arrivals",
            Feature::ClosedLoop => "a closed loop of clients (`population`)",
            Feature::RateProfile => "a `rate_profile`",
            Feature::ConsumerSchedule => "a consumer `schedule`",
            Feature::Classes => "several message classes",
            Feature::ClassService => "a class with its own `service`",
            Feature::GeneralService => "non-exponential service times",
            Feature::UnlimitedConsumers => "`consumers = \"unlimited\"`",
            Feature::Lifo => "the `lifo` discipline",
            Feature::RandomOrder => "the `random` discipline",
            Feature::LifoPreemptive => "the `lifo-preemptive` discipline",
            Feature::Priority => "the `priority` discipline",
            Feature::PriorityPreemptive => "the `priority-preemptive` discipline",
            Feature::ProcessorSharing => "the `processor-sharing` discipline",
            Feature::Capacity => "a `capacity`",
            Feature::Patience => "messages that expire (`patience`)",
            Feature::DeadLetter => "a `dead_letter` queue",
            Feature::Routing => "routing to another queue (`next`)",
            Feature::Backlog => "a starting `backlog`",
            Feature::UnlimitedPrefetch => "`prefetch = \"unlimited\"`",
            Feature::PrefetchWindow => "a finite `prefetch` window (beyond 1 acknowledged at once)",
            Feature::MaxLength => "a `max_length` (waiting messages only)",
            Feature::DropHead => "`overflow = \"drop-head\"`",
            Feature::RejectToDeadLetter => "`overflow = \"reject-publish-dlx\"`",
            Feature::Partitions => "a partitioned queue (`partitions`)",
            Feature::RoundRobinPartitioning => {
                "a producer without `keys` sending round-robin over partitions"
            }
            Feature::RetryDelays => "failed deliveries retried after a delay (`retry`)",
            Feature::RequeueHead => "failed deliveries requeued at the head (`retry.requeue`)",
            Feature::Outages => "consumers that fail and are repaired (`outage`)",
            Feature::PollOverhead => "a `poll_overhead` on polls of one record",
            Feature::BatchPolling => {
                "batch polling (`max_poll_records` above 1 with a `poll_overhead`, or a `fetch_min` above 1)"
            }
            Feature::PollTimeouts => "poll timeouts and rebalances (`max_poll_interval`)",
            Feature::GroupChanges => "consumers joining or leaving the group (`group_changes`)",
            Feature::ConsumerThreads => "consumers serving their partitions with several `threads`",
            Feature::BlockingRetry => {
                "failed records retried after a delay their consumer is held through (`retry` on `partitions`)"
            }
            Feature::Lease => "a lease on each delivery, redelivered when it runs out (`ack_wait`)",
            Feature::FanOut => "several consumer groups on one topic (`topic`)",
            Feature::DeliveryTrip => {
                "deliveries that take time to reach their consumer (`delivery`)"
            }
        }
    }

    const fn bit(self) -> u64 {
        1 << self as u64
    }
}

/// A set of [`Feature`]s.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Features(u64);

impl Features {
    /// No feature: a plain M/M/c queue (or several).
    pub const NONE: Features = Features(0);

    /// The set of `features`.
    pub const fn of(features: &[Feature]) -> Features {
        let mut bits = 0;
        let mut i = 0;
        while i < features.len() {
            bits |= 1 << features[i] as u64;
            i += 1;
        }
        Features(bits)
    }

    /// Every order but FIFO (declared one after the other, `Lifo` to
    /// `ProcessorSharing`).
    pub const ORDERS: Features =
        Features((Feature::ProcessorSharing.bit() << 1) - Feature::Lifo.bit());

    /// The features of both sets.
    pub const fn union(self, other: Features) -> Features {
        Features(self.0 | other.0)
    }

    /// The features of `self` that are not in `other`.
    pub const fn without(self, other: Features) -> Features {
        Features(self.0 & !other.0)
    }

    /// True when `feature` is in the set.
    pub fn contains(self, feature: Feature) -> bool {
        self.0 & feature.bit() != 0
    }

    /// True when every feature of `self` is in `other`.
    pub fn within(self, other: Features) -> bool {
        self.0 & !other.0 == 0
    }

    /// The features of the set, in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Feature> {
        Feature::ALL.into_iter().filter(move |f| self.contains(*f))
    }

    fn insert(&mut self, feature: Feature) {
        self.0 |= feature.bit();
    }
}

/// Where in a model a feature was found, e.g. "queue `orders`".
pub type Site = String;

impl Model {
    /// Every feature of the model with the first place it was found.
    pub fn feature_sites(&self) -> Vec<(Feature, Site)> {
        let Model {
            name: _,
            time_unit: _,
            producers,
            queues,
            classes,
            within: _,       // what to measure, not how the queues behave
            report_every: _, // likewise
        } = self;
        let mut sites = Vec::new();
        for producer in producers {
            producer_features(producer, &mut sites);
            // Its keys matter where it feeds a partitioned queue: without,
            // it sends round-robin (a copy for another consumer group
            // takes its original's partitions).
            let partitioned = queues[producer.queue].partitioning().is_some();
            if partitioned && producer.keys.is_none() && producer.copy_of.is_none() {
                let site = format!("producer `{}`", producer.name);
                sites.push((Feature::RoundRobinPartitioning, site));
            }
        }
        for queue in queues {
            queue_features(queue, &mut sites);
        }
        if classes.len() > 1 {
            sites.push((Feature::Classes, format!("class `{}`", classes[1].name)));
        }
        for class in classes {
            class_features(class, &mut sites);
        }
        // The service each class gets at each queue it reaches, the
        // queue's own or its class's.
        for class in 0..classes.len() {
            let reached = self.reached_by(|p| p.class == class);
            for (queue, spec) in queues.iter().enumerate() {
                if reached[queue] && !self.service(queue, class).is_exponential() {
                    sites.push((Feature::GeneralService, format!("queue `{}`", spec.name)));
                }
            }
        }
        let mut seen = Features::NONE;
        sites.retain(|(feature, _)| {
            let new = !seen.contains(*feature);
            seen.insert(*feature);
            new
        });
        sites
    }

    /// The set of the model's features.
    pub fn features(&self) -> Features {
        let mut set = Features::NONE;
        for (feature, _) in self.feature_sites() {
            set.insert(feature);
        }
        set
    }
}

fn producer_features(producer: &Producer, sites: &mut Vec<(Feature, Site)>) {
    let Producer {
        name,
        queue: _,
        arrivals,
        class: _,
        profile,
        keys: _, // with its queue, in `feature_sites`
        copy_of,
    } = producer;
    let site = || format!("producer `{name}`");
    match arrivals {
        Arrivals::Open { interarrival } => match interarrival {
            Dist::Sequence { .. } => sites.push((Feature::TraceArrivals, site())),
            gaps if !gaps.is_exponential() => sites.push((Feature::RenewalArrivals, site())),
            _ => {}
        },
        Arrivals::Closed {
            population: _,
            think: _,
        } => sites.push((Feature::ClosedLoop, site())),
    }
    if profile.is_some() {
        sites.push((Feature::RateProfile, site()));
    }
    if copy_of.is_some() {
        sites.push((Feature::FanOut, site()));
    }
}

fn queue_features(queue: &Queue, sites: &mut Vec<(Feature, Site)>) {
    let Queue {
        name,
        consumers,
        schedule,
        service: _, // with the classes' services, in `feature_sites`
        admission,
        discipline,
        dispatch,
        consumption,
        availability,
        exit:
            Exit {
                routes,
                expiry,
                retry,
                lease,
                dead_letter,
            },
        backlog,
    } = queue;
    let site = || format!("queue `{name}`");
    let order = match discipline {
        Discipline::Fifo => None,
        Discipline::Lifo => Some(Feature::Lifo),
        Discipline::Random => Some(Feature::RandomOrder),
        Discipline::LifoPreemptive => Some(Feature::LifoPreemptive),
        Discipline::Priority => Some(Feature::Priority),
        Discipline::PriorityPreemptive => Some(Feature::PriorityPreemptive),
        Discipline::ProcessorSharing => Some(Feature::ProcessorSharing),
    };
    let (bounded, waiting_limit, overflow) = match admission {
        Admission::Unbounded => (false, false, None),
        Admission::Bounded { limit, overflow } => {
            (true, matches!(limit, Limit::Waiting(_)), Some(*overflow))
        }
    };
    let overflow_feature = match overflow {
        None | Some(Overflow::RejectNew) => None,
        Some(Overflow::DropHead) => Some(Feature::DropHead),
        Some(Overflow::RejectToDeadLetter) => Some(Feature::RejectToDeadLetter),
    };
    // (Prefetch 1 acknowledged at once is exactly the shared line.)
    let dispatched = match dispatch {
        Dispatch::SharedLine => None,
        Dispatch::Partitioned(_) => Some(Feature::Partitions),
        Dispatch::Window(window) if window.is_shared_line() => None,
        Dispatch::Window(window) if window.is_unlimited() => Some(Feature::UnlimitedPrefetch),
        Dispatch::Window(_) => Some(Feature::PrefetchWindow),
    };
    let delivery_trip = match dispatch {
        Dispatch::Window(Window {
            prefetch: _,
            ack: _,
            delivery,
        }) => delivery.is_some(),
        Dispatch::SharedLine | Dispatch::Partitioned(_) => false,
    };
    // A partition's delays hold its consumer (blocking retries).
    let partitioned = matches!(dispatch, Dispatch::Partitioned(_));
    // Polls that take what is there at once and cost nothing serve as one
    // message at a time.
    let (consumed, timeouts, changes) = match consumption {
        Consumption::OneAtATime => (None, false, false),
        Consumption::Polls(poll) => (
            if poll.is_one_at_a_time() {
                None
            } else if poll.is_single_record() {
                Some(Feature::PollOverhead)
            } else {
                Some(Feature::BatchPolling)
            },
            poll.timeout.is_some(),
            poll.changes.is_some(),
        ),
    };
    let outages = match availability {
        Availability::AlwaysUp => false,
        Availability::Outages(_) => true,
    };
    let patience = match expiry {
        None => false,
        Some(Expiry { patience: _ }) => true,
    };
    let (delays, head) = match retry {
        None => (false, false),
        Some(Retry {
            p: _,
            max_retries: _,
            redelivery,
        }) => (
            matches!(redelivery, Redelivery::After(_)),
            matches!(redelivery, Redelivery::Head),
        ),
    };
    let present = [
        (*consumers == UNLIMITED, Feature::UnlimitedConsumers),
        (bounded && !waiting_limit, Feature::Capacity),
        (waiting_limit, Feature::MaxLength),
        (!routes.is_empty(), Feature::Routing),
        (patience, Feature::Patience),
        (dead_letter.is_some(), Feature::DeadLetter),
        (delays && !partitioned, Feature::RetryDelays),
        (delays && partitioned, Feature::BlockingRetry),
        (head, Feature::RequeueHead),
        (schedule.is_some(), Feature::ConsumerSchedule),
        (*backlog > 0, Feature::Backlog),
        (outages, Feature::Outages),
        (timeouts, Feature::PollTimeouts),
        (changes, Feature::GroupChanges),
        (queue.threads() > 1, Feature::ConsumerThreads),
        (lease.is_some(), Feature::Lease),
        (delivery_trip, Feature::DeliveryTrip),
    ];
    sites.extend(order.map(|feature| (feature, site())));
    sites.extend(dispatched.map(|feature| (feature, site())));
    sites.extend(consumed.map(|feature| (feature, site())));
    sites.extend(overflow_feature.map(|feature| (feature, site())));
    for (is_present, feature) in present {
        if is_present {
            sites.push((feature, site()));
        }
    }
}

fn class_features(class: &Class, sites: &mut Vec<(Feature, Site)>) {
    let Class {
        name,
        priority: _,
        service,
    } = class;
    if service.is_some() {
        sites.push((Feature::ClassService, format!("class `{name}`")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_feature_once_in_declaration_order() {
        for (index, feature) in Feature::ALL.into_iter().enumerate() {
            assert_eq!(feature as usize, index, "{feature:?}");
        }
    }

    #[test]
    fn sets_hold_what_was_put_in() {
        let set = Features::of(&[Feature::Capacity, Feature::Routing]);
        assert!(set.contains(Feature::Capacity) && !set.contains(Feature::Lifo));
        assert!(Features::of(&[Feature::Routing]).within(set));
        assert!(!set.within(Features::of(&[Feature::Routing])));
        assert!(Features::NONE.within(Features::NONE));
        let listed: Vec<Feature> = set.iter().collect();
        assert_eq!(listed, [Feature::Capacity, Feature::Routing]);
        let orders: Vec<Feature> = Features::ORDERS.iter().collect();
        assert_eq!(
            orders,
            [
                Feature::Lifo,
                Feature::RandomOrder,
                Feature::LifoPreemptive,
                Feature::Priority,
                Feature::PriorityPreemptive,
                Feature::ProcessorSharing
            ]
        );
    }
}
