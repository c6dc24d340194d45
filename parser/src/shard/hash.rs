//! Java's `String.hashCode` and the channel Tungsten derives from it (spec §1.5).

/// `String.hashCode` over UTF-16 code units: `h = 31·h + u` in wrapping signed 32-bit
/// arithmetic, starting from 0.
pub fn java_hash(units: impl IntoIterator<Item = u16>) -> i32 {
    units.into_iter().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// [`java_hash`] of a Rust string, through its UTF-16 encoding (a character outside the
/// Basic Multilingual Plane contributes both surrogates, as in Java).
pub fn java_hash_str(text: &str) -> i32 {
    java_hash(text.encode_utf16())
}

/// `Math.abs(h) % n` with Java's `int` rules: `abs(-2³¹)` stays `-2³¹`, and `%`
/// truncates, so the result is negative for that one hash whenever `n` is not a power of
/// two. `n` must not be 0 (callers refuse zero channels before hashing).
pub fn java_channel(hash: i32, n: i32) -> i32 {
    hash.wrapping_abs() % n
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spec §1.5 reference table: shard, H(s), channel for N = 2, 3, 4, 5, 8.
    const REFERENCE: &[(&str, i32, [i32; 5])] = &[
        ("mydb1", 104367687, [1, 0, 3, 2, 7]),
        ("mydb2", 104367688, [0, 1, 0, 3, 0]),
        ("db1", 99187, [1, 1, 3, 2, 3]),
        ("db2", 99188, [0, 2, 0, 3, 4]),
        ("db3", 99189, [1, 0, 1, 4, 5]),
        ("test", 3556498, [0, 1, 2, 3, 2]),
        ("sbtest", -908553375, [1, 0, 3, 0, 7]),
        ("employees", -1657147515, [1, 0, 3, 0, 3]),
        ("#UNKNOWN", 1301961383, [1, 2, 3, 3, 7]),
        ("tungsten_alpha", -618353885, [1, 2, 1, 0, 5]),
        ("polygenelubricants", i32::MIN, [0, -2, 0, -3, 0]),
        (" ", 32, [0, 2, 0, 2, 0]),
        ("db\u{1F600}", 4846177, [1, 1, 1, 2, 1]),
    ];

    #[test]
    fn spec_reference_table() {
        for &(shard, hash, channels) in REFERENCE {
            assert_eq!(java_hash_str(shard), hash, "H({shard:?})");
            for (n, expected) in [2, 3, 4, 5, 8].into_iter().zip(channels) {
                assert_eq!(java_channel(hash, n), expected, "{shard:?} N={n}");
            }
        }
    }

    #[test]
    fn spec_worked_example_mydb1_step_by_step() {
        // m=109, y=121, d=100, b=98, 1=49: 109, 3500, 108600, 3366698, 104367687.
        let prefixes = ["m", "my", "myd", "mydb", "mydb1"];
        let expected = [109, 3500, 108600, 3366698, 104367687];
        for (prefix, h) in prefixes.into_iter().zip(expected) {
            assert_eq!(java_hash_str(prefix), h, "{prefix}");
        }
        assert_eq!(java_channel(104367687, 5), 2);
    }

    #[test]
    fn empty_string_hashes_to_zero_and_a_supplementary_character_counts_twice() {
        assert_eq!(java_hash_str(""), 0);
        // U+1F600 is D83D DE00: 0xD83D·31 + 0xDE00 = 55357·31 + 56832 = 1772899.
        assert_eq!(java_hash_str("\u{1F600}"), 1772899);
        assert_eq!(java_hash([0xD83D, 0xDE00]), 1772899);
    }

    #[test]
    fn abs_of_minimum_stays_negative() {
        // 2³¹ = 7·306783378 + 2, and the remainder keeps the dividend's sign.
        assert_eq!(java_channel(i32::MIN, 7), -2);
        assert_eq!(java_channel(i32::MIN, 1), 0);
        assert_eq!(java_channel(-7, 3), 1);
        assert_eq!(java_channel(i32::MAX, 2), 1);
    }
}
