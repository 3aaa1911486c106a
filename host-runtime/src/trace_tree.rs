//! Draws a decision trace as an indented tree for a terminal (`ordex eval
//! --trace`): one line per call, table and fired rule, values shortened so a
//! line stays readable; and a failed answer's rule call stacks.

use ordex_core::api::ErrorInfo;
use ordex_core::runtime::{Trace, TraceCall, TraceStep};
use serde_json::Value;

/// Longest value shown on a line before it is cut with `…`.
const SHOWN_VALUE_CHARS: usize = 72;

/// The tree of the trace in an answer's `trace` member; a note instead when
/// the member is not a trace.
pub fn render(trace: &Value) -> String {
    match serde_json::from_value::<Trace>(trace.clone()) {
        Ok(t) => render_trace(&t),
        Err(e) => format!("(the answer's trace could not be read: {e})\n"),
    }
}

/// Each error of a failed answer that has a rule call stack, with the
/// stack one frame per line (innermost first); empty for other answers.
pub fn error_stacks(answer: &Value) -> String {
    let errors = answer
        .get("errors")
        .cloned()
        .and_then(|e| serde_json::from_value::<Vec<ErrorInfo>>(e).ok())
        .unwrap_or_default();
    let mut out = String::new();
    for error in errors.iter().filter(|e| !e.stack.is_empty()) {
        let stack = ordex_core::runtime::stack_text(&error.stack, "\n  ");
        out.push_str(&format!("{}\n  {stack}\n", error.message));
    }
    out
}

/// The tree of a trace.
pub fn render_trace(trace: &Trace) -> String {
    let mut out = String::new();
    for step in &trace.steps {
        step_lines(step, "", &mut out);
    }
    if trace.dropped > 0 {
        out.push_str(&format!(
            "… {} more steps not recorded (the trace keeps {})\n",
            trace.dropped,
            ordex_core::runtime::MAX_TRACE_NODES
        ));
    }
    out
}

fn step_lines(step: &TraceStep, indent: &str, out: &mut String) {
    match step {
        TraceStep::Call(call) => call_lines(call, indent, out),
        TraceStep::Table {
            table,
            lines,
            output,
        } => {
            let rows = match lines.as_slice() {
                [] => "no row matched".to_owned(),
                [one] => format!("row at line {one}"),
                many => format!(
                    "rows at lines {}",
                    many.iter()
                        .map(usize::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            out.push_str(&format!(
                "{indent}table {table}: {rows} → {}\n",
                short(output)
            ));
        }
        TraceStep::Fired {
            rule,
            message,
            facts,
        } => {
            let facts = match facts {
                Value::Null => String::new(),
                Value::Object(m) if m.is_empty() => String::new(),
                f => format!(" {}", short(f)),
            };
            out.push_str(&format!("{indent}fired {rule}: {message}{facts}\n"));
        }
    }
}

fn call_lines(call: &TraceCall, indent: &str, out: &mut String) {
    let args = call.args.iter().map(short).collect::<Vec<_>>().join(", ");
    let from = call
        .called_at
        .as_ref()
        .map(|at| format!(" from {at}"))
        .unwrap_or_default();
    out.push_str(&format!(
        "{indent}{}({args})  [{}{from}]\n",
        call.function, call.location
    ));
    let inner = format!("{indent}  ");
    for step in &call.steps {
        step_lines(step, &inner, out);
    }
    match (&call.returned, &call.error) {
        (_, Some(e)) => out.push_str(&format!("{inner}✗ failed: {e}\n")),
        (Some(v), None) => out.push_str(&format!("{inner}= {}\n", short(v))),
        (None, None) => {}
    }
}

/// A value as compact JSON, cut to [`SHOWN_VALUE_CHARS`] characters.
fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= SHOWN_VALUE_CHARS {
        return text;
    }
    let cut: String = text.chars().take(SHOWN_VALUE_CHARS - 1).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ordex_core::runtime::Location;
    use serde_json::json;

    fn at(line: usize) -> Location {
        Location::Source {
            file: "triage.rhai".into(),
            line,
            col: 1,
        }
    }

    #[test]
    fn nested_calls_tables_and_rules_are_indented_under_their_call() {
        let trace = Trace {
            steps: vec![TraceStep::Call(Box::new(TraceCall {
                function: "triage".into(),
                location: at(1),
                called_at: None,
                args: vec![],
                steps: vec![
                    TraceStep::Call(Box::new(TraceCall {
                        function: "common::tier".into(),
                        location: at(20),
                        called_at: Some(at(4)),
                        args: vec![json!(120.5)],
                        steps: vec![TraceStep::Table {
                            table: "tiers".into(),
                            lines: vec![3, 5],
                            output: json!("high"),
                        }],
                        returned: Some(json!("high")),
                        error: None,
                    })),
                    TraceStep::Fired {
                        rule: "decline.soft".into(),
                        message: "retry later".into(),
                        facts: json!({}),
                    },
                ],
                returned: Some(json!({"category": "payment"})),
                error: None,
            }))],
            dropped: 0,
        };
        let text = render_trace(&trace);
        let expected = "triage()  [triage.rhai:1:1]\n  \
             common::tier(120.5)  [triage.rhai:20:1 from triage.rhai:4:1]\n    \
             table tiers: rows at lines 3, 5 → \"high\"\n    \
             = \"high\"\n  \
             fired decline.soft: retry later\n  \
             = {\"category\":\"payment\"}\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn a_failed_call_says_why_and_long_values_are_cut() {
        let trace = Trace {
            steps: vec![TraceStep::Call(Box::new(TraceCall {
                function: "main".into(),
                location: at(1),
                called_at: None,
                args: vec![json!("x".repeat(200))],
                steps: vec![],
                returned: None,
                error: Some("the rule threw: boom".into()),
            }))],
            dropped: 7,
        };
        let text = render_trace(&trace);
        assert!(text.contains("✗ failed: the rule threw: boom"), "{text}");
        assert!(text.contains("…)"), "{text}");
        assert!(text.contains("7 more steps not recorded"), "{text}");
    }

    #[test]
    fn something_that_is_not_a_trace_gets_a_note_not_a_panic() {
        assert!(render(&json!({"steps": 3})).starts_with("(the answer's trace could not be read"));
    }

    #[test]
    fn a_failed_answer_prints_its_stack_innermost_first() {
        let answer = serde_json::json!({"errors": [
            {"code": "rule_runtime", "message": "lib/m.rhai:7:16: the rule threw: no",
             "stack": [
                {"function": "m::band", "location": {"file": "lib/m.rhai", "line": 7, "col": 16}},
                {"function": "main", "location": {"file": "main.rhai", "line": 2, "col": 27}}]},
            {"code": "input_invalid", "message": "no stack here"}
        ], "warnings": []});
        assert_eq!(
            error_stacks(&answer),
            "lib/m.rhai:7:16: the rule threw: no\n  in m::band (lib/m.rhai:7:16)\n  called from main (main.rhai:2:27)\n"
        );
        assert_eq!(error_stacks(&serde_json::json!({"ok": 1})), "");
    }
}
