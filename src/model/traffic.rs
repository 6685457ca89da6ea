//! Traffic: the rates and loads the producers put on each queue, from the
//! traffic equations, and the model rescaled to another load.

use super::producer::{Arrivals, Producer};
use super::{Model, Outage};
use crate::dist::Dist;

/// Loads this close below 1 count as 1: rescaled rates carry rounding.
pub const STABILITY_TOLERANCE: f64 = 1e-9;

impl Model {
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
        self.rates_with(&self.routing_matrix(), solve_traffic_equations)
    }

    /// Like [`Model::arrival_rates`], but counting every message that may
    /// expire or overflow as sent to its dead-letter queue: an upper bound on each
    /// queue's traffic, used for loads and stability.
    pub fn arrival_rate_bounds(&self) -> Option<Vec<Vec<f64>>> {
        let rates = self.rates_with(&self.routing_with_dead_letters(), solve_traffic_bound)?;
        rates
            .iter()
            .flatten()
            .all(|r| *r >= 0.0 && r.is_finite())
            .then_some(rates)
    }

    /// Traffic equations for every class under `routing`, solved by `solve`.
    fn rates_with(&self, routing: &[Vec<f64>], solve: TrafficSolver) -> Option<Vec<Vec<f64>>> {
        let external = self.external_rates();
        let mut rates = vec![vec![0.0; self.classes.len()]; self.queues.len()];
        for class in 0..self.classes.len() {
            let gamma: Vec<f64> = external.iter().map(|row| row[class]).collect();
            let lambda = solve(&gamma, routing)?;
            for (queue, rate) in lambda.into_iter().enumerate() {
                rates[queue][class] = rate;
            }
        }
        Some(rates)
    }

    /// Offered load per consumer (per thread, for consumers with `threads`) of
    /// each queue, rho = sum_k lambda_k E\[S_k\] / c (E\[S_k\] counting the
    /// retry delays a blocking retry holds its consumer through),
    /// ignoring losses to blocking and counting every possible expiry or
    /// overflow as dead-lettered (an upper bound); `None` if the routing never lets
    /// messages leave.
    pub fn loads(&self) -> Option<Vec<f64>> {
        let rates = self.arrival_rate_bounds()?;
        Some(
            rates
                .iter()
                .enumerate()
                .map(|(queue, per_class)| {
                    let spec = &self.queues[queue];
                    // Blocking retries hold a consumer through their
                    // delays: per delivery, the held time over E[N].
                    let held = spec.blocking_retry().map_or(0.0, |retry| {
                        retry.mean_delay_per_message() / retry.deliveries_per_message()
                    });
                    let work: f64 = per_class
                        .iter()
                        .enumerate()
                        .map(|(class, rate)| rate * (self.service(queue, class).mean() + held))
                        .sum();
                    let queue = spec;
                    match &queue.schedule {
                        _ if queue.is_unlimited() => 0.0,
                        // Averaged over the period, like the rates.
                        Some(schedule) => work / schedule.mean_value(),
                        // Every thread of a consumer is a server.
                        None => work / f64::from(queue.consumers.saturating_mul(queue.threads())),
                    }
                })
                .collect(),
        )
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
                // Prefetch windows held through a round trip keep a
                // saturated consumer from being busy all the time.
                let load = load / self.window_busy_share(index);
                // Failing consumers serve only while up (a lower bound: the
                // work a failure cuts short is lost too).
                let load = load / queue.outage().map_or(1.0, Outage::availability);
                (index, queue, load)
            })
            .find(|(_, queue, load)| {
                let bounded = queue.capacity().is_some() || queue.patience().is_some();
                !bounded && *load >= 1.0 - STABILITY_TOLERANCE
            })
            .map(|(index, _, load)| (index, load))
    }

    /// The share of time a saturated consumer of `queue` can be busy
    /// ([`crate::model::Window::saturated_busy_share`]; 1 without prefetch
    /// windows), at the mean service its traffic brings (exponential when
    /// every class with traffic there has exponential service of one mean).
    pub fn window_busy_share(&self, queue: usize) -> f64 {
        let Some(window) = self.queues[queue].window() else {
            return 1.0;
        };
        let Some(rates) = self.arrival_rate_bounds() else {
            return 1.0;
        };
        let flows: Vec<(f64, &Dist)> = rates[queue]
            .iter()
            .enumerate()
            .filter(|(_, rate)| **rate > 0.0)
            .map(|(class, rate)| (*rate, self.service(queue, class)))
            .collect();
        let total: f64 = flows.iter().map(|(rate, _)| rate).sum();
        if total == 0.0 {
            return 1.0;
        }
        let mean = flows.iter().map(|(rate, s)| rate * s.mean()).sum::<f64>() / total;
        let exponential = flows
            .iter()
            .all(|(_, s)| s.is_exponential() && s.mean() == mean);
        window.saturated_busy_share(mean, exponential)
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
    /// counting every possible expiry or overflow as dead-lettered; `None` if it may
    /// never leave.
    pub fn visits_from(&self, queue: usize) -> Option<Vec<f64>> {
        let mut entry = vec![0.0; self.queues.len()];
        entry[queue] = 1.0;
        solve_traffic_bound(&entry, &self.routing_with_dead_letters())
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

/// A solver of the traffic equations: [`solve_traffic_equations`] or
/// [`solve_traffic_bound`].
type TrafficSolver = fn(&[f64], &[Vec<f64>]) -> Option<Vec<f64>>;

/// Largest allowed excess of a routing row sum over 1 (rounding slack).
const ROW_SUM_SLACK: f64 = 1e-12;

/// Solves the traffic equations λ_j = γ_j + Σ_i λ_i P\[i\]\[j\], i.e.
/// (I - Pᵀ)λ = γ, by Gaussian elimination with partial pivoting (no
/// iteration), §13. Reusable for non-exponential networks to get node loads.
///
/// `None` if the dimensions disagree, γ_j < 0, an entry of P is negative, a
/// row of P sums to more than 1, a value is not finite, or I - Pᵀ is
/// (numerically) singular, i.e. some customers can never leave. Tiny
/// negative rounding residues in λ are clamped to 0 (the exact solution
/// λ = γᵀ(I - P)⁻¹ is non-negative).
pub fn solve_traffic_equations(gamma: &[f64], routing: &[Vec<f64>]) -> Option<Vec<f64>> {
    let substochastic = routing
        .iter()
        .all(|row| row.iter().sum::<f64>() <= 1.0 + ROW_SUM_SLACK);
    if !substochastic {
        return None;
    }
    eliminate(gamma, routing).map(|lambda| lambda.into_iter().map(|l| l.max(0.0)).collect())
}

/// Like [`solve_traffic_equations`] for a routing that bounds the traffic
/// from above, whose rows may sum past 1 (a visit counted on several exits
/// at once, e.g. to its dead-letter queue as if it expired and onwards as
/// if it was served). `None` unless that bound is finite: the solution for
/// γ = 1 everywhere must be strictly positive, which certifies that the
/// spectral radius of P is below 1 (Collatz–Wielandt: Pᵀx < x with x > 0),
/// so (I - Pᵀ)⁻¹ = Σ (Pᵀ)ᵏ is non-negative.
pub fn solve_traffic_bound(gamma: &[f64], routing: &[Vec<f64>]) -> Option<Vec<f64>> {
    let certificate = eliminate(&vec![1.0; gamma.len()], routing)?;
    if !certificate.iter().all(|x| x.is_finite() && *x > 0.0) {
        return None;
    }
    eliminate(gamma, routing).map(|lambda| lambda.into_iter().map(|l| l.max(0.0)).collect())
}

/// (I - Pᵀ)λ = γ by Gaussian elimination with partial pivoting; `None` if
/// the dimensions disagree, a value is negative or not finite, or the
/// matrix is (numerically) singular. The solution is unclamped.
fn eliminate(gamma: &[f64], routing: &[Vec<f64>]) -> Option<Vec<f64>> {
    let n = gamma.len();
    let valid_gamma = gamma.iter().all(|g| g.is_finite() && *g >= 0.0);
    let valid_routing = routing.len() == n
        && routing
            .iter()
            .all(|row| row.len() == n && row.iter().all(|p| p.is_finite() && *p >= 0.0));
    if !valid_gamma || !valid_routing {
        return None;
    }
    // Augmented matrix [I - Pᵀ | γ].
    let mut a: Vec<Vec<f64>> = (0..n)
        .map(|j| {
            let mut row: Vec<f64> = (0..n).map(|i| -routing[i][j]).collect();
            row[j] += 1.0;
            row.push(gamma[j]);
            row
        })
        .collect();
    for col in 0..n {
        let pivot = (col..n).max_by(|&r, &s| a[r][col].abs().total_cmp(&a[s][col].abs()))?;
        if a[pivot][col].abs() <= f64::EPSILON * n as f64 {
            return None;
        }
        a.swap(col, pivot);
        let (upper, lower) = a.split_at_mut(col + 1);
        let pivot_row = &upper[col];
        for row in lower {
            let factor = row[col] / pivot_row[col];
            if factor != 0.0 {
                for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                    *x -= factor * p;
                }
            }
        }
    }
    let mut lambda = vec![0.0; n];
    for row in (0..n).rev() {
        let known: f64 = (row + 1..n).map(|k| a[row][k] * lambda[k]).sum();
        lambda[row] = (a[row][n] - known) / a[row][row];
    }
    Some(lambda)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64, tol: f64) -> bool {
        (got - want).abs() <= tol * want.abs().max(1e-300)
    }

    #[test]
    fn a_bound_counts_a_visit_on_several_exits_and_refuses_a_divergent_one() {
        // Queue 0 sends every visit to its dead-letter queue 1 (as if it
        // expired) and half onwards to 2 (as if served): λ = (2, 2, 1).
        let routing = vec![
            vec![0.0, 1.0, 0.5],
            vec![0.0, 0.0, 0.0],
            vec![0.0, 0.0, 0.0],
        ];
        assert_eq!(solve_traffic_equations(&[2.0, 0.0, 0.0], &routing), None);
        let l = solve_traffic_bound(&[2.0, 0.0, 0.0], &routing).unwrap();
        assert!(close(l[0], 2.0, 1e-15) && close(l[1], 2.0, 1e-15) && close(l[2], 1.0, 1e-15));
        // A loop through the dead-letter queue: 2 x 0.6 > 1, no finite bound
        // (the linear solution exists but is negative).
        let divergent = vec![vec![0.0, 2.0], vec![0.6, 0.0]];
        assert_eq!(solve_traffic_bound(&[1.0, 0.0], &divergent), None);
        // A loop of weight 1 never lets messages leave.
        let closed = vec![vec![0.0, 1.0], vec![1.0, 0.0]];
        assert_eq!(solve_traffic_bound(&[1.0, 0.0], &closed), None);
    }

    #[test]
    fn expiry_to_a_dead_letter_queue_beside_routing_or_retries_is_bounded() {
        let model = |exit: &str| {
            let text = format!(
                "name = \"b\"\n[[producers]]\nname = \"p\"\nto = \"q\"\ninterarrival = {{ dist = \"exponential\", mean = 1.0 }}\n[[queues]]\nname = \"q\"\nconsumers = 2\nservice = {{ dist = \"exponential\", mean = 1.0 }}\npatience = {{ dist = \"exponential\", mean = 5.0 }}\ndead_letter = \"dlq\"\n{exit}\n[[queues]]\nname = \"r\"\nconsumers = 1\nservice = {{ dist = \"exponential\", mean = 0.1 }}\n[[queues]]\nname = \"dlq\"\nconsumers = 1\nservice = {{ dist = \"exponential\", mean = 0.1 }}"
            );
            let scenario = crate::scenario::parse(std::path::Path::new("b.toml"), text)
                .expect("a valid scenario");
            scenario.points[0].model.clone()
        };
        // Half the served go on to r; every arrival may expire instead.
        let bounds = model("next = [ { to = \"r\", p = 0.5 } ]")
            .arrival_rate_bounds()
            .unwrap();
        let total = |queue: usize| bounds[queue].iter().sum::<f64>();
        assert!(close(total(0), 1.0, 1e-12) && close(total(1), 0.5, 1e-12));
        assert!(close(total(2), 1.0, 1e-12));
        // Requeued deliveries (p = 0.2: 1.25 visits per message), each of
        // which the bound lets expire too.
        let retried =
            model("retry = { p = 0.2, requeue = \"head\" }\nnext = [ { to = \"r\", p = 0.5 } ]")
                .arrival_rate_bounds()
                .unwrap();
        assert!(close(retried[0].iter().sum::<f64>(), 1.25, 1e-12));
        assert!(retried.iter().flatten().all(|r| r.is_finite()));
    }

    #[test]
    fn traffic_equations_hand_solved() {
        // Node 0 feeds back to itself w.p. 1/2: λ0 = 1/(1 - 1/2) = 2, λ1 = 2 · 1/2 = 1.
        let routing = vec![vec![0.5, 0.5], vec![0.0, 0.0]];
        let l = solve_traffic_equations(&[1.0, 0.0], &routing).unwrap();
        assert!(close(l[0], 2.0, 1e-15) && close(l[1], 1.0, 1e-15));
        // A pivot swap is needed (zero diagonal after the first step is avoided).
        let routing = vec![
            vec![0.0, 1.0, 0.0],
            vec![0.0, 0.0, 1.0],
            vec![0.5, 0.0, 0.0],
        ];
        let l = solve_traffic_equations(&[1.0, 0.0, 0.0], &routing).unwrap();
        assert!(l.iter().all(|x| close(*x, 2.0, 1e-15)));
        // A closed loop with no exit is singular.
        let loop_routing = vec![vec![0.0, 1.0], vec![1.0, 0.0]];
        assert!(solve_traffic_equations(&[1.0, 0.0], &loop_routing).is_none());
        assert!(solve_traffic_equations(&[1.0], &[vec![1.2]]).is_none());
        assert!(solve_traffic_equations(&[1.0], &[vec![-0.1]]).is_none());
        assert!(solve_traffic_equations(&[1.0, 0.0], &[vec![0.0]]).is_none());
        assert_eq!(solve_traffic_equations(&[], &[]), Some(vec![]));
    }
}
