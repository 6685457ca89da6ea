//! Orchestration of each subcommand: arguments, folders and progress;
//! the work is `experiment`'s (or `plan`'s, `shard`'s, `fit`'s), the
//! writing `report`'s and `chart`'s. No domain logic lives here.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::bench::{self, BrokerTarget};
use crate::chart;
use crate::cli::{
    BenchArgs, Cli, Command, CompareArgs, FileArgs, FitArgs, FitFormat, Format, LiveArgs,
    MergeArgs, OmbArgs, OmbCommand, OmbCompareArgs, PlanArgs, PlanFormat, PlotArgs, Presentation,
    RunArgs, RunOptions, ServiceArgs, TableView, TheoryArgs,
};
use crate::dist;
use crate::experiment::{self, LivePoints};
use crate::fit::{self, FitSource};
use crate::folder::{self, FolderError, Policy};
use crate::interrupt;
use crate::live::{self, LiveSettings};
use crate::model::metric::Metric;
use crate::model::profile;
use crate::omb;
use crate::plan;
use crate::progress;
use crate::report::{self, OutcomeFiles, View};
use crate::results::{self, RunResults};
use crate::scenario::{self, LiveOverrides, Scenario, ScenarioError, limits};
use crate::shard::{self, MergeError, ShardId};
use crate::sim::Simulation;
use crate::text;
use crate::theory;

/// A failed command, with its exit code.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The scenario file is invalid (exit 2).
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A command-line value is invalid (exit 2).
    #[error("{0}")]
    Usage(String),
    /// Shards cannot be merged (exit 3, 4, 2 or 1: see [`MergeError::exit_code`]).
    #[error(transparent)]
    Merge(#[from] MergeError),
    /// The output folder must not or cannot be written (exit 2 or 1).
    #[error(transparent)]
    Folder(#[from] FolderError),
    /// The outcome was already printed; only the exit code remains.
    #[error("")]
    Silent(u8),
    /// Ctrl-C stopped the run before it finished (exit 130).
    #[error("interrupted: every thread stopped, no results written")]
    Interrupted,
    /// Anything else (exit 1).
    #[error("{0}")]
    Failure(String),
}

impl AppError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            AppError::Scenario(_) | AppError::Usage(_) => 2,
            AppError::Merge(error) => error.exit_code(),
            AppError::Folder(error) => error.exit_code(),
            AppError::Silent(code) => *code,
            AppError::Interrupted => 130,
            AppError::Failure(_) => 1,
        }
    }
}

/// Runs the parsed command line. A signal (Ctrl-C, SIGTERM) stops it with
/// exit 130 and removes whatever it was writing.
pub fn run(cli: Cli) -> Result<(), AppError> {
    interrupt::install().map_err(|e| AppError::Failure(format!("cannot catch signals: {e}")))?;
    match cli.command {
        Command::Run(args) => run_command(args),
        Command::Theory(args) => theory_command(args),
        Command::Check(args) => check_command(args),
        Command::Expand(args) => expand_command(args),
        Command::Plot(args) => plot_command(args),
        Command::Compare(args) => compare_command(args),
        Command::Merge(args) => merge_command(args),
        Command::Live(args) => live_command(args),
        Command::Bench(args) => bench_command(args),
        Command::Plan(args) => plan_command(args),
        Command::Fit(args) => fit_command(args),
        Command::Omb(args) => omb_command(args),
        Command::Completions(args) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut command, "queuelab", &mut std::io::stdout());
            Ok(())
        }
    }
}

fn omb_command(args: OmbArgs) -> Result<(), AppError> {
    let (text, out) = match args.command {
        OmbCommand::Import(args) => {
            // Errors in the imported scenario name `--out`, or the
            // workload with the note that its scenario is meant.
            let as_file = args.out.clone().unwrap_or_else(|| imported_as(&args.file));
            let text = omb::import(&args.file, service(&args.service), &as_file)
                .map_err(|e| AppError::Usage(e.to_string()))?;
            (text, args.out)
        }
        OmbCommand::Compare(args) => return omb_compare_command(args),
        OmbCommand::Result(args) => {
            let (results, _) =
                report::read_folder(&args.dir).map_err(|e| AppError::Usage(e.to_string()))?;
            let document = omb::result::document(&results)
                .map_err(|e| AppError::Usage(format!("{}: {e}", args.dir.display())))?;
            (json_text(&document)?, args.out)
        }
    };
    match out {
        None => write_stdout(&text),
        Some(out) => {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&out)
                .map_err(|e| {
                    AppError::Usage(format!("{}: cannot create it: {e}", out.display()))
                })?;
            file.write_all(text.as_bytes())
                .map_err(|e| AppError::Failure(format!("{}: {e}", out.display())))?;
            eprintln!("written to {}", out.display());
            Ok(())
        }
    }
}

