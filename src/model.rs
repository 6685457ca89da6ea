//! The validated in-memory model: producers, queues, consumers, classes and
//! routing. Built by `scenario` or directly in code; read by `theory` and `sim`.

use crate::dist::Dist;
use crate::metric::{self, Metric, Threshold};
use crate::profile::Profile;
use crate::theory::jackson::solve_traffic_equations;

mod features;
pub use features::{Feature, Features, Site};

/// Order in which a queue's consumers take waiting messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Discipline {
    /// First in, first out.
    Fifo,
    /// Last in, first out, non-preemptive.
    Lifo,
    /// Lowest class priority number first, FIFO within a class, non-preemptive.
    Priority,
    /// A waiting message chosen uniformly at random.
    Random,
    /// Last in, first out; an arrival interrupts the latest service, which
    /// resumes later where it stopped (preemptive-resume).
    LifoPreemptive,
    /// By priority; an arrival interrupts a less urgent service, which
    /// resumes later where it stopped (preemptive-resume).
    PriorityPreemptive,
    /// Every message present is served at once, the consumers shared
    /// equally: each of n messages gets min(1, c/n) of a consumer.
    ProcessorSharing,
}

impl Discipline {
    /// True when a message's service may be interrupted or slowed by
    /// others (preemption, processor sharing).
    pub fn interrupts_service(self) -> bool {
        matches!(
            self,
            Discipline::LifoPreemptive
                | Discipline::PriorityPreemptive
                | Discipline::ProcessorSharing
        )
    }

    /// The scenario-file name of the discipline.
    pub fn name(self) -> &'static str {
        match self {
            Discipline::Fifo => "fifo",
            Discipline::Lifo => "lifo",
            Discipline::Priority => "priority",
            Discipline::Random => "random",
            Discipline::LifoPreemptive => "lifo-preemptive",
            Discipline::PriorityPreemptive => "priority-preemptive",
            Discipline::ProcessorSharing => "processor-sharing",
        }
    }
}

/// An arrival stream publishing messages of one class to one queue.
#[derive(Clone, Debug)]
pub struct Producer {
    /// Name from the scenario file.
    pub name: String,
    /// Index of the queue it publishes to.
    pub queue: usize,
    /// How its messages are produced.
    pub arrivals: Arrivals,
    /// Index of the class of its messages.
    pub class: usize,
    /// A rate that changes over time: the interarrival distribution then
    /// has mean 1 and gives only the shape, stretched to each step's rate.
    pub profile: Option<Profile>,
}

/// How a producer sends messages.
#[derive(Clone, Debug)]
pub enum Arrivals {
    /// An open stream: messages keep coming, `interarrival` apart.
    Open {
        /// Time between two messages.
        interarrival: Dist,
    },
    /// A closed loop: `population` clients, each sending one message,
    /// waiting until it leaves the system, thinking, then sending again.
    Closed {
        /// Number of clients.
        population: u32,
        /// Time between a reply and the next message.
        think: Dist,
    },
}

impl Producer {
    /// Messages per time unit of an open producer (averaged over its
    /// profile's period, if it has one); 0 for a closed loop.
    pub fn open_rate(&self) -> f64 {
        match (&self.arrivals, &self.profile) {
            (Arrivals::Open { .. }, Some(profile)) => profile.mean_value(),
            (Arrivals::Open { interarrival }, None) => 1.0 / interarrival.mean(),
            (Arrivals::Closed { .. }, _) => 0.0,
        }
    }

    /// True for an open stationary Poisson stream (exponential
    /// interarrivals at a constant rate).
    pub fn is_poisson(&self) -> bool {
        self.profile.is_none()
            && matches!(&self.arrivals, Arrivals::Open { interarrival } if interarrival.is_exponential())
    }
}

/// Where a message goes after service at a queue, with which probability.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// Index of the next queue.
    pub queue: usize,
    /// Probability of taking this route.
    pub probability: f64,
}

/// Loads this close below 1 count as 1: rescaled rates carry rounding.
pub const STABILITY_TOLERANCE: f64 = 1e-9;

/// `consumers` of a queue with a consumer for every message (M/G/inf).
pub const UNLIMITED: u32 = u32::MAX;

