//! A batch of user ids in a few searches: the ids split into chunks, one search per chunk
//! with an OR filter of the RFC 4515-escaped ids, the chunks searched at once on up to
//! `connections` pooled connections. One search per id (the SDK's default) costs a round
//! trip per user: 15.6x a paged listing of the same users on loopback, far more on a WAN.

use std::collections::HashMap;

use ldap3::{Scope, SearchEntry, ldap_escape};
use resolver_sdk::{DirectoryAttributes, ResolveError};

use crate::{Inner, values};

/// Most ids in one OR filter: AD accepts far longer filters, but a chunk's answer is held in
/// memory at once, and smaller chunks spread better over the connections.
const MAX_IDS_PER_SEARCH: usize = 128;
/// Below this many ids a chunk is not split further (a search has a fixed cost).
const MIN_IDS_PER_SEARCH: usize = 16;

/// LDAP result codes handled by name.
const NO_SUCH_OBJECT: u32 = 32;
const SIZE_LIMIT_EXCEEDED: u32 = 4;

type Answer = Result<DirectoryAttributes, ResolveError>;

/// One result per id, in order.
pub(crate) fn resolve_batch(inner: &Inner, user_ids: &[String]) -> Vec<Answer> {
    if user_ids.len() <= 1 {
        return user_ids.iter().map(|id| inner.resolve_one(id)).collect();
    }
    let lanes = inner.config.connections.clamp(1, 16);
    let per_search = user_ids
        .len()
        .div_ceil(lanes)
        .clamp(MIN_IDS_PER_SEARCH, MAX_IDS_PER_SEARCH);
    let chunks: Vec<&[String]> = user_ids.chunks(per_search).collect();
    if chunks.len() == 1 {
        return resolve_chunk(inner, user_ids);
    }
    // Up to `lanes` threads, each taking the next chunk: each search holds its own pooled
    // connection, so the server works on several at once.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut answers: Vec<Option<Vec<Answer>>> = (0..chunks.len()).map(|_| None).collect();
    let done = std::sync::Mutex::new(&mut answers);
    std::thread::scope(|scope| {
        for _ in 0..lanes.min(chunks.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(chunk) = chunks.get(i) else { return };
                    let result = resolve_chunk(inner, chunk);
                    if let Ok(mut d) = done.lock() {
                        d[i] = Some(result);
                    }
                }
            });
        }
    });
    answers
        .into_iter()
        .zip(&chunks)
        .flat_map(|(a, chunk)| {
            a.unwrap_or_else(|| {
                chunk
                    .iter()
                    .map(|_| Err(ResolveError::Failed("the lookup thread failed".into())))
                    .collect()
            })
        })
        .collect()
}

/// The OR filter for `ids` under the user filter; ids are values, never filter syntax.
pub(crate) fn or_filter(user_filter: &str, attribute: &str, ids: &[&str]) -> String {
    let mut filter = format!("(&{user_filter}(|");
    for id in ids {
        filter.push_str(&format!("({attribute}={})", ldap_escape(*id)));
    }
    filter.push_str("))");
    filter
}

/// One search for `ids`. Ids it does not find by exact (ASCII case-insensitive) value are
/// looked up alone, so matching rules the server applies beyond that (Unicode case, spaces)
/// give the same answers as before; a size limit on the chunk falls back to the same.
fn resolve_chunk(inner: &Inner, ids: &[String]) -> Vec<Answer> {
    let config = &inner.config;
    let wanted: Vec<&str> = ids
        .iter()
        .map(String::as_str)
        .filter(|id| !id.is_empty())
        .collect();
    if wanted.is_empty() {
        return ids.iter().map(|id| inner.resolve_one(id)).collect();
    }
    let filter = or_filter(&config.user_filter, &config.filter_attribute, &wanted);
    let mut attrs = inner.attribute_list();
    if !attrs
        .iter()
        .any(|a| a.eq_ignore_ascii_case(&config.filter_attribute))
    {
        attrs.push(config.filter_attribute.clone());
    }
    let searched = inner.with_conn(|conn| {
        let result = conn.search(&config.base_dn, Scope::Subtree, &filter, &attrs)?;
        match result.1.rc {
            NO_SUCH_OBJECT => return Ok(Err(inner.missing_base(&config.base_dn))),
            SIZE_LIMIT_EXCEEDED => return Ok(Ok(None)),
            _ => {}
        }
        let (entries, _) = result.success()?;
        Ok(Ok(Some(
            entries
                .into_iter()
                .filter(|e| !e.is_ref())
                .map(SearchEntry::construct)
                .collect::<Vec<_>>(),
        )))
    });
    let entries = match searched {
        Ok(Ok(Some(entries))) => entries,
        // The server's size limit: fewer ids per search would do, one id at a time surely.
        Ok(Ok(None)) => return ids.iter().map(|id| inner.resolve_one(id)).collect(),
        Ok(Err(message)) | Err(message) => {
            return ids
                .iter()
                .map(|_| Err(ResolveError::Failed(message.clone())))
                .collect();
        }
    };
    // Which entries carry each id (lower-cased), as the filter matched them.
    let mut by_id: HashMap<String, Vec<usize>> = HashMap::with_capacity(wanted.len());
    for (i, entry) in entries.iter().enumerate() {
        for value in values(entry, &config.filter_attribute) {
            let slot = by_id.entry(value.to_ascii_lowercase()).or_default();
            if !slot.contains(&i) {
                slot.push(i);
            }
        }
    }
    ids.iter()
        .map(
            |id| match by_id.get(&id.to_ascii_lowercase()).map(Vec::as_slice) {
                Some([one]) => inner.attributes_of(id, &entries[*one]),
                Some(several) if several.len() > 1 => Err(ResolveError::Ambiguous {
                    user_id: id.clone(),
                    count: several.len(),
                }),
                _ => inner.resolve_one(id),
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_escaped_in_the_or_filter() {
        assert_eq!(
            or_filter(
                "(objectClass=user)",
                "sAMAccountName",
                &["a", "*)(uid=*", "b\\c"]
            ),
            "(&(objectClass=user)(|(sAMAccountName=a)(sAMAccountName=\\2a\\29\\28uid=\\2a)(sAMAccountName=b\\5cc)))"
        );
    }
}
