//! docs/sweep-format.md names every key the sweep parser accepts: the keys
//! are read from the serde types themselves, so a new field without a line
//! in the reference fails here.

use serde::de::{self, Deserialize, Deserializer, Visitor};

use authsim_sim::sweep::{
    Axis, Compare, PlotKind, PlotSpec, ReferenceSeries, SweepFile, SweepOutputs, SweepSpec, Variant,
};

/// A deserializer that only records the field names (or variant names) a
/// type asks for, then stops with an error.
struct Names<'a>(&'a mut Vec<&'static str>);

#[derive(Debug)]
struct Stop;

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("names recorded")
    }
}

impl std::error::Error for Stop {}

impl de::Error for Stop {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Stop
    }
}

impl<'de> Deserializer<'de> for Names<'_> {
    type Error = Stop;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Stop> {
        self.0.extend(fields);
        Err(Stop)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        variants: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Stop> {
        self.0.extend(variants);
        Err(Stop)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map identifier ignored_any
    }
}

fn names<'de, T: Deserialize<'de>>() -> Vec<&'static str> {
    let mut v = Vec::new();
    let _ = T::deserialize(Names(&mut v));
    assert!(
        !v.is_empty(),
        "{} recorded no names",
        std::any::type_name::<T>()
    );
    v
}

#[test]
fn sweep_format_doc_names_every_key() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/sweep-format.md"
    ))
    .expect("docs/sweep-format.md");
    let mut keys = Vec::new();
    keys.extend(names::<SweepFile>());
    keys.extend(names::<SweepSpec>());
    keys.extend(names::<Variant>());
    keys.extend(names::<Axis>());
    keys.extend(names::<Compare>());
    keys.extend(names::<PlotSpec>());
    keys.extend(names::<ReferenceSeries>());
    keys.extend(names::<SweepOutputs>());
    assert!(
        keys.contains(&"log_y") && keys.contains(&"bind"),
        "{keys:?}"
    );
    // Keys as they appear in the tables: `key` in backticks.
    let missing: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| !doc.contains(&format!("`{k}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/sweep-format.md does not name: {missing:?}"
    );
    // Plot kinds as written in TOML (snake_case).
    for kind in names::<PlotKind>() {
        let toml = kind.to_lowercase();
        assert!(doc.contains(&format!("`\"{toml}\"`")), "plot kind {toml}");
    }
}
