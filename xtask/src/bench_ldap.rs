//! `cargo xtask bench-ldap`: the LDAP resolver against its bound (issue 17). A throwaway slapd
//! (mdb, `sAMAccountName` and `objectClass` indexed, no size limit) on loopback holds N AD-like
//! users (tests/data of the LDAP plugin: AD-like schema, crossRefs for the NetBIOS names, the
//! service account). Measured, interleaved round by round so that load on the machine hits
//! every command alike:
//!
//! - the bound: one paged `ldapsearch` (500 a page) of the same users and attributes;
//! - `emailprof batch --resolver` listing the users (no `--users`);
//! - `emailprof batch --resolver --users LIST` of the same ids.
//!
//! - for reference, `emailprof batch --directory` of a CSV export of the same users (emission
//!   alone, no directory server).
//!
//! Every batch emits iOS (sign-in `NETBIOS\sAMAccountName`, the primary SMTP address) as JSON
//! lines, written to `--scratch DIR` (default `/dev/shm` when it exists: the final fsync of the
//! output on a busy disk otherwise costs more than the whole search). Prints the median, min
//! and max of each, and the ratios to the bound.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

const BASE_DN: &str = "DC=contoso,DC=com";
const BIND_DN: &str = "CN=svc-emailprof,CN=Users,DC=contoso,DC=com";
const PASSWORD: &str = "correct horse battery staple";
const FILTER: &str = "(&(objectClass=user)(sAMAccountName=bu*))";
const ATTRIBUTES: [&str; 4] = [
    "userPrincipalName",
    "mail",
    "proxyAddresses",
    "sAMAccountName",
];
const PROFILE: &str = "\
displayName: Contoso Exchange
identifier: com.contoso.email.ldapbench
account:
  server: outlook.office365.com
  accountName: Contoso mail
  username:
    source: samAccountName
    domain:
      source: directory
      attribute: netBiosDomainName
  emailAddressSource: primarySmtpAddress
";

fn arg<T: std::str::FromStr>(args: &[&String], name: &str, default: T) -> anyhow::Result<T> {
    match args.iter().position(|a| *a == name) {
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("{name} takes a number")),
        None => Ok(default),
    }
}

fn users_ldif(users: usize) -> String {
    let mut ldif = String::with_capacity(users * 400);
    for i in 0..users {
        let domain = if i % 10 == 7 {
            "DC=emea,DC=contoso,DC=com"
        } else {
            BASE_DN
        };
        ldif.push_str(&format!(
            "dn: CN=Bench User {i:06},CN=Users,{domain}\n\
             objectClass: user\n\
             cn: Bench User {i:06}\n\
             sn: User{i:06}\n\
             sAMAccountName: bu{i:06}\n\
             userPrincipalName: bu{i:06}@contoso.com\n\
             mail: bu{i:06}@contoso.com\n\
             proxyAddresses: smtp:bu{i:06}@contoso.com\n\
             proxyAddresses: SMTP:Bench.User{i:06}@contoso.com\n\n"
        ));
    }
    ldif
}

