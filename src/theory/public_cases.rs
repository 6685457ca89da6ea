//! Test-only: evaluates every case of `tests/data/public_cases.json` (the
//! workplace's published reference values, copied into the repository)
//! against this module and requires |got - value| ≤ rel_tol·|value|. Unknown
//! models, metrics or parameters fail; only `closed_multiserver`
//! (load-dependent, optional) is listed as unsupported.

use serde_json::Value;

use super::abandonment::ErlangA;
use super::approx::{allen_cunneen_mean_wait, kingman_mean_wait};
use super::erlang::erlang_b;
use super::jackson::JacksonNetwork;
use super::mg1;
use super::mmc::Mmc;
use super::mmck::Mmck;
use super::mminf::Mminf;
use super::mva::{MvaStation, StationKind, exact_mva};
use super::priority;

const CASES_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/public_cases.json");

/// Models that the analytic module deliberately does not cover.
const UNSUPPORTED_MODELS: [&str; 1] = ["closed_multiserver"];

type Outcome = Result<f64, String>;

fn num(p: &Value, key: &str) -> Outcome {
    p[key]
        .as_f64()
        .ok_or_else(|| format!("missing number '{key}'"))
}

fn count(p: &Value, key: &str) -> Result<u32, String> {
    let n = p[key]
        .as_u64()
        .ok_or_else(|| format!("missing integer '{key}'"))?;
    u32::try_from(n).map_err(|_| format!("'{key}' too large"))
}

fn nums(p: &Value, key: &str) -> Result<Vec<f64>, String> {
    let list = p[key]
        .as_array()
        .ok_or_else(|| format!("missing list '{key}'"))?;
    list.iter()
        .map(|v| v.as_f64().ok_or_else(|| format!("non-number in '{key}'")))
        .collect()
}

/// A 1-based index parameter, returned 0-based.
fn index(p: &Value, key: &str) -> Result<usize, String> {
    let k = count(p, key)? as usize;
    k.checked_sub(1)
        .ok_or_else(|| format!("'{key}' must be ≥ 1"))
}

/// Server counts: integers, or "inf" for an infinite-server node.
fn server_counts(p: &Value) -> Result<Vec<Option<u32>>, String> {
    let list = p["c"].as_array().ok_or("missing list 'c'")?;
    list.iter()
        .map(|v| match (v.as_u64(), v.as_str()) {
            (Some(n), _) => u32::try_from(n)
                .map(Some)
                .map_err(|_| "c too large".to_string()),
            (None, Some("inf")) => Ok(None),
            _ => Err(format!("bad server count {v}")),
        })
        .collect()
}

fn some<T>(value: Option<T>, what: &str) -> Result<T, String> {
    value.ok_or_else(|| format!("{what}: outside the model's validity"))
}

fn unknown(model: &str, metric: &str) -> Outcome {
    Err(format!("unsupported metric '{metric}' for model '{model}'"))
}

fn mmc_metric(q: &Mmc, model: &str, metric: &str, p: &Value) -> Outcome {
    Ok(match metric {
        "L" => q.mean_in_system(),
        "Lq" => q.mean_in_queue(),
        "W" => q.mean_sojourn(),
        "Wq" => q.mean_wait(),
        "P_wait" => q.prob_wait(),
        "P_N_eq_n" => q.prob_n(count(p, "n")?.into()),
        "P_Wq_gt_t" => q.wait_tail(num(p, "t")?),
        "P_Wq_le_t" => 1.0 - q.wait_tail(num(p, "t")?),
        "P_W_gt_t" => q.sojourn_tail(num(p, "t")?),
        "Wq_quantile" => some(q.wait_quantile(num(p, "p")?), "Wq_quantile")?,
        "W_quantile" => some(q.sojourn_quantile(num(p, "p")?), "W_quantile")?,
        "utilization" => q.utilisation(),
        "throughput" => q.lambda(),
        "E_Wq2" => q.wait_second_moment(),
        "Var_Wq" => q.wait_variance(),
        _ => return unknown(model, metric),
    })
}

