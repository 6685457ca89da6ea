//! Sweep expansion: one model per point, over one parameter (`load`, or
//! `parameter` with `values`) or several (`grid`: every combination; `zip`:
//! values taken together). Parameters are `load` or dotted model keys
//! (numbers, or names such as a discipline).

use std::path::Path;

use super::error::Problem;
use super::spec::{ScenarioSpec, SweepSpec};
use super::{SweepPoint, validate};
use crate::model::Model;
use crate::text::Num;

/// The swept parameter that rescales the producers' rates.
const LOAD: &str = "load";

/// One point's parameter values, in the order the file lists them.
type Assignment = Vec<(String, toml::Value)>;

/// The sweep's points as parameter assignments, and the key errors name.
pub fn assignments(sweep: &SweepSpec) -> Result<(&'static str, Vec<Assignment>), Problem> {
    let axes: Vec<(String, Vec<toml::Value>)>;
    let key = match (
        &sweep.load,
        &sweep.parameter,
        &sweep.values,
        &sweep.grid,
        &sweep.zip,
    ) {
        (Some(loads), None, None, None, None) => {
            let values = loads.iter().map(|&l| toml::Value::Float(l)).collect();
            axes = vec![(LOAD.to_string(), values)];
            "sweep.load"
        }
        (None, Some(parameter), Some(values), None, None) => {
            axes = vec![(parameter.clone(), values.clone())];
            "sweep.values"
        }
        (None, None, None, Some(swept), None) | (None, None, None, None, Some(swept)) => {
            axes = swept
                .iter()
                .map(|s| (s.parameter.clone(), s.values.clone()))
                .collect();
            if sweep.grid.is_some() {
                "sweep.grid"
            } else {
                "sweep.zip"
            }
        }
        _ => {
            return Err(Problem::new(
                "sweep",
                "give one of `load = [...]`; `parameter = \"...\"` with `values = [...]`; `grid = [{ parameter, values }, ...]` (every combination); or `zip = [{ parameter, values }, ...]` (values taken together)",
            ));
        }
    };
    check_axes(key, &axes)?;
    let points = if key == "sweep.zip" {
        let length = axes[0].1.len();
        if let Some((parameter, values)) = axes.iter().find(|(_, v)| v.len() != length) {
            return Err(Problem::new(
                key,
                format!(
                    "zipped parameters take their values together, so each needs as many: `{}` has {length}, `{parameter}` has {}",
                    axes[0].0,
                    values.len()
                ),
            ));
        }
        (0..length)
            .map(|i| {
                axes.iter()
                    .map(|(p, v)| (p.clone(), v[i].clone()))
                    .collect()
            })
            .collect()
    } else {
        let total = axes.iter().map(|(_, v)| v.len()).product::<usize>();
        if total > super::limits::MAX_SWEEP_POINTS {
            return Err(super::limits::too_many_points(key, total));
        }
        // Row-major: the first parameter changes slowest.
        axes.iter().fold(
            vec![Vec::new()],
            |points: Vec<Assignment>, (parameter, values)| {
                points
                    .iter()
                    .flat_map(|point| {
                        values.iter().map(move |value| {
                            let mut next = point.clone();
                            next.push((parameter.clone(), value.clone()));
                            next
                        })
                    })
                    .collect()
            },
        )
    };
    Ok((key, points))
}

/// How many points the sweep has, counted without building them.
pub fn point_count(sweep: &SweepSpec) -> (&'static str, usize) {
    let size = |swept: &[super::spec::SweptSpec], product: bool| {
        let lengths = swept.iter().map(|s| s.values.len());
        if product {
            lengths.product()
        } else {
            lengths.max().unwrap_or(0)
        }
    };
    match (&sweep.load, &sweep.values, &sweep.grid, &sweep.zip) {
        (Some(loads), ..) => ("sweep.load", loads.len()),
        (None, Some(values), ..) => ("sweep.values", values.len()),
        (None, None, Some(grid), _) => ("sweep.grid", size(grid, true)),
        (None, None, None, Some(zip)) => ("sweep.zip", size(zip, false)),
        _ => ("sweep", 0),
    }
}