/// The service time `args` give, if any.
fn service(args: &ServiceArgs) -> Option<omb::Service> {
    args.service_mean_ms.map(|mean_ms| omb::Service {
        mean_ms,
        scv: args.service_scv,
    })
}

/// How errors name the scenario imported from the OMB workload `file`.
fn imported_as(file: &Path) -> PathBuf {
    PathBuf::from(format!("{} (imported as a scenario)", file.display()))
}

/// The OMB workload `file` with `args`' service time as a scenario.
fn import_workload(file: &Path, args: &ServiceArgs) -> Result<omb::Imported, AppError> {
    omb::load(file, service(args), &imported_as(file)).map_err(|e| AppError::Usage(e.to_string()))
}

fn omb_compare_command(args: OmbCompareArgs) -> Result<(), AppError> {
    let measured = omb::measured::load(&args.result).map_err(|e| AppError::Usage(e.to_string()))?;
    let mut imported = import_workload(&args.workload, &args.service)?;
    let files = omb::compare::Files {
        result: &args.result,
        workload: &args.workload,
    };
    omb::compare::check_match(&measured, &imported, &files).map_err(AppError::Usage)?;
    let scenario = &mut imported.scenario;
    scenario.compare.simulation = args.simulate;
    if let Some(replications) = args.replications {
        set_replications(scenario, replications)?;
    }
    let out = args.out.unwrap_or_else(|| {
        PathBuf::from("results").join(format!("{}-omb-compare", imported.scenario.name))
    });
    let policy = Policy::forced(args.force);
    folder::check(&out, policy)?;
    if args.simulate {
        imported
            .scenario
            .check_cost(scenario::default_threads(), 1.0)?;
        eprintln!("simulating {} ...", imported.scenario.name);
    }
    let point = experiment::run_point(&imported.scenario, 0);
    let row = omb::result::topic_row(&point.results)
        .ok_or_else(|| AppError::Failure("the model has no queue row".into()))?;
    let comparison = omb::compare::compare(&measured, &imported, row, &files);
    let table = comparison.table();
    let json = json_text(&comparison)?;
    let figure = (!args.no_charts).then(|| comparison.figure());
    report::write_outcome(
        &out,
        policy,
        &OutcomeFiles {
            json: ("omb-compare.json", &json),
            table: ("omb-compare.txt", &table),
            scenario: &imported.scenario.source,
            figure: figure.as_ref(),
        },
    )?;
    write_stdout(&table)?;
    eprintln!(
        "written to {}: omb-compare.json, omb-compare.txt, scenario.toml{}",
        out.display(),
        if figure.is_some() { ", charts/" } else { "" }
    );
    Ok(())
}

fn fit_command(args: FitArgs) -> Result<(), AppError> {
    let column = args.column.as_deref();
    let values = if args.gaps {
        dist::read_gaps(&args.file, column)
    } else {
        dist::read_column(&args.file, column)
    }
    .map_err(|e| AppError::Usage(e.to_string()))?;
    let fitted =
        fit::fit(&values).map_err(|e| AppError::Usage(format!("{}: {e}", args.file.display())))?;
    let usage = |e: dist::DistError| AppError::Usage(e.to_string());
    let source = FitSource {
        file: &args.file,
        column,
        gaps: args.gaps,
        dialect: dist::Dialect::of(&args.file).map_err(usage)?,
    };
    let header = dist::header_row(&args.file).map_err(usage)?;
    let notes = fit::warnings(&values, &source, header.as_deref());
    match args.format {
        FitFormat::Table => write_stdout(&fit::table(&fitted, &source, &notes)),
        FitFormat::Json => write_stdout(&json_text(&fit::document(&fitted, &source, &notes))?),
    }
}

