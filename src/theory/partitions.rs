//! A partitioned queue read by one consumer group, fed by Poisson producers
//! with keys: each partition receives an independent Poisson stream (the
//! producers' rates times the key mass hashed to it), so a consumer owning
//! partitions A is a FIFO M/G/1 queue fed at Σ_{p∈A} λ_p, with the service
//! mixture of those messages — exact (Pollaczek–Khinchine; M/M/1 with its
//! distributions when every service is exponential of one mean). A
//! consumer serving with T threads (RocketMQ 4.x concurrent consumption)
//! is an M/M/T queue fed the same way, exact when every service is
//! exponential of one mean. M/G/T has no exact formula: with any other
//! service the consumer gets the APPROXIMATE mean wait of Allen–Cunneen
//! with Poisson arrivals (c_a² = 1: Wq ≈ Wq^{M/M/T} (1 + c_s²)/2,
//! formulas.md §11; means only, labelled approximate). Its arrivals being
//! Poisson, every partition it owns sees the
//! same wait distribution (PASTA), so a partition's mean wait is its
//! consumer's and its lag (messages waiting in it) is λ_p W_c by Little's
//! law. The queue's mean wait is the arrival-weighted mix of its
//! consumers' waits; with M/M/T consumers the mixture's percentiles are
//! exact too (its tail is the weighted sum of theirs, inverted
//! numerically).
//!
//! Retry in place (`requeue = "head"`): a failed record is served again at
//! once by its consumer, its partition waiting behind it, so each record
//! holds its consumer for one compound service of N deliveries
//! (`retry::compound_service`), and each consumer is an M/G/1 on those
//! (exact means; the wait is the time to the first delivery). A blocking
//! retry (`delays` or `backoff` on partitions) holds the consumer through
//! each delay as well (`retry::held_service`): still one service per
//! record, so the same M/G/1 holds exactly, whatever partitions the
//! consumer owns (it serves their records in one arrival-ordered line, and
//! all of them wait while it sleeps).

use super::gim1::GiM1;
use super::mmc::{Mmc, continuous_quantile};
use super::result::TheoryResult;
use super::{approx, mg1, retry};
use crate::model::metric::Metric;
use crate::model::{Arrivals, Model, Target};

/// The messages one consumer (or one partition) receives.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Flow {
    /// Messages per time unit.
    pub rate: f64,
    /// Rate times the mean service time (the load).
    pub work: f64,
    /// Rate times the service time's second moment.
    pub second: f64,
}

impl Flow {
    fn add(&mut self, other: Flow) {
        self.rate += other.rate;
        self.work += other.work;
        self.second += other.second;
    }

    /// Mean service time of these messages.
    pub fn service_mean(self) -> f64 {
        self.work / self.rate
    }

    /// Squared coefficient of variation of their service time.
    pub fn service_scv(self) -> f64 {
        self.second * self.rate / (self.work * self.work) - 1.0
    }
}

/// The flow into each partition of partitioned `queue` of `model`, each
/// message's service with the poll overhead of single-record polls (the
/// only polls a formula covers; see `recognise.rs`).
pub fn partition_flows(model: &Model, queue: usize) -> Option<Vec<Flow>> {
    let spec = &model.queues[queue];
    let partitions = spec.partitioning()?.partitions;
    // Polls of one message: each message's service is the poll's overhead
    // (independent of it) plus its own.
    let (overhead, overhead_second) = spec.poll().map_or((0.0, 0.0), |poll| {
        (poll.mean_overhead(), poll.overhead_second_moment())
    });
    let mut flows = vec![Flow::default(); partitions as usize];
    for producer in model.producers.iter().filter(|p| p.queue == queue) {
        let service = model.service(queue, producer.class);
        let (own, scv) = match spec.retry() {
            // Retries (polls refused): in place or blocking, the time a
            // record holds its consumer.
            Some(retry) => retry::held_service(service.mean(), service.scv(), retry),
            None => (service.mean(), service.scv()),
        };
        let mean = own + overhead;
        let second = own * own * (1.0 + scv) + 2.0 * overhead * own + overhead_second;
        let rate = producer.max_rate();
        for (flow, share) in flows.iter_mut().zip(producer.partition_shares(partitions)) {
            flow.add(Flow {
                rate: rate * share,
                work: rate * share * mean,
                second: rate * share * second,
            });
        }
    }
    Some(flows)
}

