//! A broker's settings as written under `[[brokers]]`, read by name with
//! their type and range checked; every error names the setting's dotted key
//! (`brokers.<name>.<setting>`) and what is allowed.

use std::cell::RefCell;

use serde::Deserialize;

use super::super::Problem;
use super::super::spec::DistSpec;

/// The settings table of one broker, with a record of the settings read.
pub(super) struct Settings<'a> {
    broker: &'a str,
    table: &'a toml::Table,
    read: RefCell<Vec<&'static str>>,
}

impl<'a> Settings<'a> {
    /// The settings of broker `broker`.
    pub(super) fn new(broker: &'a str, table: &'a toml::Table) -> Self {
        Settings {
            broker,
            table,
            read: RefCell::new(Vec::new()),
        }
    }

    /// The broker's name (for a consumer group of a topic,
    /// `<topic>.groups.<group>`), as keys name it.
    pub(super) fn broker(&self) -> &str {
        self.broker
    }

    /// The dotted key of `setting`, as errors name it.
    pub(super) fn key(&self, setting: &str) -> String {
        format!("brokers.{}.{setting}", self.broker)
    }

    /// A problem with `setting`.
    pub(super) fn problem(&self, setting: &str, message: impl Into<String>) -> Problem {
        Problem::new(self.key(setting), message)
    }

    /// `setting` as written, if present (any type: passed on as is).
    pub(super) fn value(&self, setting: &'static str) -> Option<&'a toml::Value> {
        self.read.borrow_mut().push(setting);
        self.table.get(setting)
    }

    /// `setting` as a whole number of at least `min`, if present.
    pub(super) fn count(&self, setting: &'static str, min: i64) -> Result<Option<i64>, Problem> {
        let Some(value) = self.value(setting) else {
            return Ok(None);
        };
        match value.as_integer() {
            Some(count) if count >= min => Ok(Some(count)),
            _ => Err(self.problem(
                setting,
                format!("must be a whole number >= {min}, got {value}"),
            )),
        }
    }

    /// `setting` as a number of at least `min`, if present.
    pub(super) fn number(&self, setting: &'static str, min: f64) -> Result<Option<f64>, Problem> {
        let Some(value) = self.value(setting) else {
            return Ok(None);
        };
        match number_of(value) {
            Some(number) if number.is_finite() && number >= min => Ok(Some(number)),
            _ => Err(self.problem(setting, format!("must be a number >= {min}, got {value}"))),
        }
    }

    /// `setting` as a share of deliveries, in [0, 1), if present.
    pub(super) fn share(&self, setting: &'static str) -> Result<Option<f64>, Problem> {
        let Some(value) = self.value(setting) else {
            return Ok(None);
        };
        match number_of(value) {
            Some(share) if (0.0..1.0).contains(&share) => Ok(Some(share)),
            _ => Err(self.problem(
                setting,
                format!(
                    "must be a share of deliveries in [0, 1) (at 1 every delivery fails), got {value}"
                ),
            )),
        }
    }

    /// `setting` as a distribution, if present (passed on as written).
    pub(super) fn dist(&self, setting: &'static str) -> Result<Option<&'a toml::Value>, Problem> {
        let Some(value) = self.value(setting) else {
            return Ok(None);
        };
        match DistSpec::deserialize(value.clone()) {
            Ok(_) => Ok(Some(value)),
            Err(error) => {
                // A table's error is the one a `[[queues]]` entry gets (an
                // unknown `dist`, a missing parameter); another type's
                // names serde's enum, which says nothing to the user.
                let why = if value.is_table() {
                    format!(": {}", error.message())
                } else {
                    String::new()
                };
                Err(self.problem(setting, format!("{DIST_EXAMPLE}, got {value}{why}")))
            }
        }
    }

    /// `setting` as one of the words of `allowed`, if present.
    pub(super) fn word(
        &self,
        setting: &'static str,
        allowed: &[&'static str],
    ) -> Result<Option<&'static str>, Problem> {
        let Some(value) = self.value(setting) else {
            return Ok(None);
        };
        let found = value
            .as_str()
            .and_then(|text| allowed.iter().find(|word| **word == text));
        found.copied().map(Some).ok_or_else(|| {
            self.problem(
                setting,
                format!("must be one of {}, got {value}", quoted(allowed)),
            )
        })
    }

    /// `setting` as true or false, if present.
    pub(super) fn flag(&self, setting: &'static str) -> Result<Option<bool>, Problem> {
        let Some(value) = self.value(setting) else {
            return Ok(None);
        };
        value
            .as_bool()
            .map(Some)
            .ok_or_else(|| self.problem(setting, format!("must be true or false, got {value}")))
    }

    /// `setting` as text (a name), if present.
    pub(super) fn text(&self, setting: &'static str) -> Result<Option<&'a str>, Problem> {
        let Some(value) = self.value(setting) else {
            return Ok(None);
        };
        value
            .as_str()
            .map(Some)
            .ok_or_else(|| self.problem(setting, format!("must be a name in quotes, got {value}")))
    }

    /// Refuses any setting that was not read: not one `kind` knows.
    pub(super) fn refuse_others(&self, kind: &str) -> Result<(), Problem> {
        let read = self.read.borrow();
        match self.table.keys().find(|k| !read.contains(&k.as_str())) {
            None => Ok(()),
            Some(unknown) => {
                if let Some((setting, value)) = unquoted(unknown, &self.table[unknown], &read) {
                    return Err(self.problem(
                        &setting,
                        format!(
                            "a {kind} setting written without quotes, which TOML reads as tables nested at each dot: write it quoted, `\"{setting}\" = {value}`"
                        ),
                    ));
                }
                let mut known: Vec<&str> = read.clone();
                known.sort_unstable();
                known.dedup();
                Err(self.problem(
                    unknown,
                    format!(
                        "not a {kind} setting queuelab models; allowed: {}",
                        quoted(&known)
                    ),
                ))
            }
        }
    }
}

/// What a distribution setting must be, as errors say.
const DIST_EXAMPLE: &str = "must be a distribution such as { dist = \"exponential\", mean = 0.01 }";

/// A dotted setting of `known` written without quotes (`max.poll.records =
/// 100` is the table `max` holding `poll.records`): the setting `path`
/// spells with the dotted keys inside `value`, and the value written.
fn unquoted(path: &str, value: &toml::Value, known: &[&str]) -> Option<(String, toml::Value)> {
    let toml::Value::Table(table) = value else {
        return known
            .contains(&path)
            .then(|| (path.to_string(), value.clone()));
    };
    table
        .iter()
        .find_map(|(key, inner)| unquoted(&format!("{path}.{key}"), inner, known))
}

/// Words in backticks, comma separated.
pub(super) fn quoted(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `value` as a number, a float or a whole number.
fn number_of(value: &toml::Value) -> Option<f64> {
    value
        .as_float()
        .or_else(|| value.as_integer().map(|i| i as f64))
}
