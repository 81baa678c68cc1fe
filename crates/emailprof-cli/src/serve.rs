//! `emailprof serve`: the schema-driven profile form (`web/`, built into `web/dist` and embedded
//! in the binary) and an endpoint that emits a platform's artifact, on loopback.
//!
//! Routes:
//! - `GET /` — the form; `GET /assets/*` — its script and the bundled fallback schema.
//! - `GET /schema.json` — the profile schema annotated with this binary's emitters.
//! - `GET /api/platforms` — `[{id, title, family}]` of the registered emitters.
//! - `POST /api/validate` (JSON profile) — `{valid, findings}`, the checks of `emailprof validate`.
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
//! It listens on loopback only, unless `--allow-remote`. On loopback it answers only requests
//! whose `Host` names the bound address (a DNS-rebinding page cannot reach it). Posts must come
//! from the page's own origin when they name one, and carry JSON, so another site's page cannot
//! post to it without a CORS preflight, which this server never grants.

use std::io::{Cursor, Read};
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context;
use clap::Args;
use emailprof_core::input::{Format, MAX_INPUT_BYTES};
use emailprof_core::{
    EmailProfile, EmitOptions, Finding, Operation, OsVersion, Severity, ValidationOptions,
};
use serde_json::{Value, json};

use crate::cli::{PlaceholderMdm, UserSource};
use crate::commands::{EmitRequest, emit_loaded};
use crate::{Reporter, exit, invalid, profile, registry};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; loopback by default. Port 0 picks a free port (the URL is printed).
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: SocketAddr,

    /// Accept a non-loopback --addr. Whoever reaches the server can then have it read the
    /// certificate files below its working directory.
    #[arg(long)]
    pub allow_remote: bool,

    /// Directory export (CSV, JSON or LDIF) the `user` of an emit request is looked up in.
    /// Default: the built-in example directory (examples/directory.csv).
    #[arg(long, value_name = "FILE")]
    pub directory: Option<PathBuf>,
}

/// Largest request body: the profile input limit of every other command.
const MAX_BODY: usize = MAX_INPUT_BYTES;

/// Requests handled at once; more get 503 rather than a thread each.
const MAX_CONCURRENT: usize = 16;

/// The diagnostics header stays well below common header size limits.
const MAX_DIAGNOSTICS_HEADER: usize = 6 * 1024;

/// One embedded file of `web/dist`.
pub(crate) struct Asset {
    pub path: &'static str,
    pub media_type: &'static str,
    pub bytes: &'static [u8],
}

/// The built form (`npm run build` in `web/`, committed), so a Rust-only build serves it.
pub(crate) const ASSETS: &[Asset] = &[
    Asset {
        path: "/index.html",
        media_type: "text/html; charset=utf-8",
        bytes: include_bytes!("../../../web/dist/index.html"),
    },
    Asset {
        path: "/assets/app.js",
        media_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../../web/dist/assets/app.js"),
    },
    Asset {
        path: "/assets/schema.js",
        media_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../../web/dist/assets/schema.js"),
    },
];

/// AJV compiles the schema into functions at run time, hence `unsafe-eval`; RJSF sets inline
/// styles and the bundle injects its stylesheet, hence `unsafe-inline` for styles.
const PAGE_CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-eval'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// What a request is answered with.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub media_type: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    fn new(status: u16, media_type: &str, body: Vec<u8>) -> Reply {
        Reply {
            status,
            media_type: media_type.to_owned(),
            headers: Vec::new(),
            body,
        }
    }

    fn json(status: u16, value: &Value) -> Reply {
        let mut body = serde_json::to_vec(value).unwrap_or_default();
        body.push(b'\n');
        Reply::new(status, "application/json", body)
    }

    fn error(status: u16, message: impl Into<String>) -> Reply {
        Reply::json(status, &json!({ "error": message.into() }))
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }
}

/// What every request needs, computed once.
pub(crate) struct State {
    /// The address actually bound (port 0 resolved).
    pub local: SocketAddr,
    pub allow_remote: bool,
    pub directory: Option<PathBuf>,
    /// Where certificate files are read from.
    pub base_dir: PathBuf,
    schema: Vec<u8>,
    platforms: Vec<u8>,
}

