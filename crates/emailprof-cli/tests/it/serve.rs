//! `emailprof serve`: the HTTP server driven over a socket, and the browser end-to-end test
//! (web/e2e/form.e2e.mjs, headless Chromium) when EMAILPROF_E2E=1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::support::{cli, emit, json_lines_of, root, stderr, stdout};

/// A running `emailprof serve`, stopped when dropped.
struct Server {
    child: Child,
    /// `127.0.0.1:PORT`
    addr: String,
    /// The per-run access token from the printed URL.
    token: String,
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Serving with certificate files allowed below `cwd`.
    fn start(cwd: &Path) -> Server {
        Server::start_with(cwd, &["--allow-files", "."])
    }

    fn start_with(cwd: &Path, args: &[&str]) -> Server {
        Server::start_env(cwd, args, &[])
    }

    fn start_env(cwd: &Path, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_emailprof"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .current_dir(cwd)
            .env_remove("RUST_LOG")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines
            .by_ref()
            .map_while(Result::ok)
            .find(|l| l.contains("serving the profile form"))
            .expect("serve printed no address");
        let addr = first
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in: {first}"))
            .to_owned();
        let token = first
            .split("?token=")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no token in: {first}"))
            .to_owned();
        // Keep draining stderr so the server never blocks on a full pipe.
        let log = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        Server {
            child,
            addr,
            token,
            log,
        }
    }

    /// Send `head` (request line and headers, without the blank line) with the access token,
    /// and `body`; the connection closes after one response.
    fn raw(&self, head: &str, body: &[u8]) -> Response {
        self.raw_as(
            &format!("{head}\r\nAuthorization: Bearer {}", self.token),
            body,
        )
    }

