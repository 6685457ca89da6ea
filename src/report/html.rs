//! report.html: the report document ([`super::document`]) as one
//! self-contained page (charts inline as SVG, no external files) that opens
//! offline.

use std::fmt::Write;

use super::document::{Block, Table};

/// Escapes text for HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Escapes `text` and turns its inline marks into HTML: `code` and
/// **strong**.
fn inline(text: &str) -> String {
    let mut html = String::new();
    for (index, part) in escape(text).split('`').enumerate() {
        if index % 2 == 1 {
            let _ = write!(html, "<code>{part}</code>");
        } else {
            for (index, part) in part.split("**").enumerate() {
                if index % 2 == 1 {
                    let _ = write!(html, "<b>{part}</b>");
                } else {
                    html.push_str(part);
                }
            }
        }
    }
    html
}

const STYLE: &str = "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}\
th{background:#f0f0f0}.outside{color:#b00;font-weight:bold}.chart svg{max-width:100%;height:auto}";

/// `blocks` as a page titled `title`.
pub fn render(title: &str, blocks: &[Block]) -> String {
    let mut page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>\n",
        escape(title)
    );
    for block in blocks {
        match block {
            Block::Heading(level, text) => {
                let _ = writeln!(page, "<h{level}>{}</h{level}>", inline(text));
            }
            Block::Paragraph(text) => {
                let _ = writeln!(page, "<p>{}</p>", inline(text));
            }
            Block::List(items) => {
                page.push_str("<ul>\n");
                for item in items {
                    let _ = writeln!(page, "<li>{}</li>", inline(item));
                }
                page.push_str("</ul>\n");
            }
            Block::Table(table) => table_html(table, &mut page),
            Block::Chart(chart) => {
                let svg = chart
                    .svg
                    .find("<svg")
                    .map_or("", |start| &chart.svg[start..]);
                let _ = writeln!(
                    page,
                    "<div class=\"chart\" id=\"{}\">{svg}</div>",
                    escape(&chart.name)
                );
            }
        }
    }
    page.push_str("</body></html>\n");
    page
}

/// An HTML table; flagged rows stand out.
fn table_html(table: &Table, page: &mut String) {
    page.push_str("<table><tr>");
    for header in &table.headers {
        let _ = write!(page, "<th>{}</th>", inline(header));
    }
    page.push_str("</tr>\n");
    for row in &table.rows {
        let class = if row.flagged {
            " class=\"outside\""
        } else {
            ""
        };
        page.push_str("<tr>");
        for cell in &row.cells {
            let _ = write!(page, "<td{class}>{}</td>", inline(cell));
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_marks_become_html_and_text_is_escaped() {
        assert_eq!(
            inline("**Summary:** a < b on `crossbeam` & more"),
            "<b>Summary:</b> a &lt; b on <code>crossbeam</code> &amp; more"
        );
    }
}
