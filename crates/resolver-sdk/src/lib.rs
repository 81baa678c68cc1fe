//! Write an emailprof attribute-resolver plugin without `unsafe`:
//!
//! ```ignore
//! use resolver_sdk::{DirectoryAttributes, PluginInfo, ResolveError, Resolver};
//!
//! pub struct MyResolver { /* connection, cache ... */ }
//!
//! impl Resolver for MyResolver {
//!     fn init(config: serde_json::Value) -> Result<Self, String> { /* read config */ }
//!     fn info() -> PluginInfo { PluginInfo::new("my-resolver", env!("CARGO_PKG_VERSION")) }
//!     fn resolve(&self, user_id: &str) -> Result<DirectoryAttributes, ResolveError> { /* ... */ }
//! }
//!
//! resolver_sdk::declare_resolver!(MyResolver);
//! ```
//!
//! Build the crate as a `cdylib` for in-process loading; add a `[[bin]]` whose `main` calls
//! [`main_stdio`] (or [`serve_stdio`]) to ship the same resolver as an executable (out of
//! process). The macro writes the C functions of `include/emailprof_resolver.h`; every one of
//! them catches panics and reports them as errors, since unwinding out of `extern "C"` aborts
//! the host.

use std::io::{self, BufRead, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};

pub use emailprof_attributes::{AttributeResolver, DirectoryAttributes, ResolveError};
pub use resolver_abi::{
    self as abi, ErrorBody, ErrorCode, HostMessage, ListBatch, ListRequest, PluginInfo,
    PluginMessage, ResolveRequest, ResolveResponse, UserResult,
};

#[doc(hidden)]
pub mod __private;

/// An attribute resolver. The host calls it from one thread at a time.
pub trait Resolver: Sized + Send + 'static {
    /// Build the resolver from its configuration (a JSON object chosen by the plugin). The
    /// error is shown to the user: it must not contain secrets.
    fn init(config: serde_json::Value) -> Result<Self, String>;

    /// Name and version; `abi` is filled in by [`PluginInfo::new`].
    fn info() -> PluginInfo;

    /// One user's attributes.
    fn resolve(&self, user_id: &str) -> Result<DirectoryAttributes, ResolveError>;

    /// Several users at once; override when the directory can answer in one query.
    /// Must return one result per id, in order.
    fn resolve_batch(&self, user_ids: &[String]) -> Vec<Result<DirectoryAttributes, ResolveError>> {
        user_ids.iter().map(|id| self.resolve(id)).collect()
    }

    /// Every user the configuration selects, as batches the host pulls one at a time (ABI
    /// 1.1), or `None` when this resolver cannot list (the default: the host then asks for a
    /// list of user ids). The batches must not borrow `self`: the host may resolve while a
    /// listing is open. An `Err` batch ends the listing as failed; never end it early
    /// without one (a short listing would look complete).
    fn list_users(&self) -> Option<Result<UserBatches, String>> {
        None
    }
}

/// One listed user: the id it is resolved by, and its attributes or why it has none.
pub type ListedUser = (String, Result<DirectoryAttributes, ResolveError>);

/// A listing of users, batch by batch (see [`Resolver::list_users`]).
pub type UserBatches = Box<dyn Iterator<Item = Result<Vec<ListedUser>, String>> + Send>;

/// The next batch of a listing as the wire carries it, with panics contained: a listing
/// whose iterator panics or fails is over (the caller drops it).
pub(crate) fn next_batch(listing: &mut UserBatches) -> Result<ListBatch, ErrorBody> {
    match catch_unwind(AssertUnwindSafe(|| listing.next())) {
        Ok(Some(Ok(users))) => Ok(ListBatch {
            users: users
                .into_iter()
                .map(|(id, r)| UserResult::from_result(&id, r))
                .collect(),
            done: false,
        }),
        Ok(None) => Ok(ListBatch {
            users: Vec::new(),
            done: true,
        }),
        Ok(Some(Err(message))) => Err(ErrorBody::new(ErrorCode::Failed, message)),
        Err(payload) => Err(ErrorBody::new(
            ErrorCode::Panic,
            panic_message(payload.as_ref()),
        )),
    }
}

