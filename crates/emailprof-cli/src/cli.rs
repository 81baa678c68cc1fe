//! The command line: one definition of every subcommand and flag, which also feeds the help,
//! the man pages and the shell completions (`emailprof completions`, `emailprof man`; `cargo xtask
//! dist-assets` writes them to files).

use std::net::SocketAddr;
use std::path::PathBuf;

use emailprof::batch::Shard;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Turn one declarative email profile into the native configuration each platform installs.
#[derive(Debug, Parser)]
#[command(
    name = "emailprof",
    // `0.1.0 (abc1234)` from a checkout; see build.rs.
    version = env!("EMAILPROF_VERSION"),
    propagate_version = true,
    after_help = "Exit codes: 0 success (every output is what was asked), 1 runtime failure (batch: a user failed, --strict: or was warned about), 2 invalid input or usage (nothing written), 3 `diff` found differences, 130 interrupted (batch to --out: the files written are complete, run again with --resume; archive or JSON lines: nothing written). See docs/batch.md."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// More log output on stderr (-v debug, -vv trace); `RUST_LOG` overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Machine-readable diagnostics: one JSON object per line on stderr.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check profiles: schema, semantic rules, the certificate files named; every problem.
    Validate(ValidateArgs),
    /// Print the profile's JSON Schema (draft 2020-12).
    Schema(SchemaArgs),
    /// Emit the native configuration of one platform for one user.
    Emit(EmitArgs),
    /// List the platforms and what each can express (the capability matrix).
    Platforms(PlatformsArgs),
    /// Compare two profiles (certificate files by content) or two artifacts, and say what
    /// devices receive differently; `--json` prints the report as JSON on stdout.
    Diff(DiffArgs),
    /// Read existing profiles in (Intune Graph JSON, `.mobileconfig`).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write a profile in another tool's format (Intune Graph JSON).
    #[command(subcommand)]
    Export(ExportCommand),
    /// Emit every platform for every user of a directory, in parallel.
    Batch(BatchArgs),
    /// Resolver plugins: show one's identity.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Serve the profile form and an emit endpoint on loopback.
    Serve(ServeArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Print the man page (roff); `emailprof man emit` prints a subcommand's page.
    Man(ManArgs),
}

/// How the input file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    Yaml,
    Json,
    Toml,
}

impl From<InputFormat> for emailprof_core::Format {
    fn from(f: InputFormat) -> Self {
        match f {
            InputFormat::Yaml => emailprof_core::Format::Yaml,
            InputFormat::Json => emailprof_core::Format::Json,
            InputFormat::Toml => emailprof_core::Format::Toml,
        }
    }
}

#[derive(Debug, Args)]
pub struct ProfileInput {
    /// Input format; by default taken from the file extension (YAML for stdin).
    #[arg(long, value_enum)]
    pub format: Option<InputFormat>,

    /// Accept `inline` secrets in the profile (refused by default).
    #[arg(long)]
    pub allow_inline_secrets: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Profile files (YAML, JSON or TOML); `-` reads stdin.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,

    #[command(flatten)]
    pub input: ProfileInput,

    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Write the schema to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct UserSource {
    /// The user to emit for: their id in the directory.
    #[arg(long, value_name = "ID")]
    pub user: Option<String>,

    /// Directory export (CSV, JSON or LDIF) holding the users' attributes. One of --directory,
    /// --resolver and --placeholders is required: emailprof never guesses the users.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["resolver", "placeholders"])]
    pub directory: Option<PathBuf>,

    /// A domain's NetBIOS name, FQDN=NAME (repeatable), where the directory has none (Entra ID).
    #[arg(long, value_name = "FQDN=NAME", conflicts_with_all = ["resolver", "placeholders"])]
    pub netbios: Vec<String>,

    /// Emit once with this MDM's own per-user variables in place of the values.
    #[arg(long, value_enum, value_name = "MDM", conflicts_with_all = ["user", "resolver"])]
    pub placeholders: Option<PlaceholderMdm>,

    #[command(flatten)]
    pub plugin: PluginArgs,
}

/// How to reach a resolver plugin.
#[derive(Debug, Default, Args)]
pub struct PluginArgs {
    /// A resolver plugin library (cdylib), by explicit path; never searched for.
    #[arg(long, value_name = "PLUGIN")]
    pub resolver: Option<PathBuf>,

