//! In-process plugins: a shared library with the C functions of `emailprof_resolver.h`.
//!
//! Loading rules (see notes/rust.md §2.1): only an explicit path (never a library-path
//! search); the ABI version is read before any other symbol; the library is never unloaded
//! (unloading is unreliable with TLS and on musl), so resolved function pointers stay valid;
//! calls into one plugin state are serialized by a mutex.

use std::ffi::{CStr, CString, c_char, c_void};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use emailprof_attributes::{AttributeResolver, DirectoryAttributes, ResolveError};
use resolver_abi::{
    ABI_MAJOR, ABI_VERSION, ErrorBody, ErrorCode, ErrorResponse, ListBatch, ListRequest,
    PluginInfo, ResolveRequest, ResolveResponse, abi_major, rc, symbols,
};
use resolver_sdk::Backend;

use crate::{HostError, LoadOptions};

mod listing;

type AbiVersionFn = unsafe extern "C" fn() -> u32;
type InfoFn = unsafe extern "C" fn(*mut *mut c_char) -> i32;
type InitFn = unsafe extern "C" fn(*const c_char, *mut *mut c_void, *mut *mut c_char) -> i32;
type ResolveFn = unsafe extern "C" fn(*mut c_void, *const c_char, *mut *mut c_char) -> i32;
type FreeStringFn = unsafe extern "C" fn(*mut c_char);
type ShutdownFn = unsafe extern "C" fn(*mut c_void);
type ListOpenFn =
    unsafe extern "C" fn(*mut c_void, *const c_char, *mut *mut c_void, *mut *mut c_char) -> i32;
type ListNextFn = unsafe extern "C" fn(*mut c_void, *mut *mut c_char) -> i32;
type ListCloseFn = unsafe extern "C" fn(*mut c_void);

/// The optional listing functions (ABI 1.1).
#[derive(Clone, Copy)]
struct ListFns {
    open: ListOpenFn,
    next: ListNextFn,
    close: ListCloseFn,
}

/// A loaded plugin library: its functions, valid for the life of the process.
#[derive(Clone)]
struct Plugin {
    path: PathBuf,
    info: PluginInfo,
    init: InitFn,
    resolve: ResolveFn,
    free_string: FreeStringFn,
    shutdown: ShutdownFn,
    list: Option<ListFns>,
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("path", &self.path)
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

/// What a plugin call returned: its code and its out string (copied, then freed by the plugin).
struct Reply {
    code: i32,
    text: Option<String>,
}

impl Plugin {
    fn name(&self) -> String {
        format!("{} ({})", self.info.name, self.path.display())
    }

    /// Take ownership of a string the plugin returned: copy it and free it with the plugin's
    /// own `free_string` (it may use another allocator).
    fn take_string(&self, raw: *mut c_char) -> Option<String> {
        if raw.is_null() {
            return None;
        }
        // SAFETY: the plugin returned a NUL-terminated string it owns; we copy it before
        // handing it back to the plugin's free function, exactly once.
        let text = unsafe { CStr::from_ptr(raw) }
            .to_string_lossy()
            .into_owned();
        // SAFETY: as above.
        unsafe { (self.free_string)(raw) };
        Some(text)
    }

    /// The error a failed call carries, as a `HostError`.
    fn call_error(&self, reply: Reply, during: &'static str) -> HostError {
        let body = reply
            .text
            .as_deref()
            .and_then(|t| serde_json::from_str::<ErrorResponse>(t).ok())
            .map(|r| r.error);
        let message = body.as_ref().map_or_else(
            || {
                format!(
                    "{during} failed with code {} ({})",
                    reply.code,
                    rc::name(reply.code)
                )
            },
            |b| b.message.clone(),
        );
        if reply.code == rc::PANIC || body.as_ref().is_some_and(|b| b.code == ErrorCode::Panic) {
            HostError::Panic {
                plugin: self.name(),
                message,
            }
        } else {
            HostError::Resolver {
                plugin: self.name(),
                message,
            }
        }
    }

