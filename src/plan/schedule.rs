//! Consumer schedules for traffic that follows a rate profile: how many
//! consumers each step of the day needs. The heuristic:
//!
//! 1. per step, the pointwise plan: the fewest consumers that meet every
//!    target in the steady state of the step's rates, by exact theory, or
//!    the fewest that keep the step's load below 1 where no exact formula
//!    covers a target;
//! 2. simulate the whole run with that schedule and judge every target
//!    interval by interval (a whole confidence interval meets or misses;
//!    replications are added while some interval is uncertain);
//! 3. every step with an interval that fails, or stays uncertain at the
//!    replication cap, gets one more consumer; back to 2, for at most
//!    [`MAX_ROUNDS`] rounds.
//!
//! Consumers are only ever added, so the schedule meets every interval's
//! targets in simulation but is not proven minimal: raising the step after
//! a peak (whose backlog it inherits) may do more than needed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::confirm::{Confirmation, confirm_intervals};
use super::search::{Candidate, Measured, PlanOutcome, Source, theory_candidate};
use super::{Bound, Goal, Status};
use super::{Decision, PlanSettings, Watch};
use crate::model::Model;
use crate::model::profile::{
    Profile, Span, Step, arrival_rate_in, run_spans, spans, stationary_at,
};
use crate::run::RunConfig;

/// Simulation rounds before a schedule that still misses is reported
/// infeasible.
pub const MAX_ROUNDS: u32 = 12;

/// One step of a planned schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScheduleStep {
    /// Start, in model time within the period.
    pub start: f64,
    /// End.
    pub end: f64,
    /// Messages per time unit reaching the queue during the step.
    pub arrival_rate: f64,
    /// The pointwise plan by exact theory; `None` where no exact formula
    /// covers a target (the search then starts at the fewest consumers
    /// that keep the step stable).
    pub theory_consumers: Option<u32>,
    /// The consumers recommended for the step.
    pub consumers: u32,
    /// The simulated verdict on the step's worst interval (`meets` with no
    /// metrics when no interval of the step could be judged: no traffic).
    pub status: Status,
    /// Each target's simulated interval there, by target name.
    pub metrics: BTreeMap<String, Measured>,
}

/// A planned consumer schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScheduleBlock {
    /// The queue scheduled.
    pub queue: String,
    /// The steps of one period.
    pub steps: Vec<ScheduleStep>,
    /// Simulation rounds run.
    pub rounds: u32,
    /// Replications behind the last round's verdicts (run the pasted
    /// schedule with as many, same seed, to reproduce them).
    pub replications: u32,
    /// Consumers times time over one period (e.g. consumer-seconds).
    pub consumer_time: f64,
    /// The same for the peak's consumers kept all period.
    pub peak_consumer_time: f64,
    /// The schedule as a scenario line, ready to paste into the queue.
    pub scenario_line: String,
}

/// What a schedule is planned over: the decided queue and the steps of
/// one period, with theory's pointwise plan for each.
struct Planned<'a> {
    model: &'a Model,
    queue: usize,
    steps: Vec<Span>,
    theory: Vec<Option<u32>>,
    repeats: bool,
}

