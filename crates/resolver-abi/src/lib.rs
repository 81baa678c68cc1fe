//! The contract between emailprof and attribute-resolver plugins, for both transports:
//!
//! - **In process**: a shared library exporting the C functions named in [`symbols`]. JSON
//!   travels as NUL-terminated UTF-8 strings; whoever allocates a string frees it (the plugin
//!   exports [`symbols::FREE_STRING`] for its own strings). See `include/emailprof_resolver.h`.
//! - **Out of process**: an executable speaking JSON lines on stdin/stdout: it first writes
//!   [`PluginMessage::Hello`], then answers each [`HostMessage`] with one [`PluginMessage`].
//!
//! Both carry the same [`ResolveRequest`] and [`ResolveResponse`]. Since ABI 1.1 a plugin may
//! also list its users ([`ListRequest`], answered by [`ListBatch`]es until one says `done`):
//! the optional `list_*` symbols in process, the `list`/`listNext` messages out of process.
//! A plugin that cannot list answers [`rc::UNSUPPORTED`] / [`ErrorCode::Unsupported`]; a 1.0
//! plugin has neither and still loads (the host then asks for a list of user ids). Versions: the host
//! requires the plugin's ABI major to equal [`ABI_MAJOR`]; minors are compatible both ways
//! (new fields are optional and unknown ones ignored, except in [`DirectoryAttributes`]).

use emailprof_attributes::{DirectoryAttributes, ResolveError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use emailprof_attributes;

/// Incompatible changes bump the major.
pub const ABI_MAJOR: u16 = 1;
/// Compatible additions bump the minor.
pub const ABI_MINOR: u16 = 1;
/// `(major << 16) | minor`, as `emailprof_resolver_abi_version()` returns it.
pub const ABI_VERSION: u32 = ((ABI_MAJOR as u32) << 16) | ABI_MINOR as u32;
/// The protocol name in the stdio hello.
pub const PROTOCOL: &str = "emailprof-resolver";

/// The major half of a packed ABI version.
pub const fn abi_major(version: u32) -> u16 {
    (version >> 16) as u16
}

/// The minor half of a packed ABI version.
pub const fn abi_minor(version: u32) -> u16 {
    (version & 0xFFFF) as u16
}

/// `"major.minor"` of a packed ABI version, as the JSON messages carry it.
pub fn abi_string(version: u32) -> String {
    format!("{}.{}", abi_major(version), abi_minor(version))
}

/// The major of a `"major.minor"` string.
pub fn parse_abi_major(text: &str) -> Option<u16> {
    text.split('.').next()?.parse().ok()
}

/// Names of the functions a plugin library exports (C ABI, unmangled).
pub mod symbols {
    use std::ffi::CStr;

    /// `uint32_t emailprof_resolver_abi_version(void)`: read first, before any other symbol.
    pub const ABI_VERSION: &CStr = c"emailprof_resolver_abi_version";
    /// `int32_t emailprof_resolver_info(char **info_out)`: a [`crate::PluginInfo`].
    pub const INFO: &CStr = c"emailprof_resolver_info";
    /// `int32_t emailprof_resolver_init(const char *config_json, void **state_out, char **err_out)`.
    pub const INIT: &CStr = c"emailprof_resolver_init";
    /// `int32_t emailprof_resolver_resolve(void *state, const char *request_json, char **response_out)`.
    pub const RESOLVE: &CStr = c"emailprof_resolver_resolve";
    /// `void emailprof_resolver_free_string(char *s)`: frees strings the plugin returned.
    pub const FREE_STRING: &CStr = c"emailprof_resolver_free_string";
    /// `void emailprof_resolver_shutdown(void *state)`: frees the state; the library stays loaded.
    pub const SHUTDOWN: &CStr = c"emailprof_resolver_shutdown";

    /// All of them, in the order the host resolves them.
    pub const ALL: [&CStr; 6] = [ABI_VERSION, INFO, INIT, RESOLVE, FREE_STRING, SHUTDOWN];

    /// Optional (ABI 1.1): `int32_t emailprof_resolver_list_open(void *state, const char
    /// *request_json, void **cursor_out, char **err_out)`: start listing every user.
    pub const LIST_OPEN: &CStr = c"emailprof_resolver_list_open";
    /// Optional (ABI 1.1): `int32_t emailprof_resolver_list_next(void *cursor, char
    /// **batch_out)`: the next [`crate::ListBatch`].
    pub const LIST_NEXT: &CStr = c"emailprof_resolver_list_next";
    /// Optional (ABI 1.1): `void emailprof_resolver_list_close(void *cursor)`.
    pub const LIST_CLOSE: &CStr = c"emailprof_resolver_list_close";

    /// The listing trio: a plugin exports all three or none.
    pub const LISTING: [&CStr; 3] = [LIST_OPEN, LIST_NEXT, LIST_CLOSE];
}

/// Return codes of `info`, `init` and `resolve`. On anything but [`rc::OK`] the out string,
/// if not null, is an [`ErrorResponse`].
pub mod rc {
    /// Success; the out string holds the result.
    pub const OK: i32 = 0;
    /// The resolver failed as a whole (bad configuration, unreachable directory ...).
    pub const RESOLVER_ERROR: i32 = 1;
    /// The plugin panicked (or threw); it caught that at the boundary.
    pub const PANIC: i32 = 2;
    /// The input was not valid: null pointer, not UTF-8, not the expected JSON.
    pub const BAD_REQUEST: i32 = 3;
    /// The plugin does not do this optional call (ABI 1.1: listing users).
    pub const UNSUPPORTED: i32 = 4;

    /// A short name for messages.
    pub fn name(code: i32) -> &'static str {
        match code {
            OK => "ok",
            RESOLVER_ERROR => "resolver error",
            PANIC => "panic",
            BAD_REQUEST => "bad request",
            UNSUPPORTED => "unsupported",
            _ => "unknown return code",
        }
    }
}