    /// Create a resolver state from `config`.
    fn init_state(&self, config: &serde_json::Value) -> Result<State, HostError> {
        // JSON text never contains NUL (serde_json escapes it).
        let config = CString::new(config.to_string()).map_err(|_| HostError::Resolver {
            plugin: self.name(),
            message: "the configuration contains a NUL character".to_owned(),
        })?;
        let mut state: *mut c_void = std::ptr::null_mut();
        let mut err: *mut c_char = std::ptr::null_mut();
        // SAFETY: the pointers are valid for the call; `config` outlives it.
        let code = unsafe { (self.init)(config.as_ptr(), &mut state, &mut err) };
        let reply = Reply {
            code,
            text: self.take_string(err),
        };
        if code != rc::OK {
            return Err(self.call_error(reply, "init"));
        }
        if state.is_null() {
            return Err(HostError::Protocol {
                plugin: self.name(),
                message: "init succeeded but returned no state".to_owned(),
            });
        }
        Ok(State(state))
    }

    /// One `resolve` call.
    fn call_resolve(
        &self,
        state: &State,
        request: &ResolveRequest,
    ) -> Result<ResolveResponse, HostError> {
        let json = serde_json::to_string(request).map_err(|e| HostError::BadJson {
            plugin: self.name(),
            context: "request",
            message: e.to_string(),
        })?;
        let json = CString::new(json).map_err(|_| HostError::Resolver {
            plugin: self.name(),
            message: "a user id contains a NUL character".to_owned(),
        })?;
        let mut out: *mut c_char = std::ptr::null_mut();
        // SAFETY: `state` came from this plugin's init and is live (LibraryResolver owns it
        // and serializes calls); the other pointers are valid for the call.
        let code = unsafe { (self.resolve)(state.0, json.as_ptr(), &mut out) };
        let reply = Reply {
            code,
            text: self.take_string(out),
        };
        if code != rc::OK {
            return Err(self.call_error(reply, "resolve"));
        }
        let text = reply.text.unwrap_or_default();
        let response: ResolveResponse =
            serde_json::from_str(&text).map_err(|e| HostError::BadJson {
                plugin: self.name(),
                context: "resolve response",
                message: e.to_string(),
            })?;
        if response.results.len() != request.user_ids.len() {
            return Err(HostError::Protocol {
                plugin: self.name(),
                message: format!(
                    "answered {} results for {} user ids",
                    response.results.len(),
                    request.user_ids.len()
                ),
            });
        }
        Ok(response)
    }
}

/// A plugin's state pointer. Only used under [`LibraryResolver`]'s mutex.
struct State(*mut c_void);

// SAFETY: the state is only touched through the plugin's functions, one call at a time
// (behind a Mutex), which is what the C contract requires of the host.
unsafe impl Send for State {}

/// Refuse bare names and relative oddities; return the canonical absolute path.
fn checked_path(path: &Path) -> Result<PathBuf, HostError> {
    let bare = path.components().count() == 1 && !path.is_absolute();
    if bare || path.as_os_str().is_empty() {
        return Err(HostError::BareName(path.to_owned()));
    }
    let canonical = std::fs::canonicalize(path).map_err(|source| HostError::Io {
        path: path.to_owned(),
        source,
    })?;
    if !canonical.is_absolute() {
        return Err(HostError::NotAbsolute(path.to_owned()));
    }
    let meta = std::fs::metadata(&canonical).map_err(|source| HostError::Io {
        path: path.to_owned(),
        source,
    })?;
    if !meta.is_file() {
        return Err(HostError::Io {
            path: path.to_owned(),
            source: std::io::Error::other("not a regular file"),
        });
    }
    Ok(canonical)
}

/// Load the library at `path`, check its ABI, resolve its functions and read its info.
fn open(path: &Path, opts: &LoadOptions) -> Result<Plugin, HostError> {
    let canonical = checked_path(path)?;
    // The very file checked is the one loaded.
    let checked = crate::trust::open_checked(path, &canonical, opts.allow_insecure)?;
    let load_error = |e: libloading::Error| HostError::Load {
        path: canonical.clone(),
        message: e.to_string(),
    };
    // SAFETY: loading runs the library's initialisers: that is the trust decision the user
    // made by naming this file, which we checked is not writable by others.
    #[cfg(unix)]
    let library: libloading::Library = unsafe {
        libloading::os::unix::Library::open(
            Some(checked.load_path.as_os_str()),
            libloading::os::unix::RTLD_NOW | libloading::os::unix::RTLD_LOCAL,
        )
    }
    .map_err(load_error)?
    .into();
    #[cfg(not(unix))]
    // SAFETY: as above.
    let library =
        unsafe { libloading::Library::new(checked.load_path.as_os_str()) }.map_err(load_error)?;
    // Never unloaded: the function pointers below stay valid for the life of the process.
    let library: &'static libloading::Library = Box::leak(Box::new(library));
    checked.keep();

    let missing = |symbol: &CStr| HostError::MissingSymbol {
        path: canonical.clone(),
        symbol: symbol.to_string_lossy().into_owned(),
    };
    // The version first, before any other symbol: a plugin for another major may export
    // functions with other signatures.
    // SAFETY: the symbol's type is fixed by the contract for every ABI version.
    let abi_version: AbiVersionFn = *unsafe { library.get::<AbiVersionFn>(symbols::ABI_VERSION) }
        .map_err(|_| missing(symbols::ABI_VERSION))?;
    // SAFETY: a plain function with no arguments.
    let found = unsafe { abi_version() };
    if abi_major(found) != ABI_MAJOR {
        return Err(HostError::WrongAbi {
            path: canonical,
            found,
            expected: ABI_VERSION,
        });
    }
    // SAFETY (all four): same ABI major, so the signatures are those of the header.
    let info_fn: InfoFn =
        *unsafe { library.get::<InfoFn>(symbols::INFO) }.map_err(|_| missing(symbols::INFO))?;
    let init: InitFn =
        *unsafe { library.get::<InitFn>(symbols::INIT) }.map_err(|_| missing(symbols::INIT))?;
    let resolve: ResolveFn = *unsafe { library.get::<ResolveFn>(symbols::RESOLVE) }
        .map_err(|_| missing(symbols::RESOLVE))?;
    let free_string: FreeStringFn = *unsafe { library.get::<FreeStringFn>(symbols::FREE_STRING) }
        .map_err(|_| missing(symbols::FREE_STRING))?;
    let shutdown: ShutdownFn = *unsafe { library.get::<ShutdownFn>(symbols::SHUTDOWN) }
        .map_err(|_| missing(symbols::SHUTDOWN))?;

    // The listing trio is optional (ABI 1.1): all three, or the plugin cannot list.
    // SAFETY (all three): same ABI major, and a plugin exporting these names declares the
    // header's signatures for them.
    let list = match (
        unsafe { library.get::<ListOpenFn>(symbols::LIST_OPEN) },
        unsafe { library.get::<ListNextFn>(symbols::LIST_NEXT) },
        unsafe { library.get::<ListCloseFn>(symbols::LIST_CLOSE) },
    ) {
        (Ok(open), Ok(next), Ok(close)) => Some(ListFns {
            open: *open,
            next: *next,
            close: *close,
        }),
        _ => None,
    };

    let mut plugin = Plugin {
        path: canonical,
        info: PluginInfo::new("?", "?"),
        init,
        resolve,
        free_string,
        shutdown,
        list,
    };
    let mut out: *mut c_char = std::ptr::null_mut();
    // SAFETY: `out` is valid for the call.
    let code = unsafe { info_fn(&mut out) };
    let reply = Reply {
        code,
        text: plugin.take_string(out),
    };
    if code != rc::OK {
        return Err(plugin.call_error(reply, "info"));
    }
    plugin.info = serde_json::from_str(reply.text.as_deref().unwrap_or_default()).map_err(|e| {
        HostError::BadJson {
            plugin: plugin.path.display().to_string(),
            context: "plugin info",
            message: e.to_string(),
        }
    })?;
    tracing::debug!(path = %plugin.path.display(), name = %plugin.info.name, version = %plugin.info.version, abi = %plugin.info.abi, "plugin library loaded");
    Ok(plugin)
}

/// Load a plugin library and read its name and version, without configuring it.
pub fn plugin_info(path: &Path, opts: &LoadOptions) -> Result<PluginInfo, HostError> {
    open(path, opts).map(|p| p.info)
}

/// Load a plugin library and configure it with `config` (the plugin's own JSON object).
pub fn load_library(
    path: &Path,
    config: &serde_json::Value,
    opts: &LoadOptions,
) -> Result<LibraryResolver, HostError> {
    let plugin = open(path, opts)?;
    let state = plugin.init_state(config)?;
    Ok(LibraryResolver {
        plugin,
        state: Mutex::new(state),
    })
}

/// An in-process plugin, configured. Calls are serialized; dropping it shuts the plugin
/// state down (the library itself stays loaded).
pub struct LibraryResolver {
    plugin: Plugin,
    state: Mutex<State>,
}

impl std::fmt::Debug for LibraryResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LibraryResolver")
            .field("plugin", &self.plugin)
            .finish_non_exhaustive()
    }
}