/// Plans the consumers of the decided queue step by step over a rate
/// profile's period (see the module documentation).
/// `watch` is told each schedule simulation judges.
pub fn plan_schedule(
    settings: &PlanSettings,
    model: &Model,
    run: &RunConfig,
    watch: Watch,
) -> PlanOutcome {
    let Decision::Consumers(queue) = settings.decision else {
        return infeasible(
            Vec::new(),
            settings.max_value,
            "with a rate profile, only `queues.<name>.consumers` can be planned".into(),
            None,
        );
    };
    let Some(profile) = model.producers.iter().find_map(|p| p.profile.as_ref()) else {
        return infeasible(
            Vec::new(),
            settings.max_value,
            "no rate profile to schedule for".into(),
            None,
        );
    };
    let steps = spans(model, profile.period());
    let mut theory = Vec::with_capacity(steps.len());
    for &step in &steps {
        match pointwise(settings, model, step) {
            Pointwise::Meets(consumers) => theory.push(Some(consumers)),
            Pointwise::NoFormula => theory.push(None),
            Pointwise::Never => {
                let reason = format!(
                    "at the rates of step {}-{}, exact theory finds no number of consumers up to {} that meets every target (a blocking target a buffer cannot meet, a throughput above the traffic, a time below the service's own)",
                    step.start, step.end, settings.max_value
                );
                return infeasible(Vec::new(), settings.max_value, reason, None);
            }
        }
    }
    let planned = Planned {
        model,
        queue,
        theory,
        steps,
        repeats: profile.repeats,
    };
    // `[plan] max_value` is validated as a whole number of consumers.
    let cap = settings.max_value as u32;
    let mut consumers: Vec<u32> = planned
        .steps
        .iter()
        .zip(&planned.theory)
        .map(|(&step, theory)| theory.unwrap_or_else(|| stable_minimum(model, queue, step, cap)))
        .map(|c| c.min(cap))
        .collect();
    let mut candidates = Vec::new();
    let mut round = 0;
    loop {
        round += 1;
        let scheduled = planned.with_schedule(&consumers);
        let listed: Vec<String> = consumers.iter().map(u32::to_string).collect();
        watch(&format!(
            "schedule round {round}, consumers per step {}",
            listed.join(" ")
        ));
        let verdicts =
            confirm_intervals(&scheduled, &settings.goals, run, settings.max_replications);
        let worst = worst_per_step(
            &scheduled,
            run,
            planned.steps.len(),
            &verdicts,
            &settings.goals,
        );
        let status = Status::all(worst.iter().map(|w| w.map_or(Status::Meets, |c| c.status)));
        let peak = f64::from(consumers.iter().copied().max().unwrap_or(1));
        let replications = verdicts
            .first()
            .map_or(run.replications, |v| v.replications);
        candidates.push(Candidate {
            value: peak,
            status,
            source: Source::Simulation,
            metrics: worst
                .iter()
                .flatten()
                .max_by(|a, b| {
                    severity(a, &settings.goals).total_cmp(&severity(b, &settings.goals))
                })
                .map(|c| c.measured(&settings.goals))
                .unwrap_or_default(),
            replications: Some(replications),
            note: None,
            allocation: None,
            schedule: Some(consumers.clone()),
            consumers: None,
        });
        let block = planned.block(&consumers, &worst, settings, (round, replications));
        if status == Status::Meets {
            return PlanOutcome {
                value: peak,
                status: "meets".into(),
                reason: None,
                note: None,
                headroom: None,
                allocation: None,
                candidates,
                schedule: Some(block),
                partitions: None,
            };
        }
        let short: Vec<usize> = (0..planned.steps.len())
            .filter(|&j| worst[j].is_some_and(|c| c.status != Status::Meets))
            .collect();
        if short.iter().all(|&j| consumers[j] >= cap) {
            let reason = format!(
                "steps {} miss a target even with {cap} consumers (`plan.max_value`)",
                step_list(&planned.steps, &short)
            );
            return infeasible(candidates, f64::from(cap), reason, Some(block));
        }
        if round == MAX_ROUNDS {
            let reason = format!(
                "after {MAX_ROUNDS} rounds of adding a consumer wherever an interval missed a target, steps {} still miss; raise `plan.max_replications` if they are uncertain",
                step_list(&planned.steps, &short)
            );
            return infeasible(candidates, peak, reason, Some(block));
        }
        for j in short {
            consumers[j] = (consumers[j] + 1).min(cap);
        }
    }
}

fn infeasible(
    candidates: Vec<Candidate>,
    value: f64,
    reason: String,
    schedule: Option<ScheduleBlock>,
) -> PlanOutcome {
    PlanOutcome {
        schedule,
        ..PlanOutcome::infeasible(value, reason, candidates)
    }
}

/// What exact theory says about one step in its steady state.
enum Pointwise {
    /// The fewest consumers that meet every target.
    Meets(u32),
    /// No exact formula covers some target (or the step is silent).
    NoFormula,
    /// No number of consumers up to the cap meets every target.
    Never,
}

/// The pointwise plan of `step`: theory's search at the step's rates.
fn pointwise(settings: &PlanSettings, model: &Model, step: Span) -> Pointwise {
    let Some(stationary) = stationary_at(model, step) else {
        return Pointwise::NoFormula;
    };
    match theory_candidate(settings, &stationary) {
        Some((Some(value), _)) => Pointwise::Meets(value as u32),
        Some((None, _)) => Pointwise::Never,
        None => Pointwise::NoFormula,
    }
}

/// The fewest consumers that keep `queue` below load 1 at `step`'s rates
/// (1 for a silent step), at most `cap`.
fn stable_minimum(model: &Model, queue: usize, step: Span, cap: u32) -> u32 {
    let Some(mut stationary) = stationary_at(model, step) else {
        return 1;
    };
    stationary.queues[queue].consumers = 1;
    let work = stationary.loads().map_or(0.0, |loads| loads[queue]);
    (work.floor() + 1.0).min(f64::from(cap)) as u32
}

/// Messages per time unit reaching `queue` during `step` (traffic
/// equations at the step's rates).
fn queue_rate(model: &Model, queue: usize, step: Span) -> f64 {
    stationary_at(model, step)
        .and_then(|stationary| stationary.arrival_rates())
        .map_or(0.0, |rates| rates[queue].iter().sum())
}

