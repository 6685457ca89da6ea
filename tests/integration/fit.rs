//! `queuelab fit`: known parameters recovered from generated samples, the
//! command on CSV files (its scenario lines pass `check`), and bad input.

use std::path::Path;

use queuelab::dist::Dist;
use queuelab::fit::{Fit, fit};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tempfile::TempDir;

use crate::common::{assert_succeeded, queuelab, write_file};

const SAMPLES: usize = 20_000;

fn samples(dist: &Dist, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..SAMPLES).map(|_| dist.sample(&mut rng)).collect()
}

/// Position (0 = best) of `family` in the ranking.
fn rank(fit: &Fit, family: &str) -> usize {
    fit.candidates
        .iter()
        .position(|c| c.family == family)
        .unwrap_or_else(|| panic!("{family} was not fitted"))
}

fn assert_close(what: &str, value: f64, expected: f64, relative: f64) {
    assert!(
        (value / expected - 1.0).abs() <= relative,
        "{what}: {value}, expected {expected} within {relative} relative"
    );
}

#[test]
fn recovers_a_gamma() {
    let fitted = fit(&samples(&Dist::gamma(2.0, 0.5).unwrap(), 11)).unwrap();
    let best = fitted.best();
    // scv 0.5 is also an Erlang with k = 2: the same distribution.
    assert!(
        ["gamma", "erlang"].contains(&best.family),
        "best: {}",
        best.dist.describe()
    );
    assert_close("mean", best.dist.mean(), 2.0, 0.02);
    assert_close("scv", best.dist.scv(), 0.5, 0.05);
    assert!(best.ks_statistic < 0.015, "D {}", best.ks_statistic);
    assert!(
        fitted
            .candidates
            .windows(2)
            .all(|pair| pair[0].ks_statistic <= pair[1].ks_statistic)
    );
}

#[test]
fn recovers_an_exponential() {
    let fitted = fit(&samples(&Dist::exponential_mean(3.0).unwrap(), 12)).unwrap();
    // Gamma with scv 1 and Weibull with shape 1 are exponentials too.
    let position = rank(&fitted, "exponential");
    assert!(position <= 2, "exponential ranked {}", position + 1);
    let exponential = &fitted.candidates[position];
    assert_close("mean", exponential.dist.mean(), 3.0, 0.02);
    assert!(exponential.ks_p_value.unwrap() > 0.01);
    for family in ["uniform", "lognormal"] {
        assert!(
            rank(&fitted, family) > position,
            "{family} beat the exponential"
        );
    }
}

#[test]
fn recovers_a_lognormal() {
    let fitted = fit(&samples(&Dist::lognormal(1.5, 0.5).unwrap(), 13)).unwrap();
    let best = fitted.best();
    assert_eq!(best.family, "lognormal", "best: {}", best.dist.describe());
    assert_close("mean", best.dist.mean(), 1.5, 0.02);
    assert_close("scv", best.dist.scv(), 0.5, 0.08);
}

