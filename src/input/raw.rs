//! The topology and plan files exactly as written, before any checking.
//!
//! These types mirror the YAML one to one (SPEC section 2 and 3). Values that
//! later checks may complain about are wrapped in [`At`] so the complaint
//! can name the line and column. Turning them into the checked, frozen model
//! is the job of [`crate::model::build`] and [`crate::plan`].

use std::collections::BTreeMap;
use std::fmt;

use compact_str::CompactString;

use crate::error::Pos;
use crate::input::json;
use crate::number::{Exact, NumberProblem, parse_decimal};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A value and the line and column where it was written. It is read through
/// serde-saphyr's `Spanned`, which keeps two full locations (64 bytes around
/// an 8-byte number); a large topology keeps only what messages need.
#[derive(Debug, Clone)]
pub struct At<T> {
    pub value: T,
    pub pos: Pos,
}

impl<T> At<T> {
    /// A value that was not read from a file (an `--op` string).
    pub fn unplaced(value: T) -> Self {
        At {
            value,
            pos: Pos::from(serde_saphyr::Location::UNKNOWN),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for At<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if let Some((pos, _)) = json::value_start() {
            let value = T::deserialize(deserializer)?;
            return Ok(At { value, pos });
        }
        let spanned = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        Ok(At {
            value: spanned.value,
            pos: Pos::from(spanned.referenced),
        })
    }
}

/// A number as written (SPEC section 2): its exact value, or what is wrong
/// with it, for the reader to report with its place and field name.
///
/// YAML hands a plain scalar such as `2.5` over as a binary float, which
/// cannot hold every decimal; such a value keeps where its text is, and
/// [`RawNumber::finish`] reads the text exactly once the source is at hand.
#[derive(Debug, Clone)]
pub struct RawNumber {
    pub value: Result<Exact, NumberProblem>,
    pub pos: Pos,
    /// Byte range of a scalar the parser read as a float.
    float_text: Option<(usize, usize)>,
}

impl RawNumber {
    /// A number that was not read from a file (an `--op` value).
    pub fn from_text(text: &str) -> RawNumber {
        RawNumber {
            value: parse_decimal(text),
            pos: Pos::default(),
            float_text: None,
        }
    }

    /// Reads a float scalar's value exactly from its text in `source`.
    pub fn finish(&mut self, source: &str) {
        if let Some((start, len)) = self.float_text.take()
            && let Some(text) = start.checked_add(len).and_then(|end| source.get(start..end))
        {
            self.value = parse_decimal(text);
        }
    }

    /// A number read by YAML, at `at`.
    fn from_scalar(scalar: Scalar, at: &serde_saphyr::Location) -> RawNumber {
        let span = at.span();
        let text = span
            .byte_offset()
            .zip(span.byte_len())
            .and_then(|(o, l)| Some((usize::try_from(o).ok()?, usize::try_from(l).ok()?)));
        RawNumber::read(scalar, Pos::from(*at), text)
    }

    /// A number as read, at `pos`; `text` is the byte range of its token,
    /// read again exactly when the parser made it a float.
    fn read(scalar: Scalar, pos: Pos, text: Option<(usize, usize)>) -> RawNumber {
        let (value, float_text) = match scalar {
            Scalar::Read(value) => (value, None),
            Scalar::Float(f) => (
                // The shortest text that reads back as `f`; replaced by the
                // real text in `finish`.
                if f.is_finite() {
                    parse_decimal(&format!("{f}"))
                } else {
                    Err(NumberProblem::NotANumber)
                },
                text,
            ),
        };
        RawNumber { value, pos, float_text }
    }
}

/// A scalar where a number belongs.
enum Scalar {
    Read(Result<Exact, NumberProblem>),
    Float(f64),
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar::Read(parse_decimal(&v.to_string())))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Read(parse_decimal(&v.to_string())))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Read(parse_decimal(v)))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Scalar, E> {
        Ok(Scalar::Read(Err(NumberProblem::NotANumber)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Read(Err(NumberProblem::NotANumber)))
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

impl<'de> Deserialize<'de> for RawNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if let Some((pos, at)) = json::value_start() {
            return Ok(RawNumber::read(
                Scalar::deserialize(deserializer)?,
                pos,
                json::number_token(at),
            ));
        }
        let spanned = serde_saphyr::Spanned::<Scalar>::deserialize(deserializer)?;
        Ok(RawNumber::from_scalar(spanned.value, &spanned.referenced))
    }
}

impl JsonSchema for RawNumber {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Number".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        number_schema(
            "A non-negative number, at most 1e15, with at most 6 digits after the point.",
            json_schema!({ "minimum": 0 }),
        )
    }
}

