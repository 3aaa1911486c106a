//! The decision trace: what a rule did on its way to an answer — each rule
//! function entered (with its arguments, the call's place and what it
//! returned), each decision-table row that matched, each rule that fired
//! with its facts — as a tree, bounded in size.
//!
//! Tracing runs on a second engine built on first use: the same libraries
//! and functions, plus Rhai's debugger hook stepping through the call. The
//! engine that answers untraced calls has no hook, so it pays nothing.
//! The tree is a pure function of the bundle, the input and `now`, like the
//! decision, so a trace is the same in every runtime.

use std::sync::{Arc, Mutex};

use rhai::debugger::{CallStackFrame, DebuggerCommand, DebuggerEvent};
use rhai::{Dynamic, Engine, EvalAltResult};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Location;

/// Nodes kept in one trace; further ones are counted in `dropped`.
pub const MAX_TRACE_NODES: usize = 2_000;
/// Bytes of JSON kept for one value (an argument, a result, a table's
/// output), about; a bigger value keeps its first members and items and
/// counts the ones left out.
pub const MAX_TRACE_VALUE_BYTES: usize = 1_024;

/// A decision trace.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// What happened, in order: normally one call, the entry point's.
    pub steps: Vec<TraceStep>,
    /// Steps left out because the trace reached [`MAX_TRACE_NODES`].
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dropped: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// One step of a trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum TraceStep {
    /// A rule function ran.
    Call(Box<TraceCall>),
    /// A decision table answered.
    Table {
        /// The table's name.
        table: String,
        /// Lines of the table file whose rows matched, in row order.
        lines: Vec<usize>,
        /// What the table answered.
        output: Value,
    },
    /// A rule fired (`d.fire(rule, message, facts)`).
    Fired {
        /// The rule.
        rule: String,
        /// Its message.
        message: String,
        /// The facts it recorded.
        facts: Value,
    },
}

/// A rule function's call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceCall {
    /// Name as written in rules (`common::value_tier` for a library function).
    pub function: String,
    /// Where its body starts.
    pub location: Location,
    /// Where it was called from (none for the entry point).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub called_at: Option<Location>,
    /// Its arguments (not recorded for the entry point, whose arguments
    /// are the call's input and context).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<Value>,
    /// What ran inside it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<TraceStep>,
    /// What it returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returned: Option<Value>,
    /// The error it ended with, if it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

struct Open {
    call: TraceCall,
    /// True once a statement ran while this frame was the innermost: Rhai
    /// pushes a frame for every native call too (`==`, indexing, …), and
    /// only a script function's body has statements. A frame that never
    /// stepped is left out of the tree, what ran under it going to its
    /// parent.
    stepped: bool,
    /// The file the function is in.
    file: String,
    /// Whether this is the generated kind dispatch (left out of the tree).
    dispatch: bool,
}

/// Builds a [`Trace`] while one evaluation runs.
#[derive(Default)]
pub(crate) struct TraceRecorder {
    entry_file: String,
    steps: Vec<TraceStep>,
    open: Vec<Open>,
    nodes: usize,
    dropped: usize,
}

impl TraceRecorder {
    fn admit(&mut self) -> bool {
        if self.nodes < MAX_TRACE_NODES {
            self.nodes += 1;
            true
        } else {
            self.dropped += 1;
            false
        }
    }

    fn push_step(&mut self, step: TraceStep) {
        match self.open.last_mut() {
            Some(top) => top.call.steps.push(step),
            None => self.steps.push(step),
        }
    }

    fn file_of(&self, frame: &CallStackFrame) -> String {
        frame
            .source
            .as_deref()
            .filter(|s| !s.is_empty())
            .unwrap_or(&self.entry_file)
            .to_owned()
    }

