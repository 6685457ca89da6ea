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

/// A shipped study's report answers its question in words, from its
/// numbers: the hot-key study (fewer messages, same seed) names the
/// consumer of the hottest partition, above the tables.
#[test]
fn the_hot_key_report_names_the_hot_partition_in_its_findings() {
    let tmp = TempDir::new().unwrap();
    let text = fs::read_to_string("scenarios/kafka-hot-key.toml")
        .unwrap()
        .replace("customers = 200_000", "customers = 20_000");
    let (markdown, html) = run(
        tmp.path(),
        &text,
        &["run", "--replications", "3", "--no-charts"],
    );
    let findings = markdown.find("## Findings").expect("a findings section");
    let question = markdown
        .find("Which partition runs hot")
        .expect("the question");
    let numbers = markdown
        .find("## producers.clicks.keys.exponent = 0.5")
        .unwrap();
    assert!(question < findings && findings < numbers, "{markdown}");
    // At exponent 1.0 the most frequent key hashes to partition 2, which
    // alone loads its consumer to 0.915 (exact) against 0.6 on average.
    let hot = "- **events**: busiest consumer at exponent = 1.0, consumer 2 (partition 2) at load ";
    let at = markdown.find(hot).unwrap_or_else(|| panic!("{markdown}"));
    let load: f64 = markdown[at + hot.len()..]
        .split(',')
        .next()
        .and_then(|number| number.parse().ok())
        .unwrap_or_else(|| panic!("{markdown}"));
    // Far above the 0.6 average, whatever the sampling error of a short run.
    assert!(load > 0.8, "{markdown}");
    assert!(
        markdown.contains("- Theory: exact at every point."),
        "{markdown}"
    );
    assert!(
        html_text(&html).contains("events: busiest consumer at exponent = 1.0"),
        "{html}"
    );
    assert_same_story(&markdown, &html);
}
