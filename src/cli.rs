//! Command-line shape (clap derive): parsing only, no logic.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::metric::Metric;
use crate::shard::ShardId;

/// queuelab: queueing theory and simulation of message queues, side by side.
///
/// Exit codes: 0 success, 2 invalid scenario or arguments, 3 shards missing
/// (merge), 4 shards that do not belong together (merge), 130 interrupted
/// (Ctrl-C; nothing written), 1 any other failure.
#[derive(Debug, Parser)]
#[command(name = "queuelab", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run theory and simulation on a scenario and write results/<name>/.
    #[command(after_help = "Examples:
  queuelab run scenarios/mm1-load-sweep.toml
  queuelab run scenarios/bounded-queue.toml --format json --threads 2 --seed 7
  queuelab run scenarios/pipeline.toml --replications 20 --out results/pipeline-20
  queuelab run scenarios/pipeline.toml --detail --queue enrich --metric mean_wait,wait_p99
  queuelab run big-sweep.toml --shard 3/64 --out results/big-sweep   # one piece, then `merge`
  queuelab run scenarios/omb-1-topic-6-partitions.yaml --service-mean-ms 8   # an OMB workload")]
    Run(RunArgs),
    /// Evaluate the formulas only (no simulation, no files written).
    #[command(after_help = "Examples:
  queuelab theory scenarios/mmc-consumers.toml
  queuelab theory scenarios/mmc-consumers.toml --detail
  queuelab theory scenarios/mm1-load-sweep.toml --format csv")]
    Theory(TheoryArgs),
    /// Validate a scenario file without running anything.
    #[command(after_help = "Example:
  queuelab check scenarios/pipeline.toml")]
    Check(FileArgs),
    /// Print a scenario with its `[[brokers]]` presets expanded into the
    /// queues they become, each key with the setting or default it came from.
    #[command(after_help = "Example:
  queuelab expand scenarios/rabbitmq-max-length.toml")]
    Expand(FileArgs),
    /// Re-draw every chart and the reports of a results folder (no simulation).
    #[command(after_help = "Example:
  queuelab plot results/disciplines")]
    Plot(PlotArgs),
    /// Overlay one metric from several results folders in one chart.
    #[command(after_help = "Example:
  queuelab compare results/ps-vs-fifo results/disciplines --metric mean_wait --queue fifo")]
    Compare(CompareArgs),
    /// Merge the shards written by `run --shard K/N` into the results of one run.
    #[command(after_help = "Examples:
  queuelab merge results/big-sweep
  queuelab merge results/big-sweep --missing          # e.g. 3,5,7 for sbatch --array=")]
    Merge(MergeArgs),
    /// Run real in-process queues beside theory, simulation and a replay
    /// (`[compare] live` settings, or defaults), and write the results.
    #[command(after_help = "Examples:
  queuelab live scenarios/live-channels.toml
  queuelab live scenarios/mm1-load-sweep.toml --seconds 5 --channels crossbeam,std-mpsc")]
    Live(LiveArgs),
    /// Drive a real broker with the scenario's producers and consumers and
    /// measure it beside theory (+ its unloaded transit), simulation and a
    /// replay; needs a build with the broker's feature (e.g. `rabbitmq`).
    #[command(after_help = "Examples:
  queuelab bench scenarios/bench-rabbitmq-prefetch1.toml
  queuelab bench scenarios/bench-rabbitmq-prefetch1.toml --seconds 30 --url amqp://guest:guest@127.0.0.1:5672/%2f
  queuelab bench scenarios/bench-nats-window1.toml --broker nats

  queuelab bench scenarios/bench-kafka-6-partitions.toml --broker kafka")]
    Bench(BenchArgs),
    /// Capacity planning (`[plan]`): the smallest consumers or capacity, or
    /// the highest load, that meets every target; theory then simulation.
    #[command(after_help = "Examples:
  queuelab plan scenarios/plan-call-centre.toml
  queuelab plan scenarios/plan-daily-schedule.toml --format json")]
    Plan(PlanArgs),
    /// Fit the distributions a scenario can use to a CSV column of observed
    /// values (or of timestamps, with --gaps), ranked by the
    /// Kolmogorov-Smirnov statistic, the best as a scenario line.
    #[command(after_help = "Examples:
  queuelab fit service-times.csv --column service_ms
  queuelab fit arrivals.csv --column timestamp --gaps")]
    Fit(FitArgs),
    /// OpenMessaging Benchmark: turn an OMB workload YAML into the
    /// equivalent scenario (OMB has no service time: give one), results
    /// into an OMB result JSON, or draw theory over an OMB result.
    #[command(after_help = "Examples:
  queuelab omb import scenarios/omb-1-topic-6-partitions.yaml --service-mean-ms 0.1
  queuelab omb import workload.yaml --service-mean-ms 2 --service-scv 0 --out omb.toml && queuelab run omb.toml
  queuelab omb result results/omb-1-topic-6-partitions-100b-3-consumers --out omb-result.json
  queuelab omb compare tests/data/omb/example-result.json --workload scenarios/omb-1-topic-1-partition.yaml --service-mean-ms 2.5")]
    Omb(OmbArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(after_help = "Install (bash, zsh, fish):
  queuelab completions bash > ~/.local/share/bash-completion/completions/queuelab
  queuelab completions zsh > \"${fpath[1]}/_queuelab\"
  queuelab completions fish > ~/.config/fish/completions/queuelab.fish")]
    Completions(CompletionsArgs),
}

/// `queuelab completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `queuelab plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Scenario file (TOML) with a `[plan]` section.
    pub file: PathBuf,
    /// Plan folder (default: results/<scenario name>-plan).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write into a non-empty --out folder that queuelab did not write,
    /// beside its files (which are never replaced or deleted).
    #[arg(long)]
    pub force: bool,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// What is printed and drawn.
    #[command(flatten)]
    pub presentation: Presentation<PlanFormat>,
}

