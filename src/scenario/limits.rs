//! What a scenario may ask for: names of a sane length, sweeps, populations
//! and replications of a bounded size, times the simulated clock can hold,
//! and a run whose work and memory, estimated from the model before
//! anything starts, fit this machine. Refusals name the estimate.

use super::error::Problem;
use super::spec::ScenarioSpec;
use super::{Scenario, SweepPoint};
use crate::dist::Dist;
use crate::model::{Arrivals, Model, Producer};
use crate::run::{PILOTS, RunConfig, RunLength, Warmup};
use crate::text::{Num, approx};

/// Longest scenario, producer, queue or class name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// Most points a sweep may have.
pub const MAX_SWEEP_POINTS: usize = 10_000;

/// Most replications per point (`replications`, `max_replications`).
pub const MAX_REPLICATIONS: u32 = 100_000;

/// Most clients of a closed loop (each is a message in the system).
pub const MAX_POPULATION: u32 = 10_000_000;

/// The span a replication simulates may be at most this many times the
/// smallest mean time of the model: beyond it the clock (a 64-bit float)
/// resolves those times to worse than 1 part in 4,000.
pub const MAX_TIME_RATIO: f64 = 1e12;

/// Most message visits (a message at one queue) a run may simulate: about
/// 5.5 hours on one core at [`VISITS_PER_SECOND`].
pub const MAX_VISITS: f64 = 1e11;

/// Message visits simulated per second on one core, a conservative figure
/// for this engine (the benches measure 5 to 20 million events a second).
pub const VISITS_PER_SECOND: f64 = 5e6;

/// Bytes one message in the system takes at its peak: its slot, its
/// calendar events and its place in line.
const BYTES_PER_MESSAGE: f64 = 256.0;

/// Bytes one finished replication keeps per result row: metric values and
/// the waiting-time histogram (measured: about 140 KB).
const BYTES_PER_ROW: f64 = 192.0 * 1024.0;

/// Checks names and the sweep's size on the file as written, before any
/// model is built (so a million-point sweep is refused at once).
pub fn check_spec(spec: &ScenarioSpec) -> Result<(), Problem> {
    let names = std::iter::once(("name".to_string(), spec.name.as_str()))
        .chain(
            spec.producers
                .iter()
                .map(|p| ("producers.name".to_string(), p.name.as_str())),
        )
        .chain(
            spec.queues
                .iter()
                .map(|q| ("queues.name".to_string(), q.name.as_str())),
        )
        .chain(
            spec.brokers
                .iter()
                .map(|b| ("brokers.name".to_string(), b.name.as_str())),
        )
        .chain(
            spec.classes
                .iter()
                .map(|c| ("classes.name".to_string(), c.name.as_str())),
        );
    for (key, name) in names {
        let length = name.chars().count();
        if length > MAX_NAME_CHARS {
            let start: String = name.chars().take(20).collect();
            return Err(Problem::new(
                key,
                format!(
                    "names may have at most {MAX_NAME_CHARS} characters; \"{}…\" has {length}",
                    crate::text::excerpt(&start, 20)
                ),
            ));
        }
    }
    if let Some(sweep) = &spec.sweep {
        let (key, count) = super::sweep::point_count(sweep);
        if count > MAX_SWEEP_POINTS {
            return Err(too_many_points(key, count));
        }
    }
    let run = &spec.run;
    for (key, count) in [
        ("run.replications", Some(run.replications)),
        ("run.max_replications", run.max_replications),
    ] {
        if let Some(count) = count.filter(|&c| c > MAX_REPLICATIONS) {
            return Err(Problem::new(
                key,
                format!(
                    "at most {MAX_REPLICATIONS} replications per point, got {count}; longer replications (`customers`) narrow the intervals as well"
                ),
            ));
        }
    }
    for producer in &spec.producers {
        if let Some(closed) = &producer.closed
            && closed.population > MAX_POPULATION
        {
            return Err(Problem::new(
                format!("producers.{}.closed", producer.name),
                format!(
                    "population may be at most {MAX_POPULATION} clients (each is a message in the system), got {}",
                    closed.population
                ),
            ));
        }
    }
    Ok(())
}