/// A map whose keys must be unique. YAML's parser refuses a repeated key
/// itself; JSON's keeps the last, which would hide a typo.
pub fn unique_keys<'de, D: Deserializer<'de>, V: Deserialize<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, V>, D::Error> {
    struct Unique<V>(std::marker::PhantomData<V>);
    impl<'de, V: Deserialize<'de>> Visitor<'de> for Unique<V> {
        type Value = BTreeMap<String, V>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a mapping")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                let value = map.next_value()?;
                if out.contains_key(&key) {
                    return Err(de::Error::custom(format!("duplicate key `{key}`")));
                }
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_map(Unique(std::marker::PhantomData))
}

/// What the number reader accepts written as a string (`"2.5"`, `"0x10"`);
/// the loader checks the value, the schema only the shape.
const NUMBER_TEXT: &str = r"^\s*[+-]?(0x[0-9a-fA-F]+|0o[0-7]+|([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?)\s*$";

/// A number schema with `bounds` (`minimum`, `exclusiveMinimum`,
/// `maximum`) on top of the format's limits.
fn number_schema(description: &str, bounds: Schema) -> Schema {
    let mut number = json_schema!({ "type": "number", "maximum": 1e15 });
    if let Some(bounds) = bounds.as_object() {
        for (key, value) in bounds {
            number.insert(key.clone(), value.clone());
        }
    }
    json_schema!({
        "description": description,
        "anyOf": [number, { "type": "string", "pattern": NUMBER_TEXT }]
    })
}

/// `collapse_at`: above 1.
fn collapse_at_schema(_: &mut SchemaGenerator) -> Schema {
    number_schema(
        "Load/capacity at or above which the component is down, not just degraded; above 1.",
        json_schema!({ "exclusiveMinimum": 1 }),
    )
}

/// `guard.max_step_percent`: a percentage.
fn step_percent_schema(_: &mut SchemaGenerator) -> Schema {
    number_schema(
        "The largest share of its capacity (0 to 100) one removal may take.",
        json_schema!({ "minimum": 0, "maximum": 100 }),
    )
}

/// A failover's `when`: `at_risk` is refused, a component at risk still serves.
fn failover_when_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "At or above this status its load moves (default `down`).",
        "enum": ["degraded", "down"]
    })
}

/// A surge's `factor`: at least 1.
fn factor_schema(_: &mut SchemaGenerator) -> Schema {
    number_schema(
        "The target's load times this while the surge acts (at least 1).",
        json_schema!({ "minimum": 1 }),
    )
}

/// Schema-only types for strings the loader checks.
macro_rules! string_schema {
    ($name:ident, $title:literal, $schema:tt) => {
        pub struct $name;
        impl JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                $title.into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($schema)
            }
        }
    };
}

string_schema!(IdText, "Id", {
    "description": "An id: letters, digits and . _ : / -, unique in the whole file.",
    "type": "string",
    "pattern": "^[A-Za-z0-9._:/-]+$"
});

string_schema!(LineText, "Text", {
    "description": "Free text on one line (tabs allowed, no control characters).",
    "type": "string",
    "pattern": "^[^\\u0000-\\u0008\\u000A-\\u001F\\u007F-\\u009F]*$"
});

string_schema!(MultilineText, "MultilineText", {
    "description": "Free text; line breaks and tabs allowed, no other control characters.",
    "type": "string",
    "pattern": "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$"
});

string_schema!(DurationText, "Duration", {
    "description": "A duration such as `45s`, `90m`, `4h` or `1h30m`.",
    "type": "string",
    "pattern": "^\\s*([0-9]+(\\.[0-9]+)?\\s*(nanos|nsec|ns|usec|us|µs|millis|msec|ms|seconds|second|secs|sec|s|minutes|minute|mins|min|m|hours|hour|hrs|hr|h|days|day|d|weeks|week|wks|wk|w|months|month|M|years|year|yrs|yr|y)\\s*)+$"
});

/// Anything holding numbers whose exact value may still need the source text.
pub trait FinishNumbers {
    fn finish_numbers(&mut self, source: &str);
}

impl FinishNumbers for RawNumber {
    fn finish_numbers(&mut self, source: &str) {
        self.finish(source);
    }
}

impl<T: FinishNumbers> FinishNumbers for Option<T> {
    fn finish_numbers(&mut self, source: &str) {
        if let Some(x) = self {
            x.finish_numbers(source);
        }
    }
}

impl<T: FinishNumbers> FinishNumbers for Vec<T> {
    fn finish_numbers(&mut self, source: &str) {
        for x in self {
            x.finish_numbers(source);
        }
    }
}

impl<T: FinishNumbers> FinishNumbers for At<T> {
    fn finish_numbers(&mut self, source: &str) {
        self.value.finish_numbers(source);
    }
}

/// The section a component was declared in; it decides what it can be used as
/// (only data stores can be a `state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Service,
    S3Subsystem,
    LoadBalancer,
    DataStore,
    App,
}

impl Section {
    pub fn default_kind(self) -> &'static str {
        match self {
            Section::Service => "service",
            Section::S3Subsystem => "s3_subsystem",
            Section::LoadBalancer => "load_balancer",
            Section::DataStore => "data_store",
            Section::App => "app",
        }
    }
}