/// Output format of `queuelab plan` on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// The candidates and the recommendation as an aligned table.
    Table,
    /// The plan.json document.
    Json,
}

/// What a command prints on stdout (in format `F`) and draws, shared by
/// `run`, `live`, `merge` and `plan`.
#[derive(Debug, Args)]
pub struct Presentation<F: ValueEnum + Clone + Send + Sync + 'static = Format> {
    /// Output format on stdout.
    #[arg(long, value_enum, default_value = "table")]
    pub format: F,
    /// Skip drawing the charts (faster); `run`, `live` and `merge` still save
    /// their data, so `queuelab plot DIR` draws every chart later.
    #[arg(long)]
    pub no_charts: bool,
    /// Print nothing but the results (no progress bar, no notes on stderr).
    #[arg(long)]
    pub quiet: bool,
}

/// Which part of the results the terminal table shows (`--format table`
/// only: JSON and CSV always hold everything).
#[derive(Debug, Default, Args)]
pub struct TableView {
    /// Every metric with its confidence interval and verdict (default: a
    /// short table of the headline metrics).
    #[arg(long)]
    pub detail: bool,
    /// Only these metrics, e.g. `--metric mean_wait,wait_p99` (repeatable).
    #[arg(long = "metric", value_name = "METRIC", value_delimiter = ',', value_parser = Metric::from_name)]
    pub metrics: Vec<Metric>,
    /// Only the rows of this queue (`system`: a network end to end).
    #[arg(long, value_name = "QUEUE")]
    pub queue: Option<String>,
}

/// `queuelab fit`.
#[derive(Debug, Args)]
pub struct FitArgs {
    /// CSV file of observed values (numbers >= 0).
    pub file: PathBuf,
    /// Column header (default: the first column).
    #[arg(long)]
    pub column: Option<String>,
    /// The column holds non-decreasing timestamps: fit the gaps between them.
    #[arg(long)]
    pub gaps: bool,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = FitFormat::Table)]
    pub format: FitFormat,
}

/// `queuelab omb`.
#[derive(Debug, Args)]
pub struct OmbArgs {
    /// What to do with OMB files.
    #[command(subcommand)]
    pub command: OmbCommand,
}

