//! The survival function P(X > x) of a distribution, where it has a closed
//! form (or a standard special function): exact figures such as the share
//! of deliveries that outlive a lease, P(S > ack_wait).

use statrs::function::erf::erfc;
use statrs::function::gamma::gamma_ur;

use super::Dist;

impl Dist {
    /// P(X > `x`) for a draw X; `None` for recorded values replayed in
    /// order (`Sequence`), which are no distribution. Resampled values
    /// (`Empirical`) give the share of them above `x`.
    pub fn survival(&self, x: f64) -> Option<f64> {
        if x < 0.0 {
            return Some(1.0);
        }
        Some(match self {
            Dist::Exponential { mean, .. } => (-x / mean).exp(),
            Dist::Deterministic { value } => f64::from(u8::from(*value > x)),
            // Erlang-k and gamma: the regularised upper incomplete gamma
            // function Q(shape, x/scale).
            Dist::Erlang { k, mean, .. } => {
                let k = f64::from(*k);
                gamma_ur(k, x * k / mean)
            }
            Dist::Gamma { mean, scv, .. } => gamma_ur(1.0 / scv, x / (mean * scv)),
            Dist::Hyperexponential { phases } => phases
                .iter()
                .map(|phase| phase.prob * (-x / phase.mean).exp())
                .sum(),
            Dist::LogNormal { mean, scv, .. } => {
                let sigma2 = scv.ln_1p();
                let mu = mean.ln() - sigma2 / 2.0;
                0.5 * erfc((x.ln() - mu) / (2.0 * sigma2).sqrt())
            }
            Dist::Uniform { low, high, .. } => ((high - x) / (high - low)).clamp(0.0, 1.0),
            Dist::Weibull { shape, scale, .. } => (-(x / scale).powf(*shape)).exp(),
            Dist::Pareto { shape, scale, .. } => (scale / x).powf(*shape).min(1.0),
            Dist::Empirical { samples, .. } => {
                samples.iter().filter(|&&s| s > x).count() as f64 / samples.len() as f64
            }
            Dist::Sequence { .. } => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) {
        let a = a.unwrap();
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }

    #[test]
    fn survival_matches_hand_computed_values() {
        // Exp(mean 10) past 20: e^-2.
        close(
            Dist::exponential_mean(10.0).unwrap().survival(20.0),
            (-2.0f64).exp(),
        );
        close(Dist::deterministic(5.0).unwrap().survival(5.0), 0.0);
        close(Dist::deterministic(5.0).unwrap().survival(4.9), 1.0);
        // Erlang-2 of mean 2 (rate 1 per phase) past 1: e^-1 (1 + 1).
        close(
            Dist::erlang(2, 2.0).unwrap().survival(1.0),
            2.0 * (-1.0f64).exp(),
        );
        // Gamma of scv 1 is exponential.
        close(
            Dist::gamma(3.0, 1.0).unwrap().survival(3.0),
            (-1.0f64).exp(),
        );
        let h2 = Dist::hyperexponential(&[0.25, 0.75], &[1.0, 3.0]).unwrap();
        close(
            h2.survival(1.0),
            0.25 * (-1.0f64).exp() + 0.75 * (-3.0f64).exp(),
        );
        // Log-normal: half the mass above the median e^mu.
        let lognormal = Dist::lognormal(1.0, 1.0).unwrap();
        close(lognormal.survival((-(2.0f64).ln() / 2.0).exp()), 0.5);
        close(Dist::uniform(2.0, 6.0).unwrap().survival(3.0), 0.75);
        close(
            Dist::weibull(2.0, 1.0).unwrap().survival(1.0),
            (-1.0f64).exp(),
        );
        close(Dist::pareto(2.0, 1.0).unwrap().survival(2.0), 0.25);
        close(Dist::pareto(2.0, 1.0).unwrap().survival(0.5), 1.0);
        close(
            Dist::empirical(vec![1.0, 2.0, 3.0, 4.0])
                .unwrap()
                .survival(2.0),
            0.5,
        );
        assert_eq!(Dist::sequence(vec![1.0]).unwrap().survival(0.5), None);
        close(Dist::exponential_mean(1.0).unwrap().survival(-1.0), 1.0);
    }
}
