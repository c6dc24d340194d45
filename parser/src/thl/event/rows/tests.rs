//! The quick decoders against the checked ones: whatever bytes they read, they give the
//! checked decoder's result or leave the message to it.

use super::*;
use proptest::prelude::*;

fn push_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The wire type of fields 1..=7 of a column value, a column spec, an event option,
/// and the fields each requires.
const SHAPES: [([u8; 7], &[u64]); 3] = [
    ([0, 0, 0, 5, 1, 2, 2], &[1]),
    ([0, 2, 0, 0, 0, 0, 2], &[1, 3, 4, 5, 6]),
    ([2, 2, 0, 0, 0, 0, 0], &[1, 2]),
];

/// Bytes shaped like one of the small messages of [`SHAPES`] (picked by `shapes`)
/// and sometimes not: its required fields (each now and then left out), then fields
/// 1..=7 in any order and number, mixed with fields numbered 0..=17 (two-byte tags
/// past 15) of every wire type including groups; text or any bytes; sometimes cut
/// short or followed by noise.
fn message_bytes(shapes: impl Strategy<Value = usize>) -> impl Strategy<Value = Vec<u8>> {
    let payload = prop_oneof![
        6 => "[a-zé]{0,6}".prop_map(String::into_bytes),
        1 => proptest::collection::vec(any::<u8>(), 0..10),
    ];
    let wire = prop_oneof![Just(0u8), Just(1), Just(2), Just(5), Just(3)];
    let number = prop_oneof![12 => 1u64..8, 1 => 0u64..18];
    let odd_wire = prop_oneof![12 => Just(false), 1 => Just(true)];
    let field = (number, odd_wire, wire, any::<u64>(), 0u32..64, payload);
    let fields = proptest::collection::vec(field, 0..6);
    let left_out = proptest::collection::vec(prop_oneof![12 => Just(false), 1 => Just(true)], 5);
    let noise = proptest::collection::vec(any::<u8>(), 0..3);
    (shapes, left_out, fields, any::<u8>(), noise).prop_map(
        |(shape, left_out, fields, cut, noise)| {
            let (wires, required) = SHAPES[shape];
            let required = required.iter().zip(left_out).filter(|(_, out)| !out);
            let required = required.map(|(&n, _)| (n, false, 0, 1 << 40, 0, b"GMT".to_vec()));
            let mut out = Vec::new();
            for (number, odd_wire, wire, n, bits, payload) in required.chain(fields) {
                let wire = match wires.get(number.wrapping_sub(1) as usize) {
                    Some(&shaped) if !odd_wire => shaped,
                    _ => wire,
                };
                push_varint(&mut out, (number << 3) | u64::from(wire));
                match wire {
                    0 => push_varint(&mut out, n >> (bits % 64)),
                    1 => out.extend_from_slice(&n.to_le_bytes()),
                    2 => {
                        push_varint(&mut out, payload.len() as u64);
                        out.extend_from_slice(&payload);
                    }
                    5 => out.extend_from_slice(&(n as u32).to_le_bytes()),
                    _ => {}
                }
            }
            if cut % 16 == 0 {
                out.extend_from_slice(&noise);
            } else if cut % 16 == 1 {
                out.truncate(usize::from(cut) % (out.len() + 1));
            }
            out
        },
    )
}

/// A row image: values in field 1 (mostly column values), sometimes another field
/// among them.
fn row_bytes() -> impl Strategy<Value = Vec<u8>> {
    let shape = prop_oneof![12 => Just(0), 1 => 0usize..3];
    let number = prop_oneof![12 => Just(1u64), 1 => Just(2)];
    proptest::collection::vec((message_bytes(shape), number), 0..6).prop_map(|values| {
        let mut out = Vec::new();
        for (value, number) in values {
            push_varint(&mut out, (number << 3) | 2);
            push_varint(&mut out, value.len() as u64);
            out.extend_from_slice(&value);
        }
        out
    })
}

/// A column spec as the writer encodes it.
fn spec_bytes() -> impl Strategy<Value = Vec<u8>> {
    let name = proptest::option::of("[a-z]{0,3}");
    let fields = (
        any::<i32>(),
        name,
        any::<i32>(),
        any::<bool>(),
        any::<i32>(),
    );
    (fields, any::<bool>()).prop_map(|((index, name, sql_type, signed, length), not_null)| {
        let spec = ColumnSpec {
            index,
            name: name.as_deref(),
            sql_type,
            signed,
            length,
            not_null,
            type_description: None,
        };
        let mut w = Writer::new();
        spec.encode(&mut w);
        w.into_bytes()
    })
}

