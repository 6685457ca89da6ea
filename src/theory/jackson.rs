//! Open Jackson networks, formulas.md §13 (Jackson 1963): nodes are M/M/c_j
//! (or infinite-server) stations with exponential service rate μ_j, external
//! Poisson arrivals γ_j and Markov routing P (P\[i\]\[j\] = probability of going
//! from i to j after service; exit probability 1 - Σ_j P\[i\]\[j\]). By the
//! product form, node j behaves as an independent M/M/c_j with arrival rate
//! λ_j from the traffic equations.

use super::mmc::Mmc;
use super::mminf::Mminf;
use crate::model::solve_traffic_equations;

/// One node of a Jackson network with its stationary metrics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum JacksonNode {
    /// An M/M/c node (§3).
    MultiServer(Mmc),
    /// An infinite-server node: L_j = λ_j/μ_j, W_j = 1/μ_j (§6, §13).
    InfiniteServer(Mminf),
}

impl JacksonNode {
    /// Mean number at the node L_j.
    pub fn mean_in_system(&self) -> f64 {
        match self {
            Self::MultiServer(q) => q.mean_in_system(),
            Self::InfiniteServer(q) => q.mean_in_system(),
        }
    }

    /// Mean number waiting at the node.
    pub fn mean_in_queue(&self) -> f64 {
        match self {
            Self::MultiServer(q) => q.mean_in_queue(),
            Self::InfiniteServer(q) => q.mean_in_queue(),
        }
    }

    /// Mean response time per visit W_j (wait + service).
    pub fn mean_sojourn(&self) -> f64 {
        match self {
            Self::MultiServer(q) => q.mean_sojourn(),
            Self::InfiniteServer(q) => q.mean_sojourn(),
        }
    }

    /// Mean wait per visit before service.
    pub fn mean_wait(&self) -> f64 {
        match self {
            Self::MultiServer(q) => q.mean_wait(),
            Self::InfiniteServer(q) => q.mean_wait(),
        }
    }
}

/// A stable open Jackson network (§13). Server counts are given as
/// `Option<u32>`: `Some(c)` is an M/M/c node, `None` an infinite-server node.
#[derive(Debug, Clone, PartialEq)]
pub struct JacksonNetwork {
    arrival_rates: Vec<f64>,
    nodes: Vec<JacksonNode>,
    external_rate: f64,
}

impl JacksonNetwork {
    /// Builds the network from external arrival rates γ, routing matrix P,
    /// service rates μ and server counts (see the type doc). `None` if the
    /// traffic equations have no valid solution (see
    /// [`solve_traffic_equations`]), the slices differ in length, Σγ = 0, or
    /// any node is invalid or unstable (λ_j ≥ c_j μ_j).
    pub fn new(
        gamma: &[f64],
        routing: &[Vec<f64>],
        mu: &[f64],
        servers: &[Option<u32>],
    ) -> Option<Self> {
        let arrival_rates = solve_traffic_equations(gamma, routing)?;
        Self::from_rates(arrival_rates, gamma.iter().sum(), mu, servers)
    }

    /// The "visits" form (Jain, Lazowska), §13: system arrival rate λ, visit
    /// ratio V_k and mean service time S_k per visit; node k is an M/M/c_k
    /// (or infinite-server) node with arrival rate λV_k and μ_k = 1/S_k.
    /// `None` for invalid inputs (λ ≤ 0, V_k < 0, S_k ≤ 0, non-finite values,
    /// length mismatch) or an unstable node.
    pub fn from_visits(
        lambda: f64,
        visits: &[f64],
        mean_services: &[f64],
        servers: &[Option<u32>],
    ) -> Option<Self> {
        if !visits.iter().all(|v| v.is_finite() && *v >= 0.0) || mean_services.len() != visits.len()
        {
            return None;
        }
        let rates = visits.iter().map(|v| lambda * v).collect();
        let mu: Vec<f64> = mean_services.iter().map(|s| 1.0 / s).collect();
        Self::from_rates(rates, lambda, &mu, servers)
    }

