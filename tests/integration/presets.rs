//! Broker presets: every file in `tests/data/presets/*.toml` expands
//! (`queuelab expand`) into exactly its pinned `*.expanded.toml`, and the
//! expanded text is the same model as the preset; bad broker settings are
//! refused naming the setting.

use std::path::{Path, PathBuf};

use super::common::{assert_succeeded, queuelab};
use queuelab::scenario;

const DIR: &str = "tests/data/presets";

/// The preset files (not their expansions), sorted.
fn presets() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension().is_some_and(|e| e == "toml")
                && !path.to_string_lossy().ends_with(".expanded.toml")
        })
        .collect();
    files.sort();
    files
}

fn expanded_path(preset: &Path) -> PathBuf {
    preset.with_extension("expanded.toml")
}

#[test]
fn each_preset_expands_into_its_pinned_text() {
    let files = presets();
    assert!(!files.is_empty(), "no presets in {DIR}");
    for preset in files {
        let output = queuelab().arg("expand").arg(&preset).output().unwrap();
        assert_succeeded(&output);
        let expected = std::fs::read_to_string(expanded_path(&preset)).unwrap_or_default();
        assert_eq!(
            String::from_utf8(output.stdout).unwrap(),
            expected,
            "{} no longer expands as pinned; if the change is intended, re-pin with\n  cargo run --release -- expand {} > {}",
            preset.display(),
            preset.display(),
            expanded_path(&preset).display()
        );
    }
}

#[test]
fn an_expansion_is_the_same_model_as_its_preset() {
    for preset in presets() {
        let original = scenario::load(&preset).unwrap();
        let expanded = scenario::load(&expanded_path(&preset)).unwrap();
        for (a, b) in original.points.iter().zip(&expanded.points) {
            assert_eq!(
                format!("{:?}", a.model),
                format!("{:?}", b.model),
                "{}",
                preset.display()
            );
        }
    }
}

