//! OpenMessaging Benchmark (OMB) in and out: a workload YAML read as is and
//! turned into the equivalent scenario (`queuelab omb import`, and `run`
//! on a workload), a run's results as an OMB result document (`queuelab
//! omb result`), and an OMB result file with theory drawn over its
//! latencies (`queuelab omb compare`).

pub mod compare;
pub mod measured;
pub mod result;
pub mod scenario;
pub mod workload;

pub use scenario::{Service, render, scenario_name};
pub use workload::{KeyDistributor, Workload, WorkloadError};

use std::path::Path;

use crate::scenario::{self as scenario_file, Scenario, ScenarioError};

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

/// An OMB workload with the service time given for it, and its
/// equivalent scenario.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The workload as read.
    pub workload: Workload,
    /// The consumer's work per message.
    pub service: Service,
    /// The equivalent scenario, checked (its `source` is the TOML text).
    pub scenario: Scenario,
}

/// Whether `file` is an OMB workload by its name (`.yaml` or `.yml`),
/// not a scenario (TOML).
pub fn is_workload(file: &Path) -> bool {
    file.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// The scenario text equivalent to the OMB workload in `file` with
/// `service`, checked as `queuelab check` would (`as_file` names it in
/// errors).
pub fn import(
    file: &Path,
    service: Option<Service>,
    as_file: &Path,
) -> Result<String, ImportError> {
    load(file, service, as_file).map(|imported| imported.scenario.source)
}

/// The OMB workload in `file` with `service` and its equivalent scenario,
/// checked as `queuelab check` would (`as_file` names it in errors).
pub fn load(
    file: &Path,
    service: Option<Service>,
    as_file: &Path,
) -> Result<Imported, ImportError> {
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
    let scenario = scenario_file::parse(as_file, render(&workload, service))?;
    Ok(Imported {
        workload,
        service,
        scenario,
    })
}
