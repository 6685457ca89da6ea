//! The search for the recommended value: theory first (an exponential then
//! binary search, assuming each target improves as consumers or capacity
//! grow, or as load falls), then simulation to confirm it, stepping on when
//! simulation disagrees; simulation alone where no formula applies.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::confirm::confirm;
use super::partitions::PartitionChoice;
use super::schedule::ScheduleBlock;
use super::{Decision, PlanSettings, Trend, Watch};
use super::{Goal, Status};
use crate::model::Model;
use crate::run::RunConfig;
use crate::stats::Estimate;
use crate::text::{decided, number};

/// Relative precision of a load found by bisection.
const LOAD_PRECISION: f64 = 1e-4;
/// Candidates simulation may step past the theory's choice.
pub(super) const SIMULATION_STEPS: u32 = 4;
/// Shrink factor of a load that simulation rejects.
const LOAD_STEP: f64 = 0.98;
/// Largest load growth a headroom search considers (x100).
const MAX_GROWTH: f64 = 100.0;

/// Where a candidate's verdict comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Formulas (exact or approximate).
    Theory,
    /// Simulation, judged on confidence intervals.
    Simulation,
}

/// A metric value of a candidate: a formula value or a simulated interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Measured {
    /// A formula value.
    Value(f64),
    /// A simulated mean with its interval.
    Interval(Estimate),
}

/// One evaluated candidate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// The decided value.
    pub value: f64,
    /// Against every target.
    pub status: Status,
    /// Where the verdict comes from.
    pub source: Source,
    /// Each target's value, by target name.
    pub metrics: BTreeMap<String, Measured>,
    /// Replications behind a simulated verdict.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub replications: Option<u32>,
    /// A remark on the verdict: why it fails without a value (an unstable
    /// queue), or that exact theory decided where simulation agreed with it
    /// but could not tell the value from a target.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
    /// Consumers per queue, for a network allocation.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub allocation: Option<BTreeMap<String, u32>>,
    /// Consumers per step of the period, for a schedule.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub schedule: Option<Vec<u32>>,
    /// The group's consumers, when partitions (`value`) and consumers are
    /// decided together.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub consumers: Option<u32>,
}

/// The plan's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanOutcome {
    /// The recommended value (the best found when infeasible).
    pub value: f64,
    /// `meets`, or `infeasible` when no candidate up to the cap meets every target.
    pub status: String,
    /// Why it is infeasible, in words.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
    /// How the recommendation was decided, when not by simulation alone
    /// confirming it (exact theory deciding where simulation could not).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
    /// How much the load could grow before a target fails (theory), e.g.
    /// 0.25 for 25%; `None` without formulas or for load decisions.
    pub headroom: Option<f64>,
    /// Consumers per queue of the recommendation, for a network allocation.
    pub allocation: Option<BTreeMap<String, u32>>,
    /// Every candidate evaluated, theory first, by value.
    pub candidates: Vec<Candidate>,
    /// The consumer schedule, when the traffic follows a rate profile.
    pub schedule: Option<ScheduleBlock>,
    /// The consumers decided with the partitions, and why.
    pub partitions: Option<PartitionChoice>,
}

impl PlanOutcome {
    /// No value meets every target: `value` is the best found, `reason`
    /// says why.
    pub(super) fn infeasible(value: f64, reason: String, candidates: Vec<Candidate>) -> Self {
        PlanOutcome {
            value,
            status: "infeasible".into(),
            reason: Some(reason),
            note: None,
            headroom: None,
            allocation: None,
            candidates,
            schedule: None,
            partitions: None,
        }
    }
}

/// Theory's verdict on `value`: `None` where some target has no exact
/// formula.
fn theory_status(settings: &PlanSettings, model: &Model, value: f64) -> Option<Candidate> {
    let Some(candidate) = settings.decision.apply(model, value) else {
        return Some(failing(value, Source::Theory, "not a valid value".into()));
    };
    theory_verdict(settings, &candidate, value)
}