/// The preset `file` with `from` replaced by `to`, checked: refused with
/// exit 2, returning the error.
fn check_edited(file: &str, from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(format!("{DIR}/{file}"))
        .unwrap()
        .replace(from, to);
    let file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    std::fs::write(file.path(), text).unwrap();
    let output = queuelab().arg("check").arg(file.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{from} -> {to} was accepted");
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn bad_broker_settings_are_refused_naming_the_setting() {
    let cases = [
        (
            "version = \"3.10\"",
            "version = \"2.8\"",
            "brokers.orders.version",
            "3.x",
        ),
        (
            "version = \"3.10\"",
            "version = \"3.-1\"",
            "brokers.orders.version",
            "got \"3.-1\"",
        ),
        (
            "version = \"3.10\"",
            "version = \"4.0-rc\"",
            "brokers.orders.version",
            "got \"4.0-rc\"",
        ),
        (
            "x-message-ttl",
            "x-message-tll",
            "brokers.orders.x-message-tll",
            "allowed: `ack`, `auto-ack`, `backlog`",
        ),
        (
            "consumers = 2",
            "consumers = 0",
            "brokers.orders.consumers",
            ">= 1",
        ),
        (
            "x-message-ttl = 60000",
            "x-message-ttl = -1",
            "brokers.orders.x-message-ttl",
            ">= 0",
        ),
        (
            "time_unit = \"ms\"",
            "time_unit = \"ticks\"",
            "brokers.orders.x-message-ttl",
            "milliseconds",
        ),
        (
            "kind = \"rabbitmq\"",
            "kind = \"activemq\"",
            "activemq",
            "rabbitmq",
        ),
    ];
    for (from, to, key, allowed) in cases {
        let error = check_edited("rabbitmq-3.10.toml", from, to);
        assert!(
            error.contains(key) && error.contains(allowed),
            "{from} -> {to}: {error}"
        );
    }
}

#[test]
fn kafka_and_rocketmq_settings_outside_the_model_are_refused_with_the_reason() {
    let kafka = [
        (
            "version = \"3.9\"",
            "version = \"2.8\"",
            "brokers.events.version",
            "3.x (e.g. \"3.9\"), 4.x",
        ),
        (
            "partitions = 6",
            "partitions = 6\n\"partition.assignment.strategy\" = \"uniform\"",
            "brokers.events.partition.assignment.strategy",
            "`roundrobin`",
        ),
        (
            "partitions = 6",
            "partitions = 6\nprefetch = 10",
            "brokers.events.prefetch",
            "not a Kafka setting",
        ),
        (
            "partitions = 6",
            "partitions = 6\n\"fetch.min.bytes\" = 4096",
            "brokers.events.record_bytes",
            "a record's size in bytes",
        ),
    ];
    for (from, to, key, reason) in kafka {
        let error = check_edited("kafka-3.9.toml", from, to);
        assert!(
            error.contains(key) && error.contains(reason),
            "{to}: {error}"
        );
    }
    let rocketmq = [
        (
            "version = \"5.3\"",
            "version = \"4.9\"",
            "brokers.payments.failure",
            "delayed retries over balanced queues are not modelled",
        ),
        (
            "consumers = 2",
            "consumers = 2\nreadQueueNums = 8\nwriteQueueNums = 16",
            "brokers.payments.writeQueueNums",
            "never consumed",
        ),
        (
            "consumers = 2",
            "consumers = 2\nmessageListener = \"orderly\"\nconsumeThreadMin = 4",
            "brokers.payments.consumeThreadMin",
            "8 of the 16 queues",
        ),
    ];
    for (from, to, key, reason) in rocketmq {
        let error = check_edited("rocketmq-5.3.toml", from, to);
        assert!(
            error.contains(key) && error.contains(reason),
            "{to}: {error}"
        );
    }
}

#[test]
fn rabbitmq_nack_settings_outside_their_queue_type_are_refused() {
    let cases = [
        (
            "rabbitmq-3.10-nack.toml",
            "x-queue-type = \"quorum\"\n",
            "",
            "brokers.orders.x-delivery-limit",
            "quorum queues only",
        ),
        (
            "rabbitmq-4.1-quorum.toml",
            "prefetch = 10",
            "prefetch = 10\nx-max-length = 50\nx-overflow = \"reject-publish-dlx\"",
            "brokers.orders.x-overflow",
            "quorum queues do not support",
        ),
        (
            "rabbitmq-3.10-reject.toml",
            "failure = 0.05\n",
            "",
            "brokers.reports.requeue",
            "set `failure`",
        ),
        (
            "rabbitmq-3.10-reject.toml",
            "requeue = false\nx-dead",
            "requeue = \"no\"\nx-dead",
            "brokers.orders.requeue",
            "true or false",
        ),
        (
            "rabbitmq-3.10-reject.toml",
            "requeue = false\nx-dead",
            "requeue = false\nx-queue-type = \"quorum\"\nx-delivery-limit = 3\nx-dead",
            "brokers.orders.x-delivery-limit",
            "nothing is redelivered",
        ),
        (
            "rabbitmq-4.1-quorum.toml",
            "x-queue-type = \"quorum\"",
            "x-queue-type = \"stream\"",
            "brokers.orders.x-queue-type",
            "`classic`, `quorum`",
        ),
        (
            "rabbitmq-4.1-quorum.toml",
            "prefetch = 10",
            "prefetch = 10\nx-max-length = 50",
            "retry.requeue",
            "drop-head",
        ),
    ];
    assert_each_refused(&cases);
}

/// Each `(file, from, to, key, reason)`: the preset `file` edited from
/// `from` to `to` is refused with an error naming `key` and `reason`.
fn assert_each_refused(cases: &[(&str, &str, &str, &str, &str)]) {
    for (file, from, to, key, reason) in cases {
        let error = check_edited(file, from, to);
        assert!(
            error.contains(key) && error.contains(reason),
            "{to}: {error}"
        );
    }
}

#[test]
fn rabbitmq_window_settings_are_refused_naming_the_setting() {
    let cases = [
        (
            "rabbitmq-3.10-windows.toml",
            "prefetch = 10\nack = { dist = \"deterministic\", value = 0.5 }",
            "auto-ack = true",
            "brokers.orders.delivery",
            "`auto-ack` = true has no window",
        ),
        (
            "rabbitmq-3.10-windows.toml",
            "delivery = { dist = \"deterministic\", value = 0.5 }",
            "delivery = { dist = \"deterministic\", value = -0.5 }",
            "`delivery`",
            ">= 0, got -0.5",
        ),
        (
            "rabbitmq-3.10-windows.toml",
            "prefetch = 10",
            "prefetch = 70000",
            "brokers.orders.prefetch",
            "from 0 (unlimited) to 65535 (basic.qos is 16-bit), got 70000",
        ),
    ];
    assert_each_refused(&cases);
}

#[test]
fn miswritten_settings_are_refused_naming_their_own_key_and_the_fix() {
    let cases = [
        (
            "kafka-3.9.toml",
            "\"max.poll.records\" = 100",
            "max.poll.records = 100",
            ".toml:18: key `brokers.events.max.poll.records`",
            "write it quoted, `\"max.poll.records\" = 100`",
        ),
        (
            "kafka-3.9-groups.toml",
            "\"max.poll.records\" = 50",
            "max.poll.records = 50",
            "brokers.events.groups.search.max.poll.records",
            "write it quoted, `\"max.poll.records\" = 50`",
        ),
        (
            "rabbitmq-3.10-windows.toml",
            "ack = { dist = \"deterministic\", value = 0.5 }",
            "ack = \"fast\"",
            ".toml:17: key `brokers.orders.ack`",
            "must be a distribution such as { dist = \"exponential\", mean = 0.01 }, got \"fast\"",
        ),
        (
            "rabbitmq-3.10-windows.toml",
            "ack = { dist = \"deterministic\", value = 0.5 }",
            "ack = { dist = \"fast\" }",
            "brokers.orders.ack",
            "unknown variant `fast`, expected one of `exponential`",
        ),
        (
            "kafka-3.9.toml",
            "service = { dist = \"exponential\", mean = 1.0 }",
            "service = \"slow\"",
            "brokers.events.service",
            "must be a distribution",
        ),
        (
            "rabbitmq-3.10-nack.toml",
            "failure = 0.2",
            "failure = 1.5",
            ".toml:24: key `brokers.orders.failure`",
            "in [0, 1)",
        ),
        (
            "rocketmq-5.3.toml",
            "failure = 0.1",
            "failure = 1.5",
            "brokers.payments.failure",
            "in [0, 1)",
        ),
    ];
    assert_each_refused(&cases);
}

#[test]
fn kafka_consumer_groups_are_refused_naming_the_group_and_setting() {
    let cases = [
        (
            "\"group.id\" = \"search\"",
            "\"group.id\" = \"audit\"",
            "brokers.events.groups.audit.group.id",
            "used twice",
        ),
        (
            "\"group.id\" = \"search\"",
            "\"group.id\" = \"events\"",
            "brokers.events.groups.events.group.id",
            "used twice",
        ),
        (
            "\"group.id\" = \"search\", ",
            "",
            "brokers.events.groups[1].group.id",
            "required",
        ),
        (
            "\"max.poll.records\" = 50",
            "prefetch = 50",
            "brokers.events.groups.search.prefetch",
            "not a Kafka consumer group setting",
        ),
        (
            "consumers = 1,",
            "consumers = 0,",
            "brokers.events.groups.search.consumers",
            ">= 1",
        ),
        (
            "mean = 0.2 }",
            "mean = -0.2 }",
            "brokers.events.groups.search",
            "expanded into `service`",
        ),
    ];
    for (from, to, key, reason) in cases {
        let error = check_edited("kafka-3.9-groups.toml", from, to);
        assert!(
            error.contains(key) && error.contains(reason),
            "{from} -> {to}: {error}"
        );
    }
}

#[test]
fn retry_topic_and_orderly_retry_settings_are_refused_naming_the_setting() {
    let kafka = [
        (
            "retry_topics = { failure = 0.1 }",
            "retry_topics = 0.1",
            "brokers.events.retry_topics",
            "must be a table",
        ),
        (
            "retry_topics = { failure = 0.1 }",
            "retry_topics = { attempts = 3 }",
            "brokers.events.retry_topics.failure",
            "required",
        ),
        (
            "retry_topics = { failure = 0.1 }",
            "retry_topics = { failure = 0.0 }",
            "brokers.events.retry_topics.failure",
            "remove `retry_topics`",
        ),
        (
            "retry_topics = { failure = 0.1 }",
            "retry_topics = { failure = 1.5 }",
            "brokers.events.retry_topics.failure",
            "at most 1",
        ),
        (
            "retry_topics = { failure = 0.1 }",
            "retry_topics = { failure = 0.1, attempts = 0 }",
            "brokers.events.retry_topics.attempts",
            ">= 1",
        ),
        (
            "retry_topics = { failure = 0.1 }",
            "retry_topics = { failure = 0.1, attempts = 101 }",
            "brokers.events.retry_topics.attempts",
            "from 1 to 100",
        ),
        (
            "retry_topics = { failure = 0.1 }",
            "retry_topics = { failure = 0.1, delay = -5 }",
            "brokers.events.retry_topics.delay",
            ">= 0",
        ),
        (
            "retry_topics = { failure = 0.1 }",
            "retry_topics = { failure = 0.1, maxDelay = 5000 }",
            "brokers.events.retry_topics.maxDelay",
            "give `multiplier`",
        ),
        (
            "retry_topics = { failure = 0.1 }",
            "retry_topics = { failure = 0.1, concurrency = 0 }",
            "brokers.events.retry_topics.concurrency",
            ">= 1",
        ),
        (
            "retry_topics = { failure = 0.1 }",
            "retry_topics = { failure = 0.1, backoff = 100 }",
            "brokers.events.retry_topics.backoff",
            "`attempts`, `concurrency`, `delay`, `dlt_service`, `failure`, `maxDelay`, `multiplier`",
        ),
    ];
    for (from, to, key, reason) in kafka {
        let error = check_edited("kafka-3.9-retry-topics.toml", from, to);
        assert!(
            error.contains(key) && error.contains(reason),
            "{to}: {error}"
        );
    }
    let rocketmq = [
        (
            "messageListener = \"orderly\"",
            "suspendCurrentQueueTimeMillis = 500",
            "brokers.payments.suspendCurrentQueueTimeMillis",
            "only an orderly consumer",
        ),
        (
            "failure = 0.002",
            "failure = 0.002\nsuspendCurrentQueueTimeMillis = -1",
            "brokers.payments.suspendCurrentQueueTimeMillis",
            ">= 0",
        ),
        (
            "failure = 0.002",
            "failure = 0.002\nmaxReconsumeTimes = -2",
            "brokers.payments.maxReconsumeTimes",
            ">= -1",
        ),
    ];
    for (from, to, key, reason) in rocketmq {
        let error = check_edited("rocketmq-4.9-orderly.toml", from, to);
        assert!(
            error.contains(key) && error.contains(reason),
            "{to}: {error}"
        );
    }
}

/// The shipped scenarios with `[[brokers]]` whose sweep varies a broker
/// setting, sorted.
fn broker_sweeps() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            path.extension().is_some_and(|e| e == "toml")
                && text.contains("[[brokers]]")
                && text.contains("parameter = \"brokers.")
        })
        .collect();
    files.sort();
    files
}

