//! Tokens verified already. A client sends the same bearer token with every request until it
//! expires; checking its signature each time (and parsing its header and claims twice) was
//! about 6 % of the server's CPU on a record read with an HS256 token, and an RS256 or ES256
//! signature from an identity provider costs far more. An accepted token is remembered with
//! its principal, so the next request with the same token skips the checks — but never past:
//!
//! - its `exp` (with the same leeway as verification), checked on every use;
//! - the identity provider's key set it was verified with: when the set changes (rotation, a
//!   removed key), tokens verified with an older set are verified again;
//! - five minutes after it was verified, whatever the token says.
//!
//! Only accepted tokens are remembered (a rejected one is checked again each time, and costs
//! what it did), keyed by the whole token: a different signature is a different key. The
//! memory is bounded by size (4 MiB of tokens and principals); moka (TinyLFU) chooses what goes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use moka::sync::Cache;

use super::Principal;

/// How much memory remembered tokens may take, in bytes (token + principal, roughly).
const CAPACITY_BYTES: u64 = 4 << 20;
/// How long a token is remembered at most after it was verified.
const REMEMBERED_FOR: Duration = Duration::from_secs(300);

/// Accepted tokens and who they are.
pub(super) struct Verified {
    cache: Cache<String, Entry>,
    /// requests whose token was found here
    hits: AtomicU64,
    /// tokens verified in full and accepted
    verified: AtomicU64,
}

/// How tokens were accepted so far (for `/metrics`).
#[derive(Debug, Clone, Copy)]
pub struct TokenStats {
    /// found among the tokens accepted before
    pub remembered: u64,
    /// signature and claims checked, and accepted
    pub verified: u64,
}

#[derive(Clone)]
struct Entry {
    principal: Principal,
    /// the token's `exp`
    exp: i64,
    /// the identity provider's key set generation it was verified with; `None` for the
    /// service's own (HS256) tokens, whose secret does not change while it runs
    keys: Option<u64>,
}

impl Verified {
    pub(super) fn new() -> Verified {
        let cache = Cache::builder()
            .max_capacity(CAPACITY_BYTES)
            .weigher(|token: &String, entry: &Entry| {
                let principal =
                    entry.principal.sub.len() + entry.principal.coalitions.iter().map(|c| c.len() + 32).sum::<usize>();
                u32::try_from(token.len() + principal + 96).unwrap_or(u32::MAX)
            })
            .time_to_live(REMEMBERED_FOR)
            .build();
        Verified {
            cache,
            hits: AtomicU64::new(0),
            verified: AtomicU64::new(0),
        }
    }

    pub(super) fn stats(&self) -> TokenStats {
        TokenStats {
            remembered: self.hits.load(Ordering::Relaxed),
            verified: self.verified.load(Ordering::Relaxed),
        }
    }

    /// The principal of a token accepted before, while it still would be: `now` (seconds) is
    /// at most `leeway` past its `exp`, and it was verified with the key set of generation
    /// `keys` (when it came from the identity provider).
    pub(super) fn get(
        &self,
        token: &str,
        now: i64,
        leeway: i64,
        keys: impl FnOnce() -> Option<u64>,
    ) -> Option<Principal> {
        let entry = self.cache.get(token)?;
        if now > entry.exp.saturating_add(leeway) {
            self.cache.invalidate(token);
            return None;
        }
        if entry.keys.is_some() && entry.keys != keys() {
            return None;
        }
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(entry.principal)
    }

    /// Remember an accepted token.
    pub(super) fn remember(&self, token: &str, principal: &Principal, exp: i64, keys: Option<u64>) {
        self.verified.fetch_add(1, Ordering::Relaxed);
        let entry = Entry {
            principal: principal.clone(),
            exp,
            keys,
        };
        self.cache.insert(token.to_string(), entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::auth::Role;

    fn principal(sub: &str) -> Principal {
        Principal {
            sub: sub.into(),
            role: Role::Editor,
            coalitions: ["c1".to_string()].into_iter().collect(),
        }
    }

    #[test]
    fn a_remembered_token_holds_until_its_exp_and_its_key_set() {
        let verified = Verified::new();
        assert!(
            verified.get("t1", 1_000, 30, || None).is_none(),
            "nothing remembered yet"
        );
        verified.remember("t1", &principal("ann"), 1_000, None);
        let seen = verified.get("t1", 1_000, 30, || None).map(|p| p.sub);
        assert_eq!(seen.as_deref(), Some("ann"));
        assert!(verified.get("t1", 1_030, 30, || None).is_some(), "within the leeway");
        assert!(verified.get("t1", 1_031, 30, || None).is_none(), "past exp and leeway");
        assert!(
            verified.get("t1", 1_000, 30, || None).is_none(),
            "an expired entry is dropped"
        );

        // From the identity provider: only with the key set it was verified with.
        verified.remember("t2", &principal("idp"), 2_000, Some(4));
        assert!(verified.get("t2", 1_000, 30, || Some(4)).is_some());
        assert!(
            verified.get("t2", 1_000, 30, || Some(5)).is_none(),
            "the key set changed"
        );
        assert!(verified.get("t2x", 1_000, 30, || Some(4)).is_none(), "another token");
        let stats = verified.stats();
        assert_eq!((stats.remembered, stats.verified), (3, 2));
    }
}
