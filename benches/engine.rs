//! Engine speed: events per second on one core with every statistic on,
//! for M/M/1 and M/M/8 at load 0.9 and a 3-queue tandem.
//! Run with `cargo bench --bench engine`; criterion reports "elem/s" = events/s.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use queuelab::run::{RunLength, Warmup};
use queuelab::scenario::{self, Scenario};
use queuelab::sim;

/// Messages per measured replication.
const CUSTOMERS: u64 = 200_000;

fn scenario_text(producers_and_queues: &str) -> String {
    format!("name = \"bench\"\n[run]\nseed = 1\nreplications = 2\n{producers_and_queues}")
}

fn load(text: &str) -> Scenario {
    let mut scenario = scenario::parse(Path::new("bench.toml"), text.to_string())
        .expect("bench scenario is valid");
    scenario.run.length = RunLength::Customers(CUSTOMERS);
    scenario.run.warmup = Warmup::Customers(0);
    scenario
}

fn models() -> Vec<(&'static str, Scenario)> {
    let single = |consumers: u32| {
        scenario_text(&format!(
            "[[producers]]\nname = \"p\"\nto = \"q\"\ninterarrival = {{ dist = \"exponential\", rate = {} }}\n[[queues]]\nname = \"q\"\nconsumers = {consumers}\nservice = {{ dist = \"exponential\", mean = 1.0 }}\n",
            0.9 * f64::from(consumers)
        ))
    };
    let tandem = scenario_text(
        "[[producers]]\nname = \"p\"\nto = \"a\"\ninterarrival = { dist = \"exponential\", rate = 0.9 }\n\
         [[queues]]\nname = \"a\"\nconsumers = 1\nservice = { dist = \"exponential\", mean = 1.0 }\nnext = [{ to = \"b\", p = 1.0 }]\n\
         [[queues]]\nname = \"b\"\nconsumers = 1\nservice = { dist = \"exponential\", mean = 0.8 }\nnext = [{ to = \"c\", p = 1.0 }]\n\
         [[queues]]\nname = \"c\"\nconsumers = 1\nservice = { dist = \"exponential\", mean = 0.6 }\n",
    );
    vec![
        ("mm1_load0.9", load(&single(1))),
        ("mm8_load0.9", load(&single(8))),
        ("tandem3_load0.9", load(&tandem)),
    ]
}

fn engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    for (name, scenario) in models() {
        let model = &scenario.points[0].model;
        let events = sim::run_replication(model, &scenario.run, 0, 0).events;
        group.throughput(Throughput::Elements(events));
        group.bench_function(name, |b| {
            b.iter(|| black_box(sim::run_replication(black_box(model), &scenario.run, 0, 0)))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // Criterion's own HTML plots are off: the numbers are what matter here.
    config = Criterion::default().without_plots();
    targets = engine
}
criterion_main!(benches);
