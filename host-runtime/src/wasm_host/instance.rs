//! One instance of the host-ABI module with a bundle loaded, and the typed
//! wrapper over its raw exports.

use wasmtime::{
    Instance, Memory, Module, ResourceLimiter, Store, StoreLimits, StoreLimitsBuilder, TypedFunc,
};

use super::WasmHostError;

/// The store's limits, remembering whether a memory growth was refused: the
/// guest then aborts with a plain trap, and this says it was the memory cap.
pub(super) struct State {
    limits: StoreLimits,
    memory_denied: bool,
}

impl ResourceLimiter for State {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = self.limits.memory_growing(current, desired, maximum)?;
        self.memory_denied |= !allowed;
        Ok(allowed)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }

    fn instances(&self) -> usize {
        self.limits.instances()
    }

    fn tables(&self) -> usize {
        self.limits.tables()
    }

    fn memories(&self) -> usize {
        self.limits.memories()
    }
}

/// An instantiated module: store, memory and the exports ordex uses.
pub(super) struct GuestInstance {
    pub(super) store: Store<State>,
    memory: Memory,
    alloc: TypedFunc<u32, u32>,
    free: TypedFunc<(u32, u32), ()>,
    load: TypedFunc<(u32, u32), u64>,
    evaluate: TypedFunc<(u32, u32), u64>,
}

/// Which guest function to call.
#[derive(Clone, Copy)]
pub(super) enum Export {
    LoadBundle,
    Evaluate,
}

impl GuestInstance {
    /// Instantiates the module with no imports (the ABI has none).
    pub(super) fn new(
        engine: &wasmtime::Engine,
        module: &Module,
        memory_bytes: usize,
    ) -> Result<Self, WasmHostError> {
        let limits = StoreLimitsBuilder::new()
            .memory_size(memory_bytes)
            .instances(1)
            .memories(1)
            .tables(4)
            .build();
        let mut store = Store::new(
            engine,
            State {
                limits,
                memory_denied: false,
            },
        );
        store.limiter(|s| s);
        store
            .set_fuel(u64::MAX / 4)
            .map_err(|e| WasmHostError::Setup(e.to_string()))?;
        store.set_epoch_deadline(u64::MAX / 4);
        store.epoch_deadline_trap();
        let instance = Instance::new(&mut store, module, &[])
            .map_err(|e| WasmHostError::Abi(format!("instantiation: {e}")))?;
        let abi = |e: wasmtime::Error| WasmHostError::Abi(e.to_string());
        let version = instance
            .get_typed_func::<(), u32>(&mut store, "ordex_abi_version")
            .map_err(abi)?;
        let v = version.call(&mut store, ()).map_err(abi)?;
        if v != 1 {
            return Err(WasmHostError::Abi(format!(
                "module speaks ABI version {v}; this host speaks 1"
            )));
        }
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or_else(|| WasmHostError::Abi("no exported memory".into()))?;
        Ok(Self {
            alloc: instance
                .get_typed_func(&mut store, "ordex_alloc")
                .map_err(abi)?,
            free: instance
                .get_typed_func(&mut store, "ordex_free")
                .map_err(abi)?,
            load: instance
                .get_typed_func(&mut store, "ordex_load_bundle")
                .map_err(abi)?,
            evaluate: instance
                .get_typed_func(&mut store, "ordex_evaluate")
                .map_err(abi)?,
            memory,
            store,
        })
    }

    /// Whether the memory cap refused a growth since the instance was made.
    pub(super) fn memory_denied(&self) -> bool {
        self.store.data().memory_denied
    }

    /// Copies `input` into the guest, calls `export`, copies the answer out
    /// and frees both buffers. A trap (including exhausted fuel or deadline)
    /// is returned as the wasmtime error.
    pub(super) fn call(
        &mut self,
        export: Export,
        input: &[u8],
    ) -> Result<Vec<u8>, wasmtime::Error> {
        let len = u32::try_from(input.len())
            .map_err(|_| wasmtime::Error::msg("input larger than 4 GiB"))?;
        let ptr = self.alloc.call(&mut self.store, len)?;
        self.memory.write(&mut self.store, ptr as usize, input)?;
        let f = match export {
            Export::LoadBundle => &self.load,
            Export::Evaluate => &self.evaluate,
        };
        let packed = f.call(&mut self.store, (ptr, len))?;
        self.free.call(&mut self.store, (ptr, len))?;
        let (out_ptr, out_len) = ((packed >> 32) as u32, packed as u32);
        let mut out = vec![0u8; out_len as usize];
        self.memory.read(&self.store, out_ptr as usize, &mut out)?;
        self.free.call(&mut self.store, (out_ptr, out_len))?;
        Ok(out)
    }
}
