//! Out-of-process plugins: a child process speaking JSON lines on stdin/stdout.
//!
//! The child's stdout is read by a thread that forwards lines over a channel, so every wait
//! has a timeout. When the child crashes, closes its output or misses the timeout, it is
//! killed; the users of that request fail with `ResolveError::Failed` (a failed batch is
//! retried one user at a time so only the offending user fails), and the next request starts
//! a fresh child. The child's stderr is inherited: plugin logs go where ours go.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use emailprof_attributes::{AttributeResolver, DirectoryAttributes, ResolveError};
use resolver_abi::{
    ABI_MAJOR, ABI_VERSION, ErrorCode, HostMessage, Init, ListRequest, PROTOCOL, PluginInfo,
    PluginMessage, ResolveRequest, parse_abi_major,
};

use crate::HostError;

/// Longest line accepted from a plugin.
const MAX_LINE: u64 = 64 * 1024 * 1024;
/// User ids per request message, so one timeout covers a bounded amount of work.
const CHUNK: usize = 256;

/// What is needed to start the child again (`Command` is not `Clone`).
#[derive(Clone)]
struct Spec {
    program: OsString,
    args: Vec<OsString>,
    envs: Vec<(OsString, Option<OsString>)>,
    cwd: Option<PathBuf>,
}

impl Spec {
    fn from_command(cmd: &Command) -> Self {
        Self {
            program: cmd.get_program().to_owned(),
            args: cmd.get_args().map(ToOwned::to_owned).collect(),
            envs: cmd
                .get_envs()
                .map(|(k, v)| (k.to_owned(), v.map(ToOwned::to_owned)))
                .collect(),
            cwd: cmd.get_current_dir().map(ToOwned::to_owned),
        }
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args);
        for (k, v) in &self.envs {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        if let Some(dir) = &self.cwd {
            cmd.current_dir(dir);
        }
        cmd
    }

    fn display(&self) -> String {
        std::path::Path::new(&self.program)
            .file_name()
            .unwrap_or(&self.program)
            .to_string_lossy()
            .into_owned()
    }
}

/// A running child after a successful handshake.
struct Running {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<std::io::Result<String>>,
    info: PluginInfo,
}

impl Running {
    fn stop(mut self) {
        // Ask politely, then close stdin (EOF also means shutdown), then insist.
        if let Ok(line) = serde_json::to_string(&HostMessage::Shutdown {}) {
            let _ = writeln!(self.stdin, "{line}");
            let _ = self.stdin.flush();
        }
        drop(self.stdin);
        let deadline = Instant::now() + Duration::from_millis(500);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn kill(mut self) -> String {
        let status = match self.child.try_wait() {
            Ok(Some(status)) => Some(status),
            _ => {
                let _ = self.child.kill();
                None
            }
        };
        let waited = self.child.wait().ok();
        match status.or(waited) {
            Some(s) if status.is_some() => format!("the plugin process exited ({s})"),
            _ => "the plugin process was stopped".to_owned(),
        }
    }
}

/// An out-of-process plugin. Requests are serialized; the child is restarted after a crash
/// or timeout.
pub struct ProcessResolver {
    spec: Spec,
    config: serde_json::Value,
    timeout: Duration,
    running: Mutex<Option<Running>>,
    info: PluginInfo,
}

impl std::fmt::Debug for ProcessResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the configuration: it may hold secrets.
        f.debug_struct("ProcessResolver")
            .field("program", &self.spec.program)
            .field("timeout", &self.timeout)
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

enum Failure {
    /// The child is gone or unusable; restart it.
    Dead(String),
    /// The child reported an error for the whole request; it is still usable.
    Reported(String),
}

impl ProcessResolver {
    /// Start `cmd` (its program, arguments, environment changes and directory are kept to
    /// restart it), check its hello and configure it with `config`. `timeout` bounds each
    /// wait for the child: the hello, `init`, and each request.
    pub fn spawn(
        cmd: Command,
        config: serde_json::Value,
        timeout: Duration,
    ) -> Result<Self, HostError> {
        let spec = Spec::from_command(&cmd);
        let running = start(&spec, &config, timeout)?;
        let info = running.info.clone();
        Ok(Self {
            spec,
            config,
            timeout,
            running: Mutex::new(Some(running)),
            info,
        })
    }