impl LibraryResolver {
    pub fn info(&self) -> &PluginInfo {
        &self.plugin.info
    }

    pub fn path(&self) -> &Path {
        &self.plugin.path
    }

    /// One `resolve` call for all of `user_ids`; an error fails them all.
    pub fn try_resolve_batch(
        &self,
        user_ids: &[String],
    ) -> Result<Vec<Result<DirectoryAttributes, ResolveError>>, HostError> {
        let request = ResolveRequest::new(user_ids.to_vec());
        // A poisoned lock only means another call panicked while holding it; the state is
        // still the plugin's to judge.
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let response = self.plugin.call_resolve(&state, &request)?;
        Ok(response
            .results
            .into_iter()
            .zip(user_ids)
            .map(|(r, id)| crate::answer_for(id, r.into_result()))
            .collect())
    }
}

impl Drop for LibraryResolver {
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(|e| e.into_inner());
        // SAFETY: the state came from this plugin's init and is not used after this.
        unsafe { (self.plugin.shutdown)(state.0) };
        state.0 = std::ptr::null_mut();
    }
}

impl AttributeResolver for LibraryResolver {
    fn describe(&self) -> String {
        format!(
            "plugin library {} ({} {})",
            self.plugin.path.display(),
            self.plugin.info.name,
            self.plugin.info.version
        )
    }