/// The refusal of a sweep of `count` points, at `key`.
pub fn too_many_points(key: &str, count: usize) -> Problem {
    Problem::new(
        key,
        format!(
            "a sweep may have at most {MAX_SWEEP_POINTS} points, got {count}; split it into several files (or shard each)"
        ),
    )
}

/// What one run of a scenario costs, estimated from its models.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cost {
    /// Message visits simulated, over every point and replication (at the
    /// most a precision-driven run may take).
    pub visits: f64,
    /// Peak memory in bytes: the replications in flight and those kept.
    pub memory: f64,
}

impl Cost {
    /// Seconds the run takes on `threads` cores, roughly.
    pub fn seconds(&self, threads: usize) -> f64 {
        self.visits / (VISITS_PER_SECOND * threads.max(1) as f64)
    }
}

/// Refuses a scenario whose clock cannot hold its times, or whose run
/// would exceed [`MAX_VISITS`] or half this machine's memory, on `threads`
/// threads computing `share` of the units (1 for a whole run); otherwise
/// returns the estimate.
pub fn check_cost(scenario: &Scenario, threads: usize, share: f64) -> Result<Cost, Problem> {
    let cost = estimate(scenario, threads, share);
    if cost.visits.is_nan() || cost.visits > MAX_VISITS {
        return Err(Problem::new(
            run_length_key(&scenario.run),
            format!(
                "this run would simulate about {} message visits ({} points x {} replications), about {} on {threads} core(s); at most {} are allowed: shorten the run (`customers`, `horizon`, `warmup`), take fewer replications or points, or shard it (`run --shard K/N`)",
                approx(cost.visits),
                scenario.points.len(),
                most_replications(&scenario.run),
                duration(cost.seconds(threads)),
                approx(MAX_VISITS),
            ),
        ));
    }
    let limit = memory_limit();
    if cost.memory.is_nan() || cost.memory > limit {
        return Err(Problem::new(
            run_length_key(&scenario.run),
            format!(
                "this run would need about {} of memory (messages in the system at once, and {} replications kept); at most {} (half of this machine's) is allowed: lower the load, capacity, patience or population, or take fewer replications, points or --threads",
                bytes(cost.memory),
                most_replications(&scenario.run),
                bytes(limit)
            ),
        ));
    }
    for point in &scenario.points {
        check_clock(point, &scenario.run)?;
    }
    Ok(cost)
}

/// A duration in the largest unit that keeps it readable.
pub fn duration(seconds: f64) -> String {
    match seconds {
        s if !s.is_finite() => "forever".to_string(),
        s if s < 120.0 => format!("{s:.0} s"),
        s if s < 7_200.0 => format!("{:.0} min", s / 60.0),
        s if s < 172_800.0 => format!("{:.1} h", s / 3_600.0),
        s => format!("{} days", approx(s / 86_400.0)),
    }
}

fn bytes(amount: f64) -> String {
    let gib = amount / f64::from(1u32 << 30);
    if gib >= 1.0 {
        format!("{gib:.1} GiB")
    } else {
        format!("{:.0} MiB", amount / f64::from(1u32 << 20))
    }
}

/// The key a refusal of the run's size points at.
fn run_length_key(run: &RunConfig) -> &'static str {
    match run.length {
        RunLength::Customers(_) => "run.customers",
        RunLength::Horizon(_) => "run.horizon",
    }
}

fn most_replications(run: &RunConfig) -> u32 {
    run.precision.map_or(run.replications, |p| {
        p.max_replications.max(run.replications)
    })
}

/// Half the machine's physical memory (8 GiB where it cannot be read).
fn memory_limit() -> f64 {
    // SAFETY: sysconf only reads system configuration values.
    let (pages, page_size) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    if pages > 0 && page_size > 0 {
        pages as f64 * page_size as f64 / 2.0
    } else {
        8.0 * f64::from(1u32 << 30)
    }
}

