//! The web form's server logic, without the transport: the schema-driven profile form (`web/`, built into `web/dist` and embedded
//! in the binary) and an endpoint that emits a platform's artifact, on loopback.
//!
//! Routes:
//! - `GET /` — the form; `GET /assets/*` — its script and the bundled fallback schema.
//! - `GET /schema.json` — the profile schema annotated with this binary's emitters.
//! - `GET /api/platforms` — `[{id, title, family}]` of the registered emitters.
//! - `POST /api/validate` (JSON profile) — `{valid, findings}`, the checks of `emailprof validate`
//!   except reading the certificate files (the live check reads no file).
//! - `POST /api/emit?platform=ID&user=ID` (or `&placeholders=MDM`, optional `minOs`, `form`;
//!   JSON profile) — the artifact, with its media type, a `Content-Disposition` file name and
//!   the emitter's diagnostics as JSON in `X-Emailprof-Diagnostics`; or a 400 JSON object
//!   `{error, findings: [{pointer, message, expected, severity, rule, position}]}`.
//!
//! Certificate files a posted profile names are read relative to the server's working
//! directory, and only below it (no absolute paths, no `..`), since the artifact carries their
//! bytes back to whoever posted the profile. The server never reads secrets: passwords and
//! PKCS#12 passphrases stay out of artifacts (as without `--include-password`), and a profile
//! with a SCEP challenge is refused (emit it with the CLI).
//!
//! The transport (a listener, threads, deadlines) is the caller's: it turns each HTTP request
//! into an [`Incoming`] and a body reader, and sends the [`Reply`] back. [`route`] never panics.
//!
//! Served on loopback only, unless `--allow-remote`. On loopback it answers only requests
//! whose `Host` names the bound address (a DNS-rebinding page cannot reach it). Posts must come
//! from the page's own origin when they name one, and carry JSON, so another site's page cannot
//! post to it without a CORS preflight, which this server never grants.

mod assets;
mod handlers;
pub mod http;

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;

use emailprof_core::input::MAX_INPUT_BYTES;
use serde_json::{Value, json};

use crate::material::MaterialReader;
use crate::registry;
use crate::users::NetbiosMap;

pub use assets::{ASSETS, Asset};

/// Largest request body: the profile input limit of every other command.
pub const MAX_BODY: usize = MAX_INPUT_BYTES;

/// Open `url` in the desktop's browser (`xdg-open`, `open` on macOS, `start` on Windows).
pub fn open_in_browser(url: &str) -> std::result::Result<(), String> {
    let (program, args): (&str, &[&str]) = if cfg!(target_os = "macos") {
        ("open", &[])
    } else if cfg!(windows) {
        ("cmd", &["/C", "start", ""])
    } else {
        ("xdg-open", &[])
    };
    std::process::Command::new(program)
        .args(args)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|e| format!("cannot start {program} ({e})"))
}

/// A per-run access token: 128 bits from the operating system's random source.
pub fn random_token() -> crate::Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| crate::Error::caused("reading /dev/urandom for the access token", e))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// One of a bounded number of slots (connections, requests in hand), given back when
/// dropped, also on unwinding.
pub struct Slot<'a>(&'a std::sync::atomic::AtomicUsize);

impl<'a> Slot<'a> {
    pub fn take(counter: &'a std::sync::atomic::AtomicUsize) -> Slot<'a> {
        counter.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        Slot(counter)
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }
}

/// What a request is answered with.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub media_type: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub(crate) fn new(status: u16, media_type: &str, body: Vec<u8>) -> Reply {
        Reply {
            status,
            media_type: media_type.to_owned(),
            headers: Vec::new(),
            body,
        }
    }

    pub(crate) fn json(status: u16, value: &Value) -> Reply {
        let mut body = serde_json::to_vec(value).unwrap_or_default();
        body.push(b'\n');
        Reply::new(status, "application/json", body)
    }

    /// A JSON `{"error": message}` reply.
    pub fn error(status: u16, message: impl Into<String>) -> Reply {
        Reply::json(status, &json!({ "error": message.into() }))
    }

    /// 503: the server handles as many requests as it may.
    pub fn busy() -> Reply {
        Reply::error(503, "busy: too many requests at once")
    }

    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }
}