/// Per step, the verdict of its worst interval over the run (intervals
/// repeat the steps period after period; see [`severity`]); `None` for a
/// step that no interval measured: no traffic, or too little for any
/// target to have an interval.
fn worst_per_step<'a>(
    model: &Model,
    run: &RunConfig,
    steps: usize,
    verdicts: &'a [Confirmation],
    goals: &[Goal],
) -> Vec<Option<&'a Confirmation>> {
    let intervals = run_spans(model, run.length);
    let mut worst: Vec<Option<&Confirmation>> = vec![None; steps];
    for (k, (verdict, interval)) in verdicts.iter().zip(&intervals).enumerate() {
        // Nothing to judge where the interval saw no traffic, or too little
        // for an interval (fewer than 2 replications with messages).
        let unmeasured = verdict.intervals.iter().all(Option::is_none);
        if unmeasured || arrival_rate_in(model, *interval) == 0.0 {
            continue;
        }
        let slot = &mut worst[k % steps];
        if slot.is_none_or(|w| {
            severity(verdict, goals)
                .total_cmp(&severity(w, goals))
                .is_ge()
        }) {
            *slot = Some(verdict);
        }
    }
    worst
}

/// How close a verdict comes to missing: its status, then how far the
/// first target's interval reaches toward (or past) its bound, as a ratio.
fn severity(verdict: &Confirmation, goals: &[Goal]) -> f64 {
    let reach = match (goals.first().map(|g| g.bound), verdict.intervals.first()) {
        (Some(Bound::AtMost(bound)), Some(Some(i))) => i.ci_high / bound,
        (Some(Bound::AtLeast(bound)), Some(Some(i))) => bound / i.ci_low,
        _ => f64::INFINITY,
    };
    // Statuses dominate: ratios are squeezed into (0, 1).
    let squeezed = if reach.is_nan() {
        1.0
    } else {
        reach.atan() / std::f64::consts::PI + 0.5
    };
    f64::from(verdict.status as u8) + squeezed.min(0.999_999)
}

impl Planned<'_> {
    /// The model with the decided queue following `consumers`, one value
    /// per step.
    fn with_schedule(&self, consumers: &[u32]) -> Model {
        let mut scheduled = self.model.clone();
        let target = &mut scheduled.queues[self.queue];
        target.consumers = consumers.iter().copied().max().unwrap_or(1);
        target.schedule = Some(Profile {
            steps: self
                .steps
                .iter()
                .zip(consumers)
                .map(|(step, &c)| Step {
                    until: step.end,
                    value: f64::from(c),
                })
                .collect(),
            repeats: self.repeats,
        });
        scheduled
    }

    /// The document's block for `consumers`, judged by `worst` after
    /// `rounds` rounds of `replications`.
    fn block(
        &self,
        consumers: &[u32],
        worst: &[Option<&Confirmation>],
        settings: &PlanSettings,
        (rounds, replications): (u32, u32),
    ) -> ScheduleBlock {
        let consumer_time = self
            .steps
            .iter()
            .zip(consumers)
            .map(|(step, &c)| f64::from(c) * step.length())
            .sum();
        let period = self.steps.last().map_or(0.0, |s| s.end);
        let peak = consumers.iter().copied().max().unwrap_or(1);
        let line: Vec<String> = self
            .steps
            .iter()
            .zip(consumers)
            .map(|(step, c)| format!("{{ until = {}, consumers = {c} }}", step.end))
            .collect();
        ScheduleBlock {
            queue: self.model.queues[self.queue].name.clone(),
            steps: self
                .steps
                .iter()
                .enumerate()
                .map(|(j, step)| ScheduleStep {
                    start: step.start,
                    end: step.end,
                    arrival_rate: queue_rate(self.model, self.queue, *step),
                    theory_consumers: self.theory[j],
                    consumers: consumers[j],
                    status: worst[j].map_or(Status::Meets, |c| c.status),
                    metrics: worst[j].map_or_else(BTreeMap::new, |c| c.measured(&settings.goals)),
                })
                .collect(),
            rounds,
            replications,
            consumer_time,
            peak_consumer_time: f64::from(peak) * period,
            scenario_line: format!("consumers_schedule = [{}]", line.join(", ")),
        }
    }
}

/// `start-end` of the steps `indices`, comma-separated.
fn step_list(steps: &[Span], indices: &[usize]) -> String {
    let names: Vec<String> = indices
        .iter()
        .map(|&j| format!("{}-{}", steps[j].start, steps[j].end))
        .collect();
    names.join(", ")
}