/// The run's estimated cost (see [`check_cost`]).
fn estimate(scenario: &Scenario, threads: usize, share: f64) -> Cost {
    let replications = f64::from(most_replications(&scenario.run));
    let mut visits = 0.0;
    let mut kept = 0.0;
    let mut in_flight: f64 = 0.0;
    for point in &scenario.points {
        let traffic = Traffic::of(&point.model);
        let (messages, pilots) = messages_per_replication(&point.model, &traffic, &scenario.run);
        let backlog = peak_in_system(&point.model, &traffic, messages);
        // After the window, the producers keep sending while the messages
        // still inside drain.
        let drain = traffic.external_rate * traffic.drain_time(&point.model, &backlog);
        let backlogs: f64 = point
            .model
            .queues
            .iter()
            .map(|q| f64::from(q.backlog))
            .sum();
        visits +=
            (replications * (messages + drain + backlogs) + pilots) * traffic.visits_per_message;
        let rows = crate::model::targets(&point.model).len() as f64;
        kept += replications * rows * BYTES_PER_ROW;
        in_flight = in_flight.max(backlog.iter().sum::<f64>() * BYTES_PER_MESSAGE);
    }
    let parallel = (threads.max(1) as f64).min(replications * scenario.points.len() as f64);
    Cost {
        visits: visits * share,
        memory: in_flight * parallel + kept * share,
    }
}

/// Rates of a model that its cost follows.
struct Traffic {
    /// Messages entering per time unit (open producers, and closed loops
    /// at their fastest: no waiting anywhere).
    external_rate: f64,
    /// Mean visits a message makes to the queues.
    visits_per_message: f64,
    /// Arrival rate at each queue, all classes.
    queue_rates: Vec<f64>,
    /// The part of it that comes from open producers (closed loops hold at
    /// most their population).
    open_queue_rates: Vec<f64>,
}

impl Traffic {
    fn of(model: &Model) -> Traffic {
        let n = model.queues.len();
        let mut external_rate = 0.0;
        let mut queue_rates = vec![0.0; n];
        let mut open_queue_rates = vec![0.0; n];
        for producer in &model.producers {
            let (rate, visits, open) = match model.fastest_closed_loop(producer) {
                Some((rate, visits)) => (rate, visits, false),
                None => {
                    let visits = model
                        .visits_from(producer.queue)
                        .unwrap_or_else(|| vec![1.0; n]);
                    (producer.open_rate(), visits, true)
                }
            };
            external_rate += rate;
            for (queue, v) in visits.iter().enumerate() {
                queue_rates[queue] += rate * v;
                if open {
                    open_queue_rates[queue] += rate * v;
                }
            }
        }
        let visits_per_message = if external_rate > 0.0 {
            queue_rates.iter().sum::<f64>() / external_rate
        } else {
            1.0
        };
        Traffic {
            external_rate,
            visits_per_message,
            queue_rates,
            open_queue_rates,
        }
    }

    /// Time for `backlog` messages to leave once arrivals are no longer
    /// measured: the slowest queue's backlog times its service per consumer.
    fn drain_time(&self, model: &Model, backlog: &[f64]) -> f64 {
        model
            .queues
            .iter()
            .zip(backlog)
            .map(|(queue, messages)| {
                let consumers = if queue.is_unlimited() {
                    messages.max(1.0)
                } else {
                    f64::from(queue.consumers)
                };
                messages * queue.service.mean() / consumers
            })
            .fold(0.0, f64::max)
    }
}

/// External messages one replication simulates (its warm-up cut and the
/// measured window), and those the point's pilot runs simulate once to
/// choose the cut (`warmup = "auto"`).
fn messages_per_replication(model: &Model, traffic: &Traffic, run: &RunConfig) -> (f64, f64) {
    let measured = match run.length {
        RunLength::Customers(customers) => customers as f64,
        RunLength::Horizon(horizon) => horizon * traffic.external_rate,
    };
    match run.warmup {
        Warmup::Customers(count) => (measured + count as f64, 0.0),
        Warmup::Auto => {
            let pilot = run.pilot_messages(model.producers.iter().map(Producer::max_rate)) as f64;
            // MSER-5 cuts at most half a pilot.
            (measured + pilot / 2.0, f64::from(PILOTS) * pilot)
        }
    }
}

