//! `emailprof serve`: the transport of the library's form server (`emailprof::web`): a
//! listener, one thread per connection (bounded), deadlines on reading each request, a bound
//! on the requests handled at once, the access log, and a graceful stop on SIGINT / SIGTERM.
//!
//! A connection that is slow to send its head or body holds only its own thread, never a
//! handling slot, and is closed at its deadline; a refused request is answered and closed
//! without reading its body.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use emailprof::MaterialReader;
use emailprof::web::http;
use emailprof::web::{Reply, Slot, State, path_of, route};

use crate::cli::ServeArgs;
use crate::{Reporter, exit, invalid};

/// Requests handled (routed, emitted) at once; more get 503.
const MAX_CONCURRENT: usize = 16;
/// Connections open at once, most of them possibly slow; more are answered 503 and closed.
const MAX_CONNECTIONS: usize = 512;
/// Time a client has to send its request head, and then its body.
const HEAD_DEADLINE: Duration = Duration::from_secs(10);
const BODY_DEADLINE: Duration = Duration::from_secs(30);
/// How often blocked reads and the accept loop look at the stop flag.
const TICK: Duration = Duration::from_millis(200);

pub(crate) fn run(args: ServeArgs, reporter: &Reporter) -> anyhow::Result<u8> {
    if !args.addr.ip().is_loopback() && !args.allow_remote {
        invalid!(
            "refusing to listen on {}: not a loopback address. The server emits artifacts for anyone who reaches it; give --allow-remote to accept that",
            args.addr
        );
    }
    let listener =
        TcpListener::bind(args.addr).with_context(|| format!("cannot listen on {}", args.addr))?;
    let local = listener.local_addr()?;
    if let Some(dir) = &args.directory {
        // Fail at start rather than on every request.
        emailprof::users::directory_resolver(Some(dir))?;
    }
    let netbios = crate::resolve::netbios(&args.netbios)?;
    let (reader, files) = match &args.allow_files {
        Some(dir) => {
            let root = std::fs::canonicalize(dir)
                .map_err(|e| crate::Invalid(format!("--allow-files {}: {e}", dir.display())))?;
            let shown = format!("certificate files are read below {}", root.display());
            (MaterialReader::contained(root), shown)
        }
        None => (
            MaterialReader::no_files(),
            "no files are read; --allow-files DIR allows certificate files below DIR".to_owned(),
        ),
    };
    let users = match &args.directory {
        Some(d) => format!("users from {}", d.display()),
        None => format!(
            "users from the {}",
            emailprof::users::BUILTIN_DIRECTORY_NAME
        ),
    };
    let token = emailprof::web::random_token()?;
    let url = format!("http://{local}/?token={token}");
    let state = State::new(
        local,
        args.allow_remote,
        args.directory,
        reader,
        Some(token),
    )
    .with_netbios(netbios);
    reporter.note(&format!(
        "serving the profile form on {url} ({files}; {users}; Ctrl-C stops)"
    ));
    if args.open
        && let Err(e) = emailprof::web::open_in_browser(&url)
    {
        crate::report::warning(&format!("--open: {e}; open the URL by hand"));
    }

    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // A second signal ends the process at once.
        let _ = signal_hook::flag::register_conditional_shutdown(sig, 130, Arc::clone(&stop));
        let _ = signal_hook::flag::register(sig, Arc::clone(&stop));
    }
    listener.set_nonblocking(true)?;
    let connections = AtomicUsize::new(0);
    let handling = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        while !stop.load(Ordering::Relaxed) {
            let stream = match listener.accept() {
                Ok((s, _)) => s,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
            };
            if connections.load(Ordering::Acquire) >= MAX_CONNECTIONS {
                send(stream, &Reply::busy(), false);
                continue;
            }
            let slot = Slot::take(&connections);
            let (state, stop, handling) = (&state, &*stop, &handling);
            let spawned = std::thread::Builder::new()
                .name("emailprof-serve".into())
                .spawn_scoped(scope, move || {
                    let _slot = slot;
                    connection(stream, state, stop, handling);
                });
            if spawned.is_err() {
                tracing::warn!("cannot start a thread for a connection");
            }
        }
        // Leaving the scope waits for the requests in flight; reads still waiting for a slow
        // client see the stop flag and give up.
    });
    reporter.note("stopped");
    Ok(exit::OK)
}

/// Reads from the client until a deadline, giving up early when the server stops.
struct Deadline<'a> {
    stream: &'a TcpStream,
    until: Instant,
    stop: &'a AtomicBool,
}

impl Read for Deadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.stop.load(Ordering::Relaxed) || Instant::now() >= self.until {
                return Err(std::io::ErrorKind::TimedOut.into());
            }
            match (&mut &*self.stream).read(buf) {
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                other => return other,
            }
        }
    }
}

fn connection(stream: TcpStream, state: &State, stop: &AtomicBool, handling: &AtomicUsize) {
    let started = Instant::now();
    if stream.set_nonblocking(false).is_err() || stream.set_read_timeout(Some(TICK)).is_err() {
        return;
    }
    // The head, at most MAX_HEAD bytes, within its deadline.
    let mut reader = Deadline {
        stream: &stream,
        until: started + HEAD_DEADLINE,
        stop,
    };
    let (head, early) = match http::read_head(&mut reader) {
        Ok(Some(h)) => h,
        Ok(None) => return,
        Err(reply) => return finish(stream, reply, "-", "-", started),
    };
    let incoming = head.incoming();
    // A request refused on its head is answered without reading its body.
    if let Some(reply) = emailprof::web::refusal(state, &incoming) {
        return finish(stream, reply, &head.method, &head.target, started);
    }
    // The body (its declared length is within the limit): what came with the head, then the
    // rest within its deadline. A slow body holds this thread only, not a handling slot.
    let declared = head.content_length.unwrap_or(0);
    let mut body = early;
    body.truncate(declared);
    let early = body.len();
    let rest = Deadline {
        stream: &stream,
        until: Instant::now() + BODY_DEADLINE,
        stop,
    };
    if let Err(e) = rest.take((declared - early) as u64).read_to_end(&mut body) {
        let reply = Reply::error(408, format!("the request body did not arrive in time: {e}"));
        return finish(stream, reply, &head.method, &head.target, started);
    }
    if handling.load(Ordering::Acquire) >= MAX_CONCURRENT {
        return finish(stream, Reply::busy(), &head.method, &head.target, started);
    }
    let _slot = Slot::take(handling);
    let reply = route(state, &incoming, &mut body.as_slice());
    finish(stream, reply, &head.method, &head.target, started);
}

/// Send the reply, log it, and close.
fn finish(stream: TcpStream, reply: Reply, method: &str, target: &str, started: Instant) {
    tracing::info!(
        method,
        path = path_of(target),
        status = reply.status,
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    send(stream, &reply, method == "HEAD");
}

fn send(mut stream: TcpStream, reply: &Reply, head_only: bool) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    // The client may have gone; nothing to do about it.
    let _ = stream.write_all(&http::response_bytes(reply, head_only));
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Write);
}
