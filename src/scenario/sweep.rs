//! Sweep expansion: one scenario spec per value of a dotted key (numbers, or
//! names such as a discipline).

use super::error::Problem;
use super::spec::ScenarioSpec;

/// Returns a copy of `document` with the dotted `parameter` set to `value`
/// and deserialised. Array-of-table elements are named by their `name` key,
/// as in `queues.orders.consumers`.
pub fn spec_with(
    document: &toml::Table,
    parameter: &str,
    value: &toml::Value,
) -> Result<ScenarioSpec, Problem> {
    let mut edited = document.clone();
    set(&mut edited, parameter, value.clone())?;
    toml::Value::Table(edited)
        .try_into()
        .map_err(|e: toml::de::Error| {
            Problem::new(
                "sweep.values",
                format!("with `{parameter}` = {value}: {}", e.message()),
            )
        })
}

fn set(table: &mut toml::Table, parameter: &str, value: toml::Value) -> Result<(), Problem> {
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
                elements
                    .iter_mut()
                    .filter_map(|element| element.as_table_mut())
                    .find(|t| t.get("name").and_then(|n| n.as_str()) == Some(*name))
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
