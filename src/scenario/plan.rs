//! Validation of `[plan]`: the decided key, the targets and the caps.

use super::SweepPoint;
use super::error::Problem;
use super::plan_settings::{Bound, Decision, Goal, GoalMetric, PlanSettings, Trend};
use super::spec::{PlanSpec, PlanTargetSpec};
use crate::model::metric::Metric;
use crate::model::{Admission, Model};
use crate::run::RunConfig;
use crate::text::Num;

/// Largest number of consumers tried by default.
const DEFAULT_MAX_CONSUMERS: f64 = 10_000.0;
/// Largest capacity tried by default.
const DEFAULT_MAX_CAPACITY: f64 = 10_000.0;
/// Most partitions tried by default: the search evaluates every pair of
/// partitions and consumers up to it, by theory.
const DEFAULT_MAX_PARTITIONS: f64 = 128.0;
/// Largest prefetch tried by default (RabbitMQ's `prefetch-count` is a
/// 16-bit number).
const DEFAULT_MAX_PREFETCH: f64 = 65_535.0;
/// Largest retry limit tried by default.
const DEFAULT_MAX_RETRIES: f64 = 1_000.0;
/// Highest load tried by default when a queue has no capacity or patience.
const DEFAULT_MAX_STABLE_LOAD: f64 = 0.999;
/// Highest load tried by default when every queue is bounded.
const DEFAULT_MAX_BOUNDED_LOAD: f64 = 10.0;
/// Confirmation replications, as a multiple of `[run] replications`.
const DEFAULT_REPLICATION_FACTOR: u32 = 8;

/// A plan needs replications to add: it confirms a candidate by adding
/// batches of `replications` while its interval straddles a target.
pub fn single_replication() -> Problem {
    Problem::new(
        "run.replications",
        "`[plan]` confirms candidates by adding replications in batches of `replications`: give at least 2",
    )
}

/// Checks `spec` against the scenario's single point.
pub fn settings(
    spec: &PlanSpec,
    points: &[SweepPoint],
    run: &RunConfig,
) -> Result<PlanSettings, Problem> {
    if run.replications < 2 {
        return Err(single_replication());
    }
    if points.len() > 1 {
        return Err(Problem::new(
            "plan",
            "a plan decides one setup: remove `[sweep]` (or decide `load`, or write one file per case)",
        ));
    }
    let model = &points[0].model;
    let decision = decision(&spec.decide, model)?;
    if model.has_profiles() {
        let Decision::Consumers(queue) = decision else {
            return Err(Problem::new(
                "plan.decide",
                "with a `rate_profile`, a plan schedules consumers step by step: decide `queues.<name>.consumers`",
            ));
        };
        let period = model
            .producers
            .iter()
            .find_map(|p| p.profile.as_ref())
            .map_or(0.0, |profile| profile.period());
        if matches!(run.length, crate::run::RunLength::Horizon(horizon) if horizon < period) {
            return Err(Problem::new(
                "run.horizon",
                format!(
                    "a schedule is planned over the whole profile: the run must cover its period ({period}); remove `horizon` or give at least that"
                ),
            ));
        }
        let scheduled = &model.queues[queue];
        if scheduled.discipline.interrupts_service() || scheduled.is_unlimited() {
            return Err(Problem::new(
                "plan.decide",
                format!(
                    "queue `{}` cannot follow a consumer schedule ({} consumers, {} order); schedules apply to fifo, lifo, priority and random queues with a number of consumers",
                    scheduled.name,
                    if scheduled.is_unlimited() {
                        "unlimited"
                    } else {
                        "a number of"
                    },
                    scheduled.discipline.name()
                ),
            ));
        }
    }
    if spec.targets.is_empty() {
        return Err(Problem::new(
            "plan.targets",
            "give at least one `[[plan.targets]]`",
        ));
    }
    let goals = spec
        .targets
        .iter()
        .map(|target| goal(target, &decision, model))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(goal) = goals
        .iter()
        .find(|g| decision.trend(&g.metric, &g.bound).is_none())
    {
        return Err(Problem::new(
            format!("plan.targets.{}", goal.name()),
            format!(
                "`{}` does not get easier to meet as `{}` {} (nor steadily harder), which the search needs; {}",
                goal.describe(),
                spec.decide,
                if decision == Decision::Load {
                    "falls"
                } else {
                    "grows"
                },
                allowed_targets(&decision)
            ),
        ));
    }
    if !goals
        .iter()
        .any(|g| decision.trend(&g.metric, &g.bound) == Some(Trend::Eases))
    {
        return Err(Problem::new(
            "plan.targets",
            format!(
                "every target gets harder to meet as `{}` grows, so the smallest value would do: give a target it helps meet; {}",
                spec.decide,
                allowed_targets(&decision)
            ),
        ));
    }
    let max_value = match spec.max_value {
        Some(v) => checked_max(v, &decision, model)?,
        None => default_max(&decision, model),
    };
    let max_replications = spec
        .max_replications
        .unwrap_or(run.replications.saturating_mul(DEFAULT_REPLICATION_FACTOR));
    if max_replications < run.replications {
        return Err(Problem::new(
            "plan.max_replications",
            format!(
                "must be at least `[run] replications` ({}), got {max_replications}",
                run.replications
            ),
        ));
    }
    Ok(PlanSettings {
        parameter: spec.decide.clone(),
        decision,
        goals,
        max_value,
        max_replications,
    })
}