fn plot_command(args: PlotArgs) -> Result<(), AppError> {
    let dir = &args.dir;
    let Some(marker) = folder::Marker::read(dir)
        .map_err(|e| AppError::Usage(format!("{}: {e}", dir.display())))?
    else {
        return Err(AppError::Usage(format!(
            "{}: not a results folder written by this queuelab (it has no `{}` marker), so its charts are not redrawn; run the scenario again",
            dir.display(),
            folder::MARKER
        )));
    };
    let (results, inputs) = report::read_folder(dir).map_err(|e| AppError::Usage(e.to_string()))?;
    folder::publish(dir, Policy::default(), |staging| {
        for file in marker.files.iter().filter(|f| !report::is_presentation(f)) {
            let target = staging.join(file);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::copy(dir.join(file), target)?;
        }
        report::write_presentation(staging, &results, Some(&inputs))
    })?;
    eprintln!("charts and reports re-drawn in {}", dir.display());
    Ok(())
}

fn compare_command(args: CompareArgs) -> Result<(), AppError> {
    let metric = Metric::from_name(&args.metric).map_err(AppError::Usage)?;
    let mut runs = Vec::with_capacity(args.dirs.len());
    for dir in &args.dirs {
        let (results, _) = report::read_folder(dir).map_err(|e| AppError::Usage(e.to_string()))?;
        let row = results
            .points
            .first()
            .and_then(|p| chart::pick_row(&p.results, args.queue.as_deref()));
        let has_metric = row.is_some_and(|row| {
            results
                .points
                .iter()
                .filter_map(|p| p.results.get(row))
                .any(|r| {
                    r.theory
                        .as_ref()
                        .is_some_and(|t| t.metrics.contains_key(&metric))
                        || r.simulation
                            .as_ref()
                            .is_some_and(|s| s.metrics.contains_key(&metric))
                })
        });
        if !has_metric {
            let which = args
                .queue
                .as_deref()
                .map_or_else(String::new, |q| format!(" for queue `{q}`"));
            return Err(AppError::Usage(format!(
                "{}: the results have no `{}`{which}, so they cannot be compared on it",
                dir.display(),
                metric.name()
            )));
        }
        let name = if runs
            .iter()
            .any(|(n, _): &(String, RunResults)| *n == results.scenario)
        {
            dir.display().to_string()
        } else {
            results.scenario.clone()
        };
        runs.push((name, results));
    }
    let figure =
        chart::comparison_figure(&runs, metric, args.queue.as_deref()).map_err(AppError::Usage)?;
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("results").join(format!("compare-{}", metric.name())));
    folder::publish(&out, Policy::forced(args.force), |staging| {
        chart::write_charts(staging, &[figure])
            .map(|_| ())
            .map_err(std::io::Error::other)
    })?;
    eprintln!(
        "comparison chart written to {}",
        out.join(format!("compare-{}.svg", metric.name())).display()
    );
    Ok(())
}

fn check_command(args: FileArgs) -> Result<(), AppError> {
    let scenario = scenario::load(&args.file)?;
    let model = &scenario.points[0].model;
    println!(
        "{}: ok: scenario \"{}\", {} point(s), {} producer(s), {} queue(s), {} class(es)",
        args.file.display(),
        scenario.name,
        scenario.points.len(),
        model.producers.len(),
        model.queues.len(),
        model.classes.len(),
    );
    Ok(())
}

fn expand_command(args: FileArgs) -> Result<(), AppError> {
    let scenario = scenario::load(&args.file)?;
    match scenario::expanded_source(&scenario)? {
        Some(text) => print!("{text}"),
        None => {
            print!("{}", scenario.source);
            eprintln!(
                "note: {} has no [[brokers]]: nothing to expand, printed as written",
                args.file.display()
            );
        }
    }
    Ok(())
}

fn theory_command(args: TheoryArgs) -> Result<(), AppError> {
    let scenario = scenario::load(&args.file)?;
    let view = table_view(&args.view, args.format, &scenario)?;
    let points = scenario
        .points
        .iter()
        .map(|point| {
            experiment::point_results(
                point,
                &theory::PointTheory::evaluate(
                    &point.model,
                    &profile::run_spans(&point.model, scenario.run.length),
                ),
                None,
                None,
                &scenario.run,
            )
        })
        .collect();
    let mut said = String::new();
    for point in &scenario.points {
        if let Some(why) = theory::uncovered(&point.model).filter(|why| *why != said) {
            let label = point.label();
            let at = if label.is_empty() {
                "theory".to_string()
            } else {
                label
            };
            eprint!("{}", text::wrap(&format!("{at}: {why}"), 100, "  "));
            said = why;
        }
    }
    print(
        &experiment::run_results(&scenario, points),
        args.format,
        &view,
    )
}