/// What every request needs, computed once.
pub struct State {
    /// The address actually bound (port 0 resolved).
    pub local: SocketAddr,
    pub allow_remote: bool,
    pub directory: Option<PathBuf>,
    /// NetBIOS domain names for the directory's users that have none (`serve --netbios`).
    pub netbios: NetbiosMap,
    /// Reads the certificate files posted profiles name.
    pub reader: MaterialReader,
    /// The access token the page and API calls must present (`None`: no token needed).
    token: Option<String>,
    schema: Vec<u8>,
    platforms: Vec<u8>,
}

impl State {
    /// `directory`: where the `user` of an emit request is looked up (`None`: the built-in
    /// example directory); `reader`: what certificate files posted profiles may name;
    /// `token`: the per-run access token (see [`route`]).
    pub fn new(
        local: SocketAddr,
        allow_remote: bool,
        directory: Option<PathBuf>,
        reader: MaterialReader,
        token: Option<String>,
    ) -> State {
        let schema = serde_json::to_vec_pretty(&registry::annotated_schema()).unwrap_or_default();
        let platforms: Vec<Value> = registry::emitters()
            .iter()
            .map(|e| json!({ "id": e.id(), "title": e.title(), "family": e.family() }))
            .collect();
        State {
            local,
            allow_remote,
            directory,
            netbios: NetbiosMap::default(),
            reader,
            token,
            schema,
            platforms: serde_json::to_vec(&platforms).unwrap_or_default(),
        }
    }

    /// The NetBIOS domain names of the directory's domains, for users the directory gives
    /// none (a Microsoft Entra ID export never does).
    pub fn with_netbios(mut self, netbios: NetbiosMap) -> State {
        self.netbios = netbios;
        self
    }
}

/// The parts of an HTTP request routing looks at.
#[derive(Clone, Copy, Debug, Default)]
pub struct Incoming<'a> {
    pub method: &'a str,
    /// The request target: path and query.
    pub url: &'a str,
    pub host: Option<&'a str>,
    pub origin: Option<&'a str>,
    pub content_type: Option<&'a str>,
    /// The declared body length, when the client declared one.
    pub content_length: Option<usize>,
    /// The `Cookie` header.
    pub cookie: Option<&'a str>,
    /// The `Authorization` header (`Bearer TOKEN`).
    pub authorization: Option<&'a str>,
}

pub fn path_of(url: &str) -> &str {
    url.split_once('?').map_or(url, |(p, _)| p)
}

/// The name of the cookie that carries the token: per port, as cookies are per host only.
fn cookie_name(state: &State) -> String {
    format!("emailprof_token_{}", state.local.port())
}

/// Byte strings equal, in time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// How a request presented the access token, if it did: in the query (`?token=`, the URL
/// `serve` prints), as `Authorization: Bearer`, or in the cookie the page got with it.
fn presented<'a>(state: &State, rq: &Incoming<'a>, query: &'a str) -> Option<&'a str> {
    let from_query = query.split('&').find_map(|p| p.strip_prefix("token="));
    let from_header = rq
        .authorization
        .and_then(|a| a.trim().strip_prefix("Bearer "))
        .map(str::trim);
    let name = cookie_name(state);
    let from_cookie = rq.cookie.and_then(|c| {
        c.split(';')
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    });
    from_query.or(from_header).or(from_cookie)
}

fn authorized(state: &State, rq: &Incoming<'_>, query: &str) -> bool {
    match &state.token {
        None => true,
        Some(token) => {
            presented(state, rq, query).is_some_and(|p| same(p.as_bytes(), token.as_bytes()))
        }
    }
}