/// A row image as the writer encodes it.
fn written_row_bytes() -> impl Strategy<Value = Vec<u8>> {
    use proptest::option::of;
    let value = (
        0i32..15,
        of(any::<i32>()),
        of(any::<i64>()),
        of(any::<f64>()),
        of("[a-zé]{0,3}"),
        of(proptest::collection::vec(any::<u8>(), 0..4)),
    );
    proptest::collection::vec(value, 0..5).prop_map(|values| {
        let mut w = Writer::new();
        for (value_type, int, long, double, string, bytes) in &values {
            let v = ColumnVal {
                value_type: *value_type,
                int_value: *int,
                long_value: *long,
                double_value: *double,
                string_value: string.as_deref(),
                bytes_value: bytes.as_deref(),
                ..ColumnVal::empty(ValueType::Null)
            };
            w.message(1, |w| v.encode(w));
        }
        w.into_bytes()
    })
}

/// A row change: names, action and table id, specs and rows in the writers' order or
/// any other, now and then a damaged one or an unknown field.
fn change_bytes() -> impl Strategy<Value = Vec<u8>> {
    let spec = prop_oneof![10 => spec_bytes(), 1 => message_bytes(0usize..3)];
    let row = prop_oneof![10 => written_row_bytes(), 1 => row_bytes()];
    let part = prop_oneof![
        2 => (1u64..3, "[a-z]{0,4}").prop_map(|(n, s)| (n, s.into_bytes())),
        10 => (4u64..6, spec).prop_map(|(n, b)| (n, b)),
        10 => (6u64..8, row).prop_map(|(n, b)| (n, b)),
        1 => (9u64..10, "[a-z]{0,2}").prop_map(|(n, s)| (n, s.into_bytes())),
    ];
    let parts = proptest::collection::vec(part, 0..12);
    let flag = || prop_oneof![8 => Just(true), 1 => Just(false)];
    (parts, flag(), flag(), flag(), 0u64..1 << 40).prop_map(
        |(mut parts, sorted, names, action, n)| {
            if sorted {
                parts.sort_by_key(|(number, _)| *number);
            }
            let mut out = Vec::new();
            if names {
                out.extend_from_slice(b"\x0a\x01s\x12\x01t");
            }
            if action {
                out.extend_from_slice(&[0x18, 3]);
            }
            for (number, bytes) in parts {
                push_varint(&mut out, (number << 3) | 2);
                push_varint(&mut out, bytes.len() as u64);
                out.extend_from_slice(&bytes);
            }
            out.push(0x40);
            push_varint(&mut out, n);
            out
        },
    )
}

/// What the checked decoder makes of `bytes` as a message of `name`, printed.
fn checked<'a, T: std::fmt::Debug>(
    bytes: &'a [u8],
    name: &'static str,
    decode: impl FnOnce(Message<'a>) -> Result<T, PbError>,
) -> String {
    format!("{:?}", decode(Message::new(bytes, 0, name)))
}

proptest! {
    // A quick read gives what the checked decoder gives, or leaves it to it.
    #[test]
    fn quick_reads_agree_with_the_checked_decoder(bytes in message_bytes(0usize..3)) {
        if let Some(v) = ColumnVal::decode_quick(&bytes) {
            let decoded = checked(&bytes, "ColumnVal", ColumnVal::decode_checked);
            prop_assert_eq!(format!("{:?}", Ok::<_, PbError>(v)), decoded);
        }
        if let Some(spec) = ColumnSpec::decode_quick(&bytes) {
            let decoded = checked(&bytes, "ColumnSpec", ColumnSpec::decode_checked);
            prop_assert_eq!(format!("{:?}", Ok::<_, PbError>(spec)), decoded);
        }
        if let Some(option) = EventOption::decode_quick(&bytes) {
            let decoded = checked(&bytes, "ProtobufEventOption", EventOption::decode_checked);
            prop_assert_eq!(format!("{:?}", Ok::<_, PbError>(option)), decoded);
        }
    }

    #[test]
    fn quick_rows_agree_with_the_checked_decoder(bytes in row_bytes()) {
        let mut images = RowImages::new();
        if quick_image(&bytes, &mut images).is_some() {
            let decoded = checked(&bytes, "RowValue", |mut m| {
                let mut images = RowImages::new();
                while let Some(f) = m.next_field()? {
                    if f.number == 1 {
                        images.push_value(ColumnVal::decode_checked(f.message("ColumnVal")?)?);
                    }
                }
                images.end_image();
                Ok(images)
            });
            prop_assert_eq!(format!("{:?}", Ok::<_, PbError>(images)), decoded);
        }
    }
}

