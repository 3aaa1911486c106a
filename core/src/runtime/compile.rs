use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use rhai::{
    AST, CallFnOptions, Dynamic, Engine, EvalAltResult, Module, OptimizationLevel, ParseError,
    ParseErrorType, Position, Scope,
};
use serde_json::Value;

use super::{
    Bundle, BundleError, Diagnostic, EntryKind, EvalError, Limits, Location, Manifest, View,
    Warning, WarningSink, functions, to_json,
};

/// One compiled entry point.
#[derive(Debug, Clone)]
pub struct CompiledEntry {
    /// Contract.
    pub kind: EntryKind,
    /// File holding the function.
    pub file: String,
    /// Function name.
    pub function: String,
    /// 1-based line of `fn <function>(`, for errors about what it returns.
    pub line: usize,
    ast: Arc<AST>,
}

/// A rule pack compiled and ready to evaluate: build once, call many times,
/// from many threads.
#[derive(Debug, Clone)]
pub struct CompiledPack {
    engine: Arc<Engine>,
    // Shared: an engine is cloned per request by hosts, which must cost
    // reference counts, not a copy of the manifest and its parameters.
    entries: Arc<BTreeMap<String, CompiledEntry>>,
    manifest: Arc<Manifest>,
    params: Arc<Value>,
    bundle: Arc<Bundle>,
    warnings: Arc<Vec<Diagnostic>>,
    /// What a second, tracing engine is built from on first use: the
    /// libraries (already evaluated, shared, not compiled again), the
    /// models and the tables.
    libraries: Arc<Vec<(String, rhai::Shared<Module>)>>,
    models: functions::Models,
    tables: functions::Tables,
    tracing_engine: Arc<OnceLock<Arc<Engine>>>,
}

pub(crate) fn build_engine(
    limits: &Limits,
    models: &functions::Models,
    tables: &functions::Tables,
) -> Engine {
    let mut engine = Engine::new();
    engine
        .set_max_operations(limits.max_operations)
        .set_max_call_levels(limits.max_call_levels)
        .set_max_expr_depths(limits.max_expr_depth, limits.max_function_expr_depth)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .set_max_modules(64)
        .set_max_variables(1_000)
        .set_max_functions(1_000)
        // Undeclared variables are compile errors: functions cannot see outer
        // variables, and a typo should fail `ordex check`, not a live order.
        .set_strict_variables(true)
        .set_optimization_level(OptimizationLevel::Simple);
    functions::exact_division(&mut engine);
    // Rules must not evaluate code they build from input.
    engine.disable_symbol("eval");
    // The core has no I/O: print and debug go nowhere.
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    functions::register(&mut engine, models, tables);
    engine
}

/// Reads the models the manifest declares, with a diagnostic at the model
/// file's line (or the manifest) for each that cannot be read.
fn load_models(
    manifest: &Manifest,
    bundle: &Bundle,
    diagnostics: &mut Vec<Diagnostic>,
) -> functions::Models {
    let mut models = functions::PackModels::default();
    for (name, file) in &manifest.models {
        let Some(text) = bundle.files.get(file) else {
            diagnostics.push(Diagnostic {
                code: "model_missing".to_owned(),
                message: format!("model `{name}` names file `{file}`, which is not in the pack"),
                location: Some(Location::Source {
                    file: "ordex.toml".to_owned(),
                    line: bundle
                        .manifest
                        .lines()
                        .position(|l| l.trim_start().starts_with(name.as_str()))
                        .map_or(1, |i| i + 1),
                    col: 1,
                }),
                hint: Some(
                    "train one with `ordex train … -o <file>`; paths are relative to ordex.toml"
                        .to_owned(),
                ),
            });
            continue;
        };
        let loaded = if text.starts_with(crate::learn::risk::HEADER) {
            crate::learn::risk::RiskModel::from_text(text)
                .map(|m| {
                    models.risk.insert(name.clone(), Arc::new(m));
                })
                .map_err(|e| (e.line, e.message))
        } else {
            crate::knowledge::text::TextModel::from_text(text)
                .map(|m| {
                    models.text.insert(name.clone(), Arc::new(m));
                })
                .map_err(|e| (e.line, e.message))
        };
        match loaded {
            Ok(()) => {}
            Err((line, message)) => diagnostics.push(Diagnostic {
                code: "model_invalid".to_owned(),
                message: format!("model `{name}`: {message}"),
                location: Some(Location::Source {
                    file: file.clone(),
                    line: line.max(1),
                    col: 1,
                }),
                hint: Some("a model file is written by `ordex train`; train it again".to_owned()),
            }),
        }
    }
    Arc::new(models)
}