fn mmck_metric(q: &Mmck, model: &str, metric: &str, p: &Value) -> Outcome {
    Ok(match metric {
        "P_block" => q.prob_blocked(),
        "throughput" => q.throughput(),
        "utilization" => q.utilisation(),
        "L" => q.mean_in_system(),
        "Lq" => q.mean_in_queue(),
        "W" => q.mean_sojourn(),
        "Wq" => q.mean_wait(),
        "P_wait" => q.prob_wait(),
        "P_Wq_gt_t" => q.wait_tail(num(p, "t")?),
        "P_Wq_le_t" => 1.0 - q.wait_tail(num(p, "t")?),
        "P_W_gt_t" => q.sojourn_tail(num(p, "t")?),
        "Wq_quantile" => some(q.wait_quantile(num(p, "p")?), "Wq_quantile")?,
        "W_quantile" => some(q.sojourn_quantile(num(p, "p")?), "W_quantile")?,
        _ => return unknown(model, metric),
    })
}

/// Mean wait or sojourn from a mean wait, for the mean-only models.
fn wait_or_sojourn(model: &str, metric: &str, wait: f64, mean_service: f64) -> Outcome {
    match metric {
        "Wq" | "Wq_class" => Ok(wait),
        "W" | "W_class" => Ok(wait + mean_service),
        _ => unknown(model, metric),
    }
}

fn priority_metric(model: &str, metric: &str, p: &Value) -> Outcome {
    let lambdas = nums(p, "lambdas")?;
    let k = index(p, "k")?;
    let class = |v: Option<Vec<f64>>| -> Outcome { some(v.and_then(|w| w.get(k).copied()), model) };
    match model {
        "mg1_np_priority" | "mg1_pr_priority" => {
            let (means, scvs) = (nums(p, "ES")?, nums(p, "scv_s")?);
            let mean = *some(means.get(k), "k")?;
            if model == "mg1_np_priority" {
                let wait = class(priority::mg1_nonpreemptive(&lambdas, &means, &scvs))?;
                wait_or_sojourn(model, metric, wait, mean)
            } else {
                let sojourns = priority::mg1_preemptive_resume(&lambdas, &means, &scvs);
                let sojourn = some(sojourns.get(k).copied().flatten(), model)?;
                wait_or_sojourn(model, metric, sojourn - mean, mean)
            }
        }
        _ => {
            let (mu, c) = (num(p, "mu")?, count(p, "c")?);
            if model == "mmc_np_priority" {
                let wait = class(priority::mmc_nonpreemptive(&lambdas, mu, c))?;
                wait_or_sojourn(model, metric, wait, 1.0 / mu)
            } else {
                let sojourns = priority::mmc_preemptive_resume(&lambdas, mu, c);
                let sojourn = some(sojourns.get(k).copied().flatten(), model)?;
                wait_or_sojourn(model, metric, sojourn - 1.0 / mu, 1.0 / mu)
            }
        }
    }
}

fn jackson_metric(model: &str, metric: &str, p: &Value) -> Outcome {
    let servers = server_counts(p)?;
    let network = if p["form"].as_str() == Some("visits") {
        JacksonNetwork::from_visits(num(p, "lambda")?, &nums(p, "V")?, &nums(p, "S")?, &servers)
    } else {
        let rows = p["P"].as_array().ok_or("missing matrix 'P'")?;
        let routing = rows.iter().map(row).collect::<Result<Vec<_>, _>>()?;
        JacksonNetwork::new(&nums(p, "gamma")?, &routing, &nums(p, "mu")?, &servers)
    };
    let network = some(network, model)?;
    if metric == "W_network" {
        return Ok(network.mean_network_sojourn());
    }
    let j = index(p, "station")?;
    let node = some(network.node(j), "station")?;
    match metric {
        "lambda_node" => Ok(network.arrival_rates()[j]),
        "L_node" => Ok(node.mean_in_system()),
        "W_node" => Ok(node.mean_sojourn()),
        _ => unknown(model, metric),
    }
}

fn row(v: &Value) -> Result<Vec<f64>, String> {
    let list = v.as_array().ok_or("routing row is not a list")?;
    list.iter()
        .map(|x| x.as_f64().ok_or_else(|| "non-number in P".to_string()))
        .collect()
}

