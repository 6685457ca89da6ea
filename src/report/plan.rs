//! The plan's answer as a document (plan.json, described in the README) and
//! as an aligned table.

use super::comparison::interval_text;
use super::terminal::WIDTH;
use crate::plan::{Candidate, Measured, PlanDocument, ScheduleBlock, Source};
use crate::text::number;
use crate::text::{decided, wrap};

/// `queue=consumers` pairs.
fn allocation_text(allocation: &std::collections::BTreeMap<String, u32>) -> String {
    let pairs: Vec<String> = allocation
        .iter()
        .map(|(queue, consumers)| format!("{queue}={consumers}"))
        .collect();
    pairs.join(" ")
}

/// The target names of `metrics`, in first-seen order.
fn metric_names<'a>(
    metrics: impl Iterator<Item = &'a std::collections::BTreeMap<String, Measured>>,
) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in metrics.flat_map(|m| m.keys()) {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    names
}

/// A target's value as text: a formula value, or a mean with its interval.
fn measured_text(measured: &Measured) -> String {
    match measured {
        Measured::Value(value) => number(*value),
        Measured::Interval(i) => interval_text(Some(i)),
    }
}

/// The consumer schedule as aligned text: a line per step, then the
/// scenario line and its cost.
fn schedule_text(schedule: &ScheduleBlock, status: &str, time_unit: &str) -> String {
    let period_end = schedule.steps.last().map_or(0.0, |s| s.end);
    let names = metric_names(schedule.steps.iter().map(|s| &s.metrics));
    let mut headers = vec![
        "interval".to_string(),
        "arrival rate".into(),
        "theory (pointwise)".into(),
        "consumers".into(),
        "status".into(),
    ];
    headers.extend(names.iter().map(|n| format!("{n} (worst interval)")));
    let lines = schedule.steps.iter().map(|step| {
        let mut cells = vec![
            crate::units::span_text(step.start, step.end, time_unit, period_end),
            number(step.arrival_rate),
            step.theory_consumers
                .map_or_else(|| "-".into(), |c| c.to_string()),
            step.consumers.to_string(),
            format!("{:?}", step.status).to_lowercase(),
        ];
        cells.extend(names.iter().map(|name| {
            step.metrics
                .get(name)
                .map_or_else(|| "-".into(), measured_text)
        }));
        cells
    });
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut text = format!("\nschedule for queue {} ({status}):\n", schedule.queue);
    text.push_str(&crate::text::aligned(&header_refs, lines));
    // The scenario line stays whole, to be pasted; the prose is wrapped.
    text.push_str(&format!(
        "\npaste into [[queues]] {}:\n{}",
        schedule.queue,
        paste_text(&schedule.scenario_line)
    ));
    let cost = format!(
        "consumer-time per period: {} consumer-{time_unit} ({:.0}% of keeping the peak's consumers all period: {}); {} simulation round(s), the last judged on {} replications (run the pasted schedule with `replications = {}` to reproduce its verdicts)",
        number(schedule.consumer_time),
        100.0 * schedule.consumer_time / schedule.peak_consumer_time,
        number(schedule.peak_consumer_time),
        schedule.rounds,
        schedule.replications,
        schedule.replications
    );
    text.push_str(&wrap(&cost, WIDTH, "  "));
    text
}

/// A `key = [{ .. }, { .. }]` scenario line indented to paste, one
/// element per line where the line would pass [`WIDTH`] (a TOML array may
/// span lines; an inline table may not).
fn paste_text(line: &str) -> String {
    let split = line
        .strip_suffix("}]")
        .and_then(|rest| rest.split_once(" = [{"));
    match split {
        Some((key, items)) if line.chars().count() + 2 > WIDTH => {
            let items: Vec<String> = items
                .split("}, {")
                .map(|item| format!("    {{{item}}},\n"))
                .collect();
            format!("  {key} = [\n{}  ]\n", items.concat())
        }
        _ => format!("  {line}\n"),
    }
}

/// A candidate's status, and where exact theory decided for an uncertain
/// simulation, that it did.
fn status_text(candidate: &Candidate) -> String {
    let status = format!("{:?}", candidate.status).to_lowercase();
    let by_theory = candidate.source == Source::Simulation
        && candidate.note.is_some()
        && !candidate.metrics.is_empty();
    if by_theory {
        format!("{status}, theory meets")
    } else {
        status
    }
}