/// One consumer's M/G/1 (or M/M/T, approximate M/G/T, or GI/M/1) figures.
struct Consumer {
    flow: Flow,
    /// Mean wait, 0 without traffic.
    wait: f64,
    /// Probability that an arrival waits; NaN where no formula gives it
    /// (M/G/T).
    p_wait: f64,
    /// Its wait and sojourn distributions, where exact.
    tails: Option<Tails>,
}

/// A consumer's exact wait and sojourn distributions.
#[derive(Clone, Copy, Debug)]
enum Tails {
    /// M/M/T (T its threads): every service exponential of one mean.
    Markov(Mmc),
    /// GI/M/1: renewal arrivals, exponential service.
    Renewal(GiM1),
}

impl Tails {
    /// d in P(W > t) = P(W > 0) e^{−d t}.
    fn wait_decay(&self) -> f64 {
        match self {
            Tails::Markov(mm) => f64::from(mm.servers()) * mm.mu() - mm.lambda(),
            Tails::Renewal(gi) => gi.decay(),
        }
    }

    /// The decay of an exponential sojourn (one server); `None` for M/M/T.
    fn sojourn_decay(&self) -> Option<f64> {
        match self {
            Tails::Markov(mm) if mm.servers() == 1 => Some(mm.mu() - mm.lambda()),
            Tails::Markov(_) => None,
            Tails::Renewal(gi) => Some(gi.decay()),
        }
    }

    fn sojourn_tail(&self, t: f64) -> f64 {
        match self {
            Tails::Markov(mm) => mm.sojourn_tail(t),
            Tails::Renewal(gi) => gi.sojourn_tail(t),
        }
    }

    fn wait_quantile(&self, p: f64) -> f64 {
        match self {
            Tails::Markov(mm) => mm.wait_quantile(p).unwrap_or(f64::NAN),
            Tails::Renewal(gi) => gi.wait_quantile(p),
        }
    }

    fn sojourn_quantile(&self, p: f64) -> f64 {
        match self {
            Tails::Markov(mm) => mm.sojourn_quantile(p).unwrap_or(f64::NAN),
            Tails::Renewal(gi) => gi.sojourn_quantile(p),
        }
    }
}

/// Rows of partitioned `queue`: the queue, then each partition; `None`
/// when a consumer has no steady state. `exponential_mean` is the common
/// exponential service mean, if there is one.
pub fn partitioned_rows(
    model: &Model,
    queue: usize,
    exponential_mean: Option<f64>,
) -> Option<Vec<(Target, TheoryResult)>> {
    let threads = model.queues[queue].partitioning()?.threads;
    let name = match (exponential_mean, threads) {
        (Some(_), 1) => "M/M/1 per consumer (Poisson partitions)",
        (Some(_), _) => "M/M/T per consumer, T threads (Poisson partitions)",
        (None, 1) => "M/G/1 per consumer (Poisson partitions, Pollaczek-Khinchine)",
        (None, _) => {
            "M/G/T per consumer, T threads (Poisson partitions, Allen-Cunneen approximation)"
        }
    };
    // M/G/T has no exact formula.
    let exact = exponential_mean.is_some() || threads == 1;
    rows_of(model, queue, (name, exact), |_, flow| {
        consumer(flow, exponential_mean, threads)
    })
}

