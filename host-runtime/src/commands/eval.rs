//! `ordex eval`: one input, or an NDJSON stream of them.

use std::io::{BufRead, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use ordex_core::api::{Answer, ErrorInfo, parse_json};
use ordex_core::runtime::Limits;
use ordex_host::evaluator::Evaluator;
use serde_json::{Value, json};

use super::{engine, evaluator};
use crate::RuntimeArgs;

/// What to evaluate.
pub struct EvalArgs<'a> {
    /// Pack directory or bundle file.
    pub pack: &'a Path,
    /// Entry point.
    pub entry: &'a str,
    /// Evaluation time.
    pub now: &'a str,
    /// Context file.
    pub context: Option<&'a Path>,
    /// One input per line.
    pub ndjson: bool,
    /// Report cost per call.
    pub stats: bool,
    /// Ask for a decision trace.
    pub trace: bool,
}

fn call(
    eval: &Evaluator,
    args: &EvalArgs,
    limits: &Limits,
    context: Option<&Value>,
    text: &str,
    line: Option<usize>,
) -> Value {
    let answer = match parse_json(text, "input", limits) {
        Ok(input) => {
            let mut envelope = json!({"entry": args.entry, "now": args.now, "input": input});
            if let Some(c) = context {
                envelope["context"] = c.clone();
            }
            if args.trace {
                envelope["trace"] = Value::Bool(true);
            }
            let (answer, stats) = eval.evaluate_str(&envelope.to_string());
            if args.stats {
                match stats {
                    Some(s) => eprintln!(
                        "{{\"line\":{},\"fuel\":{},\"micros\":{}}}",
                        line.unwrap_or(1),
                        s.fuel,
                        s.elapsed.as_micros()
                    ),
                    None => eprintln!(
                        "{{\"line\":{},\"fuel\":null,\"note\":\"native runtime: no instruction count\"}}",
                        line.unwrap_or(1)
                    ),
                }
            }
            serde_json::from_str(&answer).unwrap_or(Value::Null)
        }
        Err(e) => {
            serde_json::to_value(Answer::<()>::fail(ErrorInfo::from(e))).unwrap_or(Value::Null)
        }
    };
    let Some(n) = line else { return answer };
    // Each answer carries the input line it belongs to, so a consumer can
    // match errors to inputs even when it reads answers asynchronously.
    let mut v = answer;
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
    v
}

/// Evaluates standard input and prints the answer(s).
pub fn run(args: &EvalArgs, runtime: &RuntimeArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let Some(engine) = engine(args.pack)? else {
        return Ok(ExitCode::from(1));
    };
    let limits = engine.pack().manifest().limits;
    let context: Option<Value> = match args.context {
        Some(p) => Some(
            serde_json::from_str(&std::fs::read_to_string(p)?)
                .map_err(|e| format!("{}: {e}", p.display()))?,
        ),
        None => None,
    };
    let eval = evaluator(engine, runtime)?;
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if !args.ndjson {
        let mut text = String::new();
        stdin.lock().read_to_string(&mut text)?;
        let answer = call(&eval, args, &limits, context.as_ref(), &text, None);
        if let Some(trace) = answer.get("trace") {
            eprint!("{}", ordex_host::trace_tree::render(trace));
        }
        // A failed rule's stack, readable, beside the JSON answer.
        eprint!("{}", ordex_host::trace_tree::error_stacks(&answer));
        writeln!(out, "{}", serde_json::to_string_pretty(&answer)?)?;
        return Ok(if answer.get("ok").is_some() {
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
        writeln!(
            out,
            "{}",
            call(&eval, args, &limits, context.as_ref(), &line, Some(i + 1))
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
