//! Progress on stderr for the long commands: replications of a run, the
//! candidates of a plan, the time left of a live run. Drawn only when
//! stderr is a terminal and not `--quiet`; it never touches stdout or a
//! result.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::scenario::Scenario;

/// A bar on stderr with `template` (hidden when `quiet`, and by indicatif
/// when stderr is not a terminal).
fn bar(length: Option<u64>, template: &str, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(length, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

/// Replications of `scenario`'s simulation: of `total` planned, or, for a
/// precision-driven run (which adds replications until the intervals are
/// narrow enough), those so far. Hidden without simulation.
pub fn replications(scenario: &Scenario, total: u64, quiet: bool) -> ProgressBar {
    let quiet = quiet || !scenario.compare.simulation;
    let bar = match scenario.run.precision {
        Some(precision) => bar(
            None,
            &format!(
                "{{msg}} [{{elapsed_precise}}] {{pos}} replications so far (precision-driven, at most {} per point)",
                precision.max_replications
            ),
            quiet,
        ),
        None => bar(
            Some(total),
            "{msg} [{elapsed_precise}] {wide_bar} {pos}/{len} replications (ETA {eta})",
            quiet,
        ),
    };
    bar.set_message(scenario.name.clone());
    bar
}

/// The message of a run's bar at sweep point `index` (0-based).
pub fn point_message(scenario: &Scenario, index: usize) -> String {
    let count = scenario.points.len();
    if count == 1 {
        scenario.name.clone()
    } else {
        format!("{} point {}/{count}", scenario.name, index + 1)
    }
}

/// A plan's candidates: how many simulation judged so far and the current
/// one (see [`PlanProgress::candidate`]).
pub struct PlanProgress {
    bar: ProgressBar,
}

impl PlanProgress {
    /// A spinner for planning `name` (hidden when `quiet`).
    pub fn new(name: &str, quiet: bool) -> PlanProgress {
        let bar = bar(None, "{spinner} plan [{elapsed_precise}] {msg}", quiet);
        bar.set_message(format!("{name}: theory"));
        if !bar.is_hidden() {
            bar.enable_steady_tick(Duration::from_millis(200));
        }
        PlanProgress { bar }
    }

    /// Simulation starts on `candidate` (in words).
    pub fn candidate(&self, candidate: &str) {
        self.bar.inc(1);
        self.bar.set_message(format!(
            "simulating candidate {}: {candidate}",
            self.bar.position()
        ));
    }

    /// Removes the spinner.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A live run's channel runs, measured in planned wall seconds.
pub struct LiveProgress {
    bar: ProgressBar,
    /// Planned wall milliseconds of all runs.
    total_ms: u64,
    /// Nothing on stderr, not even the run lines.
    quiet: bool,
}

impl LiveProgress {
    /// A bar over `runs` channel runs of `seconds` each (warm-up
    /// included), hidden when `quiet`.
    pub fn new(runs: usize, seconds: f64, quiet: bool) -> LiveProgress {
        let total_ms = (runs as f64 * seconds * 1000.0).round() as u64;
        let bar = bar(
            Some(total_ms),
            "live [{elapsed_precise}] {wide_bar} {msg}",
            quiet,
        );
        LiveProgress {
            bar,
            total_ms,
            quiet,
        }
    }

    /// The next run starts: `line` says which, and is printed above the
    /// bar with the time left (also when no bar is drawn, unless `quiet`).
    pub fn start(&self, line: &str) {
        let left_ms = self.total_ms.saturating_sub(self.bar.position());
        let left = crate::scenario::limits::duration(left_ms as f64 / 1000.0);
        if !self.quiet {
            self.bar
                .suspend(|| eprintln!("{line}; about {left} left in all"));
        }
        self.bar.set_message(format!("about {left} left"));
    }

    /// The run of `seconds` just ended.
    pub fn done(&self, seconds: f64) {
        self.bar.inc((seconds * 1000.0).round() as u64);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