/// Rows of partitioned `queue` (single-threaded consumers with
/// exponential service of mean `mean`) fed by one renewal producer, or
/// copies of it for other consumer groups, whose gaps have a closed-form
/// transform A: each consumer is an exact GI/M/1. Its gaps are, with
/// keys, a geometric number of the producer's (each message is its with
/// probability q, its partitions' key mass): q A/(1 − (1 − q) A); without
/// keys (round-robin), k of them when its partitions are evenly spaced,
/// every k-th of P: A^k. `None` when a consumer's partitions are not
/// evenly spaced, or a consumer has no steady state.
pub fn renewal_rows(model: &Model, queue: usize, mean: f64) -> Option<Vec<(Target, TheoryResult)>> {
    let spec = &model.queues[queue];
    let partitioning = spec.partitioning()?;
    let mut feeding = model.producers.iter().filter(|p| p.queue == queue);
    let (Some(producer), None) = (feeding.next(), feeding.next()) else {
        return None;
    };
    let source = producer.copy_of.map_or(producer, |i| &model.producers[i]);
    let Arrivals::Open { interarrival: gaps } = &source.arrivals else {
        return None;
    };
    gaps.laplace(0.0)?;
    let owners = partitioning.owners(spec.consumers);
    let partitions = partitioning.partitions;
    let lambda = 1.0 / gaps.mean();
    let shares = source.partition_shares(partitions);
    let name = "GI/M/1 per consumer (one renewal producer over the partitions)";
    rows_of(model, queue, (name, true), |index, flow| {
        if flow.rate == 0.0 {
            return consumer(flow, Some(mean), 1);
        }
        let owned: Vec<u32> = (0..partitions)
            .filter(|&p| owners[p as usize] == index)
            .collect();
        let gi = match source.keys {
            Some(_) => {
                let q: f64 = owned.iter().map(|&p| shares[p as usize]).sum();
                GiM1::solve(q * lambda, 1.0 / mean, |s| {
                    let a = gaps.laplace(s).unwrap_or(f64::NAN);
                    q * a / (1.0 - (1.0 - q) * a)
                })?
            }
            None => {
                let step = evenly_spaced_step(&owned, partitions)?;
                GiM1::solve(lambda / f64::from(step), 1.0 / mean, |s| {
                    gaps.laplace(s).unwrap_or(f64::NAN).powi(step as i32)
                })?
            }
        };
        Some(Consumer {
            flow,
            wait: gi.mean_wait(),
            p_wait: gi.sigma,
            tails: Some(Tails::Renewal(gi)),
        })
    })
}

/// The step k when `owned` (sorted, of `partitions`) is every k-th
/// partition from its first (k times its count is `partitions`).
fn evenly_spaced_step(owned: &[u32], partitions: u32) -> Option<u32> {
    let count = u32::try_from(owned.len()).ok().filter(|&n| n > 0)?;
    let step = partitions / count;
    let spaced =
        step * count == partitions && owned.windows(2).all(|pair| pair[1] - pair[0] == step);
    spaced.then_some(step)
}

