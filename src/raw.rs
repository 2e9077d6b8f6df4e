//! The topology and plan files exactly as written, before any checking.
//!
//! These types mirror the YAML one to one (SPEC section 2 and 3). Values that
//! later checks may complain about are wrapped in [`Spanned`] so the complaint
//! can name the line and column. Turning them into the checked, frozen model
//! is the job of [`crate::build`] and [`crate::plan`].

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_saphyr::Spanned;

pub type Sp<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTopology {
    pub version: Sp<u64>,
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
    pub scenarios: BTreeMap<String, Sp<RawPlan>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegion {
    pub id: Sp<String>,
    #[serde(default)]
    pub name: Option<String>,
    pub zones: Sp<Vec<Sp<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCustomer {
    pub id: Sp<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub weight: Option<Sp<f64>>,
    #[serde(default)]
    pub tier: Option<String>,
    pub apps: Sp<Vec<RawComponent>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawComponent {
    pub id: Sp<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub region: Option<Sp<String>>,
    #[serde(default)]
    pub zones: Option<Vec<Sp<String>>>,
    #[serde(default)]
    pub capacity: Option<Sp<RawCapacity>>,
    #[serde(default)]
    pub min_capacity: Option<Sp<f64>>,
    #[serde(default)]
    pub max_capacity: Option<Sp<f64>>,
    #[serde(default)]
    pub load: Option<Sp<f64>>,
    #[serde(default)]
    pub collapse_at: Option<Sp<f64>>,
    #[serde(default)]
    pub restart_time: Option<Sp<String>>,
    #[serde(default)]
    pub state: Option<Sp<String>>,
    #[serde(default)]
    pub depends_on: Vec<Sp<RawDependency>>,
    #[serde(default)]
    pub guard: Option<RawGuard>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGuard {
    #[serde(default)]
    pub requires_approval: bool,
    #[serde(default)]
    pub max_step_percent: Option<Sp<f64>>,
}

/// `capacity: 300` or `capacity: {use1-az1: 100, use1-az2: 200}`.
#[derive(Debug)]
pub enum RawCapacity {
    Total(f64),
    PerZone(Vec<(Sp<String>, Sp<f64>)>),
}

impl<'de> Deserialize<'de> for RawCapacity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CapacityVisitor;
        impl<'de> Visitor<'de> for CapacityVisitor {
            type Value = RawCapacity;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a map from zone to number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawCapacity, E> {
                Ok(RawCapacity::Total(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawCapacity, E> {
                Ok(RawCapacity::Total(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawCapacity, E> {
                Ok(RawCapacity::Total(v as f64))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawCapacity, A::Error> {
                let mut zones = Vec::new();
                while let Some(zone) = map.next_key::<Sp<String>>()? {
                    zones.push((zone, map.next_value::<Sp<f64>>()?));
                }
                Ok(RawCapacity::PerZone(zones))
            }
        }
        deserializer.deserialize_any(CapacityVisitor)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
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
        quorum: Option<Sp<u64>>,
        members: Vec<Sp<String>>,
    },
}

const DEPENDENCY_KEYS: &[&str] = &["id", "mode", "any_of", "quorum", "of"];

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
                        "any_of" => any_of = Some(map.next_value::<Vec<Sp<String>>>()?),
                        "quorum" => quorum = Some(map.next_value::<Sp<u64>>()?),
                        "of" => of = Some(map.next_value::<Vec<Sp<String>>>()?),
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
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawSelector, A::Error> {
                RawSelectorMap::deserialize(de::value::MapAccessDeserializer::new(map)).map(RawSelector::Attributes)
            }
        }
        deserializer.deserialize_any(SelectorVisitor)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlan {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub approvals: Vec<String>,
    #[serde(default)]
    pub fail_on: Option<crate::status::FailOn>,
    pub steps: Vec<Sp<RawStep>>,
}

/// One step: a map with exactly one key, the step kind.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
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
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCapacityChange {
    pub target: RawSelector,
    #[serde(default)]
    pub count: Option<f64>,
    #[serde(default)]
    pub percent: Option<f64>,
    #[serde(default)]
    pub expect_matches: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTargetOnly {
    pub target: RawSelector,
    #[serde(default)]
    pub expect_matches: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFailZone {
    pub zone: String,
    #[serde(default)]
    pub expect_matches: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFailRegion {
    pub region: String,
    #[serde(default)]
    pub expect_matches: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAddLoad {
    pub target: RawSelector,
    #[serde(default)]
    pub factor: Option<f64>,
    #[serde(default)]
    pub amount: Option<f64>,
    #[serde(default)]
    pub expect_matches: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawShiftLoad {
    pub from: RawSelector,
    pub to: RawSelector,
    #[serde(default)]
    pub percent: Option<f64>,
    #[serde(default)]
    pub expect_matches: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeleteData {
    pub store: RawSelector,
    #[serde(default)]
    pub owners: Option<RawSelector>,
    #[serde(default)]
    pub expect_matches: Option<u64>,
}