/// The plan as aligned text (times of a schedule in `time_unit`): the
/// candidates, then the recommendation.
pub fn plan_table(document: &PlanDocument, time_unit: &str) -> String {
    let names = metric_names(document.candidates.iter().map(|c| &c.metrics));
    let allocated = document.candidates.iter().any(|c| c.allocation.is_some());
    let scheduled = document.candidates.iter().any(|c| c.schedule.is_some());
    let paired = document.candidates.iter().any(|c| c.consumers.is_some());
    let mut headers = vec!["value".to_string()];
    if paired {
        headers.push("consumers".into());
    }
    headers.extend(["source".to_string(), "status".into()]);
    if allocated {
        headers.push("consumers per queue".into());
    }
    if scheduled {
        headers.push("consumers per step".into());
    }
    headers.extend(names.iter().cloned());
    let lines = document.candidates.iter().map(|candidate| {
        let mut cells = vec![decided(candidate.value)];
        if paired {
            cells.push(
                candidate
                    .consumers
                    .map_or_else(String::new, |c| c.to_string()),
            );
        }
        cells.extend([
            match candidate.source {
                Source::Theory => "theory".to_string(),
                Source::Simulation => candidate
                    .replications
                    .map_or_else(|| "simulation".into(), |n| format!("simulation ({n} rep.)")),
            },
            status_text(candidate),
        ]);
        if allocated {
            cells.push(
                candidate
                    .allocation
                    .as_ref()
                    .map_or_else(String::new, allocation_text),
            );
        }
        if scheduled {
            let steps: Vec<String> = candidate
                .schedule
                .iter()
                .flatten()
                .map(u32::to_string)
                .collect();
            cells.push(steps.join(" "));
        }
        cells.extend(names.iter().map(|name| {
            candidate.metrics.get(name).map_or_else(
                || candidate.note.clone().unwrap_or_else(|| "-".into()),
                measured_text,
            )
        }));
        cells
    });
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut text = format!(
        "plan {}: {} for {}\n\n",
        document.scenario,
        document.decision.parameter,
        document.targets.join(" and ")
    );
    text.push_str(&crate::text::aligned(&header_refs, lines));
    let with_consumers = document
        .decision
        .consumers
        .map_or_else(String::new, |c| format!(" with {c} consumers"));
    let mut recommendation = format!(
        "recommendation: {} = {}{with_consumers} ({})",
        document.decision.parameter,
        decided(document.decision.value),
        document.decision.status
    );
    if document.schedule.is_some() {
        recommendation.push_str(" at the peak of the schedule below");
    }
    if let Some(allocation) = &document.decision.allocation {
        recommendation.push_str(&format!(" ({})", allocation_text(allocation)));
    }
    if let Some(headroom) = document.headroom {
        recommendation.push_str(&format!(
            "; headroom: the load can grow {:.1}% before a target fails (theory)",
            headroom * 100.0
        ));
    }
    text.push('\n');
    text.push_str(&wrap(&recommendation, WIDTH, "  "));
    if let Some(explanation) = &document.decision.explanation {
        text.push_str(&wrap(&format!("why this pair: {explanation}"), WIDTH, "  "));
    }
    if let Some(reason) = &document.reason {
        text.push_str(&wrap(&format!("why: {reason}"), WIDTH, "  "));
    }
    if let Some(note) = &document.note {
        text.push_str(&wrap(&format!("note: {note}"), WIDTH, "  "));
    }
    if let Some(schedule) = &document.schedule {
        text.push_str(&schedule_text(
            schedule,
            &document.decision.status,
            time_unit,
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_schedule_line_is_pasted_over_several_lines_with_the_same_value() {
        let steps: Vec<String> = (1..=9)
            .map(|k| format!("{{ until = {}, consumers = {k} }}", k * 3600))
            .collect();
        let line = format!("consumers_schedule = [{}]", steps.join(", "));
        let text = paste_text(&line);
        assert!(text.lines().count() > 9, "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= WIDTH), "{text}");
        let one: toml::Table = toml::from_str(&line).unwrap();
        let many: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(one, many);
        assert_eq!(paste_text("consumers = 3"), "  consumers = 3\n");
    }
}
