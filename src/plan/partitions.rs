//! Partitions and consumers of a partitioned queue together (`decide =
//! "queues.<name>.partitions"`), by exact theory (M/G/1 per consumer over
//! the partitions' Poisson streams, the hot keys' shares included), then
//! confirmed by simulation.
//!
//! The rule: **the fewest consumers, then the fewest partitions** among
//! the pairs that meet every target, never a consumer beyond the
//! partitions (it would own none and idle). Consumers come first because
//! they are what runs all the time (processes, threads, machines);
//! partitions cost the brokers little each, but a topic's partitions cannot
//! be reduced later and adding some moves keys to other partitions. The
//! search is exhaustive up to `plan.max_value` partitions, because the
//! hash of the keys makes a partition count's figures jump (a hot key may
//! share its partition with more or fewer keys): first each partition
//! count with one consumer per partition, its best (a consumer owning
//! several partitions carries their summed load, and their waits grow with
//! it), then, consumers from 1 up, every partition count that met the
//! targets that way, with that many consumers (the assignor deciding who
//! owns what).

use serde::{Deserialize, Serialize};

use super::search::{
    Candidate, PlanOutcome, SIMULATION_STEPS, headroom_of, simulated_verdict, theory_decides,
    theory_verdict,
};
use super::{Decision, PlanSettings, Status, Watch};
use crate::model::Model;
use crate::run::RunConfig;

/// Pairs of each kind the plan's table shows around the choice.
const SHOWN: usize = 4;

/// The consumers decided with the partitions, and the choice explained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PartitionChoice {
    /// The group's consumers.
    pub consumers: u32,
    /// Consumers owning no partition (0 for a choice that meets: none is
    /// ever proposed).
    pub idle_consumers: u32,
    /// The rule and what it chose, in words.
    pub explanation: String,
}

/// The pair's model and theory's verdict on it (`value` the partitions,
/// `consumers` set); `None` where a target has no formula.
fn theory_pair(
    settings: &PlanSettings,
    model: &Model,
    queue: usize,
    (partitions, consumers): (u32, u32),
) -> Option<Candidate> {
    let pair = Decision::with_partitions(model, queue, partitions, consumers);
    let mut candidate = theory_verdict(settings, &pair, f64::from(partitions))?;
    candidate.consumers = Some(consumers);
    Some(candidate)
}

/// Theory's verdict on each partition count up to `plan.max_value` with
/// one consumer per partition, the best it can do; `None` where a target
/// has no formula.
fn one_per_partition(
    settings: &PlanSettings,
    model: &Model,
    queue: usize,
) -> Option<Vec<Candidate>> {
    (1..=settings.max_value as u32)
        .map(|partitions| theory_pair(settings, model, queue, (partitions, partitions)))
        .collect()
}

/// The partition counts of `alone` that meet every target.
fn meeting_counts(alone: &[Candidate]) -> Vec<u32> {
    alone
        .iter()
        .filter(|c| c.status == Status::Meets)
        .map(|c| c.value as u32)
        .collect()
}

/// Every pair worth trying, cheapest first: consumers from 1 up, then the
/// partition counts of `feasible` (those meeting with one consumer each)
/// that leave none of them idle.
fn cost_order(feasible: &[u32], most: u32) -> impl Iterator<Item = (u32, u32)> + '_ {
    (1..=most).flat_map(move |consumers| {
        feasible
            .iter()
            .filter(move |&&p| p >= consumers)
            .map(move |&p| (p, consumers))
    })
}

/// Theory's choice of (partitions, consumers) for the decided queue: the
/// cheapest pair meeting every target; `None` without formulas or when no
/// pair up to the cap meets.
pub fn theory_choice(settings: &PlanSettings, model: &Model) -> Option<(u32, u32)> {
    let Decision::Partitions(queue) = settings.decision else {
        return None;
    };
    let feasible = meeting_counts(&one_per_partition(settings, model, queue)?);
    cost_order(&feasible, settings.max_value as u32).find(|&pair| {
        theory_pair(settings, model, queue, pair).is_some_and(|c| c.status == Status::Meets)
    })
}

/// Simulation's verdict on a pair, exact theory deciding where simulation
/// agrees with it but cannot tell it from a target.
fn simulate_pair(
    settings: &PlanSettings,
    model: &Model,
    queue: usize,
    run: &RunConfig,
    (partitions, consumers): (u32, u32),
    watch: Watch,
) -> Candidate {
    let pair = Decision::with_partitions(model, queue, partitions, consumers);
    let mut simulated = theory_decides(
        theory_pair(settings, model, queue, (partitions, consumers)),
        simulated_verdict(
            settings,
            &pair,
            run,
            f64::from(partitions),
            &format!("{partitions} partitions, {consumers} consumers"),
            watch,
        ),
    );
    simulated.consumers = Some(consumers);
    simulated
}

