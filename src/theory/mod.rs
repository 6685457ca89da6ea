//! Analytic results: exact formulas where the model has them, clearly
//! labelled approximations where it does not, and nothing otherwise.
//!
//! The formula modules are pure functions of their parameters and follow
//! the numerically stable recipes of `shared/formulas.md` (section numbers
//! are quoted in each doc comment); parameter combinations outside a model's
//! validity give `None`. [`evaluate`] recognises which formula fits a
//! [`crate::model::Model`].
//!
//! Conventions: `lambda` is the arrival rate, `mu` the service rate per
//! server, `servers` (c) the number of servers, `capacity` (K) the maximum
//! number in system. Utilisation is rho = lambda / (c mu).

pub mod abandonment;
pub mod approx;
pub mod drain;
pub mod erlang;
pub mod gim1;
mod idle;
pub mod jackson;
mod lease;
pub mod mg1;
pub mod mmc;
pub mod mmck;
pub mod mminf;
pub mod mva;
pub mod outage;
pub mod partitions;
mod pointwise;
pub mod prefetch;
pub mod priority;
mod recognise;
mod result;
pub mod retry;
mod series;
mod within;

#[cfg(test)]
mod public_cases;
#[cfg(test)]
mod robustness;
#[cfg(test)]
mod testing;

pub use pointwise::{PointTheory, pointwise};
pub use recognise::{evaluate, uncovered};
pub use result::TheoryResult;
pub use within::{sojourn_tail, wait_tail};
