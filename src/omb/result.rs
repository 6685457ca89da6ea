//! OMB out: a run's results as an OMB result document (the fields of OMB's
//! `TestResult`, latencies in milliseconds), so tools that read OMB's
//! results read the model's. Only what the model measures is filled:
//! end-to-end latency is the simulated sojourn (publish to the end of the
//! consumer's work); publish and publish-delay latencies (the client's and
//! the broker's acknowledgement) are not in the model and are null, and
//! the 10 s series are empty (the simulation has no wall-clock windows).

use serde_json::{Map, Value, json};

use crate::model::metric::Metric;
use crate::results::{Row, RunResults};

/// OMB's latency fields, by suffix, with the sojourn metric that fills
/// each (`None`: not measured, null).
const PERCENTILES: [(&str, Option<Metric>); 8] = [
    ("Avg", Some(Metric::MeanSojourn)),
    ("50pct", Some(Metric::SojournP50)),
    ("75pct", None),
    ("95pct", None),
    ("99pct", Some(Metric::SojournP99)),
    ("999pct", None),
    ("9999pct", None),
    ("Max", None),
];

/// The first queue's row among `rows` (a partitioned queue's whole, not
/// one partition, consumer or class): the topic's.
pub fn topic_row(rows: &[Row]) -> Option<&Row> {
    rows.iter().find(|r| r.is_whole() && r.consumer.is_none())
}

/// The OMB result document of `results`' simulated end-to-end latencies
/// of its first queue (a partitioned queue's whole, not one partition);
/// refused for a sweep (OMB's result holds one test), without simulation,
/// or in a time unit that does not convert to milliseconds.
pub fn document(results: &RunResults) -> Result<Value, String> {
    let [point] = results.points.as_slice() else {
        return Err(format!(
            "{} sweep points: an OMB result holds one test, so run one point (no [sweep])",
            results.points.len()
        ));
    };
    let to_ms = crate::units::seconds_per(&results.time_unit)
        .map(|seconds| seconds * 1000.0)
        .ok_or_else(|| {
            format!(
                "time unit `{}` does not convert to milliseconds (OMB's unit)",
                results.time_unit
            )
        })?;
    let row = topic_row(&point.results).ok_or("the results have no queue row")?;
    let simulation = row
        .simulation
        .as_ref()
        .ok_or("the results have no simulation, whose sojourn times OMB's end-to-end latency is")?;
    let partitions = point
        .results
        .iter()
        .filter(|r| r.queue == row.queue && r.partition.is_some())
        .count()
        .max(1);
    let mut document = Map::new();
    let mut put = |key: &str, value: Value| {
        document.insert(key.to_string(), value);
    };
    put("workload", json!(results.scenario));
    put(
        "driver",
        json!(format!(
            "queuelab simulation (a model, not a broker): queue `{}`, {} replications",
            row.queue, simulation.replications
        )),
    );
    put("messageSize", Value::Null);
    put("topics", json!(1));
    put("partitions", json!(partitions));
    put("producersPerTopic", Value::Null);
    put("consumersPerTopic", Value::Null);
    for series in ["publishRate", "publishErrorRate", "consumeRate", "backlog"] {
        put(series, json!([]));
    }
    for prefix in ["publishLatency", "publishDelayLatency", "endToEndLatency"] {
        for (suffix, _) in PERCENTILES {
            put(&format!("{prefix}{suffix}"), json!([]));
        }
    }
    for prefix in ["aggregatedPublishLatency", "aggregatedPublishDelayLatency"] {
        for (suffix, _) in PERCENTILES {
            put(&format!("{prefix}{suffix}"), Value::Null);
        }
    }
    put("aggregatedPublishLatencyQuantiles", json!({}));
    put("aggregatedPublishDelayLatencyQuantiles", json!({}));
    let ms = |metric: Metric| simulation.metrics.get(&metric).map(|e| e.mean * to_ms);
    for (suffix, metric) in PERCENTILES {
        put(
            &format!("aggregatedEndToEndLatency{suffix}"),
            json!(metric.and_then(ms)),
        );
    }
    let quantiles: Map<String, Value> = [
        ("50.0", Metric::SojournP50),
        ("90.0", Metric::SojournP90),
        ("99.0", Metric::SojournP99),
    ]
    .into_iter()
    .filter_map(|(p, metric)| ms(metric).map(|v| (p.to_string(), json!(v))))
    .collect();
    put(
        "aggregatedEndToEndLatencyQuantiles",
        Value::Object(quantiles),
    );
    Ok(Value::Object(document))
}