/// `queuelab omb` subcommands.
#[derive(Debug, Subcommand)]
pub enum OmbCommand {
    /// Print (or write) the scenario equivalent to an OMB workload YAML.
    Import(OmbImportArgs),
    /// Print (or write) a results folder as an OMB result JSON (OMB's
    /// `TestResult` fields; end-to-end latency = simulated sojourn).
    Result(OmbResultArgs),
    /// Compare an OMB result JSON's end-to-end latencies with the model of
    /// its workload: theory (and with --simulate, simulation) as a table,
    /// omb-compare.json and a chart on OMB's percentile axis.
    Compare(OmbCompareArgs),
}

/// The consumer's work per message that an OMB workload lacks (`omb
/// import`, `omb compare`, and `run` on a workload).
#[derive(Debug, Args)]
pub struct ServiceArgs {
    /// Mean consumer work per message in milliseconds (required for an OMB
    /// workload: OMB has no service time).
    #[arg(long, value_name = "MS")]
    pub service_mean_ms: Option<f64>,
    /// Squared coefficient of variation of that work: 0 constant, 1
    /// exponential, other values gamma.
    #[arg(long, default_value_t = 1.0, value_name = "SCV")]
    pub service_scv: f64,
}

/// `queuelab omb compare`.
#[derive(Debug, Args)]
pub struct OmbCompareArgs {
    /// OMB result file (the JSON OMB writes at the end of a test).
    pub result: PathBuf,
    /// The OMB workload file (YAML) the result was measured with.
    #[arg(long, value_name = "WORKLOAD.yaml")]
    pub workload: PathBuf,
    /// The consumer's work per message.
    #[command(flatten)]
    pub service: ServiceArgs,
    /// Simulate the model too (its mean, p50, p90 and p99 with intervals).
    #[arg(long)]
    pub simulate: bool,
    /// Replications of the simulation (default: the scenario's, 8).
    #[arg(long, requires = "simulate")]
    pub replications: Option<u32>,
    /// Folder for omb-compare.json, the table, the scenario and the chart
    /// (default: results/<scenario name>-omb-compare).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write into a non-empty --out folder that queuelab did not write,
    /// beside its files (which are never replaced or deleted).
    #[arg(long)]
    pub force: bool,
    /// Skip drawing the chart.
    #[arg(long)]
    pub no_charts: bool,
}

/// `queuelab omb result`.
#[derive(Debug, Args)]
pub struct OmbResultArgs {
    /// Results folder written by `run` (one point, simulated).
    pub dir: PathBuf,
    /// Write the document to this file instead of stdout (never over an
    /// existing file).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `queuelab omb import`.
#[derive(Debug, Args)]
pub struct OmbImportArgs {
    /// OMB workload file (YAML, as OMB's workloads/*.yaml).
    pub file: PathBuf,
    /// The consumer's work per message.
    #[command(flatten)]
    pub service: ServiceArgs,
    /// Write the scenario to this file instead of stdout (never over an
    /// existing file).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Output format of `queuelab fit` on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FitFormat {
    /// Ranked table and scenario lines.
    Table,
    /// The same as a JSON document.
    Json,
}

/// `queuelab live`.
#[derive(Debug, Args)]
pub struct LiveArgs {
    /// Everything `run` takes but `--shard` (live runs measure wall-clock
    /// time on one machine).
    #[command(flatten)]
    pub run: RunOptions,
    /// Measured wall seconds per point and channel (overrides the scenario).
    #[arg(long, value_parser = positive_seconds)]
    pub seconds: Option<f64>,
    /// Queue implementations, comma-separated (overrides the scenario):
    /// crossbeam, std-mpsc, mutex-vecdeque (FIFO), mutex-stack (LIFO),
    /// mutex-heap (priority).
    #[arg(long, value_delimiter = ',', value_enum)]
    pub channels: Option<Vec<crate::scenario::ChannelKind>>,
}

/// `queuelab bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Everything `run` takes but `--shard` (a broker run measures
    /// wall-clock time on one machine).
    #[command(flatten)]
    pub run: RunOptions,
    /// The broker to drive.
    #[arg(long, value_enum, default_value = "rabbitmq")]
    pub broker: crate::scenario::BrokerKind,
    /// The broker's address (default for RabbitMQ:
    /// amqp://guest:guest@127.0.0.1:5672/%2f; for NATS:
    /// nats://127.0.0.1:4222; for Kafka, its bootstrap servers:
    /// 127.0.0.1:9092, where `scripts/tansu.sh start` starts tansu).
    #[arg(long)]
    pub url: Option<String>,
    /// Measured wall seconds per point (overrides `[compare] live`).
    #[arg(long, value_parser = positive_seconds)]
    pub seconds: Option<f64>,
}