/// Start a listing, with panics contained; `Unsupported` when the resolver cannot list.
pub(crate) fn open_listing<T: Resolver>(
    resolver: &T,
    request: &ListRequest,
) -> Result<UserBatches, ErrorBody> {
    check_abi(&request.abi)?;
    match catch_unwind(AssertUnwindSafe(|| resolver.list_users())) {
        Ok(Some(Ok(listing))) => Ok(listing),
        Ok(Some(Err(message))) => Err(ErrorBody::new(ErrorCode::Failed, message)),
        Ok(None) => Err(ErrorBody::new(
            ErrorCode::Unsupported,
            format!("plugin `{}` cannot list users", T::info().name),
        )),
        Err(payload) => Err(ErrorBody::new(
            ErrorCode::Panic,
            panic_message(payload.as_ref()),
        )),
    }
}

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_owned()
    }
}

/// Resolve a batch with panics contained: if the batch call panics, each user is retried
/// alone so only the users whose lookup panics get a `panic` error.
pub(crate) fn resolve_contained<T: Resolver>(resolver: &T, user_ids: &[String]) -> Vec<UserResult> {
    let batch = catch_unwind(AssertUnwindSafe(|| resolver.resolve_batch(user_ids)));
    match batch {
        Ok(results) if results.len() == user_ids.len() => user_ids
            .iter()
            .zip(results)
            .map(|(id, r)| UserResult::from_result(id, r))
            .collect(),
        Ok(results) => {
            let message = format!(
                "the plugin returned {} results for {} user ids",
                results.len(),
                user_ids.len()
            );
            user_ids
                .iter()
                .map(|id| {
                    UserResult::Error(ErrorBody {
                        user_id: Some(id.clone()),
                        ..ErrorBody::new(ErrorCode::Failed, message.clone())
                    })
                })
                .collect()
        }
        Err(_) => user_ids
            .iter()
            .map(
                |id| match catch_unwind(AssertUnwindSafe(|| resolver.resolve(id))) {
                    Ok(r) => UserResult::from_result(id, r),
                    Err(payload) => UserResult::Error(ErrorBody {
                        user_id: Some(id.clone()),
                        ..ErrorBody::new(ErrorCode::Panic, panic_message(payload.as_ref()))
                    }),
                },
            )
            .collect(),
    }
}

/// Check a request's ABI major.
pub(crate) fn check_request(request: &ResolveRequest) -> Result<(), ErrorBody> {
    check_abi(&request.abi)
}

fn check_abi(abi: &str) -> Result<(), ErrorBody> {
    match abi::parse_abi_major(abi) {
        Some(major) if major == abi::ABI_MAJOR => Ok(()),
        _ => Err(ErrorBody::new(
            ErrorCode::BadRequest,
            format!(
                "the host speaks resolver ABI {abi}, this plugin speaks {}",
                abi::abi_string(abi::ABI_VERSION)
            ),
        )),
    }
}

/// What the stdio loop serves: a resolver type, or (in the host) a loaded plugin library.
pub trait Backend {
    fn info(&self) -> PluginInfo;
    /// Configure; called once before any `resolve`.
    fn init(&mut self, config: serde_json::Value) -> Result<(), ErrorBody>;
    fn resolve(&mut self, request: &ResolveRequest) -> Result<ResolveResponse, ErrorBody>;
    /// Start a listing and return its first batch (ABI 1.1); by default, unsupported.
    fn list(&mut self, request: &ListRequest) -> Result<ListBatch, ErrorBody> {
        let _ = request;
        Err(ErrorBody::new(
            ErrorCode::Unsupported,
            "this plugin cannot list users",
        ))
    }
    /// The next batch of the open listing.
    fn list_next(&mut self) -> Result<ListBatch, ErrorBody> {
        Err(ErrorBody::new(ErrorCode::BadRequest, "no listing is open"))
    }
}

/// A [`Resolver`] type as a [`Backend`], with panics contained.
pub struct ResolverBackend<T> {
    state: Option<T>,
    listing: Option<UserBatches>,
}

impl<T: Resolver> ResolverBackend<T> {
    pub fn new() -> Self {
        Self {
            state: None,
            listing: None,
        }
    }
}

impl<T: Resolver> Default for ResolverBackend<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Resolver> Backend for ResolverBackend<T> {
    fn info(&self) -> PluginInfo {
        catch_unwind(T::info).unwrap_or_else(|_| PluginInfo::new("(info panicked)", "?"))
    }