fn live_command(args: LiveArgs) -> Result<(), AppError> {
    let mut scenario = scenario::load(&args.run.file)?;
    let overrides = LiveOverrides {
        seconds: args.seconds,
        channels: args.channels,
    };
    scenario::enable_live(&mut scenario, overrides)?;
    execute_run(scenario, args.run, Measure::InProcess)
}

fn bench_command(args: BenchArgs) -> Result<(), AppError> {
    bench::available(args.broker).map_err(|e| AppError::Usage(e.to_string()))?;
    let mut scenario = scenario::load(&args.run.file)?;
    if let Some(reason) = scenario.preset_on_other_broker(args.broker).or_else(|| {
        scenario
            .points
            .iter()
            .find_map(|p| bench::unsupported_on(&p.model, args.broker))
    }) {
        return Err(AppError::Usage(format!(
            "{}: {reason}",
            scenario.file.display()
        )));
    }
    let target = BrokerTarget::new(args.broker, args.url);
    if let Some(problem) = target.url_problem() {
        return Err(AppError::Usage(problem));
    }
    scenario::enable_bench(&mut scenario, args.seconds)?;
    execute_run(scenario, args.run, Measure::Broker(&target))
}

/// `--replications`: the scenario's replications overridden, or why not.
fn set_replications(scenario: &mut Scenario, replications: u32) -> Result<(), AppError> {
    scenario::set_replications(scenario, replications).map_err(|problem| {
        AppError::Usage(format!(
            "--replications {replications}: {}",
            problem.message
        ))
    })
}

/// Where `run`, `live` and `bench` measure, when `[compare] live` asks.
#[derive(Clone, Copy, Debug)]
enum Measure<'a> {
    /// Only `run --shard K/N`: a piece of the simulation, never measured.
    Shard(ShardId),
    /// On real in-process channels.
    InProcess,
    /// On a real broker.
    Broker(&'a BrokerTarget),
}

