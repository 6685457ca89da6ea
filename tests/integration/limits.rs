//! Hostile and huge inputs end with a clear exit 2 at once (naming the key
//! and the limit), never a panic, an abort or hours of work.

use std::fs;
use std::path::Path;

use crate::common::{mm1_text, queuelab, refuses, write_toml};
use tempfile::TempDir;

const BASE: &str = mm1_text!(
    "probe",
    "replications = 2
customers = 2000
",
    "",
);

/// `queuelab <args> FILE` exits 2 with every `needles` in a short message.
fn refused(args: &[&str], file: &Path, needles: &[&str]) {
    let stderr = refuses(args, file, needles);
    assert!(
        stderr.len() < 2_000,
        "{}: a {}-byte message",
        file.display(),
        stderr.len()
    );
}

#[test]
fn sizes_the_machine_cannot_hold_are_refused_naming_the_key_and_the_limit() {
    let tmp = TempDir::new().unwrap();
    let long = "q".repeat(70_000);
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "long-queue-name",
            BASE.replace("\"q\"", &format!("\"{long}\"")),
            vec!["queues.name", "at most 100 characters"],
        ),
        (
            "long-scenario-name",
            BASE.replace("\"probe\"", &format!("\"{}\"", "s".repeat(250))),
            vec!["key `name`", "at most 100 characters"],
        ),
        (
            "replications",
            BASE.replace("replications = 2", "replications = 1000000000"),
            vec!["run.replications", "100000"],
        ),
        (
            "max-replications",
            BASE.replace(
                "customers = 2000",
                "customers = 2000\ntarget_precision = 0.01\nmax_replications = 4000000000",
            ),
            vec!["run.max_replications", "100000"],
        ),
        (
            "population",
            BASE.replace(
                "interarrival = { dist = \"exponential\", rate = 0.5 }",
                "closed = { population = 1000000000, think = { dist = \"exponential\", mean = 1.0 } }",
            ),
            vec!["producers.p.closed", "10000000"],
        ),
        (
            "sweep",
            format!("{BASE}[sweep]\nload = [{}]\n", vec!["0.5"; 1_000_000].join(", ")),
            vec!["sweep.load", "at most 10000 points"],
        ),
        (
            "customers",
            BASE.replace("customers = 2000", "customers = 1000000000000"),
            vec!["run.customers", "message visits", "shard"],
        ),
        (
            "horizon",
            BASE.replace("customers = 2000", "horizon = 1e308"),
            vec!["run.horizon", "message visits"],
        ),
        (
            "warmup",
            BASE.replace("customers = 2000", "customers = 2000\nwarmup = 1000000000000000000"),
            vec!["run.customers", "message visits"],
        ),
        (
            "profile-rate",
            BASE.replace(
                "interarrival = { dist = \"exponential\", rate = 0.5 }",
                "rate_profile = [{ until = 10.0, rate = 1e10 }]\nrate_profile_repeats = true",
            )
            .replace("consumers = 1", "consumers = 20000000000")
            .replace("customers = 2000\n", ""),
            vec!["consumers"],
        ),
        (
            "finite-overload",
            BASE.replace(
                "interarrival = { dist = \"exponential\", rate = 0.5 }",
                "rate_profile = [{ until = 1e9, rate = 10.0 }]",
            )
            .replace("customers = 2000\n", ""),
            vec!["run.horizon"],
        ),
        (
            "bounded-at-load-1e9",
            BASE.replace("rate = 0.5", "rate = 1e9")
                .replace("mean = 1.0 }", "mean = 1.0 }\ncapacity = 50"),
            vec!["run.customers", "message visits"],
        ),
        (
            "capacity-memory",
            BASE.replace("rate = 0.5", "rate = 10.0")
                .replace("customers = 2000", "customers = 2000000000")
                .replace("mean = 1.0 }", "mean = 1.0 }\ncapacity = 1000000000"),
            vec!["run.customers", "memory"],
        ),
    ];
    for (name, text, needles) in cases {
        let file = write_toml(tmp.path(), name, &text);
        refused(&["check"], &file, &needles);
    }
}

#[test]
fn times_the_clock_cannot_hold_are_refused_with_what_the_user_wrote() {
    let tmp = TempDir::new().unwrap();
    let cases = [
        (
            "huge-mean",
            BASE.replace("rate = 0.5", "mean = 1e307"),
            vec!["producers.p"],
        ),
        (
            "tiny-rate",
            BASE.replace("rate = 0.5", "rate = 1e-308"),
            vec!["producers.p"],
        ),
        (
            "subnormal-gap",
            BASE.replace("rate = 0.5", "mean = 1e-310"),
            vec!["producers.p.interarrival", "1e-310"],
        ),
        (
            "rate-without-a-mean",
            BASE.replace("rate = 0.5", "rate = 1e-320"),
            vec!["producers.p.interarrival", "rate must be", "1e-320"],
        ),
        (
            "load-a-hair-below-1",
            BASE.replace("rate = 0.5", "rate = 0.9999999999"),
            vec!["0.9999999999", "counted as 1"],
        ),
    ];
    for (name, text, needles) in cases {
        let file = write_toml(tmp.path(), name, &text);
        refused(&["check"], &file, &needles);
        let message =
            String::from_utf8_lossy(&queuelab().arg("check").arg(&file).output().unwrap().stderr)
                .into_owned();
        assert!(!message.contains("routing"), "{name}: {message}");
        assert!(!message.contains(&"0".repeat(30)), "{name}: {message}");
    }
}