    fn init(&mut self, config: serde_json::Value) -> Result<(), ErrorBody> {
        match catch_unwind(AssertUnwindSafe(|| T::init(config))) {
            Ok(Ok(state)) => {
                self.state = Some(state);
                Ok(())
            }
            Ok(Err(message)) => Err(ErrorBody::new(ErrorCode::BadConfig, message)),
            Err(payload) => Err(ErrorBody::new(
                ErrorCode::Panic,
                panic_message(payload.as_ref()),
            )),
        }
    }

    fn resolve(&mut self, request: &ResolveRequest) -> Result<ResolveResponse, ErrorBody> {
        check_request(request)?;
        let Some(state) = &self.state else {
            return Err(ErrorBody::new(ErrorCode::BadRequest, "resolve before init"));
        };
        Ok(ResolveResponse {
            results: resolve_contained(state, &request.user_ids),
        })
    }

    fn list(&mut self, request: &ListRequest) -> Result<ListBatch, ErrorBody> {
        self.listing = None;
        let Some(state) = &self.state else {
            return Err(ErrorBody::new(ErrorCode::BadRequest, "list before init"));
        };
        self.listing = Some(open_listing(state, request)?);
        self.list_next()
    }

    fn list_next(&mut self) -> Result<ListBatch, ErrorBody> {
        let Some(listing) = self.listing.as_mut() else {
            return Err(ErrorBody::new(ErrorCode::BadRequest, "no listing is open"));
        };
        let batch = next_batch(listing);
        if !matches!(batch, Ok(ListBatch { done: false, .. })) {
            self.listing = None;
        }
        batch
    }
}

fn write_message(output: &mut impl Write, message: &PluginMessage) -> io::Result<()> {
    let line = serde_json::to_string(message).map_err(io::Error::other)?;
    output.write_all(line.as_bytes())?;
    output.write_all(b"\n")?;
    output.flush()
}

/// The out-of-process protocol: write the hello, then answer each JSON line of `input` with
/// one line on `output`, until `shutdown` or the end of input.
pub fn serve<B: Backend>(
    backend: &mut B,
    input: impl BufRead,
    mut output: impl Write,
) -> io::Result<()> {
    write_message(
        &mut output,
        &PluginMessage::Hello(abi::Hello::new(backend.info())),
    )?;
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let reply = match serde_json::from_str::<HostMessage>(&line) {
            Err(e) => PluginMessage::Error(ErrorBody::new(
                ErrorCode::BadRequest,
                format!("not a host message: {e}"),
            )),
            Ok(HostMessage::Shutdown {}) => return Ok(()),
            Ok(HostMessage::Init(init)) => match backend.init(init.config) {
                Ok(()) => PluginMessage::Ready {},
                Err(e) => PluginMessage::Error(e),
            },
            Ok(HostMessage::Resolve(request)) => match backend.resolve(&request) {
                Ok(response) => PluginMessage::Results(response.results),
                Err(e) => PluginMessage::Error(e),
            },
            Ok(HostMessage::List(request)) => match backend.list(&request) {
                Ok(batch) => PluginMessage::Batch(batch),
                Err(e) => PluginMessage::Error(e),
            },
            Ok(HostMessage::ListNext {}) => match backend.list_next() {
                Ok(batch) => PluginMessage::Batch(batch),
                Err(e) => PluginMessage::Error(e),
            },
        };
        write_message(&mut output, &reply)?;
    }
    Ok(())
}