proptest! {
    #[test]
    fn quick_row_changes_agree_with_the_checked_decoder(bytes in change_bytes()) {
        if let Some(rc) = OneRowChange::decode_quick(&bytes) {
            let decoded =
                checked(&bytes, "ProtobufOneRowChange", OneRowChange::decode_checked);
            prop_assert_eq!(format!("{:?}", Ok::<_, PbError>(rc)), decoded);
        }
    }
}

#[test]
fn the_usual_shapes_are_read_quickly() {
    let mut w = Writer::new();
    let text = ColumnVal {
        string_value: Some("GMT"),
        long_value: Some(-5),
        int_value: Some(7),
        ..ColumnVal::empty(ValueType::Date)
    };
    text.encode(&mut w);
    let bytes = w.into_bytes();
    assert_eq!(ColumnVal::decode_quick(&bytes), Some(text));
    let mut w = Writer::new();
    let spec = ColumnSpec {
        index: 3,
        name: Some("c"),
        sql_type: -5,
        signed: false,
        length: 8,
        not_null: true,
        type_description: None,
    };
    spec.encode(&mut w);
    assert_eq!(ColumnSpec::decode_quick(&w.into_bytes()), Some(spec));
}

#[test]
fn value_types_by_code() {
    use ValueType::*;
    let all = [
        Int,
        Long,
        Float,
        Double,
        String,
        Timestamp,
        Bit,
        Time,
        Date,
        Blob,
        Null,
        Decimal,
        BinaryString,
    ];
    for t in all {
        assert_eq!(ValueType::from_code(t as i32), Some(t));
    }
    for code in [i32::MIN, -1, 0, 14, i32::MAX] {
        assert_eq!(ValueType::from_code(code), None);
    }
}

#[test]
fn row_images_keep_their_bounds() {
    let v = |n| ColumnVal {
        int_value: Some(n),
        ..ColumnVal::empty(ValueType::Int)
    };
    let images: RowImages<'_> = [vec![v(1), v(2)], vec![], vec![v(3)]].into_iter().collect();
    assert_eq!((images.len(), images.values().len()), (3, 3));
    assert_eq!(images.get(0), Some(&[v(1), v(2)][..]));
    assert_eq!(images.get(1), Some(&[][..]));
    assert_eq!(images[2], [v(3)]);
    assert_eq!(images.get(3), None);
    let sizes: Vec<usize> = images.iter().map(<[_]>::len).collect();
    assert_eq!((sizes, images.iter().len()), (vec![2, 0, 1], 3));
}

#[test]
fn row_images_of_one_width_and_then_another() {
    let v = |n| ColumnVal {
        int_value: Some(n),
        ..ColumnVal::empty(ValueType::Int)
    };
    let widths = |images: &RowImages<'_>| images.iter().map(<[_]>::len).collect::<Vec<_>>();
    // Images of one width, then (pushed one by one) one of another width.
    let mut images: RowImages<'_> = [vec![v(1), v(2)], vec![v(3), v(4)]].into_iter().collect();
    assert_eq!(widths(&images), [2, 2]);
    assert_eq!(
        (images.get(1), images.get(2)),
        (Some(&[v(3), v(4)][..]), None)
    );
    images.push([v(5)]);
    images.push([v(6), v(7)]);
    assert_eq!(widths(&images), [2, 2, 1, 2]);
    assert_eq!(images[2], [v(5)]);
    assert_eq!(images[3], [v(6), v(7)]);
    let again: RowImages<'_> = images.iter().map(<[_]>::to_vec).collect();
    assert_eq!(again, images);
    // Empty images only.
    let empty: RowImages<'_> = [vec![], vec![]].into_iter().collect();
    assert_eq!(
        (widths(&empty), empty.get(1), empty.get(2)),
        (vec![0, 0], Some(&[][..]), None)
    );
}
