//! The topology document as the parser reads it. Each top-level value goes
//! to a [`TopologySink`] (the model's builder) as soon as it is read, and
//! each component and customer as soon as its own entry is, so a large file
//! is never held whole: only one entry at a time exists in its as-written
//! form. (A section that comes before `regions` is the exception: the sink
//! gets it whole, since its entries name zones not known yet.)
//!
//! The keys are those of [`RawTopology`](crate::input::raw::RawTopology),
//! which describes the same document for `blast schema`.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::error::{Error, Result};
use crate::input::raw::{At, FinishNumbers, RawComponent, RawCustomer, RawPlan, RawRegion, Section, TOPOLOGY_KEYS};

/// What receives a topology as it is read. Each call checks what it gets; an
/// error stops the parse.
pub trait TopologySink {
    fn version(&mut self, version: &At<u64>) -> Result<()>;
    fn name(&mut self, name: Option<String>) -> Result<()>;
    fn description(&mut self, description: Option<String>) -> Result<()>;
    fn regions(&mut self, regions: Vec<RawRegion>) -> Result<()>;
    fn scenarios(&mut self, scenarios: BTreeMap<String, At<RawPlan>>) -> Result<()>;
    /// Whether entries can be taken one at a time: the zones they name are known.
    fn regions_known(&self) -> bool;
    fn component(&mut self, raw: RawComponent, section: Section) -> Result<()>;
    fn customer(&mut self, raw: RawCustomer) -> Result<()>;
    /// A section met before `regions`, to check once the zones are known.
    fn defer_components(&mut self, raw: Vec<RawComponent>, section: Section);
    fn defer_customers(&mut self, raw: Vec<RawCustomer>);
}

/// Reads a whole topology into `sink`. A problem the sink finds stops the
/// parse at once and is left in `failure`, for the caller to report instead
/// of the parser's error.
pub struct TopologySeed<'b, S: ?Sized> {
    pub sink: &'b mut S,
    pub failure: &'b mut Option<Error>,
    /// The text being parsed, for numbers read exactly from it.
    pub source: &'b str,
}

/// Keeps the builder's problem and stops the parser.
fn checked<E: de::Error>(failure: &mut Option<Error>, result: Result<()>) -> Result<(), E> {
    result.map_err(|problem| {
        *failure = Some(problem);
        E::custom("the topology has a problem")
    })
}

impl<'de, S: TopologySink + ?Sized> DeserializeSeed<'de> for TopologySeed<'_, S> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_struct("Topology", TOPOLOGY_KEYS, self)
    }
}

impl<'de, S: TopologySink + ?Sized> Visitor<'de> for TopologySeed<'_, S> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a topology: a mapping that starts with `version: 1`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let TopologySeed { sink, failure, source } = self;
        let mut version_seen = false;
        while let Some(key) = map.next_key::<String>()? {
            let section = match key.as_str() {
                "services" => Section::Service,
                "s3_subsystems" => Section::S3Subsystem,
                "load_balancers" => Section::LoadBalancer,
                "data_stores" => Section::DataStore,
                "version" => {
                    version_seen = true;
                    let version: At<u64> = map.next_value()?;
                    checked(failure, sink.version(&version))?;
                    continue;
                }
                "name" => {
                    let name: Option<String> = map.next_value()?;
                    checked(failure, sink.name(name))?;
                    continue;
                }
                "description" => {
                    let description: Option<String> = map.next_value()?;
                    checked(failure, sink.description(description))?;
                    continue;
                }
                "regions" => {
                    let regions: Vec<RawRegion> = map.next_value()?;
                    checked(failure, sink.regions(regions))?;
                    continue;
                }
                "customers" => {
                    if sink.regions_known() {
                        map.next_value_seed(Each {
                            sink: &mut *sink,
                            failure: &mut *failure,
                            source,
                            add: |s: &mut S, raw| s.customer(raw),
                            item: PhantomData,
                        })?;
                    } else {
                        let mut customers: Vec<RawCustomer> = map.next_value()?;
                        customers.finish_numbers(source);
                        sink.defer_customers(customers);
                    }
                    continue;
                }
                "scenarios" => {
                    let mut scenarios: BTreeMap<String, At<RawPlan>> = map.next_value_seed(UniqueKeys(PhantomData))?;
                    scenarios.values_mut().for_each(|plan| plan.finish_numbers(source));
                    checked(failure, sink.scenarios(scenarios))?;
                    continue;
                }
                other => return Err(de::Error::unknown_field(other, TOPOLOGY_KEYS)),
            };
            if sink.regions_known() {
                map.next_value_seed(Each {
                    sink: &mut *sink,
                    failure: &mut *failure,
                    source,
                    add: |s: &mut S, raw: RawComponent| s.component(raw, section),
                    item: PhantomData,
                })?;
            } else {
                let mut components: Vec<RawComponent> = map.next_value()?;
                components.finish_numbers(source);
                sink.defer_components(components, section);
            }
        }
        if !version_seen {
            return Err(de::Error::missing_field("version"));
        }
        Ok(())
    }
}

/// A map with unique keys, as a seed (see [`crate::input::raw::unique_keys`]).
struct UniqueKeys<V>(PhantomData<V>);

impl<'de, V: Deserialize<'de>> DeserializeSeed<'de> for UniqueKeys<V> {
    type Value = BTreeMap<String, V>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        crate::input::raw::unique_keys(deserializer)
    }
}

/// A list whose entries go to the sink one by one, as they are read.
struct Each<'b, S: ?Sized, T, F> {
    sink: &'b mut S,
    failure: &'b mut Option<Error>,
    source: &'b str,
    add: F,
    item: PhantomData<T>,
}

impl<'de, S: ?Sized, T, F> DeserializeSeed<'de> for Each<'_, S, T, F>
where
    T: Deserialize<'de> + FinishNumbers,
    F: FnMut(&mut S, T) -> Result<()>,
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, S: ?Sized, T, F> Visitor<'de> for Each<'_, S, T, F>
where
    T: Deserialize<'de> + FinishNumbers,
    F: FnMut(&mut S, T) -> Result<()>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(mut item) = seq.next_element::<T>()? {
            item.finish_numbers(self.source);
            checked(self.failure, (self.add)(self.sink, item))?;
        }
        Ok(())
    }
}