/// Each parameter is `load` or a model key, named once, with values.
fn check_axes(key: &'static str, axes: &[(String, Vec<toml::Value>)]) -> Result<(), Problem> {
    if axes.is_empty() {
        return Err(Problem::new(key, "give at least one parameter"));
    }
    for (index, (parameter, values)) in axes.iter().enumerate() {
        let model_key = ["queues.", "producers.", "classes.", "brokers."]
            .iter()
            .any(|prefix| parameter.starts_with(prefix));
        if parameter != LOAD && !model_key {
            return Err(Problem::new(
                if key == "sweep.values" {
                    "sweep.parameter"
                } else {
                    key
                },
                format!(
                    "`{parameter}` cannot be swept: only `load` and model keys under `queues.`, `producers.`, `classes.` or `brokers.` vary between points (run settings are shared)"
                ),
            ));
        }
        if axes[..index]
            .iter()
            .any(|(earlier, _)| earlier == parameter)
        {
            return Err(Problem::new(key, format!("`{parameter}` is swept twice")));
        }
        if values.is_empty() {
            let what = if parameter == LOAD { "load" } else { "value" };
            return Err(Problem::new(
                key,
                format!("give at least one {what} for `{parameter}`"),
            ));
        }
        if let Some(bad) = values
            .iter()
            .find(|v| !(v.is_integer() || v.is_float() || v.is_str()))
        {
            return Err(Problem::new(
                key,
                format!("values must be numbers (or names, e.g. disciplines), got {bad}"),
            ));
        }
    }
    Ok(())
}

/// The model of every point: the file's document with the point's model
/// keys set, validated, then rescaled to the point's `load` if it has one.
pub fn expand(
    source: &str,
    base: &Model,
    base_dir: &Path,
    sweep: &SweepSpec,
) -> Result<(&'static str, Vec<SweepPoint>), Problem> {
    let (key, assignments) = assignments(sweep)?;
    let document: Option<toml::Table> = assignments
        .iter()
        .any(|a| a.iter().any(|(p, _)| p != LOAD))
        .then(|| source.parse())
        .transpose()
        .map_err(|e: toml::de::Error| Problem::new("sweep", e.to_string()))?;
    let points = assignments
        .into_iter()
        .map(|assignment| {
            let model = point_model(document.as_ref(), base, base_dir, key, &assignment)?;
            let parameters = assignment
                .iter()
                .map(|(p, v)| (p.clone(), json_value(v)))
                .collect();
            Ok(SweepPoint { parameters, model })
        })
        .collect::<Result<Vec<_>, Problem>>()?;
    Ok((key, points))
}

/// The model at `assignment`: the file's `document` with the assignment's
/// model keys set, validated (or `base` when it sets none), then rescaled
/// to its `load` if it has one. `key` names the sweep in errors.
fn point_model(
    document: Option<&toml::Table>,
    base: &Model,
    base_dir: &Path,
    key: &'static str,
    assignment: &Assignment,
) -> Result<Model, Problem> {
    let edits: Vec<&(String, toml::Value)> = assignment.iter().filter(|(p, _)| p != LOAD).collect();
    let label = assignment
        .iter()
        .map(|(p, v)| format!("`{p}` = {v}"))
        .collect::<Vec<_>>()
        .join(", ");
    let model = match document {
        Some(document) if !edits.is_empty() => {
            let point_spec = spec_with(document, &edits, key)?;
            validate::model(&point_spec, base_dir)
                .map_err(|p| Problem::new(p.key, format!("with {label}: {}", p.message)))?
        }
        _ => base.clone(),
    };
    match assignment.iter().find(|(p, _)| p == LOAD) {
        None => Ok(model),
        Some((_, value)) => {
            let load = value
                .as_float()
                .or_else(|| value.as_integer().map(|i| i as f64));
            load.and_then(|load| model.with_load(load)).ok_or_else(|| {
                Problem::new(
                    key,
                    format!(
                        "every load must be a finite number > 0, got {}",
                        load.map_or_else(|| value.to_string(), |l| Num(l).to_string())
                    ),
                )
            })
        }
    }
}