    pub fn info(&self) -> &PluginInfo {
        &self.info
    }

    fn name(&self) -> String {
        self.spec.display()
    }

    /// One request for `ids` on a running child.
    fn request(
        &self,
        slot: &mut Option<Running>,
        ids: &[String],
    ) -> Result<Vec<Result<DirectoryAttributes, ResolveError>>, Failure> {
        if slot.is_none() {
            tracing::debug!(plugin = %self.name(), "starting plugin process");
            let running = start(&self.spec, &self.config, self.timeout)
                .map_err(|e| Failure::Dead(e.to_string()))?;
            *slot = Some(running);
        }
        let Some(running) = slot.as_mut() else {
            return Err(Failure::Dead(
                "the plugin process is not running".to_owned(),
            ));
        };
        let message = HostMessage::Resolve(ResolveRequest::new(ids.to_vec()));
        if let Err(e) = send(&mut running.stdin, &message) {
            return Err(Failure::Dead(format!(
                "could not write to the plugin process: {e}"
            )));
        }
        match receive(&running.lines, self.timeout) {
            Ok(PluginMessage::Results(results)) if results.len() == ids.len() => Ok(results
                .into_iter()
                .zip(ids)
                .map(|(r, id)| crate::answer_for(id, r.into_result()))
                .collect()),
            Ok(PluginMessage::Results(results)) => Err(Failure::Dead(format!(
                "the plugin answered {} results for {} user ids",
                results.len(),
                ids.len()
            ))),
            Ok(PluginMessage::Error(body)) => Err(match body.code {
                ErrorCode::Panic => {
                    Failure::Reported(format!("the plugin panicked: {}", body.message))
                }
                _ => Failure::Reported(body.message),
            }),
            Ok(_) => Err(Failure::Dead("the plugin answered out of turn".to_owned())),
            Err(Received::Timeout) => Err(Failure::Dead(format!(
                "the plugin did not answer within {:.1?}",
                self.timeout
            ))),
            Err(Received::Closed) => Err(Failure::Dead("the plugin closed its output".to_owned())),
            Err(Received::Invalid(m)) => Err(Failure::Dead(m)),
        }
    }