/// The whole `main` of a plugin executable: [`serve_stdio`], and on an I/O failure the error on
/// stderr as `name: error` with exit status 1.
pub fn main_stdio<T: Resolver>(name: &str) -> std::process::ExitCode {
    match serve_stdio::<T>() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Serve resolver `T` on stdin/stdout (the `[[bin]]` of a plugin crate). Logs belong on stderr.
pub fn serve_stdio<T: Resolver>() -> io::Result<()> {
    let stdin = io::stdin().lock();
    let stdout = io::stdout().lock();
    serve(&mut ResolverBackend::<T>::new(), stdin, stdout)
}

/// Write the C functions of `include/emailprof_resolver.h` for resolver type `$t`.
#[macro_export]
macro_rules! declare_resolver {
    ($t:ty) => {
        /// Packed ABI version `(major << 16) | minor`.
        #[unsafe(no_mangle)]
        pub extern "C" fn emailprof_resolver_abi_version() -> u32 {
            $crate::__private::abi_version()
        }

        /// Plugin information as JSON; see `emailprof_resolver.h`.
        ///
        /// # Safety
        /// `info_out` is null or points to a writable `char *`.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn emailprof_resolver_info(
            info_out: *mut *mut ::std::ffi::c_char,
        ) -> i32 {
            // SAFETY: forwarded as the header requires.
            unsafe { $crate::__private::info::<$t>(info_out) }
        }

        /// Build the resolver state from JSON configuration; see `emailprof_resolver.h`.
        ///
        /// # Safety
        /// `config_json` is null or a NUL-terminated string; the out pointers are null or
        /// writable.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn emailprof_resolver_init(
            config_json: *const ::std::ffi::c_char,
            state_out: *mut *mut ::std::ffi::c_void,
            err_out: *mut *mut ::std::ffi::c_char,
        ) -> i32 {
            // SAFETY: forwarded as the header requires.
            unsafe { $crate::__private::init::<$t>(config_json, state_out, err_out) }
        }

        /// Resolve a batch of users; see `emailprof_resolver.h`.
        ///
        /// # Safety
        /// `state` came from `emailprof_resolver_init` and is not shut down; `request_json` is
        /// null or NUL-terminated; `response_out` is null or writable.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn emailprof_resolver_resolve(
            state: *mut ::std::ffi::c_void,
            request_json: *const ::std::ffi::c_char,
            response_out: *mut *mut ::std::ffi::c_char,
        ) -> i32 {
            // SAFETY: forwarded as the header requires.
            unsafe { $crate::__private::resolve::<$t>(state, request_json, response_out) }
        }

        /// Start listing users (ABI 1.1); see `emailprof_resolver.h`.
        ///
        /// # Safety
        /// `state` came from `emailprof_resolver_init` and is not shut down; `request_json` is
        /// null or NUL-terminated; the out pointers are null or writable.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn emailprof_resolver_list_open(
            state: *mut ::std::ffi::c_void,
            request_json: *const ::std::ffi::c_char,
            cursor_out: *mut *mut ::std::ffi::c_void,
            err_out: *mut *mut ::std::ffi::c_char,
        ) -> i32 {
            // SAFETY: forwarded as the header requires.
            unsafe { $crate::__private::list_open::<$t>(state, request_json, cursor_out, err_out) }
        }

        /// The next batch of a listing; see `emailprof_resolver.h`.
        ///
        /// # Safety
        /// `cursor` came from `emailprof_resolver_list_open` and is not closed; `batch_out` is
        /// null or writable.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn emailprof_resolver_list_next(
            cursor: *mut ::std::ffi::c_void,
            batch_out: *mut *mut ::std::ffi::c_char,
        ) -> i32 {
            // SAFETY: forwarded as the header requires.
            unsafe { $crate::__private::list_next(cursor, batch_out) }
        }

        /// End a listing.
        ///
        /// # Safety
        /// `cursor` is null or came from `emailprof_resolver_list_open` and is not used
        /// afterwards.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn emailprof_resolver_list_close(cursor: *mut ::std::ffi::c_void) {
            // SAFETY: forwarded as the header requires.
            unsafe { $crate::__private::list_close(cursor) }
        }

        /// Free a string this plugin returned.
        ///
        /// # Safety
        /// `s` is null or a string returned by this plugin and not yet freed.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn emailprof_resolver_free_string(s: *mut ::std::ffi::c_char) {
            // SAFETY: forwarded as the header requires.
            unsafe { $crate::__private::free_string(s) }
        }

        /// Free the resolver state.
        ///
        /// # Safety
        /// `state` is null or came from `emailprof_resolver_init` and is not used afterwards.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn emailprof_resolver_shutdown(state: *mut ::std::ffi::c_void) {
            // SAFETY: forwarded as the header requires.
            unsafe { $crate::__private::shutdown::<$t>(state) }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Canned;

    impl Resolver for Canned {
        fn init(config: serde_json::Value) -> Result<Self, String> {
            match config.get("fail") {
                Some(_) => Err("told to fail".to_owned()),
                None => Ok(Canned),
            }
        }

        fn info() -> PluginInfo {
            PluginInfo::new("canned", "1.2.3")
        }

        fn resolve(&self, user_id: &str) -> Result<DirectoryAttributes, ResolveError> {
            match user_id {
                "boom" => panic!("boom"),
                "nobody" => Err(ResolveError::NotFound(user_id.to_owned())),
                _ => Ok(DirectoryAttributes {
                    user_id: user_id.to_owned(),
                    ..Default::default()
                }),
            }
        }

        /// Two batches (`a`, `b`; `nobody`), then the end; or a listing that breaks.
        fn list_users(&self) -> Option<Result<UserBatches, String>> {
            let batches: Vec<Result<Vec<ListedUser>, String>> = vec![
                Ok(vec![
                    ("a".into(), self.resolve("a")),
                    ("b".into(), self.resolve("b")),
                ]),
                Ok(vec![("nobody".into(), self.resolve("nobody"))]),
            ];
            Some(Ok(Box::new(batches.into_iter())))
        }
    }

    /// A resolver without a listing.
    struct Unlisted;

    impl Resolver for Unlisted {
        fn init(_: serde_json::Value) -> Result<Self, String> {
            Ok(Unlisted)
        }

        fn info() -> PluginInfo {
            PluginInfo::new("unlisted", "1")
        }

        fn resolve(&self, user_id: &str) -> Result<DirectoryAttributes, ResolveError> {
            Err(ResolveError::NotFound(user_id.to_owned()))
        }
    }

    #[test]
    fn stdio_listing() {
        let replies = run(concat!(
            r#"{"listNext":{}}"#,
            "\n",
            r#"{"init":{"config":{}}}"#,
            "\n",
            r#"{"list":{"abi":"1.1"}}"#,
            "\n",
            r#"{"listNext":{}}"#,
            "\n",
            r#"{"listNext":{}}"#,
            "\n",
            r#"{"listNext":{}}"#,
            "\n",
        ));
        assert_eq!(replies[1]["error"]["code"], "badRequest");
        let first = &replies[3]["batch"];
        assert_eq!(first["done"], false);
        assert_eq!(first["users"][1]["attributes"]["userId"], "b");
        let second = &replies[4]["batch"];
        assert_eq!(second["users"][0]["error"]["code"], "notFound");
        assert_eq!(
            replies[5],
            serde_json::json!({"batch": {"users": [], "done": true}})
        );
        // The listing is over.
        assert_eq!(replies[6]["error"]["code"], "badRequest");

        let mut out = Vec::new();
        let input = "{\"init\":{\"config\":{}}}\n{\"list\":{\"abi\":\"1.1\"}}\n";
        serve(
            &mut ResolverBackend::<Unlisted>::new(),
            input.as_bytes(),
            &mut out,
        )
        .unwrap();
        let last: serde_json::Value =
            serde_json::from_str(String::from_utf8(out).unwrap().lines().last().unwrap()).unwrap();
        assert_eq!(last["error"]["code"], "unsupported", "{last}");
    }

    #[test]
    fn ffi_listing() {
        use std::ffi::{CStr, CString, c_char, c_void};
        let take = |p: *mut c_char| -> serde_json::Value {
            assert!(!p.is_null());
            // SAFETY: `p` came from the SDK's own `put`, freed right after copying.
            let s = unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned();
            // SAFETY: as above.
            unsafe { __private::free_string(p) };
            serde_json::from_str(&s).unwrap()
        };
        let request = CString::new(r#"{"abi":"1.1"}"#).unwrap();
        let config = CString::new("{}").unwrap();
        let mut state: *mut c_void = std::ptr::null_mut();
        let mut err: *mut c_char = std::ptr::null_mut();
        // SAFETY: valid pointers; the state and cursor are released once at the end.
        unsafe {
            assert_eq!(
                __private::init::<Canned>(config.as_ptr(), &mut state, &mut err),
                abi::rc::OK
            );
            let mut cursor: *mut c_void = std::ptr::null_mut();
            let rc = __private::list_open::<Canned>(state, request.as_ptr(), &mut cursor, &mut err);
            assert_eq!(rc, abi::rc::OK);
            let mut done = false;
            let mut users = 0;
            while !done {
                let mut out: *mut c_char = std::ptr::null_mut();
                assert_eq!(__private::list_next(cursor, &mut out), abi::rc::OK);
                let batch = take(out);
                users += batch["users"].as_array().unwrap().len();
                done = batch["done"] == true;
            }
            assert_eq!(users, 3);
            __private::list_close(cursor);
            __private::shutdown::<Canned>(state);

            // A resolver without a listing says so with its own return code.
            assert_eq!(
                __private::init::<Unlisted>(config.as_ptr(), &mut state, &mut err),
                abi::rc::OK
            );
            let mut cursor: *mut c_void = std::ptr::null_mut();
            let rc =
                __private::list_open::<Unlisted>(state, request.as_ptr(), &mut cursor, &mut err);
            assert_eq!(rc, abi::rc::UNSUPPORTED);
            assert_eq!(take(err)["error"]["code"], "unsupported");
            assert!(cursor.is_null());
            __private::shutdown::<Unlisted>(state);
        }
    }

    fn run(input: &str) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        serve(
            &mut ResolverBackend::<Canned>::new(),
            input.as_bytes(),
            &mut out,
        )
        .unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn stdio_conversation() {
        let replies = run(concat!(
            r#"{"resolve":{"abi":"1.0","userIds":["a"]}}"#,
            "\n",
            r#"{"init":{"config":{}}}"#,
            "\n\n",
            "not json\n",
            r#"{"resolve":{"abi":"1.0","userIds":["a","boom","nobody"]}}"#,
            "\n",
            r#"{"resolve":{"abi":"2.0","userIds":["a"]}}"#,
            "\n",
            r#"{"shutdown":{}}"#,
            "\n",
            r#"{"resolve":{"abi":"1.0","userIds":["after shutdown"]}}"#,
            "\n",
        ));
        assert_eq!(replies.len(), 6, "{replies:#?}");
        assert_eq!(replies[0]["hello"]["plugin"]["name"], "canned");
        assert_eq!(replies[0]["hello"]["protocol"], "emailprof-resolver");
        assert_eq!(replies[1]["error"]["message"], "resolve before init");
        assert_eq!(replies[2], serde_json::json!({"ready": {}}));
        assert_eq!(replies[3]["error"]["code"], "badRequest");
        let results = &replies[4]["results"];
        assert_eq!(results[0]["attributes"]["userId"], "a");
        assert_eq!(results[1]["error"]["code"], "panic");
        assert_eq!(results[1]["error"]["message"], "boom");
        assert_eq!(results[2]["error"]["code"], "notFound");
        assert_eq!(replies[5]["error"]["code"], "badRequest");
    }

    #[test]
    fn init_errors_are_bad_config() {
        let replies = run("{\"init\":{\"config\":{\"fail\":1}}}\n");
        assert_eq!(replies[1]["error"]["code"], "badConfig");
        assert_eq!(replies[1]["error"]["message"], "told to fail");
    }

    #[test]
    fn ffi_round_trip_without_a_library() {
        use std::ffi::{CStr, CString, c_char, c_void};
        let take = |p: *mut c_char| -> String {
            assert!(!p.is_null());
            // SAFETY: `p` came from the SDK's own `put`, freed right after copying.
            let s = unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned();
            // SAFETY: as above.
            unsafe { __private::free_string(p) };
            s
        };
        let mut state: *mut c_void = std::ptr::null_mut();
        let mut err: *mut c_char = std::ptr::null_mut();
        let config = CString::new("{}").unwrap();
        // SAFETY: valid pointers for the calls below; the state is shut down once at the end.
        let rc = unsafe { __private::init::<Canned>(config.as_ptr(), &mut state, &mut err) };
        assert_eq!(rc, abi::rc::OK);
        let request = CString::new(r#"{"abi":"1.0","userIds":["x","boom"]}"#).unwrap();
        let mut out: *mut c_char = std::ptr::null_mut();
        // SAFETY: as above.
        let rc = unsafe { __private::resolve::<Canned>(state, request.as_ptr(), &mut out) };
        assert_eq!(rc, abi::rc::OK);
        let response: ResolveResponse = serde_json::from_str(&take(out)).unwrap();
        assert!(matches!(
            response.results[1],
            UserResult::Error(ErrorBody {
                code: ErrorCode::Panic,
                ..
            })
        ));
        // Null and non-JSON input are bad requests, not crashes.
        let mut out: *mut c_char = std::ptr::null_mut();
        // SAFETY: as above; a null request is allowed by the contract.
        let rc = unsafe { __private::resolve::<Canned>(state, std::ptr::null(), &mut out) };
        assert_eq!(rc, abi::rc::BAD_REQUEST);
        assert!(take(out).contains("null pointer"));
        let bad = CString::new("{").unwrap();
        let mut out: *mut c_char = std::ptr::null_mut();
        // SAFETY: as above.
        let rc = unsafe { __private::resolve::<Canned>(state, bad.as_ptr(), &mut out) };
        assert_eq!(rc, abi::rc::BAD_REQUEST);
        let _ = take(out);
        // SAFETY: the state from init, not used afterwards.
        unsafe { __private::shutdown::<Canned>(state) };
    }
}