    fn resolve(&self, user_id: &str) -> Result<DirectoryAttributes, ResolveError> {
        crate::single(self.resolve_batch(&[user_id.to_owned()]))
    }

    fn resolve_batch(&self, user_ids: &[String]) -> Vec<Result<DirectoryAttributes, ResolveError>> {
        match self.try_resolve_batch(user_ids) {
            Ok(results) => results,
            Err(e) => {
                let message = e.to_string();
                user_ids
                    .iter()
                    .map(|_| Err(ResolveError::Failed(message.clone())))
                    .collect()
            }
        }
    }
}

/// A plugin library as a stdio [`Backend`].
struct LibraryBackend {
    plugin: Plugin,
    state: Option<State>,
    /// The open listing's cursor.
    cursor: Option<State>,
}

fn error_body(e: &HostError) -> ErrorBody {
    let code = match e {
        HostError::Panic { .. } => ErrorCode::Panic,
        HostError::BadJson { .. } | HostError::Protocol { .. } => ErrorCode::Failed,
        _ => ErrorCode::BadConfig,
    };
    ErrorBody::new(code, e.to_string())
}

impl Backend for LibraryBackend {
    fn info(&self) -> PluginInfo {
        self.plugin.info.clone()
    }

    fn init(&mut self, config: serde_json::Value) -> Result<(), ErrorBody> {
        let state = self
            .plugin
            .init_state(&config)
            .map_err(|e| error_body(&e))?;
        self.close_listing();
        if let Some(old) = self.state.replace(state) {
            // SAFETY: the old state came from this plugin's init and is dropped here.
            unsafe { (self.plugin.shutdown)(old.0) };
        }
        Ok(())
    }

