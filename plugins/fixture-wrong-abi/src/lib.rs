//! Test fixture: a plugin built against a future ABI major (2.0). It exports only the version
//! symbol, so a host that looked up any other symbol first would fail differently.

/// ABI 2.0, packed as `(major << 16) | minor`.
#[unsafe(no_mangle)]
pub extern "C" fn emailprof_resolver_abi_version() -> u32 {
    2 << 16
}
