//! `queuelab expand`: a scenario with its `[[brokers]]` written out as the
//! `[[queues]]` they become. A sweep over broker settings is rewritten over
//! the queue keys those settings change, point by point, so the printed
//! file runs as the original does; one that cannot be written so is
//! printed with a comment at the top saying why and what to run instead.

use std::path::Path;

use super::error::{Problem, ScenarioError};
use super::preset::{self, Expansion};
use super::spec::{ScenarioSpec, SweepSpec};
use super::{Scenario, locate, sweep};

/// A key and its value at every point of a sweep.
type Axis = (String, Vec<toml::Value>);

/// The scenario's text with each `[[brokers]]` entry commented out and the
/// `[[queues]]` entries it expands into appended, any sweep over broker
/// settings rewritten over the expanded keys; `None` when the file has no
/// brokers (nothing to expand).
pub fn expanded_source(scenario: &Scenario) -> Result<Option<String>, ScenarioError> {
    let invalid = |problem: Problem| ScenarioError::Invalid {
        file: scenario.file.clone(),
        line: locate::line_of(&scenario.source, &problem.key),
        problem,
    };
    let spec: ScenarioSpec =
        toml::from_str(&scenario.source).map_err(|e| ScenarioError::Syntax {
            file: scenario.file.clone(),
            message: e.to_string().trim_end().to_string(),
        })?;
    if spec.brokers.is_empty() {
        return Ok(None);
    }
    let expansions = preset::expand(&spec.brokers, &spec.time_unit).map_err(invalid)?;
    let Some(broker_sweep) = spec.sweep.as_ref().filter(|s| sweeps_brokers(s)) else {
        return Ok(Some(preset::expanded_text(
            &scenario.source,
            &expansions,
            None,
        )));
    };
    let rewritten = queue_sweep(&scenario.source, broker_sweep, &expansions).and_then(|axes| {
        let text = preset::expanded_text(
            &scenario.source,
            &expansions,
            Some(&sweep_text(broker_sweep, &axes)),
        );
        runs_as(scenario, &text).map(|()| text)
    });
    Ok(Some(rewritten.unwrap_or_else(|reason| {
        cannot_run_note(&scenario.file, &reason)
            + &preset::expanded_text(&scenario.source, &expansions, None)
    })))
}

/// Whether any of the sweep's parameters is a broker setting.
fn sweeps_brokers(sweep: &SweepSpec) -> bool {
    let broker = |p: &String| p.starts_with("brokers.");
    sweep.parameter.as_ref().is_some_and(broker)
        || [&sweep.grid, &sweep.zip]
            .into_iter()
            .flatten()
            .flatten()
            .any(|s| broker(&s.parameter))
}

/// The sweep over queue keys that gives the same points: the original's
/// other parameters, with every expanded key whose value at some point
/// differs from the file's own where the first broker setting stood, each
/// with its value at every point; or why there is none.
fn queue_sweep(source: &str, swept: &SweepSpec, base: &[Expansion]) -> Result<Vec<Axis>, String> {
    let (_, assignments) = sweep::assignments(swept).map_err(|p| p.message)?;
    let document: toml::Table = source.parse().map_err(|e| format!("{e}"))?;
    let base_leaves = leaves(base)?;
    let mut axes: Vec<Axis> = Vec::new();
    let mut derived: Vec<Axis> = Vec::new();
    let mut per_point = Vec::with_capacity(assignments.len());
    for (index, assignment) in assignments.iter().enumerate() {
        let mut edited = document.clone();
        for (parameter, value) in assignment {
            if parameter.starts_with("brokers.") {
                sweep::set(&mut edited, parameter, value.clone()).map_err(|p| p.message)?;
            } else if let Some((_, values)) = axes.iter_mut().find(|(p, _)| p == parameter) {
                values.push(value.clone());
            } else {
                axes.push((parameter.clone(), vec![value.clone()]));
            }
        }
        let spec: ScenarioSpec = toml::Value::Table(edited)
            .try_into()
            .map_err(|e: toml::de::Error| e.message().to_string())?;
        let point = preset::expand(&spec.brokers, &spec.time_unit).map_err(|p| p.message)?;
        let point_leaves = leaves(&point)?;
        let same_keys = point_leaves.len() == base_leaves.len()
            && point_leaves
                .iter()
                .zip(&base_leaves)
                .all(|((a, _), (b, _))| a == b);
        if !same_keys {
            return Err(format!(
                "point {} expands into other queues or keys than the file's own settings do",
                index + 1
            ));
        }
        per_point.push(point_leaves);
    }
    for (leaf, (path, own)) in base_leaves.iter().enumerate() {
        let values: Vec<toml::Value> = per_point.iter().map(|p| p[leaf].1.clone()).collect();
        if values.iter().all(|value| value == own) {
            continue;
        }
        let numeric = |v: &toml::Value| v.is_integer() || v.is_float();
        if let Some(bad) = values
            .iter()
            .find(|v| !(numeric(v) || v.is_str()) || numeric(v) != numeric(own))
        {
            return Err(format!(
                "`{path}` takes the value {bad}, which a sweep cannot set in place of {own}"
            ));
        }
        derived.push((path.clone(), values));
    }
    if derived.is_empty() {
        return Err("every point expands into the same queues (the swept settings change nothing the model captures)".into());
    }
    // The expanded keys stand where the first broker setting stood.
    let at = assignments[0]
        .iter()
        .position(|(p, _)| p.starts_with("brokers."))
        .unwrap_or(0);
    axes.splice(at..at, derived);
    Ok(axes)
}