impl State {
    pub(crate) fn new(local: SocketAddr, allow_remote: bool, directory: Option<PathBuf>) -> State {
        let schema = serde_json::to_vec_pretty(&registry::annotated_schema()).unwrap_or_default();
        let platforms: Vec<Value> = registry::emitters()
            .iter()
            .map(|e| json!({ "id": e.id(), "title": e.title(), "family": e.family() }))
            .collect();
        State {
            local,
            allow_remote,
            directory,
            base_dir: PathBuf::from("."),
            schema,
            platforms: serde_json::to_vec(&platforms).unwrap_or_default(),
        }
    }
}

/// The parts of an HTTP request routing looks at.
pub(crate) struct Incoming<'a> {
    pub method: &'a str,
    /// The request target: path and query.
    pub url: &'a str,
    pub host: Option<&'a str>,
    pub origin: Option<&'a str>,
    pub content_type: Option<&'a str>,
    /// The declared body length, when the client declared one.
    pub content_length: Option<usize>,
}

pub(crate) fn run(args: ServeArgs, reporter: &Reporter) -> anyhow::Result<u8> {
    if !args.addr.ip().is_loopback() && !args.allow_remote {
        invalid!(
            "refusing to listen on {}: not a loopback address. The server reads certificate files and emits artifacts for anyone who reaches it; give --allow-remote to accept that",
            args.addr
        );
    }
    let server = tiny_http::Server::http(args.addr)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.addr))?;
    let local = server
        .server_addr()
        .to_ip()
        .context("the server is not bound to an IP address")?;
    if let Some(dir) = &args.directory {
        // Fail at start rather than on every request.
        crate::resolve::directory_resolver(Some(dir))?;
    }
    let state = State::new(local, args.allow_remote, args.directory);
    let cwd = std::env::current_dir().map_or_else(|_| ".".into(), |d| d.display().to_string());
    reporter.note(&format!(
        "serving the profile form on http://{local}/ (certificate files are read below {cwd}; Ctrl-C stops)"
    ));
    let active = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for request in server.incoming_requests() {
            if active.load(Ordering::Acquire) >= MAX_CONCURRENT {
                respond(
                    request,
                    Reply::error(503, "busy: too many requests at once"),
                );
                continue;
            }
            let slot = Slot::take(&active);
            let state = &state;
            let spawned = std::thread::Builder::new()
                .name("emailprof-serve".into())
                .spawn_scoped(scope, move || {
                    let _slot = slot;
                    handle(state, request);
                });
            if spawned.is_err() {
                // The request and the slot went with the closure: tiny_http answers a dropped
                // request with 500, and the slot is given back.
                tracing::warn!("cannot start a thread for a request");
            }
        }
    });
    Ok(exit::OK)
}

/// One of the `MAX_CONCURRENT` request slots, given back when dropped (also on unwinding).
struct Slot<'a>(&'a AtomicUsize);

impl<'a> Slot<'a> {
    fn take(active: &'a AtomicUsize) -> Slot<'a> {
        active.fetch_add(1, Ordering::AcqRel);
        Slot(active)
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

fn header<'r>(request: &'r tiny_http::Request, name: &'static str) -> Option<&'r str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str())
}

fn handle(state: &State, mut request: tiny_http::Request) {
    let method = request.method().as_str().to_owned();
    let url = request.url().to_owned();
    let host = header(&request, "Host").map(str::to_owned);
    let origin = header(&request, "Origin").map(str::to_owned);
    let content_type = header(&request, "Content-Type").map(str::to_owned);
    let incoming = Incoming {
        method: &method,
        url: &url,
        host: host.as_deref(),
        origin: origin.as_deref(),
        content_type: content_type.as_deref(),
        content_length: request.body_length(),
    };
    let reply = route(state, &incoming, request.as_reader());
    tracing::debug!(%method, path = path_of(&url), status = reply.status, "request");
    respond(request, reply);
}

fn respond(request: tiny_http::Request, reply: Reply) {
    let length = reply.body.len();
    let mut response = tiny_http::Response::new(
        tiny_http::StatusCode(reply.status),
        Vec::new(),
        Cursor::new(reply.body),
        Some(length),
        None,
    )
    // Bodies are in memory: always a Content-Length, never chunked.
    .with_chunked_threshold(usize::MAX);
    let mut headers = vec![
        ("Content-Type", reply.media_type),
        ("X-Content-Type-Options", "nosniff".to_owned()),
        ("Referrer-Policy", "no-referrer".to_owned()),
        ("Cache-Control", "no-store".to_owned()),
    ];
    headers.extend(reply.headers);
    for (name, value) in headers {
        match tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            Ok(h) => response.add_header(h),
            Err(()) => tracing::warn!(header = name, "header value not sendable; left out"),
        }
    }
    // The client may have gone; nothing to do about it.
    let _ = request.respond(response);
}