/// Theory's verdict on `candidate`, the model with the decided `value`:
/// `None` where some target has no exact formula.
pub(super) fn theory_verdict(
    settings: &PlanSettings,
    candidate: &Model,
    value: f64,
) -> Option<Candidate> {
    if let Some(note) = unstable(candidate) {
        return Some(failing(value, Source::Theory, note));
    }
    let mut metrics = BTreeMap::new();
    let mut statuses = Vec::new();
    for goal in &settings.goals {
        let result = goal.theory_value(candidate)?;
        metrics.insert(goal.key(&settings.goals), Measured::Value(result));
        statuses.push(goal.judge(result));
    }
    Some(Candidate {
        value,
        status: Status::all(statuses),
        source: Source::Theory,
        metrics,
        replications: None,
        note: None,
        allocation: None,
        schedule: None,
        consumers: None,
    })
}

/// Simulation's verdict on `value`.
fn simulated_status(
    settings: &PlanSettings,
    model: &Model,
    run: &RunConfig,
    value: f64,
    watch: Watch,
) -> Candidate {
    let Some(candidate) = settings.decision.apply(model, value) else {
        return failing(value, Source::Simulation, "not a valid value".into());
    };
    simulated_verdict(
        settings,
        &candidate,
        run,
        value,
        &format!("{} = {value}", settings.parameter),
        watch,
    )
}

/// Simulation's verdict on `candidate`, the model with the decided
/// `value` (`label` tells `watch` what is simulated).
pub(super) fn simulated_verdict(
    settings: &PlanSettings,
    candidate: &Model,
    run: &RunConfig,
    value: f64,
    label: &str,
    watch: Watch,
) -> Candidate {
    if let Some(note) = unstable(candidate) {
        return failing(value, Source::Simulation, note);
    }
    watch(label);
    let confirmation = confirm(candidate, &settings.goals, run, settings.max_replications);
    let metrics = confirmation.measured(&settings.goals);
    Candidate {
        value,
        status: confirmation.status,
        source: Source::Simulation,
        metrics,
        replications: Some(confirmation.replications),
        note: None,
        allocation: None,
        schedule: None,
        consumers: None,
    }
}

fn failing(value: f64, source: Source, note: String) -> Candidate {
    Candidate {
        value,
        status: Status::Fails,
        source,
        metrics: BTreeMap::new(),
        replications: None,
        note: Some(note),
        allocation: None,
        schedule: None,
        consumers: None,
    }
}

/// Why `model` has no steady state: a queue without capacity or patience
/// at load >= 1, or a consumer its partitions load so.
pub(super) fn unstable(model: &Model) -> Option<String> {
    if let Some((queue, load)) = model.unstable_queue() {
        return Some(format!(
            "queue `{}` is unstable (load {load:.3})",
            model.queues[queue].name
        ));
    }
    let overloaded = model.overloaded_consumer()?;
    Some(format!(
        "consumer {} of queue `{}` is unstable (its partitions' load {:.3})",
        overloaded.consumer, model.queues[overloaded.queue].name, overloaded.load
    ))
}

/// The smallest value worth trying.
fn lowest(settings: &PlanSettings, model: &Model) -> f64 {
    match settings.decision {
        Decision::Consumers(_)
        | Decision::Network
        | Decision::Partitions(_)
        | Decision::Prefetch(_) => 1.0,
        Decision::Capacity(queue) => f64::from(model.queues[queue].consumers.max(1)),
        Decision::Load | Decision::MaxRetries(_) => 0.0,
    }
}

/// The smallest integer value in `[low, high]` for which `meets` holds,
/// assuming it holds for every value above one that meets; `None` if
/// `high` fails. Evaluates O(log) values.
fn smallest_meeting(low: f64, high: f64, mut meets: impl FnMut(f64) -> bool) -> Option<f64> {
    let mut step = 1.0;
    let mut failed = low - 1.0;
    let mut probe = low;
    loop {
        if meets(probe) {
            break;
        }
        if probe >= high {
            return None;
        }
        failed = probe;
        probe = (low + step).min(high);
        step *= 2.0;
    }
    let mut met = probe;
    while met - failed > 1.0 {
        let middle = ((failed + met) / 2.0).floor();
        if meets(middle) {
            met = middle;
        } else {
            failed = middle;
        }
    }
    Some(met)
}

