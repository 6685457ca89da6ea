//! `queuelab fit`: which of the distributions a scenario can use describes
//! a column of observed values best. Every family that applies is fitted
//! (`families.rs`), scored by the Kolmogorov-Smirnov distance between the
//! values and the fit (`goodness.rs`), and ranked, closest first.

mod families;
mod goodness;
mod output;
mod warnings;

pub use output::{FitSource, document, table};
pub use warnings::warnings;

use crate::dist::{Dist, round_significant};
use crate::text::Num;

/// Significant digits of the parameters in a ready-to-paste scenario line.
const SCENARIO_SIGNIFICANT_DIGITS: i32 = 6;

/// Why values cannot be fitted.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    /// Fewer than two values: no spread to fit.
    #[error("{count} value(s) to fit; at least 2 are needed")]
    TooFewValues {
        /// The values given.
        count: usize,
    },
    /// Every value is 0.
    #[error("every value is 0; the distributions queuelab fits need a mean > 0")]
    ZeroMean,
}

/// Count, mean and squared coefficient of variation of the values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    /// Number of values.
    pub count: usize,
    /// Sample mean.
    pub mean: f64,
    /// Sample variance (divided by count - 1) over the squared mean.
    pub scv: f64,
}

impl Summary {
    /// The summary of `values` (at least two, mean > 0).
    fn of(values: &[f64]) -> Result<Summary, FitError> {
        let count = values.len();
        if count < 2 {
            return Err(FitError::TooFewValues { count });
        }
        let mean = values.iter().sum::<f64>() / count as f64;
        if mean <= 0.0 {
            return Err(FitError::ZeroMean);
        }
        let variance = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (count - 1) as f64;
        Ok(Summary {
            count,
            mean,
            scv: variance / mean.powi(2),
        })
    }
}

/// One family fitted to the values, and how close it comes.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The `dist` name in scenario files, e.g. `gamma`.
    pub family: &'static str,
    /// Its scenario-file keys and fitted values, in the order written.
    pub parameters: Vec<(&'static str, f64)>,
    /// The fitted distribution.
    pub dist: Dist,
    /// Kolmogorov-Smirnov statistic D: the largest distance between the
    /// values' empirical CDF and the fitted CDF (0 is a perfect match).
    pub ks_statistic: f64,
    /// Approximate p-value of D (Kolmogorov's asymptotic distribution);
    /// optimistic, since the parameters come from the same values. `None`
    /// for a deterministic fit, whose step CDF the test does not cover.
    pub ks_p_value: Option<f64>,
}

impl Candidate {
    /// The fit as a scenario-file inline table, e.g.
    /// `{ dist = "gamma", mean = 1.23, scv = 0.45 }`.
    pub fn scenario_table(&self) -> String {
        let keys: String = self
            .parameters_text(" = ")
            .iter()
            .map(|parameter| format!(", {parameter}"))
            .collect();
        format!("{{ dist = \"{}\"{keys} }}", self.family)
    }

    /// Each parameter as `key<separator>value`, the value rounded as in
    /// scenario lines.
    pub fn parameters_text(&self, separator: &str) -> Vec<String> {
        self.parameters
            .iter()
            .map(|(key, value)| {
                let value = round_significant(*value, SCENARIO_SIGNIFICANT_DIGITS);
                format!("{key}{separator}{}", Num(value))
            })
            .collect()
    }
}

/// The values' summary and every family that applies, best first.
#[derive(Clone, Debug)]
pub struct Fit {
    /// Count, mean and scv of the values.
    pub summary: Summary,
    /// The fitted families by increasing Kolmogorov-Smirnov statistic.
    pub candidates: Vec<Candidate>,
}

impl Fit {
    /// The closest fit (there is always one: the exponential applies to
    /// any values with a mean > 0).
    pub fn best(&self) -> &Candidate {
        &self.candidates[0]
    }
}

/// Fits every family that applies to `values` (finite, >= 0, at least two,
/// not all 0) and ranks them by the Kolmogorov-Smirnov statistic.
pub fn fit(values: &[f64]) -> Result<Fit, FitError> {
    let summary = Summary::of(values)?;
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut candidates: Vec<Candidate> = families::estimates(&sorted, &summary)
        .into_iter()
        .map(|estimate| {
            let goodness = goodness::kolmogorov_smirnov(&estimate.dist, &sorted);
            Candidate {
                family: estimate.family,
                parameters: estimate.parameters,
                dist: estimate.dist,
                ks_statistic: goodness.statistic,
                ks_p_value: goodness.p_value,
            }
        })
        .collect();
    candidates.sort_by(|a, b| a.ks_statistic.total_cmp(&b.ks_statistic));
    Ok(Fit {
        summary,
        candidates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_few_or_all_zero_values_are_refused() {
        assert_eq!(
            fit(&[1.0]).unwrap_err().to_string(),
            "1 value(s) to fit; at least 2 are needed"
        );
        assert!(matches!(fit(&[0.0, 0.0]), Err(FitError::ZeroMean)));
    }

    #[test]
    fn constant_values_fit_a_deterministic_distribution_exactly() {
        let fit = fit(&[2.5; 10]).unwrap();
        assert_eq!(fit.summary.scv, 0.0);
        assert_eq!(fit.best().family, "deterministic");
        assert_eq!(fit.best().ks_statistic, 0.0);
        assert_eq!(
            fit.best().scenario_table(),
            "{ dist = \"deterministic\", value = 2.5 }"
        );
    }
}
