//! The topology document as the parser reads it. Each top-level value goes
//! to the [`Builder`] as soon as it is read, and each component and customer
//! as soon as its own entry is, so a large file is never held whole: only
//! one entry at a time exists in its as-written form. (A section that comes
//! before `regions` is the exception: it is kept as read until the zones its
//! entries name are known.)
//!
//! The keys are those of [`crate::raw::RawTopology`], which describes the
//! same document for `blast schema`.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::build::{Builder, Deferred};
use crate::error::{Error, Result};
use crate::raw::{RawComponent, RawPlan, RawRegion, Sp, TOPOLOGY_KEYS};
use crate::topology::Section;

/// Reads a whole topology into `builder`. A problem the builder finds stops
/// the parse at once and is left in `failure`, for the caller to report
/// instead of the parser's error.
pub(crate) struct TopologySeed<'b, 'p> {
    pub builder: &'b mut Builder<'p>,
    pub failure: &'b mut Option<Error>,
}

/// Keeps the builder's problem and stops the parser.
fn checked<E: de::Error>(failure: &mut Option<Error>, result: Result<()>) -> Result<(), E> {
    result.map_err(|problem| {
        *failure = Some(problem);
        E::custom("the topology has a problem")
    })
}

impl<'de> DeserializeSeed<'de> for TopologySeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_struct("Topology", TOPOLOGY_KEYS, self)
    }
}

impl<'de> Visitor<'de> for TopologySeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a topology: a mapping that starts with `version: 1`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let TopologySeed { builder, failure } = self;
        let mut version_seen = false;
        while let Some(key) = map.next_key::<String>()? {
            let section = match key.as_str() {
                "services" => Section::Service,
                "s3_subsystems" => Section::S3Subsystem,
                "load_balancers" => Section::LoadBalancer,
                "data_stores" => Section::DataStore,
                "version" => {
                    version_seen = true;
                    let version: Sp<u64> = map.next_value()?;
                    checked(failure, builder.version(&version))?;
                    continue;
                }
                "name" => {
                    let name: Option<String> = map.next_value()?;
                    checked(failure, builder.name(name))?;
                    continue;
                }
                "description" => {
                    let description: Option<String> = map.next_value()?;
                    checked(failure, builder.description(description))?;
                    continue;
                }
                "regions" => {
                    let regions: Vec<RawRegion> = map.next_value()?;
                    checked(failure, builder.regions(regions))?;
                    continue;
                }
                "customers" => {
                    if builder.regions_known() {
                        map.next_value_seed(Each {
                            builder,
                            failure,
                            add: |b: &mut Builder, raw| b.customer(raw),
                            item: PhantomData,
                        })?;
                    } else {
                        builder.defer(Deferred::Customers(map.next_value()?));
                    }
                    continue;
                }
                "scenarios" => {
                    let scenarios: BTreeMap<String, Sp<RawPlan>> = map.next_value()?;
                    checked(failure, builder.scenarios(scenarios))?;
                    continue;
                }
                other => return Err(de::Error::unknown_field(other, TOPOLOGY_KEYS)),
            };
            if builder.regions_known() {
                map.next_value_seed(Each {
                    builder,
                    failure,
                    add: |b: &mut Builder, raw: RawComponent| b.component(raw, section),
                    item: PhantomData,
                })?;
            } else {
                builder.defer(Deferred::Components(map.next_value()?, section));
            }
        }
        if !version_seen {
            return Err(de::Error::missing_field("version"));
        }
        Ok(())
    }
}

/// A list whose entries go to the builder one by one, as they are read.
struct Each<'b, 'p, T, F> {
    builder: &'b mut Builder<'p>,
    failure: &'b mut Option<Error>,
    add: F,
    item: PhantomData<T>,
}

impl<'de, 'p, T, F> DeserializeSeed<'de> for Each<'_, 'p, T, F>
where
    T: Deserialize<'de>,
    F: FnMut(&mut Builder<'p>, T) -> Result<()>,
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, 'p, T, F> Visitor<'de> for Each<'_, 'p, T, F>
where
    T: Deserialize<'de>,
    F: FnMut(&mut Builder<'p>, T) -> Result<()>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<T>()? {
            checked(self.failure, (self.add)(self.builder, item))?;
        }
        Ok(())
    }
}