    fn list(&mut self, request: &ListRequest) -> Result<ListBatch, ErrorBody> {
        self.close_listing();
        let Some(state) = &self.state else {
            return Err(ErrorBody::new(ErrorCode::BadRequest, "list before init"));
        };
        let Some(fns) = self.plugin.list else {
            return Err(ErrorBody::new(
                ErrorCode::Unsupported,
                format!("plugin `{}` cannot list users", self.plugin.name()),
            ));
        };
        let request = serde_json::to_string(request)
            .ok()
            .and_then(|r| CString::new(r).ok())
            .ok_or_else(|| ErrorBody::new(ErrorCode::BadRequest, "unusable list request"))?;
        let mut cursor: *mut c_void = std::ptr::null_mut();
        let mut err: *mut c_char = std::ptr::null_mut();
        // SAFETY: the state is live; the pointers are valid for the call.
        let code = unsafe { (fns.open)(state.0, request.as_ptr(), &mut cursor, &mut err) };
        let reply = Reply {
            code,
            text: self.plugin.take_string(err),
        };
        if code == rc::UNSUPPORTED {
            return Err(ErrorBody::new(
                ErrorCode::Unsupported,
                format!("plugin `{}` cannot list users", self.plugin.name()),
            ));
        }
        if code != rc::OK || cursor.is_null() {
            return Err(error_body(&self.plugin.call_error(reply, "list")));
        }
        self.cursor = Some(State(cursor));
        self.list_next()
    }

    fn list_next(&mut self) -> Result<ListBatch, ErrorBody> {
        let (Some(fns), Some(cursor)) = (self.plugin.list, &self.cursor) else {
            return Err(ErrorBody::new(ErrorCode::BadRequest, "no listing is open"));
        };
        let mut out: *mut c_char = std::ptr::null_mut();
        // SAFETY: the cursor is open and ours.
        let code = unsafe { (fns.next)(cursor.0, &mut out) };
        let reply = Reply {
            code,
            text: self.plugin.take_string(out),
        };
        let batch = if code == rc::OK {
            serde_json::from_str::<ListBatch>(reply.text.as_deref().unwrap_or_default())
                .map_err(|e| ErrorBody::new(ErrorCode::Failed, e.to_string()))
        } else {
            let e = self.plugin.call_error(reply, "list_next");
            Err(ErrorBody::new(ErrorCode::Failed, e.to_string()))
        };
        if !matches!(batch, Ok(ListBatch { done: false, .. })) {
            self.close_listing();
        }
        batch
    }

    fn resolve(&mut self, request: &ResolveRequest) -> Result<ResolveResponse, ErrorBody> {
        let Some(state) = &self.state else {
            return Err(ErrorBody::new(ErrorCode::BadRequest, "resolve before init"));
        };
        self.plugin
            .call_resolve(state, request)
            .map_err(|e| ErrorBody::new(ErrorCode::Failed, e.to_string()))
    }
}

impl LibraryBackend {
    fn close_listing(&mut self) {
        if let (Some(fns), Some(cursor)) = (self.plugin.list, self.cursor.take()) {
            // SAFETY: the cursor came from this plugin's list_open and is closed once.
            unsafe { (fns.close)(cursor.0) };
        }
    }
}

impl Drop for LibraryBackend {
    fn drop(&mut self) {
        self.close_listing();
        if let Some(state) = self.state.take() {
            // SAFETY: the state came from this plugin's init and is not used after this.
            unsafe { (self.plugin.shutdown)(state.0) };
        }
    }
}

/// Serve the plugin library at `path` on stdin/stdout with the out-of-process protocol, so a
/// library can run isolated in a child process (`emailprof plugin serve PATH`).
pub fn serve_library_stdio(path: &Path, opts: &LoadOptions) -> Result<(), HostError> {
    let plugin = open(path, opts)?;
    let mut backend = LibraryBackend {
        plugin,
        state: None,
        cursor: None,
    };
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    resolver_sdk::serve(&mut backend, stdin, stdout).map_err(|source| HostError::Io {
        path: path.to_owned(),
        source,
    })
}