/// The highest load in `(0, high]` that meets, by bisection, assuming
/// every lower load meets too; `None` if even a tiny load fails.
fn highest_load(high: f64, mut meets: impl FnMut(f64) -> bool) -> Option<f64> {
    if meets(high) {
        return Some(high);
    }
    let (mut met, mut failed) = (high * 1e-3, high);
    if !meets(met) {
        return None;
    }
    while (failed - met) > LOAD_PRECISION * met {
        let middle = (met + failed) / 2.0;
        if meets(middle) {
            met = middle;
        } else {
            failed = middle;
        }
    }
    Some(met)
}

/// Values around `value` worth showing: a few integers either side, or
/// loads from 70% to 105% of it.
fn neighbourhood(settings: &PlanSettings, model: &Model, value: f64) -> Vec<f64> {
    match settings.decision {
        Decision::Load => [0.7, 0.8, 0.9, 0.95, 1.05]
            .iter()
            .map(|f| f * value)
            .filter(|&v| v <= settings.max_value)
            .collect(),
        _ => {
            let low = lowest(settings, model).max(value - 4.0);
            let high = settings.max_value.min(value + 2.0);
            let count = (high - low).max(0.0) as usize + 1;
            (0..count).map(|i| low + i as f64).collect()
        }
    }
}

/// The best value by `meets`: the highest load, or the smallest integer.
fn search(settings: &PlanSettings, model: &Model, meets: impl FnMut(f64) -> bool) -> Option<f64> {
    match settings.decision {
        Decision::Load => highest_load(settings.max_value, meets),
        _ => smallest_meeting(lowest(settings, model), highest(settings, model), meets),
    }
}

/// The largest value worth trying: the cap, and for consumers of a
/// bounded queue, its capacity.
fn highest(settings: &PlanSettings, model: &Model) -> f64 {
    match settings.decision {
        Decision::Consumers(queue) => model.queues[queue]
            .admission
            .capacity()
            .map_or(settings.max_value, |capacity| {
                settings.max_value.min(f64::from(capacity))
            }),
        _ => settings.max_value,
    }
}

/// The value theory recommends and every candidate it evaluated; `None`
/// where a target has no formula (then only simulation can search).
pub fn theory_candidate(
    settings: &PlanSettings,
    model: &Model,
) -> Option<(Option<f64>, Vec<Candidate>)> {
    let mut evaluated: Vec<Candidate> = Vec::new();
    let mut missing_formula = false;
    let mut meets = |value: f64| match theory_status(settings, model, value) {
        Some(candidate) => {
            let met = status_of(settings, &candidate, Trend::Eases) == Status::Meets;
            evaluated.push(candidate);
            met
        }
        None => {
            missing_formula = true;
            false
        }
    };
    let found = search(settings, model, &mut meets);
    if let Some(value) = found {
        // The neighbourhood too, so the table and the chart show the trade-off.
        for nearby in neighbourhood(settings, model, value) {
            meets(nearby);
        }
    }
    if missing_formula {
        return None;
    }
    evaluated.sort_by(|a, b| a.value.total_cmp(&b.value));
    evaluated.dedup_by(|a, b| a.value == b.value);
    Some((found, evaluated))
}

