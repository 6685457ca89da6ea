//! Relations that should hold between measured means (Little's law, the
//! seed article's claim), as lines of text.

use crate::results::Relation;
use crate::text::number;

/// Relations as `name: left vs right (error)` lines.
pub fn relation_lines(relations: &[Relation]) -> Vec<String> {
    relations
        .iter()
        .map(|r| {
            format!(
                "{}: {} vs {} ({:+.1}%)",
                r.relation,
                number(r.left),
                number(r.right),
                r.relative_error * 100.0
            )
        })
        .collect()
}
