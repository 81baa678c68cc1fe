//! Shell completions and man pages, rendered from the command-line definition in `cli.rs`.
//! `emailprof completions` and `emailprof man` print them; `cargo xtask completions`, `man` and
//! `dist-assets` write the same bytes to files for packages.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::{CompletionsArgs, ManArgs};
pub use clap_complete::Shell;

/// The shells `emailprof completions` knows, in the order packages list them.
pub const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::PowerShell,
    Shell::Elvish,
];

/// The completion script for `shell`.
pub fn write_completions(shell: Shell, out: &mut dyn Write) {
    let mut cmd = crate::cli::Cli::command();
    clap_complete::generate(shell, &mut cmd, "emailprof", out);
}

/// The file name each shell's completion loader looks for (what `clap_complete::generate_to`
/// names it).
pub fn completion_file_name(shell: Shell) -> String {
    use clap_complete::Generator;
    shell.file_name("emailprof")
}

/// One man page: its file name (`emailprof-emit.1`) and roff source.
#[derive(Debug)]
pub struct ManPage {
    /// The subcommand path below `emailprof` (empty for the main page).
    pub subcommand: Vec<String>,
    pub file_name: String,
    pub roff: Vec<u8>,
}

/// The main page and one per visible subcommand, nested ones included.
pub fn man_pages() -> std::io::Result<Vec<ManPage>> {
    fn walk(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<ManPage>) -> std::io::Result<()> {
        // The footer names the program and its version, not the subcommand (`intune 0.1.0`).
        let man = clap_mangen::Man::new(cmd.clone())
            .source(format!("emailprof {}", env!("EMAILPROF_VERSION")));
        let mut roff = Vec::new();
        man.render(&mut roff)?;
        out.push(ManPage {
            subcommand: path.clone(),
            file_name: man.get_filename(),
            roff,
        });
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let mut sub_path = path.clone();
            sub_path.push(sub.get_name().to_owned());
            walk(sub, sub_path, out)?;
        }
        Ok(())
    }
    // Built once so that subcommands carry their display names (`emailprof-emit`) and the
    // propagated version; no `help` subcommand page. Main page first, then in command-line
    // order.
    let mut cmd = crate::cli::Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    walk(&cmd, Vec::new(), &mut pages)?;
    Ok(pages)
}

pub(crate) fn completions(args: CompletionsArgs) -> anyhow::Result<u8> {
    let mut out = Vec::new();
    write_completions(args.shell, &mut out);
    std::io::stdout().lock().write_all(&out)?;
    Ok(crate::exit::OK)
}

pub(crate) fn man(args: ManArgs) -> anyhow::Result<u8> {
    let pages = man_pages()?;
    let Some(page) = pages.iter().find(|p| p.subcommand == args.subcommand) else {
        let known: Vec<String> = pages
            .iter()
            .filter(|p| !p.subcommand.is_empty())
            .map(|p| p.subcommand.join(" "))
            .collect();
        crate::invalid!(
            "no man page for `{}`; pages exist for: {}",
            args.subcommand.join(" "),
            known.join(", ")
        );
    };
    std::io::stdout().lock().write_all(&page.roff)?;
    Ok(crate::exit::OK)
}
