//! What a transaction costs to apply (spec §3.1): a proxy, so rankings of policies are
//! more reliable than absolute speed-ups.

use std::fmt;

use super::record::TxnRecord;

/// Rows per cost unit of the `rows` model unless another is given (spec §3.1).
pub const DEFAULT_ROWS_PER_UNIT: u64 = 100;

/// Bytes per cost unit of the `bytes` model unless another is given: a kilobyte of THL
/// weighs as much as the fixed cost of a transaction (commit, round trips).
pub const DEFAULT_BYTES_PER_UNIT: u64 = 1000;

/// A cost model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostModel {
    /// Every transaction costs 1.
    Unit,
    /// `1 + rows / per`.
    Rows {
        /// Rows per unit.
        per: u64,
    },
    /// `1 + bytes / per` (bytes of THL records).
    Bytes {
        /// Bytes per unit.
        per: u64,
    },
}

impl Default for CostModel {
    fn default() -> Self {
        CostModel::Bytes {
            per: DEFAULT_BYTES_PER_UNIT,
        }
    }
}

impl CostModel {
    /// `unit`, `rows`, `bytes`, or `rows:K` / `bytes:K` with K units per cost unit.
    pub fn parse(text: &str) -> Option<CostModel> {
        let (name, per) = match text.split_once(':') {
            Some((name, per)) => (name, Some(per.parse::<u64>().ok().filter(|&k| k > 0)?)),
            None => (text, None),
        };
        match name {
            "unit" if per.is_none() => Some(CostModel::Unit),
            "rows" => Some(CostModel::Rows {
                per: per.unwrap_or(DEFAULT_ROWS_PER_UNIT),
            }),
            "bytes" => Some(CostModel::Bytes {
                per: per.unwrap_or(DEFAULT_BYTES_PER_UNIT),
            }),
            _ => None,
        }
    }

    /// The cost of one transaction.
    pub fn cost(&self, record: &TxnRecord) -> f64 {
        match *self {
            CostModel::Unit => 1.0,
            CostModel::Rows { per } => 1.0 + record.rows as f64 / per as f64,
            CostModel::Bytes { per } => 1.0 + record.bytes as f64 / per as f64,
        }
    }
}

impl fmt::Display for CostModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CostModel::Unit => f.write_str("unit (1 per transaction)"),
            CostModel::Rows { per } => write!(f, "rows (1 + rows/{per})"),
            CostModel::Bytes { per } => write!(f, "bytes (1 + bytes/{per})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_and_their_names() {
        let record = TxnRecord {
            rows: 250,
            bytes: 3500,
            ..TxnRecord::default()
        };
        assert_eq!(CostModel::parse("unit").unwrap().cost(&record), 1.0);
        assert_eq!(CostModel::parse("rows").unwrap().cost(&record), 3.5);
        assert_eq!(CostModel::parse("rows:50").unwrap().cost(&record), 6.0);
        assert_eq!(CostModel::default().cost(&record), 4.5);
        assert_eq!(CostModel::parse("bytes:0"), None);
        assert_eq!(CostModel::parse("unit:3"), None);
        assert_eq!(CostModel::parse("time"), None);
        assert_eq!(CostModel::default().to_string(), "bytes (1 + bytes/1000)");
    }
}