/// What `blast schema` prints: the topology format, with an `$id`.
pub fn topology_schema() -> Schema {
    let mut schema = schemars::schema_for!(RawTopology);
    schema.insert("$id".to_string(), "urn:blast-radius:schema:topology:1".into());
    schema
}

/// What `blast schema --plan` prints: the plan file format.
pub fn plan_schema() -> Schema {
    let mut schema = schemars::schema_for!(RawPlan);
    schema.insert("$id".to_string(), "urn:blast-radius:schema:plan:1".into());
    schema
}

/// The top-level keys of a topology, in the order the schema lists them.
pub const TOPOLOGY_KEYS: &[&str] = &[
    "version",
    "name",
    "description",
    "regions",
    "services",
    "s3_subsystems",
    "load_balancers",
    "data_stores",
    "customers",
    "scenarios",
];

/// A whole topology file, for `blast schema`. The loader does not build this
/// value: [`crate::input::document`] reads the same keys ([`TOPOLOGY_KEYS`]) and hands
/// each section's entries to the builder as they are read.
#[derive(Debug, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    rename = "Topology",
    description = "A blast-radius topology (format version 1): regions and zones, the components a provider runs, customers and their apps, and named scenarios. See the README of blast-radius."
)]
pub struct RawTopology {
    /// The format version: `1`.
    #[schemars(with = "u64", extend("const" = 1))]
    pub version: At<u64>,
    /// A name for reports, e.g. `us-east-1 (illustrative)`.
    #[serde(default)]
    #[schemars(with = "Option<LineText>")]
    pub name: Option<String>,
    /// What the topology models.
    #[serde(default)]
    #[schemars(with = "Option<MultilineText>")]
    pub description: Option<String>,
    /// Regions and their zones; zone ids are unique in the file.
    #[serde(default)]
    pub regions: Vec<RawRegion>,
    /// Anything the provider runs: networks, APIs, monitoring... (default kind `service`).
    #[serde(default)]
    pub services: Vec<RawComponent>,
    /// S3-like subsystems (default kind `s3_subsystem`).
    #[serde(default)]
    pub s3_subsystems: Vec<RawComponent>,
    /// Load balancers (default kind `load_balancer`).
    #[serde(default)]
    pub load_balancers: Vec<RawComponent>,
    /// Data stores, the only components that can be a `state` (default kind `data_store`).
    #[serde(default)]
    pub data_stores: Vec<RawComponent>,
    /// Customers and their apps.
    #[serde(default)]
    pub customers: Vec<RawCustomer>,
    /// Named plans shipped with the topology, run with `blast check --scenario NAME`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<LineText, RawPlan>")]
    pub scenarios: BTreeMap<String, At<RawPlan>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Region")]
pub struct RawRegion {
    /// The region's id (shares the id space with components and customers).
    #[schemars(with = "IdText")]
    pub id: At<String>,
    /// A display name.
    #[serde(default)]
    #[schemars(with = "Option<LineText>")]
    pub name: Option<String>,
    /// Its zones: at least one, each id unique in the whole file.
    #[schemars(with = "Vec<IdText>", length(min = 1), extend("uniqueItems" = true))]
    pub zones: At<Vec<At<String>>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Customer")]
pub struct RawCustomer {
    /// The customer's id (shares the id space with components and regions).
    #[schemars(with = "IdText")]
    pub id: At<CompactString>,
    /// A display name, e.g. `Netflix`.
    #[serde(default)]
    #[schemars(with = "Option<LineText>")]
    pub name: Option<String>,
    /// Its impact (users, revenue: any unit); default 1.
    #[serde(default)]
    pub weight: Option<RawNumber>,
    /// A free label, e.g. `enterprise`.
    #[serde(default)]
    #[schemars(with = "Option<LineText>")]
    pub tier: Option<String>,
    /// Its apps, at least one; apps are components (default kind `app`).
    #[schemars(with = "Vec<RawComponent>", length(min = 1))]
    pub apps: At<Vec<RawComponent>>,
}

// Ids and the names a component refers to are `CompactString`s: short
// enough to be held inline, a million of them are read without an allocation
// each.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Component")]
pub struct RawComponent {
    /// Required; unique in the whole file (components, customers, regions and zones share one id space).
    #[schemars(with = "IdText")]
    pub id: At<CompactString>,
    /// A display name.
    #[serde(default)]
    #[schemars(with = "Option<LineText>")]
    pub name: Option<String>,
    /// A free label (`network`, `database`...); defaults to the section's kind.
    #[serde(default)]
    #[schemars(with = "Option<LineText>")]
    pub kind: Option<CompactString>,
    /// What it is.
    #[serde(default)]
    #[schemars(with = "Option<MultilineText>")]
    pub description: Option<String>,
    /// Its region; without `zones` it is spread over all the region's zones.
    #[serde(default)]
    #[schemars(with = "Option<IdText>")]
    pub region: Option<At<CompactString>>,
    /// The zones its capacity lives in (split evenly unless `capacity` is per zone).
    #[serde(default)]
    #[schemars(with = "Option<Vec<IdText>>", length(min = 1), extend("uniqueItems" = true))]
    pub zones: Option<Vec<At<CompactString>>>,
    /// Serving units (servers, links, Gbps): a number, or a map zone -> number; default one unit per zone.
    #[serde(default)]
    pub capacity: Option<RawCapacity>,
    /// Below this it cannot serve and needs a full restart.
    #[serde(default)]
    pub min_capacity: Option<RawNumber>,
    /// Above this it is down.
    #[serde(default)]
    pub max_capacity: Option<RawNumber>,
    /// Normal demand, in the unit of `capacity`.
    #[serde(default)]
    pub load: Option<RawNumber>,
    /// Load/capacity at or above this: down, not just degraded (above 1).
    #[serde(default)]
    #[schemars(schema_with = "collapse_at_schema")]
    pub collapse_at: Option<RawNumber>,
    /// How long a restart takes: `45s`, `90m`, `4h`, `1h30m`.
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub restart_time: Option<At<String>>,
    /// How long restoring deleted data takes (for data stores).
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub restore_time: Option<At<String>>,
    /// The data store that holds its configuration.
    #[serde(default)]
    #[schemars(with = "Option<IdText>")]
    pub state: Option<At<CompactString>>,
    /// What it needs: ids (hard), `{id, mode}`, `{any_of: [...]}`, `{quorum: K, of: [...]}`.
    #[serde(default)]
    #[schemars(with = "Vec<RawDependency>")]
    pub depends_on: Vec<At<RawDependency>>,
    /// Load its own trouble creates (retries, recovery traffic).
    #[serde(default)]
    #[schemars(with = "Vec<RawSurge>")]
    pub surges: Vec<At<RawSurge>>,
    /// Where its load goes when it is in trouble.
    #[serde(default)]
    #[schemars(with = "Option<RawFailover>")]
    pub failover: Option<At<RawFailover>>,
    /// Safeguards on operations that touch it.
    #[serde(default)]
    pub guard: Option<RawGuard>,
    /// Free labels, matched by `{tags: {...}}` selectors.
    #[serde(default, deserialize_with = "unique_keys")]
    #[schemars(with = "BTreeMap<LineText, LineText>")]
    pub tags: BTreeMap<String, String>,
}

impl FinishNumbers for RawComponent {
    fn finish_numbers(&mut self, source: &str) {
        self.capacity.finish_numbers(source);
        self.min_capacity.finish_numbers(source);
        self.max_capacity.finish_numbers(source);
        self.load.finish_numbers(source);
        self.collapse_at.finish_numbers(source);
        self.surges.finish_numbers(source);
        if let Some(guard) = &mut self.guard {
            guard.max_step_percent.finish_numbers(source);
        }
    }
}

impl FinishNumbers for RawCustomer {
    fn finish_numbers(&mut self, source: &str) {
        self.weight.finish_numbers(source);
        self.apps.finish_numbers(source);
    }
}

/// The threshold of a surge or failover: the status at or above which it acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "When")]
pub enum RawWhen {
    AtRisk,
    Degraded,
    Down,
}

/// Load a component's own trouble creates (SPEC 4.2).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    rename = "Surge",
    description = "Load this component's trouble creates: on itself (client retries) or on `target` (recovery traffic)."
)]
pub struct RawSurge {
    /// At or above this status the surge acts (default `degraded`).
    #[serde(default)]
    pub when: Option<RawWhen>,
    /// Whose load rises (default: the component itself, its clients' retries).
    #[serde(default)]
    pub target: Option<RawSelector>,
    /// The target's load times this (at least 1).
    #[serde(default)]
    #[schemars(schema_with = "factor_schema")]
    pub factor: Option<RawNumber>,
    /// Load added to the target.
    #[serde(default)]
    pub amount: Option<RawNumber>,
}

