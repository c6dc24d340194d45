//! Differential check of `thl::render` against Java itself: `thl_golden/java_text.txt`
//! holds `Float.toString`, `Double.toString`, `BigDecimal.toString` and
//! `Timestamp.toString` (UTC) of random and edge-case values as printed by a JDK 25
//! (`thl_golden/JavaText.java` made it; the spec's notes F and T describe these forms).

use replog::thl::render;

const GOLDEN: &str = include_str!("thl_golden/java_text.txt");

fn hex_bytes(h: &str) -> Vec<u8> {
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn java_text_forms_match_the_jdk() {
    let mut counts = [0usize; 4];
    let mut mismatches = Vec::new();
    for line in GOLDEN.lines() {
        let fields: Vec<&str> = line.splitn(4, ' ').collect();
        let mut got = String::new();
        let expected = match fields.as_slice() {
            ["D", bits, text] => {
                let x = f64::from_bits(u64::from_str_radix(bits, 16).unwrap());
                render::java_double(&mut got, x).unwrap();
                counts[0] += 1;
                *text
            }
            ["F", bits, text] => {
                let x = f32::from_bits(u32::from_str_radix(bits, 16).unwrap());
                render::java_float(&mut got, x).unwrap();
                counts[1] += 1;
                *text
            }
            ["B", unscaled, scale, text] => {
                render::big_decimal(&mut got, &hex_bytes(unscaled), scale.parse().unwrap())
                    .unwrap();
                counts[2] += 1;
                *text
            }
            ["T", millis, nanos, text] => {
                render::timestamp(&mut got, millis.parse().unwrap(), nanos.parse().unwrap(), 0)
                    .unwrap();
                counts[3] += 1;
                *text
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
