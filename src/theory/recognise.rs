//! Recognises which formula fits a [`Model`] and assembles its rows:
//! single queues (M/M/c, M/M/c/K, Erlang B, M/G/1, priority classes,
//! GI/G/c approximations), open Jackson networks, queues whose failed
//! deliveries are retried (after a delay, or at the head of the line), and
//! queues whose consumers fail and are repaired.

use super::abandonment::ErlangA;
use super::gim1::GiM1;
use super::result::TheoryResult;
use super::{
    approx, drain, erlang, idle, jackson, lease, mg1, mmc::Mmc, mmck::Mmck, mva, outage,
    partitions, prefetch, priority, retry, within,
};
use crate::dist::Dist;
use crate::model::Target;
use crate::model::metric::Metric;
use crate::model::{
    Arrivals, Discipline, Feature, Features, Model, Outage, Overflow, Producer, Redelivery, Retry,
};

/// The flow of one class through one queue.
#[derive(Clone, Copy, Debug)]
struct Flow {
    rate: f64,
    service_mean: f64,
    service_scv: f64,
}

/// The traffic at one queue, class by class.
struct StationTraffic<'a> {
    model: &'a Model,
    queue: usize,
    flows: Vec<Flow>,
}

impl StationTraffic<'_> {
    fn rate(&self) -> f64 {
        self.flows.iter().map(|f| f.rate).sum()
    }

    fn consumers(&self) -> u32 {
        self.model.queues[self.queue].consumers
    }

    fn discipline(&self) -> Discipline {
        self.model.queues[self.queue].discipline
    }

    /// Mean of the service mixture seen by an arbitrary message.
    fn service_mean(&self) -> f64 {
        self.flows
            .iter()
            .map(|f| f.rate * f.service_mean)
            .sum::<f64>()
            / self.rate()
    }

    /// SCV of the service mixture seen by an arbitrary message.
    fn service_scv(&self) -> f64 {
        let second_moment = self
            .flows
            .iter()
            .map(|f| f.rate * f.service_mean.powi(2) * (1.0 + f.service_scv))
            .sum::<f64>()
            / self.rate();
        second_moment / self.service_mean().powi(2) - 1.0
    }

    /// The common mean when every class with traffic has exponential
    /// service of the same mean.
    fn common_exponential_mean(&self) -> Option<f64> {
        let mut common = None;
        for (class, flow) in self.flows.iter().enumerate() {
            if flow.rate == 0.0 {
                continue;
            }
            if !self.model.service(self.queue, class).is_exponential() {
                return None;
            }
            match common {
                None => common = Some(flow.service_mean),
                Some(mean) if mean == flow.service_mean => {}
                Some(_) => return None,
            }
        }
        common
    }

    /// True when messages are served in arrival order: FIFO, or priority
    /// with a single level in use.
    fn in_arrival_order(&self) -> bool {
        match self.discipline() {
            Discipline::Fifo => true,
            Discipline::Priority | Discipline::PriorityPreemptive => {
                self.priority_levels().is_none()
            }
            Discipline::Lifo
            | Discipline::Random
            | Discipline::LifoPreemptive
            | Discipline::ProcessorSharing => false,
        }
    }

    /// Classes grouped by priority level (most urgent first) when the
    /// discipline is priority with more than one level in use.
    fn priority_levels(&self) -> Option<Vec<Vec<usize>>> {
        if !matches!(
            self.discipline(),
            Discipline::Priority | Discipline::PriorityPreemptive
        ) {
            return None;
        }
        let mut priorities: Vec<i64> = (0..self.flows.len())
            .filter(|&k| self.flows[k].rate > 0.0)
            .map(|k| self.model.classes[k].priority)
            .collect();
        priorities.sort_unstable();
        priorities.dedup();
        (priorities.len() > 1).then(|| {
            priorities
                .iter()
                .map(|&p| {
                    (0..self.flows.len())
                        .filter(|&k| {
                            self.flows[k].rate > 0.0 && self.model.classes[k].priority == p
                        })
                        .collect()
                })
                .collect()
        })
    }
}

/// Formula rows, each for one target.
type Rows = Vec<(Target, TheoryResult)>;

