//! `emailprof serve`: the transport of the library's form server (`emailprof::web`): a
//! listener on loopback, one thread per request up to a limit, and the translation between
//! HTTP requests and the library's `Incoming` / `Reply`.

use std::io::Cursor;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context;
use emailprof::web::{Incoming, Reply, State, path_of, route};

use crate::cli::ServeArgs;
use crate::{Reporter, exit, invalid};

/// Requests handled at once; more get 503 rather than a thread each.
const MAX_CONCURRENT: usize = 16;

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
        emailprof::users::directory_resolver(Some(dir))?;
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
                respond(request, Reply::busy());
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