    /// Resolve `ids`, restarting a dead child and retrying a failed batch user by user.
    fn resolve_chunk(
        &self,
        slot: &mut Option<Running>,
        ids: &[String],
    ) -> Vec<Result<DirectoryAttributes, ResolveError>> {
        match self.request(slot, ids) {
            Ok(results) => results,
            Err(Failure::Reported(message)) => {
                let message = format!("plugin process {}: {message}", self.name());
                ids.iter()
                    .map(|_| Err(ResolveError::Failed(message.clone())))
                    .collect()
            }
            Err(Failure::Dead(reason)) => {
                let exit = slot.take().map(Running::kill);
                let reason = match exit {
                    Some(exit) => format!("{reason}; {exit}"),
                    None => reason,
                };
                tracing::warn!(plugin = %self.name(), users = ids.len(), "{reason}; restarting it for the next request");
                if ids.len() > 1 {
                    // Find out which user it was: one at a time, each with a fresh child if needed.
                    ids.iter()
                        .flat_map(|id| self.resolve_chunk(slot, std::slice::from_ref(id)))
                        .collect()
                } else {
                    let message = format!(
                        "plugin process {}: {reason}; it was restarted for the next user",
                        self.name()
                    );
                    vec![Err(ResolveError::Failed(message))]
                }
            }
        }
    }
}

impl ProcessResolver {
    /// Every user the plugin lists, batch by batch (ABI 1.1): `list`, then `listNext` until a
    /// batch says `done`. The listing owns the resolver (and so the child). A child that dies,
    /// times out or reports an error ends the listing with that error: it is not restarted
    /// mid-listing, which would list from the start again.
    pub fn list_users(self) -> Result<crate::UserBatches, HostError> {
        let minor = self
            .info
            .abi
            .split('.')
            .nth(1)
            .and_then(|m| m.parse::<u16>().ok());
        if minor.is_none_or(|m| m < 1) {
            return Err(HostError::CannotList {
                plugin: self.name(),
            });
        }
        let mut listing = ProcessListing {
            resolver: self,
            open: true,
        };
        let first = listing.exchange(&HostMessage::List(ListRequest::new()))?;
        // Empty batches (the last one often is) carry nothing for the caller.
        Ok(Box::new(
            std::iter::once(Ok(first))
                .chain(listing)
                .filter(|b| !matches!(b, Ok(users) if users.is_empty())),
        ))
    }
}

/// An open listing of an out-of-process plugin.
struct ProcessListing {
    resolver: ProcessResolver,
    open: bool,
}

impl ProcessListing {
    /// Send `message`, read the batch it is answered by; the listing is over after a batch
    /// that says `done` or any failure.
    fn exchange(
        &mut self,
        message: &HostMessage,
    ) -> Result<Vec<resolver_sdk::ListedUser>, HostError> {
        let name = self.resolver.name();
        let timeout = self.resolver.timeout;
        let mut slot = self
            .resolver
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let protocol = |message: String| HostError::Protocol {
            plugin: name.clone(),
            message,
        };
        let Some(running) = slot.as_mut() else {
            self.open = false;
            return Err(protocol("the plugin process is not running".to_owned()));
        };
        let answer = match send(&mut running.stdin, message) {
            Err(e) => Err(format!("could not write to the plugin process: {e}")),
            Ok(()) => match receive(&running.lines, timeout) {
                Ok(m) => Ok(m),
                Err(Received::Timeout) => Err(format!(
                    "the plugin did not answer within {timeout:.1?} while listing users"
                )),
                Err(Received::Closed) => Err("the plugin closed its output".to_owned()),
                Err(Received::Invalid(m)) => Err(m),
            },
        };
        let dead = |slot: &mut Option<Running>, reason: String| {
            let exit = slot.take().map(Running::kill);
            match exit {
                Some(exit) => protocol(format!("{reason}; {exit}")),
                None => protocol(reason),
            }
        };
        match answer {
            Ok(PluginMessage::Batch(batch)) => {
                if batch.done {
                    self.open = false;
                }
                Ok(crate::listed(batch.users))
            }
            Ok(PluginMessage::Error(body)) => {
                self.open = false;
                Err(match body.code {
                    ErrorCode::Unsupported => HostError::CannotList { plugin: name },
                    ErrorCode::Panic => HostError::Panic {
                        plugin: name,
                        message: body.message,
                    },
                    _ => HostError::Resolver {
                        plugin: name,
                        message: body.message,
                    },
                })
            }
            Ok(_) => {
                self.open = false;
                Err(dead(
                    &mut slot,
                    "the plugin answered out of turn".to_owned(),
                ))
            }
            Err(reason) => {
                self.open = false;
                Err(dead(&mut slot, reason))
            }
        }
    }
}

impl Iterator for ProcessListing {
    type Item = Result<Vec<resolver_sdk::ListedUser>, HostError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.open.then(|| self.exchange(&HostMessage::ListNext {}))
    }
}

impl Drop for ProcessResolver {
    fn drop(&mut self) {
        let slot = self.running.get_mut().unwrap_or_else(|e| e.into_inner());
        if let Some(running) = slot.take() {
            running.stop();
        }
    }
}

impl AttributeResolver for ProcessResolver {
    fn describe(&self) -> String {
        format!(
            "plugin process {} ({} {})",
            self.name(),
            self.info.name,
            self.info.version
        )
    }

    fn resolve(&self, user_id: &str) -> Result<DirectoryAttributes, ResolveError> {
        crate::single(self.resolve_batch(&[user_id.to_owned()]))
    }

    fn resolve_batch(&self, user_ids: &[String]) -> Vec<Result<DirectoryAttributes, ResolveError>> {
        let mut slot = self.running.lock().unwrap_or_else(|e| e.into_inner());
        user_ids
            .chunks(CHUNK)
            .flat_map(|chunk| self.resolve_chunk(&mut slot, chunk))
            .collect()
    }
}

fn send(stdin: &mut ChildStdin, message: &HostMessage) -> std::io::Result<()> {
    let line = serde_json::to_string(message).map_err(std::io::Error::other)?;
    stdin.write_all(line.as_bytes())?;
    stdin.write_all(b"\n")?;
    stdin.flush()
}

enum Received {
    Timeout,
    Closed,
    Invalid(String),
}

