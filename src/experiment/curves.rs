//! Theory as a smooth curve across a sweep over one numeric parameter: the
//! formulas evaluated on a fine grid of the swept range (the simulated
//! points among them), not only joined between the few simulated points.
//! Saved beside the results so `plot` redraws the curve without the
//! scenario; results.json keeps the theory of the swept points only.

use std::collections::BTreeMap;

use crate::model::metric::Metric;
use crate::model::targets;
use crate::results::{CurveRow, TheoryCurves, target_labels};
use crate::scenario::Scenario;
use crate::theory::evaluate;

/// Steps of the grid across the swept range (the grid has one more value,
/// and the swept values besides).
const GRID_STEPS: usize = 100;

/// Theory on a fine grid when `scenario` sweeps one numeric parameter over
/// at least two points and evaluates formulas; `None` otherwise.
pub fn theory_curves(scenario: &Scenario) -> Option<TheoryCurves> {
    if !scenario.compare.theory || scenario.points.len() < 2 {
        return None;
    }
    let parameter = match scenario.points[0].parameters.as_slice() {
        [(name, _)] => name.clone(),
        _ => return None,
    };
    let swept = scenario
        .points
        .iter()
        .map(|p| match p.parameters.as_slice() {
            [(name, value)] if *name == parameter => Some(value),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    let grid = grid(&swept)?;
    let models = scenario.models_at(&parameter, &grid);
    let first = &scenario.points[0].model;
    let row_targets = targets(first);
    let theory: Vec<_> = models
        .iter()
        .map(|model| model.as_ref().map(evaluate).unwrap_or_default())
        .collect();
    let rows = row_targets
        .into_iter()
        .map(|target| {
            let (queue, class) = target_labels(first, target);
            let results: Vec<_> = theory
                .iter()
                .map(|rows| rows.iter().find(|(t, _)| *t == target).map(|(_, r)| r))
                .collect();
            let mut metrics: BTreeMap<Metric, Vec<Option<f64>>> = BTreeMap::new();
            for (index, result) in results.iter().enumerate() {
                for (&metric, &value) in result.iter().flat_map(|r| &r.metrics) {
                    metrics
                        .entry(metric)
                        .or_insert_with(|| vec![None; grid.len()])[index] = Some(value);
                }
            }
            CurveRow {
                queue,
                class,
                exact: results.iter().map(|r| r.map(|r| r.exact)).collect(),
                metrics,
            }
        })
        .collect();
    Some(TheoryCurves {
        parameter,
        values: grid.iter().filter_map(number).collect(),
        rows,
    })
}

fn number(value: &toml::Value) -> Option<f64> {
    value
        .as_float()
        .or_else(|| value.as_integer().map(|i| i as f64))
}

/// The grid across the swept values: every whole number between them when
/// they are all whole (counts such as consumers take no other values), at
/// most [`GRID_STEPS`] + 1 of them; otherwise [`GRID_STEPS`] equal steps.
/// The swept values themselves are always on it, so the curve passes
/// through the theory of each simulated point. `None` for names.
fn grid(swept: &[&serde_json::Value]) -> Option<Vec<toml::Value>> {
    let whole: Option<Vec<i64>> = swept.iter().map(|v| v.as_i64()).collect();
    if let Some(whole) = whole {
        let (low, high) = (*whole.iter().min()?, *whole.iter().max()?);
        let span = u64::try_from(high.checked_sub(low)?).ok()?;
        let step = span.div_ceil(GRID_STEPS as u64).max(1);
        let mut values: Vec<i64> = (0..=span / step)
            .map(|k| low + (k * step) as i64)
            .chain(whole)
            .collect();
        values.sort_unstable();
        values.dedup();
        return Some(values.into_iter().map(toml::Value::Integer).collect());
    }
    let floats: Vec<f64> = swept
        .iter()
        .map(|v| v.as_f64().filter(|x| x.is_finite()))
        .collect::<Option<_>>()?;
    let (low, high) = floats
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &x| {
            (l.min(x), h.max(x))
        });
    // Steps that land (up to rounding) on a swept value give way to it.
    let near_swept = |x: f64| floats.iter().any(|&s| (x - s).abs() <= 1e-9 * (high - low));
    let steps: Vec<f64> = (1..GRID_STEPS)
        .map(|k| low + (high - low) * k as f64 / GRID_STEPS as f64)
        .filter(|&x| !near_swept(x))
        .collect();
    let mut values: Vec<f64> = steps.into_iter().chain(floats.iter().copied()).collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    Some(values.into_iter().map(toml::Value::Float).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(grid: &[toml::Value]) -> Vec<f64> {
        grid.iter().filter_map(number).collect()
    }

    #[test]
    fn the_grid_is_fine_and_holds_every_swept_value() {
        let swept: Vec<serde_json::Value> = [0.3, 0.55, 0.9].map(Into::into).to_vec();
        let grid = grid(&swept.iter().collect::<Vec<_>>()).unwrap();
        let xs = values(&grid);
        assert!(xs.len() >= 101, "{}", xs.len());
        assert!(xs.windows(2).all(|w| w[0] < w[1]));
        for x in [0.3, 0.55, 0.9] {
            assert!(xs.contains(&x), "{x} missing");
        }
        assert_eq!((xs[0], xs[xs.len() - 1]), (0.3, 0.9));
    }

    #[test]
    fn whole_numbers_give_every_whole_number_between() {
        let swept: Vec<serde_json::Value> = [3, 5, 8].map(Into::into).to_vec();
        let whole = grid(&swept.iter().collect::<Vec<_>>()).unwrap();
        assert!(whole.iter().all(toml::Value::is_integer));
        assert_eq!(values(&whole), [3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
        let wide: Vec<serde_json::Value> = [1, 777, 1000].map(Into::into).to_vec();
        let xs = values(&grid(&wide.iter().collect::<Vec<_>>()).unwrap());
        assert!(xs.len() <= GRID_STEPS + 4 && xs.contains(&777.0), "{xs:?}");
        let names: Vec<serde_json::Value> = ["fifo", "lifo"].map(Into::into).to_vec();
        assert!(grid(&names.iter().collect::<Vec<_>>()).is_none());
    }
}