/// A formula family: the features a model must have to be its case, the
/// features its formulas account for, and its rows. A model with a
/// feature outside `covers` is not its case, whatever `rows` would say.
struct Family {
    requires: Features,
    covers: Features,
    rows: fn(&Model, &[StationTraffic<'_>]) -> Option<Rows>,
}

/// The formula families, tried in order. Rates that follow profiles or
/// schedules are in none: they have no steady state (see `pointwise`). Nor
/// is a starting backlog: the run's figures include its catch-up, whose
/// drain time alone has a formula (see `drain`).
const FAMILIES: [Family; 12] = [
    // Independent queues, each fed by its own producers: M/M/c, M/M/c/K
    // (a `max_length` N is K = c + N; drop-head's count process is
    // M/M/c/K's), Erlang A, M/G/1, M/G/inf, priority classes, GI/G/c
    // approximations.
    Family {
        requires: Features::NONE,
        covers: Features::of(&[
            Feature::RenewalArrivals,
            Feature::TraceArrivals,
            Feature::Classes,
            Feature::ClassService,
            Feature::GeneralService,
            Feature::UnlimitedConsumers,
            Feature::Capacity,
            Feature::MaxLength,
            Feature::DropHead,
            Feature::RejectToDeadLetter,
            Feature::Patience,
            Feature::DeadLetter,
        ])
        .union(Features::ORDERS),
        rows: independent_queues,
    },
    // Open Jackson networks: Poisson producers, unbounded exponential
    // stations.
    Family {
        requires: Features::of(&[Feature::Routing]),
        covers: Features::of(&[
            Feature::Routing,
            Feature::Classes,
            Feature::ClassService,
            Feature::UnlimitedConsumers,
        ])
        .union(Features::ORDERS),
        rows: jackson_network,
    },
    // The same with partitioned queues, fed by Poisson producers and
    // serving exponentially, and delays of any service (retry topics: a
    // topic routing failed records through back-off delays to retry
    // topics and a dead-letter topic); see `jackson_network`.
    Family {
        requires: Features::of(&[Feature::Routing, Feature::Partitions]),
        covers: Features::of(&[
            Feature::Routing,
            Feature::Partitions,
            Feature::UnlimitedConsumers,
            Feature::GeneralService,
        ]),
        rows: jackson_network,
    },
    // One closed loop of one class: exact MVA.
    Family {
        requires: Features::of(&[Feature::ClosedLoop]),
        covers: Features::of(&[
            Feature::ClosedLoop,
            Feature::Routing,
            Feature::GeneralService,
            Feature::UnlimitedConsumers,
        ])
        .union(Features::ORDERS),
        rows: |model, _| closed_network(model),
    },
    // Prefetch windows without a limit: a round-robin split, E_c/G/1 per
    // consumer (exact for exponential service). Every message is delivered
    // at once, so a TTL (which runs only in the ready line) never fires.
    Family {
        requires: Features::of(&[Feature::UnlimitedPrefetch]),
        covers: Features::of(&[
            Feature::UnlimitedPrefetch,
            Feature::GeneralService,
            Feature::Patience,
        ]),
        rows: |model, _| Some(prefetch::round_robin_rows(model)),
    },
    // Partitioned queues fed by Poisson producers with keys: an M/G/1 per
    // consumer (see `partitions.rs`), whose service with single-record
    // polls is the poll overhead plus the message's, and with retry in
    // place or blocking retries the compound service of its deliveries
    // (and the delays its consumer is held through); other queues as
    // independent ones, dead-letter queues none. Batches that pay an
    // overhead or wait for a fetch minimum have no formula here. Several
    // consumer groups on one topic see the same messages, but each group
    // alone is fed by the topic's Poisson producers: exact per group.
    Family {
        requires: Features::of(&[Feature::Partitions]),
        covers: Features::of(&[
            Feature::Partitions,
            Feature::GeneralService,
            Feature::PollOverhead,
            Feature::RequeueHead,
            Feature::BlockingRetry,
            Feature::DeadLetter,
            Feature::FanOut,
        ]),
        rows: partitioned_queues,
    },
    // Partitions whose consumers serve with several threads (RocketMQ 4.x
    // concurrent consumption): an M/M/T per consumer, exact only when every
    // service is exponential of one mean (M/G/T has no exact formula).
    Family {
        requires: Features::of(&[Feature::ConsumerThreads]),
        covers: Features::of(&[
            Feature::Partitions,
            Feature::ConsumerThreads,
            Feature::FanOut,
        ]),
        rows: partitioned_queues,
    },
    // The same with any other service: M/G/T per consumer, APPROXIMATE
    // (Allen–Cunneen with Poisson arrivals, formulas.md §11: the M/M/T
    // mean wait times (1 + c_s²)/2; means only, `exact = false`).
    Family {
        requires: Features::of(&[Feature::ConsumerThreads, Feature::GeneralService]),
        covers: Features::of(&[
            Feature::Partitions,
            Feature::ConsumerThreads,
            Feature::GeneralService,
        ]),
        rows: partitioned_queues,
    },
    // Partitions fed by one renewal producer (OMB's evenly spaced
    // messages), or sent round-robin without keys: a GI/M/1 per consumer
    // with exponential service (see `partitions::renewal_rows`), each
    // consumer group alone on the topic's stream; other queues as
    // independent ones.
    Family {
        requires: Features::of(&[Feature::Partitions]),
        covers: Features::of(&[
            Feature::Partitions,
            Feature::RenewalArrivals,
            Feature::RoundRobinPartitioning,
            Feature::FanOut,
        ]),
        rows: renewal_partitioned_queues,
    },
    // Retries after a delay: Poisson producers, FIFO queues with
    // exponential service, the same for every delivery. With the retry
    // count as the class and the delays as infinite-server stations, the
    // queue and its delays are a BCMP network in product form, so each
    // queue is M/M/c at its delivery rate, visit by visit (arrivals see
    // time averages). Dead-letter queues get no formula (a thinned output).
    Family {
        requires: Features::of(&[Feature::RetryDelays]),
        covers: Features::of(&[
            Feature::RetryDelays,
            Feature::DeadLetter,
            Feature::UnlimitedConsumers,
        ]),
        rows: retry_queues,
    },
    // Requeued at the head: one longer service per message (see
    // `requeue_rows`). Dead-letter queues get no formula.
    Family {
        requires: Features::of(&[Feature::RequeueHead]),
        covers: Features::of(&[
            Feature::RequeueHead,
            Feature::DeadLetter,
            Feature::GeneralService,
            Feature::UnlimitedConsumers,
        ]),
        rows: retry_queues,
    },
    // Consumer outages (see `outage_rows`), beside plain queues; every
    // queue fed by producers only.
    Family {
        requires: Features::of(&[Feature::Outages]),
        covers: Features::of(&[
            Feature::Outages,
            Feature::GeneralService,
            Feature::PrefetchWindow,
            Feature::UnlimitedPrefetch,
        ])
        .union(Features::ORDERS),
        rows: outage_queues,
    },
];

/// Formula rows for every target of `model` that a formula covers; empty
/// when no formula family covers every feature of the model. Rows with an
/// exact waiting or sojourn distribution carry the model's service-level
/// metrics too (see `within.rs`), a fixed partitioned group's its idle
/// consumers (see `idle.rs`).
pub fn evaluate(model: &Model) -> Vec<(Target, TheoryResult)> {
    let rows = retry::with_retry_figures(model, formulas(model));
    let rows = lease::with_lease_figures(model, rows);
    let rows = within::with_service_levels(model, rows);
    drain::with_drain_times(model, idle::with_idle_consumers(model, rows))
}

/// The first family that covers every one of `features`.
fn covering_family(features: Features) -> Option<&'static Family> {
    FAMILIES
        .iter()
        .find(|f| f.requires.within(features) && features.within(f.covers))
}

/// Rates or consumers that change over time: no steady state for the
/// whole run, only per interval (see `pointwise`).
const CHANGING: Features = Features::of(&[Feature::RateProfile, Feature::ConsumerSchedule]);

/// Why no formula family answers for `model`, naming its features and
/// where they are; `None` when a family covers every feature (it may
/// still find no steady state, as for a load of 1 or more).
pub fn uncovered(model: &Model) -> Option<String> {
    let features = model.features();
    if covering_family(features).is_some() {
        return None;
    }
    // The sites of the features in `only`, named.
    let listed = |only: Features| -> String {
        let named: Vec<String> = model
            .feature_sites()
            .into_iter()
            .filter(|(feature, _)| only.contains(*feature))
            .map(|(feature, site)| format!("{} ({site})", feature.describe()))
            .collect();
        named.join(", ")
    };
    let backlog = Features::of(&[Feature::Backlog]);
    Some(if covering_family(features.without(backlog)).is_some() {
        format!(
            "the run's figures include the catch-up of {}; theory gives its drain_time only",
            listed(backlog)
        )
    } else if covering_family(features.without(CHANGING)).is_some() {
        format!(
            "the whole run has no steady state ({}); each interval gets the formulas at the rates then in force (an approximation)",
            listed(CHANGING)
        )
    } else {
        format!(
            "no formula family covers this model's features: {}",
            listed(features)
        )
    })
}

/// [`evaluate`] without the service-level metrics.
pub(super) fn formulas(model: &Model) -> Vec<(Target, TheoryResult)> {
    let Some(family) = covering_family(model.features()) else {
        return Vec::new();
    };
    let Some(rates) = model.arrival_rates() else {
        return Vec::new();
    };
    let stations: Vec<StationTraffic<'_>> = (0..model.queues.len())
        .map(|queue| StationTraffic {
            model,
            queue,
            flows: (0..model.classes.len())
                .map(|class| {
                    let service = model.service(queue, class);
                    Flow {
                        rate: rates[queue][class],
                        service_mean: service.mean(),
                        service_scv: service.scv(),
                    }
                })
                .collect(),
        })
        .collect();
    (family.rows)(model, &stations).unwrap_or_default()
}

/// Independent queues: each is a single queue fed by its own producers.
fn independent_queues(
    model: &Model,
    stations: &[StationTraffic<'_>],
) -> Option<Vec<(Target, TheoryResult)>> {
    let rows = stations
        .iter()
        .flat_map(|station| {
            // Expired messages and overflow victims arrive in no process a
            // formula covers.
            let dead_letters = model.queues.iter().filter_map(|q| q.dead_letter());
            if dead_letters.clone().any(|d| d == station.queue) {
                return Vec::new();
            }
            let producers: Vec<&Producer> = model
                .producers
                .iter()
                .filter(|p| p.queue == station.queue)
                .collect();
            let rows = if producers.iter().all(|p| p.is_poisson()) {
                single_queue(station)
            } else {
                renewal_queue(&producers, station)
            };
            rows.unwrap_or_default()
        })
        .collect();
    Some(rows)
}

/// Partitioned queues (an M/G/1 per consumer) beside independent ones;
/// dead-letter queues (fed by a thinned output) get no formula.
fn partitioned_queues(
    model: &Model,
    stations: &[StationTraffic<'_>],
) -> Option<Vec<(Target, TheoryResult)>> {
    let dead_letters: Vec<usize> = model
        .queues
        .iter()
        .filter_map(|q| q.dead_letter())
        .collect();
    let rows = stations
        .iter()
        .filter(|station| !dead_letters.contains(&station.queue))
        .flat_map(|station| {
            let spec = &model.queues[station.queue];
            let rows = if spec.partitioning().is_some() {
                // A poll overhead makes every service non-exponential;
                // retries in place leave the means only.
                let exponential_mean = station
                    .common_exponential_mean()
                    .filter(|_| spec.saturated_overhead() == 0.0 && spec.retry().is_none());
                partitions::partitioned_rows(model, station.queue, exponential_mean)
            } else if let Some(retry) = spec.retry() {
                // Requeued at the head: the only retries this family covers.
                requeue_rows(station, retry)
            } else {
                single_queue(station)
            };
            rows.unwrap_or_default()
        })
        .collect();
    Some(rows)
}

/// Partitioned queues fed by one renewal producer each (a GI/M/1 per
/// consumer where the service is exponential) beside independent queues.
fn renewal_partitioned_queues(
    model: &Model,
    stations: &[StationTraffic<'_>],
) -> Option<Vec<(Target, TheoryResult)>> {
    let mut rows = Vec::new();
    for station in stations {
        if model.queues[station.queue].partitioning().is_some() {
            let found = station
                .common_exponential_mean()
                .and_then(|mean| partitions::renewal_rows(model, station.queue, mean));
            rows.extend(found.unwrap_or_default());
        } else {
            rows.extend(independent_queues(model, std::slice::from_ref(station))?);
        }
    }
    Some(rows)
}

/// Queues with retries, and plain queues beside them, fed by Poisson
/// producers; dead-letter queues get no formula (a thinned output).
fn retry_queues(model: &Model, stations: &[StationTraffic<'_>]) -> Option<Rows> {
    let dead_letters: Vec<usize> = model
        .queues
        .iter()
        .filter_map(|q| q.dead_letter())
        .collect();
    let mut rows = Vec::new();
    for station in stations {
        if dead_letters.contains(&station.queue) {
            continue;
        }
        let queue = &model.queues[station.queue];
        let found = match queue.retry() {
            None => single_queue(station),
            Some(retry) if retry.redelivery == Redelivery::Head => requeue_rows(station, retry),
            Some(_) => single_queue(station).map(|mut rows| {
                for (_, row) in &mut rows {
                    row.model = format!("{} at the delivery rate (retries, BCMP)", row.model);
                }
                rows
            }),
        };
        rows.extend(found.unwrap_or_default());
    }
    Some(rows)
}

/// Queues whose consumers fail (see `outage_rows`), and plain queues on a
/// shared line beside them.
fn outage_queues(model: &Model, stations: &[StationTraffic<'_>]) -> Option<Rows> {
    let mut rows = Vec::new();
    for station in stations {
        let queue = &model.queues[station.queue];
        let found = match queue.outage() {
            Some(outage) => outage_rows(station, outage),
            None if queue.window().is_none_or(|w| w.is_shared_line()) => single_queue(station),
            None => None,
        };
        rows.extend(found.unwrap_or_default());
    }
    Some(rows)
}

/// A queue whose consumers fail: the availability E\[up\]/(E\[up\] +
/// E\[repair\]) always (an alternating renewal process); with exponential
/// up times on a shared line, the redeliveries per message E\[e^{ηS}\] − 1
/// (each attempt fails independently, whatever the consumers or the
/// arrivals: the consumer's rest of up time is Exp(η)); and with one
/// consumer, FIFO, fed by Poisson producers, the M/G/1 with breakdowns
/// at any time and preemptive-repeat (`outage.rs`, exact). Otherwise, fed
/// by Poisson producers and stable, the utilisation λ(E\[e^{ηS}\] − 1)/(ηc)
/// (Little's law on the attempts, exact). Nothing else: the waits of
/// several consumers have no exact formula (the QBD of M/M/c with
/// breakdowns resamples a cut service, see `outage.rs`), and prefetch
/// windows hand back deliveries not yet started too.
fn outage_rows(station: &StationTraffic<'_>, outage: &Outage) -> Option<Rows> {
    let model = station.model;
    let queue = &model.queues[station.queue];
    let target = Target {
        queue: Some(station.queue),
        class: None,
        partition: None,
    };
    let availability = outage.availability();
    let mut row = TheoryResult::new("consumer availability (alternating renewal)", true)
        .with(Metric::Availability, availability);
    let shared_line = queue.window().is_none_or(|w| w.is_shared_line());
    if !(shared_line && outage.up.is_exponential() && model.classes.len() == 1) {
        return Some(vec![(target, row)]);
    }
    let service = model.service(station.queue, 0);
    let mtbf = outage.up.mean();
    let repair = outage::Moments::of(&outage.repair);
    let Some(completion) = outage::completion(service, 1.0 / mtbf, repair) else {
        return Some(vec![(target, row)]);
    };
    row = TheoryResult::new(
        "consumer outages: availability (alternating renewal), redeliveries (geometric attempts)",
        true,
    )
    .with(Metric::Availability, availability)
    .with(Metric::RedeliveriesPerMessage, completion.redeliveries);
    let poisson = model
        .producers
        .iter()
        .filter(|p| p.queue == station.queue)
        .all(Producer::is_poisson);
    let lambda = station.rate();
    if queue.consumers == 1
        && queue.discipline == Discipline::Fifo
        && poisson
        && let Some(b) = outage::one_consumer(lambda, service, mtbf, &outage.repair)
    {
        row = TheoryResult::new(
            "M/G/1 with breakdowns at any time, preemptive-repeat (Gaver; Welch)",
            true,
        )
        .with_means(lambda * b.sojourn, lambda * b.wait, b.sojourn, b.wait)
        .with(Metric::Utilisation, b.utilisation)
        .with(Metric::Throughput, lambda)
        .with(Metric::PBlocked, 0.0)
        .with(Metric::Availability, availability)
        .with(Metric::RedeliveriesPerMessage, b.redeliveries);
    } else if poisson
        && let Some(busy) = outage::busy_share(lambda, &completion, queue.consumers, availability)
    {
        row = TheoryResult::new(
            "consumer outages: availability (alternating renewal), redeliveries (geometric attempts), utilisation (Little's law on the attempts)",
            true,
        )
        .with(Metric::Utilisation, busy)
        .with(Metric::Throughput, lambda)
        .with(Metric::PBlocked, 0.0)
        .with(Metric::Availability, availability)
        .with(Metric::RedeliveriesPerMessage, completion.redeliveries);
    }
    Some(vec![(target, row)])
}

/// A FIFO queue whose failed deliveries are requeued at the head: each
/// message holds its consumer for one compound service (see
/// `retry::compound_service`), arriving at the producers' rate. One
/// consumer: M/G/1, Pollaczek-Khinchine (exact). One per message: M/G/inf
/// (exact). Exponential service without an attempt limit: the compound
/// service is exponential at rate μ(1 - p), M/M/c (exact); with no retry
/// at all (`max_retries = 0`, every failure dead-lettered) M/M/c at μ.
/// Nothing otherwise. A visit is the message's whole stay, its wait the time to
/// its first service; percentiles are left out (the service levels would
/// read the delivery rate).
fn requeue_rows(station: &StationTraffic<'_>, retry: &Retry) -> Option<Rows> {
    let queue = &station.model.queues[station.queue];
    let lambda = station.rate() / retry.deliveries_per_message();
    let (mean, scv) = retry::compound_service(station.service_mean(), station.service_scv(), retry);
    let row = if queue.is_unlimited() {
        TheoryResult::new("M/G/inf with requeue at the head (compound service)", true)
            .with_means(lambda * mean, 0.0, mean, 0.0)
            .with(Metric::Throughput, lambda)
            .with(Metric::PWait, 0.0)
            .with(Metric::PBlocked, 0.0)
    } else if queue.consumers == 1 {
        let wait = mg1::mean_wait(lambda, mean, scv)?;
        let rho = lambda * mean;
        TheoryResult::new(
            "M/G/1 with requeue at the head (Pollaczek-Khinchine, compound service)",
            true,
        )
        .with_means(lambda * (wait + mean), lambda * wait, wait + mean, wait)
        .with(Metric::Utilisation, rho)
        .with(Metric::Throughput, lambda)
        .with(Metric::PWait, rho)
        .with(Metric::PBlocked, 0.0)
    } else {
        let single = station.common_exponential_mean()?;
        let rate = match retry.max_retries {
            // No retry: one delivery per message, M/M/c as it is.
            Some(0) => 1.0 / single,
            Some(_) => return None,
            None => (1.0 - retry.p) / single,
        };
        let mmc = Mmc::new(lambda, rate, queue.consumers)?;
        TheoryResult::new(
            format!(
                "M/M/{} with requeue at the head (exponential compound service)",
                queue.consumers
            ),
            true,
        )
        .with_means(
            mmc.mean_in_system(),
            mmc.mean_in_queue(),
            mmc.mean_sojourn(),
            mmc.mean_wait(),
        )
        .with(Metric::Utilisation, mmc.utilisation())
        .with(Metric::Throughput, lambda)
        .with(Metric::PWait, mmc.prob_wait())
        .with(Metric::PBlocked, 0.0)
    };
    let target = Target {
        queue: Some(station.queue),
        class: None,
        partition: None,
    };
    Some(vec![(target, row)])
}

/// Rows of a queue whose order ignores classes (FIFO, LIFO): every class
/// waits like the aggregate; `accepted` is the share not blocked.
fn class_blind_rows(
    station: &StationTraffic<'_>,
    aggregate: &TheoryResult,
    accepted: f64,
    same_service: bool,
) -> Vec<(Target, TheoryResult)> {
    let queue = Some(station.queue);
    let mut rows = vec![(
        Target {
            queue,
            class: None,
            partition: None,
        },
        aggregate.clone(),
    )];
    if !station.model.has_classes() {
        return rows;
    }
    let wait = aggregate.metrics.get(&Metric::MeanWait).copied();
    for (class, flow) in station.flows.iter().enumerate() {
        let (Some(wait), true) = (wait, flow.rate > 0.0) else {
            continue;
        };
        let throughput = flow.rate * accepted;
        let sojourn = wait + flow.service_mean;
        let mut row = TheoryResult::new(aggregate.model.clone(), aggregate.exact)
            .with_means(throughput * sojourn, throughput * wait, sojourn, wait)
            .with(Metric::Throughput, throughput);
        for metric in [
            Metric::PWait,
            Metric::PBlocked,
            Metric::WaitP50,
            Metric::WaitP90,
            Metric::WaitP99,
        ] {
            if let Some(&value) = aggregate.metrics.get(&metric) {
                row = row.with(metric, value);
            }
        }
        if same_service {
            for (metric, _) in Metric::SOJOURN_PERCENTILES {
                if let Some(&value) = aggregate.metrics.get(&metric) {
                    row = row.with(metric, value);
                }
            }
        }
        rows.push((
            Target {
                queue,
                class: Some(class),
                partition: None,
            },
            row,
        ));
    }
    rows
}

fn discipline_suffix(discipline: Discipline) -> &'static str {
    match discipline {
        Discipline::Lifo => " LIFO",
        Discipline::Random => " random order",
        Discipline::LifoPreemptive => " LIFO preemptive-resume",
        Discipline::ProcessorSharing => " processor sharing",
        Discipline::Fifo | Discipline::Priority | Discipline::PriorityPreemptive => "",
    }
}

/// M/G/inf (insensitive): nobody waits, the sojourn is the service; with
/// exponential service the sojourn percentiles too.
fn infinite_server_result(lambda: f64, mean: f64, name: String, exponential: bool) -> TheoryResult {
    let result = TheoryResult::new(name, true)
        .with_means(lambda * mean, 0.0, mean, 0.0)
        .with(Metric::Throughput, lambda)
        .with(Metric::PWait, 0.0)
        .with(Metric::PBlocked, 0.0)
        .with_wait_percentiles(|_| 0.0);
    if exponential {
        result.with_sojourn_percentiles(|p| -(1.0 - p).ln() * mean)
    } else {
        result
    }
}

/// M/M/c from Erlang C: the means (the count process ignores the order when
/// services are exponential and alike), `p_wait` without preemption, and
/// percentiles in arrival order.
fn mmc_result(mmc: &Mmc, name: String, station: &StationTraffic<'_>) -> TheoryResult {
    let fifo = station.in_arrival_order();
    let mut result = TheoryResult::new(name, true)
        .with_means(
            mmc.mean_in_system(),
            mmc.mean_in_queue(),
            mmc.mean_sojourn(),
            mmc.mean_wait(),
        )
        .with(Metric::Utilisation, mmc.utilisation())
        .with(Metric::Throughput, mmc.lambda())
        .with(Metric::PBlocked, 0.0);
    if !station.discipline().interrupts_service() {
        result = result.with(Metric::PWait, mmc.prob_wait());
    }
    if fifo {
        result
            .with_wait_percentiles(|p| mmc.wait_quantile(p).unwrap_or(f64::NAN))
            .with_sojourn_percentiles(|p| mmc.sojourn_quantile(p).unwrap_or(f64::NAN))
    } else {
        result
    }
}

fn single_queue(station: &StationTraffic<'_>) -> Option<Vec<(Target, TheoryResult)>> {
    let queue = &station.model.queues[station.queue];
    let (lambda, c) = (station.rate(), station.consumers());
    let suffix = discipline_suffix(queue.discipline);
    let exponential_mean = station.common_exponential_mean();
    if let Some(patience) = &queue.patience() {
        return expiring_queue(station, patience, exponential_mean);
    }
    if let Some(capacity) = queue.capacity() {
        return finite_queue(station, capacity, exponential_mean);
    }
    if queue.is_unlimited() {
        let exponential = exponential_mean.is_some();
        let aggregate = infinite_server_result(
            lambda,
            station.service_mean(),
            "M/G/inf".into(),
            exponential,
        );
        return Some(class_blind_rows(station, &aggregate, 1.0, exponential));
    }
    if let Some(levels) = station.priority_levels() {
        return priority_queue(station, &levels, exponential_mean);
    }
    if let Some(mean) = exponential_mean {
        let mmc = Mmc::new(lambda, 1.0 / mean, c)?;
        let aggregate = mmc_result(&mmc, format!("M/M/{c}{suffix}"), station);
        return Some(class_blind_rows(station, &aggregate, 1.0, true));
    }
    let (mean, scv) = (station.service_mean(), station.service_scv());
    if c == 1
        && matches!(
            queue.discipline,
            Discipline::LifoPreemptive | Discipline::ProcessorSharing
        )
    {
        return size_proportional_queue(station);
    }
    if c == 1 && !queue.discipline.interrupts_service() {
        let wait = mg1::mean_wait(lambda, mean, scv)?;
        let rho = lambda * mean;
        let aggregate = TheoryResult::new(format!("M/G/1{suffix} (Pollaczek-Khinchine)"), true)
            .with_means(lambda * (wait + mean), lambda * wait, wait + mean, wait)
            .with(Metric::Utilisation, rho)
            .with(Metric::Throughput, lambda)
            .with(Metric::PWait, rho)
            .with(Metric::PBlocked, 0.0);
        return Some(class_blind_rows(station, &aggregate, 1.0, false));
    }
    if queue.discipline.interrupts_service() {
        return None;
    }
    let wait = approx::allen_cunneen_mean_wait(lambda, 1.0 / mean, c, 1.0, scv)?;
    let aggregate = TheoryResult::new(
        format!("M/G/{c}{suffix} (Allen-Cunneen approximation)"),
        false,
    )
    .with_means(lambda * (wait + mean), lambda * wait, wait + mean, wait);
    Some(class_blind_rows(station, &aggregate, 1.0, false))
}

/// M/G/1 processor sharing and LIFO preemptive-resume: E[T | S = x] =
/// x/(1 - rho), insensitive to the service distribution, so each class gets
/// its own sojourn.
fn size_proportional_queue(station: &StationTraffic<'_>) -> Option<Vec<(Target, TheoryResult)>> {
    let lambda = station.rate();
    let rho = lambda * station.service_mean();
    if rho >= 1.0 {
        return None;
    }
    let name = format!("M/G/1{}", discipline_suffix(station.discipline()));
    let row = |rate: f64, service_mean: f64| {
        let sojourn = service_mean / (1.0 - rho);
        let wait = sojourn - service_mean;
        TheoryResult::new(name.clone(), true)
            .with_means(rate * sojourn, rate * wait, sojourn, wait)
            .with(Metric::Throughput, rate)
            .with(Metric::PBlocked, 0.0)
    };
    let queue = Some(station.queue);
    let mut rows = vec![(
        Target {
            queue,
            class: None,
            partition: None,
        },
        row(lambda, station.service_mean()).with(Metric::Utilisation, rho),
    )];
    if station.model.has_classes() {
        for (class, flow) in station
            .flows
            .iter()
            .enumerate()
            .filter(|(_, f)| f.rate > 0.0)
        {
            rows.push((
                Target {
                    queue,
                    class: Some(class),
                    partition: None,
                },
                row(flow.rate, flow.service_mean),
            ));
        }
    }
    Some(rows)
}

/// Erlang-A (M/M/c+M): exponential service and patience, unbounded. The
/// count process ignores the order, so the aggregate holds for every
/// discipline (no per-class split is derived).
fn expiring_queue(
    station: &StationTraffic<'_>,
    patience: &Dist,
    exponential_mean: Option<f64>,
) -> Option<Vec<(Target, TheoryResult)>> {
    let queue = &station.model.queues[station.queue];
    let mean = exponential_mean?;
    // Interrupted messages do not expire, which the Erlang-A chain ignores.
    if queue.capacity().is_some()
        || queue.is_unlimited()
        || !patience.is_exponential()
        || queue.discipline.interrupts_service()
    {
        return None;
    }
    let (lambda, c) = (station.rate(), station.consumers());
    let erlang_a = ErlangA::new(lambda, 1.0 / mean, c, 1.0 / patience.mean())?;
    let served = erlang_a.throughput();
    let aggregate = TheoryResult::new(format!("M/M/{c}+M (Erlang-A)"), true)
        .with(Metric::MeanInSystem, erlang_a.mean_in_system())
        .with(Metric::MeanInQueue, erlang_a.mean_in_queue())
        .with(Metric::MeanWait, erlang_a.mean_wait())
        .with(Metric::MeanSojourn, erlang_a.mean_sojourn())
        .with(Metric::Utilisation, served * mean / f64::from(c))
        .with(Metric::Throughput, served)
        .with(Metric::PWait, erlang_a.prob_wait())
        .with(Metric::PBlocked, 0.0)
        .with(Metric::PAbandoned, erlang_a.prob_abandon());
    Some(vec![(
        Target {
            queue: Some(station.queue),
            class: None,
            partition: None,
        },
        aggregate,
    )])
}

/// M/M/c/K, or Erlang B (insensitive to the service distribution) when K = c.
fn finite_queue(
    station: &StationTraffic<'_>,
    capacity: u32,
    exponential_mean: Option<f64>,
) -> Option<Vec<(Target, TheoryResult)>> {
    let overflow = station.model.queues[station.queue].admission.overflow();
    if overflow == Some(Overflow::DropHead) {
        return drop_head_queue(station, capacity, exponential_mean);
    }
    let (lambda, c) = (station.rate(), station.consumers());
    let discipline = station.discipline();
    let class_blind = station.priority_levels().is_none();
    let (aggregate, blocked) = if let Some(mean) = exponential_mean {
        let mmck = Mmck::new(lambda, 1.0 / mean, c, capacity)?;
        let name = if capacity == c {
            format!("M/M/{c}/{c} (Erlang B)")
        } else {
            format!("M/M/{c}/{capacity}{}", discipline_suffix(discipline))
        };
        let mut result = TheoryResult::new(name, true)
            .with_means(
                mmck.mean_in_system(),
                mmck.mean_in_queue(),
                mmck.mean_sojourn(),
                mmck.mean_wait(),
            )
            .with(Metric::Utilisation, mmck.utilisation())
            .with(Metric::Throughput, mmck.throughput())
            .with(Metric::PBlocked, mmck.prob_blocked());
        if !discipline.interrupts_service() {
            result = result.with(Metric::PWait, mmck.prob_wait());
        }
        if station.in_arrival_order() {
            result = result
                .with_wait_percentiles(|p| mmck.wait_quantile(p).unwrap_or(f64::NAN))
                .with_sojourn_percentiles(|p| mmck.sojourn_quantile(p).unwrap_or(f64::NAN));
        }
        (result, mmck.prob_blocked())
    } else if capacity == c {
        let mean = station.service_mean();
        let blocked = erlang::erlang_b(c, lambda * mean);
        let throughput = lambda * (1.0 - blocked);
        let result = TheoryResult::new(format!("M/G/{c}/{c} (Erlang B)"), true)
            .with_means(throughput * mean, 0.0, mean, 0.0)
            .with(Metric::Utilisation, throughput * mean / f64::from(c))
            .with(Metric::Throughput, throughput)
            .with(Metric::PWait, 0.0)
            .with(Metric::PBlocked, blocked)
            .with_wait_percentiles(|_| 0.0);
        (result, blocked)
    } else {
        return None;
    };
    if class_blind {
        Some(class_blind_rows(
            station,
            &aggregate,
            1.0 - blocked,
            exponential_mean.is_some(),
        ))
    } else {
        // The count process ignores the order when all services are alike,
        // so the aggregate holds; class shares under priority have no formula.
        Some(vec![(
            Target {
                queue: Some(station.queue),
                class: None,
                partition: None,
            },
            aggregate,
        )])
    }
}

/// M/M/c/K with drop-head (FIFO): an arrival at a full queue gets in and
/// the oldest waiting message is dropped. The number present follows the
/// M/M/c/K chain, so the loss (`p_dropped`, nothing blocked), the means,
/// the throughput and the share that waits are M/M/c/K's; waits and
/// sojourns count a dropped message until it is dropped, so Wq = Lq/λ and
/// W = L/λ over every arrival (Little). The waits of those served are not
/// M/M/c/K's: no percentiles, and no per-class rows.
fn drop_head_queue(
    station: &StationTraffic<'_>,
    capacity: u32,
    exponential_mean: Option<f64>,
) -> Option<Vec<(Target, TheoryResult)>> {
    let mean = exponential_mean?;
    let (lambda, c) = (station.rate(), station.consumers());
    let mmck = Mmck::new(lambda, 1.0 / mean, c, capacity)?;
    let aggregate = TheoryResult::new(format!("M/M/{c}/{capacity} drop-head"), true)
        .with_means(
            mmck.mean_in_system(),
            mmck.mean_in_queue(),
            mmck.mean_in_system() / lambda,
            mmck.mean_in_queue() / lambda,
        )
        .with(Metric::Utilisation, mmck.utilisation())
        .with(Metric::Throughput, mmck.throughput())
        .with(Metric::PWait, mmck.prob_all_busy())
        .with(Metric::PBlocked, 0.0)
        .with(Metric::PDropped, mmck.prob_blocked());
    Some(vec![(
        Target {
            queue: Some(station.queue),
            class: None,
            partition: None,
        },
        aggregate,
    )])
}

/// Non-preemptive priority: Cobham (M/G/1) or M/M/c with a common rate.
fn priority_queue(
    station: &StationTraffic<'_>,
    levels: &[Vec<usize>],
    exponential_mean: Option<f64>,
) -> Option<Vec<(Target, TheoryResult)>> {
    let c = station.consumers();
    let level_rates: Vec<f64> = levels
        .iter()
        .map(|level| level.iter().map(|&k| station.flows[k].rate).sum())
        .collect();
    let sub = |level: &Vec<usize>| StationTraffic {
        model: station.model,
        queue: station.queue,
        flows: level.iter().map(|&k| station.flows[k]).collect(),
    };
    let level_means: Vec<f64> = levels.iter().map(|l| sub(l).service_mean()).collect();
    let level_scvs: Vec<f64> = levels.iter().map(|l| sub(l).service_scv()).collect();
    let preemptive = station.discipline().interrupts_service();
    // Per level: (wait of a non-preemptive level) or (sojourn of a preemptive one).
    let (level_values, name) = match (c, exponential_mean, preemptive) {
        (_, Some(mean), false) => (
            priority::mmc_nonpreemptive(&level_rates, 1.0 / mean, c)?,
            format!("M/M/{c} non-preemptive priority"),
        ),
        (_, Some(mean), true) => (
            priority::mmc_preemptive_resume(&level_rates, 1.0 / mean, c)
                .into_iter()
                .collect::<Option<Vec<f64>>>()?,
            format!("M/M/{c} preemptive-resume priority"),
        ),
        (1, None, false) => (
            priority::mg1_nonpreemptive(&level_rates, &level_means, &level_scvs)?,
            "M/G/1 non-preemptive priority (Cobham)".to_string(),
        ),
        (1, None, true) => (
            priority::mg1_preemptive_resume(&level_rates, &level_means, &level_scvs)
                .into_iter()
                .collect::<Option<Vec<f64>>>()?,
            "M/G/1 preemptive-resume priority".to_string(),
        ),
        _ => return None,
    };
    let queue = Some(station.queue);
    let lambda = station.rate();
    let rho = lambda * station.service_mean() / f64::from(c);
    let mut class_rows = Vec::new();
    let (mut in_system, mut in_queue) = (0.0, 0.0);
    let mut higher_load = 0.0;
    for ((level, value), level_mean) in levels.iter().zip(level_values).zip(&level_means) {
        for &class in level {
            let flow = station.flows[class];
            // Preemptive-resume: W_k = E[S_k]/(1 - sigma_{k-1}) + R_k/(...),
            // so a class differs from its level only in its own service term.
            let sojourn = if preemptive {
                value + (flow.service_mean - level_mean) / (1.0 - higher_load)
            } else {
                value + flow.service_mean
            };
            let wait = sojourn - flow.service_mean;
            in_system += flow.rate * sojourn;
            in_queue += flow.rate * wait;
            let row = TheoryResult::new(name.clone(), true)
                .with_means(flow.rate * sojourn, flow.rate * wait, sojourn, wait)
                .with(Metric::Throughput, flow.rate)
                .with(Metric::PBlocked, 0.0);
            class_rows.push((
                Target {
                    queue,
                    class: Some(class),
                    partition: None,
                },
                row,
            ));
        }
        higher_load += level
            .iter()
            .map(|&k| station.flows[k].rate * station.flows[k].service_mean)
            .sum::<f64>()
            / f64::from(c);
    }
    let prob_wait = match exponential_mean {
        Some(mean) => Mmc::new(lambda, 1.0 / mean, c)?.prob_wait(),
        None => rho,
    };
    let mut aggregate = TheoryResult::new(name, true)
        .with_means(in_system, in_queue, in_system / lambda, in_queue / lambda)
        .with(Metric::Utilisation, rho)
        .with(Metric::Throughput, lambda)
        .with(Metric::PBlocked, 0.0);
    if !preemptive {
        aggregate = aggregate.with(Metric::PWait, prob_wait);
    }
    class_rows.sort_by_key(|(target, _)| target.class);
    let mut rows = vec![(
        Target {
            queue,
            class: None,
            partition: None,
        },
        aggregate,
    )];
    rows.extend(class_rows);
    Some(rows)
}

/// One renewal producer feeding one unbounded single-class FIFO queue:
/// GI/M/1, EXACT, for one consumer with exponential service and gaps
/// whose transform has a closed form (see [`Dist::laplace`]); otherwise
/// GI/G/1 (Kingman) or GI/G/c (Allen-Cunneen), approximations.
fn renewal_queue(
    producers: &[&Producer],
    station: &StationTraffic<'_>,
) -> Option<Vec<(Target, TheoryResult)>> {
    let [producer] = producers else {
        return None;
    };
    let model = station.model;
    let queue = &model.queues[station.queue];
    if queue.capacity().is_some()
        || queue.patience().is_some()
        || queue.discipline != Discipline::Fifo
        || model.has_classes()
    {
        return None;
    }
    let (lambda, c) = (station.rate(), station.consumers());
    let (mean, scv) = (station.service_mean(), station.service_scv());
    let Arrivals::Open { interarrival } = &producer.arrivals else {
        return None;
    };
    let target = Target {
        queue: Some(station.queue),
        class: None,
        partition: None,
    };
    if c == 1
        && let Some(mean) = station.common_exponential_mean()
        && let Some(queue) = GiM1::renewal(interarrival, 1.0 / mean)
    {
        return Some(vec![(target, gi_m1_row(&queue, lambda, mean))]);
    }
    let arrival_scv = interarrival.scv();
    let (wait, name) = if c == 1 {
        (
            approx::kingman_mean_wait(lambda, mean, arrival_scv, scv)?,
            "GI/G/1 (Kingman approximation)".to_string(),
        )
    } else {
        (
            approx::allen_cunneen_mean_wait(lambda, 1.0 / mean, c, arrival_scv, scv)?,
            format!("GI/G/{c} (Allen-Cunneen approximation)"),
        )
    };
    let result = TheoryResult::new(name, false).with_means(
        lambda * (wait + mean),
        lambda * wait,
        wait + mean,
        wait,
    );
    Some(vec![(target, result)])
}

/// The exact row of GI/M/1 `queue` at arrival rate `lambda` with mean
/// service `mean`: an arrival waits with probability σ, the wait beyond
/// 0 and the sojourn are exponential of rate μ(1 − σ).
fn gi_m1_row(queue: &GiM1, lambda: f64, mean: f64) -> TheoryResult {
    let (wait, sojourn) = (queue.mean_wait(), queue.mean_sojourn());
    TheoryResult::new(
        format!(
            "GI/M/1 (renewal arrivals, exponential service; sigma = {:.4})",
            queue.sigma
        ),
        true,
    )
    .with_means(lambda * sojourn, lambda * wait, sojourn, wait)
    .with(Metric::Utilisation, lambda * mean)
    .with(Metric::Throughput, lambda)
    .with(Metric::PBlocked, 0.0)
    .with(Metric::PWait, queue.sigma)
    .with_wait_percentiles(|p| queue.wait_quantile(p))
    .with_sojourn_percentiles(|p| queue.sojourn_quantile(p))
}

/// Open Jackson network: Poisson producers, unbounded queues with
/// exponential service; per-node M/M/c and end-to-end means. Delays
/// (unlimited consumers) may have any service: with Markov routing they
/// keep the product form (BCMP), each an M/G/inf at its visit rate. A
/// partitioned queue (fed by producers only) with exponential service is
/// an M/M/1 per consumer whose output is Poisson (Burke: each consumer's
/// count is a birth-death process, whatever order it serves its
/// partitions in), so what it routes onward enters the rest as a Poisson
/// stream: retry topics (`retry_topics`) are such a network.
fn jackson_network(
    model: &Model,
    stations: &[StationTraffic<'_>],
) -> Option<Vec<(Target, TheoryResult)>> {
    let mut means = Vec::with_capacity(stations.len());
    for station in stations {
        let queue = &model.queues[station.queue];
        if queue.capacity().is_some()
            || queue.patience().is_some()
            || station.priority_levels().is_some()
        {
            return None;
        }
        let mean = match station.common_exponential_mean() {
            Some(mean) => mean,
            // A delay keeps the product form whatever its service (BCMP).
            None if queue.is_unlimited() => station.service_mean(),
            None => return None,
        };
        means.push(mean);
    }
    let external: Vec<f64> = model
        .external_rates()
        .iter()
        .map(|row| row.iter().sum())
        .collect();
    let servers: Vec<Option<u32>> = model
        .queues
        .iter()
        .map(|q| (!q.is_unlimited()).then_some(q.consumers))
        .collect();
    let service_rates: Vec<f64> = means.iter().map(|m| 1.0 / m).collect();
    let network =
        jackson::JacksonNetwork::new(&external, &model.routing_matrix(), &service_rates, &servers)?;
    let node_rates = network.arrival_rates();
    let name = "open Jackson network";
    let mut rows = Vec::new();
    let mut nodes = Vec::with_capacity(stations.len());
    for station in stations {
        let j = station.queue;
        if model.queues[j].partitioning().is_some() {
            // Only producers feed a partitioned queue, Poisson ones here:
            // exact per consumer, and onward a Poisson stream (Burke).
            let partitioned = partitions::partitioned_rows(model, j, Some(means[j]))?;
            let metric = |m: Metric| partitioned[0].1.metrics.get(&m).copied();
            nodes.push((metric(Metric::MeanSojourn)?, metric(Metric::MeanWait)?));
            rows.extend(partitioned);
            continue;
        }
        let aggregate = if model.queues[j].is_unlimited() {
            let exponential = station.common_exponential_mean().is_some();
            let delay = if exponential { "M/M/inf" } else { "M/G/inf" };
            let label = format!("{name}: {delay}");
            infinite_server_result(node_rates[j], means[j], label, exponential)
        } else {
            let node = Mmc::new(node_rates[j], service_rates[j], station.consumers())?;
            let mut result = mmc_result(&node, name.to_string(), station);
            result.model = format!(
                "{name}: M/M/{}{}",
                station.consumers(),
                discipline_suffix(station.discipline())
            );
            result
        };
        let metric = |m: Metric| aggregate.metrics.get(&m).copied().unwrap_or(f64::NAN);
        nodes.push((metric(Metric::MeanSojourn), metric(Metric::MeanWait)));
        rows.extend(class_blind_rows(station, &aggregate, 1.0, true));
    }
    if model.is_network() {
        let system = |class: Option<usize>| {
            let entering: f64 = match class {
                Some(k) => model.external_rates().iter().map(|row| row[k]).sum(),
                None => external.iter().sum(),
            };
            let (mut sojourn, mut wait) = (0.0, 0.0);
            for (station, (node_sojourn, node_wait)) in stations.iter().zip(&nodes) {
                let rate = class.map_or_else(|| station.rate(), |k| station.flows[k].rate);
                sojourn += rate * node_sojourn;
                wait += rate * node_wait;
            }
            TheoryResult::new(name, true)
                .with_means(sojourn, wait, sojourn / entering, wait / entering)
                .with(Metric::Throughput, entering)
                .with(Metric::PBlocked, 0.0)
        };
        rows.push((
            Target {
                queue: None,
                class: None,
                partition: None,
            },
            system(None),
        ));
        if model.has_classes() {
            for class in 0..model.classes.len() {
                rows.push((
                    Target {
                        queue: None,
                        class: Some(class),
                        partition: None,
                    },
                    system(Some(class)),
                ));
            }
        }
    }
    Some(rows)
}

/// Exact MVA for one closed loop of clients: single-consumer queues (FIFO
/// with exponential service; processor sharing or LIFO preemptive-resume
/// with any service) and unlimited-consumer delays, the think time outside.
fn closed_network(model: &Model) -> Option<Vec<(Target, TheoryResult)>> {
    let [producer] = model.producers.as_slice() else {
        return None;
    };
    let Arrivals::Closed { population, think } = &producer.arrivals else {
        return None;
    };
    if model.has_classes() {
        return None;
    }
    // Visit ratios: messages per cycle at each queue.
    let mut entry = vec![0.0; model.queues.len()];
    entry[producer.queue] = 1.0;
    let visits = crate::model::solve_traffic_equations(&entry, &model.routing_matrix())?;
    let mut stations = Vec::with_capacity(model.queues.len());
    for (queue, &visit) in model.queues.iter().zip(&visits) {
        let service = &queue.service;
        let any_service = matches!(
            queue.discipline,
            Discipline::ProcessorSharing | Discipline::LifoPreemptive
        );
        let kind = if queue.is_unlimited() {
            mva::StationKind::Delay
        } else if queue.consumers == 1
            && (any_service
                || (service.is_exponential() && queue.discipline != Discipline::Priority))
        {
            mva::StationKind::Queue
        } else {
            return None;
        };
        if queue.capacity().is_some() || queue.patience().is_some() {
            return None;
        }
        stations.push(mva::MvaStation {
            visits: visit,
            service_time: service.mean(),
            kind,
        });
    }
    let result = mva::exact_mva(&stations, *population, think.mean())?;
    let name = format!("closed network, exact MVA (N = {population})");
    let mut rows = Vec::new();
    for (queue, (station, mva_station)) in result.stations.iter().zip(&stations).enumerate() {
        if mva_station.visits <= 0.0 {
            continue;
        }
        let sojourn = station.response_per_visit;
        let wait = sojourn - mva_station.service_time;
        let in_service = station.throughput * mva_station.service_time;
        let mut row = TheoryResult::new(name.clone(), true)
            .with_means(
                station.queue_length,
                station.queue_length - in_service,
                sojourn,
                wait,
            )
            .with(Metric::Throughput, station.throughput)
            .with(Metric::PBlocked, 0.0);
        if mva_station.kind == mva::StationKind::Queue {
            row = row.with(Metric::Utilisation, station.utilisation);
        }
        rows.push((
            Target {
                queue: Some(queue),
                class: None,
                partition: None,
            },
            row,
        ));
    }
    if model.is_network() {
        let in_system: f64 = result.stations.iter().map(|s| s.queue_length).sum();
        let waiting: f64 = result
            .stations
            .iter()
            .zip(&stations)
            .map(|(s, m)| s.queue_length - s.throughput * m.service_time)
            .sum();
        let system = TheoryResult::new(name, true)
            .with_means(
                in_system,
                waiting,
                result.response_time,
                waiting / result.throughput,
            )
            .with(Metric::Throughput, result.throughput)
            .with(Metric::PBlocked, 0.0);
        rows.push((
            Target {
                queue: None,
                class: None,
                partition: None,
            },
            system,
        ));
    }
    Some(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Overflow, ProducerBuilder, QueueBuilder};
    use crate::theory::testing::assert_rel;

    /// The one row of an M/M/2 queue (λ = 2, μ = 1) with `max_length` 1
    /// and `overflow`: K = 3, states 0..3 weigh 1, 2, 2, 2 (over 7).
    fn max_length_row(overflow: Overflow) -> TheoryResult {
        let exp = |mean| Dist::exponential_mean(mean).unwrap();
        let model = Model::builder("t")
            .queue(
                QueueBuilder::new("q", 2, exp(1.0))
                    .max_length(1)
                    .overflow(overflow),
            )
            .producer(ProducerBuilder::open("p", "q", exp(0.5)))
            .build()
            .unwrap();
        let rows = evaluate(&model);
        assert_eq!(rows.len(), 1);
        rows[0].1.clone()
    }

    #[test]
    fn max_length_is_mmck_with_room_for_the_consumers_by_hand() {
        let row = max_length_row(Overflow::RejectNew);
        assert_eq!(row.model, "M/M/2/3");
        let get = |metric| row.metrics[&metric];
        assert_rel(get(Metric::PBlocked), 2.0 / 7.0, 1e-12);
        assert_rel(get(Metric::MeanInQueue), 2.0 / 7.0, 1e-12);
        assert_rel(get(Metric::MeanInSystem), 12.0 / 7.0, 1e-12);
        assert_rel(get(Metric::Throughput), 10.0 / 7.0, 1e-12);
        // Wq = Lq / λ_eff over accepted messages.
        assert_rel(get(Metric::MeanWait), 0.2, 1e-12);
        assert!(!row.metrics.contains_key(&Metric::PDropped));
    }

    #[test]
    fn drop_head_loses_as_many_from_the_head_by_hand() {
        let row = max_length_row(Overflow::DropHead);
        assert!(row.exact);
        let get = |metric| row.metrics[&metric];
        assert_eq!(get(Metric::PBlocked), 0.0);
        assert_rel(get(Metric::PDropped), 2.0 / 7.0, 1e-12);
        assert_rel(get(Metric::MeanInQueue), 2.0 / 7.0, 1e-12);
        assert_rel(get(Metric::Throughput), 10.0 / 7.0, 1e-12);
        assert_rel(get(Metric::PWait), 4.0 / 7.0, 1e-12);
        // Every arrival counted, a dropped one until it is dropped:
        // Wq = Lq / λ = 1/7, W = L / λ = 6/7.
        assert_rel(get(Metric::MeanWait), 1.0 / 7.0, 1e-12);
        assert_rel(get(Metric::MeanSojourn), 6.0 / 7.0, 1e-12);
        for metric in [Metric::WaitP50, Metric::WaitP99, Metric::SojournP90] {
            assert!(!row.metrics.contains_key(&metric), "{metric:?}");
        }
    }

    /// One consumer of 2 threads reading 2 partitions fed at λ = 1,
    /// deterministic service 1: by hand, M/M/2 at a = 1 has P0 = 1/3,
    /// Erlang C = 1/3 and Wq = C/(2μ - λ) = 1/3, so Allen–Cunneen with
    /// c_a² = 1, c_s² = 0 gives Wq ≈ 1/6, W ≈ 7/6, Lq ≈ 1/6, L ≈ 7/6.
    #[test]
    fn threads_with_general_service_get_allen_cunneen_by_hand() {
        use crate::model::{Assignor, KeyDistribution, Keys};
        let keys = Keys {
            count: 10,
            distribution: KeyDistribution::Uniform,
        };
        let model = Model::builder("t")
            .queue(
                QueueBuilder::new("t", 1, Dist::deterministic(1.0).unwrap())
                    .partitions(2, Assignor::Range)
                    .threads(2),
            )
            .producer(
                ProducerBuilder::open("p", "t", Dist::exponential_rate(1.0).unwrap()).keys(keys),
            )
            .build()
            .unwrap();
        let rows = evaluate(&model);
        assert_eq!(rows.len(), 3, "the queue and its 2 partitions");
        for (target, row) in &rows {
            assert!(!row.exact, "{target:?}: M/G/T is approximate");
            assert!(row.model.contains("Allen-Cunneen approximation"));
            assert_rel(row.metrics[&Metric::MeanWait], 1.0 / 6.0, 1e-12);
            assert_rel(row.metrics[&Metric::MeanSojourn], 7.0 / 6.0, 1e-12);
            // No formula gives the M/G/T waiting probability or percentiles.
            for metric in [Metric::PWait, Metric::WaitP90, Metric::SojournP99] {
                assert!(!row.metrics.contains_key(&metric), "{metric:?}");
            }
        }
        let queue = &rows[0].1;
        assert_rel(queue.metrics[&Metric::MeanInQueue], 1.0 / 6.0, 1e-12);
        assert_rel(queue.metrics[&Metric::MeanInSystem], 7.0 / 6.0, 1e-12);
        assert_rel(queue.metrics[&Metric::Utilisation], 0.5, 1e-12);
    }

    #[test]
    fn overflow_victims_sent_to_a_dead_letter_queue_get_no_formula_there() {
        let exp = |mean| Dist::exponential_mean(mean).unwrap();
        for overflow in [Overflow::DropHead, Overflow::RejectToDeadLetter] {
            let model = Model::builder("t")
                .queue(
                    QueueBuilder::new("q", 1, exp(1.0))
                        .capacity(2)
                        .overflow(overflow)
                        .dead_letter("dlq"),
                )
                .queue(QueueBuilder::new("dlq", 1, exp(0.1)))
                .producer(ProducerBuilder::open("p", "q", exp(1.0)))
                .build()
                .unwrap();
            let rows = evaluate(&model);
            let queues: Vec<Option<usize>> = rows.iter().map(|(t, _)| t.queue).collect();
            assert_eq!(queues, [Some(0)], "{overflow:?}");
        }
    }
}
