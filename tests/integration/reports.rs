//! report.md and report.html tell the same story: every heading,
//! paragraph, list item and table cell of one is in the other, and both
//! give the summary and the numbers before the charts.

use std::fs;
use std::path::Path;

use crate::common::queuelab;
use tempfile::TempDir;

/// Two points (so paired changes) of M/M/1 (so Little's law and verdicts).
const SWEEP: &str = r#"name = "report-sweep"
[run]
seed = 3
replications = 4
customers = 20_000
warmup = 2_000
[[producers]]
name = "p"
to = "q"
interarrival = { dist = "exponential", rate = 0.5 }
[[queues]]
name = "q"
consumers = 1
service = { dist = "exponential", mean = 1.0 }
[sweep]
load = [0.5, 0.8]
"#;

/// The text of an HTML page without its tags, entities decoded.
pub fn html_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Asserts every piece of text of `markdown` (headings, paragraphs, list
/// items, table cells) is in `html`, and that the numbers come before the
/// first chart.
pub fn assert_same_story(markdown: &str, html: &str) {
    let text = html_text(html);
    let plain = |s: &str| s.replace('`', "").replace("**", "");
    for line in markdown.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let pieces: Vec<String> = if line.starts_with("![") || line.starts_with("|-") {
            continue;
        } else if let Some(row) = line.strip_prefix('|') {
            row.trim_end_matches('|')
                .split(" | ")
                .map(|cell| plain(cell.trim()))
                .collect()
        } else if let Some(item) = line.strip_prefix("- ") {
            vec![plain(item)]
        } else {
            vec![plain(line.trim_start_matches('#').trim())]
        };
        for piece in pieces.iter().filter(|p| !p.is_empty()) {
            assert!(text.contains(piece.as_str()), "report.html lacks {piece:?}");
        }
    }
    let charts = markdown.matches("](charts/").count();
    assert_eq!(html.matches("<svg").count(), charts, "every chart inline");
    if let Some(first_chart) = html.find("<svg") {
        let summary = html.find("Summary:").expect("a summary");
        let last_table = html.rfind("</table>").expect("tables");
        assert!(
            summary < first_chart && last_table < first_chart,
            "the summary and the numbers come before the charts"
        );
    }
}

fn run(dir: &Path, text: &str, args: &[&str]) -> (String, String) {
    let file = dir.join("scenario.toml");
    fs::write(&file, text).unwrap();
    let out = dir.join("out");
    let output = queuelab()
        .args(args)
        .arg("--quiet")
        .arg("--out")
        .arg(&out)
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    (
        fs::read_to_string(out.join("report.md")).unwrap(),
        fs::read_to_string(out.join("report.html")).unwrap(),
    )
}

#[test]
fn report_html_has_everything_report_md_has_numbers_first() {
    let tmp = TempDir::new().unwrap();
    let (markdown, html) = run(tmp.path(), SWEEP, &["run"]);
    for part in [
        "Relations on the simulated means of q",
        "L = λW (Little)",
        "Change from the previous point",
        "verdicts on exact theory",
    ] {
        assert!(markdown.contains(part), "report.md lacks {part}");
        assert!(html_text(&html).contains(part), "report.html lacks {part}");
    }
    assert_same_story(&markdown, &html);
}
