//! The library's error: what went wrong, said for a person, and whether it is the caller's
//! input (a bad profile, a missing file, an unknown platform) or a failure while running. The
//! CLI maps the first to exit code 2; the library decides no exit codes.

use std::fmt;

/// Whose fault an error is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad input or usage: the caller can fix it by changing what it asked for.
    Invalid,
    /// Something failed while running (I/O, a plugin, signing).
    Failed,
}

/// An error with its kind, a message, and the error that caused it (shown after the message,
/// separated by `: `, as `{:#}` or an error-chain printer does).
pub struct Error {
    kind: ErrorKind,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Bad input or usage.
    pub fn invalid(message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Invalid,
            message: message.into(),
            source: None,
        }
    }

    /// A failure while running, with no underlying error.
    pub fn failed(message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Failed,
            message: message.into(),
            source: None,
        }
    }

    /// A failure caused by `source`, described by `message`.
    /// When `source` is itself an [`Error`], its kind is kept.
    pub fn caused(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        let source: Box<dyn std::error::Error + Send + Sync> = Box::new(source);
        Error {
            kind: source
                .downcast_ref::<Error>()
                .map_or(ErrorKind::Failed, |e| e.kind),
            message: message.into(),
            source: Some(source),
        }
    }

    /// `source` itself, as a failure (its message is the error's).
    pub fn from_source(source: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error {
            kind: ErrorKind::Failed,
            message: source.to_string(),
            source: source.source().map(|s| Box::new(Chained::of(s)) as _),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn is_invalid(&self) -> bool {
        self.kind == ErrorKind::Invalid
    }

    /// The same error under a further message (`message: error`), keeping its kind.
    pub fn context(self, message: impl Into<String>) -> Error {
        Error {
            kind: self.kind,
            message: message.into(),
            source: Some(Box::new(self)),
        }
    }

    /// The whole chain in one line: `message: cause: cause`.
    pub fn chain_text(&self) -> String {
        let mut text = self.message.clone();
        let mut next = std::error::Error::source(self);
        while let Some(e) = next {
            text.push_str(": ");
            text.push_str(&e.to_string());
            next = e.source();
        }
        text
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            f.write_str(&self.chain_text())
        } else {
            f.write_str(&self.message)
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.chain_text())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}

/// A source error's text, kept when the original cannot be moved.
#[derive(Debug)]
struct Chained(String);

impl Chained {
    fn of(e: &dyn std::error::Error) -> Chained {
        let mut text = e.to_string();
        let mut next = e.source();
        while let Some(s) = next {
            text.push_str(": ");
            text.push_str(&s.to_string());
            next = s.source();
        }
        Chained(text)
    }
}

impl fmt::Display for Chained {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Chained {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error {
            kind: ErrorKind::Failed,
            message: e.to_string(),
            source: None,
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Error {
        Error::failed(e.to_string())
    }
}

/// `.context(..)` on results, as on [`Error`]: a failure described by the message, caused by
/// the original error.
pub trait Context<T> {
    fn context(self, message: impl Into<String>) -> Result<T>;
    fn with_context<M: Into<String>>(self, message: impl FnOnce() -> M) -> Result<T>;
}

impl<T, E: std::error::Error + Send + Sync + 'static> Context<T> for std::result::Result<T, E> {
    fn context(self, message: impl Into<String>) -> Result<T> {
        self.map_err(|e| Error::caused(message, e))
    }
    fn with_context<M: Into<String>>(self, message: impl FnOnce() -> M) -> Result<T> {
        self.map_err(|e| Error::caused(message(), e))
    }
}

/// Return early with an [`ErrorKind::Invalid`] error.
macro_rules! invalid {
    ($($t:tt)*) => { return Err($crate::Error::invalid(format!($($t)*))) };
}
pub(crate) use invalid;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_keeps_the_kind_and_chains_the_messages() {
        let e = Error::invalid("variable X is not set").context("--include-password");
        assert!(e.is_invalid());
        assert_eq!(e.to_string(), "--include-password");
        assert_eq!(
            format!("{e:#}"),
            "--include-password: variable X is not set"
        );
        let io: std::result::Result<(), _> =
            Err(std::io::Error::new(std::io::ErrorKind::NotFound, "gone"));
        let e = io.context("reading m").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Failed);
        assert_eq!(e.chain_text(), "reading m: gone");
        let inner: Result<()> = Err(Error::invalid("bad"));
        assert!(inner.context("outer").unwrap_err().is_invalid());
    }
}