fn plan_command(args: PlanArgs) -> Result<(), AppError> {
    let scenario = scenario::load(&args.file)?;
    let Some(settings) = &scenario.plan else {
        return Err(AppError::Usage(format!(
            "{}: no `[plan]` section: say what to decide and the targets (see scenarios/README.md)",
            args.file.display()
        )));
    };
    let presentation = &args.presentation;
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("results").join(format!("{}-plan", scenario.name)));
    let policy = Policy::forced(args.force);
    folder::check(&out, policy)?;
    let pool = thread_pool(worker_threads(args.threads)?)?;
    let started = std::time::Instant::now();
    let progress = progress::PlanProgress::new(&scenario.name, presentation.quiet);
    let watch = |candidate: &str| progress.candidate(candidate);
    let outcome =
        pool.install(|| plan::plan(settings, &scenario.points[0].model, &scenario.run, &watch));
    progress.finish();
    let document = plan::plan_document(&scenario.name, settings, outcome);
    let table = report::plan_table(&document, &scenario.points[0].model.time_unit);
    let figure = match &document.schedule {
        _ if presentation.no_charts => None,
        Some(schedule) => Some(chart::schedule_figure(
            &document,
            schedule,
            &scenario.points[0].model.time_unit,
        )),
        None => chart::plan_figure(&document, settings, &scenario.points[0].model.time_unit),
    };
    let json = json_text(&document)?;
    report::write_outcome(
        &out,
        policy,
        &OutcomeFiles {
            json: (plan::PLAN_FILE, &json),
            table: ("plan.txt", &table),
            scenario: &scenario.source,
            figure: figure.as_ref(),
        },
    )?;
    write_stdout(if presentation.format == PlanFormat::Json {
        &json
    } else {
        &table
    })?;
    if !presentation.quiet {
        eprintln!(
            "plan written to {} in {:.1} s",
            out.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

fn run_command(args: RunArgs) -> Result<(), AppError> {
    let file = &args.options.file;
    let scenario = if omb::is_workload(file) {
        import_workload(file, &args.service)?.scenario
    } else if args.service.service_mean_ms.is_some() {
        return Err(AppError::Usage(format!(
            "{}: --service-mean-ms is for an OMB workload (.yaml, .yml); a scenario gives its queues' `service`",
            file.display()
        )));
    } else {
        scenario::load(file)?
    };
    let measure = args.shard.map_or(Measure::InProcess, Measure::Shard);
    execute_run(scenario, args.options, measure)
}

/// `run` (and `live`, `bench`) on a loaded scenario: overrides, then
/// `shard` or theory, simulation and live or broker runs, then the results.
fn execute_run(mut scenario: Scenario, args: RunOptions, measure: Measure) -> Result<(), AppError> {
    let shard = match measure {
        Measure::Shard(id) => Some(id),
        _ => None,
    };
    if let Some(seed) = args.seed {
        scenario.run.seed = seed;
    }
    if let Some(replications) = args.replications {
        set_replications(&mut scenario, replications)?;
    }
    if scenario.run.replications > limits::MAX_REPLICATIONS {
        return Err(AppError::Usage(format!(
            "--replications may be at most {}, got {}",
            limits::MAX_REPLICATIONS,
            scenario.run.replications
        )));
    }
    let view = table_view(&args.view, args.presentation.format, &scenario)?;
    let threads = worker_threads(args.threads)?;
    let share = shard.map_or(1.0, |id| {
        let total = shard::total_units(&scenario);
        let units = shard::unit_range(total, id);
        (units.end - units.start) as f64 / total.max(1) as f64
    });
    let cost = scenario.check_cost(threads, share)?;
    if !args.presentation.quiet && cost.seconds(threads) > NOTICE_SECONDS {
        eprintln!(
            "note: about {} message visits to simulate, roughly {} on {threads} thread(s)",
            crate::text::approx(cost.visits),
            limits::duration(cost.seconds(threads))
        );
    }
    let pool = thread_pool(threads)?;
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("results").join(&scenario.name));
    if let Some(id) = shard {
        if scenario.compare.live.is_some() {
            return Err(AppError::Usage(format!(
                "{}: live runs measure wall-clock time on one machine and cannot be sharded; remove `[compare] live` for a sharded run",
                scenario.file.display()
            )));
        }
        return pool.install(|| run_shard(&scenario, id, &out, args.presentation.quiet));
    }
    let policy = results_policy(args.force);
    folder::check(&out, policy)?;
    let quiet = args.presentation.quiet;
    let progress = progress::replications(&scenario, total_replications(&scenario), quiet);
    let on_point = |index| progress.set_message(progress::point_message(&scenario, index));
    let on_replication = || progress.inc(1);
    let simulations = pool.install(|| experiment::simulate(&scenario, &on_point, &on_replication));
    progress.finish_and_clear();
    let live = scenario
        .compare
        .live
        .as_ref()
        .map(|settings| match measure {
            Measure::Broker(target) => bench_points(&scenario, settings, target, quiet),
            _ => live_points(&scenario, settings, quiet),
        })
        .transpose()?;
    let output = Output {
        dir: out,
        policy,
        presentation: &args.presentation,
        view,
    };
    publish(&scenario, &simulations, live, &output)
}

/// Every point's live blocks (see [`experiment::live_points`]), shown on a
/// progress line; a signal stops them.
fn live_points(
    scenario: &Scenario,
    settings: &LiveSettings,
    quiet: bool,
) -> Result<LivePoints, AppError> {
    let _cooperative = interrupt::Cooperative::begin();
    let runs: usize = scenario
        .points
        .iter()
        .map(|point| live::channels_for(&point.model, &settings.channels).len())
        .sum();
    let seconds = settings.seconds + settings.warmup_seconds;
    let progress = progress::LiveProgress::new(runs, seconds, quiet);
    let watch = experiment::LiveWatch {
        started: &|line| progress.start(line),
        finished: &|| progress.done(seconds),
    };
    let points = experiment::live_points(scenario, settings, &watch, interrupt::stop_flag())
        .ok_or(AppError::Interrupted)?;
    progress.finish();
    Ok(points)
}

/// Every point's blocks measured on the broker of `target` (see
/// [`experiment::bench_points`]), shown on a progress line; a signal
/// stops them.
fn bench_points(
    scenario: &Scenario,
    settings: &LiveSettings,
    target: &BrokerTarget,
    quiet: bool,
) -> Result<LivePoints, AppError> {
    let _cooperative = interrupt::Cooperative::begin();
    let seconds = settings.seconds + settings.warmup_seconds;
    let progress = progress::LiveProgress::new(scenario.points.len(), seconds, quiet);
    let watch = experiment::LiveWatch {
        started: &|line| progress.start(line),
        finished: &|| progress.done(seconds),
    };
    let points =
        experiment::bench_points(scenario, settings, target, &watch, interrupt::stop_flag())
            .map_err(|e| match e {
                bench::BenchError::NotBuilt(_) => AppError::Usage(e.to_string()),
                bench::BenchError::Broker(_) => AppError::Failure(e.to_string()),
            })?
            .ok_or(AppError::Interrupted)?;
    progress.finish();
    Ok(points)
}

/// How `run`, `live` and `merge` treat their results folder: beside the
/// user's files only when `force`; the shards of a sharded run stay as
/// they are.
fn results_policy(force: bool) -> Policy<'static> {
    Policy {
        beside_others: force,
        keep: &[shard::SHARDS_DIR],
    }
}