/// `queuelab run FILE` with two replications, as JSON, without the swept
/// parameters' names (the expansion names queue keys, not broker settings).
fn results_without_parameters(file: &Path) -> serde_json::Value {
    let output = queuelab()
        .args(["run", "--replications", "2", "--no-charts", "--quiet"])
        .args(["--format", "json", "--out"])
        .arg(tempfile::tempdir().unwrap().path().join("out"))
        .arg(file)
        .output()
        .unwrap();
    assert_succeeded(&output);
    let mut results: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for point in results["points"].as_array_mut().unwrap() {
        point.as_object_mut().unwrap().remove("parameters");
    }
    results
}

#[test]
fn an_expanded_broker_sweep_runs_with_the_same_results() {
    let files = broker_sweeps();
    assert!(files.len() >= 4, "broker sweeps: {files:?}");
    for original in files {
        let output = queuelab().arg("expand").arg(&original).output().unwrap();
        assert_succeeded(&output);
        let text = String::from_utf8(output.stdout).unwrap();
        let sweeps_brokers = text
            .lines()
            .filter(|line| !line.trim_start().starts_with('#'))
            .any(|line| line.contains("parameter = \"brokers."));
        assert!(!sweeps_brokers, "{text}");
        let dir = tempfile::tempdir().unwrap();
        let expanded = dir.path().join("expanded.toml");
        std::fs::write(&expanded, &text).unwrap();
        assert_eq!(
            results_without_parameters(&original),
            results_without_parameters(&expanded),
            "{}",
            original.display()
        );
    }
}

