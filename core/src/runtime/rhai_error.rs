//! Turning Rhai's evaluation errors into [`EvalError`]s a rule author can
//! act on: one location (where it failed), one message (without Rhai's own
//! "(line …, position …)" and "in call to function" suffixes, which repeat
//! the location in another format), and the call stack from the failing
//! function back to the entry point.

use rhai::{EvalAltResult, Position};

use super::{EvalError, Location, StackFrame};

/// Where the failing call chain starts: the entry's function and file, and
/// the line to point at when Rhai reports no position (it reports none for
/// the operations limit; the entry's definition is then the best place).
pub(crate) struct Origin<'a> {
    /// The entry function (or, for a library's top level, the file stem).
    pub function: &'a str,
    /// The file it is defined in.
    pub file: &'a str,
    /// Fallback line.
    pub line: usize,
}

/// A function name as the rule author writes it: `common::tier` for a
/// library's function, `closure` for an anonymous one.
pub(crate) fn display_name(name: &str, source: &str, entry_file: &str) -> String {
    if name.starts_with("anon$") {
        return "closure".to_owned();
    }
    if source.is_empty() || source == entry_file {
        return name.to_owned();
    }
    let module = super::kind_handlers::handler_module(source)
        .unwrap_or_else(|| super::compile::module_name(source));
    format!("{module}::{name}")
}

fn located(file: &str, pos: Position, fallback_line: Option<usize>) -> Location {
    match (pos.line(), fallback_line) {
        (None, Some(line)) => Location::Source {
            file: file.to_owned(),
            line,
            col: 1,
        },
        _ => Location::Source {
            file: file.to_owned(),
            line: pos.line().unwrap_or(1),
            col: pos.position().unwrap_or(1),
        },
    }
}

/// Walks nested call errors from the entry inwards, collecting one frame
/// per function (innermost first) and returning the innermost error.
fn unwind<'e>(err: &'e EvalAltResult, origin: &Origin) -> (&'e EvalAltResult, Vec<StackFrame>) {
    let mut outer_first = Vec::new();
    let (mut function, mut file) = (origin.function.to_owned(), origin.file.to_owned());
    let mut e = err;
    loop {
        match e {
            EvalAltResult::ErrorInFunctionCall(name, source, inner, call_pos) => {
                outer_first.push(StackFrame {
                    function: std::mem::take(&mut function),
                    location: located(&file, *call_pos, None),
                });
                function = display_name(name, source, origin.file);
                if !source.is_empty() {
                    file = source.clone();
                }
                e = inner;
            }
            EvalAltResult::ErrorInModule(_, inner, _) => e = inner,
            innermost => {
                // Only the entry's own body falls back to its definition line:
                // elsewhere a missing position is reported as line 1 of the file.
                let fallback =
                    (outer_first.is_empty() && file == origin.file).then_some(origin.line);
                outer_first.push(StackFrame {
                    function,
                    location: located(&file, innermost.position(), fallback),
                });
                outer_first.reverse();
                // Generated dispatch code is not the author's: leave it out.
                outer_first.retain(|f| {
                    !matches!(&f.location, Location::Source { file, .. }
                        if file.starts_with(super::kind_handlers::DISPATCH_SOURCE))
                });
                return (innermost, outer_first);
            }
        }
    }
}

/// The message of `err` alone: its position is reported separately.
fn message(err: &EvalAltResult) -> String {
    match err {
        EvalAltResult::ErrorRuntime(value, _) if !value.is_unit() => {
            format!("the rule threw: {value}")
        }
        other => bare_message(other),
    }
}

/// `err`'s text without the position Rhai appends (` (line 3, position 9)`).
pub(crate) fn bare_message(err: &EvalAltResult) -> String {
    let text = err.to_string();
    let pos = err.position();
    if pos.is_none() {
        return text;
    }
    let suffix = format!(" ({pos})");
    text.strip_suffix(&suffix)
        .map_or(text.clone(), str::to_owned)
}

/// The limit `err` reports, if it is one.
fn limit_of(err: &EvalAltResult) -> Option<&'static str> {
    match err {
        EvalAltResult::ErrorTooManyOperations(_) => Some("max_operations"),
        EvalAltResult::ErrorStackOverflow(_) => Some("max_call_levels"),
        EvalAltResult::ErrorTooManyVariables(_) => Some("max_variables"),
        EvalAltResult::ErrorTooManyModules(_) => Some("max_modules"),
        EvalAltResult::ErrorDataTooLarge(what, _) => Some(match what.as_str() {
            w if w.contains("string") => "max_string_size",
            w if w.contains("array") => "max_array_size",
            w if w.contains("map") => "max_map_size",
            _ => "max_data_size",
        }),
        _ => None,
    }
}

/// The [`EvalError`] for a failed call that started at `origin`.
pub(crate) fn eval_error(err: &EvalAltResult, origin: &Origin) -> EvalError {
    let (inner, stack) = unwind(err, origin);
    let location = stack
        .first()
        .map(|f| f.location.clone())
        .unwrap_or_else(|| located(origin.file, Position::NONE, Some(origin.line)));
    match limit_of(inner) {
        Some(limit) => EvalError::LimitExceeded {
            limit: limit.to_owned(),
            location,
            stack,
        },
        None => EvalError::Runtime {
            message: message(inner),
            location,
            stack,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u16, col: u16) -> Position {
        Position::new(line, col)
    }

    #[test]
    fn a_library_failure_lists_the_library_frame_then_the_entry() {
        // grade() in rules.rhai calls zen::compare at 12:14, which throws at 29:58.
        let thrown = EvalAltResult::ErrorRuntime("Compare: unsupported type".into(), at(29, 58));
        let err = EvalAltResult::ErrorInFunctionCall(
            "compare".into(),
            "lib/zen.rhai".into(),
            Box::new(thrown),
            at(12, 14),
        );
        let origin = Origin {
            function: "grade",
            file: "rules.rhai",
            line: 3,
        };
        let e = eval_error(&err, &origin);
        assert_eq!(
            e.with_stack(),
            "lib/zen.rhai:29:58: the rule threw: Compare: unsupported type\n  in zen::compare (lib/zen.rhai:29:58)\n  called from grade (rules.rhai:12:14)"
        );
        assert!(!e.to_string().contains("line 29"), "{e}");
    }

    #[test]
    fn an_error_without_a_position_points_at_the_entry_definition() {
        let err = EvalAltResult::ErrorTooManyOperations(Position::NONE);
        let origin = Origin {
            function: "triage",
            file: "triage.rhai",
            line: 7,
        };
        match eval_error(&err, &origin) {
            EvalError::LimitExceeded {
                limit,
                location,
                stack,
            } => {
                assert_eq!(limit, "max_operations");
                assert_eq!(location.to_string(), "triage.rhai:7:1");
                assert_eq!(stack.len(), 1);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn closures_and_the_entry_files_own_functions_are_named_plainly() {
        assert_eq!(display_name("anon$1f2e", "x.rhai", "x.rhai"), "closure");
        assert_eq!(display_name("helper", "x.rhai", "x.rhai"), "helper");
        assert_eq!(display_name("helper", "", "x.rhai"), "helper");
        assert_eq!(
            display_name("tier", "lib/common.rhai", "x.rhai"),
            "common::tier"
        );
    }
}
