//! Scenario files: parse (serde, unknown keys rejected), validate, expand the
//! sweep into one [`Model`] per point, and refuse unstable points.

mod error;
mod expand;
pub mod limits;
mod live;
pub mod live_settings;
mod locate;
mod plan;
pub mod plan_settings;
pub mod preset;
mod profile;
mod retry;
mod spec;
mod sweep;
mod validate;

use std::path::{Path, PathBuf};

pub use error::{Problem, ScenarioError};
pub use expand::expanded_source;
pub use live_settings::{BrokerKind, Channel, ChannelKind, LiveSettings};
pub use plan_settings::PlanSettings;
pub use validate::DEFAULT_CUSTOMERS;

use crate::model::Model;
use crate::run::RunConfig;
use spec::ScenarioSpec;

/// Which sources a run compares.
#[derive(Clone, Debug, PartialEq)]
pub struct Compare {
    /// Evaluate formulas.
    pub theory: bool,
    /// Run the simulator.
    pub simulation: bool,
    /// Drive real queues (`[compare] live`), with these settings.
    pub live: Option<LiveSettings>,
}

/// One point of the sweep: its parameter values and its model.
#[derive(Clone, Debug)]
pub struct SweepPoint {
    /// Swept parameter names and values (empty without a sweep).
    pub parameters: Vec<(String, serde_json::Value)>,
    /// The model at this point.
    pub model: Model,
}

impl SweepPoint {
    /// The parameters as text, e.g. `load = 0.5`; empty without a sweep.
    pub fn label(&self) -> String {
        parameter_label(self.parameters.iter().map(|(name, value)| (name, value)))
    }
}

/// Parameters as `name = value` joined by commas, a value that stands for
/// no limit as `unlimited` ([`means_unlimited`]).
pub fn parameter_label<'a>(
    parameters: impl IntoIterator<Item = (&'a String, &'a serde_json::Value)>,
) -> String {
    let parts: Vec<String> = parameters
        .into_iter()
        .map(|(name, value)| match value.as_f64() {
            Some(number) if means_unlimited(name, number) => format!("{name} = unlimited"),
            _ => format!("{name} = {value}"),
        })
        .collect();
    parts.join(", ")
}

/// Whether `value` of the swept `parameter` stands for no limit: a
/// prefetch of 0, as in `basic.qos` (results keep the 0; reports and
/// charts say `unlimited`).
pub fn means_unlimited(parameter: &str, value: f64) -> bool {
    value == 0.0 && parameter.rsplit('.').next() == Some("prefetch")
}

/// A loaded, validated scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The file it came from.
    pub file: PathBuf,
    /// The file's text, copied into the results.
    pub source: String,
    /// Scenario name (the results folder).
    pub name: String,
    /// Free text from the file.
    pub description: String,
    /// Run settings.
    pub run: RunConfig,
    /// Sources to compare.
    pub compare: Compare,
    /// The sweep points, in file order.
    pub points: Vec<SweepPoint>,
    /// `[plan]`, for `queuelab plan`.
    pub plan: Option<PlanSettings>,
    /// The `[[brokers]]` presets the file declares: each one's name and
    /// kind (none for plain queues).
    pub presets: Vec<(String, preset::BrokerKind)>,
}

impl Scenario {
    /// A one-point scenario of a model built in code (see
    /// [`Model::builder`]), compared by theory and simulation under `run`:
    /// no sweep, no live run, no plan, and no file (its results hold an
    /// empty `scenario.toml`).
    pub fn of_model(model: Model, run: RunConfig) -> Scenario {
        Scenario {
            file: PathBuf::from(format!("{}.toml", model.name)),
            source: String::new(),
            name: model.name.clone(),
            description: String::new(),
            run,
            compare: Compare {
                theory: true,
                simulation: true,
                live: None,
            },
            points: vec![SweepPoint {
                parameters: Vec::new(),
                model,
            }],
            plan: None,
            presets: Vec::new(),
        }
    }
}

/// Reads, validates and expands a scenario file.
pub fn load(file: &Path) -> Result<Scenario, ScenarioError> {
    let source =
        crate::input::read_text(file, crate::input::MAX_SCENARIO_BYTES).map_err(|source| {
            ScenarioError::Read {
                file: file.to_path_buf(),
                source,
            }
        })?;
    parse(file, source)
}

