//! report.md and report.html tell the same story: every heading,
//! paragraph, list item and table cell of one is in the other, and both
//! give the summary and the numbers before the charts.

use std::fs;
use std::path::Path;

use crate::common::{mm1_text, queuelab};
use crate::report_text::{assert_same_story, html_text};
use tempfile::TempDir;

/// Two points (so paired changes) of M/M/1 (so Little's law and verdicts).
const SWEEP: &str = mm1_text!(
    "report-sweep",
    "seed = 3
replications = 4
customers = 20_000
warmup = 2_000
",
    "[sweep]
load = [0.5, 0.8]
",
);

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
