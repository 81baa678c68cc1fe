//! Listing the users: one RFC 2696 simple paged search of `users.filter` under
//! `users.base_dn`, a page per batch, on a connection of its own (the paging cookie belongs to
//! the connection). Memory holds one page.
//!
//! `users.member_of` keeps the members of a group, nested groups included. Active Directory
//! does it in the filter with its in-chain matching rule (`LDAP_MATCHING_RULE_IN_CHAIN`),
//! used when the root DSE says the server is AD; other servers (OpenLDAP has no such rule, and
//! `memberOf` only with an overlay) get the group's `member` values expanded here through
//! nested groups, and entries outside them skipped: memory in proportion to the group.
//!
//! A listing never ends short without saying so: a size limit, a referral, continuation
//! references (unless skipped on purpose), a lost connection or a failed page end it with an
//! error, which fails the batch (`--resume` completes it).

use std::collections::{HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use emailprof_directory::dn;
use ldap3::controls::{ControlType, PagedResults};
use ldap3::{LdapConn, Scope, SearchEntry, ldap_escape};
use resolver_sdk::{ListedUser, ResolveError, UserBatches};

use crate::{Inner, first, present, values};

/// `LDAP_CAP_ACTIVE_DIRECTORY_OID` in the root DSE's `supportedCapabilities`.
const AD_CAPABILITY: &str = "1.2.840.113556.1.4.800";
/// `LDAP_MATCHING_RULE_IN_CHAIN`: membership through nested groups.
const IN_CHAIN: &str = "1.2.840.113556.1.4.1941";
const GROUP_FILTER: &str =
    "(|(objectClass=group)(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))";

/// Start a listing: connect, work out the group filter, and return the pages as batches.
pub(crate) fn open(inner: Arc<Inner>) -> Result<UserBatches, String> {
    let users = &inner.config.users;
    let base = users
        .base_dn
        .clone()
        .unwrap_or_else(|| inner.config.base_dn.clone());
    let mut filter = users
        .filter
        .clone()
        .unwrap_or_else(|| inner.config.user_filter.clone());
    let mut conn = inner.connect()?;
    let page_size = users.page_size.unwrap_or(crate::names::page_size());
    let members = match &users.member_of {
        None => None,
        Some(group) if is_active_directory(&inner, &mut conn)? => {
            filter = in_chain_filter(&filter, group);
            None
        }
        Some(group) => Some(expand_group(&inner, &mut conn, group, page_size)?),
    };
    let mut attrs = inner.attribute_list();
    let naming = inner.config.filter_attribute.clone();
    if !attrs.iter().any(|a| a.eq_ignore_ascii_case(&naming)) {
        attrs.push(naming);
    }
    let listing = Listing {
        inner,
        conn,
        pager: Pager {
            base,
            filter,
            attrs,
            page_size,
            cookie: Vec::new(),
            done: false,
        },
        members,
        listed: 0,
    };
    prefetched(listing)
}

/// The listing run one page ahead on its own thread, so the server's next page overlaps the
/// host's work on this one: at most three pages in memory (the one in use, one queued, one
/// being fetched). The thread ends when the listing does or the receiver is dropped. The end
/// is an explicit message: a thread that died (a panic) is an error, never a short listing.
fn prefetched(listing: Listing) -> Result<UserBatches, String> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Option<Result<Vec<ListedUser>, String>>>(1);
    std::thread::Builder::new()
        .name("ldap-listing".to_owned())
        .spawn(move || {
            let mut listing = listing;
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                for batch in listing.by_ref() {
                    let failed = batch.is_err();
                    if tx.send(Some(batch)).is_err() || failed {
                        return;
                    }
                }
                let _ = tx.send(None);
            }));
            if outcome.is_err() {
                let _ = tx.send(Some(Err("the listing thread panicked".to_owned())));
            }
        })
        .map_err(|e| format!("cannot start the listing thread: {e}"))?;
    let mut over = false;
    Ok(Box::new(std::iter::from_fn(move || {
        if over {
            return None;
        }
        match rx.recv() {
            Ok(Some(Ok(users))) => Some(Ok(users)),
            Ok(Some(Err(e))) => {
                over = true;
                Some(Err(e))
            }
            Ok(None) => {
                over = true;
                None
            }
            Err(_) => {
                over = true;
                Some(Err("the listing stopped before its end".to_owned()))
            }
        }
    })))
}