fn path_of(url: &str) -> &str {
    url.split_once('?').map_or(url, |(p, _)| p)
}

/// Answer one request. Never panics, whatever the request.
pub(crate) fn route(state: &State, rq: &Incoming<'_>, body: &mut dyn Read) -> Reply {
    if !host_allowed(state, rq.host) {
        return Reply::error(
            421,
            "the Host header does not name this server (open it at the printed address)",
        );
    }
    let (path, query) = url_parts(rq.url);
    let is_get = rq.method == "GET" || rq.method == "HEAD";
    match path {
        "/" | "/index.html" | "/assets/app.js" | "/assets/schema.js" if is_get => {
            let wanted = if path == "/" { "/index.html" } else { path };
            match ASSETS.iter().find(|a| a.path == wanted) {
                Some(a) => {
                    let reply = Reply::new(200, a.media_type, a.bytes.to_vec());
                    if a.path == "/index.html" {
                        reply
                            .header("Content-Security-Policy", PAGE_CSP)
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
                validate(&bytes)
            } else {
                emit(state, query, &bytes)
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

/// The body of a POST, after the checks that keep other sites' pages out and the size limit.
fn post_body(rq: &Incoming<'_>, body: &mut dyn Read) -> Result<Vec<u8>, Reply> {
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
    let too_large = || Reply::error(413, format!("the body is larger than {MAX_BODY} bytes"));
    if rq.content_length.is_some_and(|n| n > MAX_BODY) {
        return Err(too_large());
    }
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

fn finding_json(f: &Finding) -> Value {
    serde_json::to_value(f).unwrap_or(Value::Null)
}

fn validate(bytes: &[u8]) -> Reply {
    let findings = match profile::from_bytes(
        bytes,
        Format::Json,
        ValidationOptions::default(),
        ".".into(),
    ) {
        Ok((_, findings)) | Err(findings) => findings,
    };
    let valid = !findings.iter().any(|f| f.severity == Severity::Error);
    Reply::json(
        200,
        &json!({ "valid": valid, "findings": findings.iter().map(finding_json).collect::<Vec<_>>() }),
    )
}

/// Decode `%XX` and `+` of a query component; `None` when it is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The query parameters; `Err` names one that is given twice or is not UTF-8.
fn query_params(query: &str) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (Some(k), Some(v)) = (percent_decode(k), percent_decode(v)) else {
            return Err("a query parameter is not UTF-8".into());
        };
        if out.iter().any(|(seen, _)| *seen == k) {
            return Err(format!("query parameter `{k}` given twice"));
        }
        out.push((k, v));
    }
    Ok(out)
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// A file path the server may read for a profile: relative, and below the working directory.
fn contained(file: &str) -> bool {
    let path = Path::new(file);
    !file.is_empty()
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// Refuse what the server must not read for whoever posts a profile: files outside its working
/// directory, and secrets (a SCEP challenge is read whenever the profile names one).
fn server_may_read(profile: &EmailProfile) -> Result<(), String> {
    for (name, cert) in &profile.certificates {
        let files = [
            cert.pkcs12.as_ref().map(|p| p.file.as_str()),
            cert.ca.as_ref().map(|c| c.file.as_str()),
        ];
        for file in files.into_iter().flatten() {
            if !contained(file) {
                return Err(format!(
                    "certificate `{name}`: the server reads certificate files only by relative paths below its working directory, not `{file}`"
                ));
            }
        }
        if cert.scep.as_ref().is_some_and(|s| s.challenge.is_some()) {
            return Err(format!(
                "certificate `{name}`: the server does not read secrets such as a SCEP challenge; emit this profile with `emailprof emit`"
            ));
        }
    }
    Ok(())
}

/// JSON with every non-ASCII character escaped, so it fits an HTTP header.
fn ascii_json(value: &Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}

/// `value` of a Content-Disposition file name: only characters that need no quoting rules.
fn disposition_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    if cleaned.is_empty() {
        "artifact".into()
    } else {
        cleaned.to_owned()
    }
}

fn emit(state: &State, query: &str, bytes: &[u8]) -> Reply {
    let params = match query_params(query) {
        Ok(p) => p,
        Err(e) => return Reply::error(400, e),
    };
    let Some(platform) = param(&params, "platform") else {
        return Reply::error(400, "give the platform: /api/emit?platform=ID");
    };
    let placeholders = match param(&params, "placeholders") {
        None => None,
        Some(p) => match <PlaceholderMdm as clap::ValueEnum>::from_str(p, true) {
            Ok(m) => Some(m),
            Err(_) => return Reply::error(400, format!("unknown MDM `{p}` for placeholders")),
        },
    };
    let user = param(&params, "user");
    if user.is_some() == placeholders.is_some() {
        return Reply::error(
            400,
            "give exactly one of `user` (a user id of the directory) and `placeholders` (an MDM)",
        );
    }
    let min_os_version = match param(&params, "minOs") {
        None => None,
        Some(v) => match OsVersion::parse(v) {
            Some(v) => Some(v),
            None => {
                return Reply::error(
                    400,
                    format!("minOs `{v}` is not a version like 13.0 or 15.4.1"),
                );
            }
        },
    };
    let loaded = match profile::from_bytes(
        bytes,
        Format::Json,
        ValidationOptions::default(),
        state.base_dir.clone(),
    ) {
        Ok((l, _)) => l,
        Err(findings) => {
            return Reply::json(
                400,
                &json!({
                    "error": "the profile is not valid",
                    "findings": findings.iter().map(finding_json).collect::<Vec<_>>(),
                }),
            );
        }
    };
    if let Err(e) = server_may_read(&loaded.profile) {
        return Reply::error(400, e);
    }
    let users = UserSource {
        user: user.map(str::to_owned),
        directory: state.directory.clone(),
        placeholders,
        plugin: Default::default(),
    };
    let request = EmitRequest {
        platform,
        users: &users,
        options: EmitOptions {
            min_os_version,
            include_password: false,
            operation: Operation::Add,
            form: param(&params, "form").map(str::to_owned),
        },
    };
    let emission = match emit_loaded(&loaded, &request) {
        Ok(e) => e,
        Err(err) => {
            let message = err
                .chain()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(": ");
            let status = if err.downcast_ref::<crate::Invalid>().is_some() {
                400
            } else {
                500
            };
            tracing::warn!(platform, status, "emit failed: {message}");
            return Reply::error(status, message);
        }
    };
    let artifact = match emission.artifacts.as_slice() {
        [one] => one,
        [] => return Reply::error(400, format!("{platform}: the emitter produced no artifact")),
        _ => {
            return Reply::error(
                400,
                format!("{platform} writes several files; use `emailprof emit --out DIRECTORY`"),
            );
        }
    };
    let mut diagnostics: Vec<Value> = emission
        .diagnostics
        .iter()
        .map(|d| serde_json::to_value(d).unwrap_or(Value::Null))
        .collect();
    let mut header = ascii_json(&Value::Array(diagnostics.clone()));
    while header.len() > MAX_DIAGNOSTICS_HEADER && !diagnostics.is_empty() {
        diagnostics.pop();
        header = ascii_json(&Value::Array(diagnostics.clone()));
    }
    Reply::new(200, &artifact.media_type, artifact.bytes.clone())
        .header(
            "Content-Disposition",
            format!(
                "attachment; filename=\"{}\"",
                disposition_name(&artifact.file_name)
            ),
        )
        .header("X-Emailprof-Diagnostics", header)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State::new("127.0.0.1:4321".parse().unwrap(), false, None)
    }

    fn get(state: &State, url: &str) -> Reply {
        let rq = Incoming {
            method: "GET",
            url,
            host: Some("127.0.0.1:4321"),
            origin: None,
            content_type: None,
            content_length: None,
        };
        route(state, &rq, &mut std::io::empty())
    }

    #[test]
    fn every_built_file_is_embedded() {
        let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/dist");
        let mut files = Vec::new();
        let mut stack = vec![dist.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let rel = path
                        .strip_prefix(&dist)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    files.push(format!("/{rel}"));
                }
            }
        }
        files.sort();
        let mut embedded: Vec<String> = ASSETS.iter().map(|a| a.path.to_owned()).collect();
        embedded.sort();
        assert_eq!(
            files, embedded,
            "web/dist and ASSETS disagree; update ASSETS after a build"
        );
        for a in ASSETS {
            let on_disk = std::fs::read(dist.join(a.path.trim_start_matches('/'))).unwrap();
            assert_eq!(on_disk, a.bytes, "{}", a.path);
        }
    }

    #[test]
    fn the_page_refers_only_to_embedded_files() {
        let page = std::str::from_utf8(ASSETS[0].bytes).unwrap();
        let mut refs = 0;
        for part in page
            .split("src=\"")
            .skip(1)
            .chain(page.split("href=\"").skip(1))
        {
            let target = part.split('"').next().unwrap();
            if target.starts_with("data:") {
                continue;
            }
            let path = format!("/{}", target.trim_start_matches("./"));
            assert!(
                ASSETS.iter().any(|a| a.path == path),
                "{target} is not embedded"
            );
            refs += 1;
        }
        assert!(refs >= 2, "the page loads the schema fallback and the app");
    }

    #[test]
    fn the_bundled_fallback_schema_is_the_committed_schema() {
        // A schema change needs `npm run build` in web/ so the page opened from disk is current.
        let js = std::str::from_utf8(
            ASSETS
                .iter()
                .find(|a| a.path == "/assets/schema.js")
                .unwrap()
                .bytes,
        )
        .unwrap();
        let json = js
            .strip_prefix("window.EMAILPROF_SCHEMA = ")
            .and_then(|s| s.trim_end().strip_suffix(';'))
            .expect("schema.js sets window.EMAILPROF_SCHEMA");
        let bundled: Value = serde_json::from_str(json).unwrap();
        let committed: Value = serde_json::from_str(
            &std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../schemas/email-profile.schema.json"),
            )
            .unwrap(),
        )
        .unwrap();
        assert!(
            bundled == committed,
            "web/dist/assets/schema.js differs from schemas/email-profile.schema.json: run `npm run build` in web/"
        );
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

    #[test]
    fn query_decoding() {
        assert_eq!(percent_decode("a%40b.c+d").as_deref(), Some("a@b.c d"));
        assert_eq!(percent_decode("100%").as_deref(), Some("100%"));
        assert_eq!(percent_decode("%zz%4").as_deref(), Some("%zz%4"));
        assert_eq!(percent_decode("%ff"), None);
        assert!(query_params("user=a&user=b").is_err());
        let p = query_params("platform=ios&user=user%401&&x").unwrap();
        assert_eq!(param(&p, "user"), Some("user@1"));
        assert_eq!(param(&p, "x"), None);
    }

    #[test]
    fn paths_outside_the_working_directory_are_refused() {
        assert!(contained("certs/smime.p12"));
        assert!(contained("./a.pem"));
        assert!(!contained("/etc/passwd"));
        assert!(!contained("../secret.p12"));
        assert!(!contained("certs/../../x"));
        assert!(!contained(""));
    }

    #[test]
    fn header_values_stay_ascii() {
        let v = json!([{ "message": "é — 😀" }]);
        let h = ascii_json(&v);
        assert!(h.is_ascii());
        assert_eq!(serde_json::from_str::<Value>(&h).unwrap(), v);
        assert_eq!(
            disposition_name("a b\"/c.mobileconfig"),
            "a_b__c.mobileconfig"
        );
        assert_eq!(disposition_name("..."), "artifact");
    }
}
