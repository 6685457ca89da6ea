//! The text `queuelab expand` prints: the scenario file as written, its
//! `[[brokers]]` entries (and a sweep over their settings) commented out,
//! followed by the `[[queues]]` entries they became, each key with where
//! it came from, and the sweep rewritten over those queues' keys.

use super::Expansion;

/// The scenario `source` with its brokers replaced by their `expansions`
/// and, given a `sweep` table's text, its `[sweep]` replaced by that: a
/// file that `run` treats exactly as the original. Brokers written as an
/// inline array (`brokers = [...]`) cannot be commented out line by line:
/// then only the expanded queues are printed.
pub fn expanded_text(source: &str, expansions: &[Expansion], sweep: Option<&str>) -> String {
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
        "# Expanded by `queuelab expand`: each [[brokers]] entry (commented out)\n# became the [[queues]] entry at the end, every key with its source.\n",
    );
    if sweep.is_some() {
        text.push_str("# The [sweep] over broker settings (commented out) became the [sweep]\n# at the end, over the queue keys those settings set.\n");
    }
    text.push('\n');
    let replaced = |header: &str| {
        header == "brokers"
            || (sweep.is_some() && (header == "sweep" || header.starts_with("sweep.")))
    };
    let mut in_replaced = false;
    for line in source.lines() {
        if let Some(header) = table_header(line) {
            in_replaced = replaced(header);
        }
        if in_replaced {
            text.push_str(if line.is_empty() { "#" } else { "# " });
        }
        text.push_str(line);
        text.push('\n');
    }
    for expansion in expansions {
        text.push('\n');
        text.push_str(&queue_text(expansion));
    }
    if let Some(sweep) = sweep {
        text.push('\n');
        text.push_str(sweep);
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