/// Rows of partitioned `queue` named `name` (exact or not) whose
/// consumers (by index) are `consumer(index, flow)`: the queue's, the
/// arrival-weighted mix of its consumers', then each partition's, its
/// consumer's waits.
fn rows_of(
    model: &Model,
    queue: usize,
    (name, exact): (&str, bool),
    consumer: impl Fn(u32, Flow) -> Option<Consumer>,
) -> Option<Vec<(Target, TheoryResult)>> {
    let spec = &model.queues[queue];
    let partitioning = spec.partitioning()?;
    let flows = partition_flows(model, queue)?;
    let owners = partitioning.owners(spec.consumers);
    let working = partitioning.working_consumers(spec.consumers);
    let mut consumer_flows = vec![Flow::default(); working as usize];
    for (flow, &owner) in flows.iter().zip(&owners) {
        consumer_flows[owner as usize].add(*flow);
    }
    let threads = partitioning.threads;
    let consumers = consumer_flows
        .into_iter()
        .enumerate()
        .map(|(index, flow)| consumer(index as u32, flow))
        .collect::<Option<Vec<Consumer>>>()?;
    let mut total = Flow::default();
    for flow in &flows {
        total.add(*flow);
    }
    let lambda = total.rate;
    // Arrival-weighted: Σ λ_c W_c / λ, and Σ λ_c ρ_c / λ for p_wait.
    let queued: f64 = consumers.iter().map(|c| c.flow.rate * c.wait).sum();
    let waiting_arrivals: f64 = consumers.iter().map(|c| c.flow.rate * c.p_wait).sum();
    let wait = queued / lambda;
    let sojourn = wait + total.service_mean();
    let mut aggregate = TheoryResult::new(name, exact)
        .with_means(lambda * sojourn, queued, sojourn, wait)
        .with(
            Metric::Utilisation,
            total.work / f64::from(partitioning.servers(spec.consumers)),
        )
        .with(Metric::Throughput, lambda)
        .with(Metric::PWait, waiting_arrivals / lambda)
        .with(Metric::PBlocked, 0.0);
    let with_tails: Vec<(f64, f64, Tails)> = consumers
        .iter()
        .filter_map(|c| Some((c.flow.rate / lambda, c.p_wait, c.tails?)))
        .collect();
    // Every consumer with traffic has its distributions.
    if with_tails.len() == consumers.iter().filter(|c| c.flow.rate > 0.0).count() {
        // P(W > t) = Σ_c (λ_c/λ) P(W_c > 0) e^{-d_c t}.
        let waits: Vec<(f64, f64)> = with_tails
            .iter()
            .map(|(share, p_wait, tails)| (share * p_wait, tails.wait_decay()))
            .collect();
        aggregate = aggregate.with_wait_percentiles(|p| mixture_quantile(&waits, p));
        let sojourns: Option<Vec<(f64, f64)>> = with_tails
            .iter()
            .map(|(share, _, tails)| Some((*share, tails.sojourn_decay()?)))
            .collect();
        aggregate = match sojourns {
            // P(T > t) = Σ_c (λ_c/λ) e^{-d_c t}.
            Some(sojourns) => {
                aggregate.with_sojourn_percentiles(|p| mixture_quantile(&sojourns, p))
            }
            // An M/M/T sojourn is no single exponential: the weighted sum
            // of the consumers' tails, inverted numerically.
            None => {
                let tail = |t: f64| -> f64 {
                    with_tails
                        .iter()
                        .map(|(share, _, tails)| share * tails.sojourn_tail(t))
                        .sum()
                };
                let mean = total.service_mean();
                aggregate.with_sojourn_percentiles(|p| {
                    continuous_quantile(tail, p, mean).unwrap_or(f64::NAN)
                })
            }
        };
    }
    let mut rows = vec![(
        Target {
            queue: Some(queue),
            class: None,
            partition: None,
        },
        aggregate,
    )];
    for (partition, (flow, &owner)) in flows.iter().zip(&owners).enumerate() {
        let consumer = &consumers[owner as usize];
        let mut row = TheoryResult::new(name, exact)
            .with(Metric::Throughput, flow.rate)
            .with(Metric::Utilisation, flow.work / f64::from(threads))
            .with(Metric::PBlocked, 0.0);
        if flow.rate > 0.0 {
            let sojourn = consumer.wait + flow.service_mean();
            row = row
                .with_means(
                    flow.rate * sojourn,
                    flow.rate * consumer.wait,
                    sojourn,
                    consumer.wait,
                )
                .with(Metric::PWait, consumer.p_wait);
            if let Some(tails) = &consumer.tails {
                row = row
                    .with_wait_percentiles(|p| tails.wait_quantile(p))
                    .with_sojourn_percentiles(|p| tails.sojourn_quantile(p));
            }
        }
        rows.push((
            Target {
                queue: Some(queue),
                class: None,
                partition: Some(partition as u32),
            },
            row,
        ));
    }
    Some(rows)
}

/// A consumer fed `flow`, serving with `threads`: `None` at a load of 1 or
/// more per thread. With several threads and no common exponential
/// service its mean wait is Allen–Cunneen's approximation (no `p_wait`).
fn consumer(flow: Flow, exponential_mean: Option<f64>, threads: u32) -> Option<Consumer> {
    if flow.rate == 0.0 {
        return Some(Consumer {
            flow,
            wait: 0.0,
            p_wait: 0.0,
            tails: None,
        });
    }
    if threads > 1 {
        let Some(mean) = exponential_mean else {
            let mu = 1.0 / flow.service_mean();
            let wait =
                approx::allen_cunneen_mean_wait(flow.rate, mu, threads, 1.0, flow.service_scv())?;
            return Some(Consumer {
                flow,
                wait,
                p_wait: f64::NAN,
                tails: None,
            });
        };
        let mm = Mmc::new(flow.rate, 1.0 / mean, threads)?;
        return Some(Consumer {
            flow,
            wait: mm.mean_wait(),
            p_wait: mm.prob_wait(),
            tails: Some(Tails::Markov(mm)),
        });
    }
    let wait = mg1::mean_wait(flow.rate, flow.service_mean(), flow.service_scv())?;
    let mm = match exponential_mean {
        Some(mean) => Some(Mmc::new(flow.rate, 1.0 / mean, 1)?),
        None => None,
    };
    Some(Consumer {
        flow,
        wait,
        p_wait: flow.work,
        tails: mm.map(Tails::Markov),
    })
}