    /// The plugin's configuration (JSON, YAML or TOML), e.g. the LDAP URL and base DN.
    #[arg(long, value_name = "FILE", requires = "resolver")]
    pub resolver_config: Option<PathBuf>,

    /// Run the plugin in a child process: a crash or a hang fails only the users it was
    /// resolving, not emailprof.
    #[arg(long, requires = "resolver")]
    pub resolver_process: bool,

    /// With --resolver-process: seconds to wait for the plugin's answer.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 30,
        requires = "resolver_process"
    )]
    pub resolver_timeout: u64,

    /// Load a plugin even though its file or directory is writable by others.
    #[arg(long)]
    pub allow_insecure_plugin: bool,
}

/// MDMs whose per-user variables `--placeholders` can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlaceholderMdm {
    Intune,
    Jamf,
    WorkspaceOne,
    Kandji,
    Google,
}

#[derive(Debug, Args)]
pub struct EmitArgs {
    /// The profile file; `-` reads stdin.
    #[arg(value_name = "PROFILE")]
    pub profile: String,

    /// Target platform (see `emailprof platforms`). `windows` writes the SyncML body an MDM wraps
    /// in its own message: `<SyncBody>` only, no `<SyncHdr>` (that is session-specific).
    #[arg(long, short = 'p', value_name = "PLATFORM")]
    pub platform: String,

    #[command(flatten)]
    pub users: UserSource,

    #[command(flatten)]
    pub input: ProfileInput,

    /// Output file (a directory when the platform writes several files); default stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Oldest OS version to target (iOS: default from the profile, else 13.0).
    #[arg(long, value_name = "VERSION")]
    pub min_os: Option<String>,

    /// Write the account password (and PKCS#12 passphrases, which must open their files) into
    /// the artifact. The artifact is then readable by anyone who gets the file.
    #[arg(long)]
    pub include_password: bool,

    /// Update an account provisioned earlier (Windows: `Replace` commands).
    #[arg(long, conflicts_with = "remove")]
    pub replace: bool,

    /// Remove the account (Windows: `Delete` of the account node).
    #[arg(long)]
    pub remove: bool,

    /// Platform-specific output form (Windows: `syncml`, the body without `SyncHdr`, or
    /// `intune-custom`, OMA-URI settings).
    #[arg(long, value_name = "FORM")]
    pub form: Option<String>,

    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,

    #[command(flatten)]
    pub signing: SigningArgs,
}

#[derive(Debug, Args)]
pub struct PlatformsArgs {
    /// Print the full capability matrix (one row per setting) instead of the platform list.
    #[arg(long)]
    pub matrix: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The profile (or artifact: .mobileconfig, SyncML, JSON) as deployed now.
    #[arg(value_name = "OLD")]
    pub old: String,

    /// The changed profile (or artifact of the same kind).
    #[arg(value_name = "NEW")]
    pub new: String,

    /// Judge the impact on this platform only.
    #[arg(long, short = 'p', value_name = "PLATFORM")]
    pub platform: Option<String>,

    #[command(flatten)]
    pub input: ProfileInput,
}

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Print a plugin's name, version and ABI.
    Info {
        /// The plugin library, by explicit path.
        #[arg(value_name = "PATH")]
        path: PathBuf,
        /// Load a plugin even though its file or directory is writable by others.
        #[arg(long)]
        allow_insecure_plugin: bool,
    },
    /// Host a plugin library on stdin/stdout (what --resolver-process runs).
    #[command(hide = true)]
    Serve {
        #[arg(value_name = "PATH")]
        path: PathBuf,
        #[arg(long)]
        allow_insecure_plugin: bool,
    },
}

