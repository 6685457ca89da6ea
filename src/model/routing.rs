//! Routing between queues: where a message goes after service, and what
//! the routes make of the queues (the routing matrix, which queues a
//! message can reach, whether they form one network).

use super::Model;
use super::producer::Producer;
use super::station::Exit;

/// Where a message goes after service at a queue, with which probability.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// Index of the next queue.
    pub queue: usize,
    /// Probability of taking this route.
    pub probability: f64,
}

/// Routing probabilities summing this close to 1 count as exactly 1.
const ROUTING_TOLERANCE: f64 = 1e-9;

impl Exit {
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

impl Model {
    /// Routing matrix: `routing[i][j]` is the probability of going from queue i to j.
    /// A queue with retries counts each delivery: of its A deliveries per
    /// message, A - 1 come back to it, and a message routes on (`next`) after
    /// its one success, or goes to the dead-letter queue when its retries
    /// ran out, so the traffic equations give deliveries per time unit.
    pub fn routing_matrix(&self) -> Vec<Vec<f64>> {
        let n = self.queues.len();
        self.queues
            .iter()
            .enumerate()
            .map(|(index, queue)| {
                let mut row = vec![0.0; n];
                for route in queue.routes() {
                    row[route.queue] += route.probability;
                }
                if let Some(retry) = queue.retry() {
                    let deliveries = retry.deliveries_per_message();
                    let exhausted = retry.dead_letter_share();
                    for share in &mut row {
                        *share *= (1.0 - exhausted) / deliveries;
                    }
                    row[index] += (deliveries - 1.0) / deliveries;
                    if let Some(dead_letter) = queue.dead_letter() {
                        row[dead_letter] += exhausted / deliveries;
                    }
                }
                row
            })
            .collect()
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
                spec.routes()
                    .iter()
                    .filter(|r| r.probability > 0.0)
                    .map(|r| r.queue),
            );
            pending.extend(spec.dead_letter());
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
            let routes = queue.routes().iter().filter(|r| r.probability > 0.0);
            for to in routes.map(|r| r.queue).chain(queue.dead_letter()) {
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

    /// The routing matrix with every possible expiry or overflow sent to its
    /// dead-letter queue.
    pub(super) fn routing_with_dead_letters(&self) -> Vec<Vec<f64>> {
        let mut routing = self.routing_matrix();
        for (index, queue) in self.queues.iter().enumerate() {
            if let (Some(_), Some(dead_letter)) = (&queue.exit.expiry, queue.dead_letter()) {
                routing[index][dead_letter] += 1.0;
            }
        }
        routing
    }
}