/// Where and how a command's results go.
struct Output<'a> {
    /// Results folder.
    dir: PathBuf,
    /// What may be found there, and what stays.
    policy: Policy<'a>,
    /// What is printed and drawn.
    presentation: &'a Presentation,
    /// What the table shows.
    view: View,
}

/// Joins theory with the simulations, writes the results folder and prints
/// the summary: the common end of `run` and `merge`.
fn publish(
    scenario: &Scenario,
    simulations: &[Option<Simulation>],
    live: Option<LivePoints>,
    output: &Output,
) -> Result<(), AppError> {
    let results = experiment::results(scenario, simulations, live);
    let presentation = output.presentation;
    // The chart data is saved either way, so `plot` can draw every chart.
    let charts = experiment::chart_inputs(scenario, simulations);
    let dir = &output.dir;
    report::write_folder(
        dir,
        output.policy,
        scenario,
        &results,
        simulations,
        (&charts, !presentation.no_charts),
    )?;
    print(&results, presentation.format, &output.view)?;
    if !presentation.quiet {
        // The table ends with the verdicts; JSON and CSV keep stdout clean.
        if presentation.format != Format::Table
            && let Some(summary) = report::verdict_summary(&results)
        {
            eprint!("{}", text::wrap(&summary, report::WIDTH, "  "));
        }
        let charts = if presentation.no_charts {
            ""
        } else {
            ", charts/"
        };
        eprintln!(
            "results written to {}: report.html, report.md, summary.csv, results.json{charts}",
            dir.display()
        );
    }
    Ok(())
}

/// Computes shard `id` of the run and writes it under `out/shards/`.
fn run_shard(scenario: &Scenario, id: ShardId, out: &Path, quiet: bool) -> Result<(), AppError> {
    if scenario.run.precision.is_some() {
        return Err(AppError::Usage(format!(
            "{}: a precision-driven run (`[run] target_precision`) decides its number of replications as results come in, so it cannot be split into shards; give `replications` instead",
            scenario.file.display()
        )));
    }
    if std::env::var(shard::FAIL_SHARD_VARIABLE).is_ok_and(|v| v.trim() == id.index.to_string()) {
        return Err(AppError::Failure(format!(
            "shard {}/{} failed on purpose ({} is set; a test switch)",
            id.index,
            id.count,
            shard::FAIL_SHARD_VARIABLE
        )));
    }
    shard::check_destination(out, id.index)?;
    let units = shard::unit_range(shard::total_units(scenario), id);
    let progress = progress::replications(scenario, units.end - units.start, quiet);
    let on_unit = || progress.inc(1);
    let file = shard::run(scenario, id, &on_unit);
    progress.finish_and_clear();
    let path = shard::write(out, &file)?;
    if !quiet {
        eprintln!(
            "shard {}/{}: units {}..{} of {} written to {}",
            id.index,
            id.count,
            units.start,
            units.end,
            file.header.total_units,
            path.display()
        );
    }
    Ok(())
}