/// Validates and expands scenario text that came from `file`.
pub fn parse(file: &Path, source: String) -> Result<Scenario, ScenarioError> {
    let syntax = |e: toml::de::Error| ScenarioError::Syntax {
        file: file.to_path_buf(),
        message: e.to_string().trim_end().to_string(),
    };
    let spec: ScenarioSpec = toml::from_str(&source).map_err(syntax)?;
    let invalid = |problem: Problem| ScenarioError::Invalid {
        file: file.to_path_buf(),
        line: locate::line_of(&source, &problem.key),
        problem,
    };
    limits::check_spec(&spec).map_err(invalid)?;
    let base_dir = file.parent().unwrap_or(Path::new("."));
    let mut run = validate::run_config(&spec).map_err(invalid)?;
    let base = validate::model(&spec, base_dir).map_err(invalid)?;
    profile::adapt_run(&mut run, &spec.run, &base).map_err(invalid)?;
    validate::warmup_within_traces(&run, &base).map_err(invalid)?;
    validate::adapt_to_group_changes(&mut run, &base).map_err(invalid)?;
    let points = expand_sweep(&spec, &source, base, base_dir).map_err(invalid)?;
    validate::replications(&run, points.iter().map(|p| &p.model)).map_err(invalid)?;
    let live = spec
        .compare
        .live
        .as_ref()
        .map(|live_spec| live::settings(live_spec, &points))
        .transpose()
        .map_err(invalid)?;
    let plan = spec
        .plan
        .as_ref()
        .map(|plan_spec| plan::settings(plan_spec, &points, &run))
        .transpose()
        .map_err(invalid)?;
    let scenario = Scenario {
        file: file.to_path_buf(),
        name: spec.name.clone(),
        description: spec.description.clone(),
        run,
        compare: Compare {
            theory: spec.compare.theory,
            simulation: spec.compare.simulation,
            live,
        },
        points,
        plan,
        presets: spec
            .brokers
            .iter()
            .map(|broker| (broker.name.clone(), broker.kind))
            .collect(),
        source,
    };
    scenario.check_cost(default_threads(), 1.0)?;
    Ok(scenario)
}

/// Worker threads a run uses unless told otherwise: every core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

impl Scenario {
    /// Why `queuelab bench --broker broker` would misrepresent this file,
    /// if it would: a `[[brokers]]` preset of another broker (driving it
    /// would measure `broker` under another broker's defaults and name).
    pub fn preset_on_other_broker(&self, broker: BrokerKind) -> Option<String> {
        let (name, kind) = self.presets.iter().find(|(_, kind)| {
            !matches!(
                (kind, broker),
                (preset::BrokerKind::Rabbitmq, BrokerKind::Rabbitmq)
                    | (preset::BrokerKind::Kafka, BrokerKind::Kafka)
            )
        })?;
        let fix = match kind {
            preset::BrokerKind::Rabbitmq => "run it with `--broker rabbitmq`",
            preset::BrokerKind::Kafka => "run it with `--broker kafka`",
            preset::BrokerKind::Rocketmq => "no RocketMQ runs on this machine",
        };
        Some(format!(
            "`[[brokers]]` `{name}` is a {} preset, and `--broker {}` would measure another broker under its defaults: {fix}, or write the queue with plain keys (`queuelab expand` prints them)",
            kind.title(),
            broker.name()
        ))
    }

    /// The model at each of `values` of the one swept `parameter`, built as
    /// the sweep builds its points (`None` where a value makes no valid
    /// model): what theory curves between the simulated points evaluate.
    pub fn models_at(&self, parameter: &str, values: &[toml::Value]) -> Vec<Option<Model>> {
        let base_dir = self.file.parent().unwrap_or(Path::new("."));
        sweep::models_at(&self.source, base_dir, parameter, values)
    }

    /// The estimated cost of simulating `share` of this scenario's run on
    /// `threads` threads, or why it is refused ([`limits::check_cost`]).
    pub fn check_cost(&self, threads: usize, share: f64) -> Result<limits::Cost, ScenarioError> {
        if !self.compare.simulation {
            return Ok(limits::Cost {
                visits: 0.0,
                memory: 0.0,
            });
        }
        limits::check_cost(self, threads, share).map_err(|problem| ScenarioError::Invalid {
            file: self.file.clone(),
            line: locate::line_of(&self.source, &problem.key),
            problem,
        })
    }
}

/// Replaces the scenario's replications (`--replications`), checked as the
/// file's own would be.
pub fn set_replications(scenario: &mut Scenario, replications: u32) -> Result<(), Problem> {
    let mut run = scenario.run;
    run.replications = replications;
    validate::replications(&run, scenario.points.iter().map(|p| &p.model))?;
    if replications < 2 && scenario.plan.is_some() {
        return Err(plan::single_replication());
    }
    scenario.run = run;
    Ok(())
}

