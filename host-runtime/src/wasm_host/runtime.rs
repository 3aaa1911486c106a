use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use ordex_core::api::{Answer, ErrorInfo};
use wasmtime::{Config, Engine, Module, Trap};

use super::WasmHostError;
use super::instance::{Export, GuestInstance};

/// Per-call bounds on the guest.
#[derive(Debug, Clone, Copy)]
pub struct HostLimits {
    /// Wasm instructions per call (wasmtime fuel).
    pub fuel: u64,
    /// Wall-clock deadline per call.
    pub deadline: Duration,
    /// Linear memory per instance, bytes.
    pub memory_bytes: usize,
    /// Idle instances kept for reuse.
    pub pool_size: usize,
    /// Wasm instructions loading (compiling) a bundle in a new instance may take.
    pub load_fuel: u64,
    /// Wall-clock deadline for loading a bundle in a new instance.
    pub load_deadline: Duration,
}

impl Default for HostLimits {
    fn default() -> Self {
        Self {
            fuel: 2_000_000_000,
            deadline: Duration::from_secs(2),
            memory_bytes: 256 << 20,
            pool_size: 8,
            // The default pack loads in about 0.2 G instructions and 70 ms:
            // twenty times that is room for large packs, and a bound.
            load_fuel: 4_000_000_000,
            load_deadline: Duration::from_secs(5),
        }
    }
}

/// What one call cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallStats {
    /// Wasm instructions executed (fuel consumed).
    pub fuel: u64,
    /// Wall-clock time.
    pub elapsed: Duration,
}

/// The epoch tick: deadlines are counted in these.
const TICK: Duration = Duration::from_millis(5);

/// Rules evaluated through the host-ABI module.
pub struct WasmRuntime {
    engine: Engine,
    module: Module,
    bundle: Arc<String>,
    bundle_id: String,
    limits: HostLimits,
    pool: Mutex<Vec<GuestInstance>>,
}

fn engine() -> Result<Engine, WasmHostError> {
    static ENGINE: OnceLock<Result<Engine, String>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let mut config = Config::new();
            config.consume_fuel(true).epoch_interruption(true);
            // Compiled code is cached on disk by content hash: a second run
            // of `ordex` loads the module in milliseconds instead of seconds.
            if let Ok(cache) = wasmtime::Cache::new(wasmtime::CacheConfig::new()) {
                config.cache(Some(cache));
            }
            let engine = Engine::new(&config).map_err(|e| e.to_string())?;
            // One ticker per process advances every engine deadline.
            let ticker = engine.weak();
            std::thread::spawn(move || {
                while let Some(engine) = ticker.upgrade() {
                    engine.increment_epoch();
                    drop(engine);
                    std::thread::sleep(TICK);
                }
            });
            Ok(engine)
        })
        .clone()
        .map_err(WasmHostError::Setup)
}

/// Epoch ticks of a deadline.
fn ticks(deadline: Duration) -> u64 {
    (deadline.as_millis() / TICK.as_millis()).max(1) as u64
}

/// Which limit stopped a guest, in words for a person; `None` for a trap
/// that is not a limit (a bug).
fn limit_hit(
    err: &wasmtime::Error,
    memory_denied: bool,
    fuel: u64,
    deadline: Duration,
    memory_bytes: usize,
) -> Option<String> {
    if memory_denied {
        return Some(format!(
            "the guest ran past its {} MiB memory limit",
            memory_bytes >> 20
        ));
    }
    match err.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => Some(format!("the guest ran past {fuel} Wasm instructions")),
        Some(Trap::Interrupt) => Some(format!("the guest ran past its {deadline:?} deadline")),
        _ => None,
    }
}

/// The first line of a wasmtime error: its message without the guest
/// backtrace that follows it, which is for ordex developers, not clients.
fn headline(err: &wasmtime::Error) -> String {
    match err.downcast_ref::<Trap>() {
        Some(trap) => trap.to_string(),
        None => err
            .to_string()
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned(),
    }
}

fn trap_answer(err: &wasmtime::Error, memory_denied: bool, limits: &HostLimits) -> String {
    let limit = limit_hit(
        err,
        memory_denied,
        limits.fuel,
        limits.deadline,
        limits.memory_bytes,
    );
    let (code, message, hint) = match limit {
        Some(message) => (
            "limit_exceeded",
            message,
            "look for a rule that loops or builds large values, or raise the host's limits",
        ),
        None => (
            "runtime_trap",
            format!("the Wasm module trapped: {}", headline(err)),
            "this is a bug in ordex; the instance was replaced",
        ),
    };
    let answer: Answer<()> = Answer::fail(ErrorInfo {
        code: code.to_owned(),
        message,
        location: None,
        hint: Some(hint.to_owned()),
        stack: Vec::new(),
    });
    serde_json::to_string(&answer).unwrap_or_default()
}

