//! `shard.list`: explicit channels, the `(*)` default, `(critical)` shards and the
//! `(hash-method)` (spec §1.6).

use std::collections::{HashMap, HashSet};

use super::properties;
use super::{ShardError, ShardListProblem};

/// How shards without an explicit or default channel are placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HashMethod {
    /// `abs(H(shard)) % N` (spec §1.5): what an empty `shard.list` gives.
    #[default]
    StringHash,
    /// The next channel in order of first appearance, from 0, wrapping at N.
    RoundRobin,
}

impl HashMethod {
    /// The method named as in `shard.list` (`string-hash`, `round-robin`).
    pub fn from_name(name: &str) -> Option<HashMethod> {
        match name {
            "string-hash" => Some(HashMethod::StringHash),
            "round-robin" => Some(HashMethod::RoundRobin),
            _ => None,
        }
    }

    /// The name `shard.list` uses.
    pub fn name(self) -> &'static str {
        match self {
            HashMethod::StringHash => "string-hash",
            HashMethod::RoundRobin => "round-robin",
        }
    }
}

/// A channel written in `shard.list`, with the line it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pin {
    pub channel: i32,
    pub line: usize,
}

/// A parsed `shard.list`. Shard names are kept as UTF-16 code units, the form Java
/// compares them in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShardList {
    file: String,
    pub(crate) explicit: HashMap<Vec<u16>, Pin>,
    /// `(*)` as written; -1 (its default) means none.
    pub(crate) default: Option<Pin>,
    pub(crate) critical: HashSet<Vec<u16>>,
    hash_method: HashMethod,
}

const DEFAULT_KEY: &str = "(*)";
const CRITICAL_KEY: &str = "(critical)";
const HASH_METHOD_KEY: &str = "(hash-method)";

impl ShardList {
    /// Parses the text of the file named `file` (the name is only used in messages).
    /// Later duplicates of a key win, as in `java.util.Properties`, so only the value
    /// that wins is checked. Integers follow `Integer.parseInt`: an optional sign and
    /// ASCII digits, nothing else (a trailing blank makes `1 ` an error).
    pub fn parse(file: &str, text: &str) -> Result<ShardList, ShardError> {
        let fail = |line, problem| ShardError::ShardList {
            file: file.to_string(),
            line,
            problem,
        };
        let mut winners: HashMap<Vec<u16>, properties::Property> = HashMap::new();
        for property in properties::parse(text).map_err(|(line, p)| fail(line, p))? {
            winners.insert(property.key.clone(), property);
        }
        let mut entries: Vec<properties::Property> = winners.into_values().collect();
        entries.sort_by_key(|p| p.line);

        let mut list = ShardList {
            file: file.to_string(),
            ..ShardList::default()
        };
        for entry in entries {
            let key = String::from_utf16_lossy(&entry.key);
            let pin = || {
                parse_int(&entry.value)
                    .map(|channel| Pin {
                        channel,
                        line: entry.line,
                    })
                    .ok_or_else(|| {
                        fail(
                            entry.line,
                            ShardListProblem::NotAnInteger {
                                key: key.clone(),
                                value: String::from_utf16_lossy(&entry.value),
                            },
                        )
                    })
            };
            match key.as_str() {
                DEFAULT_KEY => list.default = Some(pin()?),
                CRITICAL_KEY => {
                    let separator = |u: &u16| matches!(u, 0x2C | 0x20 | 0x09 | 0x0A | 0x0D | 0x0C);
                    list.critical = entry
                        .value
                        .split(separator)
                        .filter(|name| !name.is_empty())
                        .map(<[u16]>::to_vec)
                        .collect();
                }
                HASH_METHOD_KEY => {
                    let value = String::from_utf16_lossy(&entry.value);
                    list.hash_method = HashMethod::from_name(&value).ok_or_else(|| {
                        fail(entry.line, ShardListProblem::UnknownHashMethod { value })
                    })?;
                }
                _ => {
                    let pin = pin()?;
                    list.explicit.insert(entry.key, pin);
                }
            }
        }
        Ok(list)
    }