/// Turns live runs on (`queuelab live`): the file's `[compare] live`
/// settings, or the defaults, with `overrides` applied, all validated.
pub fn enable_live(scenario: &mut Scenario, overrides: LiveOverrides) -> Result<(), ScenarioError> {
    let mut live_spec = live_spec(scenario)?;
    if overrides.seconds.is_some() {
        live_spec.seconds = overrides.seconds;
    }
    if overrides.channels.is_some() {
        live_spec.channels = overrides.channels;
    }
    let settings = live::settings(&live_spec, &scenario.points);
    scenario.compare.live = Some(settings.map_err(|problem| invalid(scenario, problem))?);
    Ok(())
}

/// Takes the time scale and windows of a run on a broker (`queuelab
/// bench`) from `[compare] live` (its `channels` are for `live` and
/// ignored), `seconds` replacing its own, into `scenario.compare.live`.
/// Without `time_scale_ms`, a model time unit that converts (`ms`, `s`,
/// ...) is run at wall speed; another takes live's default.
/// Whether the broker can run the model is the bench's to check.
pub fn enable_bench(scenario: &mut Scenario, seconds: Option<f64>) -> Result<(), ScenarioError> {
    let mut live_spec = live_spec(scenario)?;
    if seconds.is_some() {
        live_spec.seconds = seconds;
    }
    // A broker's transit is real time: model time runs at wall speed in
    // the scenario's own unit unless `time_scale_ms` says otherwise.
    if live_spec.time_scale_ms.is_none() {
        let unit = &scenario.points[0].model.time_unit;
        live_spec.time_scale_ms = crate::units::seconds_per(unit).map(|s| s * 1e3);
    }
    let settings = live::windows(&live_spec, &scenario.points);
    scenario.compare.live = Some(settings.map_err(|problem| invalid(scenario, problem))?);
    Ok(())
}

/// The scenario's `[compare] live` as written (all defaults without one).
fn live_spec(scenario: &Scenario) -> Result<spec::LiveSpec, ScenarioError> {
    let spec: ScenarioSpec =
        toml::from_str(&scenario.source).map_err(|e| ScenarioError::Syntax {
            file: scenario.file.clone(),
            message: e.to_string().trim_end().to_string(),
        })?;
    Ok(spec.compare.live.unwrap_or_default())
}

/// `problem` in `scenario`'s file, at the line of its key.
fn invalid(scenario: &Scenario, problem: Problem) -> ScenarioError {
    ScenarioError::Invalid {
        file: scenario.file.clone(),
        line: locate::line_of(&scenario.source, &problem.key),
        problem,
    }
}

/// Command-line values that replace `[compare] live` keys; they are
/// validated like the file's own.
#[derive(Clone, Debug, Default)]
pub struct LiveOverrides {
    /// Replaces `seconds` (the default warm-up follows it).
    pub seconds: Option<f64>,
    /// Replaces `channels`.
    pub channels: Option<Vec<ChannelKind>>,
}

fn expand_sweep(
    spec: &ScenarioSpec,
    source: &str,
    base: Model,
    base_dir: &Path,
) -> Result<Vec<SweepPoint>, Problem> {
    let Some(sweep) = &spec.sweep else {
        let point = SweepPoint {
            parameters: Vec::new(),
            model: base,
        };
        check_stable(&point, None)?;
        return Ok(vec![point]);
    };
    let (key, points) = sweep::expand(source, &base, base_dir, sweep)?;
    for point in &points {
        check_stable(point, Some(key))?;
    }
    Ok(points)
}

/// A load to 4 decimals, or with every digit when that would round it to 1.
fn load_text(load: f64) -> String {
    let short = format!("{load:.4}");
    if load < 1.0 && short == "1.0000" {
        format!(
            "{} (within {} of 1, counted as 1)",
            crate::text::Num(load),
            crate::text::Num(crate::model::STABILITY_TOLERANCE)
        )
    } else if load >= 1e4 {
        crate::text::Num(load).to_string()
    } else {
        short
    }
}

/// Refuses a point where a consumer of a partitioned queue gets a load >= 1
/// from its partitions (a hot key, or too few consumers), naming it, its
/// partitions and their loads; the problem names `key`, or the queue's
/// `partitions` without a sweep.
fn check_partitions_stable(point: &SweepPoint, key: Option<&str>) -> Result<(), Problem> {
    let Some(overloaded) = point.model.overloaded_consumer() else {
        return Ok(());
    };
    let queue = &point.model.queues[overloaded.queue];
    let at = if point.parameters.is_empty() {
        String::new()
    } else {
        format!(" at sweep point {}", point.label())
    };
    let partitions: Vec<String> = overloaded
        .partitions
        .iter()
        .map(|(partition, load)| format!("partition {partition} at load {}", load_text(*load)))
        .collect();
    let queue_key = format!("queues.{}.partitions", queue.name);
    Err(Problem::new(
        key.unwrap_or(&queue_key),
        format!(
            "queue \"{}\" is unstable{at}: consumer {} owns {} and so has load {} >= 1, although the queue's load is {}; each partition is read by one consumer only, so that partition's backlog would grow without bound; spread the keys (more keys, a flatter distribution), add partitions, or make the service faster",
            queue.name,
            overloaded.consumer,
            partitions.join(" and "),
            load_text(overloaded.load),
            load_text(
                point
                    .model
                    .loads()
                    .map_or(f64::NAN, |l| l[overloaded.queue])
            ),
        ),
    ))
}