/// Reads and checks the decision tables the manifest declares: a diagnostic
/// at the table file's line and column for each that cannot be read, and
/// the analysis' findings (overlaps, shadowed rows, gaps) as warnings.
fn load_tables(
    manifest: &Manifest,
    bundle: &Bundle,
    diagnostics: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) -> functions::Tables {
    let mut tables = BTreeMap::new();
    for (name, decl) in &manifest.tables {
        let Some(text) = bundle.files.get(&decl.file) else {
            diagnostics.push(Diagnostic {
                code: "table_missing".to_owned(),
                message: format!(
                    "table `{name}` names file `{}`, which is not in the pack",
                    decl.file
                ),
                location: Some(Location::Source {
                    file: "ordex.toml".to_owned(),
                    line: declaration_line(&bundle.manifest, &format!("[tables.{name}]"), name),
                    col: 1,
                }),
                hint: Some("paths are relative to ordex.toml; tables are .csv files".to_owned()),
            });
            continue;
        };
        match crate::table::DecisionTable::from_csv(name, &decl.file, decl.hit, text) {
            Ok(table) => {
                warnings.extend(
                    crate::table::analysis::analyse(&table)
                        .into_iter()
                        .map(|f| Diagnostic {
                            code: f.code.to_owned(),
                            message: f.message,
                            location: Some(Location::Source {
                                file: decl.file.clone(),
                                line: f.line,
                                col: 1,
                            }),
                            hint: None,
                        }),
                );
                tables.insert(name.clone(), Arc::new(table));
            }
            Err(e) => {
                let (line, col, message) = match e {
                    crate::table::TableError::Syntax { line, col, message } => (line, col, message),
                    other => (1, 1, other.to_string()),
                };
                diagnostics.push(Diagnostic {
                    code: "table_invalid".to_owned(),
                    message: format!("table `{name}`: {message}"),
                    location: Some(Location::Source {
                        file: decl.file.clone(),
                        line,
                        col,
                    }),
                    hint: Some("the first row names the columns (`in:<path>`, `out:<path>`, optionally `:string`/`:number`/`:bool`); see docs/rule-tables.md".to_owned()),
                });
            }
        }
    }
    Arc::new(tables)
}

/// Line of a `[section]` header, else of a line starting with `key`, else 1.
fn declaration_line(manifest: &str, header: &str, key: &str) -> usize {
    manifest
        .lines()
        .position(|l| l.trim() == header)
        .or_else(|| {
            manifest
                .lines()
                .position(|l| l.trim_start().starts_with(key))
        })
        .map_or(1, |i| i + 1)
}

fn parse_diagnostic(file: &str, err: &ParseError) -> Diagnostic {
    let ParseError(kind, pos) = err;
    let hint = match kind.as_ref() {
        ParseErrorType::VariableUndefined(name) => Some(format!(
            "`{name}` is not declared here. Declare it with `let {name} = …;`. Functions cannot see variables outside them: pass the value as a parameter, or read it from the input (`event.…`, `ctx.params.…`)."
        )),
        ParseErrorType::ModuleUndefined(name) => Some(format!(
            "there is no library `{name}`: add `{name}.rhai` to the pack (every non-entry .rhai file is a library named after its file)"
        )),
        ParseErrorType::MissingToken(token, _) => Some(format!("insert `{token}`")),
        ParseErrorType::UnknownOperator(op) => Some(format!("`{op}` is not a Rhai operator")),
        ParseErrorType::Reserved(word) => {
            Some(format!("`{word}` is reserved in Rhai; choose another name"))
        }
        ParseErrorType::ExprTooDeep => {
            Some("split the expression, or raise limits.max_expr_depth in ordex.toml".to_owned())
        }
        _ => None,
    };
    Diagnostic {
        code: "rule_syntax".to_owned(),
        message: kind.to_string(),
        location: Some(source_location(file, *pos)),
        hint,
    }
}