/// The targets a decision can search with, in words.
fn allowed_targets(decision: &Decision) -> &'static str {
    match decision {
        Decision::Capacity(_) => {
            "a capacity decision takes `p_blocked` (max) or `throughput` (min)"
        }
        Decision::Load => "a load decision takes upper bounds (`max`) or `wait_within`",
        Decision::Consumers(_) | Decision::Network | Decision::Partitions(_) => {
            "a consumers or partitions decision takes upper bounds (`max`), `throughput` (min) or `wait_within`"
        }
        Decision::Prefetch(_) => {
            "a prefetch decision takes upper bounds (`max`), `throughput` or `consumer_utilisation` (min) or `wait_within`"
        }
        Decision::MaxRetries(_) => {
            "a retry-limit decision takes `p_dead_lettered` (max), which more retries meet, and other upper bounds (`max`, e.g. `retries_per_message`, `mean_in_retry`) or `wait_within`, which they make harder"
        }
    }
}

fn decision(decide: &str, model: &Model) -> Result<Decision, Problem> {
    let usage = || {
        Problem::new(
            "plan.decide",
            format!(
                "cannot decide `{decide}`; allowed: `queues.<name>.consumers`, `queues.<name>.capacity`, `queues.<name>.partitions` (partitions and consumers together), `queues.<name>.prefetch`, `queues.<name>.retry.max_retries`, `queues.*.consumers` (every queue of a network) or `load` (queues: {})",
                queue_names(model)
            ),
        )
    };
    if decide == "load" {
        if model.producers.iter().all(|p| p.open_rate() == 0.0) {
            return Err(Problem::new(
                "plan.decide",
                "`load` scales open producers' rates, and this model has none",
            ));
        }
        return Ok(Decision::Load);
    }
    if decide == "queues.*.consumers" {
        return Ok(Decision::Network);
    }
    let rest = decide.strip_prefix("queues.").ok_or_else(usage)?;
    let (name, key) = match rest.strip_suffix(".retry.max_retries") {
        Some(name) => (name, "retry.max_retries"),
        None => rest.rsplit_once('.').ok_or_else(usage)?,
    };
    let queue = model
        .queues
        .iter()
        .position(|q| q.name == name)
        .ok_or_else(usage)?;
    match key {
        "consumers" => Ok(Decision::Consumers(queue)),
        "capacity" if model.queues[queue].is_unlimited() => Err(Problem::new(
            "plan.decide",
            format!(
                "queue `{name}` has unlimited consumers, so no message ever waits for buffer space"
            ),
        )),
        "capacity" if !plain_capacity(model.queues[queue].admission) => Err(Problem::new(
            "plan.decide",
            format!(
                "queue `{name}` has a `max_length` or an `overflow` other than \"reject-publish\", which the capacity search would replace: bound it by `capacity` alone, or decide its consumers"
            ),
        )),
        "capacity" => Ok(Decision::Capacity(queue)),
        "partitions" if model.queues[queue].partitioning().is_none() => Err(Problem::new(
            "plan.decide",
            format!(
                "queue `{name}` has no `partitions`; partitions and consumers are decided together for a partitioned queue: give it `partitions`, or decide its consumers"
            ),
        )),
        "partitions" if model.shares_topic(queue) => Err(Problem::new(
            "plan.decide",
            format!(
                "queue `{name}` is part of a topic read by several consumer groups (`topic`), which share its partitions; the search over partitions and consumers covers one group: decide a group's `consumers` for the topic's partitions"
            ),
        )),
        "partitions" => Ok(Decision::Partitions(queue)),
        "prefetch" if model.queues[queue].window().is_none() => Err(Problem::new(
            "plan.decide",
            format!(
                "queue `{name}` has no prefetch windows: give it `prefetch` (and its `ack` round trip) to decide the prefetch, or decide its consumers"
            ),
        )),
        "prefetch" => Ok(Decision::Prefetch(queue)),
        "retry.max_retries" if model.queues[queue].retry().is_none() => Err(Problem::new(
            "plan.decide",
            format!(
                "queue `{name}` has no `retry`: give it `retry = {{ p = ..., ... }}` to decide its retry limit"
            ),
        )),
        "retry.max_retries" => Ok(Decision::MaxRetries(queue)),
        _ => Err(usage()),
    }
}

