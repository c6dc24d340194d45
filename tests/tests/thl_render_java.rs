//! Differential check of `thl::java_text` and `JavaStr` against Java itself:
//! `thl_golden/java_text.txt` holds `Float.toString`, `Double.toString`,
//! `BigDecimal.toString` and `Timestamp.toString` (UTC) of random and edge-case values,
//! and `DataOutputStream.writeUTF` bytes of random strings, as produced by a JDK 25
//! (`thl_golden/JavaText.java` made it; the spec's notes F and T and section 5.1 describe
//! these forms).

use replog::thl::{java_text, JavaStr};

const GOLDEN: &str = include_str!("thl_golden/java_text.txt");

fn hex_bytes(h: &str) -> Vec<u8> {
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn java_text_forms_match_the_jdk() {
    let mut counts = [0usize; 5];
    let mut mismatches = Vec::new();
    for line in GOLDEN.lines() {
        let fields: Vec<&str> = line.splitn(4, ' ').collect();
        let mut got = String::new();
        let expected = match fields.as_slice() {
            ["D", bits, text] => {
                let x = f64::from_bits(u64::from_str_radix(bits, 16).unwrap());
                java_text::java_double(&mut got, x).unwrap();
                counts[0] += 1;
                text.to_string()
            }
            ["F", bits, text] => {
                let x = f32::from_bits(u32::from_str_radix(bits, 16).unwrap());
                java_text::java_float(&mut got, x).unwrap();
                counts[1] += 1;
                text.to_string()
            }
            ["B", unscaled, scale, text] => {
                java_text::big_decimal(&mut got, &hex_bytes(unscaled), scale.parse().unwrap())
                    .unwrap();
                counts[2] += 1;
                text.to_string()
            }
            ["T", millis, nanos, text] => {
                java_text::timestamp(&mut got, millis.parse().unwrap(), nanos.parse().unwrap(), 0)
                    .unwrap();
                counts[3] += 1;
                text.to_string()
            }
            ["U", modified, utf8] => {
                // Decoding Java's bytes gives Java's text; encoding that text gives them back.
                let (modified, utf8) = (hex_bytes(modified), hex_bytes(utf8));
                let text = std::str::from_utf8(&utf8).unwrap();
                let decoded = JavaStr::decode(&modified).unwrap();
                got = decoded.text().to_string();
                assert_eq!(JavaStr::encode(text).unwrap().raw(), modified, "{line}");
                counts[4] += 1;
                text.to_string()
            }
            _ => panic!("unreadable golden line {line:?}"),
        };
        if got != expected {
            mismatches.push(format!("{line}\n    replog: {got}"));
        }
    }
    assert!(counts.iter().all(|&c| c >= 50), "too few cases: {counts:?}");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