fn source_location(file: &str, pos: Position) -> Location {
    Location::Source {
        file: file.to_owned(),
        line: pos.line().unwrap_or(1),
        col: pos.position().unwrap_or(1),
    }
}

/// Line of `fn name(` in `source`, 1 when not found.
fn definition_line(source: &str, name: &str) -> usize {
    let needle = format!("fn {name}(");
    source
        .lines()
        .position(|l| {
            let l = l.trim_start();
            l.starts_with(&needle)
                || l.strip_prefix("private ")
                    .is_some_and(|r| r.starts_with(&needle))
        })
        .map_or(1, |i| i + 1)
}

/// Where `[entries.<name>]` is declared in the manifest text.
fn manifest_location(manifest: &str, entry: &str) -> Location {
    let header = format!("[entries.{entry}]");
    let line = manifest
        .lines()
        .position(|l| l.trim() == header)
        .map_or(1, |i| i + 1);
    Location::Source {
        file: "ordex.toml".to_owned(),
        line,
        col: 1,
    }
}

/// The module name rules call a library file by: its file name without
/// `.rhai` (`lib/common.rhai` is `common`). Not its path: Rhai reports a
/// function in a nested module (`a::b::f`) with the outer module as its
/// source, which would put the wrong file in stacks and traces.
pub(crate) fn module_name(path: &str) -> String {
    let stem = path.rsplit('/').next().unwrap_or(path);
    stem.trim_end_matches(".rhai").to_owned()
}

/// Compiles the kind handlers and the generated dispatchers that call them
/// (see [`super::kind_handlers`]), after the libraries handlers may call and
/// before the entries that call the dispatch. A dispatch is one library,
/// `triage`, with the handlers as its sub-modules `triage::<kind>`.
fn register_dispatches(
    found: Vec<super::kind_handlers::Dispatch>,
    manifest: &Manifest,
    bundle: &Bundle,
    engine: &mut Engine,
    libraries: &mut Vec<(String, rhai::Shared<Module>)>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    use super::kind_handlers::dispatch_id;
    let entry_files: Vec<&str> = manifest.entries.values().map(|e| e.file.as_str()).collect();
    for d in found {
        if let Some((name, _)) = libraries.iter().find(|(n, _)| *n == d.module) {
            let path = bundle
                .files
                .keys()
                .find(|p| {
                    p.ends_with(".rhai")
                        && !entry_files.contains(&p.as_str())
                        && module_name(p) == *name
                })
                .cloned()
                .unwrap_or_default();
            diagnostics.push(Diagnostic {
                code: "module_collision".to_owned(),
                message: format!(
                    "`{path}` is the library `{}`, the name of the dispatch for the handlers in `{}/`",
                    d.module, d.dir
                ),
                location: Some(source_location(&path, Position::new(1, 1))),
                hint: Some("rename the library, or the handler directory".to_owned()),
            });
            continue;
        }
        // The handlers first, each a module of its own file; registered
        // under `triage::<kind>` for as long as the dispatch compiles.
        let mut handlers: Vec<(String, rhai::Shared<Module>)> = Vec::new();
        for (kind, path) in &d.handlers {
            let Some(text) = bundle.files.get(path) else {
                continue;
            };
            let module = engine
                .compile(text.as_str())
                .map_err(|e| parse_diagnostic(path, &e))
                .and_then(|mut ast| {
                    ast.set_source(path.as_str());
                    Module::eval_ast_as_new(Scope::new(), &ast, engine)
                        .map_err(|e| runtime_diagnostic(path, &e))
                });
            match module {
                Ok(mut module) => {
                    module.set_id(path.as_str());
                    let module: rhai::Shared<Module> = module.into();
                    engine.register_static_module(format!("{}::{kind}", d.module), module.clone());
                    handlers.push((kind.clone(), module));
                }
                Err(diagnostic) => diagnostics.push(diagnostic),
            }
        }
        let id = dispatch_id(&d.dir);
        let source = d.source(&|kind| handlers.iter().any(|(k, _)| k == kind));
        let module = engine
            .compile(source.as_str())
            .map_err(|e| parse_diagnostic(&id, &e))
            .and_then(|mut ast| {
                ast.set_source(id.as_str());
                Module::eval_ast_as_new(Scope::new(), &ast, engine)
                    .map_err(|e| runtime_diagnostic(&id, &e))
            });
        match module {
            Ok(mut module) => {
                module.set_id(id.as_str());
                for (kind, handler) in handlers {
                    module.set_sub_module(kind, handler);
                }
                let module: rhai::Shared<Module> = module.into();
                // Replaces the namespace the handlers were registered in.
                engine.register_static_module(d.module.as_str(), module.clone());
                libraries.push((d.module, module));
            }
            Err(diagnostic) => diagnostics.push(diagnostic),
        }
    }
}