/// Plans `model`: theory's candidate confirmed by simulation, or a search
/// by simulation where formulas are missing; `watch` is told each
/// candidate simulation judges.
pub fn plan(settings: &PlanSettings, model: &Model, run: &RunConfig, watch: Watch) -> PlanOutcome {
    if settings.decision == Decision::Network {
        return super::network::plan_network(settings, model, run, watch);
    }
    if let Decision::Partitions(queue) = settings.decision {
        return super::partitions::plan_partitions(settings, model, queue, run, watch);
    }
    if model.has_profiles() {
        return super::schedule::plan_schedule(settings, model, run, watch);
    }
    let mut simulated = Vec::new();
    let theory = theory_candidate(settings, model);
    let theory_found = theory.as_ref().and_then(|(found, _)| *found);
    let (confirmed, mut candidates) = match theory {
        Some((found, theory)) => {
            if let Some((value, reason)) = found.and_then(|v| tightened(settings, &theory, v)) {
                return PlanOutcome::infeasible(value, reason, theory);
            }
            (
                found.and_then(|value| {
                    confirm_by_simulation(settings, model, run, value, &mut simulated, watch)
                }),
                theory,
            )
        }
        None => {
            let found = simulation_search(settings, model, run, &mut simulated, watch);
            if let Some((value, reason)) = found.and_then(|v| tightened(settings, &simulated, v)) {
                return PlanOutcome::infeasible(value, reason, simulated);
            }
            (found, Vec::new())
        }
    };
    let simulated_count = simulated.len();
    candidates.extend(simulated);
    match confirmed {
        Some(value) => PlanOutcome {
            value,
            status: "meets".into(),
            reason: None,
            note: candidates
                .iter()
                .rev()
                .find(|c| c.value == value && c.source == Source::Simulation)
                .and_then(|c| c.note.clone()),
            headroom: headroom(settings, model, value),
            allocation: None,
            candidates,
            schedule: None,
            partitions: None,
        },
        None => {
            // When simulation ran, its verdicts decide; theory's only guide.
            let judged = &candidates[candidates.len() - simulated_count..];
            let judged = if judged.is_empty() {
                &candidates[..]
            } else {
                judged
            };
            let value = best_value(settings, judged);
            let reason = match theory_found {
                Some(found) => format!(
                    "theory's value {found} meets every target, but simulation did not confirm it or the next {SIMULATION_STEPS} values (see the simulated candidates); raise `plan.max_replications` if they are uncertain"
                ),
                None => infeasible_reason(settings, judged, value),
            };
            PlanOutcome::infeasible(value, reason, candidates)
        }
    }
}

/// The best value tried when none meets every target: the best status,
/// then the most capacity (or the lowest load).
fn best_value(settings: &PlanSettings, candidates: &[Candidate]) -> f64 {
    let toward_better = |value: f64| {
        if settings.decision.larger_is_better() {
            value
        } else {
            -value
        }
    };
    candidates
        .iter()
        .min_by(|a, b| {
            a.status
                .cmp(&b.status)
                .then(toward_better(b.value).total_cmp(&toward_better(a.value)))
        })
        .map_or(settings.max_value, |c| c.value)
}

/// Confirms `value` by simulation, stepping to more consumers or capacity
/// (or lower load) while simulation says it fails or is uncertain; also
/// simulates the next value down, so the table shows where it stops
/// meeting. Returns the confirmed value.
fn confirm_by_simulation(
    settings: &PlanSettings,
    model: &Model,
    run: &RunConfig,
    value: f64,
    simulated: &mut Vec<Candidate>,
    watch: Watch,
) -> Option<f64> {
    let safer = |v: f64| match settings.decision {
        Decision::Load => v * LOAD_STEP,
        _ => v + 1.0,
    };
    // Theory's highest load sits on a target's edge, where simulation can
    // only be uncertain: confirm one step below it.
    let mut value = match settings.decision {
        Decision::Load => safer(value),
        _ => value,
    };
    let mut stepped = false;
    for _ in 0..=SIMULATION_STEPS {
        let candidate = theory_decides(
            theory_status(settings, model, value),
            simulated_status(settings, model, run, value, watch),
        );
        let met = meets(&candidate);
        let hopeless = !met && tightening_fails(settings, &candidate);
        simulated.push(candidate);
        if hopeless {
            // A larger value only makes that target harder.
            break;
        }
        if met {
            // One step riskier too, so the table shows where it stops meeting.
            let one_step_riskier = match settings.decision {
                Decision::Load => value / LOAD_STEP,
                _ => value - 1.0,
            };
            let in_range = one_step_riskier >= lowest(settings, model)
                && one_step_riskier <= settings.max_value;
            let mut confirmed = value;
            if !stepped && in_range {
                let riskier = theory_decides(
                    theory_status(settings, model, one_step_riskier),
                    simulated_status(settings, model, run, one_step_riskier, watch),
                );
                // Theory's own load edge, when simulation confirms it too
                // (or agrees with exact theory there).
                if settings.decision == Decision::Load && meets(&riskier) {
                    confirmed = one_step_riskier;
                }
                simulated.push(riskier);
            }
            simulated.sort_by(|a, b| a.value.total_cmp(&b.value));
            return Some(confirmed);
        }
        stepped = true;
        value = safer(value);
        if settings.decision.larger_is_better() && value > highest(settings, model) {
            break;
        }
    }
    None
}

