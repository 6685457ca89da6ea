//! report.md: the scenario in words and the theory-vs-simulation tables.

use std::fmt::Write;

use super::comparison::{HEADERS, Verdict, lines, number};
use super::results::RunResults;
use crate::model::Model;
use crate::scenario::Scenario;

/// Describes a model in message-queue words.
pub fn describe_model(model: &Model) -> String {
    let mut text = String::new();
    for producer in &model.producers {
        let class = if model.has_classes() {
            format!(" (class {})", model.classes[producer.class].name)
        } else {
            String::new()
        };
        let _ = writeln!(
            text,
            "- producer **{}** publishes to **{}**{class}, interarrival {} (rate {} per {})",
            producer.name,
            model.queues[producer.queue].name,
            producer.interarrival.describe(),
            number(1.0 / producer.interarrival.mean()),
            model.time_unit,
        );
    }
    let loads = model.loads().unwrap_or_default();
    for (index, queue) in model.queues.iter().enumerate() {
        let capacity = queue
            .capacity
            .map_or_else(|| "unbounded".to_string(), |c| format!("capacity {c}"));
        let routes: Vec<String> = queue
            .routes
            .iter()
            .map(|r| {
                format!(
                    "{} to {}",
                    number(r.probability),
                    model.queues[r.queue].name
                )
            })
            .collect();
        let routing = if routes.is_empty() {
            "then leave".to_string()
        } else {
            format!("then {} (the rest leaves)", routes.join(", "))
        };
        let _ = writeln!(
            text,
            "- queue **{}**: {} consumer(s), {} service {}, {capacity}, load {}; {routing}",
            queue.name,
            queue.consumers,
            queue.discipline.name(),
            queue.service.describe(),
            loads
                .get(index)
                .map_or_else(|| "?".to_string(), |l| number(*l)),
        );
    }
    if model.has_classes() {
        for class in &model.classes {
            let service = class
                .service
                .as_ref()
                .map_or_else(String::new, |s| format!(", service {}", s.describe()));
            let _ = writeln!(
                text,
                "- class **{}**: priority {}{service}",
                class.name, class.priority
            );
        }
    }
    text
}

/// The whole report.md.
pub fn report(scenario: &Scenario, results: &RunResults) -> String {
    let mut text = format!("# {}\n\n", results.scenario);
    if !results.description.is_empty() {
        let _ = writeln!(text, "{}\n", results.description);
    }
    let run = &scenario.run;
    let _ = writeln!(
        text,
        "Seed {}, {} replications, {:?} measured after warm-up {:?}, {}% confidence intervals (Student t across replications). Times in {}.\n",
        results.seed,
        run.replications,
        run.length,
        run.warmup,
        results.confidence * 100.0,
        results.time_unit,
    );
    text.push_str(
        "Theory values marked `~` are approximations; a verdict says whether an exact value lies inside the simulation's confidence interval.\n\n",
    );
    let mut outside = 0;
    for (point, point_results) in scenario.points.iter().zip(&results.points) {
        let title = if point.parameters.is_empty() {
            "Results".to_string()
        } else {
            point.label()
        };
        let _ = writeln!(text, "## {title}\n\n{}", describe_model(&point.model));
        let _ = writeln!(text, "| {} |", HEADERS.join(" | "));
        let _ = writeln!(text, "|{}", "---|".repeat(HEADERS.len()));
        for line in lines(point_results) {
            outside += usize::from(line[5] == Verdict::Outside.label());
            let _ = writeln!(text, "| {} |", line.join(" | "));
        }
        text.push('\n');
    }
    let _ = writeln!(
        text,
        "**Summary:** {outside} exact theory value(s) outside the simulation's confidence interval. With {}% intervals about {:.0}% of agreeing values are expected outside by chance alone; sweep points share their random numbers (the same seed and streams at every point), so a chance miss tends to repeat across points.",
        results.confidence * 100.0,
        (1.0 - results.confidence) * 100.0,
    );
    text
}
