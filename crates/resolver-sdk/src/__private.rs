//! What [`crate::declare_resolver!`] expands to call: the only `unsafe` code of a plugin.

use std::ffi::{CStr, CString, c_char, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};

use resolver_abi::{
    ABI_VERSION, ErrorBody, ErrorCode, ErrorResponse, ListRequest, ResolveRequest, ResolveResponse,
    rc,
};

use crate::{
    Resolver, UserBatches, check_request, next_batch, open_listing, panic_message,
    resolve_contained,
};

pub fn abi_version() -> u32 {
    ABI_VERSION
}

/// Store `json` in `*out` as a plugin-owned C string (freed by `free_string`).
///
/// # Safety
/// `out` is null or writable.
unsafe fn put(out: *mut *mut c_char, json: String) {
    if out.is_null() {
        return;
    }
    // serde_json escapes U+0000, so there are no interior NULs; fall back to nothing if
    // there were.
    let raw = CString::new(json).map_or(std::ptr::null_mut(), CString::into_raw);
    // SAFETY: the caller guarantees `out` is writable.
    unsafe { *out = raw };
}

/// # Safety
/// `out` is null or writable.
unsafe fn put_error(out: *mut *mut c_char, code: ErrorCode, message: String) {
    let body = ErrorResponse {
        error: ErrorBody::new(code, message),
    };
    let json = serde_json::to_string(&body).unwrap_or_default();
    // SAFETY: forwarded.
    unsafe { put(out, json) };
}

/// The UTF-8 text of a C string argument.
///
/// # Safety
/// `s` is null or NUL-terminated.
unsafe fn text<'a>(s: *const c_char, what: &str) -> Result<&'a str, String> {
    if s.is_null() {
        return Err(format!("{what} is a null pointer"));
    }
    // SAFETY: the caller guarantees a NUL-terminated string.
    unsafe { CStr::from_ptr(s) }
        .to_str()
        .map_err(|_| format!("{what} is not UTF-8"))
}

/// # Safety
/// `out` is null or writable.
pub unsafe fn info<T: Resolver>(out: *mut *mut c_char) -> i32 {
    match catch_unwind(T::info) {
        Ok(info) => match serde_json::to_string(&info) {
            Ok(json) => {
                // SAFETY: forwarded.
                unsafe { put(out, json) };
                rc::OK
            }
            Err(e) => {
                // SAFETY: forwarded.
                unsafe { put_error(out, ErrorCode::Failed, e.to_string()) };
                rc::RESOLVER_ERROR
            }
        },
        Err(payload) => {
            // SAFETY: forwarded.
            unsafe { put_error(out, ErrorCode::Panic, panic_message(payload.as_ref())) };
            rc::PANIC
        }
    }
}

/// # Safety
/// As `emailprof_resolver_init` in the header.
pub unsafe fn init<T: Resolver>(
    config_json: *const c_char,
    state_out: *mut *mut c_void,
    err_out: *mut *mut c_char,
) -> i32 {
    if state_out.is_null() {
        // SAFETY: forwarded.
        unsafe {
            put_error(
                err_out,
                ErrorCode::BadRequest,
                "state_out is a null pointer".into(),
            )
        };
        return rc::BAD_REQUEST;
    }
    // SAFETY: forwarded.
    let config = match unsafe { text(config_json, "the configuration") }.and_then(|t| {
        serde_json::from_str::<serde_json::Value>(t)
            .map_err(|e| format!("the configuration is not JSON: {e}"))
    }) {
        Ok(c) => c,
        Err(message) => {
            // SAFETY: forwarded.
            unsafe { put_error(err_out, ErrorCode::BadRequest, message) };
            return rc::BAD_REQUEST;
        }
    };
    match catch_unwind(AssertUnwindSafe(|| T::init(config))) {
        Ok(Ok(state)) => {
            let raw = Box::into_raw(Box::new(state)).cast::<c_void>();
            // SAFETY: checked non-null above; the caller guarantees it is writable.
            unsafe { *state_out = raw };
            rc::OK
        }
        Ok(Err(message)) => {
            // SAFETY: forwarded.
            unsafe { put_error(err_out, ErrorCode::BadConfig, message) };
            rc::RESOLVER_ERROR
        }
        Err(payload) => {
            // SAFETY: forwarded.
            unsafe { put_error(err_out, ErrorCode::Panic, panic_message(payload.as_ref())) };
            rc::PANIC
        }
    }
}