#[test]
fn closed_clients_that_leave_no_room_for_an_open_stream_are_refused() {
    let tmp = TempDir::new().unwrap();
    let mixed = format!(
        "{BASE}[[producers]]\nname = \"c\"\nto = \"q\"\nclosed = {{ population = 50, think = {{ dist = \"exponential\", mean = 10.0 }} }}\n"
    );
    refused(
        &["check"],
        &write_toml(tmp.path(), "mixed", &mixed),
        &["queues.q", "closed loops"],
    );
    let roomy = mixed.replace("population = 50", "population = 4");
    queuelab()
        .arg("check")
        .arg(write_toml(tmp.path(), "roomy", &roomy))
        .assert()
        .success();
}

#[test]
fn command_line_values_beyond_the_limits_are_refused() {
    let tmp = TempDir::new().unwrap();
    let file = write_toml(tmp.path(), "base", BASE);
    let out = tmp.path().join("out");
    for args in [
        vec!["--replications", "4000000000"],
        vec!["--threads", "10000"],
        vec!["--shard", "0/4294967295"],
    ] {
        let output = queuelab()
            .args(["run", "--quiet", "--out"])
            .arg(&out)
            .args(&args)
            .arg(&file)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    }
    assert!(!out.exists());
    let mut many = BASE.replace("consumers = 1", "consumers = 3000");
    many.push_str("[compare]\nlive = { seconds = 1.0 }\n");
    refused(
        &["check"],
        &write_toml(tmp.path(), "live", &many),
        &["compare.live", "256"],
    );
}

#[test]
fn files_that_are_not_regular_files_are_refused_without_blocking() {
    let tmp = TempDir::new().unwrap();
    let pipe = tmp.path().join("pipe");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&pipe)
            .status()
            .unwrap()
            .success()
    );
    for path in [Path::new("/dev/zero"), pipe.as_path()] {
        refused(&["check"], path, &["not a regular file"]);
        refused(&["fit"], path, &["not a regular file"]);
    }
    let samples = BASE.replace(
        "service = { dist = \"exponential\", mean = 1.0 }",
        &format!(
            "service = {{ dist = \"empirical\", file = \"{}\" }}",
            pipe.display()
        ),
    );
    refused(
        &["check"],
        &write_toml(tmp.path(), "samples", &samples),
        &["not a regular file"],
    );
}

#[test]
fn a_quoted_cell_is_short_and_printable() {
    let tmp = TempDir::new().unwrap();
    let csv = tmp.path().join("cells.csv");
    fs::write(
        &csv,
        format!("v\n1\nabc\u{1b}[31m{}\n", "z".repeat(100_000)),
    )
    .unwrap();
    refused(&["fit"], &csv, &["row 3", "more characters"]);
    let huge = tmp.path().join("huge.csv");
    fs::write(&huge, "v\n1e300\n2e300\n3e300\n").unwrap();
    let output = queuelab().arg("fit").arg(&huge).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    assert!(!stdout.contains("0000000000"), "{stdout}");
}

#[test]
fn overloaded_mmck_theory_with_ten_million_places_finishes() {
    let tmp = TempDir::new().unwrap();
    let text = BASE
        .replace("rate = 0.5", "rate = 2.0")
        .replace("mean = 1.0 }", "mean = 1.0 }\ncapacity = 10000000");
    let output = queuelab()
        .args(["theory", "--format", "json"])
        .arg(write_toml(tmp.path(), "mmck", &text))
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let metrics = &json["points"][0]["results"][0]["theory"]["metrics"];
    // Half the arrivals are lost and the rest wait behind about K others.
    let blocked = metrics["p_blocked"].as_f64().unwrap();
    assert!((blocked - 0.5).abs() < 1e-12, "{blocked}");
    let p99 = metrics["wait_p99"].as_f64().unwrap();
    assert!((9.9e6..1.01e7).contains(&p99), "{p99}");
}

#[test]
fn charts_of_values_near_the_float_limit_are_drawn() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    let text = format!("{BASE}[sweep]\nload = [0.3, 0.6]\n");
    queuelab()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(write_toml(tmp.path(), "sweep", &text))
        .assert()
        .success();
    let path = out.join("results.json");
    let mut results: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    let wait = &mut results["points"][0]["results"][0]["simulation"]["metrics"]["mean_wait"];
    wait["mean"] = serde_json::json!(1.7e308);
    wait["ci_low"] = serde_json::json!(1e308);
    wait["ci_high"] = serde_json::json!(1.79e308);
    fs::write(&path, results.to_string()).unwrap();
    queuelab().arg("plot").arg(&out).assert().success();
    queuelab()
        .args(["compare", "--metric", "mean_wait", "--out"])
        .arg(tmp.path().join("compared"))
        .arg(&out)
        .assert()
        .success();
}