impl WasmRuntime {
    /// Compiles (or loads from the cache) the module at `module_path`, and
    /// checks that `bundle_json` loads in it.
    pub fn new(
        module_path: &Path,
        bundle_json: String,
        limits: HostLimits,
    ) -> Result<Self, WasmHostError> {
        Self::with_module(&Self::load_module(module_path)?, bundle_json, limits)
    }

    /// Compiles (or loads from the cache) the module at `module_path`, for
    /// [`WasmRuntime::with_module`]: a service that switches bundles compiles
    /// the module once.
    pub fn load_module(module_path: &Path) -> Result<Module, WasmHostError> {
        let engine = engine()?;
        Module::from_file(&engine, module_path)
            .map_err(|e| WasmHostError::Setup(format!("{}: {e}", module_path.display())))
    }

    /// Loads `bundle_json` into instances of an already compiled module.
    pub fn with_module(
        module: &Module,
        bundle_json: String,
        limits: HostLimits,
    ) -> Result<Self, WasmHostError> {
        let engine = engine()?;
        let module = module.clone();
        let mut runtime = Self {
            engine,
            module,
            bundle: Arc::new(bundle_json),
            bundle_id: String::new(),
            limits,
            pool: Mutex::new(Vec::new()),
        };
        let first = runtime.fresh()?;
        runtime
            .pool
            .get_mut()
            .map_err(|_| WasmHostError::Setup("pool lock".into()))?
            .push(first.0);
        runtime.bundle_id = first.1;
        Ok(runtime)
    }

    /// The loaded bundle's id.
    pub fn bundle_id(&self) -> &str {
        &self.bundle_id
    }

    /// The per-call limits.
    pub fn limits(&self) -> &HostLimits {
        &self.limits
    }

    /// A new instance with the bundle loaded (building the rules engine
    /// inside costs millions of instructions, which is why instances are
    /// pooled). Loading runs under its own fuel, deadline and the memory cap:
    /// a bundle whose library code loops or hoards memory is refused here,
    /// inside the sandbox, never in the host process.
    fn fresh(&self) -> Result<(GuestInstance, String), WasmHostError> {
        let mut instance =
            GuestInstance::new(&self.engine, &self.module, self.limits.memory_bytes)?;
        instance
            .store
            .set_fuel(self.limits.load_fuel)
            .map_err(|e| WasmHostError::Setup(e.to_string()))?;
        instance
            .store
            .set_epoch_deadline(ticks(self.limits.load_deadline));
        let answer = instance
            .call(Export::LoadBundle, self.bundle.as_bytes())
            .map_err(|e| {
                let denied = instance.memory_denied();
                match limit_hit(
                    &e,
                    denied,
                    self.limits.load_fuel,
                    self.limits.load_deadline,
                    self.limits.memory_bytes,
                ) {
                    Some(limit) => WasmHostError::LoadLimit(limit),
                    None => WasmHostError::Abi(format!("loading trapped: {}", headline(&e))),
                }
            })?;
        let answer: Answer<serde_json::Value> =
            serde_json::from_slice(&answer).map_err(|e| WasmHostError::Abi(e.to_string()))?;
        match answer {
            Answer::Success { ok, .. } => match ok["bundle_id"].as_str() {
                Some(id) => Ok((instance, id.to_owned())),
                None => Err(WasmHostError::Abi(
                    "the load answer has no bundle_id".into(),
                )),
            },
            Answer::Failure { errors, .. } => Err(WasmHostError::Bundle(errors)),
        }
    }

    /// Evaluates a call envelope; returns the answer JSON and what it cost.
    /// Limits and traps become error answers; the trapped instance is dropped.
    pub fn evaluate(&self, call: &str) -> Result<(String, CallStats), WasmHostError> {
        let pooled = self.pool.lock().ok().and_then(|mut p| p.pop());
        let mut instance = match pooled {
            Some(i) => i,
            None => self.fresh()?.0,
        };
        instance
            .store
            .set_fuel(self.limits.fuel)
            .map_err(|e| WasmHostError::Setup(e.to_string()))?;
        instance
            .store
            .set_epoch_deadline(ticks(self.limits.deadline));
        let started = Instant::now();
        let result = instance.call(Export::Evaluate, call.as_bytes());
        let elapsed = started.elapsed();
        let fuel = self.limits.fuel - instance.store.get_fuel().unwrap_or(0);
        let stats = CallStats { fuel, elapsed };
        match result {
            Ok(bytes) => {
                if let Ok(mut pool) = self.pool.lock()
                    && pool.len() < self.limits.pool_size
                {
                    pool.push(instance);
                }
                Ok((String::from_utf8_lossy(&bytes).into_owned(), stats))
            }
            Err(e) => Ok((
                trap_answer(&e, instance.memory_denied(), &self.limits),
                stats,
            )),
        }
    }
}
