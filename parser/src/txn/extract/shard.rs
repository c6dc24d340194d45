//! The shard of an extracted transaction (parallel-apply.md §1.2): the one schema it
//! touches, `#UNKNOWN` for none or several, the catalog schema for the replicator's
//! own `tungsten_<service>` tables.

/// The shard of transactions without one determinable schema.
pub const UNKNOWN: &str = "#UNKNOWN";

/// The shard, service and catalog flag of a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The shard id.
    pub shard: String,
    /// The service the transaction belongs to (metadata `service`).
    pub service: String,
    /// The transaction touches a Tungsten catalog (metadata `is_metadata=true`).
    pub is_metadata: bool,
}

/// Java `String.hashCode`: `31·h + unit` over UTF-16 code units, wrapping.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// The service a catalog schema `tungsten_<svc>` belongs to.
fn catalog_service(name: &str) -> Option<&str> {
    let prefix = name.get(..9)?;
    prefix
        .eq_ignore_ascii_case("tungsten_")
        .then(|| &name[9..])
        .filter(|svc| !svc.is_empty())
}

/// The service named by Tungsten's loop-prevention comment `___SERVICE___ = [svc]` in
/// a statement an upstream replicator applied.
pub(crate) fn origin_service(statement: &[u8]) -> Option<String> {
    const MARK: &[u8] = b"___SERVICE___";
    let at = statement.windows(MARK.len()).position(|w| w == MARK)?;
    let rest = &statement[at + MARK.len()..];
    let open = rest.iter().position(|&c| c == b'[')?;
    if !rest[..open].iter().all(|&c| c == b' ' || c == b'=') {
        return None;
    }
    let close = rest[open..].iter().position(|&c| c == b']')?;
    let name = String::from_utf8_lossy(&rest[open + 1..open + close]).into_owned();
    (!name.is_empty()).then_some(name)
}

/// Decides from the schema names a fragment references (in the order met), the
/// upstream service of its first statement, and the local service.
pub fn decide(schemas: &[String], origin: Option<&str>, local_service: &str) -> Decision {
    let mut distinct: Vec<&str> = Vec::new();
    for s in schemas {
        if !distinct.contains(&s.as_str()) {
            distinct.push(s);
        }
    }
    let local = |shard: &str| Decision {
        shard: if shard.trim().is_empty() {
            UNKNOWN
        } else {
            shard
        }
        .to_string(),
        service: local_service.to_string(),
        is_metadata: false,
    };
    if distinct.is_empty() {
        return local(UNKNOWN);
    }
    let catalog = distinct.iter().any(|n| catalog_service(n).is_some());
    if !catalog {
        if let Some(svc) = origin {
            return Decision {
                shard: format!("tungsten_{svc}"),
                service: svc.to_string(),
                is_metadata: false,
            };
        }
        return match distinct.as_slice() {
            [one] => local(one),
            _ => local(UNKNOWN),
        };
    }
    // With a catalog name among them, the reference takes whichever name its HashMap
    // iterates last: the highest bucket `(h ^ h >>> 16) & 15`, ties in insertion order.
    let bucket = |name: &str| {
        let h = java_string_hash(name) as u32;
        (h ^ (h >> 16)) & 15
    };
    let last = distinct
        .iter()
        .copied()
        .enumerate()
        .max_by_key(|(i, n)| (bucket(n), *i))
        .map(|(_, n)| n)
        .unwrap_or(UNKNOWN);
    let service = distinct
        .iter()
        .find_map(|n| catalog_service(n))
        .unwrap_or(local_service);
    Decision {
        shard: if last.trim().is_empty() {
            UNKNOWN
        } else {
            last
        }
        .to_string(),
        service: service.to_string(),
        is_metadata: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn hash_vectors_from_the_spec() {
        assert_eq!(java_string_hash("mydb1"), 104367687);
        assert_eq!(java_string_hash("sbtest"), -908553375);
        assert_eq!(java_string_hash("#UNKNOWN"), 1301961383);
        assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
        assert_eq!(java_string_hash("db\u{1F600}"), 4846177);
    }

    #[test]
    fn one_schema_is_the_shard_several_are_unknown() {
        assert_eq!(decide(&names(&["test"]), None, "svc").shard, "test");
        assert_eq!(decide(&names(&["a", "a"]), None, "svc").shard, "a");
        assert_eq!(decide(&names(&["a", "b"]), None, "svc").shard, UNKNOWN);
        assert_eq!(decide(&names(&["a", UNKNOWN]), None, "svc").shard, UNKNOWN);
        let none = decide(&[], None, "svc");
        assert_eq!(
            (none.shard.as_str(), none.service.as_str()),
            (UNKNOWN, "svc")
        );
    }

    #[test]
    fn catalog_schemas_follow_java_hashmap_order() {
        // Spec example: {db1, tungsten_alpha} -> buckets 2 and 7 -> tungsten_alpha;
        // {mydb1, tungsten_alpha} -> buckets 15 and 7 -> mydb1.
        let d = decide(&names(&["db1", "tungsten_alpha"]), None, "local");
        assert_eq!(
            (d.shard.as_str(), d.service.as_str(), d.is_metadata),
            ("tungsten_alpha", "alpha", true)
        );
        assert_eq!(
            decide(&names(&["mydb1", "tungsten_alpha"]), None, "l").shard,
            "mydb1"
        );
        let hb = decide(&names(&["tungsten_repltest"]), None, "repltest");
        assert_eq!(
            (hb.shard.as_str(), hb.is_metadata),
            ("tungsten_repltest", true)
        );
    }

    #[test]
    fn upstream_service_comment() {
        assert_eq!(
            origin_service(b"CREATE TABLE t (a int) /* ___SERVICE___ = [east] */").as_deref(),
            Some("east")
        );
        assert_eq!(origin_service(b"SELECT 1"), None);
        let d = decide(&names(&["app"]), Some("east"), "west");
        assert_eq!(
            (d.shard.as_str(), d.service.as_str()),
            ("tungsten_east", "east")
        );
    }
}