    /// [`Server::raw`] without the token.
    fn raw_as(&self, head: &str, body: &[u8]) -> Response {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let request = format!("{head}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).unwrap();
        Response::parse(&bytes)
    }

    fn get(&self, path: &str) -> Response {
        self.raw(&format!("GET {path} HTTP/1.1\r\nHost: {}", self.addr), b"")
    }

    /// A same-origin JSON post, as the page sends.
    fn post(&self, path: &str, body: &[u8]) -> Response {
        let headers = format!(
            "Origin: http://{}\r\nContent-Type: application/json\r\n",
            self.addr
        );
        self.post_with(path, &headers, body.len(), body)
    }

    /// `POST path` with `headers` (each line ending in CRLF) between `Host` and a
    /// `Content-Length` of `length`, which may differ from the body's.
    fn post_with(&self, path: &str, headers: &str, length: usize, body: &[u8]) -> Response {
        self.raw(
            &format!(
                "POST {path} HTTP/1.1\r\nHost: {}\r\n{headers}Content-Length: {length}",
                self.addr
            ),
            body,
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!(
                "serve log: {}",
                self.log.lock().map(|l| l.clone()).unwrap_or_default()
            );
        }
    }
}

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn parse(bytes: &[u8]) -> Response {
        let end = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(bytes)));
        let head = std::str::from_utf8(&bytes[..end]).unwrap();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Response {
            status,
            headers,
            body: bytes[end + 4..].to_vec(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

fn yaml_file_as_json(path: &str) -> Vec<u8> {
    let bytes = std::fs::read(root().join(path)).unwrap();
    let doc = emailprof_core::input::parse(&bytes, emailprof_core::Format::Yaml).unwrap();
    serde_json::to_vec(&doc.value).unwrap()
}

fn examples() -> PathBuf {
    root().join("examples")
}

fn ios_registered() -> bool {
    stdout(&cli(["platforms"]).output())
        .lines()
        .any(|l| l.split_whitespace().next() == Some("ios"))
}

#[test]
fn page_assets_and_schema_are_served() {
    let server = Server::start(&examples());
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(page.header("content-security-policy").is_some());
    let html = String::from_utf8(page.body).unwrap();
    assert!(html.contains("src=\"./assets/app.js\""), "{html}");

    let app = server.get("/assets/app.js");
    assert_eq!(app.status, 200);
    assert_eq!(
        app.header("content-length"),
        Some(app.body.len().to_string().as_str())
    );
    assert!(app.body == std::fs::read(root().join("web/dist/assets/app.js")).unwrap());
    assert_eq!(server.get("/assets/nope.js").status, 404);

    let head = server.raw(&format!("HEAD / HTTP/1.1\r\nHost: {}", server.addr), b"");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());

    let schema = server.get("/schema.json");
    assert_eq!(schema.status, 200);
    let printed: Value = serde_json::from_str(&stdout(&cli(["schema"]).output())).unwrap();
    assert_eq!(schema.json(), printed);

    let platforms = server.get("/api/platforms").json();
    let listed: Vec<String> = stdout(&cli(["platforms"]).output())
        .lines()
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect();
    let served: Vec<String> = platforms
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(served, listed);
}

#[test]
fn emit_returns_what_the_cli_emits() {
    // Served from examples/, the certificate files of contoso.yaml resolve as they do for the CLI.
    let server = Server::start(&examples());
    let body = yaml_file_as_json("examples/contoso.yaml");
    let r = server.post("/api/emit?platform=ios&user=user1", &body);
    if !ios_registered() {
        eprintln!("NOTE: the ios emitter is not registered; checking the error response instead");
        assert_eq!(r.status, 400);
        assert!(
            r.json()["error"]
                .as_str()
                .unwrap()
                .contains("unknown platform `ios`")
        );
        return;
    }
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        r.header("content-type"),
        Some("application/x-apple-aspen-config")
    );
    assert_eq!(
        r.header("content-disposition"),
        Some("attachment; filename=\"com.contoso.email.exchange.mobileconfig\"")
    );
    let user1 = || emit("examples/contoso.yaml", "ios").user("user1");
    let printed = user1().success();
    assert!(
        r.body == printed.stdout,
        "the served artifact differs from `emailprof emit`"
    );
    // The emitter's diagnostics ride along, as the CLI reports them.
    let diagnostics: Value =
        serde_json::from_str(r.header("x-emailprof-diagnostics").unwrap()).unwrap();
    let from_cli: Vec<Value> = json_lines_of(&user1().json().output(), "diagnostic")
        .into_iter()
        .map(|l| l["setting"].clone())
        .collect();
    let served = diagnostics.as_array().unwrap();
    // Served with its default directory, the server says whose values the artifact carries.
    assert!(
        served[0]["message"]
            .as_str()
            .unwrap()
            .contains("built-in example directory"),
        "{diagnostics}"
    );
    let from_server: Vec<Value> = served[1..].iter().map(|d| d["setting"].clone()).collect();
    assert_eq!(from_server, from_cli);

    // A percent-encoded user id, and MDM variables instead of a user.
    let encoded = server.post("/api/emit?platform=ios&user=user%31", &body);
    assert_eq!(encoded.status, 200);
    assert_eq!(encoded.body, printed.stdout);
    let minimal = yaml_file_as_json("examples/minimal.yaml");
    let placeholders = server.post("/api/emit?platform=ios&placeholders=intune", &minimal);
    assert_eq!(
        placeholders.status,
        200,
        "{}",
        String::from_utf8_lossy(&placeholders.body)
    );
    let printed = emit("examples/minimal.yaml", "ios")
        .flag("--placeholders", "intune")
        .output();
    assert!(placeholders.body == printed.stdout);
}