impl FinishNumbers for RawSurge {
    fn finish_numbers(&mut self, source: &str) {
        self.factor.finish_numbers(source);
        self.amount.finish_numbers(source);
    }
}

/// Where a component's load goes when it is in trouble (SPEC 4.2).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    rename = "Failover",
    description = "Where this component's load goes when it is in trouble; it keeps its own load too."
)]
pub struct RawFailover {
    /// The components that take the load, in proportion to their capacity.
    pub to: RawSelector,
    /// At or above this status its load moves (`degraded` or `down`, default `down`).
    #[serde(default)]
    #[schemars(schema_with = "failover_when_schema")]
    pub when: Option<RawWhen>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Guard")]
pub struct RawGuard {
    /// A step that touches it fails the gate unless approved (`--approve ID` or the plan's `approvals`).
    #[serde(default)]
    pub requires_approval: bool,
    /// The largest share of its capacity (0 to 100) one removal may take.
    #[serde(default)]
    #[schemars(schema_with = "step_percent_schema")]
    pub max_step_percent: Option<RawNumber>,
}

/// `capacity: 300` or `capacity: {use1-az1: 100, use1-az2: 200}`.
#[derive(Debug)]
pub struct RawCapacity {
    pub value: CapacityValue,
    pub pos: Pos,
}

#[derive(Debug)]
pub enum CapacityValue {
    Total(RawNumber),
    PerZone(Vec<(At<String>, RawNumber)>),
}

impl FinishNumbers for RawCapacity {
    fn finish_numbers(&mut self, source: &str) {
        match &mut self.value {
            CapacityValue::Total(n) => n.finish(source),
            CapacityValue::PerZone(zones) => zones.iter_mut().for_each(|(_, n)| n.finish(source)),
        }
    }
}

/// The capacity as the parser hands it over, before its place is attached.
enum CapacityRead {
    Total(Scalar),
    PerZone(Vec<(At<String>, RawNumber)>),
}

impl<'de> Deserialize<'de> for CapacityRead {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CapacityVisitor;
        impl<'de> Visitor<'de> for CapacityVisitor {
            type Value = CapacityRead;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a map from zone to number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<CapacityRead, E> {
                ScalarVisitor.visit_f64(v).map(CapacityRead::Total)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<CapacityRead, E> {
                ScalarVisitor.visit_u64(v).map(CapacityRead::Total)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<CapacityRead, E> {
                ScalarVisitor.visit_i64(v).map(CapacityRead::Total)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<CapacityRead, E> {
                ScalarVisitor.visit_str(v).map(CapacityRead::Total)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<CapacityRead, E> {
                ScalarVisitor.visit_bool(v).map(CapacityRead::Total)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CapacityRead, A::Error> {
                let mut zones = Vec::new();
                while let Some(zone) = map.next_key::<At<String>>()? {
                    zones.push((zone, map.next_value::<RawNumber>()?));
                }
                Ok(CapacityRead::PerZone(zones))
            }
        }
        deserializer.deserialize_any(CapacityVisitor)
    }
}

impl<'de> Deserialize<'de> for RawCapacity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if let Some((pos, at)) = json::value_start() {
            let value = match CapacityRead::deserialize(deserializer)? {
                CapacityRead::Total(scalar) => {
                    CapacityValue::Total(RawNumber::read(scalar, pos, json::number_token(at)))
                }
                CapacityRead::PerZone(zones) => CapacityValue::PerZone(zones),
            };
            return Ok(RawCapacity { value, pos });
        }
        let spanned = serde_saphyr::Spanned::<CapacityRead>::deserialize(deserializer)?;
        let at = spanned.referenced;
        let value = match spanned.value {
            CapacityRead::Total(scalar) => CapacityValue::Total(RawNumber::from_scalar(scalar, &at)),
            CapacityRead::PerZone(zones) => CapacityValue::PerZone(zones),
        };
        Ok(RawCapacity {
            value,
            pos: Pos::from(at),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "Mode")]
pub enum RawMode {
    Hard,
    Soft,
}

/// One entry of `depends_on`: a plain id, `{id, mode}`, `{any_of}` or `{quorum, of}`.
#[derive(Debug)]
pub enum RawDependency {
    /// The id's location is the entry's own span.
    Single { id: CompactString, mode: RawMode },
    Group {
        /// `None` for `any_of` (K = 1).
        quorum: Option<At<u64>>,
        members: Vec<At<CompactString>>,
    },
}

const DEPENDENCY_KEYS: &[&str] = &["id", "mode", "any_of", "quorum", "of"];

/// An unquoted id that YAML reads as a number (`42`, `1e5`, `007`) where an
/// id or a map may stand: its text is gone, so say how to keep it.
fn number_as_id<E: de::Error>(value: impl fmt::Display) -> E {
    E::custom(format!(
        "`{value}` reads as a number here, not an id; quote an id that looks like a number, e.g. \"{value}\""
    ))
}

impl<'de> Deserialize<'de> for RawDependency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DependencyVisitor;
        impl<'de> Visitor<'de> for DependencyVisitor {
            type Value = RawDependency;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a component id, {id, mode}, {any_of: [...]} or {quorum: K, of: [...]}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDependency, E> {
                Ok(RawDependency::Single {
                    id: v.into(),
                    mode: RawMode::Hard,
                })
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawDependency, E> {
                Err(number_as_id(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawDependency, E> {
                Err(number_as_id(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawDependency, E> {
                Err(number_as_id(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawDependency, A::Error> {
                let mut id = None;
                let mut mode = None;
                let mut any_of = None;
                let mut quorum = None;
                let mut of = None;
                // Keys and ids are short: held inline, they cost no allocation.
                while let Some(key) = map.next_key::<CompactString>()? {
                    match key.as_str() {
                        "id" => id = Some(map.next_value::<CompactString>()?),
                        "mode" => mode = Some(map.next_value::<RawMode>()?),
                        "any_of" => any_of = Some(map.next_value::<Vec<At<CompactString>>>()?),
                        "quorum" => quorum = Some(map.next_value::<At<u64>>()?),
                        "of" => of = Some(map.next_value::<Vec<At<CompactString>>>()?),
                        "on" => {
                            return Err(de::Error::custom(
                                "unknown key `on` in a dependency; write `mode: hard` or `mode: soft` (YAML 1.1 tools read `on` as a boolean)",
                            ));
                        }
                        other => return Err(de::Error::unknown_field(other, DEPENDENCY_KEYS)),
                    }
                }
                match (id, any_of, quorum, of) {
                    (Some(id), None, None, None) => Ok(RawDependency::Single {
                        id,
                        mode: mode.unwrap_or(RawMode::Hard),
                    }),
                    (None, Some(members), None, None) if mode.is_none() => {
                        Ok(RawDependency::Group { quorum: None, members })
                    }
                    (None, None, Some(k), Some(members)) if mode.is_none() => Ok(RawDependency::Group {
                        quorum: Some(k),
                        members,
                    }),
                    (None, None, Some(_), None) => Err(de::Error::custom("`quorum` needs `of`: the list of members")),
                    (None, None, None, Some(_)) => {
                        Err(de::Error::custom("`of` needs `quorum`: how many members must be up"))
                    }
                    (None, None, None, None) => Err(de::Error::custom(
                        "a dependency needs `id`, `any_of`, or `quorum` with `of`",
                    )),
                    _ => Err(de::Error::custom(
                        "a dependency is exactly one of: an id (with optional `mode`), `any_of`, or `quorum` with `of`",
                    )),
                }
            }
        }
        deserializer.deserialize_any(DependencyVisitor)
    }
}

/// A selector as written: an id or glob, or a map of attributes.
#[derive(Debug, Clone)]
pub enum RawSelector {
    Pattern(String),
    Attributes(RawSelectorMap),
}

// Hand-written rather than `untagged`, so a bad map key gets serde's
// "unknown field, expected one of" message instead of "no variant matched".
impl<'de> Deserialize<'de> for RawSelector {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SelectorVisitor;
        impl<'de> Visitor<'de> for SelectorVisitor {
            type Value = RawSelector;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an id, a glob such as `s3.*`, or a map of kind, region, zone and tags")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawSelector, E> {
                Ok(RawSelector::Pattern(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<RawSelector, E> {
                Err(E::custom(
                    "expected a selector here (an id, a glob such as `s3.*`, or a map), not an empty value (null)",
                ))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<RawSelector, A::Error> {
                Err(de::Error::custom(
                    "a selector is one id, glob or map, not a list; a glob such as `db.*` matches several",
                ))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawSelector, E> {
                Err(number_as_id(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawSelector, E> {
                Err(number_as_id(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawSelector, E> {
                Err(number_as_id(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawSelector, A::Error> {
                RawSelectorMap::deserialize(de::value::MapAccessDeserializer::new(map)).map(RawSelector::Attributes)
            }
        }
        deserializer.deserialize_any(SelectorVisitor)
    }
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SelectorMap")]
pub struct RawSelectorMap {
    /// Components of this kind.
    #[serde(default)]
    #[schemars(with = "Option<LineText>")]
    pub kind: Option<String>,
    /// Components in this region.
    #[serde(default)]
    #[schemars(with = "Option<IdText>")]
    pub region: Option<String>,
    /// Components with capacity in this zone.
    #[serde(default)]
    #[schemars(with = "Option<IdText>")]
    pub zone: Option<String>,
    /// Components carrying all these tags.
    #[serde(default, deserialize_with = "unique_keys")]
    #[schemars(with = "BTreeMap<LineText, LineText>")]
    pub tags: BTreeMap<String, String>,
}

/// A plan as written (SPEC section 3).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    rename = "Plan",
    description = "An operation plan for `blast check --plan` (or a scenario): steps run in order, on paper."
)]
pub struct RawPlan {
    /// What the plan does, shown in reports.
    #[serde(default)]
    #[schemars(with = "Option<MultilineText>")]
    pub description: Option<String>,
    /// Components approved for `requires_approval` (same as `--approve`).
    #[serde(default)]
    #[schemars(with = "Vec<IdText>")]
    pub approvals: Vec<At<String>>,
    /// The status at which a customer app fails the gate (`--fail-on` overrides).
    #[serde(default)]
    pub fail_on: Option<crate::status::FailOn>,
    /// The steps, run in order; at least one.
    #[schemars(with = "Vec<RawStep>", length(min = 1))]
    pub steps: Vec<At<RawStep>>,
}

/// One step: a map with exactly one key, the step kind. Read by hand (see
/// below) so that every malformed step gets a message in plain words.
#[derive(Debug, Clone, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[schemars(rename = "Step")]
pub enum RawStep {
    /// Capacity goes down on every match, taken from its live zones in proportion.
    RemoveCapacity(RawCapacityChange),
    /// Capacity goes up; above `max_capacity` the component is down.
    AddCapacity(RawCapacityChange),
    /// The matches are down.
    Fail(RawTargetOnly),
    /// The matches are down until waits adding up to their `restart_time` have passed.
    Restart(RawTargetOnly),
    /// Every component loses the capacity it holds in the zone.
    FailZone(RawFailZone),
    /// Every component loses the capacity it holds in the region's zones.
    FailRegion(RawFailRegion),
    /// Load multiplied (`factor`) or raised (`amount`).
    AddLoad(RawAddLoad),
    /// A share of every `from` match's load moves onto the `to` matches.
    ShiftLoad(RawShiftLoad),
    /// The store is degraded; owners whose `state` it is lose their configuration.
    DeleteData(RawDeleteData),
    /// Time passes: restarts run down their clock.
    Wait(RawWait),
}

/// The step kinds as written in plan files, in the order of [`RawStep`].
const STEP_KINDS: &[&str] = &[
    "remove_capacity",
    "add_capacity",
    "fail",
    "restart",
    "fail_zone",
    "fail_region",
    "add_load",
    "shift_load",
    "delete_data",
    "wait",
];

/// What a step looks like, for messages about one that does not.
const STEP_EXAMPLE: &str = "a step is a mapping with one key, its kind, e.g. `- fail: {target: db.a}`";

impl<'de> Deserialize<'de> for RawStep {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StepVisitor;
        impl<'de> Visitor<'de> for StepVisitor {
            type Value = RawStep;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(STEP_EXAMPLE)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawStep, A::Error> {
                let Some(kind) = map.next_key::<StepKey>()? else {
                    return Err(de::Error::custom(format!("the step is empty; {STEP_EXAMPLE}")));
                };
                let step = match kind.0.as_str() {
                    "remove_capacity" => RawStep::RemoveCapacity(map.next_value()?),
                    "add_capacity" => RawStep::AddCapacity(map.next_value()?),
                    "fail" => RawStep::Fail(map.next_value()?),
                    "restart" => RawStep::Restart(map.next_value()?),
                    "fail_zone" => RawStep::FailZone(map.next_value()?),
                    "fail_region" => RawStep::FailRegion(map.next_value()?),
                    "add_load" => RawStep::AddLoad(map.next_value()?),
                    "shift_load" => RawStep::ShiftLoad(map.next_value()?),
                    "delete_data" => RawStep::DeleteData(map.next_value()?),
                    "wait" => RawStep::Wait(map.next_value()?),
                    other => return Err(de::Error::unknown_variant(other, STEP_KINDS)),
                };
                // A second key is refused as it is read, so the message points at it.
                map.next_key::<SecondStepKey>()?;
                Ok(step)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawStep, E> {
                Err(E::custom(format!(
                    "the step `{}` has no fields; write it as a mapping, e.g. `- {}: {{target: db.a}}`",
                    crate::text::shown(v),
                    crate::text::shown(v)
                )))
            }
            fn visit_unit<E: de::Error>(self) -> Result<RawStep, E> {
                Err(E::custom(format!("the step is empty (null); {STEP_EXAMPLE}")))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<RawStep, A::Error> {
                Err(de::Error::custom(format!("a step is not a list; {STEP_EXAMPLE}")))
            }
        }
        deserializer.deserialize_any(StepVisitor)
    }
}

/// A second key in a step, always an error (raised while the parser is on it).
struct SecondStepKey;

impl<'de> Deserialize<'de> for SecondStepKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Refuse;
        impl<'de> Visitor<'de> for Refuse {
            type Value = SecondStepKey;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("no second key")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<SecondStepKey, E> {
                Err(E::custom("a step is a mapping with exactly one key, its kind"))
            }
        }
        deserializer.deserialize_str(Refuse)
    }
}

/// A step's key, which must be a plain word: `? [a, b]` is not a step kind.
struct StepKey(String);

impl<'de> Deserialize<'de> for StepKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = StepKey;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a step kind such as `fail`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StepKey, E> {
                Ok(StepKey(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<StepKey, E> {
                Err(E::custom(format!("a step's key is its kind, not null; {STEP_EXAMPLE}")))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<StepKey, A::Error> {
                Err(de::Error::custom(format!(
                    "a step's key is its kind, not a list; {STEP_EXAMPLE}"
                )))
            }
            fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<StepKey, A::Error> {
                Err(de::Error::custom(format!(
                    "a step's key is its kind, not a mapping; {STEP_EXAMPLE}"
                )))
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

impl FinishNumbers for RawStep {
    fn finish_numbers(&mut self, source: &str) {
        match self {
            RawStep::RemoveCapacity(s) | RawStep::AddCapacity(s) => {
                s.count.finish_numbers(source);
                s.percent.finish_numbers(source);
            }
            RawStep::AddLoad(s) => {
                s.factor.finish_numbers(source);
                s.amount.finish_numbers(source);
            }
            RawStep::ShiftLoad(s) => s.percent.finish_numbers(source),
            RawStep::Fail(_)
            | RawStep::Restart(_)
            | RawStep::FailZone(_)
            | RawStep::FailRegion(_)
            | RawStep::DeleteData(_)
            | RawStep::Wait(_) => {}
        }
    }
}

impl FinishNumbers for RawPlan {
    fn finish_numbers(&mut self, source: &str) {
        self.steps.finish_numbers(source);
    }
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Wait")]
pub struct RawWait {
    /// How long: `45s`, `10m`, `4h`, `1h30m`.
    #[schemars(with = "DurationText")]
    pub duration: At<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "CapacityChange")]
pub struct RawCapacityChange {
    /// The components to act on.
    pub target: RawSelector,
    /// How many units (give `count` or `percent`).
    #[serde(default)]
    pub count: Option<RawNumber>,
    /// A percentage of the capacity just before the step (at most 100 for a removal).
    #[serde(default)]
    pub percent: Option<RawNumber>,
    /// How many components the step must act on directly, else `unexpected_scope`.
    #[serde(default)]
    pub expect_matches: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "TargetOnly")]
pub struct RawTargetOnly {
    /// The components to act on.
    pub target: RawSelector,
    /// How many components the step must act on directly, else `unexpected_scope`.
    #[serde(default)]
    pub expect_matches: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "FailZone")]
pub struct RawFailZone {
    /// The zone that fails.
    #[schemars(with = "IdText")]
    pub zone: String,
    /// How many components must be placed in the zone, else `unexpected_scope`.
    #[serde(default)]
    pub expect_matches: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "FailRegion")]
pub struct RawFailRegion {
    /// The region that fails, all its zones at once.
    #[schemars(with = "IdText")]
    pub region: String,
    /// How many components must be placed in the region, else `unexpected_scope`.
    #[serde(default)]
    pub expect_matches: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "AddLoad")]
pub struct RawAddLoad {
    /// The components whose load rises.
    pub target: RawSelector,
    /// Load times this (give `factor` or `amount`).
    #[serde(default)]
    pub factor: Option<RawNumber>,
    /// Load added.
    #[serde(default)]
    pub amount: Option<RawNumber>,
    /// How many components the step must act on directly, else `unexpected_scope`.
    #[serde(default)]
    pub expect_matches: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ShiftLoad")]
pub struct RawShiftLoad {
    /// The components whose load moves.
    pub from: RawSelector,
    /// The components that take it, split evenly.
    pub to: RawSelector,
    /// The share of the load that moves (default 100).
    #[serde(default)]
    #[schemars(schema_with = "step_percent_schema")]
    pub percent: Option<RawNumber>,
    /// How many `from` components the step must match, else `unexpected_scope`.
    #[serde(default)]
    pub expect_matches: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "DeleteData")]
pub struct RawDeleteData {
    /// The data stores whose data is deleted.
    pub store: RawSelector,
    /// Only these owners lose their configuration (default: every component whose `state` is the store).
    #[serde(default)]
    pub owners: Option<RawSelector>,
    /// How many stores the step must match, else `unexpected_scope`.
    #[serde(default)]
    pub expect_matches: Option<u64>,
}

// Schemas for the hand-written deserializers above, so `blast schema`
// describes exactly what the loader accepts.

impl JsonSchema for RawCapacity {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Capacity".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Serving units: a number split evenly over the component's zones, or a map zone -> number.",
            "anyOf": [
                number_schema("The component's capacity.", json_schema!({ "minimum": 0 })),
                {
                    "type": "object",
                    "propertyNames": { "pattern": "^[A-Za-z0-9._:/-]+$" },
                    "additionalProperties": number_schema("Its capacity in this zone.", json_schema!({ "minimum": 0 }))
                }
            ]
        })
    }
}

impl JsonSchema for RawDependency {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Dependency".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let ids = json_schema!({
            "description": "Member ids, each once.",
            "type": "array",
            "items": { "type": "string", "pattern": "^[A-Za-z0-9._:/-]+$" },
            "minItems": 1,
            "uniqueItems": true
        });
        json_schema!({
            "description": "A component id (hard), {id, mode}, {any_of: [ids]} or {quorum: K, of: [ids]}.",
            "oneOf": [
                { "type": "string", "pattern": "^[A-Za-z0-9._:/-]+$" },
                {
                    "type": "object",
                    "properties": {
                        "id": { "type": "string", "pattern": "^[A-Za-z0-9._:/-]+$" },
                        "mode": { "enum": ["hard", "soft"], "description": "hard (default): its trouble is ours; soft: at worst degraded." }
                    },
                    "required": ["id"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "properties": { "any_of": ids },
                    "required": ["any_of"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "properties": {
                        "quorum": { "type": "integer", "minimum": 1, "description": "How many members must be up (at most their number)." },
                        "of": ids
                    },
                    "required": ["quorum", "of"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

impl JsonSchema for RawSelector {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Selector".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let map = generator.subschema_for::<RawSelectorMap>();
        json_schema!({
            "description": "An exact id, a glob over ids (`s3.*`), or a map whose keys must all match.",
            "anyOf": [ { "type": "string" }, map ]
        })
    }
}
