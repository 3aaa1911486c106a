//! The raw exports. This is the only place in ordex that touches memory
//! through raw pointers, which a Wasm ABI cannot avoid:
//! - `ordex_alloc` hands the host a buffer to write into (a leaked `Box<[u8]>`);
//! - `ordex_free` takes back any buffer this module handed out, input or answer;
//! - `ordex_load_bundle` and `ordex_evaluate` read the host's buffer and return
//!   a new answer buffer as `(ptr << 32) | len`.
//! Pointers are wasm32 addresses (u32). The host owns every buffer it gets and
//! must free it exactly once with the length it was given.
#![allow(unsafe_code)]

fn leak(bytes: Vec<u8>) -> u64 {
    let len = bytes.len() as u64;
    let ptr = Box::into_raw(bytes.into_boxed_slice()) as *mut u8 as usize as u64;
    (ptr << 32) | len
}

/// SAFETY: `ptr..ptr+len` must be a buffer from `ordex_alloc` that the host
/// has written; the slice does not outlive the call.
unsafe fn input<'a>(ptr: u32, len: u32) -> &'a [u8] {
    if len == 0 {
        return &[];
    }
    // SAFETY: see the function's contract.
    unsafe { std::slice::from_raw_parts(ptr as usize as *const u8, len as usize) }
}

/// The export contract's version.
#[unsafe(no_mangle)]
pub extern "C" fn ordex_abi_version() -> u32 {
    super::ABI_VERSION
}

/// A zeroed buffer of `len` bytes for the host to write into.
#[unsafe(no_mangle)]
pub extern "C" fn ordex_alloc(len: u32) -> u32 {
    Box::into_raw(vec![0u8; len as usize].into_boxed_slice()) as *mut u8 as usize as u32
}

/// Frees a buffer from `ordex_alloc` or an answer, given its length.
#[unsafe(no_mangle)]
pub extern "C" fn ordex_free(ptr: u32, len: u32) {
    if ptr == 0 {
        return;
    }
    // SAFETY: the host passes back a (ptr, len) this module handed out, once.
    drop(unsafe {
        Box::from_raw(std::ptr::slice_from_raw_parts_mut(
            ptr as usize as *mut u8,
            len as usize,
        ))
    });
}

/// Loads a bundle (JSON bytes at `ptr`); returns the answer buffer.
#[unsafe(no_mangle)]
pub extern "C" fn ordex_load_bundle(ptr: u32, len: u32) -> u64 {
    // SAFETY: the host wrote `len` bytes at `ptr`, a buffer from `ordex_alloc`.
    leak(super::load_bundle(unsafe { input(ptr, len) }).into_bytes())
}

/// Evaluates a call envelope (JSON bytes at `ptr`); returns the answer buffer.
#[unsafe(no_mangle)]
pub extern "C" fn ordex_evaluate(ptr: u32, len: u32) -> u64 {
    // SAFETY: as for `ordex_load_bundle`.
    leak(super::evaluate(unsafe { input(ptr, len) }).into_bytes())
}