/// # Plugin information
///
/// Who the plugin is, for logs and `plugin info`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginInfo {
    /// # Name
    ///
    /// e.g. `directory-file`, `ldap`.
    pub name: String,
    /// # Version
    ///
    /// The plugin's own version.
    pub version: String,
    /// # ABI version
    ///
    /// `"major.minor"` of the contract the plugin was built against.
    pub abi: String,
}

impl PluginInfo {
    /// Info for a plugin built against this crate's ABI.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            version: version.into(),
            abi: abi_string(ABI_VERSION),
        }
    }
}

/// # Resolve request
///
/// The users whose attributes the host wants, in one call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResolveRequest {
    /// # ABI version
    ///
    /// `"major.minor"` of the host.
    pub abi: String,
    /// # User ids
    ///
    /// As given on emailprof's command line or in its user list.
    pub user_ids: Vec<String>,
}

impl ResolveRequest {
    pub fn new(user_ids: Vec<String>) -> Self {
        Self {
            abi: abi_string(ABI_VERSION),
            user_ids,
        }
    }
}

/// # Resolve response
///
/// One result per requested user id, in request order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResolveResponse {
    /// # Results
    pub results: Vec<UserResult>,
}

/// # List request
///
/// Start listing every user the plugin's configuration selects (ABI 1.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListRequest {
    /// # ABI version
    ///
    /// `"major.minor"` of the host.
    pub abi: String,
}

impl ListRequest {
    pub fn new() -> Self {
        Self {
            abi: abi_string(ABI_VERSION),
        }
    }
}

impl Default for ListRequest {
    fn default() -> Self {
        Self::new()
    }
}

/// # List batch
///
/// The next users of a listing. The host asks for batches until one has `done` set; a
/// listing that breaks before that (the directory went away, a size limit) is an error, never
/// a short listing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListBatch {
    /// # Users
    ///
    /// Each user's attributes (`userId` is the id the plugin resolves the user by), or why a
    /// listed user has none.
    pub users: Vec<UserResult>,
    /// # Done
    ///
    /// No users follow this batch.
    pub done: bool,
}