    /// The same list with another method (a command-line choice overriding the file's).
    pub fn with_hash_method(mut self, method: HashMethod) -> ShardList {
        self.hash_method = method;
        self
    }

    /// The method for shards without an explicit or default channel.
    pub fn hash_method(&self) -> HashMethod {
        self.hash_method
    }

    /// The file name given to [`ShardList::parse`] (empty for a list made in code).
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Checks every written channel against `channels`: explicit channels must lie in
    /// 0..N, `(*)` too unless it is -1 (none). Tungsten does not check, and with the
    /// disk queue silently never applies a transaction placed out of range (spec §1.4).
    pub(crate) fn check_range(&self, channels: u32) -> Result<(), ShardError> {
        let in_range = |c: i32| u32::try_from(c).is_ok_and(|c| c < channels);
        let fail = |line, problem| ShardError::ShardList {
            file: self.file.clone(),
            line,
            problem,
        };
        if let Some(pin) = self.default {
            if pin.channel != -1 && !in_range(pin.channel) {
                return Err(fail(
                    pin.line,
                    ShardListProblem::DefaultOutOfRange {
                        channel: pin.channel,
                        channels,
                    },
                ));
            }
        }
        let mut pins: Vec<(&Vec<u16>, &Pin)> = self.explicit.iter().collect();
        pins.sort_by_key(|(_, pin)| pin.line);
        match pins.into_iter().find(|(_, pin)| !in_range(pin.channel)) {
            Some((shard, pin)) => Err(fail(
                pin.line,
                ShardListProblem::ChannelOutOfRange {
                    shard: String::from_utf16_lossy(shard),
                    channel: pin.channel,
                    channels,
                },
            )),
            None => Ok(()),
        }
    }

    /// The `(*)` channel, when one is set.
    pub(crate) fn default_channel(&self) -> Option<i32> {
        self.default.map(|p| p.channel).filter(|&c| c != -1)
    }
}

