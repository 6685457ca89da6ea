//! The text `queuelab expand` prints: the scenario file as written, its
//! `[[brokers]]` entries commented out, followed by the `[[queues]]`
//! entries they became, each key with where it came from.

use super::Expansion;

/// The scenario `source` with its brokers replaced by their `expansions`:
/// a file that `run` treats exactly as the original. Brokers written as
/// an inline array (`brokers = [...]`) cannot be commented out line by
/// line: then only the expanded queues are printed.
pub fn expanded_text(source: &str, expansions: &[Expansion]) -> String {
    let headers = source
        .lines()
        .filter(|line| table_header(line) == Some("brokers"))
        .count();
    let brokers = expansions.iter().filter(|e| e.part.is_none()).count();
    if headers != brokers {
        return expansions
            .iter()
            .map(queue_text)
            .collect::<Vec<_>>()
            .join("\n");
    }
    let mut text = String::from(
        "# Expanded by `queuelab expand`: each [[brokers]] entry (commented out)\n# became the [[queues]] entry at the end, every key with its source.\n\n",
    );
    let mut in_broker = false;
    for line in source.lines() {
        if let Some(header) = table_header(line) {
            in_broker = header == "brokers";
        }
        if in_broker {
            text.push_str(if line.is_empty() { "#" } else { "# " });
        }
        text.push_str(line);
        text.push('\n');
    }
    for expansion in expansions {
        text.push('\n');
        text.push_str(&queue_text(expansion));
    }
    text
}

/// The name of the table a header line opens (`[[brokers]]` gives
/// `brokers`), or `None` for any other line.
fn table_header(line: &str) -> Option<&str> {
    let line = line.split('#').next()?.trim();
    let inner = line.strip_prefix('[')?.strip_suffix(']')?;
    let inner = inner
        .strip_prefix('[')
        .and_then(|i| i.strip_suffix(']'))
        .unwrap_or(inner);
    let name = inner.trim();
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ' | '"');
    let starts = name.starts_with(|c: char| c.is_ascii_alphabetic() || matches!(c, '_' | '"'));
    (starts && name.chars().all(plain)).then_some(name)
}

/// One expanded queue as TOML, each key commented with its source.
fn queue_text(expansion: &Expansion) -> String {
    let assignments: Vec<String> = expansion
        .keys
        .iter()
        .map(|d| format!("{} = {}", d.key, inline(&d.value)))
        .collect();
    let width = assignments.iter().map(String::len).max().unwrap_or(0);
    let mut text = match &expansion.part {
        None => format!(
            "# [[brokers]] \"{}\" ({}) expands into:\n[[queues]]\n",
            expansion.name, expansion.label
        ),
        Some(part) => format!(
            "# [[brokers]] \"{}\" {} ({}) expands into:\n[[queues]]\n",
            part.broker, part.role, expansion.label
        ),
    };
    for (assignment, derived) in assignments.iter().zip(&expansion.keys) {
        text.push_str(&format!("{assignment:width$}  # {}\n", derived.from));
    }
    for note in &expansion.unmodelled {
        text.push_str(&format!("# not modelled: {note}\n"));
    }
    text
}

/// A value on one line (tables inline).
fn inline(value: &toml::Value) -> String {
    match value {
        toml::Value::Table(table) => {
            let entries: Vec<String> = table
                .iter()
                .map(|(k, v)| format!("{k} = {}", inline(v)))
                .collect();
            format!("{{ {} }}", entries.join(", "))
        }
        toml::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(inline).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_table_headers_only() {
        assert_eq!(table_header("[[brokers]]"), Some("brokers"));
        assert_eq!(table_header("  [run]  # settings"), Some("run"));
        assert_eq!(table_header("[1, 2],"), None);
        assert_eq!(table_header("values = [1, 2]"), None);
        assert_eq!(table_header("[compare.live]"), Some("compare.live"));
        assert_eq!(table_header("[0.5]"), None);
    }
}