/// A scenario in `dir` using `interarrival_line`, checked by the binary.
fn check_with_interarrival(dir: &Path, interarrival_line: &str) {
    let scenario = write_file(
        dir,
        "pasted.toml",
        &format!(
            "name = \"pasted\"
[[producers]]
name = \"web\"
to = \"orders\"
{interarrival_line}
[[queues]]
name = \"orders\"
consumers = 1
service = {{ dist = \"exponential\", mean = 0.1 }}
"
        ),
    );
    let output = queuelab().arg("check").arg(&scenario).output().unwrap();
    assert!(
        output.status.success(),
        "{interarrival_line}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn command_prints_a_ranked_table_and_a_scenario_line() {
    let tmp = TempDir::new().unwrap();
    let values = samples(&Dist::gamma(2.0, 0.5).unwrap(), 14);
    let text: String = std::iter::once("id,service_ms\n".to_string())
        .chain(values.iter().enumerate().map(|(i, x)| format!("{i},{x}\n")))
        .collect();
    let file = write_file(tmp.path(), "services.csv", &text);

    let output = queuelab()
        .args(["fit", "--column", "service_ms"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success());
    let table = String::from_utf8(output.stdout).unwrap();
    assert!(
        table.contains("column \"service_ms\": 20000 values"),
        "{table}"
    );
    assert!(table.contains("rank  dist"), "{table}");
    let line = table
        .lines()
        .find_map(|l| l.trim().strip_prefix("service = "))
        .unwrap_or_else(|| panic!("no scenario line: {table}"));
    assert!(line.starts_with("{ dist = \""), "{line}");

    let output = queuelab()
        .args(["fit", "--column", "service_ms", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(doc["count"], 20_000);
    assert_eq!(doc["gaps"], false);
    assert!(doc["trace"].is_null());
    let candidates = doc["candidates"].as_array().unwrap();
    assert!(candidates.len() >= 6);
    assert_eq!(
        doc["best"].as_str().unwrap(),
        format!("service = {line}"),
        "json and table agree"
    );
    // Every fitted line is a valid distribution in a scenario.
    for candidate in candidates {
        let line = candidate["scenario_line"].as_str().unwrap();
        check_with_interarrival(tmp.path(), &line.replacen("service", "interarrival", 1));
    }
}

#[test]
fn gaps_between_timestamps_and_the_trace_line() {
    let tmp = TempDir::new().unwrap();
    let gaps = samples(&Dist::exponential_mean(0.5).unwrap(), 15);
    let mut time = 1_700_000_000.0;
    let mut text = String::from("at\n");
    for gap in &gaps {
        text.push_str(&format!("{time}\n"));
        time += gap;
    }
    write_file(tmp.path(), "arrivals.csv", &text);

    let output = queuelab()
        .current_dir(tmp.path())
        .args(["fit", "arrivals.csv", "--column", "at", "--gaps"])
        .output()
        .unwrap();
    assert_succeeded(&output);
    let table = String::from_utf8(output.stdout).unwrap();
    assert!(
        table.contains("gaps between timestamps: 19999 values"),
        "{table}"
    );
    let lines: Vec<&str> = table
        .lines()
        .filter_map(|l| l.trim().strip_prefix("interarrival = ").map(|_| l.trim()))
        .collect();
    assert_eq!(lines.len(), 2, "{table}");
    assert_eq!(
        lines[1],
        "interarrival = { dist = \"trace\", file = \"arrivals.csv\", column = \"at\" }"
    );
    for line in lines {
        check_with_interarrival(tmp.path(), line);
    }
}

#[test]
fn bad_input_is_refused_with_exit_2() {
    let tmp = TempDir::new().unwrap();
    let good = write_file(tmp.path(), "good.csv", "x\n1\n2\n3\n");
    let text = write_file(tmp.path(), "text.csv", "x\n1\nfast\n");
    let single = write_file(tmp.path(), "single.csv", "x\n4\n");
    let decreasing = write_file(tmp.path(), "decreasing.csv", "x\n1\n3\n2\n");
    let missing = tmp.path().join("missing.csv");
    let cases: [(&Path, &[&str], &str); 6] = [
        (&missing, &["--column", "x"], "cannot read"),
        (
            &good,
            &["--column", "y"],
            "no column named \"y\" in the header (columns: x)",
        ),
        (&text, &["--column", "x"], "row 3: \"fast\" is not a number"),
        (
            &single,
            &["--column", "x"],
            "1 value(s) to fit; at least 2 are needed",
        ),
        (
            &decreasing,
            &["--column", "x", "--gaps"],
            "row 4: timestamps must not decrease, got 2 after 3",
        ),
        (
            &single,
            &["--column", "x", "--gaps"],
            "holds 1 timestamp; a trace needs at least 2",
        ),
    ];
    for (file, args, message) in cases {
        let output = queuelab().arg("fit").arg(file).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        let name = file.file_name().unwrap().to_string_lossy();
        assert!(
            stderr.contains(name.as_ref()) && stderr.contains(message),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn fit_warns_about_ids_timestamps_few_values_and_reads_decimal_commas() {
    let tmp = TempDir::new().unwrap();
    let rows: String = (1..=40)
        .map(|i| format!("{i},{}.{}\n", i % 7 + 1, i % 10))
        .collect();
    let ids = write_file(tmp.path(), "ids.csv", &format!("order_id,ms\n{rows}"));
    let stdout = |args: &[&str], file: &Path| {
        let output = queuelab().arg("fit").arg(file).args(args).output().unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let first = stdout(&[], &ids);
    assert!(
        first.contains("note: the first column looks like an id"),
        "{first}"
    );
    assert!(
        first.contains("--column NAME (columns: order_id, ms)"),
        "{first}"
    );
    assert!(!stdout(&["--column", "ms"], &ids).contains("note:"));

    let stamps: String = (0..40).map(|i| format!("{}.5\n", i * 3)).collect();
    let times = write_file(tmp.path(), "times.csv", &format!("t\n{stamps}"));
    assert!(stdout(&["--column", "t"], &times).contains("add --gaps"));
    assert!(!stdout(&["--column", "t", "--gaps"], &times).contains("note:"));

    let semicolons = write_file(tmp.path(), "semi.csv", "id;ms\n1;1,5\n2;2,5\n3;0,5\n");
    let json: serde_json::Value = serde_json::from_str(&stdout(
        &["--column", "ms", "--format", "json"],
        &semicolons,
    ))
    .unwrap();
    assert_eq!(json["mean"], 1.5, "1,5 2,5 0,5 read as 1.5 2.5 0.5");
    let warnings = json["warnings"].to_string();
    assert!(
        warnings.contains("decimal commas") && warnings.contains("only 3 values"),
        "{warnings}"
    );
}
