//! RFC 8785 (JCS) canonical JSON for the value shapes the ledger uses: objects, arrays,
//! strings, booleans, null and integers within ±(2^53−1). Floats are refused, so every event
//! has exactly one byte encoding.

use serde_json::Value;

/// The largest integer JCS represents exactly.
pub const MAX_SAFE: i64 = (1 << 53) - 1;

/// A value that has no canonical form here.
#[derive(Debug, thiserror::Error)]
pub enum CanonicalError {
    /// A non-integer or out-of-range number.
    #[error("number {0} is not an integer within ±(2^53−1)")]
    Number(String),
}

/// Serialize `value` canonically.
pub fn to_vec(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::with_capacity(256);
    write(value, &mut out)?;
    Ok(out)
}

fn write(value: &Value, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => {
            let int = n.as_i64().filter(|i| (-MAX_SAFE..=MAX_SAFE).contains(i));
            match int {
                Some(i) => out.extend_from_slice(i.to_string().as_bytes()),
                None => return Err(CanonicalError::Number(n.to_string())),
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(item, out)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            // JCS orders keys by their UTF-16 code units.
            entries.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push(b'{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(key, out);
                out.push(b':');
                write(item, out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{08}' => out.extend_from_slice(b"\\b"),
            '\u{0c}' => out.extend_from_slice(b"\\f"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 => out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes()),
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_keys_by_utf16_and_escapes_like_jcs() {
        // Key order example from RFC 8785 §3.2.3 (UTF-16 order, not UTF-8 byte order).
        let v = json!({"\u{20ac}": "Euro Sign", "\r": "Carriage Return", "\u{fb33}": "Hebrew Letter Dalet With Dagesh",
                       "1": "One", "\u{1f600}": "Emoji: Grinning Face", "\u{0080}": "Control", "\u{00f6}": "Latin Small Letter O With Diaeresis"});
        let got = String::from_utf8(to_vec(&v).unwrap()).unwrap();
        let order: Vec<&str> = ["\\r", "1", "\u{0080}", "\u{00f6}", "\u{20ac}", "\u{1f600}", "\u{fb33}"].to_vec();
        let mut last = 0;
        for key in order {
            let at = got.find(&format!("\"{key}\":")).unwrap();
            assert!(at >= last, "{key} out of order in {got}");
            last = at;
        }
        assert_eq!(
            String::from_utf8(to_vec(&json!({"b": [1, -2, true, null], "a": "x\u{1}\"\\/é"})).unwrap()).unwrap(),
            r#"{"a":"x\u0001\"\\/é","b":[1,-2,true,null]}"#
        );
    }

    #[test]
    fn rfc_8785_section_3_2_2_strings_and_literals() {
        // The RFC's §3.2.2 example without its numbers (this subset refuses floats).
        let input = r#"{"string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/", "literals": [null, true, false]}"#;
        let value: Value = serde_json::from_str(input).unwrap();
        let expected = r#"{"literals":[null,true,false],"string":"€$\u000f\nA'B\"\\\\\"/"}"#;
        assert_eq!(String::from_utf8(to_vec(&value).unwrap()).unwrap(), expected);
    }

    #[test]
    fn refuses_floats_and_unsafe_integers() {
        assert!(to_vec(&json!(1.5)).is_err());
        assert!(to_vec(&json!(MAX_SAFE + 1)).is_err());
        assert!(to_vec(&json!(u64::MAX)).is_err());
        assert_eq!(to_vec(&json!(-MAX_SAFE)).unwrap(), b"-9007199254740991".to_vec());
    }
}
