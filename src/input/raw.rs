//! The topology and plan files exactly as written, before any checking.
//!
//! These types mirror the YAML one to one (SPEC section 2 and 3). Values that
//! later checks may complain about are wrapped in [`At`] so the complaint
//! can name the line and column. Turning them into the checked, frozen model
//! is the job of [`crate::model::build`] and [`crate::plan`].

use std::collections::BTreeMap;
use std::fmt;

use crate::error::Pos;
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

    fn from_scalar(scalar: Scalar, at: &serde_saphyr::Location) -> RawNumber {
        let span = at.span();
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
                span.byte_offset()
                    .zip(span.byte_len())
                    .and_then(|(o, l)| Some((usize::try_from(o).ok()?, usize::try_from(l).ok()?))),
            ),
        };
        RawNumber {
            value,
            pos: Pos::from(*at),
            float_text,
        }
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
        let spanned = serde_saphyr::Spanned::<Scalar>::deserialize(deserializer)?;
        Ok(RawNumber::from_scalar(spanned.value, &spanned.referenced))
    }
}

impl JsonSchema for RawNumber {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Number".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A non-negative number, at most 1e15, with at most 6 digits after the point.",
            "type": "number",
            "minimum": 0,
            "maximum": 1e15
        })
    }
}

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
#[schemars(rename = "Topology")]
pub struct RawTopology {
    #[schemars(with = "u64")]
    pub version: At<u64>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub regions: Vec<RawRegion>,
    #[serde(default)]
    pub services: Vec<RawComponent>,
    #[serde(default)]
    pub s3_subsystems: Vec<RawComponent>,
    #[serde(default)]
    pub load_balancers: Vec<RawComponent>,
    #[serde(default)]
    pub data_stores: Vec<RawComponent>,
    #[serde(default)]
    pub customers: Vec<RawCustomer>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, RawPlan>")]
    pub scenarios: BTreeMap<String, At<RawPlan>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Region")]
pub struct RawRegion {
    #[schemars(with = "String")]
    pub id: At<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[schemars(with = "Vec<String>")]
    pub zones: At<Vec<At<String>>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Customer")]
pub struct RawCustomer {
    #[schemars(with = "String")]
    pub id: At<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub weight: Option<RawNumber>,
    #[serde(default)]
    pub tier: Option<String>,
    #[schemars(with = "Vec<RawComponent>")]
    pub apps: At<Vec<RawComponent>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Component")]
pub struct RawComponent {
    #[schemars(with = "String")]
    pub id: At<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub region: Option<At<String>>,
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub zones: Option<Vec<At<String>>>,
    #[serde(default)]
    pub capacity: Option<RawCapacity>,
    #[serde(default)]
    pub min_capacity: Option<RawNumber>,
    #[serde(default)]
    pub max_capacity: Option<RawNumber>,
    #[serde(default)]
    pub load: Option<RawNumber>,
    #[serde(default)]
    pub collapse_at: Option<RawNumber>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub restart_time: Option<At<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub restore_time: Option<At<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub state: Option<At<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<RawDependency>")]
    pub depends_on: Vec<At<RawDependency>>,
    #[serde(default)]
    #[schemars(with = "Vec<RawSurge>")]
    pub surges: Vec<At<RawSurge>>,
    #[serde(default)]
    #[schemars(with = "Option<RawFailover>")]
    pub failover: Option<At<RawFailover>>,
    #[serde(default)]
    pub guard: Option<RawGuard>,
    #[serde(default)]
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
#[schemars(rename = "Surge")]
pub struct RawSurge {
    /// At or above this status the surge acts (default `degraded`).
    #[serde(default)]
    pub when: Option<RawWhen>,
    /// Whose load rises (default: the component itself, its clients' retries).
    #[serde(default)]
    pub target: Option<RawSelector>,
    /// The target's load times this (at least 1).
    #[serde(default)]
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
#[schemars(rename = "Failover")]
pub struct RawFailover {
    /// The components that take the load, in proportion to their capacity.
    pub to: RawSelector,
    /// At or above this status its load moves (`degraded` or `down`, default `down`).
    #[serde(default)]
    pub when: Option<RawWhen>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Guard")]
pub struct RawGuard {
    #[serde(default)]
    pub requires_approval: bool,
    #[serde(default)]
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
    Single { id: String, mode: RawMode },
    Group {
        /// `None` for `any_of` (K = 1).
        quorum: Option<At<u64>>,
        members: Vec<At<String>>,
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
                    id: v.to_string(),
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
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "id" => id = Some(map.next_value::<String>()?),
                        "mode" => mode = Some(map.next_value::<RawMode>()?),
                        "any_of" => any_of = Some(map.next_value::<Vec<At<String>>>()?),
                        "quorum" => quorum = Some(map.next_value::<At<u64>>()?),
                        "of" => of = Some(map.next_value::<Vec<At<String>>>()?),
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
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub zone: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// A plan as written (SPEC section 3).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Plan")]
pub struct RawPlan {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub approvals: Vec<At<String>>,
    #[serde(default)]
    pub fail_on: Option<crate::status::FailOn>,
    #[schemars(with = "Vec<RawStep>")]
    pub steps: Vec<At<RawStep>>,
}

/// One step: a map with exactly one key, the step kind.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[schemars(rename = "Step")]
pub enum RawStep {
    RemoveCapacity(RawCapacityChange),
    AddCapacity(RawCapacityChange),
    Fail(RawTargetOnly),
    Restart(RawTargetOnly),
    FailZone(RawFailZone),
    FailRegion(RawFailRegion),
    AddLoad(RawAddLoad),
    ShiftLoad(RawShiftLoad),
    DeleteData(RawDeleteData),
    Wait(RawWait),
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
    #[schemars(with = "String")]
    pub duration: At<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "CapacityChange")]
pub struct RawCapacityChange {
    pub target: RawSelector,
    #[serde(default)]
    pub count: Option<RawNumber>,
    #[serde(default)]
    pub percent: Option<RawNumber>,
    #[serde(default)]
    pub expect_matches: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "TargetOnly")]
pub struct RawTargetOnly {
    pub target: RawSelector,
    #[serde(default)]
    pub expect_matches: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "FailZone")]
pub struct RawFailZone {
    pub zone: String,
    #[serde(default)]
    pub expect_matches: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "FailRegion")]
pub struct RawFailRegion {
    pub region: String,
    #[serde(default)]
    pub expect_matches: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "AddLoad")]
pub struct RawAddLoad {
    pub target: RawSelector,
    #[serde(default)]
    pub factor: Option<RawNumber>,
    #[serde(default)]
    pub amount: Option<RawNumber>,
    #[serde(default)]
    pub expect_matches: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ShiftLoad")]
pub struct RawShiftLoad {
    pub from: RawSelector,
    pub to: RawSelector,
    #[serde(default)]
    pub percent: Option<RawNumber>,
    #[serde(default)]
    pub expect_matches: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "DeleteData")]
pub struct RawDeleteData {
    pub store: RawSelector,
    #[serde(default)]
    pub owners: Option<RawSelector>,
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
                { "type": "number", "minimum": 0, "maximum": 1e15 },
                { "type": "object", "additionalProperties": { "type": "number", "minimum": 0, "maximum": 1e15 } }
            ]
        })
    }
}

impl JsonSchema for RawDependency {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Dependency".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let ids = json_schema!({ "type": "array", "items": { "type": "string" }, "minItems": 1 });
        json_schema!({
            "description": "A component id (hard), {id, mode}, {any_of: [ids]} or {quorum: K, of: [ids]}.",
            "oneOf": [
                { "type": "string" },
                {
                    "type": "object",
                    "properties": { "id": { "type": "string" }, "mode": { "enum": ["hard", "soft"] } },
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
                    "properties": { "quorum": { "type": "integer", "minimum": 1 }, "of": ids },
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