fn mva_metric(model: &str, metric: &str, p: &Value) -> Outcome {
    let (visits, times) = (nums(p, "V")?, nums(p, "S")?);
    let kinds = p["types"].as_array().ok_or("missing list 'types'")?;
    if visits.len() != times.len() || kinds.len() != times.len() {
        return Err("V, S and types differ in length".into());
    }
    let stations = (0..times.len())
        .map(|k| {
            let kind = match kinds[k].as_str() {
                Some("queue") => StationKind::Queue,
                Some("delay") => StationKind::Delay,
                other => return Err(format!("unknown station type {other:?}")),
            };
            Ok(MvaStation {
                visits: visits[k],
                service_time: times[k],
                kind,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let result = some(exact_mva(&stations, count(p, "N")?, num(p, "Z")?), model)?;
    match metric {
        "X_system" => return Ok(result.throughput),
        "R_system" => return Ok(result.response_time),
        _ => {}
    }
    let station = *some(result.stations.get(index(p, "station")?), "station")?;
    match metric {
        "Q_station" => Ok(station.queue_length),
        "U_station" => Ok(station.utilisation),
        "R_station_per_visit" => Ok(station.response_per_visit),
        "X_station" => Ok(station.throughput),
        _ => unknown(model, metric),
    }
}

fn evaluate(model: &str, metric: &str, p: &Value) -> Outcome {
    match model {
        "mm1" | "mmc" => {
            let c = if model == "mm1" { 1 } else { count(p, "c")? };
            let q = some(Mmc::new(num(p, "lambda")?, num(p, "mu")?, c), model)?;
            mmc_metric(&q, model, metric, p)
        }
        "mmck" => {
            let (lambda, mu) = (num(p, "lambda")?, num(p, "mu")?);
            let q = some(Mmck::new(lambda, mu, count(p, "c")?, count(p, "K")?), model)?;
            mmck_metric(&q, model, metric, p)
        }
        "erlang_b" if metric == "P_block" => Ok(erlang_b(count(p, "c")?, num(p, "a")?)),
        "mminf" => {
            let q = some(Mminf::new(num(p, "lambda")?, num(p, "mu")?), model)?;
            match metric {
                "L" => Ok(q.mean_in_system()),
                "Lq" => Ok(q.mean_in_queue()),
                "W" => Ok(q.mean_sojourn()),
                "Wq" => Ok(q.mean_wait()),
                "P_N_eq_n" => Ok(q.prob_n(count(p, "n")?.into())),
                _ => unknown(model, metric),
            }
        }
        "mg1" => {
            let (l, s, v) = (num(p, "lambda")?, num(p, "ES")?, num(p, "scv_s")?);
            match metric {
                "Wq" => some(mg1::mean_wait(l, s, v), model),
                "Lq" => some(mg1::mean_in_queue(l, s, v), model),
                "W" => some(mg1::mean_sojourn(l, s, v), model),
                "L" => some(mg1::mean_in_system(l, s, v), model),
                _ => unknown(model, metric),
            }
        }
        "mg1_ps" | "mg1_lifo_pr" => {
            let (l, s) = (num(p, "lambda")?, num(p, "ES")?);
            let ps = model == "mg1_ps";
            match metric {
                "W" if ps => some(mg1::processor_sharing_mean_sojourn(l, s), model),
                "W" => some(mg1::lifo_preemptive_mean_sojourn(l, s), model),
                "L" => Ok(l * some(mg1::processor_sharing_mean_sojourn(l, s), model)?),
                "W_given_size" if ps => some(
                    mg1::processor_sharing_sojourn_given_size(l, s, num(p, "x")?),
                    model,
                ),
                "W_given_size" => some(
                    mg1::lifo_preemptive_sojourn_given_size(l, s, num(p, "x")?),
                    model,
                ),
                _ => unknown(model, metric),
            }
        }
        "mm1_lifo_np" => {
            let (l, mu) = (num(p, "lambda")?, num(p, "mu")?);
            match metric {
                "E_Wq2" => some(mg1::mm1_lifo_wait_second_moment(l, mu), model),
                "Var_Wq" => some(mg1::mm1_lifo_wait_variance(l, mu), model),
                "Lq" => some(mg1::mean_in_queue(l, 1.0 / mu, 1.0), model),
                "L" => some(mg1::mean_in_system(l, 1.0 / mu, 1.0), model),
                _ => wait_or_sojourn(
                    model,
                    metric,
                    some(mg1::mean_wait(l, 1.0 / mu, 1.0), model)?,
                    1.0 / mu,
                ),
            }
        }
        "mg1_np_priority" | "mg1_pr_priority" | "mmc_np_priority" | "mmc_pr_priority" => {
            priority_metric(model, metric, p)
        }
        "gg1_kingman" => {
            let s = num(p, "ES")?;
            let w = kingman_mean_wait(num(p, "lambda")?, s, num(p, "scv_a")?, num(p, "scv_s")?);
            wait_or_sojourn(model, metric, some(w, model)?, s)
        }
        "ggc_allen_cunneen" => {
            let (l, mu, c) = (num(p, "lambda")?, num(p, "mu")?, count(p, "c")?);
            let w = allen_cunneen_mean_wait(l, mu, c, num(p, "scv_a")?, num(p, "scv_s")?);
            wait_or_sojourn(model, metric, some(w, model)?, 1.0 / mu)
        }
        "erlang_a" => {
            let (l, mu, c, theta) = (
                num(p, "lambda")?,
                num(p, "mu")?,
                count(p, "c")?,
                num(p, "theta")?,
            );
            let q = some(ErlangA::new(l, mu, c, theta), model)?;
            match metric {
                "P_wait" => Ok(q.prob_wait()),
                "P_abandon" => Ok(q.prob_abandon()),
                "E_Q" | "Lq" => Ok(q.mean_in_queue()),
                "Wq" => Ok(q.mean_wait()),
                "L" => Ok(q.mean_in_system()),
                "throughput" => Ok(q.throughput()),
                _ => unknown(model, metric),
            }
        }
        "jackson_open" => jackson_metric(model, metric, p),
        "closed_mva" => mva_metric(model, metric, p),
        "little" => match metric {
            "L" => Ok(num(p, "lambda")? * num(p, "W")?),
            "Lq" => Ok(num(p, "lambda")? * num(p, "Wq")?),
            "W" => Ok(num(p, "L")? / num(p, "lambda")?),
            "Wq" => Ok(num(p, "Lq")? / num(p, "lambda")?),
            _ => unknown(model, metric),
        },
        _ => Err(format!("unknown model '{model}' (metric '{metric}')")),
    }
}

#[test]
fn every_public_case_matches() {
    let text = std::fs::read_to_string(CASES_PATH)
        .unwrap_or_else(|e| panic!("cannot read {CASES_PATH}: {e}"));
    let cases: Vec<Value> = serde_json::from_str(&text).expect("public_cases.json is a JSON list");
    let (mut passed, mut skipped, mut failures) = (0, 0, Vec::new());
    for case in &cases {
        let id = case["id"].as_str().unwrap_or("<no id>");
        let model = case["model"].as_str().unwrap_or("");
        let metric = case["metric"].as_str().unwrap_or("");
        if UNSUPPORTED_MODELS.contains(&model) {
            println!("SKIP {id}: model '{model}' is not supported");
            skipped += 1;
            continue;
        }
        let (Some(want), Some(tol)) = (case["value"].as_f64(), case["rel_tol"].as_f64()) else {
            failures.push(format!("{id}: missing value or rel_tol"));
            continue;
        };
        match evaluate(model, metric, &case["params"]) {
            Ok(got) if (got - want).abs() <= tol * want.abs() => {
                println!("ok   {id}: got {got:e}");
                passed += 1;
            }
            Ok(got) => failures.push(format!(
                "{id} ({model}/{metric}): got {got:e}, expected {want:e}, rel err {:e} > {tol:e}",
                ((got - want) / want).abs()
            )),
            Err(e) => failures.push(format!("{id} ({model}/{metric}): {e}")),
        }
    }
    println!(
        "{passed} passed, {skipped} skipped (unsupported), {} failed",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "failing cases:\n{}",
        failures.join("\n")
    );
    assert_eq!(passed + skipped, cases.len());
}

#[test]
fn unknown_models_and_metrics_fail() {
    let p = serde_json::json!({"lambda": 0.5, "mu": 1.0, "c": 2});
    assert!(evaluate("mm1", "L", &p).is_ok());
    assert!(evaluate("mm1", "bogus", &p).is_err());
    assert!(evaluate("no_such_model", "L", &p).is_err());
    assert!(evaluate("erlang_b", "W", &p).is_err());
    assert!(evaluate("mmc", "L", &serde_json::json!({"lambda": 0.5})).is_err());
    assert!(evaluate("closed_multiserver", "X_system", &p).is_err());
}