/// Answer one request. Never panics, whatever the request.
///
/// `GET /healthz` answers 200 to anyone. The page (`/`) and the API (`/api/*`) need the
/// per-run token when the state has one: the page gets it in the printed URL's query and sets
/// it as a `SameSite=Strict`, `HttpOnly` cookie, so the page's own calls carry it; other
/// clients send `Authorization: Bearer TOKEN`. Without it they get 401. The static assets
/// and the schema are public.
pub fn route(state: &State, rq: &Incoming<'_>, body: &mut dyn Read) -> Reply {
    let (path, query) = url_parts(rq.url);
    if path == "/healthz" {
        return match rq.method {
            "GET" | "HEAD" => Reply::new(200, "text/plain; charset=utf-8", b"ok\n".to_vec()),
            _ => Reply::error(405, "method not allowed").header("Allow", "GET, HEAD"),
        };
    }
    if !host_allowed(state, rq.host) {
        return misdirected();
    }
    let is_get = rq.method == "GET" || rq.method == "HEAD";
    let guarded = matches!(path, "/" | "/index.html") || path.starts_with("/api/");
    if guarded && !authorized(state, rq, query) {
        return unauthorized();
    }
    let set_cookie = |reply: Reply| match (&state.token, query.contains("token=")) {
        (Some(token), true) => reply.header(
            "Set-Cookie",
            format!(
                "{}={token}; Path=/; HttpOnly; SameSite=Strict",
                cookie_name(state)
            ),
        ),
        _ => reply,
    };
    match path {
        "/" | "/index.html" | "/assets/app.js" | "/assets/schema.js" if is_get => {
            let wanted = if path == "/" { "/index.html" } else { path };
            match assets::ASSETS.iter().find(|a| a.path == wanted) {
                Some(a) => {
                    let reply = Reply::new(200, a.media_type, a.bytes.to_vec());
                    if a.path == "/index.html" {
                        set_cookie(reply)
                            .header("Content-Security-Policy", assets::PAGE_CSP)
                            .header("X-Frame-Options", "DENY")
                    } else {
                        reply
                    }
                }
                None => Reply::error(404, "not found"),
            }
        }
        "/schema.json" if is_get => {
            Reply::new(200, "application/schema+json", state.schema.clone())
        }
        "/api/platforms" if is_get => Reply::new(200, "application/json", state.platforms.clone()),
        "/api/validate" | "/api/emit" if rq.method == "POST" => {
            let bytes = match post_body(rq, body) {
                Ok(b) => b,
                Err(reply) => return reply,
            };
            if path == "/api/validate" {
                handlers::validate(&bytes)
            } else {
                handlers::emit(state, query, &bytes)
            }
        }
        "/" | "/index.html" | "/assets/app.js" | "/assets/schema.js" | "/schema.json"
        | "/api/platforms" => Reply::error(405, "method not allowed").header("Allow", "GET, HEAD"),
        "/api/validate" | "/api/emit" => {
            Reply::error(405, "method not allowed").header("Allow", "POST")
        }
        _ => Reply::error(404, "not found"),
    }
}

fn url_parts(url: &str) -> (&str, &str) {
    url.split_once('?').unwrap_or((url, ""))
}

/// Whether `host` names the bound address, which a DNS-rebinding page cannot make it do.
fn host_allowed(state: &State, host: Option<&str>) -> bool {
    if state.allow_remote {
        return true;
    }
    let Some(host) = host else { return false };
    let host = host.trim().to_ascii_lowercase();
    let port = state.local.port();
    host == state.local.to_string() || host == format!("localhost:{port}")
}

/// The refusal [`route`] would answer `rq` with before reading any of its body, if any: a
/// transport calls this first, so it reads bodies only of requests that may send one.
pub fn refusal(state: &State, rq: &Incoming<'_>) -> Option<Reply> {
    let (path, query) = url_parts(rq.url);
    if path == "/healthz" {
        return None;
    }
    if !host_allowed(state, rq.host) {
        return Some(misdirected());
    }
    let guarded = matches!(path, "/" | "/index.html") || path.starts_with("/api/");
    if guarded && !authorized(state, rq, query) {
        return Some(unauthorized());
    }
    if rq.method == "POST" && matches!(path, "/api/validate" | "/api/emit") {
        return post_checks(rq).err();
    }
    None
}