/// A station: a buffer with a discipline served by identical consumers.
#[derive(Clone, Debug)]
pub struct Queue {
    /// Name from the scenario file.
    pub name: String,
    /// Number of consumers (servers); [`UNLIMITED`] for one per message.
    pub consumers: u32,
    /// Service time of a message (unless its class overrides it).
    pub service: Dist,
    /// Service order.
    pub discipline: Discipline,
    /// Maximum messages in queue + in service; `None` is unlimited.
    pub capacity: Option<u32>,
    /// Routing after service; the remaining probability leaves the system.
    pub routes: Vec<Route>,
    /// Time a waiting message waits before it expires, if it does.
    pub patience: Option<Dist>,
    /// Queue receiving expired messages; `None` drops them.
    pub dead_letter: Option<usize>,
    /// Consumers that change over time (then `consumers` is their most);
    /// it repeats with the producers' rate profiles.
    pub schedule: Option<Profile>,
}

/// Routing probabilities summing this close to 1 count as exactly 1.
const ROUTING_TOLERANCE: f64 = 1e-9;

impl Queue {
    /// True when every message is served at once (`consumers = "unlimited"`).
    pub fn is_unlimited(&self) -> bool {
        self.consumers == UNLIMITED
    }

    /// The queue a message goes to after service here, given a uniform
    /// `draw` in [0, 1), or `None` when it leaves the system.
    #[inline]
    pub fn next_queue(&self, draw: f64) -> Option<usize> {
        let mut cumulative = 0.0;
        let last = self.routes.len().checked_sub(1)?;
        self.routes.iter().enumerate().find_map(|(index, route)| {
            cumulative += route.probability;
            // Probabilities summing to 1 may round just below it: then the
            // last route takes the remainder instead of leaking messages.
            let closes = index == last && cumulative >= 1.0 - ROUTING_TOLERANCE;
            (draw < cumulative || closes).then_some(route.queue)
        })
    }
}

/// A message class.
#[derive(Clone, Debug)]
pub struct Class {
    /// Name from the scenario file (`default` when the file declares none).
    pub name: String,
    /// Lower numbers are served first under the priority discipline.
    pub priority: i64,
    /// Service time at every queue for this class, replacing the queue's.
    pub service: Option<Dist>,
}

impl Class {
    /// Service-time distribution of this class's messages at `queue`.
    pub fn service_at<'a>(&'a self, queue: &'a Queue) -> &'a Dist {
        self.service.as_ref().unwrap_or(&queue.service)
    }
}

/// A complete, validated queueing model.
#[derive(Clone, Debug)]
pub struct Model {
    /// Scenario name.
    pub name: String,
    /// Label of the time unit, e.g. "ms".
    pub time_unit: String,
    /// Arrival streams.
    pub producers: Vec<Producer>,
    /// Stations.
    pub queues: Vec<Queue>,
    /// Message classes; at least one.
    pub classes: Vec<Class>,
    /// Service-level thresholds, distinct and in increasing order: each t
    /// adds the metrics `wait_within_<t>` and `sojourn_within_<t>` to the
    /// results (none by default).
    pub within: Vec<Threshold>,
}

impl Model {
    /// The metrics reported for this model, in the order of its value
    /// vectors: the fixed ones, then those of its thresholds (see
    /// [`crate::metric::layout`]).
    pub fn metrics(&self) -> Vec<Metric> {
        metric::layout(&self.within)
    }

    /// Service-time distribution of `class` messages at `queue`.
    pub fn service(&self, queue: usize, class: usize) -> &Dist {
        self.classes[class].service_at(&self.queues[queue])
    }

    /// True when the scenario distinguishes several classes.
    pub fn has_classes(&self) -> bool {
        self.classes.len() > 1
    }

    /// Routing matrix: `routing[i][j]` is the probability of going from queue i to j.
    pub fn routing_matrix(&self) -> Vec<Vec<f64>> {
        let n = self.queues.len();
        self.queues
            .iter()
            .map(|queue| {
                let mut row = vec![0.0; n];
                for route in &queue.routes {
                    row[route.queue] += route.probability;
                }
                row
            })
            .collect()
    }

    /// External arrival rate per class at each queue: `[queue][class]`.
    pub fn external_rates(&self) -> Vec<Vec<f64>> {
        let mut rates = vec![vec![0.0; self.classes.len()]; self.queues.len()];
        for producer in &self.producers {
            rates[producer.queue][producer.class] += producer.open_rate();
        }
        rates
    }

    /// Total arrival rate per class at each queue (`[queue][class]`) from the
    /// traffic equations, ignoring losses to blocking; `None` if the routing
    /// never lets messages leave.
    pub fn arrival_rates(&self) -> Option<Vec<Vec<f64>>> {
        self.rates_with(&self.routing_matrix())
    }

