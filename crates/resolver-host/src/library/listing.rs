//! Listing the users of an in-process plugin (ABI 1.1): `list_open`, then `list_next` until a
//! batch says `done`, then `list_close`, all under the state's lock; the cursor is closed
//! before the state is shut down.

use std::ffi::{CString, c_char, c_void};

use resolver_abi::{ListBatch, ListRequest, rc};

use super::{LibraryResolver, ListFns, Reply, State};
use crate::HostError;

impl LibraryResolver {
    /// Every user the plugin lists, batch by batch (ABI 1.1). The listing owns the resolver,
    /// which is shut down when the listing is dropped. [`HostError::CannotList`] when the
    /// plugin has no listing functions or says it cannot list.
    pub fn list_users(self) -> Result<crate::UserBatches, HostError> {
        let Some(fns) = self.plugin.list else {
            return Err(HostError::CannotList {
                plugin: self.plugin.name(),
            });
        };
        let request =
            serde_json::to_string(&ListRequest::new()).map_err(|e| HostError::BadJson {
                plugin: self.plugin.name(),
                context: "list request",
                message: e.to_string(),
            })?;
        let request = CString::new(request).map_err(|_| HostError::Protocol {
            plugin: self.plugin.name(),
            message: "the list request contains a NUL character".to_owned(),
        })?;
        let mut cursor: *mut c_void = std::ptr::null_mut();
        let mut err: *mut c_char = std::ptr::null_mut();
        let code = {
            let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            // SAFETY: the state is live and ours under the lock; the pointers are valid for
            // the call.
            unsafe { (fns.open)(state.0, request.as_ptr(), &mut cursor, &mut err) }
        };
        let reply = Reply {
            code,
            text: self.plugin.take_string(err),
        };
        if code == rc::UNSUPPORTED {
            return Err(HostError::CannotList {
                plugin: self.plugin.name(),
            });
        }
        if code != rc::OK {
            return Err(self.plugin.call_error(reply, "list"));
        }
        if cursor.is_null() {
            return Err(HostError::Protocol {
                plugin: self.plugin.name(),
                message: "list_open succeeded but returned no cursor".to_owned(),
            });
        }
        Ok(Box::new(LibraryListing {
            fns,
            cursor: State(cursor),
            resolver: self,
        }))
    }
}

/// An open listing of an in-process plugin; closes its cursor when done or dropped, before
/// the resolver (and so the state) goes.
struct LibraryListing {
    fns: ListFns,
    /// Null once closed.
    cursor: State,
    resolver: LibraryResolver,
}

impl LibraryListing {
    fn close(&mut self) {
        if !self.cursor.0.is_null() {
            let _state = self
                .resolver
                .state
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            // SAFETY: the cursor came from this plugin's list_open and is closed once.
            unsafe { (self.fns.close)(self.cursor.0) };
            self.cursor.0 = std::ptr::null_mut();
        }
    }

    fn fetch(&mut self) -> Result<ListBatch, HostError> {
        let plugin = &self.resolver.plugin;
        let mut out: *mut c_char = std::ptr::null_mut();
        let code = {
            let _state = self
                .resolver
                .state
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            // SAFETY: the cursor is open (checked by the caller) and calls are serialized.
            unsafe { (self.fns.next)(self.cursor.0, &mut out) }
        };
        let reply = Reply {
            code,
            text: plugin.take_string(out),
        };
        if code != rc::OK {
            return Err(plugin.call_error(reply, "list_next"));
        }
        serde_json::from_str(reply.text.as_deref().unwrap_or_default()).map_err(|e| {
            HostError::BadJson {
                plugin: plugin.name(),
                context: "list batch",
                message: e.to_string(),
            }
        })
    }
}

impl Iterator for LibraryListing {
    type Item = Result<Vec<resolver_sdk::ListedUser>, HostError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.cursor.0.is_null() {
            match self.fetch() {
                Ok(batch) => {
                    if batch.done {
                        self.close();
                    }
                    if batch.users.is_empty() {
                        continue;
                    }
                    return Some(Ok(crate::listed(batch.users)));
                }
                Err(e) => {
                    self.close();
                    return Some(Err(e));
                }
            }
        }
        None
    }
}

impl Drop for LibraryListing {
    fn drop(&mut self) {
        self.close();
    }
}