    /// The file of frame `i`: its source, except that Rhai gives a kind
    /// handler (a sub-module of the dispatch) the dispatch's source; its
    /// file is then the handler's of the event's kind (the dispatch's
    /// second argument).
    fn frame_file(&self, frames: &[CallStackFrame], i: usize) -> (String, bool) {
        let frame = &frames[i];
        let source = self.file_of(frame);
        let Some(dir) = super::kind_handlers::dispatch_dir(&source) else {
            return (source, false);
        };
        let parent_is_dispatch = i > 0 && self.open.get(i - 1).is_some_and(|o| o.dispatch);
        if !parent_is_dispatch {
            return (source, true);
        }
        let kind = frames[i - 1].args.get(1).and_then(|event| {
            let view = event.read_lock::<super::View>()?;
            view.value()["exception"]["kind"]
                .as_str()
                .map(str::to_owned)
        });
        match kind {
            Some(kind) => (format!("{dir}/{kind}.rhai"), false),
            None => (source, false),
        }
    }

    /// Opens a call for every frame Rhai has pushed since the last event;
    /// `step` is where the statement about to run is, if this event is a
    /// step (the innermost frame is then a script function's).
    fn sync(&mut self, frames: &[CallStackFrame], step: Option<rhai::Position>) {
        while self.open.len() < frames.len() {
            let i = self.open.len();
            let frame = &frames[i];
            let (file, dispatch) = self.frame_file(frames, i);
            let called_at = (i > 0).then(|| {
                let caller = &self.open[i - 1];
                if caller.dispatch {
                    // Called by the generated kind dispatch: the author's
                    // call site is the dispatch's own.
                    if let Some(at) = caller.call.called_at.clone() {
                        return at;
                    }
                }
                at(&caller.file, frame.pos)
            });
            let function = super::rhai_error::display_name(&frame.fn_name, &file, &self.entry_file);
            self.open.push(Open {
                call: TraceCall {
                    function,
                    location: Location::Source {
                        file: file.clone(),
                        line: 1,
                        col: 1,
                    },
                    called_at,
                    args: Vec::new(),
                    steps: Vec::new(),
                    returned: None,
                    error: None,
                },
                stepped: false,
                file,
                dispatch,
            });
        }
        let depth = self.open.len();
        if let (Some(pos), Some(top), Some(frame)) = (step, self.open.last_mut(), frames.last())
            && !top.stepped
            && pos.line().is_some()
        {
            // First statement of a script function: its body starts here,
            // and its arguments are worth recording (a native call's are
            // not converted at all).
            top.stepped = true;
            top.call.location = at(&top.file, pos);
            if depth > 1 {
                top.call.args = frame.args.iter().map(capped).collect();
            }
        }
    }

    /// Whether the recorder already follows every frame and the innermost
    /// one has stepped, so a step event changes nothing.
    fn in_step(&self, frames: &[CallStackFrame]) -> bool {
        self.open.len() == frames.len() && self.open.last().is_none_or(|top| top.stepped)
    }

    /// Whether the innermost open call is a script function's.
    fn top_stepped(&self) -> bool {
        self.open.last().is_some_and(|top| top.stepped)
    }

    fn close(&mut self, returned: Option<Value>, error: Option<String>) {
        let Some(mut top) = self.open.pop() else {
            return;
        };
        if !top.stepped || top.dispatch {
            // A native function, or the generated kind dispatch: what ran
            // under it belongs to the caller.
            for step in top.call.steps {
                self.push_step(step);
            }
            return;
        }
        if self.admit() {
            top.call.returned = returned;
            top.call.error = error;
            self.push_step(TraceStep::Call(Box::new(top.call)));
        } else {
            self.dropped += count_nodes(&top.call.steps);
        }
    }

    /// Records a table's answer.
    pub(crate) fn table(&mut self, table: &str, lines: Vec<usize>, output: &Dynamic) {
        if self.admit() {
            self.push_step(TraceStep::Table {
                table: table.to_owned(),
                lines,
                output: capped(output),
            });
        }
    }