impl CompiledPack {
    /// Parses the manifest, compiles every rule file and checks every entry
    /// point. Reports all problems found, not just the first.
    pub fn compile(bundle: Bundle) -> Result<Self, BundleError> {
        let manifest = bundle.parse_manifest()?;
        let mut diagnostics = Vec::new();
        let bad_limits = manifest.limits.out_of_range();
        if !bad_limits.is_empty() {
            return Err(BundleError::Invalid {
                diagnostics: vec![Diagnostic {
                    code: "limits_out_of_range".to_owned(),
                    message: format!("limits out of range: {}", bad_limits.join(", ")),
                    location: Some(Location::Source {
                        file: "ordex.toml".to_owned(),
                        line: 1,
                        col: 1,
                    }),
                    hint: Some(format!(
                        "each limit must be above 0 and at most {:?}",
                        Limits::CEILING
                    )),
                }],
            });
        }
        let models = load_models(&manifest, &bundle, &mut diagnostics);
        let mut warnings = Vec::new();
        let tables = load_tables(&manifest, &bundle, &mut diagnostics, &mut warnings);
        let mut engine = build_engine(&manifest.limits, &models, &tables);
        let mut libraries = Vec::new();
        let tests_prefix = format!("{}/", manifest.tests.trim_end_matches('/'));
        let entry_files: Vec<&str> = manifest.entries.values().map(|e| e.file.as_str()).collect();
        let rule_files: Vec<(&String, &String)> = bundle
            .files
            .iter()
            .filter(|(p, _)| p.ends_with(".rhai") && !p.starts_with(&tests_prefix))
            .collect();

        // Libraries may use each other, and strict mode resolves module names
        // at compile time, so register them in rounds until no more compile.
        let (dispatch_list, problems) = super::kind_handlers::dispatches(&manifest, &bundle);
        diagnostics.extend(problems);
        let handler_files: Vec<&str> = dispatch_list
            .iter()
            .flat_map(|d| d.handlers.iter().map(|(_, p)| p.as_str()))
            .collect();
        let mut pending: Vec<(&String, &String)> = rule_files
            .iter()
            .copied()
            .filter(|(p, _)| {
                !entry_files.contains(&p.as_str()) && !handler_files.contains(&p.as_str())
            })
            .collect();
        loop {
            let mut progress = false;
            let mut failed = Vec::new();
            for (path, text) in pending {
                match engine.compile(text.as_str()) {
                    Ok(mut ast) => {
                        ast.set_source(path.as_str());
                        match Module::eval_ast_as_new(Scope::new(), &ast, &engine) {
                            Ok(mut module) => {
                                module.set_id(path.as_str());
                                let module: rhai::Shared<Module> = module.into();
                                engine.register_static_module(module_name(path), module.clone());
                                libraries.push((module_name(path), module));
                                progress = true;
                            }
                            Err(e) => diagnostics.push(runtime_diagnostic(path, &e)),
                        }
                    }
                    Err(e) => failed.push(((path, text), e)),
                }
            }
            if failed.is_empty() || !progress {
                diagnostics.extend(failed.iter().map(|((p, _), e)| parse_diagnostic(p, e)));
                break;
            }
            pending = failed.into_iter().map(|(f, _)| f).collect();
        }

        register_dispatches(
            dispatch_list,
            &manifest,
            &bundle,
            &mut engine,
            &mut libraries,
            &mut diagnostics,
        );

        let mut asts: BTreeMap<&str, Arc<AST>> = BTreeMap::new();
        for (path, text) in rule_files
            .iter()
            .filter(|(p, _)| entry_files.contains(&p.as_str()))
        {
            match engine.compile(text.as_str()) {
                Ok(mut ast) => {
                    ast.set_source(path.as_str());
                    asts.insert(path.as_str(), Arc::new(ast));
                }
                Err(e) => diagnostics.push(parse_diagnostic(path, &e)),
            }
        }

        let mut entries = BTreeMap::new();
        for (name, entry) in &manifest.entries {
            let function = entry.function_name(name).to_owned();
            let kind = manifest.entry_kind(name).unwrap_or(EntryKind::Generic);
            let Some(source) = bundle.files.get(&entry.file) else {
                diagnostics.push(Diagnostic {
                    code: "entry_file_missing".to_owned(),
                    message: format!(
                        "entry `{name}` names file `{}`, which is not in the pack",
                        entry.file
                    ),
                    location: Some(manifest_location(&bundle.manifest, name)),
                    hint: Some("paths are relative to the directory holding ordex.toml".to_owned()),
                });
                continue;
            };
            let Some(ast) = asts.get(entry.file.as_str()) else {
                continue;
            };
            let arity = ast
                .iter_functions()
                .find(|f| f.name == function)
                .map(|f| f.params.len());
            match arity {
                Some(2) => {}
                found => {
                    diagnostics.push(Diagnostic {
                        code: "entry_function_missing".to_owned(),
                        message: match found {
                            Some(n) => format!("entry `{name}`: function `{function}` takes {n} parameter(s); it must take 2 (input, ctx)"),
                            None => format!("entry `{name}`: no function `{function}` in {}", entry.file),
                        },
                        location: Some(Location::Source {
                            file: entry.file.clone(),
                            line: definition_line(source, &function),
                            col: 1,
                        }),
                        hint: Some(format!("define `fn {function}(input, ctx) {{ … }}`")),
                    });
                    continue;
                }
            }
            entries.insert(
                name.clone(),
                CompiledEntry {
                    kind,
                    file: entry.file.clone(),
                    line: definition_line(source, &function),
                    function,
                    ast: ast.clone(),
                },
            );
        }
        if !diagnostics.is_empty() {
            return Err(BundleError::Invalid { diagnostics });
        }
        let params = serde_json::to_value(&manifest.params).unwrap_or(Value::Null);
        Ok(Self {
            engine: Arc::new(engine),
            entries: Arc::new(entries),
            manifest: Arc::new(manifest),
            params: Arc::new(params),
            bundle: Arc::new(bundle),
            warnings: Arc::new(warnings),
            libraries: Arc::new(libraries),
            models,
            tables,
            tracing_engine: Arc::default(),
        })
    }