#[test]
fn an_invalid_profile_gets_400_with_the_findings_of_validate() {
    let server = Server::start(&examples());
    let doc = br#"{"displayName":"D","identifier":"com.contoso.x","account":{"server":"bad host!","accountName":"M"},"smime":{"enabled":false,"signing":{"enabled":true}}}"#;
    let r = server.post("/api/emit?platform=ios&user=user1", doc);
    assert_eq!(r.status, 400);
    let body = r.json();
    assert_eq!(body["error"], "the profile is not valid");
    let findings = body["findings"].as_array().unwrap();
    let server_view: Vec<(String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["pointer"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        findings
            .iter()
            .all(|f| f["severity"] == "error" || f["severity"] == "warning")
    );
    let server_pointer = findings
        .iter()
        .find(|f| f["pointer"] == "/account/server")
        .unwrap();
    assert!(
        server_pointer["expected"]
            .as_str()
            .unwrap()
            .contains("a host name such as")
    );

    // Exactly what `emailprof validate` says about the same document.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.json");
    std::fs::write(&file, doc).unwrap();
    let validated = cli(["validate"]).arg(&file).json().code(2);
    let cli_view: Vec<(String, String)> = json_lines_of(&validated, "finding")
        .iter()
        .map(|l| {
            (
                l["pointer"].as_str().unwrap().to_owned(),
                l["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(server_view, cli_view);
    assert!(
        server_view.iter().any(|(p, _)| p == "/smime/signing"),
        "{server_view:?}"
    );

    // The live check the page runs.
    let v = server.post("/api/validate", doc);
    assert_eq!(v.status, 200);
    assert_eq!(v.json()["valid"], false);
    let ok = server.post("/api/validate", &yaml_file_as_json("examples/minimal.yaml"));
    assert_eq!(ok.json()["valid"], true);
    // The live check reads no file: certificate paths that name nothing are not its concern
    // (`emailprof validate` reads them).
    let unread = server.post(
        "/api/validate",
        &contoso_with_files("no/such/root.pem", "/etc/passwd"),
    );
    assert_eq!(unread.json()["valid"], true, "{:?}", unread.json());

    let syntax = server.post("/api/emit?platform=ios&user=user1", b"{\"displayName\": ");
    assert_eq!(syntax.status, 400);
    assert_eq!(syntax.json()["findings"][0]["rule"], "syntax");
}

#[test]
fn emit_request_errors_are_400s_with_a_message() {
    let server = Server::start(&examples());
    let body = yaml_file_as_json("examples/minimal.yaml");
    let error = |r: Response| -> String {
        assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.body));
        r.json()["error"].as_str().unwrap().to_owned()
    };
    assert!(error(server.post("/api/emit?user=user1", &body)).contains("platform"));
    assert!(
        error(server.post("/api/emit?platform=amiga&user=user1", &body))
            .contains("unknown platform `amiga`")
    );
    assert!(error(server.post("/api/emit?platform=ios", &body)).contains("exactly one"));
    assert!(
        error(server.post("/api/emit?platform=ios&user=a&placeholders=intune", &body))
            .contains("exactly one")
    );
    assert!(error(server.post("/api/emit?platform=ios&user=a&user=b", &body)).contains("twice"));
    assert!(error(server.post("/api/emit?platform=ios&user=%ff", &body)).contains("UTF-8"));
    assert!(error(server.post("/api/emit?platform=ios&placeholders=nope", &body)).contains("nope"));
    assert!(
        error(server.post("/api/emit?platform=ios&user=user1&minOs=x", &body)).contains("minOs")
    );
    if ios_registered() {
        assert!(
            error(server.post("/api/emit?platform=ios&user=nobody-here", &body))
                .contains("nobody-here")
        );
    }

    // Files outside the working directory are not read for whoever posts a profile.
    let mut doc: Value =
        serde_json::from_slice(&yaml_file_as_json("examples/contoso.yaml")).unwrap();
    doc["certificates"]["contoso-root"]["ca"]["file"] = "/etc/passwd".into();
    let e = error(server.post(
        "/api/emit?platform=ios&user=user1",
        doc.to_string().as_bytes(),
    ));
    assert!(e.contains("not found or not allowed"), "{e}");
    doc["certificates"]["contoso-root"]["ca"]["file"] = "../README.md".into();
    let e = error(server.post(
        "/api/emit?platform=ios&user=user1",
        doc.to_string().as_bytes(),
    ));
    assert!(e.contains("not found or not allowed"), "{e}");

    let wrong_method = server.get("/api/emit?platform=ios&user=user1");
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.header("allow"), Some("POST"));
}

#[test]
fn oversized_foreign_and_garbage_requests_are_refused_and_the_server_survives() {
    let server = Server::start(&examples());
    let limit = emailprof_core::input::MAX_INPUT_BYTES;
    let big = server.post_with(
        "/api/emit?platform=ios&user=user1",
        "Content-Type: application/json\r\n",
        limit + 1,
        b"",
    );
    assert_eq!(big.status, 413);

    // DNS rebinding: a page of another name that resolves to loopback.
    let rebound = server.raw("GET /schema.json HTTP/1.1\r\nHost: attacker.example", b"");
    assert_eq!(rebound.status, 421);
    // Another site's page posting to the server.
    let foreign = server.post_with(
        "/api/validate",
        "Origin: http://attacker.example\r\nContent-Type: application/json\r\n",
        2,
        b"{}",
    );
    assert_eq!(foreign.status, 403);
    let form_post = server.post_with("/api/validate", "Content-Type: text/plain\r\n", 2, b"{}");
    assert_eq!(form_post.status, 415);

    // Not HTTP at all.
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.write_all(b"\x00\x01\x02 garbage \xff\r\n\r\n");
    let mut sink = Vec::new();
    let _ = s.read_to_end(&mut sink);
    drop(s);

    assert_eq!(server.get("/").status, 200, "the server still answers");
}

/// A profile (as JSON) whose CA certificate is `ca` and PKCS#12 is `p12`.
fn contoso_with_files(ca: &str, p12: &str) -> Vec<u8> {
    let mut doc: Value =
        serde_json::from_slice(&yaml_file_as_json("examples/contoso.yaml")).unwrap();
    doc["certificates"]["contoso-root"]["ca"]["file"] = ca.into();
    doc["certificates"]["smime"]["pkcs12"]["file"] = p12.into();
    doc.to_string().into_bytes()
}

#[test]
fn files_are_read_only_below_allow_files_never_through_links_and_only_certificates() {
    let tmp = tempfile::tempdir().unwrap();
    let served = tmp.path().join("served");
    std::fs::create_dir_all(served.join("certs")).unwrap();
    for f in ["contoso-root.pem", "smime.p12"] {
        std::fs::copy(
            examples().join("certs").join(f),
            served.join("certs").join(f),
        )
        .unwrap();
    }
    std::fs::write(served.join(".env"), "DB_PASSWORD=hunter2-secret\n").unwrap();
    // A real certificate outside the allowed directory, reachable through a link inside it.
    std::fs::copy(
        examples().join("certs/contoso-root.pem"),
        tmp.path().join("outside.pem"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        tmp.path().join("outside.pem"),
        served.join("certs/link.pem"),
    )
    .unwrap();
    std::os::unix::fs::symlink(tmp.path(), served.join("up")).unwrap();

    let server = Server::start_with(&served, &["--allow-files", "."]);
    let emit = |body: Vec<u8>| server.post("/api/emit?platform=ios&user=user1", &body);
    let ok = emit(contoso_with_files(
        "certs/contoso-root.pem",
        "certs/smime.p12",
    ));
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));

    let mut messages = Vec::new();
    for (ca, p12) in [
        (".env", "certs/smime.p12"),
        ("certs/contoso-root.pem", ".env"),
        ("certs/link.pem", "certs/smime.p12"),
        ("up/outside.pem", "certs/smime.p12"),
        ("certs/missing.pem", "certs/smime.p12"),
        ("certs/smime.p12", "certs/smime.p12"),
        ("certs/contoso-root.pem", "certs/contoso-root.pem"),
    ] {
        let r = emit(contoso_with_files(ca, p12));
        assert_eq!(
            r.status,
            400,
            "{ca} {p12}: {}",
            String::from_utf8_lossy(&r.body)
        );
        assert!(!String::from_utf8_lossy(&r.body).contains("hunter2"));
        let e = r.json()["error"].as_str().unwrap().to_owned();
        assert!(e.contains("not found or not allowed"), "{e}");
        // The same words whatever the reason; only the name the client gave differs.
        let file = if e.contains(&format!("`{ca}`")) {
            ca
        } else {
            p12
        };
        messages.push(e.replace(file, "FILE"));
    }
    messages.sort();
    messages.dedup();
    // One wording per certificate entry, whatever the reason.
    assert_eq!(
        messages.len(),
        2,
        "refusals differ by reason: {messages:#?}"
    );

    // Without --allow-files, the server reads no file at all.
    let closed = Server::start_with(&served, &[]);
    let r = closed.post(
        "/api/emit?platform=ios&user=user1",
        &contoso_with_files("certs/contoso-root.pem", "certs/smime.p12"),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("not found or not allowed")
    );
    let minimal = closed.post(
        "/api/emit?platform=ios&user=user1",
        &yaml_file_as_json("examples/minimal.yaml"),
    );
    assert_eq!(minimal.status, 200, "profiles naming no file still emit");
}

#[test]
fn the_page_and_the_api_need_the_printed_token() {
    let server = Server::start(&examples());
    let host = format!("Host: {}", server.addr);
    let plain = |path: &str| server.raw_as(&format!("GET {path} HTTP/1.1\r\n{host}"), b"");
    assert_eq!(plain("/").status, 401);
    assert_eq!(plain("/api/platforms").status, 401);
    assert_eq!(plain("/?token=0000").status, 401);
    let post = server.raw_as(
        &format!("POST /api/validate HTTP/1.1\r\n{host}\r\nContent-Type: application/json\r\nContent-Length: 2"),
        b"{}",
    );
    assert_eq!(post.status, 401);
    assert_eq!(plain("/healthz").status, 200, "health needs no token");
    assert_eq!(plain("/healthz").body, b"ok\n");
    // The printed URL: the page, and a cookie that the page's own calls carry.
    let page = plain(&format!("/?token={}", server.token));
    assert_eq!(page.status, 200);
    let cookie = page
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let api = server.raw_as(
        &format!("GET /api/platforms HTTP/1.1\r\n{host}\r\nCookie: {cookie}"),
        b"",
    );
    assert_eq!(api.status, 200);
    // Each run has its own token.
    let other = Server::start(&examples());
    assert_ne!(other.token, server.token);
    assert!(server.token.len() >= 32);
}

#[test]
fn slow_clients_and_huge_heads_do_not_starve_the_server() {
    let server = Server::start(&examples());
    // 17 clients that declare a body and never send it, and 3 that never finish their head.
    let mut idle = Vec::new();
    for i in 0..20 {
        let mut s = TcpStream::connect(&server.addr).unwrap();
        let head = if i < 17 {
            format!(
                "POST /api/validate HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{{",
                server.addr, server.token
            )
        } else {
            format!("GET / HTTP/1.1\r\nHost: {}\r\nX-Slow: ", server.addr)
        };
        s.write_all(head.as_bytes()).unwrap();
        idle.push(s);
    }
    std::thread::sleep(Duration::from_millis(300));
    for _ in 0..3 {
        assert_eq!(
            server.get("/").status,
            200,
            "answers while slow clients wait"
        );
    }
    // A head over 16 KiB is refused with 431, not buffered.
    let long = format!(
        "GET / HTTP/1.1\r\nHost: {}\r\nX-Big: {}",
        server.addr,
        "a".repeat(20 * 1024)
    );
    assert_eq!(server.raw(&long, b"").status, 431);
    // A much larger one is cut off at the cap too; the server goes on.
    let mut s = TcpStream::connect(&server.addr).unwrap();
    let writer = std::thread::spawn(move || {
        let _ = s.write_all(b"GET / HTTP/1.1\r\nX-Huge: ");
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..64 {
            if s.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    writer.join().unwrap();
    assert_eq!(server.get("/").status, 200);
    drop(idle);
}

#[test]
fn sigterm_stops_the_server_gracefully_with_exit_0() {
    let mut server = Server::start(&examples());
    assert_eq!(server.get("/healthz").status, 200);
    let pid = server.child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(st) = server.child.try_wait().unwrap() {
            break st;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "serve did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0), "{}", server.log.lock().unwrap());
}

#[test]
fn every_request_is_logged_at_info_without_the_token() {
    let server = Server::start_with(&examples(), &["--allow-files", ".", "-v"]);
    let page = server.raw_as(
        &format!(
            "GET /?token={} HTTP/1.1\r\nHost: {}",
            server.token, server.addr
        ),
        b"",
    );
    assert_eq!(page.status, 200);
    assert_eq!(server.get("/nope?x=1").status, 404);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let log = loop {
        let log = server.log.lock().unwrap().clone();
        if log.matches(" request").count() >= 2 || std::time::Instant::now() > deadline {
            break log;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let lines: Vec<&str> = log.lines().filter(|l| l.contains(" request")).collect();
    assert!(
        lines.iter().any(|l| l.contains("INFO")
            && l.contains("method=\"GET\"")
            && l.contains("path=\"/\"")
            && l.contains("status=200")
            && l.contains("duration_ms=")),
        "{log}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("path=\"/nope\"") && l.contains("status=404")),
        "{log}"
    );
    assert!(
        !log.contains(&server.token),
        "the token never reaches the log: {log}"
    );
    assert!(!log.contains('\u{1b}'), "no colour off a terminal");
}

#[test]
fn open_starts_the_desktop_browser_on_the_token_url() {
    let bin = tempfile::tempdir().unwrap();
    let seen = bin.path().join("opened.txt");
    let script = bin.path().join("xdg-open");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho \"$@\" > {}\n", seen.display()),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = std::env::join_paths(std::iter::once(bin.path().to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let server = Server::start_env(&examples(), &["--open"], &[("PATH", &path)]);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !seen.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let opened = std::fs::read_to_string(&seen).expect("--open ran xdg-open");
    assert_eq!(
        opened.trim(),
        format!("http://{}/?token={}", server.addr, server.token)
    );
}

#[test]
fn a_non_loopback_address_is_refused_without_allow_remote() {
    let out = cli(["serve", "--addr", "0.0.0.0:0"]).code(2);
    let err = stderr(&out);
    assert!(
        err.contains("not a loopback address") && err.contains("--allow-remote"),
        "{err}"
    );
}

/// The browser test: web/e2e/form.e2e.mjs in headless Chromium. It needs `npm ci` in web/ and
/// Debian's chromium; CI sets EMAILPROF_E2E=1 after installing both.
#[test]
fn browser_end_to_end() {
    if std::env::var("EMAILPROF_E2E").as_deref() != Ok("1") {
        // Straight to the process's stderr: libtest captures `eprintln!` of passing tests.
        let _ = writeln!(
            std::io::stderr(),
            "\n======== SKIP: browser end-to-end test (web/e2e/form.e2e.mjs) not run; set EMAILPROF_E2E=1 (needs `npm ci` in web/ and /usr/bin/chromium) ========\n"
        );
        return;
    }
    let status = Command::new("node")
        .arg("web/e2e/form.e2e.mjs")
        .current_dir(root())
        .env("EMAILPROF_BIN", env!("CARGO_BIN_EXE_emailprof"))
        .status()
        .expect("cannot run node");
    assert!(
        status.success(),
        "web/e2e/form.e2e.mjs failed (see its output above)"
    );
    assert!(root().join("target/e2e/form.png").is_file());
}

/// Issue 17: `serve --directory` with a Microsoft Entra ID export takes the NetBIOS names
/// Graph does not have from `--netbios`, as `emit` does; without it the request fails naming
/// the mapping. `--netbios` alone (the built-in directory has its names) is refused.
#[test]
fn serve_takes_netbios_names_for_an_entra_export() {
    // contoso.yaml's user name is the sAM name with the NetBIOS domain; served from
    // examples/ so that its certificate files resolve as they do for the CLI.
    let export = "crates/emailprof-directory/tests/data/entra/graph-page.json";
    let from_examples = format!("../{export}");
    let body = yaml_file_as_json("examples/contoso.yaml");
    let request = "/api/emit?platform=ios&user=AdeleV%40contoso.com";
    let server = Server::start_with(
        &examples(),
        &[
            "--allow-files",
            ".",
            "--directory",
            &from_examples,
            "--netbios",
            "contoso.com=CONTOSO",
        ],
    );
    let r = server.post(request, &body);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let printed = emit("examples/contoso.yaml", "ios")
        .user("AdeleV@contoso.com")
        .directory(export)
        .flag("--netbios", "contoso.com=CONTOSO")
        .success();
    assert!(
        r.body == printed.stdout,
        "served and emitted artifacts differ"
    );
    assert!(String::from_utf8_lossy(&r.body).contains("CONTOSO\\AdeleV"));
    drop(server);

    let server = Server::start_with(
        &examples(),
        &["--allow-files", ".", "--directory", &from_examples],
    );
    let r = server.post(request, &body);
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("give --netbios contoso.com=NAME"),
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    drop(server);

    let o = cli([
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--netbios",
        "contoso.com=CONTOSO",
    ])
    .code(2);
    assert!(stderr(&o).contains("--directory"), "{}", stderr(&o));
    let o = cli(["serve", "--addr", "127.0.0.1:0", "--directory", export])
        .args(["--netbios", "contoso.com"])
        .code(2);
    assert!(stderr(&o).contains("FQDN=NAME"), "{}", stderr(&o));
}