/// Unbounded, or bounded by a `capacity` that rejects new arrivals: what
/// a capacity search tries values of.
fn plain_capacity(admission: Admission) -> bool {
    admission == Admission::with_capacity(admission.capacity())
}

fn queue_names(model: &Model) -> String {
    let names: Vec<&str> = model.queues.iter().map(|q| q.name.as_str()).collect();
    names.join(", ")
}

fn goal(spec: &PlanTargetSpec, decision: &Decision, model: &Model) -> Result<Goal, Problem> {
    let key = format!("plan.targets.{}", spec.metric);
    let target = match &spec.queue {
        Some(name) => Some(
            model
                .queues
                .iter()
                .position(|q| &q.name == name)
                .ok_or_else(|| {
                    Problem::new(
                        format!("{key}.queue"),
                        format!("no queue `{name}`; queues: {}", queue_names(model)),
                    )
                })?,
        ),
        None => match decision {
            Decision::Consumers(queue)
            | Decision::Capacity(queue)
            | Decision::Partitions(queue)
            | Decision::Prefetch(queue)
            | Decision::MaxRetries(queue) => Some(*queue),
            Decision::Load | Decision::Network if model.queues.len() == 1 => Some(0),
            Decision::Load | Decision::Network if model.is_network() => None,
            Decision::Load | Decision::Network => {
                return Err(Problem::new(
                    format!("{key}.queue"),
                    format!(
                        "the queues are not linked (by `next` or `dead_letter`), so there is no end-to-end `system` row: name the queue this target is about; queues: {}",
                        queue_names(model)
                    ),
                ));
            }
        },
    };
    let row = target.map_or_else(
        || crate::model::SYSTEM.to_string(),
        |q| model.queues[q].name.clone(),
    );
    let positive = |name: &str, value: Option<f64>| -> Result<f64, Problem> {
        match value {
            Some(v) if v.is_finite() && v >= 0.0 => Ok(v),
            Some(v) => Err(Problem::new(
                format!("{key}.{name}"),
                format!("must be a finite number >= 0, got {}", Num(v)),
            )),
            None => Err(Problem::new(key.clone(), format!("give `{name}`"))),
        }
    };
    if spec.metric == "wait_within" {
        if spec.max.is_some() || spec.min.is_some() {
            return Err(Problem::new(
                key,
                "`wait_within` takes `t` and `at_least` (the share of messages that start within t)",
            ));
        }
        let t = positive("t", spec.t)?;
        let at_least = positive("at_least", spec.at_least)?;
        if at_least > 1.0 {
            return Err(Problem::new(
                format!("{key}.at_least"),
                format!("is a share between 0 and 1, got {}", Num(at_least)),
            ));
        }
        return Ok(Goal {
            metric: GoalMetric::WaitWithin { t },
            bound: Bound::AtLeast(at_least),
            target,
            row,
        });
    }
    let metric = Metric::from_name(&spec.metric)
        .map_err(|message| Problem::new(key.clone(), format!("{message}, wait_within")))?;
    if matches!(metric, Metric::WaitWithin(_) | Metric::SojournWithin(_)) {
        return Err(Problem::new(
            key,
            "a plan bounds the waiting-time service level as `metric = \"wait_within\"` with `t` and `at_least`",
        ));
    }
    if spec.t.is_some() || spec.at_least.is_some() {
        return Err(Problem::new(
            key,
            "`t` and `at_least` belong to `wait_within`; bound other metrics with `max` or `min`",
        ));
    }
    let bound = match (spec.max, spec.min) {
        (Some(_), None) => Bound::AtMost(positive("max", spec.max)?),
        (None, Some(_)) => Bound::AtLeast(positive("min", spec.min)?),
        _ => {
            return Err(Problem::new(key, "give exactly one of `max` or `min`"));
        }
    };
    Ok(Goal {
        metric: GoalMetric::Metric(metric),
        bound,
        target,
        row,
    })
}