/// The worst status of `candidate` over the targets moving as `trend`
/// says (met when there are none); a candidate without values (an
/// unstable one) keeps its own status.
fn status_of(settings: &PlanSettings, candidate: &Candidate, trend: Trend) -> Status {
    if candidate.metrics.is_empty() {
        return candidate.status;
    }
    Status::all(
        settings
            .goals
            .iter()
            .filter(|goal| settings.decision.trend(&goal.metric, &goal.bound) == Some(trend))
            .map(
                |goal| match candidate.metrics.get(&goal.key(&settings.goals)) {
                    Some(Measured::Value(value)) => goal.judge(*value),
                    Some(Measured::Interval(interval)) => goal.classify(interval),
                    None => Status::Uncertain,
                },
            ),
    )
}

/// True when `candidate` clearly misses a target that a larger value only
/// makes harder (retry traffic, hoarding).
fn tightening_fails(settings: &PlanSettings, candidate: &Candidate) -> bool {
    !candidate.metrics.is_empty()
        && status_of(settings, candidate, Trend::Tightens) == Status::Fails
}

/// Where the last of `candidates` at `value` (the smallest meeting every
/// target a larger value eases) misses a target a larger value tightens:
/// that value and why no value meets every target.
fn tightened(
    settings: &PlanSettings,
    candidates: &[Candidate],
    value: f64,
) -> Option<(f64, String)> {
    let candidate = candidates.iter().rev().find(|c| c.value == value)?;
    if status_of(settings, candidate, Trend::Tightens) == Status::Meets {
        return None;
    }
    let (easing, tightening): (Vec<&Goal>, Vec<&Goal>) = settings
        .goals
        .iter()
        .partition(|g| settings.decision.trend(&g.metric, &g.bound) == Some(Trend::Eases));
    let describe = |goals: &[&Goal]| -> String {
        goals
            .iter()
            .map(|goal| {
                let value = candidate
                    .metrics
                    .get(&goal.key(&settings.goals))
                    .map_or_else(|| "-".to_string(), measured_words);
                format!("{} (here {value})", goal.describe())
            })
            .collect::<Vec<_>>()
            .join(" and ")
    };
    // The largest smaller value evaluated that meets the tightening ones.
    let holds = candidates
        .iter()
        .filter(|c| c.value < value && status_of(settings, c, Trend::Tightens) == Status::Meets)
        .map(|c| c.value)
        .fold(None, |most: Option<f64>, v| {
            Some(most.map_or(v, |m| m.max(v)))
        });
    let holding = holds.map_or_else(String::new, |v| {
        format!(" (which holds up to {})", decided(v))
    });
    Some((
        value,
        format!(
            "the smallest `{}` meeting {} is {}, and it already misses or cannot confirm {}{holding}; a larger value only makes that harder",
            settings.parameter,
            describe(&easing),
            decided(value),
            describe(&tightening)
        ),
    ))
}

/// A value or interval in words.
fn measured_words(measured: &Measured) -> String {
    match measured {
        Measured::Value(v) => number(*v),
        Measured::Interval(i) => format!(
            "{} [{}, {}]",
            number(i.mean),
            number(i.ci_low),
            number(i.ci_high)
        ),
    }
}

/// True when `candidate` meets every target: by simulation, or by exact
/// theory that simulation agrees with (see [`theory_decides`]).
fn meets(candidate: &Candidate) -> bool {
    candidate.status == Status::Meets || candidate.note.is_some()
}

/// A simulated `candidate` that stayed uncertain, where exact theory
/// (`theory`, its verdict on the same value) meets every target and each
/// theory value lies inside the simulated interval: simulation agrees with
/// theory but cannot tell the value from a target, so exact theory
/// decides, and the candidate's note says so. Any other candidate is
/// returned as it is.
pub(super) fn theory_decides(theory: Option<Candidate>, mut candidate: Candidate) -> Candidate {
    if candidate.status != Status::Uncertain {
        return candidate;
    }
    let Some(theory) = theory else {
        return candidate;
    };
    if theory.status != Status::Meets {
        return candidate;
    }
    let mut agreements = Vec::new();
    for (name, measured) in &theory.metrics {
        let (Measured::Value(exact), Some(Measured::Interval(interval))) =
            (measured, candidate.metrics.get(name))
        else {
            return candidate;
        };
        if !(interval.ci_low <= *exact && *exact <= interval.ci_high) {
            return candidate;
        }
        agreements.push(format!(
            "{name} {} inside [{}, {}]",
            number(*exact),
            number(interval.ci_low),
            number(interval.ci_high)
        ));
    }
    candidate.note = Some(format!(
        "exact theory decides {}: simulation agrees with it ({}, {} replications) but cannot tell it from the target",
        decided(candidate.value),
        agreements.join(", "),
        candidate.replications.unwrap_or(0)
    ));
    candidate
}