/// The model of a one-parameter sweep of the scenario `source` (from a
/// file in `base_dir`) at each of `values` of `parameter`, built exactly
/// as a sweep point is; `None` where a value gives no valid model. Charts
/// evaluate theory between the simulated points with it.
pub fn models_at(
    source: &str,
    base_dir: &Path,
    parameter: &str,
    values: &[toml::Value],
) -> Vec<Option<Model>> {
    let built = || -> Option<(ScenarioSpec, Option<toml::Table>)> {
        let spec: ScenarioSpec = toml::from_str(source).ok()?;
        let document = (parameter != LOAD)
            .then(|| source.parse::<toml::Table>().ok())
            .flatten();
        Some((spec, document))
    };
    let Some((spec, document)) = built() else {
        return vec![None; values.len()];
    };
    let Ok(base) = validate::model(&spec, base_dir) else {
        return vec![None; values.len()];
    };
    values
        .iter()
        .map(|value| {
            let assignment = vec![(parameter.to_string(), value.clone())];
            point_model(document.as_ref(), &base, base_dir, "sweep", &assignment).ok()
        })
        .collect()
}

/// A swept value as the results show it.
fn json_value(value: &toml::Value) -> serde_json::Value {
    value
        .as_integer()
        .map(serde_json::Value::from)
        .or_else(|| value.as_float().map(serde_json::Value::from))
        .or_else(|| value.as_str().map(serde_json::Value::from))
        .unwrap_or(serde_json::Value::Null)
}

/// A copy of `document` with each dotted parameter of `edits` set to its
/// value, deserialised. Array-of-table elements are named by their `name`
/// key, as in `queues.orders.consumers`, or a route by its `to`, as in
/// `queues.orders.next.audit.p`.
fn spec_with(
    document: &toml::Table,
    edits: &[&(String, toml::Value)],
    key: &'static str,
) -> Result<ScenarioSpec, Problem> {
    let mut edited = document.clone();
    for (parameter, value) in edits {
        set(&mut edited, parameter, value.clone())?;
    }
    toml::Value::Table(edited)
        .try_into()
        .map_err(|e: toml::de::Error| {
            let label = edits
                .iter()
                .map(|(p, v)| format!("`{p}` = {v}"))
                .collect::<Vec<_>>()
                .join(", ");
            Problem::new(key, format!("with {label}: {}", e.message()))
        })
}