/// Every scalar key of the expanded queues as a dotted sweep key
/// (`queues.orders.service.mean`, route entries named by their `to`), with
/// its value, in order.
fn leaves(expansions: &[Expansion]) -> Result<Vec<(String, toml::Value)>, String> {
    let mut found = Vec::new();
    for expansion in expansions {
        for derived in &expansion.keys {
            let path = format!("queues.{}.{}", expansion.name, derived.key);
            push_leaves(path, &derived.value, &mut found)?;
        }
    }
    Ok(found)
}

fn push_leaves(
    path: String,
    value: &toml::Value,
    found: &mut Vec<(String, toml::Value)>,
) -> Result<(), String> {
    match value {
        toml::Value::Table(table) => {
            for (key, inner) in table {
                push_leaves(format!("{path}.{key}"), inner, found)?;
            }
        }
        toml::Value::Array(items) if items.iter().all(toml::Value::is_table) => {
            for item in items {
                let label = ["name", "to"]
                    .iter()
                    .find_map(|k| item.get(*k).and_then(toml::Value::as_str))
                    .ok_or_else(|| format!("an entry of `{path}` has no `name` or `to`"))?;
                push_leaves(format!("{path}.{label}"), item, found)?;
            }
        }
        other => found.push((path, other.clone())),
    }
    Ok(())
}

/// The `[sweep]` table over `axes`: one `parameter` with `values` when the
/// original was one and so is the rewrite, else a `zip`.
fn sweep_text(original: &SweepSpec, axes: &[Axis]) -> String {
    let list = |values: &[toml::Value]| {
        let items: Vec<String> = values.iter().map(toml::Value::to_string).collect();
        format!("[{}]", items.join(", "))
    };
    let mut text = String::from("[sweep]\n");
    match axes {
        [(parameter, values)] if original.parameter.is_some() => {
            text.push_str(&format!(
                "parameter = \"{parameter}\"\nvalues = {}\n",
                list(values)
            ));
        }
        _ => {
            text.push_str("zip = [\n");
            for (parameter, values) in axes {
                text.push_str(&format!(
                    "  {{ parameter = \"{parameter}\", values = {} }},\n",
                    list(values)
                ));
            }
            text.push_str("]\n");
        }
    }
    text
}

/// Whether `text`, read as `scenario`'s file, has the same points: the
/// same model at each.
fn runs_as(scenario: &Scenario, text: &str) -> Result<(), String> {
    let expanded = super::parse(&scenario.file, text.to_string()).map_err(|e| e.to_string())?;
    let same = expanded.points.len() == scenario.points.len()
        && expanded
            .points
            .iter()
            .zip(&scenario.points)
            .all(|(a, b)| format!("{:?}", a.model) == format!("{:?}", b.model));
    if same {
        Ok(())
    } else {
        Err("the rewritten sweep does not give the same model at every point".into())
    }
}

/// The comment that heads an expansion whose broker sweep could not be
/// rewritten: it does not run as printed, why, and what to run instead.
fn cannot_run_note(file: &Path, reason: &str) -> String {
    format!(
        "# NOTE: this expansion does NOT run as printed. Its [sweep] varies broker\n# settings, which one sweep over the expanded queue keys cannot write:\n# {}.\n# Run the original instead:  queuelab run {}\n# What follows is the expansion at the file's own settings.\n\n",
        reason.replace('\n', "\n# "),
        file.display()
    )
}