/// # User result
///
/// The attributes of one user, or why there are none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum UserResult {
    /// # Attributes
    Attributes(DirectoryAttributes),
    /// # Error
    Error(ErrorBody),
}

impl UserResult {
    /// As the core's result type.
    pub fn into_result(self) -> Result<DirectoryAttributes, ResolveError> {
        match self {
            UserResult::Attributes(a) => Ok(a),
            UserResult::Error(e) => Err(e.into_resolve_error()),
        }
    }

    pub fn from_result(user_id: &str, result: Result<DirectoryAttributes, ResolveError>) -> Self {
        match result {
            Ok(a) => UserResult::Attributes(a),
            Err(e) => UserResult::Error(ErrorBody::from_resolve_error(user_id, &e)),
        }
    }
}

/// # Error code
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCode {
    /// The directory has no such user.
    NotFound,
    /// The user id matches several entries.
    Ambiguous,
    /// The lookup failed (connection, timeout ...).
    Failed,
    /// The plugin's configuration is not valid.
    BadConfig,
    /// The request is not valid.
    BadRequest,
    /// The plugin panicked.
    Panic,
    /// The plugin does not do the optional call asked for (ABI 1.1: listing users).
    Unsupported,
}

/// # Error
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// # Code
    pub code: ErrorCode,
    /// # Message
    ///
    /// For people; never contains secrets.
    pub message: String,
    /// # User id
    ///
    /// For `notFound` and `ambiguous`: the id looked up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// # Count
    ///
    /// For `ambiguous`: how many entries matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            user_id: None,
            count: None,
        }
    }

    pub fn from_resolve_error(user_id: &str, e: &ResolveError) -> Self {
        match e {
            ResolveError::NotFound(id) => Self {
                user_id: Some(id.clone()),
                ..Self::new(ErrorCode::NotFound, e.to_string())
            },
            ResolveError::Ambiguous { user_id, count } => Self {
                user_id: Some(user_id.clone()),
                count: Some(*count),
                ..Self::new(ErrorCode::Ambiguous, e.to_string())
            },
            ResolveError::Failed(m) => Self {
                user_id: Some(user_id.to_owned()),
                ..Self::new(ErrorCode::Failed, m.clone())
            },
        }
    }

    /// As the core's per-user error: `NotFound`/`Ambiguous` keep their meaning, everything
    /// else is `Failed` with the message.
    pub fn into_resolve_error(self) -> ResolveError {
        match (self.code, self.user_id, self.count) {
            (ErrorCode::NotFound, Some(id), _) => ResolveError::NotFound(id),
            (ErrorCode::Ambiguous, Some(user_id), Some(count)) => {
                ResolveError::Ambiguous { user_id, count }
            }
            (code, _, _) => ResolveError::Failed(match code {
                ErrorCode::Panic => format!("the plugin panicked: {}", self.message),
                _ => self.message,
            }),
        }
    }
}

impl std::fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// # Error response
///
/// What a failing `init`, `info` or `resolve` returns, and the stdio `error` message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorResponse {
    pub error: ErrorBody,
}

/// # Hello
///
/// The first line an out-of-process plugin writes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Hello {
    /// # Protocol
    ///
    /// Always `emailprof-resolver`.
    pub protocol: String,
    /// # ABI version
    ///
    /// `"major.minor"`.
    pub abi: String,
    /// # Plugin
    pub plugin: PluginInfo,
}

impl Hello {
    pub fn new(plugin: PluginInfo) -> Self {
        Self {
            protocol: PROTOCOL.to_owned(),
            abi: abi_string(ABI_VERSION),
            plugin,
        }
    }
}

/// # Init
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Init {
    /// # Configuration
    ///
    /// The plugin's own configuration object.
    pub config: serde_json::Value,
}

/// # Host message
///
/// One line the host writes to an out-of-process plugin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum HostMessage {
    /// Configure the plugin; answered by `ready` or `error`.
    Init(Init),
    /// Resolve users; answered by `results` or `error`.
    Resolve(ResolveRequest),
    /// Start listing users (ABI 1.1); answered by the first `batch`, or `error` (code
    /// `unsupported` when the plugin cannot list). A new `list` abandons the previous listing.
    List(ListRequest),
    /// The next batch of the listing (ABI 1.1); answered by `batch` or `error`.
    ListNext {},
    /// Exit cleanly; not answered.
    Shutdown {},
}