/// The p-quantile of a time whose tail is P(X > t) = Σ w_i e^{-d_i t}
/// (weights summing to at most 1, decays > 0): 0 when P(X > 0) <= 1 - p,
/// otherwise the root of the tail = 1 - p, by bisection to full precision.
pub fn mixture_quantile(terms: &[(f64, f64)], p: f64) -> f64 {
    let tail = |t: f64| -> f64 { terms.iter().map(|(w, d)| w * (-d * t).exp()).sum() };
    let target = 1.0 - p;
    if tail(0.0) <= target {
        return 0.0;
    }
    // Each term is below target by the time its own weight has decayed so.
    let mut high = terms
        .iter()
        .map(|(w, d)| (w / target).ln().max(0.0) / d)
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    while tail(high) > target {
        high *= 2.0;
    }
    let mut low = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if mid <= low || mid >= high {
            break;
        }
        if tail(mid) > target {
            low = mid;
        } else {
            high = mid;
        }
    }
    0.5 * (low + high)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_term_mixture_is_the_mm1_wait_quantile() {
        // M/M/1, λ = 0.5, μ = 1: P(W > t) = 0.5 e^{-0.5 t}, so the 90th
        // percentile is 2 ln 5.
        let q = mixture_quantile(&[(0.5, 0.5)], 0.9);
        assert!((q - 2.0 * 5f64.ln()).abs() < 1e-12, "{q}");
        assert_eq!(mixture_quantile(&[(0.5, 0.5)], 0.5), 0.0);
    }

    #[test]
    fn two_term_mixture_solves_its_tail() {
        let terms = [(0.3, 1.0), (0.2, 0.25)];
        let q = mixture_quantile(&terms, 0.99);
        let tail: f64 = terms.iter().map(|(w, d)| w * (-d * q).exp()).sum();
        assert!((tail - 0.01).abs() < 1e-15, "{q} {tail}");
    }

    /// Thinning a Poisson stream by key is Poisson again, q λ/(q λ + s):
    /// the geometric compound of GI/M/1 per consumer gives M/M/1's
    /// figures, partition by partition.
    #[test]
    fn keyed_poisson_gaps_through_the_renewal_rows_are_the_mm1_rows() {
        use crate::dist::Dist;
        use crate::model::{Assignor, KeyDistribution, Keys, ProducerBuilder, QueueBuilder};
        let keys = Keys {
            count: 50,
            distribution: KeyDistribution::Zipf { exponent: 0.5 },
        };
        let service = Dist::exponential_mean(1.0).unwrap();
        let model = Model::builder("k")
            .queue(QueueBuilder::new("t", 3, service).partitions(5, Assignor::Range))
            .producer(
                ProducerBuilder::open("p", "t", Dist::exponential_rate(1.2).unwrap()).keys(keys),
            )
            .build()
            .unwrap();
        let poisson = partitioned_rows(&model, 0, Some(1.0)).unwrap();
        let renewal = renewal_rows(&model, 0, 1.0).unwrap();
        assert_eq!(poisson.len(), renewal.len());
        for ((target, markov), (_, gi)) in poisson.iter().zip(&renewal) {
            for metric in [
                Metric::MeanWait,
                Metric::PWait,
                Metric::WaitP99,
                Metric::SojournP90,
            ] {
                let (a, b) = (markov.metrics[&metric], gi.metrics[&metric]);
                assert!(
                    (a - b).abs() < 1e-9 * a.max(1.0),
                    "{target:?} {metric:?}: {a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn evenly_spaced_partitions_have_a_step() {
        assert_eq!(evenly_spaced_step(&[1, 4], 6), Some(3));
        assert_eq!(evenly_spaced_step(&[2], 6), Some(6));
        assert_eq!(evenly_spaced_step(&[0, 1], 6), None);
        assert_eq!(evenly_spaced_step(&[0, 2, 4], 5), None);
        assert_eq!(evenly_spaced_step(&[], 6), None);
    }

    #[test]
    fn flows_give_the_service_moments_of_their_mixture() {
        // Exponential mean 2 (E[S²] = 8) at rate 1, deterministic 1 at rate 1.
        let mut flow = Flow {
            rate: 1.0,
            work: 2.0,
            second: 8.0,
        };
        flow.add(Flow {
            rate: 1.0,
            work: 1.0,
            second: 1.0,
        });
        assert_eq!(flow.service_mean(), 1.5);
        // E[S²] = 4.5, so scv = 4.5 / 2.25 - 1 = 1.
        assert!((flow.service_scv() - 1.0).abs() < 1e-15);
    }
}