fn receive(
    lines: &Receiver<std::io::Result<String>>,
    timeout: Duration,
) -> Result<PluginMessage, Received> {
    loop {
        let line = match lines.recv_timeout(timeout) {
            Ok(Ok(line)) => line,
            Ok(Err(e)) => {
                return Err(Received::Invalid(format!(
                    "could not read the plugin's output: {e}"
                )));
            }
            Err(RecvTimeoutError::Timeout) => return Err(Received::Timeout),
            Err(RecvTimeoutError::Disconnected) => return Err(Received::Closed),
        };
        if line.trim().is_empty() {
            continue;
        }
        return serde_json::from_str(&line).map_err(|e| {
            Received::Invalid(format!(
                "the plugin wrote a line that is not a plugin message: {e}"
            ))
        });
    }
}

/// Start the child, read its hello, send `init` and wait for `ready`.
fn start(spec: &Spec, config: &serde_json::Value, timeout: Duration) -> Result<Running, HostError> {
    let name = spec.display();
    let mut child = spec
        .command()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|source| HostError::Spawn {
            command: spec.program.to_string_lossy().into_owned(),
            source,
        })?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(HostError::Protocol {
            plugin: name,
            message: "its standard input and output could not be connected".to_owned(),
        });
    };
    let (tx, rx) = channel();
    std::thread::Builder::new()
        .name(format!("plugin-{name}"))
        .spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut line = String::new();
                match (&mut reader).take(MAX_LINE).read_line(&mut line) {
                    Ok(0) => break,
                    Ok(n) if n as u64 >= MAX_LINE && !line.ends_with('\n') => {
                        let _ = tx.send(Err(std::io::Error::other("a line longer than 64 MiB")));
                        break;
                    }
                    Ok(_) => {
                        if tx.send(Ok(line)).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        break;
                    }
                }
            }
        })
        .map_err(|source| HostError::Spawn {
            command: spec.program.to_string_lossy().into_owned(),
            source,
        })?;

    let mut running = Running {
        child,
        stdin,
        lines: rx,
        info: PluginInfo::new("?", "?"),
    };
    match handshake(&mut running, &name, config, timeout) {
        Ok(info) => {
            running.info = info;
            Ok(running)
        }
        Err(e) => {
            running.kill();
            Err(e)
        }
    }
}

fn handshake(
    running: &mut Running,
    name: &str,
    config: &serde_json::Value,
    timeout: Duration,
) -> Result<PluginInfo, HostError> {
    let protocol = |message: String| HostError::Protocol {
        plugin: name.to_owned(),
        message,
    };
    let fail = |r: Received, during: &'static str| match r {
        Received::Timeout => HostError::Timeout {
            plugin: name.to_owned(),
            after: timeout,
            during,
        },
        Received::Closed => protocol(format!("the plugin process exited before {during}")),
        Received::Invalid(m) => HostError::BadJson {
            plugin: name.to_owned(),
            context: during,
            message: m,
        },
    };
    let hello = match receive(&running.lines, timeout).map_err(|r| fail(r, "its hello"))? {
        PluginMessage::Hello(h) => h,
        _ => {
            return Err(protocol(
                "the plugin did not start with a hello message".to_owned(),
            ));
        }
    };
    if hello.protocol != PROTOCOL {
        return Err(protocol(format!(
            "the plugin speaks `{}`, not `{PROTOCOL}`",
            hello.protocol
        )));
    }
    if parse_abi_major(&hello.abi) != Some(ABI_MAJOR) {
        let found = parse_abi_major(&hello.abi).map_or(0, |m| u32::from(m) << 16);
        return Err(HostError::WrongAbi {
            path: PathBuf::from(name),
            found,
            expected: ABI_VERSION,
        });
    }
    send(
        &mut running.stdin,
        &HostMessage::Init(Init {
            config: config.clone(),
        }),
    )
    .map_err(|e| protocol(format!("could not write to the plugin process: {e}")))?;
    match receive(&running.lines, timeout).map_err(|r| fail(r, "init"))? {
        PluginMessage::Ready {} => Ok(hello.plugin),
        PluginMessage::Error(body) if body.code == ErrorCode::Panic => Err(HostError::Panic {
            plugin: name.to_owned(),
            message: body.message,
        }),
        PluginMessage::Error(body) => Err(HostError::Resolver {
            plugin: name.to_owned(),
            message: body.message,
        }),
        _ => Err(protocol("the plugin answered init out of turn".to_owned())),
    }
}