/// `max_value` as given: a load > 0, or a whole number of consumers (or a
/// capacity) no smaller than the search starts from.
fn checked_max(value: f64, decision: &Decision, model: &Model) -> Result<f64, Problem> {
    let problem = |allowed: String| {
        Problem::new(
            "plan.max_value",
            format!("must be {allowed}, got {}", Num(value)),
        )
    };
    let lowest = match decision {
        Decision::Load => {
            return if value.is_finite() && value > 0.0 {
                Ok(value)
            } else {
                Err(problem("a load > 0".into()))
            };
        }
        Decision::Consumers(_) | Decision::Prefetch(_) | Decision::Partitions(_) => 1.0,
        Decision::MaxRetries(_) => 0.0,
        Decision::Network => model.queues.len() as f64,
        Decision::Capacity(queue) => f64::from(model.queues[*queue].consumers),
    };
    let most = match decision {
        Decision::Partitions(_) => crate::model::MAX_PARTITIONS,
        _ => crate::model::UNLIMITED - 1,
    };
    let whole = value.fract() == 0.0 && value <= f64::from(most);
    if whole && value >= lowest {
        Ok(value)
    } else {
        Err(problem(format!("a whole number from {lowest} to {most}")))
    }
}

fn default_max(decision: &Decision, model: &Model) -> f64 {
    match decision {
        Decision::Consumers(_) | Decision::Network => DEFAULT_MAX_CONSUMERS,
        Decision::Capacity(_) => DEFAULT_MAX_CAPACITY,
        Decision::Partitions(_) => DEFAULT_MAX_PARTITIONS,
        Decision::Prefetch(_) => DEFAULT_MAX_PREFETCH,
        Decision::MaxRetries(_) => DEFAULT_MAX_RETRIES,
        Decision::Load => {
            let bounded = model
                .queues
                .iter()
                .all(|q| q.capacity().is_some() || q.patience().is_some());
            if bounded {
                DEFAULT_MAX_BOUNDED_LOAD
            } else {
                DEFAULT_MAX_STABLE_LOAD
            }
        }
    }
}