/// Search by simulation alone (no formula for some target): the smallest
/// integer meeting every target, an uncertain verdict counting as a miss.
fn simulation_search(
    settings: &PlanSettings,
    model: &Model,
    run: &RunConfig,
    simulated: &mut Vec<Candidate>,
    watch: Watch,
) -> Option<f64> {
    let mut meets = |value: f64| {
        let candidate = simulated_status(settings, model, run, value, watch);
        let met = status_of(settings, &candidate, Trend::Eases) == Status::Meets;
        simulated.push(candidate);
        met
    };
    let found = search(settings, model, &mut meets);
    simulated.sort_by(|a, b| a.value.total_cmp(&b.value));
    found
}

/// How much the load can grow, by theory, before a target fails.
fn headroom(settings: &PlanSettings, model: &Model, value: f64) -> Option<f64> {
    if settings.decision == Decision::Load {
        return None;
    }
    headroom_of(&settings.goals, &settings.decision.apply(model, value)?)
}

/// How much the load of `chosen` can grow, by theory, before one of
/// `goals` fails; `None` where a formula is missing.
pub fn headroom_of(goals: &[Goal], chosen: &Model) -> Option<f64> {
    let load = chosen.max_load()?;
    let meets = |factor: f64| {
        let grown = chosen.with_load(load * factor)?;
        if unstable(&grown).is_some() {
            return Some(false);
        }
        let mut met = true;
        for goal in goals {
            met &= goal.judge(goal.theory_value(&grown)?) == Status::Meets;
        }
        Some(met)
    };
    let mut formula_missing = false;
    let found = highest_load(MAX_GROWTH, |factor| {
        meets(factor).unwrap_or_else(|| {
            formula_missing = true;
            false
        })
    });
    if formula_missing {
        return None;
    }
    found.map(|factor| (factor - 1.0).max(0.0))
}

fn infeasible_reason(settings: &PlanSettings, candidates: &[Candidate], best: f64) -> String {
    let last = candidates.iter().rev().find(|c| c.value == best);
    let targets: Vec<String> = settings.goals.iter().map(Goal::describe).collect();
    match last {
        Some(candidate) => {
            let values: Vec<String> = candidate
                .metrics
                .iter()
                .map(|(name, measured)| match measured {
                    Measured::Value(v) => format!("{name} = {v:.4}"),
                    Measured::Interval(i) => {
                        format!("{name} = {:.4} [{:.4}, {:.4}]", i.mean, i.ci_low, i.ci_high)
                    }
                })
                .chain(candidate.note.clone())
                .collect();
            format!(
                "no value up to {} (`plan.max_value`) meets {}: even {} gives {}",
                settings.max_value,
                targets.join(" and "),
                candidate.value,
                values.join(", ")
            )
        }
        None => format!("nothing could be evaluated for {}", targets.join(" and ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smallest_meeting_value_matches_a_linear_scan() {
        for threshold in [1.0, 2.0, 3.0, 7.0, 8.0, 9.0, 100.0, 1000.0] {
            let mut calls = 0;
            let found = smallest_meeting(1.0, 1000.0, |v| {
                calls += 1;
                v >= threshold
            });
            assert_eq!(found, Some(threshold));
            assert!(calls <= 25, "{calls} evaluations for {threshold}");
        }
        assert_eq!(smallest_meeting(1.0, 50.0, |v| v >= 51.0), None);
    }

    #[test]
    fn the_highest_load_is_found_to_its_precision() {
        let found = highest_load(0.99, |load| load <= 0.8123).unwrap();
        assert!((found - 0.8123).abs() <= LOAD_PRECISION * 0.8123);
        assert_eq!(highest_load(0.99, |_| true), Some(0.99));
        assert_eq!(highest_load(0.99, |_| false), None);
    }
}