/// `--min-os`, parsed once for every subcommand that takes it.
pub(crate) fn min_os(value: Option<&str>) -> anyhow::Result<Option<emailprof_core::OsVersion>> {
    match value {
        Some(v) => match emailprof_core::OsVersion::parse(v) {
            Some(v) => Ok(Some(v)),
            None => crate::invalid!("--min-os `{v}` is not a version like 13.0 or 15.4.1"),
        },
        None => Ok(None),
    }
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Microsoft Graph (Intune) email profile JSON: one object, `{"value": ...}` or an array.
    Intune(ImportArgs),
    /// An existing Exchange ActiveSync `.mobileconfig` (XML or binary plist, signed or not).
    Mobileconfig(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file to import; `-` reads stdin.
    #[arg(value_name = "FILE")]
    pub file: String,

    /// Where to write the profile (a directory when the input holds several); default stdout.
    #[arg(long, short = 'o', value_name = "PATH")]
    pub out: Option<PathBuf>,

    /// Syntax of the written profile.
    #[arg(long, value_enum, default_value_t = OutputFormat::Yaml)]
    pub to: OutputFormat,

    /// Write the profile without each value that is out of range or of the wrong type, with a
    /// warning naming it, instead of refusing the import (`.mobileconfig` only).
    #[arg(long)]
    pub lenient: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Yaml,
    Json,
    Toml,
}

impl OutputFormat {
    pub(crate) fn format(self) -> emailprof_core::Format {
        match self {
            OutputFormat::Yaml => emailprof_core::Format::Yaml,
            OutputFormat::Json => emailprof_core::Format::Json,
            OutputFormat::Toml => emailprof_core::Format::Toml,
        }
    }
    pub(crate) fn extension(self) -> &'static str {
        match self {
            OutputFormat::Yaml => "yaml",
            OutputFormat::Json => "json",
            OutputFormat::Toml => "toml",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The Microsoft Graph JSON Intune accepts for one platform's email profile type.
    Intune(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The profile file; `-` reads stdin.
    #[arg(value_name = "PROFILE")]
    pub profile: String,

    /// The device app, with `emit`'s platform ids (also windows-phone, android-nine).
    #[arg(
        long,
        short = 'p',
        value_name = "PLATFORM",
        required_unless_present = "graph_type"
    )]
    pub platform: Option<String>,

    /// Graph's type, where a platform has several (e.g. androidWorkProfileGmailEasConfiguration,
    /// androidForWorkGmailEasConfiguration, windows10CustomConfiguration).
    #[arg(long, value_name = "TYPE")]
    pub graph_type: Option<String>,

    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,

    #[command(flatten)]
    pub input: ProfileInput,
}

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The profile file.
    #[arg(value_name = "PROFILE")]
    pub profile: String,

    /// Platforms to emit, comma-separated (see `emailprof platforms`).
    #[arg(long, value_delimiter = ',', required = true, value_name = "P1,P2,...")]
    pub platforms: Vec<String>,

    /// Directory export (CSV, JSON or LDIF); this or --resolver is required.
    #[arg(long, value_name = "FILE", conflicts_with = "resolver")]
    pub directory: Option<PathBuf>,

    /// A domain's NetBIOS name, FQDN=NAME (repeatable), where the directory has none (Entra ID).
    #[arg(long, value_name = "FQDN=NAME", conflicts_with = "resolver")]
    pub netbios: Vec<String>,

    /// With --resolver: the user ids to emit for, one per line (`-` for stdin). Without it,
    /// the plugin lists its users (plugins that cannot list say so).
    #[arg(long, value_name = "FILE", requires = "resolver")]
    pub users: Option<PathBuf>,

    #[command(flatten)]
    pub plugin: PluginArgs,

    /// Output directory: one file per user and platform, `DIR/<platform>/<user>.<ext>`.
    #[arg(long, short = 'o', value_name = "DIR", required_unless_present_any = ["archive", "jsonl"], conflicts_with_all = ["archive", "jsonl"])]
    pub out: Option<PathBuf>,

    /// Write one tar archive instead of a file per user.
    #[arg(long, value_name = "FILE", conflicts_with = "jsonl")]
    pub archive: Option<PathBuf>,

    /// Write one JSON line per artifact instead of a file per user.
    #[arg(long, value_name = "FILE")]
    pub jsonl: Option<PathBuf>,

    /// Skip outputs the manifest records as complete with unchanged inputs (with --out).
    #[arg(long, requires = "out")]
    pub resume: bool,

    /// Remove the outputs of users no longer given (they are reported either way; --out).
    #[arg(long, requires = "out")]
    pub prune: bool,

    /// A user whose artifacts carry a warning counts as failed (exit 1), nothing of theirs
    /// written.
    #[arg(long)]
    pub strict: bool,

    /// Take only shard K of N (1-based): users whose FNV-1a-64 hash of the user id, modulo N,
    /// is K-1. Stable across runs and machines.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,

    /// Worker threads (default: the number of cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,

    /// No progress output.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Where to write the report of failed users (default: next to the output).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Oldest OS version to target.
    #[arg(long, value_name = "VERSION")]
    pub min_os: Option<String>,

    /// Write passwords and PKCS#12 passphrases (each must open its file) into the artifacts.
    #[arg(long)]
    pub include_password: bool,

    #[command(flatten)]
    pub signing: SigningArgs,

    #[command(flatten)]
    pub input: ProfileInput,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; loopback by default. Port 0 picks a free port (the URL is printed).
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: SocketAddr,

    /// Accept a non-loopback --addr. Whoever reaches the server (and has the printed access
    /// token) can then emit artifacts with it.
    #[arg(long)]
    pub allow_remote: bool,

    /// Directory export (CSV, JSON or LDIF) the `user` of an emit request is looked up in.
    /// Default: the built-in example directory (examples/directory.csv).
    #[arg(long, value_name = "FILE")]
    pub directory: Option<PathBuf>,

    /// A domain's NetBIOS name, FQDN=NAME (repeatable), for the directory's users that have
    /// none (a Microsoft Entra ID export never does).
    #[arg(long, value_name = "FQDN=NAME", requires = "directory")]
    pub netbios: Vec<String>,

    /// Let posted profiles name certificate files (PKCS#12, CA) below DIR: relative paths
    /// only, no symbolic links, and only files that are what the profile says. Default: no
    /// file is read.
    #[arg(long, value_name = "DIR")]
    pub allow_files: Option<PathBuf>,

    /// Open the form in the desktop's browser.
    #[arg(long)]
    pub open: bool,
}

#[derive(Debug, Args)]
pub struct SigningArgs {
    /// Sign iOS profiles with this certificate (PEM; further certificates in it count as chain).
    #[arg(long, value_name = "PEM", requires = "sign_key")]
    pub sign_cert: Option<PathBuf>,

    /// The signing certificate's private key (PEM: PKCS#8, encrypted PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "PEM", requires = "sign_cert")]
    pub sign_key: Option<PathBuf>,

    /// Intermediate certificates to include (PEM).
    #[arg(long, value_name = "PEM", requires = "sign_cert")]
    pub sign_chain: Option<PathBuf>,

    /// Environment variable holding the passphrase of an encrypted signing key.
    #[arg(long, value_name = "VAR", requires = "sign_key")]
    pub sign_key_passphrase_env: Option<String>,

    /// Signing time, RFC 3339 (default: now). Fixed, RSA signatures are reproducible (P-256
    /// signatures are randomized).
    #[arg(long, value_name = "TIME", requires = "sign_cert")]
    pub signing_time: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// A subcommand's page instead of the main one, e.g. `emit` or `import intune`.
    #[arg(value_name = "SUBCOMMAND")]
    pub subcommand: Vec<String>,
}
