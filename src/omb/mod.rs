//! OpenMessaging Benchmark (OMB) in and out: a workload YAML read as is and
//! turned into the equivalent scenario (`queuelab omb import`), and a run's
//! results as an OMB result document (`queuelab omb result`).

pub mod result;
pub mod scenario;
pub mod workload;

pub use scenario::{Service, render, scenario_name};
pub use workload::{KeyDistributor, Workload, WorkloadError};

use std::path::Path;

use crate::scenario::{self as scenario_file, ScenarioError};

/// Why a workload could not be imported (all exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The workload file is not a valid OMB workload.
    #[error(transparent)]
    Workload(#[from] WorkloadError),
    /// No service time was given.
    #[error(
        "{0}: an OMB workload has no service time: give the consumer's work per message with --service-mean-ms MS (and --service-scv, default 1 = exponential, 0 = constant)"
    )]
    NoService(String),
    /// The service time given is not valid.
    #[error("{0}")]
    BadService(String),
    /// The equivalent scenario is refused (e.g. a topic loaded beyond its
    /// consumers).
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
}

/// The scenario text equivalent to the OMB workload in `file` with
/// `service`, checked as `queuelab check` would (`as_file` names it in
/// errors).
pub fn import(
    file: &Path,
    service: Option<Service>,
    as_file: &Path,
) -> Result<String, ImportError> {
    let workload = workload::load(file)?;
    let service = service.ok_or_else(|| ImportError::NoService(file.display().to_string()))?;
    if !(service.mean_ms.is_finite() && service.mean_ms > 0.0) {
        return Err(ImportError::BadService(format!(
            "--service-mean-ms: {} is not a number of milliseconds > 0",
            service.mean_ms
        )));
    }
    if !(service.scv.is_finite() && service.scv >= 0.0) {
        return Err(ImportError::BadService(format!(
            "--service-scv: {} is not a number >= 0 (0 constant, 1 exponential, other values gamma)",
            service.scv
        )));
    }
    let text = render(&workload, service);
    scenario_file::parse(as_file, text.clone())?;
    Ok(text)
}