    fn from_rates(
        arrival_rates: Vec<f64>,
        external_rate: f64,
        mu: &[f64],
        servers: &[Option<u32>],
    ) -> Option<Self> {
        let n = arrival_rates.len();
        if mu.len() != n || servers.len() != n || !external_rate.is_finite() || external_rate <= 0.0
        {
            return None;
        }
        let nodes = (0..n)
            .map(|j| match servers[j] {
                Some(c) => Mmc::new(arrival_rates[j], mu[j], c).map(JacksonNode::MultiServer),
                None => Mminf::new(arrival_rates[j], mu[j]).map(JacksonNode::InfiniteServer),
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Self {
            arrival_rates,
            nodes,
            external_rate,
        })
    }

    /// Total arrival rate λ_j of each node (solution of the traffic equations).
    pub fn arrival_rates(&self) -> &[f64] {
        &self.arrival_rates
    }

    /// All nodes, in input order.
    pub fn nodes(&self) -> &[JacksonNode] {
        &self.nodes
    }

    /// Node j (0-based), or `None` if out of range.
    pub fn node(&self, j: usize) -> Option<&JacksonNode> {
        self.nodes.get(j)
    }

    /// Visit ratios v_j = λ_j/Γ, Γ = Σγ (mean visits per external arrival).
    pub fn visit_ratios(&self) -> Vec<f64> {
        let total = self.external_rate;
        self.arrival_rates.iter().map(|l| l / total).collect()
    }

    /// Mean end-to-end sojourn of an external arrival,
    /// W_net = Σ_j L_j / Γ = Σ_j v_j W_j (Little on the whole network, §13).
    pub fn mean_network_sojourn(&self) -> f64 {
        let total: f64 = self.nodes.iter().map(JacksonNode::mean_in_system).sum();
        total / self.external_rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64, tol: f64) -> bool {
        (got - want).abs() <= tol * want.abs().max(1e-300)
    }

    #[test]
    fn tandem_and_feedback_networks() {
        // Tandem M/M/1 → M/M/1, λ = 1, μ = (2, 3): W = 1/(2-1) + 1/(3-1) = 1.5.
        let tandem = vec![vec![0.0, 1.0], vec![0.0, 0.0]];
        let net =
            JacksonNetwork::new(&[1.0, 0.0], &tandem, &[2.0, 3.0], &[Some(1), Some(1)]).unwrap();
        assert!(close(net.mean_network_sojourn(), 1.5, 1e-15));
        // M/M/1 with Bernoulli feedback p: λ = γ/(1-p), W_net = visits · W_node.
        let fb = vec![vec![0.25]];
        let net = JacksonNetwork::new(&[0.6], &fb, &[2.0], &[Some(1)]).unwrap();
        assert!(close(net.arrival_rates()[0], 0.8, 1e-15));
        let per_visit = 1.0 / (2.0 - 0.8);
        assert!(close(net.node(0).unwrap().mean_sojourn(), per_visit, 1e-15));
        assert!(close(net.mean_network_sojourn(), per_visit / 0.75, 1e-14));
        assert!(close(net.visit_ratios()[0], 4.0 / 3.0, 1e-15));
        // Unstable node.
        assert!(JacksonNetwork::new(&[1.6], &fb, &[2.0], &[Some(1)]).is_none());
        assert!(net.node(1).is_none());
    }

    #[test]
    fn infinite_server_nodes_and_visits_form() {
        let routing = vec![vec![0.0, 0.5], vec![0.0, 0.0]];
        let net =
            JacksonNetwork::new(&[2.0, 0.0], &routing, &[4.0, 0.5], &[Some(1), None]).unwrap();
        let delay = net.node(1).unwrap();
        assert!(matches!(delay, JacksonNode::InfiniteServer(_)));
        assert!(close(delay.mean_in_system(), 2.0, 1e-15));
        assert_eq!(delay.mean_wait(), 0.0);
        assert!(close(net.mean_network_sojourn(), (1.0 + 2.0) / 2.0, 1e-15));
        // Visits form: the same network described by V = (1, 0.5), S = (1/4, 2).
        let visits =
            JacksonNetwork::from_visits(2.0, &[1.0, 0.5], &[0.25, 2.0], &[Some(1), None]).unwrap();
        assert!(close(
            visits.mean_network_sojourn(),
            net.mean_network_sojourn(),
            1e-15
        ));
        // Residence time V_k S_k/(1 - λ V_k S_k) for single servers.
        let v = JacksonNetwork::from_visits(0.5, &[3.0], &[0.4], &[Some(1)]).unwrap();
        assert!(close(
            v.mean_network_sojourn(),
            3.0 * 0.4 / (1.0 - 0.6),
            1e-15
        ));
        assert!(JacksonNetwork::from_visits(0.5, &[3.0], &[0.4, 1.0], &[Some(1)]).is_none());
        assert!(JacksonNetwork::from_visits(0.0, &[3.0], &[0.4], &[Some(1)]).is_none());
    }
}
