//! Errors in scenario files: each names the file, the line where known, the
//! key and what is allowed.

use std::fmt;
use std::path::PathBuf;

/// A scenario file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{}: cannot read the scenario file: {source}", file.display())]
    Read {
        /// The scenario file.
        file: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not fit the schema (unknown key,
    /// wrong type); the parser's message gives the line and the key.
    #[error("{}: {message}", file.display())]
    Syntax {
        /// The scenario file.
        file: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A value is out of range or inconsistent with the rest of the file.
    #[error("{}{}: {problem}", file.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        /// The scenario file.
        file: PathBuf,
        /// 1-based line of the offending key, where it can be found.
        line: Option<usize>,
        /// What is wrong.
        problem: Problem,
    },
}

/// A semantic problem at a dotted key path such as `queues.orders.consumers`.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Dotted path of the key; array elements are named by their `name`.
    pub key: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl Problem {
    /// A problem at `key`.
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            key: key.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "key `{}`: {}", self.key, self.message)
    }
}