/// # Safety
/// As `emailprof_resolver_resolve` in the header.
pub unsafe fn resolve<T: Resolver>(
    state: *mut c_void,
    request_json: *const c_char,
    response_out: *mut *mut c_char,
) -> i32 {
    if state.is_null() {
        // SAFETY: forwarded.
        unsafe {
            put_error(
                response_out,
                ErrorCode::BadRequest,
                "state is a null pointer".into(),
            )
        };
        return rc::BAD_REQUEST;
    }
    // SAFETY: forwarded.
    let request = match unsafe { text(request_json, "the request") }.and_then(|t| {
        serde_json::from_str::<ResolveRequest>(t)
            .map_err(|e| format!("the request is not a resolve request: {e}"))
    }) {
        Ok(r) => r,
        Err(message) => {
            // SAFETY: forwarded.
            unsafe { put_error(response_out, ErrorCode::BadRequest, message) };
            return rc::BAD_REQUEST;
        }
    };
    if let Err(e) = check_request(&request) {
        // SAFETY: forwarded.
        unsafe { put_error(response_out, e.code, e.message) };
        return rc::BAD_REQUEST;
    }
    // SAFETY: the caller guarantees `state` came from `init::<T>` and is live.
    let resolver = unsafe { &*state.cast::<T>() };
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let response = ResolveResponse {
            results: resolve_contained(resolver, &request.user_ids),
        };
        serde_json::to_string(&response)
    }));
    match outcome {
        Ok(Ok(json)) => {
            // SAFETY: forwarded.
            unsafe { put(response_out, json) };
            rc::OK
        }
        Ok(Err(e)) => {
            // SAFETY: forwarded.
            unsafe { put_error(response_out, ErrorCode::Failed, e.to_string()) };
            rc::RESOLVER_ERROR
        }
        Err(payload) => {
            // SAFETY: forwarded.
            unsafe {
                put_error(
                    response_out,
                    ErrorCode::Panic,
                    panic_message(payload.as_ref()),
                )
            };
            rc::PANIC
        }
    }
}

/// # Safety
/// `s` is null or came from `put` and was not freed.
pub unsafe fn free_string(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: `s` came from `CString::into_raw` in this library.
        drop(unsafe { CString::from_raw(s) });
    }
}

/// # Safety
/// `state` is null or came from `init::<T>` and is not used afterwards.
pub unsafe fn shutdown<T: Resolver>(state: *mut c_void) {
    if state.is_null() {
        return;
    }
    // SAFETY: `state` came from `Box::into_raw` in `init::<T>`. A panicking Drop must not
    // unwind into the host.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        drop(unsafe { Box::from_raw(state.cast::<T>()) })
    }));
}

/// The return code for an error body.
fn code_of(e: &ErrorBody) -> i32 {
    match e.code {
        ErrorCode::Unsupported => rc::UNSUPPORTED,
        ErrorCode::Panic => rc::PANIC,
        ErrorCode::BadRequest => rc::BAD_REQUEST,
        _ => rc::RESOLVER_ERROR,
    }
}

/// # Safety
/// `out` is null or writable.
unsafe fn put_body(out: *mut *mut c_char, error: ErrorBody) -> i32 {
    let code = code_of(&error);
    let json = serde_json::to_string(&ErrorResponse { error }).unwrap_or_default();
    // SAFETY: forwarded.
    unsafe { put(out, json) };
    code
}

/// # Safety
/// As `emailprof_resolver_list_open` in the header.
pub unsafe fn list_open<T: Resolver>(
    state: *mut c_void,
    request_json: *const c_char,
    cursor_out: *mut *mut c_void,
    err_out: *mut *mut c_char,
) -> i32 {
    if state.is_null() || cursor_out.is_null() {
        // SAFETY: forwarded.
        return unsafe {
            put_body(
                err_out,
                ErrorBody::new(
                    ErrorCode::BadRequest,
                    "state or cursor_out is a null pointer",
                ),
            )
        };
    }
    // SAFETY: forwarded.
    let request = match unsafe { text(request_json, "the request") }.and_then(|t| {
        serde_json::from_str::<ListRequest>(t)
            .map_err(|e| format!("the request is not a list request: {e}"))
    }) {
        Ok(r) => r,
        // SAFETY: forwarded.
        Err(message) => {
            return unsafe { put_body(err_out, ErrorBody::new(ErrorCode::BadRequest, message)) };
        }
    };
    // SAFETY: the caller guarantees `state` came from `init::<T>` and is live.
    let resolver = unsafe { &*state.cast::<T>() };
    match open_listing(resolver, &request) {
        Ok(listing) => {
            let raw = Box::into_raw(Box::new(listing)).cast::<c_void>();
            // SAFETY: checked non-null above; the caller guarantees it is writable.
            unsafe { *cursor_out = raw };
            rc::OK
        }
        // SAFETY: forwarded.
        Err(e) => unsafe { put_body(err_out, e) },
    }
}

/// # Safety
/// As `emailprof_resolver_list_next` in the header.
pub unsafe fn list_next(cursor: *mut c_void, batch_out: *mut *mut c_char) -> i32 {
    if cursor.is_null() {
        // SAFETY: forwarded.
        return unsafe {
            put_body(
                batch_out,
                ErrorBody::new(ErrorCode::BadRequest, "cursor is a null pointer"),
            )
        };
    }
    // SAFETY: the caller guarantees `cursor` came from `list_open` and is not closed.
    let listing = unsafe { &mut *cursor.cast::<UserBatches>() };
    let outcome = next_batch(listing).and_then(|batch| {
        serde_json::to_string(&batch).map_err(|e| ErrorBody::new(ErrorCode::Failed, e.to_string()))
    });
    match outcome {
        Ok(json) => {
            // SAFETY: forwarded.
            unsafe { put(batch_out, json) };
            rc::OK
        }
        // SAFETY: forwarded.
        Err(e) => unsafe { put_body(batch_out, e) },
    }
}

/// # Safety
/// `cursor` is null or came from `list_open` and is not used afterwards.
pub unsafe fn list_close(cursor: *mut c_void) {
    if cursor.is_null() {
        return;
    }
    // SAFETY: `cursor` came from `Box::into_raw` in `list_open`. A panicking Drop must not
    // unwind into the host.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        drop(unsafe { Box::from_raw(cursor.cast::<UserBatches>()) })
    }));
}
