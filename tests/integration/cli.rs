//! The `queuelab` command as a user runs it: checks, runs, result files,
//! determinism across thread counts, and clear errors on bad input.

use std::fs;
use std::path::Path;

use crate::common::{assert_succeeded, mm1_text, queuelab, write_file};
use tempfile::TempDir;

const GOOD: &str = mm1_text!(
    "cli-mm1",
    "seed = 3
replications = 4
customers = 20_000
warmup = 2_000
",
    "[sweep]
load = [0.5, 0.8]
",
);

/// `queuelab run --quiet --format json --out OUT FILE`, which must
/// succeed: the JSON document it prints.
fn run_json(file: &Path, out: &Path) -> serde_json::Value {
    let output = queuelab()
        .args(["run", "--quiet", "--format", "json", "--out"])
        .arg(out)
        .arg(file)
        .output()
        .unwrap();
    assert_succeeded(&output);
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn every_shipped_scenario_passes_check() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut count = 0;
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            queuelab().arg("check").arg(&path).assert().success();
            count += 1;
        }
    }
    assert!(
        count >= 6,
        "expected the six shipped scenarios, found {count}"
    );
}

#[test]
fn run_writes_every_result_file_and_prints_json() {
    let tmp = TempDir::new().unwrap();
    let file = write_file(tmp.path(), "good.toml", GOOD);
    let out = tmp.path().join("out");
    let doc = run_json(&file, &out);
    assert_eq!(doc["scenario"], "cli-mm1");
    assert_eq!(doc["points"].as_array().unwrap().len(), 2);
    let row = &doc["points"][1]["results"][0];
    assert_eq!(row["queue"], "q");
    assert_eq!(row["theory"]["exact"], true);
    assert_eq!(row["theory"]["model"], "M/M/1");
    assert!(row["simulation"]["metrics"]["mean_wait"]["ci_low"].is_number());
    assert!(row["live"].is_null());
    for name in [
        "results.json",
        "summary.csv",
        "replications.csv",
        "report.md",
        "scenario.toml",
    ] {
        assert!(out.join(name).is_file(), "{name} missing");
    }
    let saved: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    assert_eq!(saved, doc);
    let summary = fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(
        summary.starts_with("point,load,queue,class,source,metric,value,ci_low,ci_high,exact\n")
    );
    assert!(
        summary.contains("\n0,0.5,q,,theory,mean_wait,1,,,true\n"),
        "{summary}"
    );
    let leftovers: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary folders left behind");
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let tmp = TempDir::new().unwrap();
    let auto = GOOD.replace("warmup = 2_000", "warmup = \"auto\"");
    for (name, text) in [("fixed", GOOD), ("auto", auto.as_str())] {
        let file = write_file(tmp.path(), &format!("{name}.toml"), text);
        let run = |threads: &str| {
            let out = tmp.path().join(format!("{name}{threads}"));
            let output = queuelab()
                .args([
                    "run",
                    "--quiet",
                    "--format",
                    "json",
                    "--threads",
                    threads,
                    "--out",
                ])
                .arg(&out)
                .arg(&file)
                .output()
                .unwrap();
            assert!(output.status.success());
            // The warm-up pilots run in parallel too.
            let warmup = fs::read(out.join("warmup.json")).unwrap();
            (output.stdout, warmup)
        };
        assert_eq!(run("1"), run("2"), "{name}");
    }
}

/// With two short replications the Student-t intervals of rare blocking
/// and of the waits reach below 0; every reported interval stays within
/// what its metric can take, and the cut ones are named.
#[test]
fn intervals_stay_within_what_each_metric_can_take() {
    let tmp = TempDir::new().unwrap();
    let text = GOOD
        .replace("replications = 4", "replications = 2")
        .replace("customers = 20_000", "customers = 300")
        .replace("warmup = 2_000", "warmup = 0")
        .replace("consumers = 1", "consumers = 1\ncapacity = 4");
    let file = write_file(tmp.path(), "short.toml", &text);
    let out = tmp.path().join("out");
    let doc = run_json(&file, &out);
    let mut clipped = 0;
    for point in doc["points"].as_array().unwrap() {
        for row in point["results"].as_array().unwrap() {
            let simulation = &row["simulation"];
            for (name, interval) in simulation["metrics"].as_object().unwrap() {
                let high_bound = if name.starts_with("p_") {
                    1.0
                } else {
                    f64::INFINITY
                };
                let (low, high) = (
                    interval["ci_low"].as_f64().unwrap(),
                    interval["ci_high"].as_f64().unwrap(),
                );
                assert!(0.0 <= low && high <= high_bound, "{name}: {interval}");
            }
            clipped += simulation["clipped"].as_array().map_or(0, Vec::len);
        }
    }
    assert!(
        clipped > 0,
        "two replications of 300 messages: some interval reaches below 0"
    );
    let report = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("cut at the values the metric can take"),
        "{report}"
    );
}