/// Messages each queue holds at its fullest, roughly: the steady state's
/// order of magnitude when stable, what bounds the queue when overloaded
/// (capacity, patience), never more than the messages of a replication.
fn peak_in_system(model: &Model, traffic: &Traffic, messages: f64) -> Vec<f64> {
    let population: f64 = model
        .producers
        .iter()
        .map(|p| match p.arrivals {
            Arrivals::Closed { population, .. } => f64::from(population),
            Arrivals::Open { .. } => 0.0,
        })
        .sum();
    let rates = traffic.queue_rates.iter().zip(&traffic.open_queue_rates);
    model
        .queues
        .iter()
        .zip(rates)
        .map(|(queue, (&all, &rate))| {
            let offered = rate * queue.service.mean();
            let peak = if queue.is_unlimited() {
                // M/G/inf holds about its offered load, give or take a few sd.
                let offered = all * queue.service.mean();
                offered + 10.0 * offered.sqrt() + 10.0
            } else {
                let consumers = f64::from(queue.consumers);
                let load = offered / consumers;
                let overflow = (rate - consumers / queue.service.mean()).max(0.0);
                match (queue.capacity(), &queue.patience()) {
                    (Some(capacity), _) if load >= 1.0 => f64::from(capacity),
                    (_, Some(patience)) if load >= 1.0 => consumers + overflow * patience.mean(),
                    _ if load >= 1.0 => messages,
                    (capacity, _) => {
                        let stable = consumers + 50.0 * (1.0 + load / (1.0 - load));
                        capacity.map_or(stable, |c| stable.min(f64::from(c)))
                    }
                }
            };
            peak.min(messages.max(1.0)) + population + f64::from(queue.backlog)
        })
        .collect()
}

/// Refuses times the simulated clock cannot resolve: a replication's span
/// more than [`MAX_TIME_RATIO`] times the smallest mean time of the model,
/// or a span that is not finite.
fn check_clock(point: &SweepPoint, run: &RunConfig) -> Result<(), Problem> {
    let model = &point.model;
    let traffic = Traffic::of(model);
    let (messages, _) = messages_per_replication(model, &traffic, run);
    let span = match run.length {
        RunLength::Horizon(horizon) => horizon + messages / traffic.external_rate,
        RunLength::Customers(_) => messages / traffic.external_rate,
    };
    let mut times: Vec<(String, &Dist)> = Vec::new();
    for producer in &model.producers {
        let key = format!("producers.{}", producer.name);
        match &producer.arrivals {
            Arrivals::Open { interarrival } if producer.profile.is_none() => {
                times.push((format!("{key}.interarrival"), interarrival));
            }
            Arrivals::Open { .. } => {}
            Arrivals::Closed { think, .. } => times.push((format!("{key}.closed.think"), think)),
        }
    }
    for queue in &model.queues {
        let key = format!("queues.{}", queue.name);
        times.push((format!("{key}.service"), &queue.service));
        if let Some(patience) = &queue.patience() {
            times.push((format!("{key}.patience"), patience));
        }
    }
    for class in &model.classes {
        if let Some(service) = &class.service {
            times.push((format!("classes.{}.service", class.name), service));
        }
    }
    let Some((key, smallest)) = times
        .iter()
        .map(|(key, dist)| (key, dist.mean()))
        .min_by(|a, b| a.1.total_cmp(&b.1))
    else {
        return Ok(());
    };
    let rate = traffic.external_rate;
    if !(span.is_finite() && rate.is_finite() && rate > 0.0) {
        let slowest = model
            .producers
            .iter()
            .min_by(|a, b| a.open_rate().total_cmp(&b.open_rate()))
            .map_or_else(
                || "producers".to_string(),
                |p| format!("producers.{}", p.name),
            );
        return Err(Problem::new(
            slowest,
            format!(
                "messages arrive {} per time unit in all, so a replication of {} messages would span {} time units, more than the simulated clock holds; choose a time unit closer to the model's times",
                Num(rate),
                Num(messages),
                Num(span)
            ),
        ));
    }
    if span / smallest > MAX_TIME_RATIO {
        return Err(Problem::new(
            key.clone(),
            format!(
                "the mean time here is {}, but a replication spans about {} time units, {} times longer; the simulated clock (a 64-bit float) holds at most {} times the smallest mean time at useful precision: choose a time unit closer to these times, or shorten the run",
                Num(smallest),
                Num(span),
                Num(span / smallest),
                Num(MAX_TIME_RATIO)
            ),
        ));
    }
    Ok(())
}