    /// Like [`Model::arrival_rates`], but counting every message that may
    /// expire as sent to its dead-letter queue: an upper bound on each
    /// queue's traffic, used for loads and stability.
    pub fn arrival_rate_bounds(&self) -> Option<Vec<Vec<f64>>> {
        let rates = self.rates_with(&self.routing_with_dead_letters())?;
        rates
            .iter()
            .flatten()
            .all(|r| *r >= 0.0 && r.is_finite())
            .then_some(rates)
    }

    /// Traffic equations for every class under `routing`.
    fn rates_with(&self, routing: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
        let external = self.external_rates();
        let mut rates = vec![vec![0.0; self.classes.len()]; self.queues.len()];
        for class in 0..self.classes.len() {
            let gamma: Vec<f64> = external.iter().map(|row| row[class]).collect();
            let lambda = solve_traffic_equations(&gamma, routing)?;
            for (queue, rate) in lambda.into_iter().enumerate() {
                rates[queue][class] = rate;
            }
        }
        Some(rates)
    }

    /// Offered load per consumer of each queue, rho = sum_k lambda_k E[S_k] / c,
    /// ignoring losses to blocking and counting every possible expiry as
    /// dead-lettered (an upper bound); `None` if the routing never lets
    /// messages leave.
    pub fn loads(&self) -> Option<Vec<f64>> {
        let rates = self.arrival_rate_bounds()?;
        Some(
            rates
                .iter()
                .enumerate()
                .map(|(queue, per_class)| {
                    let work: f64 = per_class
                        .iter()
                        .enumerate()
                        .map(|(class, rate)| rate * self.service(queue, class).mean())
                        .sum();
                    let queue = &self.queues[queue];
                    match &queue.schedule {
                        _ if queue.is_unlimited() => 0.0,
                        // Averaged over the period, like the rates.
                        Some(schedule) => work / schedule.mean_value(),
                        None => work / f64::from(queue.consumers),
                    }
                })
                .collect(),
        )
    }

    /// Queues some message can reach, from any producer (open or closed),
    /// through `next` or dead-letter routing.
    pub fn reachable_queues(&self) -> Vec<bool> {
        self.reached_by(|_| true)
    }

    /// Queues some message of a producer that passes `from` can reach,
    /// through `next` or dead-letter routing.
    pub fn reached_by(&self, from: impl Fn(&Producer) -> bool) -> Vec<bool> {
        let mut reached = vec![false; self.queues.len()];
        let mut pending: Vec<usize> = self
            .producers
            .iter()
            .filter(|p| from(p))
            .map(|p| p.queue)
            .collect();
        while let Some(queue) = pending.pop() {
            if std::mem::replace(&mut reached[queue], true) {
                continue;
            }
            let spec = &self.queues[queue];
            pending.extend(
                spec.routes
                    .iter()
                    .filter(|r| r.probability > 0.0)
                    .map(|r| r.queue),
            );
            pending.extend(spec.dead_letter);
        }
        reached
    }

    /// True when the queues form one network: several queues, all linked
    /// to each other (in either direction) by `next` routing or dead-letter
    /// queues, so messages flow between them and end-to-end figures (the
    /// `system` row) mean something. Independent queues side by side are
    /// alternatives, not a system.
    pub fn is_network(&self) -> bool {
        let count = self.queues.len();
        if count < 2 {
            return false;
        }
        let mut links = vec![Vec::new(); count];
        for (from, queue) in self.queues.iter().enumerate() {
            let routes = queue.routes.iter().filter(|r| r.probability > 0.0);
            for to in routes.map(|r| r.queue).chain(queue.dead_letter) {
                links[from].push(to);
                links[to].push(from);
            }
        }
        let mut linked = vec![false; count];
        let mut pending = vec![0];
        while let Some(queue) = pending.pop() {
            if !std::mem::replace(&mut linked[queue], true) {
                pending.extend(&links[queue]);
            }
        }
        linked.into_iter().all(|l| l)
    }

    /// True when some producer's rate follows a profile over time (a
    /// queue's consumer schedule follows it too).
    pub fn has_profiles(&self) -> bool {
        self.producers.iter().any(|p| p.profile.is_some())
    }

    /// The consumers of `queue` at model time `time` (within a step, not
    /// on its boundary: see [`crate::profile::Span::middle`]).
    pub fn consumers_at(&self, queue: usize, time: f64) -> u32 {
        let queue = &self.queues[queue];
        queue
            .schedule
            .as_ref()
            .map_or(queue.consumers, |schedule| schedule.value_at(time) as u32)
    }

    /// True when some producer is a closed loop.
    pub fn has_closed_loops(&self) -> bool {
        self.producers
            .iter()
            .any(|p| matches!(p.arrivals, Arrivals::Closed { .. }))
    }