/// Sets the dotted `parameter` of `table` to `value` (see [`spec_with`]).
pub fn set(table: &mut toml::Table, parameter: &str, value: toml::Value) -> Result<(), Problem> {
    let not_found = |detail: String| {
        Problem::new(
            "sweep.parameter",
            format!(
                "cannot set `{parameter}`: {detail}; use a dotted key such as `queues.<name>.consumers`"
            ),
        )
    };
    let segments: Vec<&str> = parameter.split('.').collect();
    let (last, parents) = segments
        .split_last()
        .ok_or_else(|| not_found("empty key".into()))?;
    let mut current = table;
    let mut segments = parents.iter();
    while let Some(segment) = segments.next() {
        let entry = current
            .get_mut(*segment)
            .ok_or_else(|| not_found(format!("there is no `{segment}`")))?;
        current = match entry {
            toml::Value::Table(inner) => inner,
            toml::Value::Array(elements) => {
                let name = segments
                    .next()
                    .ok_or_else(|| not_found(format!("name an element of `{segment}`")))?;
                let key = if elements.iter().any(|e| e.get("name").is_some()) {
                    "name"
                } else {
                    "to"
                };
                elements
                    .iter_mut()
                    .filter_map(|element| element.as_table_mut())
                    .find(|t| t.get(key).and_then(|n| n.as_str()) == Some(*name))
                    .ok_or_else(|| not_found(format!("no `{segment}` element named \"{name}\"")))?
            }
            _ => return Err(not_found(format!("`{segment}` is not a table"))),
        };
    }
    let numeric = |v: &toml::Value| v.is_integer() || v.is_float();
    match current.get(*last) {
        Some(old) if numeric(old) != numeric(&value) => Err(not_found(format!(
            "`{last}` is {} but the value {value} is not",
            if numeric(old) { "a number" } else { "text" }
        ))),
        _ => {
            current.insert((*last).to_string(), value);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sweep(text: &str) -> SweepSpec {
        toml::from_str(text).unwrap()
    }

    fn labels(sweep: &SweepSpec) -> Vec<String> {
        let (_, points) = assignments(sweep).unwrap();
        points
            .iter()
            .map(|point| {
                let parts: Vec<String> = point.iter().map(|(p, v)| format!("{p}={v}")).collect();
                parts.join(" ")
            })
            .collect()
    }

    #[test]
    fn a_grid_takes_every_combination_first_parameter_slowest() {
        let grid = sweep(
            r#"grid = [{ parameter = "queues.q.consumers", values = [1, 2] },
                       { parameter = "load", values = [0.5, 0.8, 0.9] }]"#,
        );
        assert_eq!(
            labels(&grid),
            [
                "queues.q.consumers=1 load=0.5",
                "queues.q.consumers=1 load=0.8",
                "queues.q.consumers=1 load=0.9",
                "queues.q.consumers=2 load=0.5",
                "queues.q.consumers=2 load=0.8",
                "queues.q.consumers=2 load=0.9",
            ]
        );
        assert_eq!(point_count(&grid), ("sweep.grid", 6));
    }

    #[test]
    fn a_zip_takes_values_together() {
        let zip = sweep(
            r#"zip = [{ parameter = "queues.q.consumers", values = [1, 2] },
                      { parameter = "producers.p.interarrival.rate", values = [0.5, 1.5] }]"#,
        );
        assert_eq!(
            labels(&zip),
            [
                "queues.q.consumers=1 producers.p.interarrival.rate=0.5",
                "queues.q.consumers=2 producers.p.interarrival.rate=1.5",
            ]
        );
    }

    #[test]
    fn entries_are_named_by_name_and_routes_by_to() {
        let mut document: toml::Table = r#"
            [[queues]]
            name = "orders"
            next = [{ p = 0.1, to = "audit" }, { p = 0.2, to = "retry" }]
        "#
        .parse()
        .unwrap();
        set(
            &mut document,
            "queues.orders.next.retry.p",
            toml::Value::Float(0.3),
        )
        .unwrap();
        let next = document["queues"][0]["next"].as_array().unwrap();
        assert_eq!(next[0]["p"].as_float(), Some(0.1));
        assert_eq!(next[1]["p"].as_float(), Some(0.3));
        let error = set(
            &mut document,
            "queues.orders.next.dlt.p",
            toml::Value::Float(0.3),
        );
        assert!(
            error
                .unwrap_err()
                .message
                .contains("no `next` element named \"dlt\"")
        );
    }

    #[test]
    fn bad_sweeps_name_the_problem() {
        let cases = [
            (
                r#"zip = [{ parameter = "load", values = [0.5] }, { parameter = "queues.q.consumers", values = [1, 2] }]"#,
                "as many",
            ),
            (
                r#"grid = [{ parameter = "load", values = [0.5] }, { parameter = "load", values = [0.8] }]"#,
                "swept twice",
            ),
            (
                r#"grid = [{ parameter = "run.seed", values = [1] }]"#,
                "cannot be swept",
            ),
            (
                r#"grid = [{ parameter = "load", values = [] }]"#,
                "at least one load",
            ),
            (r#"grid = []"#, "at least one parameter"),
            (
                r#"load = [0.5]
                grid = [{ parameter = "load", values = [0.5] }]"#,
                "give one of",
            ),
        ];
        for (text, words) in cases {
            let error = assignments(&sweep(text)).unwrap_err();
            assert!(error.message.contains(words), "{text}: {error}");
        }
        let values: Vec<String> = (0..200).map(|i| i.to_string()).collect();
        let huge = sweep(&format!(
            r#"grid = [{{ parameter = "queues.q.consumers", values = [{0}] }},
                       {{ parameter = "queues.q.capacity", values = [{0}] }}]"#,
            values.join(", ")
        ));
        assert!(
            assignments(&huge)
                .unwrap_err()
                .message
                .contains("at most 10000 points")
        );
    }
}
