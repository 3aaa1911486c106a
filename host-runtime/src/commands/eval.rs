//! `ordex eval`: one input, or an NDJSON stream of them.

use std::io::{BufRead, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use ordex_core::api::{Answer, Engine, ErrorInfo, evaluate_json, parse_json};
use serde_json::{Value, json};

use super::engine;

fn call(
    engine: &Engine,
    entry: &str,
    now: &str,
    context: Option<&Value>,
    text: &str,
    root: &str,
) -> Answer<Value> {
    let limits = engine.pack().manifest().limits;
    let input = match parse_json(text, root, &limits) {
        Ok(v) => v,
        Err(e) => return Answer::fail(ErrorInfo::from(e)),
    };
    let mut envelope = json!({"entry": entry, "now": now, "input": input});
    if let Some(c) = context {
        envelope["context"] = c.clone();
    }
    evaluate_json(engine, &envelope)
}

/// Evaluates standard input and prints the answer(s).
pub fn run(
    pack: &Path,
    entry: &str,
    now: &str,
    context: Option<&Path>,
    ndjson: bool,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let Some(engine) = engine(pack)? else {
        return Ok(ExitCode::from(1));
    };
    let context: Option<Value> = match context {
        Some(p) => Some(
            serde_json::from_str(&std::fs::read_to_string(p)?)
                .map_err(|e| format!("{}: {e}", p.display()))?,
        ),
        None => None,
    };
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if !ndjson {
        let mut text = String::new();
        stdin.lock().read_to_string(&mut text)?;
        let answer = call(&engine, entry, now, context.as_ref(), &text, "input");
        writeln!(out, "{}", serde_json::to_string_pretty(&answer)?)?;
        return Ok(if matches!(answer, Answer::Success { .. }) {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    for (i, line) in stdin.lock().lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let n = i + 1;
        let answer = call(&engine, entry, now, context.as_ref(), &line, "input");
        // Each answer carries the input line it belongs to, so a consumer can
        // match errors to inputs even when it reads answers asynchronously.
        let mut v = serde_json::to_value(&answer)?;
        if let Value::Object(m) = &mut v {
            m.insert("line".to_owned(), Value::from(n));
            if let Some(Value::Array(errors)) = m.get_mut("errors") {
                for e in errors {
                    if let Some(msg) = e
                        .get("message")
                        .and_then(Value::as_str)
                        .map(|s| format!("line {n}: {s}"))
                    {
                        e["message"] = Value::String(msg);
                    }
                }
            }
        }
        writeln!(out, "{v}")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
