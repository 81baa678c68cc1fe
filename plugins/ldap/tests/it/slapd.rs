//! A throwaway slapd: temp dir, slapd.conf, AD-like schema, data loaded with slapadd, free
//! loopback ports for ldap:// and ldaps://, killed on drop. It can be killed and restarted on
//! the same ports with the same database, to test a server that goes away mid-run.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) const SLAPD: &str = "/usr/sbin/slapd";
pub(crate) const SLAPADD: &str = "/usr/sbin/slapadd";
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

pub(crate) const BASE_DN: &str = "DC=contoso,DC=com";
pub(crate) const BIND_DN: &str = "CN=svc-emailprof,CN=Users,DC=contoso,DC=com";
pub(crate) const PASSWORD: &str = "correct horse battery staple";

pub(crate) struct Slapd {
    child: Child,
    pub(crate) dir: tempfile::TempDir,
    pub(crate) ldap_port: u16,
    pub(crate) ldaps_port: u16,
}

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl Slapd {
    /// Start a server, or `None` (after saying so loudly) when slapd is not installed and
    /// EMAILPROF_REQUIRE_SLAPD is not set. CI sets it, so there a missing slapd fails.
    pub(crate) fn start() -> Option<Slapd> {
        Self::start_with("")
    }

    /// Like [`Slapd::start`], with `extra_ldif` (entries) loaded after tests/data/directory.ldif.
    pub(crate) fn start_with(extra_ldif: &str) -> Option<Slapd> {
        Self::start_configured(extra_ldif, "")
    }

    /// Like [`Slapd::start_with`], with `extra_conf` (slapd.conf lines) at the end of the
    /// database section: limits, indexes.
    pub(crate) fn start_configured(extra_ldif: &str, extra_conf: &str) -> Option<Slapd> {
        if !Path::new(SLAPD).exists() {
            if std::env::var_os("EMAILPROF_REQUIRE_SLAPD").is_some() {
                panic!(
                    "{SLAPD} is not installed but EMAILPROF_REQUIRE_SLAPD is set; apt-get install slapd ldap-utils"
                );
            }
            eprintln!(
                "\n*** SKIPPING LDAP TEST: {SLAPD} is not installed (apt-get install slapd ldap-utils); set EMAILPROF_REQUIRE_SLAPD=1 to make this a failure ***\n"
            );
            return None;
        }
        let mut last = String::new();
        for _ in 0..3 {
            match Self::try_start(extra_ldif, extra_conf) {
                Ok(s) => return Some(s),
                Err(e) => last = e,
            }
        }
        panic!("slapd did not start: {last}");
    }

    fn try_start(extra_ldif: &str, extra_conf: &str) -> Result<Slapd, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let d = dir.path();
        std::fs::create_dir(d.join("db")).map_err(|e| e.to_string())?;
        for f in [
            "ad-like.schema",
            "directory.ldif",
            "ca.pem",
            "server.pem",
            "server.key",
        ] {
            std::fs::copy(Path::new(DATA).join(f), d.join(f)).map_err(|e| format!("{f}: {e}"))?;
        }
        if !extra_ldif.is_empty() {
            use std::io::Write;
            std::fs::OpenOptions::new()
                .append(true)
                .open(d.join("directory.ldif"))
                .and_then(|mut f| write!(f, "\n{extra_ldif}"))
                .map_err(|e| format!("directory.ldif: {e}"))?;
        }
        let conf = format!(
            "include /etc/ldap/schema/core.schema\n\
             include /etc/ldap/schema/cosine.schema\n\
             include /etc/ldap/schema/inetorgperson.schema\n\
             include {d}/ad-like.schema\n\
             pidfile {d}/slapd.pid\n\
             modulepath /usr/lib/ldap\n\
             moduleload back_mdb\n\
             TLSCACertificateFile {d}/ca.pem\n\
             TLSCertificateFile {d}/server.pem\n\
             TLSCertificateKeyFile {d}/server.key\n\
             database mdb\n\
             maxsize 10485760\n\
             suffix \"{BASE_DN}\"\n\
             rootdn \"CN=admin,{BASE_DN}\"\n\
             directory {d}/db\n\
             access to attrs=userPassword by anonymous auth by * none\n\
             access to * by users read by * none\n\
             {extra_conf}\n",
            d = d.display()
        );
        let conf_path = d.join("slapd.conf");
        std::fs::write(&conf_path, conf).map_err(|e| e.to_string())?;
        let out = Command::new(SLAPADD)
            .arg("-f")
            .arg(&conf_path)
            .arg("-l")
            .arg(d.join("directory.ldif"))
            .output()
            .map_err(|e| format!("slapadd: {e}"))?;
        if !out.status.success() {
            return Err(format!("slapadd: {}", String::from_utf8_lossy(&out.stderr)));
        }
        let (ldap_port, ldaps_port) = (free_port(), free_port());
        let child = launch(&conf_path, ldap_port, ldaps_port)?;
        Ok(Slapd {
            child,
            dir,
            ldap_port,
            ldaps_port,
        })
    }

    /// Kill the server with SIGKILL (no clean shutdown, as in a crash) and reap it.
    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Start the server again on the same ports with the same database.
    pub(crate) fn restart(&mut self) -> Result<(), String> {
        self.kill();
        let conf_path = self.dir.path().join("slapd.conf");
        // A port can stay busy for a moment after the kill; try for a few seconds.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match launch(&conf_path, self.ldap_port, self.ldaps_port) {
                Ok(child) => {
                    self.child = child;
                    return Ok(());
                }
                Err(e) if Instant::now() >= deadline => return Err(e),
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
        }
    }

    /// Send `signal` (a name for kill(1), e.g. `STOP`, `CONT`) to the server.
    pub(crate) fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} failed");
        if signal == "STOP" {
            // Stopping is asynchronous: wait until every thread of slapd is stopped (Linux).
            let tasks = PathBuf::from(format!("/proc/{}/task", self.child.id()));
            let deadline = Instant::now() + Duration::from_secs(5);
            let stopped = || {
                std::fs::read_dir(&tasks).is_ok_and(|d| {
                    d.filter_map(Result::ok).all(|t| {
                        std::fs::read_to_string(t.path().join("stat")).is_ok_and(|s| {
                            // pid (comm) STATE ...: the state follows the last ')'.
                            s.rsplit_once(')')
                                .is_some_and(|(_, rest)| rest.trim_start().starts_with('T'))
                        })
                    })
                })
            };
            while !stopped() {
                assert!(Instant::now() < deadline, "slapd did not stop");
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }

    pub(crate) fn ldap_url(&self) -> String {
        format!("ldap://127.0.0.1:{}", self.ldap_port)
    }

    pub(crate) fn ldaps_url(&self) -> String {
        format!("ldaps://127.0.0.1:{}", self.ldaps_port)
    }

    pub(crate) fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// A file holding the service account's password, as `bind_password_file` reads it.
    pub(crate) fn password_file(&self, password: &str) -> PathBuf {
        let path = self.dir.path().join(format!("pw-{}", password.len()));
        std::fs::write(&path, format!("{password}\n")).expect("write password file");
        path
    }
}

/// Run slapd in the foreground on the two ports and wait until both accept connections.
fn launch(conf_path: &Path, ldap_port: u16, ldaps_port: u16) -> Result<Child, String> {
    let mut child = Command::new(SLAPD)
        .arg("-f")
        .arg(conf_path)
        .arg("-h")
        .arg(format!(
            "ldap://127.0.0.1:{ldap_port}/ ldaps://127.0.0.1:{ldaps_port}/"
        ))
        // In the foreground, so dropping the child stops the server.
        .args(["-d", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("slapd: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                use std::io::Read;
                let _ = e.read_to_string(&mut err);
            }
            return Err(format!("slapd exited ({status}): {err}"));
        }
        let up = |p| TcpStream::connect(("127.0.0.1", p)).is_ok();
        if up(ldap_port) && up(ldaps_port) {
            return Ok(child);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    Err("slapd did not listen within 15 s".to_owned())
}