/// `Integer.parseInt` over ASCII: optional `+`/`-`, at least one digit, in `i32` range.
fn parse_int(units: &[u16]) -> Option<i32> {
    let (negative, digits) = match units.first() {
        Some(0x2D) => (true, &units[1..]),
        Some(0x2B) => (false, &units[1..]),
        _ => (false, units),
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: i64 = 0;
    for &unit in digits {
        let digit = match unit {
            0x30..=0x39 => i64::from(unit - 0x30),
            _ => return None,
        };
        value = value * 10 + digit;
        if value > 1 << 31 {
            return None;
        }
    }
    i32::try_from(if negative { -value } else { value }).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    fn problem(text: &str) -> (usize, ShardListProblem) {
        match ShardList::parse("shard.list", text) {
            Err(ShardError::ShardList {
                file,
                line,
                problem,
            }) => {
                assert_eq!(file, "shard.list");
                (line, problem)
            }
            other => panic!("expected a shard.list error, got {other:?}"),
        }
    }

    #[test]
    fn spec_example_file() {
        let text = "# explicit placement\ncommon=0\nbilling=1\n# everything else: hash\n\
                    (*)=-1\n(hash-method)=string-hash\n\
                    # serialize anything touching the shared lookup schema\n(critical)=common\n";
        let list = ShardList::parse("shard.list", text).unwrap();
        assert_eq!(
            list.explicit[&units("common")],
            Pin {
                channel: 0,
                line: 2
            }
        );
        assert_eq!(
            list.explicit[&units("billing")],
            Pin {
                channel: 1,
                line: 3
            }
        );
        assert_eq!(list.explicit.len(), 2);
        assert_eq!(list.default_channel(), None);
        assert_eq!(list.hash_method(), HashMethod::StringHash);
        assert_eq!(list.critical, HashSet::from([units("common")]));
    }

    #[test]
    fn shipped_file_means_round_robin() {
        let list =
            ShardList::parse("shard.list", "#common=0\n(hash-method)=round-robin\n").unwrap();
        assert_eq!(list.hash_method(), HashMethod::RoundRobin);
        assert!(list.explicit.is_empty());
    }

    #[test]
    fn unknown_shard_needs_the_escape() {
        let list = ShardList::parse("f", "#UNKNOWN=1\n").unwrap();
        assert!(list.explicit.is_empty());
        let list = ShardList::parse("f", "\\#UNKNOWN=1\n").unwrap();
        assert_eq!(list.explicit[&units("#UNKNOWN")].channel, 1);
    }

    #[test]
    fn later_duplicates_win_and_the_loser_is_never_parsed() {
        let list = ShardList::parse("f", "db1=x\ndb1=3\n(*)=2\n(*)=-1").unwrap();
        assert_eq!(
            list.explicit[&units("db1")],
            Pin {
                channel: 3,
                line: 2
            }
        );
        assert_eq!(list.default_channel(), None);
        assert_eq!(problem("db1=3\ndb1=three").0, 2);
    }

    #[test]
    fn trailing_blank_breaks_the_integer_and_the_error_names_file_and_line() {
        let (line, problem) = problem("a=0\ndb1=1 \n");
        assert_eq!(line, 2);
        assert_eq!(
            problem,
            ShardListProblem::NotAnInteger {
                key: "db1".into(),
                value: "1 ".into()
            }
        );
        let err = ShardList::parse("conf/shard.list", "db1=1 ").unwrap_err();
        assert_eq!(
            err.to_string(),
            "conf/shard.list: line 1: channel of shard 'db1' is not an integer: '1 ' \
             (trailing blanks count: Java keeps them in the value)"
        );
    }

    #[test]
    fn integers_as_java_parses_them() {
        let pin = |v: &str| parse_int(&units(v));
        assert_eq!(pin("+7"), Some(7));
        assert_eq!(pin("-2147483648"), Some(i32::MIN));
        assert_eq!(pin("2147483647"), Some(i32::MAX));
        for bad in ["2147483648", "", "-", "1.0", "0x1", " 1", "1_000"] {
            assert_eq!(pin(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn critical_list_separators() {
        let list = ShardList::parse("f", "(critical)=a, b\tc,,d \\\n  e").unwrap();
        let expected: HashSet<Vec<u16>> = ["a", "b", "c", "d", "e"].map(units).into();
        assert_eq!(list.critical, expected);
    }

    #[test]
    fn hash_method_must_be_one_of_two() {
        assert_eq!(
            problem("\n(hash-method)=random"),
            (
                2,
                ShardListProblem::UnknownHashMethod {
                    value: "random".into()
                }
            )
        );
        assert_eq!(
            problem("(hash-method)=round-robin ").1,
            ShardListProblem::UnknownHashMethod {
                value: "round-robin ".into()
            }
        );
    }

    #[test]
    fn range_check_names_shard_and_line() {
        let list = ShardList::parse("f", "a=0\nb=3\nc=-1\n").unwrap();
        assert_eq!(
            list.check_range(3),
            Err(ShardError::ShardList {
                file: "f".into(),
                line: 2,
                problem: ShardListProblem::ChannelOutOfRange {
                    shard: "b".into(),
                    channel: 3,
                    channels: 3
                }
            })
        );
        let list = ShardList::parse("f", "a=0\nc=-1\n").unwrap();
        assert_eq!(
            list.check_range(4).unwrap_err().to_string(),
            "f: line 2: shard 'c' is placed on channel -1, outside 0..3 for 4 channels \
             (Tungsten would never apply its transactions)"
        );
        assert!(ShardList::parse("f", "a=3").unwrap().check_range(4).is_ok());
    }

    #[test]
    fn default_channel_range() {
        let list = ShardList::parse("f", "(*)=2").unwrap();
        assert_eq!(list.default_channel(), Some(2));
        assert!(list.check_range(3).is_ok());
        assert_eq!(
            list.check_range(2),
            Err(ShardError::ShardList {
                file: "f".into(),
                line: 1,
                problem: ShardListProblem::DefaultOutOfRange {
                    channel: 2,
                    channels: 2
                }
            })
        );
        let list = ShardList::parse("f", "(*)=-2").unwrap();
        assert_eq!(
            list.check_range(2).unwrap_err(),
            ShardError::ShardList {
                file: "f".into(),
                line: 1,
                problem: ShardListProblem::DefaultOutOfRange {
                    channel: -2,
                    channels: 2
                }
            }
        );
    }
}
