//! `ordex bench`: regenerates the benchmark table. Benchmarks measure; they
//! never assert timings. Compare ratios between rows, not absolute times:
//! these machines are shared.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use ordex_core::api::evaluate_json_str;
use ordex_host::wasm_host::{HostLimits, WasmRuntime, locate_module};
use serde_json::{Value, json};

use super::engine;

/// Sample events under `rules/examples` for each entry point.
const SAMPLES: &[(&str, &str)] = &[
    ("checkout", "checkout_request.json"),
    ("triage", "payment_declined.json"),
    ("triage", "carrier_exception.json"),
    ("triage", "return_requested.json"),
    ("retry", "retry_request.json"),
];

fn per_second(count: u32, elapsed: Duration) -> f64 {
    f64::from(count) / elapsed.as_secs_f64()
}

fn time_loop(seconds: f64, mut f: impl FnMut()) -> (u32, Duration) {
    let started = Instant::now();
    let mut n = 0;
    while started.elapsed().as_secs_f64() < seconds {
        f();
        n += 1;
    }
    (n, started.elapsed())
}

fn gzip(bytes: &[u8]) -> usize {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = enc.write_all(bytes);
    enc.finish().map(|v| v.len()).unwrap_or(0)
}

fn brotli(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    let _ = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params);
    out.len()
}

/// Runs every measurement and writes the table to `output` (and stdout).
pub fn run(
    pack: &Path,
    module: Option<&Path>,
    seconds: f64,
    output: Option<&Path>,
    js_results: Option<&Path>,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    // Node and Chromium figures measured by tests/js/bench.mjs --json.
    let js: Option<Value> = match js_results {
        Some(p) => Some(serde_json::from_str(&std::fs::read_to_string(p)?)?),
        None => None,
    };
    let Some(engine) = engine(pack)? else {
        return Ok(ExitCode::from(1));
    };
    let module_path = locate_module(module)?;
    let bundle_json = engine.pack().bundle().to_json();
    let cold_started = Instant::now();
    let wasm = WasmRuntime::new(
        &module_path,
        bundle_json.clone(),
        HostLimits {
            pool_size: 1,
            ..HostLimits::default()
        },
    )?;
    let cold = cold_started.elapsed();
    // Instantiate + load bundle again now that the module is compiled and cached.
    let warm_started = Instant::now();
    let _second = WasmRuntime::new(
        &module_path,
        bundle_json,
        HostLimits {
            pool_size: 1,
            ..HostLimits::default()
        },
    )?;
    let instantiate = warm_started.elapsed();

    let mut table = String::from(
        "| entry (sample) | native evals/s | wasmtime evals/s | Node evals/s | Chromium evals/s (p99 ms) | wasmtime / native time | Wasm instructions per call |\n|---|---|---|---|---|---|---|\n",
    );
    for (entry, file) in SAMPLES {
        let input: Value =
            serde_json::from_str(&std::fs::read_to_string(pack.join("examples").join(file))?)?;
        let call =
            json!({"entry": entry, "now": "2026-11-27T10:00:00Z", "input": input}).to_string();
        let expected = evaluate_json_str(&engine, &call);
        let (answer, stats) = wasm.evaluate(&call)?;
        if answer != expected {
            return Err(format!(
                "{file}: native and wasmtime answers differ; run the parity tests"
            )
            .into());
        }
        let (n_native, t_native) = time_loop(seconds, || {
            std::hint::black_box(evaluate_json_str(&engine, &call));
        });
        let (n_wasm, t_wasm) = time_loop(seconds, || {
            std::hint::black_box(wasm.evaluate(&call).ok());
        });
        let (native, wasmtime) = (per_second(n_native, t_native), per_second(n_wasm, t_wasm));
        let name = format!("{entry} ({})", file.trim_end_matches(".json"));
        let js_cell = |runtime: &str, p99: bool| {
            let cell = js.as_ref().map(|j| &j[runtime][&name]);
            match cell.and_then(|c| c["per_second"].as_f64()) {
                Some(rate) if p99 => format!(
                    "{rate:.0} ({:.2})",
                    cell.map_or(0.0, |c| c["p99_ms"].as_f64().unwrap_or(0.0))
                ),
                Some(rate) => format!("{rate:.0}"),
                None => "—".to_owned(),
            }
        };
        writeln!(
            table,
            "| {name} | {native:.0} | {wasmtime:.0} | {} | {} | {:.1}× | {} |",
            js_cell("node", false),
            js_cell("chromium", true),
            native / wasmtime,
            stats.fuel
        )?;
    }
    let bytes = std::fs::read(&module_path)?;
    write!(
        table,
        "\nwasmtime start: first compile (or disk-cache load) of the module plus one instance with the bundle loaded: {:.0} ms; a further instance with the bundle loaded: {:.1} ms.\n\n\
         | module | raw | gzip | brotli |\n|---|---|---|---|\n| host ABI (`{}`) | {} KB | {} KB | {} KB |\n",
        cold.as_secs_f64() * 1000.0,
        instantiate.as_secs_f64() * 1000.0,
        module_path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default(),
        bytes.len() / 1024,
        gzip(&bytes) / 1024,
        brotli(&bytes) / 1024,
    )?;
    if let Some(j) = &js {
        let kb = |k: &str| j["wasm_bytes"][k].as_f64().unwrap_or(0.0) / 1024.0;
        write!(
            table,
            "| JS face (`ordex_js_bg.wasm`, wasm-opt -Oz) | {:.0} KB | {:.0} KB | {:.0} KB |\n\n\
             Cold start of the npm package (compile and instantiate the module, load the bundle; median of 5): Node {:.0} ms (a fresh process importing the package), Chromium {:.0} ms (a fresh page, bytes already fetched).\n\n\
             Node {}; {}. The JS columns call `evaluateJson` (JSON text in and out, like the host ABI).\n",
            kb("raw"),
            kb("gzip"),
            kb("brotli"),
            j["cold_start_ms"]["node"].as_f64().unwrap_or(0.0),
            j["cold_start_ms"]["chromium"].as_f64().unwrap_or(0.0),
            j["node_version"].as_str().unwrap_or("?"),
            j["user_agent"].as_str().unwrap_or("?"),
        )?;
    }
    let text = format!(
        "# Benchmarks\n\nRegenerate with `bash scripts/bench` (release `ordex`, both Wasm faces, `tests/js/bench.mjs` for Node and Chromium, then `ordex bench rules --js-results … -o docs/benchmarks.md`).\n\
         Single thread, one pooled instance, default rule pack, `now` = 2026-11-27T10:00:00Z, {seconds} s per cell, on a shared 2-core machine.\n\n{table}"
    );
    print!("{text}");
    if let Some(path) = output {
        std::fs::write(path, &text)?;
    }
    Ok(ExitCode::SUCCESS)
}