/// `filter` narrowed to the members of `group`, nested groups included, with AD's in-chain
/// matching rule. RFC 4515: the group DN is a value in the filter, never filter syntax.
fn in_chain_filter(filter: &str, group: &str) -> String {
    format!("(&{filter}(memberOf:{IN_CHAIN}:={}))", ldap_escape(group))
}

/// Whether the server is Active Directory (or AD LDS), from its root DSE.
fn is_active_directory(inner: &Inner, conn: &mut LdapConn) -> Result<bool, String> {
    conn.with_timeout(inner.timeout());
    let result = conn
        .search(
            "",
            Scope::Base,
            "(objectClass=*)",
            vec!["supportedCapabilities"],
        )
        .map_err(|e| format!("reading the root DSE of {}: {e}", inner.config.url))?;
    // A server that hides its root DSE is not taken for AD.
    let Ok((entries, _)) = result.success() else {
        return Ok(false);
    };
    Ok(entries
        .into_iter()
        .filter(|e| !e.is_ref())
        .map(SearchEntry::construct)
        .any(|e| {
            values(&e, "supportedCapabilities")
                .iter()
                .any(|c| c == AD_CAPABILITY)
        }))
}

fn key(dn_text: &str) -> String {
    dn::parse(dn_text)
        .map(|d| dn::key(&d))
        .unwrap_or_else(|_| dn_text.to_lowercase())
}

/// The DNs (as keys) of every member of `group`, through nested groups: every group under
/// the base DN with its `member` values, then a walk from `group`.
fn expand_group(
    inner: &Inner,
    conn: &mut LdapConn,
    group: &str,
    page_size: u32,
) -> Result<HashSet<String>, String> {
    let mut pager = Pager {
        base: inner.config.base_dn.clone(),
        filter: GROUP_FILTER.to_owned(),
        attrs: vec!["member".to_owned(), "uniqueMember".to_owned()],
        page_size,
        cookie: Vec::new(),
        done: false,
    };
    let mut groups: HashMap<String, Vec<String>> = HashMap::new();
    while !pager.done {
        for entry in pager.page(inner, conn, 0)? {
            let members = values(&entry, "member")
                .iter()
                .chain(values(&entry, "uniqueMember"))
                .map(|m| key(m))
                .collect();
            groups.insert(key(&entry.dn), members);
        }
    }
    let start = key(group);
    if !groups.contains_key(&start) {
        return Err(format!(
            "users.member_of: no group `{group}` under `{}` on {}",
            inner.config.base_dn, inner.config.url
        ));
    }
    let mut members = HashSet::new();
    let mut todo = vec![start];
    let mut seen = HashSet::new();
    while let Some(g) = todo.pop() {
        if !seen.insert(g.clone()) {
            continue;
        }
        for m in groups.get(&g).into_iter().flatten() {
            if groups.contains_key(m) {
                todo.push(m.clone());
            }
            members.insert(m.clone());
        }
    }
    Ok(members)
}

/// One paged search, a page at a time.
struct Pager {
    base: String,
    filter: String,
    attrs: Vec<String>,
    page_size: u32,
    cookie: Vec<u8>,
    done: bool,
}