/// `--seconds`: a finite number of seconds > 0.
fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds > 0.0 => Ok(seconds),
        _ => Err(format!("must be a number of seconds > 0, got {text}")),
    }
}

/// Output format on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned comparison table.
    Table,
    /// The results.json document.
    Json,
    /// The summary.csv rows.
    Csv,
}

/// `queuelab run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// What `run` shares with `live`.
    #[command(flatten)]
    pub options: RunOptions,
    /// Compute only shard K of N (0 <= K < N) and write it to
    /// <out>/shards/K.json; `queuelab merge <out>` then gives the results.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<ShardId>,
    /// The consumer's work per message, when the file is an OMB workload
    /// (`.yaml`, `.yml`): it runs as `omb import` makes it.
    #[command(flatten)]
    pub service: ServiceArgs,
}

/// The options of `run` and `live`.
#[derive(Debug, Args)]
pub struct RunOptions {
    /// Scenario file (TOML); `run` also takes an OMB workload (YAML), which
    /// `queuelab omb import` turns into a scenario for `live` and `bench`.
    pub file: PathBuf,
    /// Results folder (default: results/<scenario name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write into a non-empty --out folder that queuelab did not write,
    /// beside its files (which are never replaced or deleted).
    #[arg(long)]
    pub force: bool,
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override the number of replications (1: one long run, intervals from batch means).
    #[arg(long)]
    pub replications: Option<u32>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// What is printed and drawn.
    #[command(flatten)]
    pub presentation: Presentation,
    /// What the table shows.
    #[command(flatten)]
    pub view: TableView,
}

/// `queuelab merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The folder given to `run --shard K/N --out`, holding shards/.
    pub dir: PathBuf,
    /// Results folder (default: DIR itself, shards and any other files kept).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write into a non-empty --out folder that queuelab did not write,
    /// beside its files (which are never replaced or deleted).
    #[arg(long)]
    pub force: bool,
    /// Number of shards expected (needed to list missing ones when none exists).
    #[arg(long, value_name = "N")]
    pub shards: Option<u32>,
    /// Only print the missing shard indices (e.g. `3,5,7`); exit 3 if any.
    #[arg(long)]
    pub missing: bool,
    /// What is printed and drawn.
    #[command(flatten)]
    pub presentation: Presentation,
    /// What the table shows.
    #[command(flatten)]
    pub view: TableView,
}

/// `queuelab theory`.
#[derive(Debug, Args)]
pub struct TheoryArgs {
    /// Scenario file (TOML).
    pub file: PathBuf,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// What the table shows.
    #[command(flatten)]
    pub view: TableView,
}

/// `queuelab plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// A results folder written by `queuelab run`.
    pub dir: PathBuf,
}

/// `queuelab compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Results folders written by `queuelab run`.
    #[arg(required = true, num_args = 1..)]
    pub dirs: Vec<PathBuf>,
    /// Metric to compare, e.g. mean_wait or wait_p99.
    #[arg(long)]
    pub metric: String,
    /// Queue to compare (default: the system row of a network, else the first queue).
    #[arg(long)]
    pub queue: Option<String>,
    /// Output folder (default: results/compare-<metric>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write into a non-empty --out folder that queuelab did not write,
    /// beside its files (which are never replaced or deleted).
    #[arg(long)]
    pub force: bool,
}

/// `queuelab check` and `queuelab expand`: one scenario file.
#[derive(Debug, Args)]
pub struct FileArgs {
    /// Scenario file (TOML).
    pub file: PathBuf,
}
