//! The plan's answer as a document: plan.json, described in the README.

use serde::{Deserialize, Serialize};

use super::{Candidate, PlanOutcome, PlanSettings, ScheduleBlock};

/// File holding the [`PlanDocument`] in a plan's folder.
pub const PLAN_FILE: &str = "plan.json";

/// Everything `queuelab plan` reports.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlanDocument {
    /// Scenario name.
    pub scenario: String,
    /// The recommendation.
    pub decision: DecisionBlock,
    /// The targets, in words.
    pub targets: Vec<String>,
    /// How much the load could grow (e.g. 0.25 = 25%) before a target fails,
    /// by theory; null without formulas or for a load decision.
    pub headroom: Option<f64>,
    /// Why the plan is infeasible, when it is.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
    /// How the recommendation was decided when simulation alone did not
    /// confirm it: exact theory deciding, simulation agreeing with it but
    /// unable to tell the value from a target.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
    /// Every candidate evaluated: theory's, then simulation's (for a
    /// schedule: each simulated round, `value` being its peak consumers).
    pub candidates: Vec<Candidate>,
    /// With a rate profile: the consumers per step (`decision.value` is
    /// then the peak).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub schedule: Option<ScheduleBlock>,
}

/// The recommended value.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DecisionBlock {
    /// The scenario key decided.
    pub parameter: String,
    /// Its recommended value (the best found when infeasible).
    pub value: f64,
    /// `meets` or `infeasible`.
    pub status: String,
    /// Consumers per queue, when every queue of a network was decided
    /// (`value` is then their total).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub allocation: Option<std::collections::BTreeMap<String, u32>>,
    /// The group's consumers, when partitions (`value`) and consumers are
    /// decided together.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub consumers: Option<u32>,
    /// Of those, the consumers owning no partition.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub idle_consumers: Option<u32>,
    /// Why this pair of partitions and consumers: the rule (fewest
    /// consumers, then fewest partitions) and what it chose.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub explanation: Option<String>,
}

/// The document of `outcome` for `settings` in scenario `scenario`.
pub fn plan_document(
    scenario: &str,
    settings: &PlanSettings,
    outcome: PlanOutcome,
) -> PlanDocument {
    PlanDocument {
        scenario: scenario.to_string(),
        decision: DecisionBlock {
            parameter: settings.parameter.clone(),
            value: outcome.value,
            status: outcome.status,
            allocation: outcome.allocation,
            consumers: outcome.partitions.as_ref().map(|p| p.consumers),
            idle_consumers: outcome.partitions.as_ref().map(|p| p.idle_consumers),
            explanation: outcome.partitions.map(|p| p.explanation),
        },
        targets: settings.goals.iter().map(|g| g.describe()).collect(),
        headroom: outcome.headroom,
        reason: outcome.reason,
        note: outcome.note,
        candidates: outcome.candidates,
        schedule: outcome.schedule,
    }
}