    /// Records a fired rule.
    pub(crate) fn fired(&mut self, rule: &str, message: &str, facts: &Dynamic) {
        if self.admit() {
            self.push_step(TraceStep::Fired {
                rule: rule.to_owned(),
                message: message.to_owned(),
                facts: capped(facts),
            });
        }
    }

    /// The trace so far; calls still open (the evaluation stopped inside
    /// them) are closed as they are.
    pub(crate) fn finish(mut self) -> Trace {
        while !self.open.is_empty() {
            self.close(None, None);
        }
        Trace {
            steps: self.steps,
            dropped: self.dropped,
        }
    }
}

/// Nodes in `steps`, nested calls' included.
fn count_nodes(steps: &[TraceStep]) -> usize {
    steps
        .iter()
        .map(|s| match s {
            TraceStep::Call(c) => 1 + count_nodes(&c.steps),
            _ => 1,
        })
        .sum()
}

fn at(file: &str, pos: rhai::Position) -> Location {
    Location::Source {
        file: file.to_owned(),
        line: pos.line().unwrap_or(1),
        col: pos.position().unwrap_or(1),
    }
}

/// `value` as JSON, pruned to about [`MAX_TRACE_VALUE_BYTES`] (see [`prune`]).
fn capped(value: &Dynamic) -> Value {
    match super::to_json(value) {
        Ok(json) => {
            let mut budget = MAX_TRACE_VALUE_BYTES;
            prune(&json, &mut budget)
        }
        Err(_) => Value::String(format!("<{}>", value.type_name())),
    }
}

/// Longest string kept whole in a traced value.
const MAX_TRACE_STRING_CHARS: usize = 200;

/// `value` with what does not fit in `budget` bytes of JSON left out, in
/// document order: an object keeps its first members and a `"…"` member
/// counting the rest, an array its first items and a `"… N more"` item,
/// a long string its start and `…`. So a big input still shows its shape
/// and first fields rather than a cut-off line of text.
fn prune(value: &Value, budget: &mut usize) -> Value {
    match value {
        Value::String(s) => {
            let keep = (*budget).min(MAX_TRACE_STRING_CHARS);
            let out = match s.char_indices().nth(keep) {
                Some((cut, _)) => format!("{}…", &s[..cut]),
                None => s.clone(),
            };
            *budget = budget.saturating_sub(out.len() + 2);
            Value::String(out)
        }
        Value::Array(items) => {
            *budget = budget.saturating_sub(2);
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                if *budget == 0 {
                    out.push(Value::String(format!("… {} more", items.len() - i)));
                    break;
                }
                out.push(prune(item, budget));
                *budget = budget.saturating_sub(1);
            }
            Value::Array(out)
        }
        Value::Object(members) => {
            *budget = budget.saturating_sub(2);
            let mut out = serde_json::Map::new();
            for (i, (key, item)) in members.iter().enumerate() {
                if *budget == 0 {
                    out.insert(
                        "…".into(),
                        Value::String(format!("{} more", members.len() - i)),
                    );
                    break;
                }
                *budget = budget.saturating_sub(key.len() + 4);
                let item = prune(item, budget);
                out.insert(key.clone(), item);
            }
            Value::Object(out)
        }
        scalar => {
            *budget = budget.saturating_sub(scalar.to_string().len());
            scalar.clone()
        }
    }
}

/// Where a traced call records its trace: the host keeps one handle, the
/// call's tag carries a clone. Take the trace after the call.
#[derive(Clone)]
pub struct TraceSlot(Arc<Mutex<Option<TraceRecorder>>>);

impl Default for TraceSlot {
    fn default() -> Self {
        Self(Arc::new(Mutex::new(Some(TraceRecorder::default()))))
    }
}

impl std::fmt::Debug for TraceSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TraceSlot")
    }
}

impl TraceSlot {
    /// Names the file of the entry being traced (library functions are
    /// named `module::function`, the entry file's own plainly).
    pub(crate) fn start(&self, entry_file: &str) {
        self.with(|rec| entry_file.clone_into(&mut rec.entry_file));
    }

