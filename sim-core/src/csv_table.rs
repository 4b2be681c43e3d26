//! Every CSV table goes through the `csv` crate with serde row types, so a table's
//! header and its columns have one definition (the row type's field names), and one
//! implementation quotes free text (variant labels, node names, reasons) on the way out
//! and reads it back in `merge` (RFC 4180: commas, quotes and line breaks in a field).
//!
//! Most tables are one struct per row ([`serde_csv`]). Some have columns whose *names
//! are data*: a sweep's axes (runs.csv, summary.csv and improvements.csv take one column
//! per axis, named in the sweep file) and the crypto primitives of nodes.csv (one column
//! per `Prim`, named by `Prim::name`). No struct can name those columns at compile time,
//! so such a row is a [`Split`] row: a fixed head struct, the data-named middle, a fixed
//! tail struct. Its header is the head's field names, the middle's names, the tail's
//! field names; each part still has one definition, and the reader splits a record the
//! same way and deserializes head and tail into the same types.
//!
//! Numbers whose text matters (times to the nanosecond, metric values) are formatted by
//! the caller into strings, so the text does not depend on how the crate prints a float.

use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A CSV writer into memory (the tables are written whole, then atomically).
fn writer(headers: bool, capacity: usize) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .has_headers(headers)
        .from_writer(Vec::with_capacity(capacity))
}

/// The text a writer wrote (every field was UTF-8 text or a number).
pub(crate) fn text(w: csv::Writer<Vec<u8>>) -> String {
    // Writing to memory only fails on allocation, which aborts anyway.
    let bytes = w.into_inner().expect("CSV written to memory");
    String::from_utf8(bytes).expect("CSV of UTF-8 fields")
}

/// CSV text of serde rows, the header from the row type's field names. The header is
/// written even with no rows (the `csv` crate writes it with the first row).
pub fn serde_csv<T: Serialize + Default>(rows: impl IntoIterator<Item = T>) -> String {
    let mut w = writer(true, 0);
    let mut empty = true;
    for r in rows {
        w.serialize(r).expect("CSV written to memory");
        empty = false;
    }
    if empty {
        return header_line::<T>();
    }
    text(w)
}

/// A writer of many rows of one serde type (`auth.csv`: millions of rows, written with
/// buffers the caller reuses); the header comes from the type with the first row, or
/// from `T` when there is none.
pub struct RowWriter<T> {
    w: csv::Writer<Vec<u8>>,
    empty: bool,
    _rows: PhantomData<fn(&T)>,
}

impl<T: Serialize + Default> RowWriter<T> {
    /// A writer with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            w: writer(true, capacity),
            empty: true,
            _rows: PhantomData,
        }
    }

    /// Appends a row. `R` is `T` with the lifetime of this row's borrowed buffers
    /// (the csv crate writes the header from the first row's field names).
    pub fn row<R: Serialize>(&mut self, row: R) {
        self.w.serialize(row).expect("CSV written to memory");
        self.empty = false;
    }

    pub fn into_text(self) -> String {
        if self.empty {
            return header_line::<T>();
        }
        text(self.w)
    }
}

/// The header line of a row type (its field names, then a line break).
fn header_line<T: Serialize + Default>() -> String {
    let mut w = writer(true, 0);
    w.serialize(T::default()).expect("CSV written to memory");
    let one = text(w);
    // Field names are Rust identifiers: no quoting, no line break inside.
    one.split_inclusive('\n').next().unwrap_or("").to_string()
}

/// The field names of a row type: its part of a header.
pub fn header_of<T: Serialize + Default>() -> Vec<String> {
    let line = header_line::<T>();
    let line = line.trim_end_matches('\n');
    if line.is_empty() {
        return Vec::new();
    }
    line.split(',').map(str::to_string).collect()
}

/// A table whose rows are a head struct `H`, a middle of data-named columns and a tail
/// struct `T` (see the module docs).
pub struct Split<H, T> {
    w: csv::Writer<Vec<u8>>,
    _rows: PhantomData<fn(&H, &T)>,
}

impl<H: Serialize + Default, T: Serialize + Default> Split<H, T> {
    /// A table starting with its header: `H`'s field names, `middle`, `T`'s field names.
    pub fn new<'a>(middle: impl IntoIterator<Item = &'a str>) -> Self {
        let mut s = Self::headerless();
        s.w.write_record(Self::header(middle))
            .expect("CSV written to memory");
        s
    }

    /// The header fields for the given middle column names.
    pub fn header<'a>(middle: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        let mut h = header_of::<H>();
        h.extend(middle.into_iter().map(str::to_string));
        h.extend(header_of::<T>());
        h
    }

    /// The header as a CSV line.
    pub fn header_text<'a>(middle: impl IntoIterator<Item = &'a str>) -> String {
        let mut s = Self::headerless();
        s.w.write_record(Self::header(middle))
            .expect("CSV written to memory");
        s.into_text()
    }

    /// Rows only (a run's block of runs.csv, appended after the header).
    pub fn headerless() -> Self {
        Self {
            w: writer(false, 0),
            _rows: PhantomData,
        }
    }

    /// Appends one row; `middle` is a sequence of fields (one per middle column).
    pub fn row<M: Serialize>(&mut self, head: &H, middle: M, tail: &T) {
        self.w
            .serialize((head, middle, tail))
            .expect("CSV written to memory");
    }

    pub fn into_text(self) -> String {
        text(self.w)
    }
}