#[test]
fn the_terminal_says_how_the_verdicts_came_out_and_what_to_expect() {
    let tmp = TempDir::new().unwrap();
    let file = write_file(tmp.path(), "good.toml", GOOD);
    let output = queuelab()
        .args(["run", "--quiet", "--detail", "--out"])
        .arg(tmp.path().join("out"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success());
    let table = String::from_utf8(output.stdout).unwrap();
    let agrees = table.matches("agrees (in CI)").count();
    let outside = table.matches("%, outside CI").count();
    assert!(agrees > 10, "{table}");
    // The summary ends the table, wrapped to the terminal's 100 columns.
    let start = table.find("verdicts on exact theory").unwrap();
    let summary = table[start..]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let expected = format!(
        "verdicts on exact theory: agrees {agrees}, OUTSIDE CI {outside} (expected about {:.1} at 95% if all agree; ",
        (agrees + outside) as f64 * 0.05
    );
    assert!(summary.starts_with(&expected), "{summary}");
    // JSON keeps stdout for the document: the summary goes to stderr.
    let output = queuelab()
        .args(["run", "--format", "json", "--out"])
        .arg(tmp.path().join("out-json"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success());
    serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    let stderr = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(stderr.contains(&expected), "{stderr}");
}

#[test]
fn theory_prints_formulas_without_simulation() {
    let tmp = TempDir::new().unwrap();
    let file = write_file(tmp.path(), "good.toml", GOOD);
    let output = queuelab()
        .args(["theory", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let row = &doc["points"][0]["results"][0];
    assert!(row["simulation"].is_null());
    assert_eq!(row["theory"]["metrics"]["mean_wait"], 1.0);
}

/// [`GOOD`] with `retry = <retry>` on its queue.
fn with_retry(retry: &str) -> String {
    GOOD.replace(
        "mean = 1.0 }\n[sweep]",
        &format!("mean = 1.0 }}\nretry = {retry}\n[sweep]"),
    )
}

/// Each case: what is wrong, the file text, a word the message must contain.
fn bad_cases() -> Vec<(&'static str, String, &'static str)> {
    vec![
        (
            "unknown key",
            GOOD.replace("seed = 3", "seed = 3\nbogus_key = 1"),
            "bogus_key",
        ),
        (
            "negative rate",
            GOOD.replace("rate = 0.5", "rate = -1.0"),
            "rate",
        ),
        (
            "unknown queue",
            GOOD.replace("to = \"q\"", "to = \"nowhere\""),
            "nowhere",
        ),
        (
            "unstable load",
            GOOD.replace("[0.5, 0.8]", "[0.5, 1.2]"),
            "load",
        ),
        (
            "unstable without sweep",
            GOOD.replace("[sweep]\nload = [0.5, 0.8]\n", "")
                .replace("rate = 0.5", "rate = 1.5"),
            "unstable",
        ),
        (
            "bad discipline",
            GOOD.replace("mean = 1.0 }", "mean = 1.0 }\ndiscipline = \"fastest\""),
            "fastest",
        ),
        (
            "broken toml",
            "name = \"x\"\n[run\nseed = 1\n".to_string(),
            "line",
        ),
        (
            "no replication",
            GOOD.replace("replications = 4", "replications = 0"),
            "replications",
        ),
        (
            "capacity below consumers",
            GOOD.replace("consumers = 1", "consumers = 2\ncapacity = 1"),
            "capacity",
        ),
        (
            "capacity and max_length",
            GOOD.replace("consumers = 1", "consumers = 1\ncapacity = 3\nmax_length = 2"),
            "queues.q.max_length",
        ),
        (
            "unknown overflow",
            GOOD.replace("consumers = 1", "consumers = 1\nmax_length = 2\noverflow = \"drop-tail\""),
            "reject-publish-dlx",
        ),
        (
            "overflow without a limit",
            GOOD.replace("consumers = 1", "consumers = 1\noverflow = \"drop-head\""),
            "queues.q.overflow",
        ),
        (
            "drop-head out of fifo order",
            GOOD.replace(
                "consumers = 1",
                "consumers = 1\nmax_length = 2\noverflow = \"drop-head\"\ndiscipline = \"lifo\"",
            ),
            "queues.q.overflow",
        ),
        (
            "reject-publish-dlx without a dead-letter queue",
            GOOD.replace(
                "consumers = 1",
                "consumers = 1\nmax_length = 2\noverflow = \"reject-publish-dlx\"",
            ),
            "queues.q.overflow",
        ),
        (
            "routing above one",
            GOOD.replace(
                "mean = 1.0 }",
                "mean = 1.0 }\nnext = [{ to = \"q\", p = 0.7 }, { to = \"q\", p = 0.6 }]",
            ),
            "sum",
        ),
        (
            "missing sample file",
            GOOD.replace(
                "{ dist = \"exponential\", mean = 1.0 }",
                "{ dist = \"empirical\", file = \"nope.csv\" }",
            ),
            "nope.csv",
        ),
        (
            "unknown sweep key",
            GOOD.replace(
                "load = [0.5, 0.8]",
                "parameter = \"queues.q.servers\"\nvalues = [1, 2]",
            ),
            "servers",
        ),
        (
            "unknown class",
            GOOD.replace("to = \"q\"", "to = \"q\"\nclass = \"gold\""),
            "gold",
        ),
        (
            "load of exactly 1",
            GOOD.replace("[0.5, 0.8]", "[1.0]"),
            "unstable",
        ),
        (
            "sweep over a run setting",
            GOOD.replace(
                "load = [0.5, 0.8]",
                "parameter = \"run.customers\"\nvalues = [1000, 2000]",
            ),
            "cannot be swept",
        ),
        (
            "producer without its class",
            GOOD.replace("[[producers]]", "[[classes]]\nname = \"gold\"\n[[producers]]"),
            "producers.p.class",
        ),
        (
            "queue without traffic",
            GOOD.replace("[sweep]", "[[queues]]\nname = \"idle\"\nconsumers = 1\nservice = { dist = \"exponential\", mean = 1.0 }\n[sweep]"),
            "idle",
        ),
        (
            "precision out of range",
            GOOD.replace("seed = 3", "seed = 3\ntarget_precision = 1.5"),
            "target_precision",
        ),
        (
            "cap without a target",
            GOOD.replace("seed = 3", "seed = 3\nmax_replications = 50"),
            "max_replications",
        ),
        (
            "open and closed at once",
            GOOD.replace(
                "to = \"q\"",
                "to = \"q\"\nclosed = { population = 3, think = { dist = \"exponential\", mean = 1.0 } }",
            ),
            "exactly one of `interarrival`",
        ),
        (
            "bad warmup word",
            GOOD.replace("warmup = 2_000", "warmup = \"soon\""),
            "warmup",
        ),
        (
            "missing dist key",
            GOOD.replace(
                "{ dist = \"exponential\", mean = 1.0 }",
                "{ dist = \"erlang\", mean = 1.0 }",
            ),
            "k",
        ),
        (
            "retry that always fails",
            with_retry("{ p = 1.0, requeue = \"head\" }"),
            "queues.q.retry.p",
        ),
        (
            "retry delays of the wrong length",
            with_retry("{ p = 0.2, max_retries = 3, delays = [1, 2] }"),
            "queues.q.retry.delays",
        ),
        (
            "negative retry delay",
            with_retry("{ p = 0.2, delays = [1, -2] }"),
            "queues.q.retry.delays",
        ),
        (
            "retry without a redelivery",
            with_retry("{ p = 0.2 }"),
            "exactly one of `delays`",
        ),
        (
            "two redeliveries",
            with_retry("{ p = 0.2, delays = [1], requeue = \"head\" }"),
            "delays and requeue",
        ),
        (
            "unknown ladder",
            with_retry("{ p = 0.2, levels = \"kafka\" }"),
            "queues.q.retry.levels",
        ),
        (
            "ladder in a unit that does not convert",
            with_retry("{ p = 0.2, levels = \"rocketmq\" }")
                .replace("[run]", "time_unit = \"requests\"\n[run]"),
            "time_unit",
        ),
        (
            "requeue at the head under processor sharing",
            with_retry("{ p = 0.2, requeue = \"head\" }\ndiscipline = \"processor-sharing\""),
            "queues.q.retry.requeue",
        ),
        (
            "growing backoff without end",
            with_retry("{ p = 0.2, backoff = { kind = \"exponential\", base = 1.0 } }"),
            "queues.q.retry.backoff",
        ),
        (
            "unknown retry key",
            with_retry("{ p = 0.2, attempts = 3, requeue = \"head\" }"),
            "attempts",
        ),
    ]
}

#[test]
fn bad_input_exits_2_with_a_clear_message_and_no_results() {
    let tmp = TempDir::new().unwrap();
    for (what, text, word) in bad_cases() {
        let file = write_file(tmp.path(), "bad.toml", &text);
        let out = tmp.path().join("bad-out");
        for command in ["check", "run"] {
            let mut cmd = queuelab();
            cmd.arg(command).arg(&file);
            if command == "run" {
                cmd.arg("--quiet").arg("--out").arg(&out);
            }
            let output = cmd.output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(
                output.status.code(),
                Some(2),
                "{what} ({command}): {stderr}"
            );
            assert!(
                stderr.contains("bad.toml"),
                "{what}: message does not name the file: {stderr}"
            );
            assert!(
                stderr.contains(word),
                "{what}: message lacks `{word}`: {stderr}"
            );
            assert!(!stderr.contains("panicked"), "{what}: {stderr}");
            assert!(!out.exists(), "{what}: a result folder was left");
        }
    }
}

#[test]
fn semantic_errors_name_the_line() {
    let tmp = TempDir::new().unwrap();
    let file = write_file(
        tmp.path(),
        "bad.toml",
        &GOOD.replace("rate = 0.5", "rate = -1.0"),
    );
    let output = queuelab().arg("check").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad.toml:10:"), "{stderr}");
    assert!(stderr.contains("producers.p.interarrival"), "{stderr}");
}

#[test]
fn help_offers_only_what_each_command_accepts() {
    let help = |command: &str| {
        let output = queuelab().args([command, "--help"]).output().unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stdout).unwrap()
    };
    let plan = help("plan");
    assert!(plan.contains("plan.json"), "{plan}");
    assert!(
        !plan.contains("csv") && !plan.contains("results.json"),
        "{plan}"
    );
    let live = help("live");
    assert!(!live.contains("--shard"), "{live}");
    assert!(
        live.contains("--seconds") && live.contains("--format"),
        "{live}"
    );
    assert!(help("run").contains("--shard"));
    // What is not offered is refused as a usage error.
    let tmp = TempDir::new().unwrap();
    let file = write_file(tmp.path(), "good.toml", GOOD);
    for args in [["plan", "--format", "csv"], ["live", "--shard", "0/2"]] {
        let output = queuelab().args(args).arg(&file).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn bad_arguments_exit_2() {
    let tmp = TempDir::new().unwrap();
    let file = write_file(tmp.path(), "good.toml", GOOD);
    queuelab()
        .args(["run", "--format", "xml"])
        .arg(&file)
        .assert()
        .code(2);
    queuelab()
        .args(["run", "--replications", "0", "--quiet"])
        .arg(&file)
        .assert()
        .code(2);
    queuelab()
        .args(["check", "does-not-exist.toml"])
        .assert()
        .code(2);
    for command in ["live", "bench"] {
        queuelab()
            .args([command, "--seconds", "0"])
            .arg(&file)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(
                "'--seconds <SECONDS>': must be a number of seconds > 0, got 0",
            ));
    }
}

#[test]
fn bash_completion_completes_commands_and_options() {
    let script = queuelab().args(["completions", "bash"]).output().unwrap();
    assert!(script.status.success());
    let tmp = TempDir::new().unwrap();
    let path = write_file(
        tmp.path(),
        "queuelab.bash",
        &String::from_utf8_lossy(&script.stdout),
    );
    // As bash calls it: the command, the word being completed, the one before.
    let complete = |words: &str, current: usize| {
        let split: Vec<&str> = words.split(' ').collect();
        let line = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD={current}; _queuelab queuelab {} {}; echo ${{COMPREPLY[@]}}",
            path.display(),
            split[current],
            split[current - 1]
        );
        let output = std::process::Command::new("bash")
            .args(["-c", &line])
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap().trim().to_string()
    };
    assert_eq!(complete("queuelab ru", 1), "run");
    assert_eq!(complete("queuelab run --fo", 2), "--force --format");
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let output = queuelab().args(["completions", shell]).output().unwrap();
        assert!(
            output.status.success() && output.stdout.len() > 500,
            "{shell}"
        );
    }
}

#[test]
fn every_command_shows_examples_in_its_help() {
    for command in [
        "run",
        "theory",
        "check",
        "plot",
        "compare",
        "merge",
        "live",
        "plan",
        "fit",
        "completions",
    ] {
        let output = queuelab().args([command, "--help"]).output().unwrap();
        let help = String::from_utf8(output.stdout).unwrap();
        assert!(
            help.contains(&format!("queuelab {command}")),
            "{command}: {help}"
        );
    }
}

/// Without a broker's feature, `bench --broker` on it runs nothing and
/// says how to build it (exit 2).
#[test]
fn bench_without_its_feature_says_how_to_build_it() {
    let brokers = [
        (
            "rabbitmq",
            cfg!(feature = "rabbitmq"),
            "scenarios/bench-rabbitmq-prefetch1.toml",
        ),
        (
            "nats",
            cfg!(feature = "nats"),
            "scenarios/bench-nats-window1.toml",
        ),
    ];
    for (broker, _, file) in brokers.iter().filter(|(_, built, _)| !built) {
        let output = queuelab()
            .args(["bench", file, "--broker", broker])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{broker}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("cargo build --release --features {broker}")),
            "{stderr}"
        );
    }
}