    /// Runs `f` on the recorder, if this call is traced.
    pub(crate) fn with(&self, f: impl FnOnce(&mut TraceRecorder)) {
        if let Ok(mut guard) = self.0.lock()
            && let Some(rec) = guard.as_mut()
        {
            f(rec);
        }
    }

    /// The finished trace; `None` once taken.
    pub fn take(&self) -> Option<Trace> {
        self.0
            .lock()
            .ok()
            .and_then(|mut g| g.take())
            .map(TraceRecorder::finish)
    }
}

fn error_text(err: &EvalAltResult) -> String {
    // Only the first line: nested calls report their own errors.
    let text = match err {
        EvalAltResult::ErrorInFunctionCall(.., inner, _) => super::rhai_error::bare_message(inner),
        other => super::rhai_error::bare_message(other),
    };
    text.lines().next().unwrap_or_default().to_owned()
}

/// Installs the stepping hook on `engine` (the tracing engine only).
#[allow(deprecated)] // Rhai marks the debugger interface volatile, not deprecated.
pub(crate) fn install(engine: &mut Engine) {
    engine.register_debugger(
        |_, debugger| debugger,
        |context, event, _node, _source, pos| {
            let Some(sink) = context.tag().read_lock::<super::WarningSink>() else {
                return Ok(DebuggerCommand::StepInto);
            };
            let frames = context.global_runtime_state().debugger().call_stack();
            sink.trace(|rec| match event {
                DebuggerEvent::FunctionExitWithValue(v) => {
                    rec.sync(frames, None);
                    // A native call's value is never shown: do not convert it.
                    let shown = rec.top_stepped().then(|| capped(v));
                    rec.close(shown, None);
                }
                DebuggerEvent::FunctionExitWithError(e) => {
                    rec.sync(frames, None);
                    rec.close(None, Some(error_text(e)));
                }
                // Most steps are inside a function already entered: nothing
                // to do, and nothing allocated.
                _ if rec.in_step(frames) => {}
                _ => rec.sync(frames, Some(pos)),
            });
            Ok(DebuggerCommand::StepInto)
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_strings_are_cut_on_a_character_boundary() {
        let Value::String(s) = capped(&Dynamic::from("é".repeat(2_000))) else {
            panic!("not a string");
        };
        assert_eq!(s.chars().count(), MAX_TRACE_STRING_CHARS + 1);
        assert!(s.ends_with('…'));
        assert_eq!(capped(&Dynamic::from(3_i64)), Value::from(3));
    }

    #[test]
    fn big_documents_keep_their_first_members_and_count_the_rest() {
        let doc: serde_json::Map<String, Value> = (0..500)
            .map(|i| (format!("field_{i:03}"), Value::from(i)))
            .collect();
        let mut budget = MAX_TRACE_VALUE_BYTES;
        let pruned = prune(&Value::Object(doc), &mut budget);
        let text = pruned.to_string();
        assert!(text.len() < MAX_TRACE_VALUE_BYTES + 64, "{}", text.len());
        assert_eq!(pruned["field_000"], 0);
        let kept = pruned.as_object().map_or(0, |m| m.len()) - 1;
        assert_eq!(pruned["…"], format!("{} more", 500 - kept));

        let small = serde_json::json!({"a": [1, 2, {"b": "c"}], "d": null});
        let mut budget = MAX_TRACE_VALUE_BYTES;
        assert_eq!(prune(&small, &mut budget), small);
    }

    #[test]
    fn steps_past_the_budget_are_counted_not_kept() {
        let mut rec = TraceRecorder::default();
        for i in 0..MAX_TRACE_NODES + 5 {
            rec.fired(&format!("r{i}"), "m", &Dynamic::UNIT);
        }
        let t = rec.finish();
        assert_eq!(t.steps.len(), MAX_TRACE_NODES);
        assert_eq!(t.dropped, 5);
    }
}
