//! The engine alone, for instruction counts: two replications of an M/M/c
//! at load 0.9 (every statistic on, no warm-up), as `benches/speed.rs` runs
//! them, with nothing else in the process but parsing the model. Run it
//! under callgrind at two lengths; the difference over the extra messages
//! is the cost per message, without the setup:
//!
//! ```sh
//! cargo build --release --example engine_cost
//! valgrind --tool=callgrind target/release/examples/engine_cost 1 100000
//! valgrind --tool=callgrind target/release/examples/engine_cost 1 200000
//! # (I(200000) - I(100000)) / 200000 instructions per message; 1000 for M/M/1000
//! ```
//!
//! It prints the first metric values of each replication, so two builds
//! can be checked for identical results.

use std::error::Error;
use std::path::Path;

use queuelab::run::{RunLength, Warmup};
use queuelab::{scenario, sim};

fn main() -> Result<(), Box<dyn Error>> {
    let usage = "usage: engine_cost CONSUMERS MESSAGES";
    let mut args = std::env::args().skip(1);
    let consumers: u32 = args.next().ok_or(usage)?.parse()?;
    let messages: u64 = args.next().ok_or(usage)?.parse()?;
    let text = format!(
        "name = \"speed\"\n[run]\nseed = 1\nreplications = 2\n\
         [[producers]]\nname = \"p\"\nto = \"q\"\ninterarrival = {{ dist = \"exponential\", rate = {} }}\n\
         [[queues]]\nname = \"q\"\nconsumers = {consumers}\nservice = {{ dist = \"exponential\", mean = 1.0 }}\n",
        0.9 * f64::from(consumers)
    );
    let mut scenario = scenario::parse(Path::new("speed.toml"), text)?;
    scenario.run.length = RunLength::Customers(messages);
    scenario.run.warmup = Warmup::Customers(0);
    let model = &scenario.points[0].model;
    for replication in 0..2 {
        let outcome = sim::run_replication(model, &scenario.run, 0, replication);
        println!("{:?}", &outcome.values[0][..4]);
    }
    Ok(())
}