    /// The engine traced calls run on: built on the first one, shared by
    /// clones of this pack.
    fn tracing_engine(&self) -> &Engine {
        self.tracing_engine.get_or_init(|| {
            let mut engine = build_engine(&self.manifest.limits, &self.models, &self.tables);
            for (name, module) in self.libraries.iter() {
                engine.register_static_module(name.as_str(), module.clone());
            }
            super::trace::install(&mut engine);
            Arc::new(engine)
        })
    }

    /// Compiles like [`Self::compile`], then runs the static checks of
    /// [`super::static_check`] (every call resolved, the input fields typed
    /// entries read, library name collisions) and fails on what they find;
    /// library functions nothing calls join the warnings. Authoring tools
    /// and bundle uploads use this; runtimes that load an already checked
    /// bundle use `compile`, which skips the cost.
    pub fn compile_checked(bundle: Bundle) -> Result<Self, BundleError> {
        let mut pack = Self::compile(bundle)?;
        let warnings = super::static_check::static_check(&pack.bundle)?;
        Arc::make_mut(&mut pack.warnings).extend(warnings);
        Ok(pack)
    }

    /// What compiling found that does not stop the pack from running
    /// (decision-table rows that overlap, never answer, or leave gaps).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The bundle's content id.
    pub fn bundle_id(&self) -> &str {
        &self.bundle.id
    }

