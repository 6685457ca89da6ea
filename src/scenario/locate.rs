//! Finds the line of a dotted key path in a TOML text, for error messages.

use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

/// 1-based line of `key` (dotted; array-of-table elements named by their
/// `name` key or by index) in `text`, or of its deepest existing ancestor.
pub fn line_of(text: &str, key: &str) -> Option<usize> {
    let document = DeTable::parse(text).ok()?;
    let mut span = document.span();
    let mut table = document.get_ref();
    let mut array: Option<&DeArray<'_>> = None;
    for segment in key.split('.') {
        let found = match array.take() {
            Some(elements) => elements.iter().find(|element| match element.get_ref() {
                DeValue::Table(t) => t.get(&Spanned::new(0..0, "name".into())).is_some_and(
                    |name| matches!(name.get_ref(), DeValue::String(s) if s == segment),
                ),
                _ => false,
            }),
            None => table.get(&Spanned::new(0..0, segment.into())),
        };
        let Some(value) = found else { break };
        span = value.span();
        match value.get_ref() {
            DeValue::Table(inner) => table = inner,
            DeValue::Array(elements) => array = Some(elements),
            _ => break,
        }
    }
    Some(text[..span.start.min(text.len())].matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name = \"x\"\n[run]\nseed = 1\n\n[[queues]]\nname = \"a\"\n\n[[queues]]\nname = \"b\"\nconsumers = 0\n";

    #[test]
    fn finds_nested_keys_and_named_elements() {
        assert_eq!(line_of(TEXT, "run.seed"), Some(3));
        assert_eq!(line_of(TEXT, "queues.b.consumers"), Some(10));
        assert_eq!(line_of(TEXT, "name"), Some(1));
    }

    #[test]
    fn falls_back_to_the_deepest_ancestor() {
        assert_eq!(line_of(TEXT, "run.missing"), Some(2));
    }
}
