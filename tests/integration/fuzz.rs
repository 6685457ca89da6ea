//! Property tests of what reads untrusted input, the scenario reader and
//! the shard merge: every mutated input ends in a result or a clear error,
//! never a panic. `PROPTEST_CASES=N` runs N inputs per test (a few hundred
//! by default, to keep CI short).

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use queuelab::scenario;
use queuelab::shard::{self, ShardId};

use crate::common::mm1_text;

/// Text spliced into inputs: TOML structure, keys, and values at every
/// edge a reader must survive.
const TOKENS: &[&str] = &[
    "0",
    "-1",
    "1e308",
    "1e-320",
    "4294967295",
    "18446744073709551615",
    "1e999",
    "nan",
    "inf",
    "-inf",
    "0.9999999999",
    "1000000000000",
    "\"unlimited\"",
    "\"\"",
    "[[queues]]",
    "[[producers]]",
    "[[classes]]",
    "[sweep]",
    "[plan]",
    "[compare]",
    "capacity = ",
    "patience = { dist = \"exponential\", mean = 1.0 }",
    "consumers = ",
    "customers = ",
    "horizon = ",
    "warmup = ",
    "replications = ",
    "rate_profile = [{ until = 1.0, rate = 1e10 }]",
    "closed = { population = 4294967295, think = { dist = \"deterministic\", value = 0.0 } }",
    "next = [{ to = \"x\", p = 1.0 }]",
    "{",
    "}",
    "[",
    "]",
    "=",
    "\"",
    "\n",
    ".",
    "\u{0}",
    "\u{1b}[31m",
];

/// One edit of a text.
#[derive(Clone, Debug)]
enum Edit {
    /// Put a token at a position (a fraction of the length).
    Insert(f64, usize),
    /// Replace the number nearest a position by a token.
    ReplaceNumber(f64, usize),
    /// Remove a line.
    DeleteLine(f64),
    /// Repeat a line.
    DuplicateLine(f64),
    /// Cut the text short.
    Truncate(f64),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        (0.0..1.0, 0..TOKENS.len()).prop_map(|(at, t)| Edit::Insert(at, t)),
        (0.0..1.0, 0..TOKENS.len()).prop_map(|(at, t)| Edit::ReplaceNumber(at, t)),
        (0.0..1.0).prop_map(Edit::DeleteLine),
        (0.0..1.0).prop_map(Edit::DuplicateLine),
        (0.0..1.0).prop_map(Edit::Truncate),
    ];
    prop::collection::vec(edit, 1..6)
}

/// The char boundary nearest `fraction` of `text`.
fn boundary(text: &str, fraction: f64) -> usize {
    let mut at = ((text.len() as f64) * fraction) as usize;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut text = text.to_string();
    for edit in edits {
        match *edit {
            Edit::Insert(at, token) => {
                let at = boundary(&text, at);
                text.insert_str(at, TOKENS[token]);
            }
            Edit::ReplaceNumber(at, token) => {
                let at = boundary(&text, at);
                let start = text[at..]
                    .find(|c: char| c.is_ascii_digit())
                    .map(|i| at + i);
                if let Some(start) = start {
                    let end = text[start..]
                        .find(|c: char| !(c.is_ascii_alphanumeric() || "._-+".contains(c)))
                        .map_or(text.len(), |i| start + i);
                    text.replace_range(start..end, TOKENS[token]);
                }
            }
            Edit::DeleteLine(at) | Edit::DuplicateLine(at) => {
                let mut lines: Vec<&str> = text.lines().collect();
                if lines.is_empty() {
                    continue;
                }
                let index = ((lines.len() as f64) * at) as usize % lines.len();
                if matches!(edit, Edit::DeleteLine(_)) {
                    lines.remove(index);
                } else {
                    lines.insert(index, lines[index]);
                }
                text = lines.join("\n");
            }
            Edit::Truncate(at) => {
                let at = boundary(&text, at);
                text.truncate(at);
            }
        }
    }
    text
}

/// Every shipped scenario: its path (data files resolve beside it) and text.
fn shipped() -> &'static [(PathBuf, String)] {
    static SHIPPED: OnceLock<Vec<(PathBuf, String)>> = OnceLock::new();
    SHIPPED.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut files: Vec<(PathBuf, String)> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .map(|p| {
                let text = fs::read_to_string(&p).unwrap();
                (p, text)
            })
            .collect();
        files.sort();
        files
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(400),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_scenario_reader_never_panics(file in 0..64usize, edits in edits()) {
        let (path, text) = &shipped()[file % shipped().len()];
        let mutated = apply(text, &edits);
        let read = catch_unwind(AssertUnwindSafe(|| {
            scenario::parse(path, mutated.clone()).map(|s| s.points.len())
        }));
        prop_assert!(read.is_ok(), "panicked on:\n{mutated}");
    }
}

/// A tiny run split into 3 shards, as written to disk.
fn shard_texts() -> &'static [String] {
    static TEXTS: OnceLock<Vec<String>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        let text = mm1_text!(
            "fuzz",
            "seed = 3
replications = 3
customers = 300
warmup = 30
",
            "[sweep]
load = [0.5, 0.8]
",
        );
        let scenario = scenario::parse(Path::new("fuzz.toml"), text.to_string()).unwrap();
        (0..3)
            .map(|index| {
                let file = shard::run(&scenario, ShardId { index, count: 3 }, &|| {});
                serde_json::to_string(&file).unwrap()
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse::<u32>().ok()).map_or(100, |c| c / 4 + 1),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn merging_damaged_shards_never_panics(
        damaged in 0..3usize,
        edits in edits(),
        drop_one in proptest::option::of(0..3usize),
    ) {
        let tmp = tempfile::TempDir::new().unwrap();
        let folder = tmp.path().join(shard::SHARDS_DIR);
        fs::create_dir(&folder).unwrap();
        for (index, text) in shard_texts().iter().enumerate() {
            if drop_one == Some(index) {
                continue;
            }
            let text = if index == damaged { apply(text, &edits) } else { text.clone() };
            fs::write(folder.join(format!("{index}.json")), text).unwrap();
        }
        let merged = catch_unwind(AssertUnwindSafe(|| {
            shard::merge(tmp.path(), None).map(|m| m.simulations.len())
        }));
        prop_assert!(merged.is_ok(), "merge panicked after {edits:?}");
        if let Ok(Err(error)) = merged {
            prop_assert!([1, 2, 3, 4].contains(&error.exit_code()));
            prop_assert!(error.to_string().len() < 2_000, "{error}");
        }
    }
}