impl Pager {
    /// The next page's entries; sets `done` after the last. `listed` (users so far) is for
    /// the messages.
    fn page(
        &mut self,
        inner: &Inner,
        conn: &mut LdapConn,
        listed: u64,
    ) -> Result<Vec<SearchEntry>, String> {
        let url = &inner.config.url;
        let control = PagedResults {
            size: i32::try_from(self.page_size).unwrap_or(i32::MAX),
            cookie: std::mem::take(&mut self.cookie),
        };
        conn.with_timeout(inner.timeout());
        // A raw stream, not `search`: its adapter drops continuation references, which would
        // hide users from the listing without a word.
        let (entries, outcome) = (|| {
            let mut stream = conn.with_controls(control).streaming_search(
                &self.base,
                Scope::Subtree,
                &self.filter,
                &self.attrs,
            )?;
            let mut entries = Vec::new();
            while let Some(entry) = stream.next()? {
                if !entry.is_intermediate() {
                    entries.push(entry);
                }
            }
            Ok::<_, ldap3::LdapError>((entries, stream.result()))
        })()
        .map_err(|e| {
            format!("the connection to {url} failed after {listed} users were listed: {e}")
        })?;
        match outcome.rc {
            0 => {}
            4 => {
                return Err(format!(
                    "the server {url} stopped the listing at its size limit after {listed} users (LDAP result 4, {}); raise its limit for paged searches (OpenLDAP: `limits ... size.prtotal`; AD: MaxResultSetSize), or list fewer users (users.filter, users.member_of)",
                    outcome.text
                ));
            }
            10 => {
                return Err(format!(
                    "the server {url} referred the listing elsewhere ({}); set users.base_dn to a subtree this server holds",
                    outcome.refs.join(", ")
                ));
            }
            32 => return Err(inner.missing_base(&self.base)),
            rc => {
                return Err(format!(
                    "listing users on {url} failed after {listed} users: LDAP result {rc} ({})",
                    outcome.text
                ));
            }
        }
        let references: Vec<String> = entries
            .iter()
            .filter(|e| e.is_ref())
            .flat_map(|e| ldap3::parse_refs(e.0.clone()))
            .collect();
        if !references.is_empty() && !inner.config.users.skip_references {
            return Err(format!(
                "the server {url} returned continuation references ({}): users under them would be missing from the listing; set users.base_dn below them, or users.skip_references to list without them",
                references.join(", ")
            ));
        }
        let paged = outcome
            .ctrls
            .iter()
            .find(|c| matches!(c.0, Some(ControlType::PagedResults)));
        self.cookie = match paged {
            Some(c) if c.1.val.is_some() => {
                // ldap3 panics on a malformed control value: a server's answer, so an error.
                let raw = c.1.clone();
                catch_unwind(AssertUnwindSafe(|| raw.parse::<PagedResults>().cookie)).map_err(
                    |_| format!("the server {url} sent a malformed paged results control"),
                )?
            }
            // No paging from the server: it answered everything at once.
            _ => Vec::new(),
        };
        self.done = self.cookie.is_empty();
        Ok(entries
            .into_iter()
            .filter(|e| !e.is_ref())
            .map(SearchEntry::construct)
            .collect())
    }
}

struct Listing {
    inner: Arc<Inner>,
    conn: LdapConn,
    pager: Pager,
    /// With `users.member_of` on a server without the in-chain rule: the members' DN keys.
    members: Option<HashSet<String>>,
    listed: u64,
}

impl Listing {
    /// A listed entry: named by the attribute user ids are matched against.
    fn user(&self, entry: &SearchEntry) -> ListedUser {
        let naming = &self.inner.config.filter_attribute;
        match present(first(entry, naming)) {
            Some(id) => {
                let attrs = self.inner.attributes_of(&id, entry);
                (id, attrs)
            }
            None => (
                entry.dn.clone(),
                Err(ResolveError::Failed(format!(
                    "entry `{}` has no {naming}, the attribute users are named by",
                    entry.dn
                ))),
            ),
        }
    }
}

impl Iterator for Listing {
    type Item = Result<Vec<ListedUser>, String>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.pager.done {
            let entries = match self.pager.page(&self.inner, &mut self.conn, self.listed) {
                Ok(entries) => entries,
                Err(e) => {
                    self.pager.done = true;
                    return Some(Err(e));
                }
            };
            let users: Vec<ListedUser> = entries
                .iter()
                .filter(|e| {
                    self.members
                        .as_ref()
                        .is_none_or(|m| m.contains(&key(&e.dn)))
                })
                .map(|e| self.user(e))
                .collect();
            self.listed += users.len() as u64;
            if !users.is_empty() {
                return Some(Ok(users));
            }
        }
        None
    }
}

impl Drop for Listing {
    fn drop(&mut self) {
        // An unfinished paged search holds server resources until abandoned or unbound.
        let _ = self.conn.unbind();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_dns_are_values_in_the_in_chain_filter() {
        assert_eq!(
            in_chain_filter(
                "(objectClass=user)",
                "CN=Mobile (EU),OU=Groups,DC=contoso,DC=com"
            ),
            "(&(objectClass=user)(memberOf:1.2.840.113556.1.4.1941:=CN=Mobile \\28EU\\29,OU=Groups,DC=contoso,DC=com))"
        );
        assert_eq!(
            in_chain_filter("(objectClass=user)", "CN=x)(objectClass=*"),
            "(&(objectClass=user)(memberOf:1.2.840.113556.1.4.1941:=CN=x\\29\\28objectClass=\\2a))"
        );
    }
}
