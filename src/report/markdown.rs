//! report.md: the report document ([`super::document`]) as markdown, charts
//! linked from `charts/`.

use std::fmt::Write;

use super::document::{Block, Table};
use crate::chart::CHARTS_DIR;

/// `blocks` as markdown, a blank line between blocks.
pub fn render(blocks: &[Block]) -> String {
    let mut text = String::new();
    for block in blocks {
        match block {
            Block::Heading(level, title) => {
                let _ = writeln!(text, "{} {title}", "#".repeat(usize::from(*level)));
            }
            Block::Paragraph(paragraph) => {
                let _ = writeln!(text, "{paragraph}");
            }
            Block::List(items) => {
                for item in items {
                    let _ = writeln!(text, "- {item}");
                }
            }
            Block::Table(table) => table_text(table, &mut text),
            Block::Chart(chart) => {
                let _ = writeln!(text, "![{}]({CHARTS_DIR}/{}.svg)", chart.title, chart.name);
            }
        }
        text.push('\n');
    }
    text.truncate(text.trim_end().len());
    text.push('\n');
    text
}

/// A markdown table.
fn table_text(table: &Table, text: &mut String) {
    let _ = writeln!(text, "| {} |", table.headers.join(" | "));
    let _ = writeln!(text, "|{}", "---|".repeat(table.headers.len()));
    for row in &table.rows {
        let _ = writeln!(text, "| {} |", row.cells.join(" | "));
    }
}
