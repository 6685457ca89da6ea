//! Finds the line of a dotted key path in a TOML text, for error messages.

use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

/// 1-based line of `key` (dotted; array-of-table elements named by their
/// `name` key or by index; a quoted key with dots, such as Kafka's
/// `"max.poll.records"`, found as one) in `text`, or of its deepest
/// existing ancestor.
pub fn line_of(text: &str, key: &str) -> Option<usize> {
    let document = DeTable::parse(text).ok()?;
    let mut span = document.span();
    let mut table = document.get_ref();
    let mut array: Option<&DeArray<'_>> = None;
    let segments: Vec<&str> = key.split('.').collect();
    let mut next = 0;
    while next < segments.len() {
        let segment = segments[next];
        let found = match array.take() {
            Some(elements) => elements
                .iter()
                .find(|element| match element.get_ref() {
                    DeValue::Table(t) => t.get(&Spanned::new(0..0, "name".into())).is_some_and(
                        |name| matches!(name.get_ref(), DeValue::String(s) if s == segment),
                    ),
                    _ => false,
                })
                .map(|element| (element, 1)),
            // The shortest run of segments that is a key of the table.
            None => (1..=segments.len() - next).find_map(|taken| {
                let joined = segments[next..next + taken].join(".");
                table
                    .get(&Spanned::new(0..0, joined.into()))
                    .map(|value| (value, taken))
            }),
        };
        let Some((value, taken)) = found else { break };
        next += taken;
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
    fn finds_a_quoted_key_with_dots() {
        let text = "[[brokers]]\nname = \"events\"\nkind = \"kafka\"\n\"max.poll.records\" = 0\n";
        assert_eq!(line_of(text, "brokers.events.max.poll.records"), Some(4));
        assert_eq!(line_of(text, "brokers.events.max.poll.bytes"), Some(1));
    }

    #[test]
    fn falls_back_to_the_deepest_ancestor() {
        assert_eq!(line_of(TEXT, "run.missing"), Some(2));
    }
}