/// One record of a [`Split`] table as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitRecord<H, T> {
    /// The line the record starts on (1-based; a quoted field may span lines).
    pub line: usize,
    pub head: H,
    pub middle: Vec<String>,
    pub tail: T,
}

/// A record that does not fit its table.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReadError {
    /// Not valid CSV (the `csv` crate's message).
    #[error("{0}")]
    Csv(String),
    #[error("line {line}: expected {expected} fields, got {got}")]
    Fields {
        line: usize,
        expected: usize,
        got: usize,
    },
    #[error("line {line}: bad {column} `{text}`")]
    Field {
        line: usize,
        column: String,
        text: String,
    },
}

/// Reads a [`Split`] table with `middle` data-named columns: a header line, then records
/// (a quoted field may span lines). The header line is not checked here: the caller
/// knows which file it reads; the field count of every record is.
pub fn read_split<H, T>(text: &str, middle: usize) -> Result<Vec<SplitRecord<H, T>>, ReadError>
where
    H: Serialize + Default + DeserializeOwned,
    T: Serialize + Default + DeserializeOwned,
{
    let head_names = csv::StringRecord::from(header_of::<H>());
    let tail_names = csv::StringRecord::from(header_of::<T>());
    let expected = head_names.len() + middle + tail_names.len();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| ReadError::Csv(e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        if rec.len() != expected {
            return Err(ReadError::Fields {
                line,
                expected,
                got: rec.len(),
            });
        }
        let head = part(&rec, 0, &head_names, line)?;
        let tail = part(&rec, head_names.len() + middle, &tail_names, line)?;
        let middle = rec
            .iter()
            .skip(head_names.len())
            .take(middle)
            .map(str::to_string)
            .collect();
        out.push(SplitRecord {
            line,
            head,
            middle,
            tail,
        });
    }
    Ok(out)
}

/// Deserializes the fields `from..from + names.len()` of `rec` as a row type.
fn part<X: DeserializeOwned>(
    rec: &csv::StringRecord,
    from: usize,
    names: &csv::StringRecord,
    line: usize,
) -> Result<X, ReadError> {
    let fields: csv::StringRecord = rec.iter().skip(from).take(names.len()).collect();
    fields.deserialize(Some(names)).map_err(|e| {
        let i = match e.kind() {
            csv::ErrorKind::Deserialize { err, .. } => err.field(),
            _ => None,
        }
        .map_or(0, |i| i as usize);
        ReadError::Field {
            line,
            column: names.get(i).unwrap_or("?").to_string(),
            text: fields.get(i).unwrap_or("").to_string(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Serialize, Deserialize, Default, Debug, Clone, PartialEq)]
    struct Head {
        run: usize,
        label: String,
    }

    #[derive(Serialize, Deserialize, Default, Debug, Clone, PartialEq)]
    struct Tail {
        metric: String,
        value: f64,
    }

    #[test]
    fn headers_come_from_the_row_types() {
        assert_eq!(header_of::<Head>(), ["run", "label"]);
        assert_eq!(
            Split::<Head, Tail>::header_text(["n", "rate"]),
            "run,label,n,rate,metric,value\n"
        );
        assert_eq!(serde_csv(std::iter::empty::<Tail>()), "metric,value\n");
    }

    #[test]
    fn split_rows_round_trip_hostile_text() {
        let label = "EPS, \"quoted\"\nsecond line";
        let mut t = Split::<Head, Tail>::new(["n"]);
        let head = Head {
            run: 3,
            label: label.into(),
        };
        let tail = Tail {
            metric: "a,b".into(),
            value: 1.5,
        };
        t.row(&head, ["1,2"], &tail);
        let text = t.into_text();
        assert_eq!(
            text,
            "run,label,n,metric,value\n3,\"EPS, \"\"quoted\"\"\nsecond line\",\"1,2\",\"a,b\",1.5\n"
        );
        let rows = read_split::<Head, Tail>(&text, 1).unwrap();
        assert_eq!(
            rows,
            [SplitRecord {
                line: 2,
                head,
                middle: vec!["1,2".into()],
                tail
            }]
        );
    }

    #[test]
    fn bad_records_name_line_and_column() {
        let text = "run,label,n,metric,value\n1,a,2,m,x\n";
        assert_eq!(
            read_split::<Head, Tail>(text, 1),
            Err(ReadError::Field {
                line: 2,
                column: "value".into(),
                text: "x".into()
            })
        );
        let text = "run,label,n,metric,value\n1,a,2,m\n";
        assert_eq!(
            read_split::<Head, Tail>(text, 1),
            Err(ReadError::Fields {
                line: 2,
                expected: 5,
                got: 4
            })
        );
    }
}
