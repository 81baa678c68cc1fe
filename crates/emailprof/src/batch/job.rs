//! One user's work in a batch: resolve the identity once, emit every platform, sign, and
//! write or serialize each artifact.

use std::collections::HashMap;
use std::path::PathBuf;

use emailprof_core::Severity;
use emailprof_core::attributes::DirectoryAttributes;

use super::naming::{extension, mix, safe_file_stem};
use super::sink::{Form, push_tar_entry, write_atomic};
use crate::sign::Signer;

/// One file written for one user on one platform, for the manifest.
pub(crate) struct Written {
    pub(crate) user: String,
    pub(crate) platform: &'static str,
    pub(crate) rel: String,
    pub(crate) len: usize,
    pub(crate) key: u64,
}

pub(crate) enum Outcome {
    /// A file on disk (one file per user), for the manifest.
    Written(Written),
    /// An entry appended to the chunk's archive or JSON lines bytes.
    Streamed,
    /// Skipped as complete; the hash of the file's path (it is still current).
    Unchanged(u64),
    /// What the emissions of a chunk of users said about their artifacts (warnings and
    /// notes), counted by the worker.
    Tally(Vec<super::DiagnosticCount>),
    Failed {
        user: String,
        platform: Option<String>,
        reason: String,
    },
}

pub(crate) struct Job<'a> {
    pub(crate) platforms: Vec<(&'static str, Box<dyn emailprof_core::PreparedEmitter + 'a>)>,
    pub(crate) account: &'a emailprof_core::model::Account,
    pub(crate) identifier: &'a str,
    pub(crate) profile_hash: u64,
    pub(crate) signer: Option<&'a Signer>,
    /// Outputs the manifest records as complete: input key to the hash of the file's path.
    pub(crate) done: HashMap<u64, u64>,
    pub(crate) dir: Option<PathBuf>,
    pub(crate) form: Form,
    pub(crate) sensitive: bool,
    /// Warnings fail the user (nothing of theirs is written).
    pub(crate) strict: bool,
}

impl Job<'_> {
    pub(crate) fn failed(user: &str, platform: Option<&str>, reason: String) -> Outcome {
        Outcome::Failed {
            user: user.to_owned(),
            platform: platform.map(str::to_owned),
            reason,
        }
    }

    /// Emit every platform for one user: outcomes go to `out`, archive entries or JSON lines
    /// to `stream`.
    pub(crate) fn process(
        &self,
        attrs: DirectoryAttributes,
        out: &mut Vec<Outcome>,
        stream: &mut Vec<u8>,
        tallied: &mut Vec<super::DiagnosticCount>,
    ) {
        let user_id = attrs.user_id.as_str();
        let identity = match crate::users::identity(self.account, &attrs) {
            Ok(i) => i,
            Err(e) => return out.push(Self::failed(user_id, None, e)),
        };
        // A value no device could use fails this user; the others go on.
        if let Err(why) = identity.check_values(self.account) {
            return out.push(Self::failed(user_id, None, why));
        }
        // The manifest key (inputs of one output) is only needed for files.
        let attrs_json = if self.form == Form::Files {
            serde_json::to_vec(&attrs).unwrap_or_default()
        } else {
            Vec::new()
        };
        let stem = safe_file_stem(user_id);
        for (platform, prepared) in &self.platforms {
            let key = if self.form == Form::Files {
                mix(&[
                    &self.profile_hash.to_le_bytes(),
                    platform.as_bytes(),
                    user_id.as_bytes(),
                    &attrs_json,
                ])
            } else {
                0
            };
            if let Some(rel_hash) = self.done.get(&key) {
                out.push(Outcome::Unchanged(*rel_hash));
                continue;
            }
            let emission = match prepared.emit_user(&identity) {
                Ok(em) => em,
                Err(err) => {
                    out.push(Self::failed(user_id, Some(platform), err.to_string()));
                    continue;
                }
            };
            if let Some(d) = emission
                .diagnostics
                .iter()
                .find(|d| d.severity == Severity::Error)
            {
                out.push(Self::failed(user_id, Some(platform), d.to_string()));
                continue;
            }
            if self.strict
                && let Some(d) = emission
                    .diagnostics
                    .iter()
                    .find(|d| d.severity == Severity::Warning)
            {
                out.push(Self::failed(
                    user_id,
                    Some(platform),
                    format!("--strict: warning: {d}"),
                ));
                continue;
            }
            tally(tallied, user_id, emission.diagnostics);
            for a in emission.artifacts {
                let rel = format!("{platform}/{stem}.{}", extension(self.identifier, &a));
                let signer = self.signer.filter(|s| s.applies_to(&a));
                let mut bytes = a.bytes;
                if let Some(s) = signer {
                    match s.sign(&bytes) {
                        Ok(signed) => bytes = signed,
                        Err(err) => {
                            out.push(Self::failed(
                                user_id,
                                Some(platform),
                                format!("signing: {err:#}"),
                            ));
                            continue;
                        }
                    }
                }
                match self.form {
                    Form::Files => {
                        // Files are written by the worker itself: parallel I/O. Atomic (temp
                        // file + rename); durability comes from one syncfs at the end, not a
                        // fsync per file.
                        if let Some(dir) = &self.dir
                            && let Err(err) =
                                write_atomic(&dir.join(&rel), &bytes, self.sensitive, false)
                        {
                            out.push(Self::failed(user_id, Some(platform), format!("{err:#}")));
                            continue;
                        }
                        out.push(Outcome::Written(Written {
                            user: user_id.to_owned(),
                            platform,
                            len: bytes.len(),
                            rel,
                            key,
                        }));
                    }
                    Form::Archive => {
                        if let Err(err) = push_tar_entry(stream, &rel, &bytes, self.sensitive) {
                            out.push(Self::failed(user_id, Some(platform), err.to_string()));
                            continue;
                        }
                        out.push(Outcome::Streamed);
                    }
                    Form::Jsonl => {
                        super::jsonl::push_record(stream, user_id, platform, &rel, &bytes);
                        out.push(Outcome::Streamed);
                    }
                }
            }
        }
    }
}

/// Count `said` about `user` into the chunk's tally: a few distinct diagnostics, compared in
/// place (no allocation once a diagnostic is known; the first users' ids only).
fn tally(
    tallied: &mut Vec<super::DiagnosticCount>,
    user: &str,
    said: Vec<emailprof_core::Diagnostic>,
) {
    for d in said {
        let known = tallied.iter_mut().find(|c| {
            c.severity == d.severity && c.setting == d.setting && c.platform == d.platform
        });
        let c = match known {
            Some(c) => c,
            None => {
                tallied.push(super::DiagnosticCount {
                    platform: d.platform,
                    setting: d.setting,
                    severity: d.severity,
                    message: d.message,
                    users: 0,
                    first_users: Vec::new(),
                });
                let last = tallied.len() - 1;
                &mut tallied[last]
            }
        };
        c.users += 1;
        if c.first_users.len() < super::FIRST_USERS {
            c.first_users.push(user.to_owned());
        }
    }
}