/// # Plugin message
///
/// One line an out-of-process plugin writes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum PluginMessage {
    /// The first line: protocol, ABI and plugin versions.
    Hello(Hello),
    /// `init` succeeded.
    Ready {},
    /// The answer to `resolve`: one result per user id, in order (as [`ResolveResponse`]).
    Results(Vec<UserResult>),
    /// The answer to `list` and `listNext` (ABI 1.1).
    Batch(ListBatch),
    /// `init` or `resolve` failed as a whole, or the line was not a host message.
    Error(ErrorBody),
}

fn schema_of<T: JsonSchema>() -> serde_json::Value {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>();
    schema.to_value()
}

/// The contract's JSON Schemas, with the file names they are written to under `schemas/`.
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        (
            "resolver-request.schema.json",
            schema_of::<ResolveRequest>(),
        ),
        (
            "resolver-response.schema.json",
            schema_of::<ResolveResponse>(),
        ),
        ("resolver-error.schema.json", schema_of::<ErrorResponse>()),
        (
            "resolver-list-request.schema.json",
            schema_of::<ListRequest>(),
        ),
        ("resolver-list-batch.schema.json", schema_of::<ListBatch>()),
        (
            "resolver-plugin-info.schema.json",
            schema_of::<PluginInfo>(),
        ),
        (
            "resolver-stdio-host.schema.json",
            schema_of::<HostMessage>(),
        ),
        (
            "resolver-stdio-plugin.schema.json",
            schema_of::<PluginMessage>(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn version_packing() {
        assert_eq!(ABI_VERSION, 0x0001_0001);
        assert_eq!(abi_major(0x0002_0003), 2);
        assert_eq!(abi_minor(0x0002_0003), 3);
        assert_eq!(abi_string(0x0002_0003), "2.3");
        assert_eq!(parse_abi_major("1.7"), Some(1));
        assert_eq!(parse_abi_major("x"), None);
    }

    #[test]
    fn wire_shapes() {
        let r = ResolveResponse {
            results: vec![
                UserResult::Attributes(DirectoryAttributes {
                    user_id: "u1".into(),
                    user_principal_name: Some("u1@contoso.com".into()),
                    ..Default::default()
                }),
                UserResult::from_result("x", Err(ResolveError::NotFound("x".into()))),
            ],
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(
            v,
            json!({"results": [
                {"attributes": {"userId": "u1", "userPrincipalName": "u1@contoso.com"}},
                {"error": {"code": "notFound", "message": "user `x` was not found in the directory", "userId": "x"}}
            ]})
        );
        let back: ResolveResponse = serde_json::from_value(v).unwrap();
        assert_eq!(back, r);
        assert_eq!(
            serde_json::to_value(HostMessage::Shutdown {}).unwrap(),
            json!({"shutdown": {}})
        );
        assert_eq!(
            serde_json::to_value(ResolveRequest::new(vec!["a".into()])).unwrap(),
            json!({"abi": "1.1", "userIds": ["a"]})
        );
        assert_eq!(
            serde_json::to_value(HostMessage::List(ListRequest::new())).unwrap(),
            json!({"list": {"abi": "1.1"}})
        );
        assert_eq!(
            serde_json::to_value(HostMessage::ListNext {}).unwrap(),
            json!({"listNext": {}})
        );
        let batch = PluginMessage::Batch(ListBatch {
            users: vec![UserResult::Attributes(DirectoryAttributes {
                user_id: "u1".into(),
                ..Default::default()
            })],
            done: true,
        });
        assert_eq!(
            serde_json::to_value(&batch).unwrap(),
            json!({"batch": {"users": [{"attributes": {"userId": "u1"}}], "done": true}})
        );
    }

    #[test]
    fn errors_map_back_to_core_errors() {
        for e in [
            ResolveError::NotFound("a".into()),
            ResolveError::Ambiguous {
                user_id: "a".into(),
                count: 3,
            },
            ResolveError::Failed("connection refused".into()),
        ] {
            assert_eq!(
                ErrorBody::from_resolve_error("a", &e).into_resolve_error(),
                e
            );
        }
        let panic = ErrorBody::new(ErrorCode::Panic, "boom").into_resolve_error();
        assert_eq!(
            panic,
            ResolveError::Failed("the plugin panicked: boom".into())
        );
    }

    /// `include/emailprof_resolver.h` declares what this crate says.
    #[test]
    fn c_header_agrees() {
        let header = include_str!("../../../include/emailprof_resolver.h");
        let define = |name: &str| -> i64 {
            header
                .lines()
                .find_map(|l| l.strip_prefix(&format!("#define {name} ")))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("#define {name} missing"))
        };
        assert_eq!(define("EMAILPROF_RESOLVER_ABI_MAJOR"), i64::from(ABI_MAJOR));
        assert_eq!(define("EMAILPROF_RESOLVER_ABI_MINOR"), i64::from(ABI_MINOR));
        assert_eq!(define("EMAILPROF_RESOLVER_OK"), i64::from(rc::OK));
        assert_eq!(
            define("EMAILPROF_RESOLVER_ERROR"),
            i64::from(rc::RESOLVER_ERROR)
        );
        assert_eq!(define("EMAILPROF_RESOLVER_PANIC"), i64::from(rc::PANIC));
        assert_eq!(
            define("EMAILPROF_RESOLVER_BAD_REQUEST"),
            i64::from(rc::BAD_REQUEST)
        );
        assert_eq!(
            define("EMAILPROF_RESOLVER_UNSUPPORTED"),
            i64::from(rc::UNSUPPORTED)
        );
        for symbol in symbols::ALL.into_iter().chain(symbols::LISTING) {
            let name = symbol.to_str().unwrap();
            assert!(header.contains(&format!(" {name}(")), "{name} not declared");
        }
        for code in [
            "notFound",
            "ambiguous",
            "failed",
            "badConfig",
            "badRequest",
            "panic",
            "unsupported",
        ] {
            let parsed: ErrorCode = serde_json::from_value(json!(code)).unwrap();
            assert_eq!(serde_json::to_value(parsed).unwrap(), json!(code));
            assert!(header.contains(code), "{code} not documented");
        }
    }

    #[test]
    fn schemas_validate_real_messages() {
        let schemas: std::collections::BTreeMap<_, _> = schemas().into_iter().collect();
        let check = |name: &str, instance: serde_json::Value, valid: bool| {
            let v = jsonschema::validator_for(&schemas[name]).unwrap();
            assert_eq!(v.is_valid(&instance), valid, "{name}: {instance}");
        };
        check(
            "resolver-request.schema.json",
            serde_json::to_value(ResolveRequest::new(vec!["a".into()])).unwrap(),
            true,
        );
        check("resolver-request.schema.json", json!({"abi": "1.0"}), false);
        check(
            "resolver-response.schema.json",
            json!({"results": [{"attributes": {"userId": "a", "mail": "x"}}]}),
            false,
        );
        check(
            "resolver-response.schema.json",
            json!({"results": [{"error": {"code": "failed", "message": "m"}}]}),
            true,
        );
        check(
            "resolver-stdio-plugin.schema.json",
            serde_json::to_value(PluginMessage::Hello(Hello::new(PluginInfo::new("x", "1"))))
                .unwrap(),
            true,
        );
        check(
            "resolver-stdio-host.schema.json",
            json!({"shutdown": {}}),
            true,
        );
        check(
            "resolver-stdio-host.schema.json",
            json!({"reboot": {}}),
            false,
        );
        check(
            "resolver-stdio-host.schema.json",
            json!({"list": {"abi": "1.1"}}),
            true,
        );
        check(
            "resolver-list-batch.schema.json",
            json!({"users": [{"attributes": {"userId": "a"}}], "done": false}),
            true,
        );
        check(
            "resolver-list-batch.schema.json",
            json!({"users": []}),
            false,
        );
    }
}
