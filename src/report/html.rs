//! report.html: the same story as report.md in one self-contained page
//! (charts inline as SVG, no external files) that opens offline.

use std::fmt::Write;

use super::comparison::{HEADERS, Verdict, lines};
use super::markdown::summary;
use super::results::RunResults;
use crate::chart::ChartFile;
use crate::scenario::parameter_label;

/// Escapes text for HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}\
th{background:#f0f0f0}.outside{color:#b00;font-weight:bold}.chart svg{max-width:100%;height:auto}";

/// The whole report.html.
pub fn report(results: &RunResults, charts: &[ChartFile]) -> String {
    let mut page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{0}</title><style>{STYLE}</style></head><body>\n<h1>{0}</h1>\n",
        escape(&results.scenario)
    );
    if !results.description.is_empty() {
        let _ = writeln!(page, "<p>{}</p>", escape(&results.description));
    }
    let _ = writeln!(page, "<p>{}</p>", escape(&results.run_settings));
    page.push_str("<p>Theory values marked ~ are approximations; a verdict says whether an exact value lies inside the simulation's confidence interval.</p>\n");
    for chart in charts {
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
    for point in &results.points {
        let label = parameter_label(&point.parameters);
        let _ = writeln!(
            page,
            "<h2>{}</h2>\n<ul>",
            escape(if label.is_empty() { "Results" } else { &label })
        );
        for line in &point.model {
            let _ = writeln!(page, "<li>{}</li>", escape(line));
        }
        page.push_str("</ul>\n<table><tr>");
        for header in HEADERS {
            let _ = write!(page, "<th>{header}</th>");
        }
        page.push_str("</tr>\n");
        for line in lines(point) {
            let class = if line.verdict == Verdict::Outside {
                " class=\"outside\""
            } else {
                ""
            };
            page.push_str("<tr>");
            for cell in &line.cells {
                let _ = write!(page, "<td{class}>{}</td>", escape(cell));
            }
            page.push_str("</tr>\n");
        }
        page.push_str("</table>\n");
        if let Some((headers, lines)) = super::intervals::interval_table(point) {
            let _ = write!(
                page,
                "<h3>Per interval</h3>\n<p>{}</p>\n<table><tr>",
                escape(super::intervals::INTERVAL_NOTE)
            );
            for header in &headers {
                let _ = write!(page, "<th>{}</th>", escape(header));
            }
            page.push_str("</tr>\n");
            for line in lines {
                page.push_str("<tr>");
                for cell in &line {
                    let _ = write!(page, "<td>{}</td>", escape(cell));
                }
                page.push_str("</tr>\n");
            }
            page.push_str("</table>\n");
        }
    }
    let _ = writeln!(
        page,
        "<p><b>Summary:</b> {}</p>\n</body></html>",
        escape(&summary(results))
    );
    page
}