    /// The first queue with no steady state, with its load: no capacity and
    /// no patience, and a load of 1 or more (open traffic, plus closed loops
    /// at their fastest where open traffic arrives too) (within [`STABILITY_TOLERANCE`];
    /// averaged over the period of repeating rate profiles). None when rate
    /// profiles do not repeat: the traffic then stops.
    pub fn unstable_queue(&self) -> Option<(usize, f64)> {
        let ends = self
            .producers
            .iter()
            .any(|p| p.profile.as_ref().is_some_and(|profile| !profile.repeats));
        if ends {
            // Profiles that do not repeat stop: every run is finite.
            return None;
        }
        let loads = self.loads()?;
        let closed = self.closed_loads();
        self.queues
            .iter()
            .zip(loads.into_iter().zip(closed))
            .enumerate()
            .map(|(index, (queue, (open, closed)))| {
                // Open messages behind clients that keep the queue busy on
                // their own find no spare capacity: count the clients at
                // their fastest where open traffic arrives.
                let load = if open > 0.0 { open + closed } else { open };
                (index, queue, load)
            })
            .find(|(_, queue, load)| {
                let bounded = queue.capacity.is_some() || queue.patience.is_some();
                !bounded && *load >= 1.0 - STABILITY_TOLERANCE
            })
            .map(|(index, _, load)| (index, load))
    }

    /// The load each queue's consumers would carry from the closed loops
    /// alone at their fastest ([`Model::fastest_closed_loop`]).
    pub fn closed_loads(&self) -> Vec<f64> {
        let mut loads = vec![0.0; self.queues.len()];
        for producer in &self.producers {
            let Some((throughput, visits)) = self.fastest_closed_loop(producer) else {
                continue;
            };
            for (queue, (load, v)) in loads.iter_mut().zip(visits).enumerate() {
                let spec = &self.queues[queue];
                if !spec.is_unlimited() {
                    let demand = v * self.service(queue, producer.class).mean();
                    *load += throughput * demand / f64::from(spec.consumers);
                }
            }
        }
        loads
    }

    /// A closed producer's messages per time unit at their fastest, when its
    /// N clients cycle through think time and service without ever waiting,
    /// X = N / (think + service demand), with the mean visits its messages
    /// make to each queue; `None` for an open producer.
    pub fn fastest_closed_loop(&self, producer: &Producer) -> Option<(f64, Vec<f64>)> {
        let Arrivals::Closed { population, think } = &producer.arrivals else {
            return None;
        };
        let visits = self.visits_from(producer.queue)?;
        let demand: f64 = visits
            .iter()
            .enumerate()
            .map(|(queue, v)| v * self.service(queue, producer.class).mean())
            .sum();
        Some((f64::from(*population) / (think.mean() + demand), visits))
    }

    /// Mean visits to each queue of a message that enters at `queue`,
    /// counting every possible expiry as dead-lettered; `None` if it may
    /// never leave.
    pub fn visits_from(&self, queue: usize) -> Option<Vec<f64>> {
        let mut entry = vec![0.0; self.queues.len()];
        entry[queue] = 1.0;
        solve_traffic_equations(&entry, &self.routing_with_dead_letters())
    }

    /// The routing matrix with every possible expiry sent to its
    /// dead-letter queue.
    fn routing_with_dead_letters(&self) -> Vec<Vec<f64>> {
        let mut routing = self.routing_matrix();
        for (index, queue) in self.queues.iter().enumerate() {
            if let Some(dead_letter) = queue.dead_letter {
                routing[index][dead_letter] += 1.0;
            }
        }
        routing
    }

    /// The load of the busiest queue.
    pub fn max_load(&self) -> Option<f64> {
        self.loads()
            .map(|loads| loads.into_iter().fold(0.0, f64::max))
    }

    /// A copy with every producer's rate scaled so the busiest queue has `load`.
    pub fn with_load(&self, load: f64) -> Option<Model> {
        let current = self.max_load()?;
        if current <= 0.0 || !load.is_finite() || load <= 0.0 {
            return None;
        }
        let stretch = current / load;
        let mut scaled = self.clone();
        for producer in &mut scaled.producers {
            match (&mut producer.arrivals, &mut producer.profile) {
                (Arrivals::Open { .. }, Some(profile)) => *profile = profile.scaled(1.0 / stretch),
                (Arrivals::Open { interarrival }, None) => {
                    *interarrival = interarrival.scaled(stretch).ok()?;
                }
                (Arrivals::Closed { .. }, _) => {}
            }
        }
        Some(scaled)
    }
}