    /// The bundle compiled.
    pub fn bundle(&self) -> &Bundle {
        &self.bundle
    }

    /// The parsed manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// `ctx.params`: the manifest's `[params]` as JSON.
    pub fn params(&self) -> &Value {
        &self.params
    }

    /// The parameters as a shared document, for read-only views.
    pub fn params_shared(&self) -> Arc<Value> {
        self.params.clone()
    }

    /// Compiled entry points by name.
    pub fn entries(&self) -> &BTreeMap<String, CompiledEntry> {
        &self.entries
    }

    /// Calls entry `name` with read-only `input` and `ctx`, returning the
    /// rule's raw result as JSON plus warnings.
    pub fn call(
        &self,
        name: &str,
        expected: EntryKind,
        input: Arc<Value>,
        ctx: Arc<Value>,
    ) -> Result<(Value, Vec<Warning>), EvalError> {
        let args = (
            Dynamic::from(View::new(input)),
            Dynamic::from(View::new(ctx)),
        );
        self.call_values(name, expected, args)
    }

    /// Like [`CompiledPack::call`], with the arguments already Rhai values
    /// (for instance deep copies made with [`super::json_to_dynamic`]).
    pub fn call_values(
        &self,
        name: &str,
        expected: EntryKind,
        args: (Dynamic, Dynamic),
    ) -> Result<(Value, Vec<Warning>), EvalError> {
        self.call_values_traced(name, expected, args, None)
    }

    /// Like [`CompiledPack::call_values`]; with `trace`, the call runs on the
    /// tracing engine and records into it (see [`super::Trace`]). The trace
    /// is there whether the call succeeds or fails.
    pub(crate) fn call_values_traced(
        &self,
        name: &str,
        expected: EntryKind,
        args: (Dynamic, Dynamic),
        trace: Option<&super::TraceSlot>,
    ) -> Result<(Value, Vec<Warning>), EvalError> {
        let entry = self
            .entries
            .get(name)
            .filter(|e| e.kind == expected)
            .ok_or_else(|| EvalError::UnknownEntry {
                entry: name.to_owned(),
                expected: kind_name(expected),
            })?;
        let (sink, engine) = match trace {
            Some(slot) => {
                slot.start(&entry.file);
                (WarningSink::traced(slot.clone()), self.tracing_engine())
            }
            None => (WarningSink::default(), &*self.engine),
        };
        let options = CallFnOptions::new().with_tag(Dynamic::from(sink.clone()));
        let mut scope = Scope::new();
        let result = engine
            .call_fn_with_options::<Dynamic>(options, &mut scope, &entry.ast, &entry.function, args)
            .map_err(|e| {
                super::rhai_error::eval_error(
                    &e,
                    &super::rhai_error::Origin {
                        function: &entry.function,
                        file: &entry.file,
                        line: entry.line,
                    },
                )
            })?;
        let value = to_json(&result).map_err(|(path, message)| {
            EvalError::BadReturn(Box::new(super::BadReturn {
                function: entry.function.clone(),
                contract: "JSON value",
                path,
                message,
                location: Location::Source {
                    file: entry.file.clone(),
                    line: entry.line,
                    col: 1,
                },
            }))
        })?;
        Ok((value, sink.take()))
    }
}

pub(crate) fn kind_name(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Checkout => "checkout",
        EntryKind::Triage => "triage",
        EntryKind::Retry => "retry",
        EntryKind::Generic => "generic",
    }
}

fn runtime_diagnostic(file: &str, err: &EvalAltResult) -> Diagnostic {
    let name = module_name(file);
    let e = super::rhai_error::eval_error(
        err,
        &super::rhai_error::Origin {
            function: &name,
            file,
            line: 1,
        },
    );
    Diagnostic {
        code: e.code().to_owned(),
        message: e.to_string(),
        location: e.location().cloned(),
        hint: Some(
            "a library's top level runs once at load; keep it to functions and constants"
                .to_owned(),
        ),
    }
}
