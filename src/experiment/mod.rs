//! The experiment: each sweep point of a scenario answered by theory, the
//! simulation and (when asked) live runs replayed through the simulator,
//! joined into the [`RunResults`]. The CLI, `plan`, `shard` and library
//! users run points through here; `report` and `chart` only write what it
//! returns.
//!
//! ```no_run
//! let scenario = queuelab::scenario::load(std::path::Path::new("scenarios/mm1.toml"))?;
//! let results = queuelab::experiment::run(&scenario, &std::sync::atomic::AtomicBool::new(false))
//!     .expect("nothing sets the stop flag");
//! println!("{} points", results.points.len());
//! # Ok::<(), queuelab::scenario::ScenarioError>(())
//! ```

mod chart_data;
mod curves;
mod describe;
mod heavy_tail;
mod join;
mod live;
mod relations;

use std::sync::atomic::AtomicBool;

pub use chart_data::{chart_inputs, detail_point, distribution_data, warmup_data};
pub use curves::theory_curves;
pub use describe::describe_model;
pub use heavy_tail::{UNSEEN_SHARE_LIMIT, heavy_tail_block};
pub use join::{point_results, run_results};
pub use live::{
    LiveContext, LiveWatch, OVERHEAD_TOLERANCE, THEORY_RELATIVE_SLACK, THEORY_STANDARD_ERRORS,
    bench_points, live_block, live_points, replay_batches,
};
pub use relations::{queue_relations, relations};

use crate::model::profile;
use crate::results::{LiveBlock, PointResults, RunResults};
use crate::scenario::{Scenario, SweepPoint};
use crate::sim::{self, Simulation};
use crate::theory::PointTheory;

/// Live blocks of every point: per point, per result row (in
/// [`crate::live::rows`] order), one block per channel.
pub type LivePoints = Vec<Vec<Vec<LiveBlock>>>;

/// Formula rows of `point`, unless the scenario turned theory off.
pub fn theory(scenario: &Scenario, point: &SweepPoint) -> PointTheory {
    if scenario.compare.theory {
        let spans = profile::run_spans(&point.model, scenario.run.length);
        PointTheory::evaluate(&point.model, &spans)
    } else {
        PointTheory::default()
    }
}

/// The simulation of every point, in point order (none when the scenario
/// does not simulate); `on_point` is told each point's index before it is
/// simulated, `on_replication` each finished replication.
pub fn simulate(
    scenario: &Scenario,
    on_point: &dyn Fn(usize),
    on_replication: &(dyn Fn() + Sync),
) -> Vec<Option<Simulation>> {
    scenario
        .points
        .iter()
        .enumerate()
        .map(|(index, point)| {
            on_point(index);
            scenario
                .compare
                .simulation
                .then(|| sim::replicate(&point.model, &scenario.run, on_replication))
        })
        .collect()
}

/// One sweep point on its own: its theory and (when the scenario simulates)
/// its simulation, joined. Without the paired change from the previous
/// point, which needs that point simulated too (see [`results`]).
pub fn run_point(scenario: &Scenario, index: usize) -> PointResults {
    let point = &scenario.points[index];
    let simulation = scenario
        .compare
        .simulation
        .then(|| sim::replicate(&point.model, &scenario.run, &|| {}));
    point_results(
        point,
        &theory(scenario, point),
        simulation.as_ref(),
        None,
        &scenario.run,
    )
}

/// The whole scenario, as `queuelab run` computes it: theory, simulation
/// and the live runs the scenario asks for, joined. `None` when `stop` was
/// set before the live runs finished.
pub fn run(scenario: &Scenario, stop: &AtomicBool) -> Option<RunResults> {
    let simulations = simulate(scenario, &|_| {}, &|| {});
    let live = match &scenario.compare.live {
        Some(settings) => {
            let watch = LiveWatch {
                started: &|_| {},
                finished: &|| {},
            };
            Some(live_points(scenario, settings, &watch, stop)?)
        }
        None => None,
    };
    Some(results(scenario, &simulations, live))
}

/// Theory joined with `simulations` (one per point, in point order) and
/// the `live` blocks, when there are, into the results document.
pub fn results(
    scenario: &Scenario,
    simulations: &[Option<Simulation>],
    live: Option<LivePoints>,
) -> RunResults {
    let mut points: Vec<PointResults> = scenario
        .points
        .iter()
        .enumerate()
        .map(|(index, point)| {
            let previous = index.checked_sub(1).and_then(|i| simulations[i].as_ref());
            point_results(
                point,
                &theory(scenario, point),
                simulations[index].as_ref(),
                previous,
                &scenario.run,
            )
        })
        .collect();
    for (point, rows) in points.iter_mut().zip(live.into_iter().flatten()) {
        // Live runs measure every result row, in `live::rows` order.
        for (row, blocks) in point.results.iter_mut().zip(rows) {
            row.live = Some(blocks);
        }
    }
    run_results(scenario, points)
}