/// A slapd in `dir` on `port`, killed on drop.
struct Slapd(Child);

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_slapd(root: &Path, dir: &Path, users: usize) -> anyhow::Result<(Slapd, String)> {
    let data = root.join("plugins/ldap/tests/data");
    std::fs::create_dir_all(dir.join("db"))?;
    std::fs::copy(data.join("ad-like.schema"), dir.join("ad-like.schema"))?;
    let mut ldif = std::fs::read_to_string(data.join("directory.ldif"))?;
    ldif.push('\n');
    ldif.push_str(&users_ldif(users));
    std::fs::write(dir.join("directory.ldif"), ldif)?;
    let d = dir.display();
    let conf = format!(
        "include /etc/ldap/schema/core.schema\n\
         include /etc/ldap/schema/cosine.schema\n\
         include /etc/ldap/schema/inetorgperson.schema\n\
         include {d}/ad-like.schema\n\
         pidfile {d}/slapd.pid\n\
         modulepath /usr/lib/ldap\n\
         moduleload back_mdb\n\
         database mdb\n\
         maxsize 8589934592\n\
         suffix \"{BASE_DN}\"\n\
         rootdn \"CN=admin,{BASE_DN}\"\n\
         directory {d}/db\n\
         index objectClass eq\n\
         index sAMAccountName eq,sub\n\
         limits users size=unlimited\n\
         access to attrs=userPassword by anonymous auth by * none\n\
         access to * by users read by * none\n"
    );
    std::fs::write(dir.join("slapd.conf"), conf)?;
    let out = Command::new("/usr/sbin/slapadd")
        .arg("-q")
        .arg("-f")
        .arg(dir.join("slapd.conf"))
        .arg("-l")
        .arg(dir.join("directory.ldif"))
        .output()
        .context("slapadd (apt-get install slapd ldap-utils)")?;
    if !out.status.success() {
        bail!("slapadd: {}", String::from_utf8_lossy(&out.stderr));
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let url = format!("ldap://127.0.0.1:{port}");
    let child = Command::new("/usr/sbin/slapd")
        .arg("-f")
        .arg(dir.join("slapd.conf"))
        .args(["-h", &format!("{url}/"), "-d", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("slapd")?;
    let slapd = Slapd(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            bail!("slapd did not listen within 20 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok((slapd, url))
}

fn timed(cmd: &mut Command, what: &str) -> anyhow::Result<f64> {
    Ok(timed_rss(cmd, what)?.0)
}

/// Wall seconds and peak RSS (MiB) of one run. The peak comes from GNU time, not from this
/// process's wait4: a child's peak RSS starts from its parent's at the fork (the kernel keeps
/// the high-water mark across exec), and this process has held a whole LDIF and listing.
fn timed_rss(cmd: &mut Command, what: &str) -> anyhow::Result<(f64, f64)> {
    let mut timed = Command::new("/usr/bin/time");
    timed
        .args(["-f", "%M"])
        .arg(cmd.get_program())
        .args(cmd.get_args());
    let started = Instant::now();
    let out = timed
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .context("/usr/bin/time (apt-get install time)")?;
    let took = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        bail!("{what} failed: {stderr}");
    }
    let kib: f64 = stderr
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .with_context(|| format!("{what}: no peak RSS from /usr/bin/time in: {stderr}"))?;
    Ok((took, kib / 1024.0))
}

fn stats(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let median = if v.len() % 2 == 1 {
        v[v.len() / 2]
    } else {
        (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0
    };
    (median, v[0], v[v.len() - 1])
}

/// The release artifacts: `CARGO_TARGET_DIR` or `target/`.
fn release_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from)
        .join("release")
}

pub(crate) fn bench_ldap(args: &[&String]) -> anyhow::Result<()> {
    let users: usize = arg(args, "--users", 20_000)?;
    let rounds: usize = arg(args, "--rounds", 5)?;
    let root = crate::codegen::workspace_root();
    for (package, target) in [
        ("emailprof-cli", ["--bin", "emailprof"]),
        ("emailprof-resolver-ldap", ["--lib", "--quiet"]),
    ] {
        // Two cargo runs: built together, features unify differently (see the plugin's
        // tests/it/batch.rs).
        let st = Command::new(env!("CARGO"))
            .current_dir(&root)
            .args(["build", "--release", "--locked", "-p", package])
            .args(target)
            .status()?;
        if !st.success() {
            bail!("cargo build --release -p {package} failed");
        }
    }
    let release = release_dir(&root);
    let bin = release.join("emailprof");
    // A fresh scratch directory beside the build (not /tmp: may be small).
    let dir = &release.with_file_name("bench-ldap");
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    // The plugin loader refuses a library others can write to; a private copy.
    let plugin_dir = dir.join("plugin");
    std::fs::create_dir(&plugin_dir)?;
    let plugin = plugin_dir.join("libemailprof_resolver_ldap.so");
    std::fs::copy(release.join("libemailprof_resolver_ldap.so"), &plugin)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&plugin_dir, std::fs::Permissions::from_mode(0o755))?;
        std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755))?;
    }
    eprintln!("loading {users} users into slapd");
    let (_slapd, url) = start_slapd(&root, &dir.join("slapd"), users)?;
    std::fs::write(dir.join("profile.yaml"), PROFILE)?;
    std::fs::write(dir.join("password"), format!("{PASSWORD}\n"))?;
    std::fs::write(
        dir.join("resolver.json"),
        serde_json::json!({
            "url": url,
            "base_dn": BASE_DN,
            "bind_dn": BIND_DN,
            "bind_password_file": dir.join("password"),
            "allow_plaintext_bind": true,
            "users": {"filter": FILTER, "page_size": 500},
        })
        .to_string(),
    )?;
    let ids: Vec<String> = (0..users).map(|i| format!("bu{i:06}")).collect();
    std::fs::write(dir.join("users.txt"), ids.join("\n") + "\n")?;
    let mut csv = String::from(
        "userId,userPrincipalName,primarySmtpAddress,sAMAccountName,domainFqdn,netbiosName\n",
    );
    for i in 0..users {
        let (fqdn, netbios) = if i % 10 == 7 {
            ("emea.contoso.com", "CONTOSO-EMEA")
        } else {
            ("contoso.com", "CONTOSO")
        };
        csv.push_str(&format!(
            "bu{i:06},bu{i:06}@contoso.com,Bench.User{i:06}@contoso.com,bu{i:06},{fqdn},{netbios}\n"
        ));
    }
    std::fs::write(dir.join("users.csv"), csv)?;
    drop(ids);
    let scratch = match args.iter().position(|a| *a == "--scratch") {
        Some(i) => PathBuf::from(args.get(i + 1).context("--scratch DIR")?.as_str()),
        None if Path::new("/dev/shm").is_dir() => PathBuf::from("/dev/shm"),
        None => dir.to_path_buf(),
    };
    let output = scratch.join(format!("emailprof-bench-ldap-{}.jsonl", std::process::id()));

    let ldapsearch = || {
        let mut cmd = Command::new("ldapsearch");
        cmd.args(["-x", "-LLL", "-H", &url, "-D", BIND_DN, "-w", PASSWORD])
            .args(["-E", "pr=500/noprompt", "-b", BASE_DN, FILTER])
            .args(ATTRIBUTES);
        cmd
    };
    let batch = |list: bool| {
        let mut cmd = Command::new(&bin);
        cmd.arg("batch")
            .arg(dir.join("profile.yaml"))
            .args(["--platforms", "ios", "--quiet", "--resolver"])
            .arg(&plugin)
            .arg("--resolver-config")
            .arg(dir.join("resolver.json"))
            .arg("--jsonl")
            .arg(&output);
        if list {
            cmd.arg("--users").arg(dir.join("users.txt"));
        }
        cmd
    };
    let csv_batch = || {
        let mut cmd = Command::new(&bin);
        cmd.arg("batch")
            .arg(dir.join("profile.yaml"))
            .args(["--platforms", "ios", "--quiet", "--directory"])
            .arg(dir.join("users.csv"))
            .arg("--jsonl")
            .arg(&output);
        cmd
    };
    // Warm the server's caches and check that each command works.
    let out = ldapsearch().output()?;
    let entries = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("dn:"))
        .count();
    drop(out);
    if entries != users {
        bail!("ldapsearch found {entries} users, not {users}");
    }
    timed(&mut batch(false), "the listing batch")?;
    timed(&mut batch(true), "the --users batch")?;

    let (mut bound, mut listing, mut listed, mut csv) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // Peak RSS of each batch command over the rounds.
    let mut rss = [0f64; 3];
    let mut run = |cmd: &mut Command, what: &str, i: usize| -> anyhow::Result<f64> {
        let (seconds, mib) = timed_rss(cmd, what)?;
        rss[i] = rss[i].max(mib);
        Ok(seconds)
    };
    for round in 0..rounds {
        bound.push(timed(&mut ldapsearch(), "ldapsearch")?);
        listing.push(run(&mut batch(false), "the listing batch", 0)?);
        listed.push(run(&mut batch(true), "the --users batch", 1)?);
        csv.push(run(&mut csv_batch(), "the CSV batch", 2)?);
        eprintln!(
            "round {}: ldapsearch {:.3} s, listing {:.3} s, --users {:.3} s, CSV {:.3} s",
            round + 1,
            bound[round],
            listing[round],
            listed[round],
            csv[round]
        );
    }
    let _ = std::fs::remove_file(&output);
    let _ = std::fs::remove_file(format!("{}.report.json", output.display()));
    // Under load the rounds differ more than the commands do: the ratio within each round
    // (same minute, same load) is the steadier figure.
    let per_round =
        |runs: &[f64]| -> Vec<f64> { runs.iter().zip(&bound).map(|(r, b)| r / b).collect() };
    let ratios = [per_round(&listing), per_round(&listed), per_round(&csv)];
    let (b, bmin, bmax) = stats(bound.clone());
    println!("{users} users, {rounds} rounds (median [min, max]):");
    println!("  paged ldapsearch (bound)   {b:.3} s [{bmin:.3}, {bmax:.3}]");
    for (((what, runs), ratios), mib) in [
        ("listing batch", listing),
        ("--users batch", listed),
        ("CSV batch (no server)", csv),
    ]
    .into_iter()
    .zip(ratios)
    .zip(rss)
    {
        let (m, min, max) = stats(runs);
        let (r, rmin, rmax) = stats(ratios);
        println!(
            "  {what:<26} {m:.3} s [{min:.3}, {max:.3}]  {:.2}x the median bound; per round {r:.2}x [{rmin:.2}, {rmax:.2}]; peak RSS {mib:.1} MiB",
            m / b
        );
    }
    Ok(())
}