fn merge_command(args: MergeArgs) -> Result<(), AppError> {
    if args.missing {
        let missing = shard::missing(&args.dir, args.shards)?;
        let list: Vec<String> = missing.iter().map(u32::to_string).collect();
        println!("{}", list.join(","));
        return if missing.is_empty() {
            Ok(())
        } else {
            Err(AppError::Silent(3))
        };
    }
    let (dir, policy) = match args.out {
        Some(out) if out != args.dir => (out, results_policy(args.force)),
        // Into the folder of its shards: beside whatever else is there.
        _ => (args.dir.clone(), results_policy(true)),
    };
    folder::check(&dir, policy)?;
    let merged = shard::merge(&args.dir, args.shards)?;
    let output = Output {
        dir,
        policy,
        presentation: &args.presentation,
        view: table_view(&args.view, args.presentation.format, &merged.scenario)?,
    };
    publish(&merged.scenario, &merged.simulations, None, &output)
}

/// Most worker threads `--threads` may ask for.
const MAX_THREADS: usize = 1024;

/// A run estimated to take longer than this says so before it starts.
const NOTICE_SECONDS: f64 = 60.0;

/// `--threads`, checked, or every core.
fn worker_threads(threads: Option<usize>) -> Result<usize, AppError> {
    match threads {
        None => Ok(scenario::default_threads()),
        Some(0) => Err(AppError::Usage("--threads must be at least 1".into())),
        Some(count) if count > MAX_THREADS => Err(AppError::Usage(format!(
            "--threads may be at most {MAX_THREADS}, got {count} (this machine has {} cores)",
            scenario::default_threads()
        ))),
        Some(count) => Ok(count),
    }
}

fn thread_pool(threads: usize) -> Result<rayon::ThreadPool, AppError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| AppError::Failure(format!("cannot start worker threads: {e}")))
}

/// Replications a run starts with (a precision-driven run may add more).
fn total_replications(scenario: &Scenario) -> u64 {
    scenario.points.len() as u64 * u64::from(scenario.run.replications)
}

/// The table view `args` ask for, checked: only with `--format table`,
/// and `--queue` naming a queue of `scenario` (or `system` of a network).
fn table_view(args: &TableView, format: Format, scenario: &Scenario) -> Result<View, AppError> {
    if format != Format::Table && (args.detail || !args.metrics.is_empty() || args.queue.is_some())
    {
        return Err(AppError::Usage(
            "--detail, --metric and --queue choose what the table shows; JSON and CSV always hold every metric of every queue".into(),
        ));
    }
    if let Some(queue) = &args.queue {
        let model = &scenario.points[0].model;
        let mut names: Vec<String> = crate::model::targets(model)
            .into_iter()
            .filter(|target| target.partition.is_none())
            .map(|target| results::target_names(model, target).0)
            .collect();
        names.dedup();
        if !names.contains(queue) {
            return Err(AppError::Usage(format!(
                "--queue: unknown queue `{}`; queues: {}",
                text::excerpt(queue, 100),
                names.join(", ")
            )));
        }
    }
    let thresholds = &scenario.points[0].model.within;
    if let Some(missing) = args.metrics.iter().find(|metric| match metric {
        Metric::WaitWithin(t) | Metric::SojournWithin(t) => !thresholds.contains(t),
        _ => false,
    }) {
        let listed: Vec<String> = crate::model::metric::layout(thresholds)
            .into_iter()
            .filter(|m| matches!(m, Metric::WaitWithin(_) | Metric::SojournWithin(_)))
            .map(|m| m.name())
            .collect();
        return Err(AppError::Usage(format!(
            "--metric: `{}` is not measured by this scenario; its service levels come from `[compare] within` ({})",
            missing.name(),
            if listed.is_empty() {
                "none".to_string()
            } else {
                listed.join(", ")
            }
        )));
    }
    Ok(View {
        detail: args.detail,
        metrics: args.metrics.clone(),
        queue: args.queue.clone(),
    })
}

fn print(results: &RunResults, format: Format, view: &View) -> Result<(), AppError> {
    match format {
        Format::Table => write_stdout(&report::table(results, view)),
        Format::Json => write_stdout(&json_text(results)?),
        Format::Csv => report::write_summary(std::io::stdout().lock(), results)
            .map_err(|e| AppError::Failure(e.to_string())),
    }
}

/// `value` as pretty-printed JSON, ending in a newline.
fn json_text(value: &impl serde::Serialize) -> Result<String, AppError> {
    let json = serde_json::to_string_pretty(value).map_err(|e| AppError::Failure(e.to_string()))?;
    Ok(json + "\n")
}

/// Writes `text` to stdout and flushes it (before any note on stderr).
fn write_stdout(text: &str) -> Result<(), AppError> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| AppError::Failure(format!("cannot write to stdout: {e}")))
}