/// Refuses a point where a queue without capacity has load >= 1; the
/// problem names `key`, or the queue itself without a sweep.
fn check_stable(point: &SweepPoint, key: Option<&str>) -> Result<(), Problem> {
    if point.model.loads().is_none() {
        return Err(Problem::new(
            "queues",
            "the routing never lets messages leave",
        ));
    }
    let Some((index, load)) = point.model.unstable_queue() else {
        return check_partitions_stable(point, key);
    };
    let queue = &point.model.queues[index];
    let at = if point.parameters.is_empty() {
        String::new()
    } else {
        format!(" at sweep point {}", point.label())
    };
    let queue_key = format!("queues.{}", queue.name);
    let receives_lost = point
        .model
        .queues
        .iter()
        .any(|q| q.patience().is_some() && q.dead_letter() == Some(index));
    let averaged = if point.model.has_profiles() {
        " (averaged over the repeating rate profile, so the backlog grows from one period to the next)"
    } else {
        ""
    };
    let closed = if point.model.closed_loads()[index] > 0.0 {
        " (counting the closed loops' clients at their fastest, N / (think + service): open messages queue behind them, so the clients must leave spare capacity)"
    } else {
        ""
    };
    let share = point.model.window_busy_share(index);
    let window = if share < 1.0 {
        format!(
            " (against what its prefetch windows let through: a saturated consumer is busy only {:.4} of the time, its slots held through the ack round trip, so a larger `prefetch` helps too)",
            share
        )
    } else {
        String::new()
    };
    let down = queue.outage().map_or_else(String::new, |outage| {
        format!(
            " (against its consumers' time up: they are up {:.4} of the time, between failures)",
            outage.availability()
        )
    });
    let retried = queue.retry().map_or_else(String::new, |retry| {
        let held = queue.held_delay_per_message();
        let held = if held > 0.0 {
            format!(
                ", and a consumer sleeps through its retry delays, {} per message on average",
                crate::text::Num(held)
            )
        } else {
            String::new()
        };
        format!(
            " (counting every delivery: its retries multiply the messages it serves by {}{held})",
            crate::text::Num(retry.deliveries_per_message())
        )
    });
    let bound = if receives_lost {
        " (as a dead-letter queue its load counts every message that may expire, overflow or run out of retries, an upper bound)"
    } else {
        ""
    };
    Err(Problem::new(
        key.unwrap_or(&queue_key),
        format!(
            "queue \"{}\" is unstable{at}: its load is {} >= 1{retried}{averaged}{closed}{window}{down} and it has no capacity limit, so its queue would grow without bound{bound}; lower the load or add more consumers, or set `capacity` or `patience`",
            queue.name,
            load_text(load)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefetch_of_0_reads_unlimited_and_other_zeros_stay() {
        let (prefetch, consumers) = (
            "queues.work.prefetch".to_string(),
            "queues.work.consumers".to_string(),
        );
        let zero = serde_json::Value::from(0);
        assert_eq!(
            parameter_label([(&prefetch, &zero), (&consumers, &zero)]),
            "queues.work.prefetch = unlimited, queues.work.consumers = 0"
        );
        assert_eq!(
            parameter_label([(&prefetch, &serde_json::Value::from(10))]),
            "queues.work.prefetch = 10"
        );
    }

    #[test]
    fn a_preset_is_benched_only_on_its_own_broker() {
        let preset = load(Path::new("scenarios/bench-rabbitmq-prefetch1.toml")).unwrap();
        assert_eq!(preset.preset_on_other_broker(BrokerKind::Rabbitmq), None);
        let refusal = preset.preset_on_other_broker(BrokerKind::Nats).unwrap();
        assert!(refusal.contains("RabbitMQ preset"), "{refusal}");
        assert!(refusal.contains("`--broker rabbitmq`"), "{refusal}");
        let plain = load(Path::new("scenarios/bench-nats-window1.toml")).unwrap();
        assert_eq!(plain.preset_on_other_broker(BrokerKind::Nats), None);
    }
}