/// Plans the partitions and consumers of partitioned `queue` (see the
/// module's rule); `watch` is told each pair simulation judges.
pub fn plan_partitions(
    settings: &PlanSettings,
    model: &Model,
    queue: usize,
    run: &RunConfig,
    watch: Watch,
) -> PlanOutcome {
    let most = settings.max_value as u32;
    let mut candidates = Vec::new();
    let Some(alone) = one_per_partition(settings, model, queue) else {
        return PlanOutcome::infeasible(
            f64::from(model.queues[queue].partitioning().map_or(1, |p| p.partitions)),
            "a target has no exact formula for this queue (it needs Poisson producers with `keys`, whose partitions then receive independent Poisson streams), which the search over partitions and consumers needs; decide `consumers` for a fixed `partitions` instead (simulation searches those)".into(),
            candidates,
        );
    };
    let feasible = meeting_counts(&alone);
    let Some(&fewest_partitions) = feasible.first() else {
        // The best found: the most partitions, one consumer each.
        candidates.extend(alone.into_iter().rev().take(SHOWN).rev());
        return PlanOutcome {
            partitions: Some(PartitionChoice {
                consumers: most,
                idle_consumers: 0,
                explanation: "one consumer per partition, the best a partition count can do".into(),
            }),
            ..PlanOutcome::infeasible(
                f64::from(most),
                format!(
                    "no partition count up to {most} (`plan.max_value`) meets every target even with one consumer per partition (see the candidates)"
                ),
                candidates,
            )
        };
    };
    // The one-per-partition pairs just below the fewest that meet, and it.
    let first = (fewest_partitions as usize).saturating_sub(SHOWN);
    candidates.extend(alone[first..fewest_partitions as usize].iter().cloned());
    let mut meeting = cost_order(&feasible, most).filter_map(|pair| {
        let candidate = theory_pair(settings, model, queue, pair)?;
        (candidate.status == Status::Meets).then_some((pair, candidate))
    });
    let Some((chosen, theory)) = meeting.next() else {
        unreachable!("one consumer per partition meets at {fewest_partitions} partitions");
    };
    // The chosen consumers' cheaper pairs, which miss, for the table.
    let cheaper: Vec<Candidate> = feasible
        .iter()
        .filter(|&&p| p >= chosen.1 && p < chosen.0)
        .filter_map(|&p| theory_pair(settings, model, queue, (p, chosen.1)))
        .collect();
    candidates.extend(cheaper.into_iter().rev().take(SHOWN).rev());
    candidates.push(theory);
    // The fewest partitions that meet, with the fewest consumers there.
    let fewest = (1..=fewest_partitions)
        .filter_map(|c| theory_pair(settings, model, queue, (fewest_partitions, c)))
        .find(|c| c.status == Status::Meets);
    let shown = |c: &Candidate| {
        candidates
            .iter()
            .any(|d| d.value == c.value && d.consumers == c.consumers)
    };
    let fewest_pair = fewest
        .as_ref()
        .and_then(|c| Some((c.value as u32, c.consumers?)));
    if let Some(fewest) = fewest.filter(|c| !shown(c)) {
        candidates.push(fewest);
    }
    let mut pair = chosen;
    for _ in 0..=SIMULATION_STEPS {
        let (partitions, consumers) = pair;
        let chosen_model = Decision::with_partitions(model, queue, partitions, consumers);
        let simulated = simulate_pair(settings, model, queue, run, pair, watch);
        let met = simulated.status == Status::Meets || simulated.note.is_some();
        let note = simulated.note.clone();
        candidates.push(simulated);
        if met {
            // The fewest-partitions alternative too, so the table compares.
            if let Some(other) = fewest_pair.filter(|&(p, _)| p != partitions) {
                candidates.push(simulate_pair(settings, model, queue, run, other, watch));
            }
            return PlanOutcome {
                value: f64::from(partitions),
                status: "meets".into(),
                reason: None,
                note,
                headroom: headroom_of(&settings.goals, &chosen_model),
                allocation: None,
                candidates,
                schedule: None,
                partitions: Some(PartitionChoice {
                    consumers,
                    idle_consumers: 0,
                    explanation: explanation(model, queue, pair, fewest_pair),
                }),
            };
        }
        match meeting.next() {
            Some((next, _)) => pair = next,
            None => break,
        }
    }
    let (partitions, consumers) = pair;
    PlanOutcome {
        partitions: Some(PartitionChoice {
            consumers,
            idle_consumers: 0,
            explanation: format!(
                "the last pair tried: {partitions} partitions, {consumers} consumers"
            ),
        }),
        ..PlanOutcome::infeasible(
            f64::from(partitions),
            format!(
                "theory's pair meets every target, but simulation did not confirm it or the next {SIMULATION_STEPS} pairs in cost order (see the simulated candidates); raise `plan.max_replications` if they are uncertain"
            ),
            candidates,
        )
    }
}

/// The choice in words: the rule, who owns what at what load, and the
/// fewest-partitions alternative when it differs.
fn explanation(
    model: &Model,
    queue: usize,
    (partitions, consumers): (u32, u32),
    fewest: Option<(u32, u32)>,
) -> String {
    let chosen = Decision::with_partitions(model, queue, partitions, consumers);
    let loads = chosen.consumer_loads(queue).unwrap_or_default();
    let partition_loads = chosen.partition_loads(queue).unwrap_or_default();
    let (hottest, hottest_load) = partition_loads
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or((0, 0.0), |(p, &load)| (p, load));
    let partitioning = chosen.queues[queue]
        .partitioning()
        .expect("a partitioned queue");
    let owner = partitioning.owner(hottest as u32, consumers);
    let busiest = loads.iter().copied().fold(0.0, f64::max);
    let most_owned = partitions.div_ceil(consumers);
    let mut text = format!(
        "fewest consumers first, then fewest partitions, never a consumer beyond the partitions: {consumers} consumers (none idle) read {partitions} partitions, up to {most_owned} each ({} assignor); the hottest partition, {hottest} at load {hottest_load:.3}, belongs to consumer {owner}; the busiest consumer's load is {busiest:.3}",
        partitioning.assignor.name()
    );
    if let Some((fewest_partitions, with)) = fewest.filter(|&(p, _)| p != partitions) {
        text.push_str(&format!(
            "; the fewest partitions that meet the targets, {fewest_partitions}, need {with} consumers"
        ));
    }
    text
}