fn misdirected() -> Reply {
    Reply::error(
        421,
        "the Host header does not name this server (open it at the printed address)",
    )
}

fn unauthorized() -> Reply {
    Reply::error(
        401,
        "open the URL `emailprof serve` printed: it carries this run's access token",
    )
    .header("WWW-Authenticate", "Bearer")
}

/// The checks that keep other sites' pages out, and the declared size limit.
fn post_checks(rq: &Incoming<'_>) -> Result<(), Reply> {
    if let Some(origin) = rq.origin {
        let own = rq
            .host
            .map(|h| format!("http://{}", h.trim().to_ascii_lowercase()));
        if own.as_deref() != Some(origin.trim().to_ascii_lowercase().as_str()) {
            return Err(Reply::error(403, "cross-origin requests are refused"));
        }
    }
    let is_json = rq.content_type.is_some_and(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
    });
    if !is_json {
        return Err(Reply::error(
            415,
            "send the profile as JSON (Content-Type: application/json)",
        ));
    }
    if rq.content_length.is_some_and(|n| n > MAX_BODY) {
        return Err(too_large());
    }
    Ok(())
}

fn too_large() -> Reply {
    Reply::error(413, format!("the body is larger than {MAX_BODY} bytes"))
}

/// The body of a POST, after [`post_checks`].
fn post_body(rq: &Incoming<'_>, body: &mut dyn Read) -> Result<Vec<u8>, Reply> {
    post_checks(rq)?;
    let mut bytes = Vec::new();
    if let Err(e) = body.take(MAX_BODY as u64 + 1).read_to_end(&mut bytes) {
        return Err(Reply::error(
            400,
            format!("cannot read the request body: {e}"),
        ));
    }
    if bytes.len() > MAX_BODY {
        return Err(too_large());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State::new(
            "127.0.0.1:4321".parse().unwrap(),
            false,
            None,
            MaterialReader::no_files(),
            None,
        )
    }

    fn get(state: &State, url: &str) -> Reply {
        let rq = Incoming {
            method: "GET",
            url,
            host: Some("127.0.0.1:4321"),
            origin: None,
            content_type: None,
            content_length: None,
            ..Default::default()
        };
        route(state, &rq, &mut std::io::empty())
    }

    #[test]
    fn the_token_guards_the_page_and_the_api_only() {
        let s = State::new(
            "127.0.0.1:4321".parse().unwrap(),
            false,
            None,
            MaterialReader::no_files(),
            Some("s3cret".into()),
        );
        assert_eq!(get(&s, "/").status, 401);
        assert_eq!(get(&s, "/api/platforms").status, 401);
        assert_eq!(get(&s, "/?token=wrong").status, 401);
        assert_eq!(get(&s, "/?token=s3cre").status, 401);
        // Public: health, the static assets and the schema.
        assert_eq!(get(&s, "/healthz").status, 200);
        assert_eq!(get(&s, "/assets/app.js").status, 200);
        assert_eq!(get(&s, "/schema.json").status, 200);
        let page = get(&s, "/?token=s3cret");
        assert_eq!(page.status, 200);
        let cookie = page
            .headers
            .iter()
            .find(|(n, _)| *n == "Set-Cookie")
            .map(|(_, v)| v.clone())
            .unwrap();
        assert!(
            cookie.starts_with("emailprof_token_4321=s3cret;"),
            "{cookie}"
        );
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
        let mut rq = Incoming {
            method: "GET",
            url: "/api/platforms",
            host: Some("127.0.0.1:4321"),
            cookie: Some("other=1; emailprof_token_4321=s3cret"),
            ..Default::default()
        };
        assert_eq!(route(&s, &rq, &mut std::io::empty()).status, 200);
        rq.cookie = Some("emailprof_token_9999=s3cret");
        assert_eq!(route(&s, &rq, &mut std::io::empty()).status, 401);
        rq.cookie = None;
        rq.authorization = Some("Bearer s3cret");
        assert_eq!(route(&s, &rq, &mut std::io::empty()).status, 200);
        // Health answers whatever the Host, for probes.
        rq.url = "/healthz";
        rq.host = Some("10.1.2.3:8787");
        rq.authorization = None;
        assert_eq!(route(&s, &rq, &mut std::io::empty()).status, 200);
    }

    #[test]
    fn routes_and_methods() {
        let s = state();
        let page = get(&s, "/");
        assert_eq!(page.status, 200);
        assert!(page.media_type.starts_with("text/html"));
        assert!(
            page.headers
                .iter()
                .any(|(n, v)| *n == "Content-Security-Policy"
                    && v.contains("frame-ancestors 'none'"))
        );
        assert_eq!(get(&s, "/index.html?x=1").status, 200);
        assert_eq!(get(&s, "/assets/app.js").status, 200);
        assert_eq!(get(&s, "/assets/../Cargo.toml").status, 404);
        assert_eq!(get(&s, "/nope").status, 404);
        let schema = get(&s, "/schema.json");
        let v: Value = serde_json::from_slice(&schema.body).unwrap();
        assert_eq!(v, registry::annotated_schema());
        let rq = Incoming {
            method: "DELETE",
            url: "/",
            host: Some("127.0.0.1:4321"),
            origin: None,
            content_type: None,
            content_length: None,
            ..Default::default()
        };
        let r = route(&s, &rq, &mut std::io::empty());
        assert_eq!(r.status, 405);
        assert!(r.headers.contains(&("Allow", "GET, HEAD".into())));
    }

    #[test]
    fn foreign_hosts_and_origins_are_refused() {
        let s = state();
        let mut rq = Incoming {
            method: "GET",
            url: "/",
            host: Some("attacker.example:4321"),
            origin: None,
            content_type: None,
            content_length: None,
            ..Default::default()
        };
        assert_eq!(route(&s, &rq, &mut std::io::empty()).status, 421);
        rq.host = None;
        assert_eq!(route(&s, &rq, &mut std::io::empty()).status, 421);
        rq.host = Some("LOCALHOST:4321");
        assert_eq!(route(&s, &rq, &mut std::io::empty()).status, 200);
        rq.method = "POST";
        rq.url = "/api/validate";
        rq.content_type = Some("application/json");
        rq.origin = Some("http://evil.example");
        assert_eq!(route(&s, &rq, &mut &b"{}"[..]).status, 403);
        rq.origin = Some("null");
        assert_eq!(route(&s, &rq, &mut &b"{}"[..]).status, 403);
        rq.origin = Some("http://localhost:4321");
        assert_eq!(route(&s, &rq, &mut &b"{}"[..]).status, 200);
        rq.content_type = Some("text/plain");
        assert_eq!(route(&s, &rq, &mut &b"{}"[..]).status, 415);
    }

    #[test]
    fn bodies_over_the_limit_are_refused_even_without_a_length() {
        let s = state();
        let mut rq = Incoming {
            method: "POST",
            url: "/api/validate",
            host: Some("127.0.0.1:4321"),
            origin: None,
            content_type: Some("application/json; charset=utf-8"),
            content_length: None,
            ..Default::default()
        };
        let big = vec![b' '; MAX_BODY + 1];
        assert_eq!(route(&s, &rq, &mut &big[..]).status, 413);
        rq.content_length = Some(MAX_BODY + 1);
        assert_eq!(route(&s, &rq, &mut std::io::empty()).status, 413);
        rq.content_length = None;
        let v: Value = serde_json::from_slice(&route(&s, &rq, &mut &big[..MAX_BODY]).body).unwrap();
        assert_eq!(
            v["findings"][0]["rule"], "syntax",
            "at the limit the body is read and parsed"
        );
    }
}