#[test]
fn a_broker_sweep_one_queue_sweep_cannot_write_says_so_at_the_top() {
    // Both versions expand a classic queue the same way: no key to sweep.
    let text = std::fs::read_to_string("scenarios/rabbitmq-nack-requeue.toml")
        .unwrap()
        .replace("\"brokers.orders.prefetch\"", "\"brokers.orders.version\"")
        .replace("values = [1, 10, 50]", "values = [\"3.10\", \"4.1\"]");
    let dir = tempfile::tempdir().unwrap();
    let file = super::common::write_file(dir.path(), "versions.toml", &text);
    super::common::check_passes(&file);
    let output = queuelab().arg("expand").arg(&file).output().unwrap();
    assert_succeeded(&output);
    let printed = String::from_utf8(output.stdout).unwrap();
    assert!(
        printed.starts_with("# NOTE: this expansion does NOT run as printed")
            && printed.contains("queuelab run"),
        "{printed}"
    );
    let expanded = super::common::write_file(dir.path(), "expanded.toml", &printed);
    super::common::refuses(&["check"], &expanded, &["brokers.orders.version"]);
}

#[test]
fn expanding_a_file_without_brokers_says_there_is_nothing_to_expand() {
    let file = Path::new("scenarios/mm1-load-sweep.toml");
    let output = queuelab().arg("expand").arg(file).output().unwrap();
    assert_succeeded(&output);
    assert_eq!(output.stdout, std::fs::read(file).unwrap());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("nothing to expand"), "{stderr}");
}
