//! Turns a [`RawTopology`] into a frozen [`Topology`], checking everything
//! SPEC section 2 requires. The first problem found, in file order within
//! each pass, is reported with its location and what to do about it.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::error::{Diagnostic, Error, Pos, Result, nearest};
use crate::raw::{RawCapacity, RawComponent, RawDependency, RawMode, RawTopology, Sp};
use crate::topology::{
    Component, ComponentIdx, Customer, CustomerIdx, Edge, Group, Guard, Node, Placement, Region, RegionIdx, Rule,
    Scenario, Section, Topology, Zone, ZoneIdx,
};

/// What an id names, for messages like "`x` is a region, not a component".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdKind {
    Region,
    Zone,
    Component,
    Customer,
}

impl IdKind {
    fn noun(self) -> &'static str {
        match self {
            IdKind::Region => "a region",
            IdKind::Zone => "a zone",
            IdKind::Component => "a component",
            IdKind::Customer => "a customer",
        }
    }
}

struct Builder<'a> {
    path: &'a Path,
    /// Every id in the file, to resolve references and find duplicates.
    ids: HashMap<&'a str, (IdKind, u32, Pos)>,
}

fn pos<T>(spanned: &Sp<T>) -> Pos {
    spanned.pos
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'/' | b'-'))
}

impl<'a> Builder<'a> {
    fn error(&self, at: Pos, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(message).at(at.at(self.path))
    }

    fn declare(&mut self, id: &'a Sp<String>, kind: IdKind, index: u32) -> Result<()> {
        let at = pos(id);
        if !valid_id(&id.value) {
            return Err(self
                .error(at, format!("invalid id `{}`", crate::load::shown(&id.value)))
                .help("ids use only letters, digits and `. _ : / -`")
                .into());
        }
        if let Some((first_kind, _, first)) = self.ids.get(id.value.as_str()) {
            return Err(self
                .error(at, format!("duplicate id `{}`", id.value))
                .note(format!(
                    "first defined as {} at {}",
                    first_kind.noun(),
                    first.at(self.path)
                ))
                .help("ids must be unique across the whole file (regions, zones, components, customers); rename one of them")
                .into());
        }
        self.ids.insert(&id.value, (kind, index, at));
        Ok(())
    }

    fn suggest(&self, wanted: &str, kind: IdKind) -> Option<String> {
        nearest(
            wanted,
            self.ids.iter().filter(|(_, (k, _, _))| *k == kind).map(|(id, _)| *id),
        )
    }

    /// Resolves a reference that must name an id of `kind`.
    fn resolve(&self, id: &str, at: Pos, kind: IdKind, context: &str) -> Result<u32> {
        match self.ids.get(id) {
            Some((k, index, _)) if *k == kind => Ok(*index),
            Some((k, _, _)) => Err(self
                .error(at, format!("{context} `{id}` is {}, not {}", k.noun(), kind.noun()))
                .help(match kind {
                    IdKind::Component if *k == IdKind::Customer => {
                        "depend on one of the customer's apps instead".to_string()
                    }
                    _ => format!("name {} here", kind.noun()),
                })
                .into()),
            None => Err(self
                .error(at, format!("{context} `{}` does not exist", crate::load::shown(id)))
                .suggest(self.suggest(id, kind))
                .into()),
        }
    }

    fn number(&self, value: &Sp<f64>, field: &str, id: &str) -> Result<f64> {
        self.number_at(value.value, pos(value), field, id)
    }

    fn number_at(&self, v: f64, at: Pos, field: &str, id: &str) -> Result<f64> {
        if !v.is_finite() {
            return Err(self
                .error(at, format!("`{field}` of `{id}` is not a finite number"))
                .help("use a plain non-negative number")
                .into());
        }
        if v < 0.0 {
            return Err(self
                .error(at, format!("`{field}` of `{id}` is negative ({v})"))
                .help("use a non-negative number")
                .into());
        }
        if v > crate::plan::MAX_NUMBER {
            return Err(self
                .error(
                    at,
                    format!("`{field}` of `{id}` is too large ({v:e}); the limit is 1e15"),
                )
                .help("use a realistic number")
                .into());
        }
        // -0 is finite and not below zero, but prints oddly; normalise it.
        Ok(v + 0.0)
    }

    fn optional_number(&self, value: &Option<Sp<f64>>, field: &str, id: &str) -> Result<Option<f64>> {
        value.as_ref().map(|v| self.number(v, field, id)).transpose()
    }

    /// Free text is printed in reports and CI logs, so it may hold no control
    /// characters (terminal escape sequences, carriage returns, NUL) but tabs,
    /// and line breaks in a description. `what` names the field.
    fn text(&self, at: Option<Pos>, value: Option<&str>, what: &str, multiline: bool) -> Result<()> {
        let allowed = |c: char| c == '\t' || (multiline && c == '\n');
        let Some(bad) = value.and_then(|v| v.chars().find(|c| c.is_control() && !allowed(*c))) else {
            return Ok(());
        };
        let mut diagnostic = Diagnostic::new(format!(
            "{what} contains the control character `{}`",
            bad.escape_debug()
        ))
        .help("remove it: free text is printed in reports and logs");
        if let Some(at) = at {
            diagnostic = diagnostic.at(at.at(self.path));
        }
        Err(diagnostic.into())
    }

    fn tags(&self, at: Pos, tags: &std::collections::BTreeMap<String, String>, id: &str) -> Result<()> {
        for (key, value) in tags {
            self.text(Some(at), Some(key), &format!("a tag name of `{id}`"), false)?;
            self.text(
                Some(at),
                Some(value),
                &format!("tag `{}` of `{id}`", crate::load::shown(key)),
                false,
            )?;
        }
        Ok(())
    }
}

/// Builds and checks the topology. `path` is only used in messages.
pub fn build(raw: RawTopology, path: &Path, max_components: usize) -> Result<Topology> {
    let mut b = Builder {
        path,
        ids: HashMap::new(),
    };

    if raw.version.value != 1 {
        return Err(b
            .error(
                pos(&raw.version),
                format!("unsupported topology version {}", raw.version.value),
            )
            .help("this version of blast reads `version: 1`")
            .into());
    }
    let file = format!("the topology `{}`", path.display());
    b.text(None, raw.name.as_deref(), &format!("`name` of {file}"), false)?;
    b.text(
        None,
        raw.description.as_deref(),
        &format!("`description` of {file}"),
        true,
    )?;
    for (name, plan) in &raw.scenarios {
        let at = Some(plan.pos);
        b.text(at, Some(name), "a scenario name", false)?;
        let what = format!("`description` of scenario `{}`", crate::load::shown(name));
        b.text(at, plan.value.description.as_deref(), &what, true)?;
    }

    // Pass 1: declare every id, so references can point forward.
    for (r, region) in raw.regions.iter().enumerate() {
        b.declare(&region.id, IdKind::Region, r as u32)?;
        let what = format!("`name` of region `{}`", region.id.value);
        b.text(Some(pos(&region.id)), region.name.as_deref(), &what, false)?;
    }
    let mut zone_count = 0u32;
    for region in &raw.regions {
        if region.zones.value.is_empty() {
            return Err(b
                .error(pos(&region.zones), format!("region `{}` has no zones", region.id.value))
                .help("list at least one zone, e.g. `zones: [use1-az1]`")
                .into());
        }
        for zone in &region.zones.value {
            b.declare(zone, IdKind::Zone, zone_count)?;
            zone_count += 1;
        }
    }
    let sections: [(&Vec<RawComponent>, Section); 4] = [
        (&raw.services, Section::Service),
        (&raw.s3_subsystems, Section::S3Subsystem),
        (&raw.load_balancers, Section::LoadBalancer),
        (&raw.data_stores, Section::DataStore),
    ];
    // Components in file order: the four sections, then every customer's apps.
    let mut ordered: Vec<(&RawComponent, Section, Option<CustomerIdx>)> = Vec::new();
    for (list, section) in &sections {
        ordered.extend(list.iter().map(|c| (c, *section, None)));
    }
    for (c, customer) in raw.customers.iter().enumerate() {
        if customer.apps.value.is_empty() {
            return Err(b
                .error(
                    pos(&customer.apps),
                    format!("customer `{}` has no apps", customer.id.value),
                )
                .help("a customer needs at least one app under `apps`")
                .into());
        }
        ordered.extend(
            customer
                .apps
                .value
                .iter()
                .map(|a| (a, Section::App, Some(CustomerIdx(c as u32)))),
        );
    }
    if ordered.len() > max_components.min(u32::MAX as usize - 1) {
        return Err(Diagnostic::new(format!(
            "`{}` has {} components, more than the limit of {max_components}",
            path.display(),
            ordered.len()
        ))
        .help("raise the limit with --max-components if the file is genuine")
        .into());
    }
    for (i, (component, _, _)) in ordered.iter().enumerate() {
        b.declare(&component.id, IdKind::Component, i as u32)?;
    }
    for (c, customer) in raw.customers.iter().enumerate() {
        b.declare(&customer.id, IdKind::Customer, c as u32)?;
        let at = Some(pos(&customer.id));
        let id = &customer.id.value;
        b.text(
            at,
            customer.name.as_deref(),
            &format!("`name` of customer `{id}`"),
            false,
        )?;
        b.text(
            at,
            customer.tier.as_deref(),
            &format!("`tier` of customer `{id}`"),
            false,
        )?;
    }

    // Regions and zones.
    let mut zones = Vec::with_capacity(zone_count as usize);
    let mut regions = Vec::with_capacity(raw.regions.len());
    for (r, region) in raw.regions.iter().enumerate() {
        let first = zones.len() as u32;
        zones.extend(region.zones.value.iter().map(|z| Zone {
            id: z.value.clone(),
            region: RegionIdx(r as u32),
        }));
        regions.push(Region {
            id: region.id.value.clone(),
            name: region.name.clone(),
            zones: (first..zones.len() as u32).map(ZoneIdx).collect(),
        });
    }

    // Pass 2: each component's own fields.
    let mut components = Vec::with_capacity(ordered.len());
    let mut placements = Vec::with_capacity(ordered.len());
    let mut zone_slots = vec![NO_SLOT; zones.len()];
    for (raw_component, section, customer) in &ordered {
        components.push(component(
            &b,
            &regions,
            &zones,
            raw_component,
            *section,
            *customer,
            &mut placements,
            &mut zone_slots,
        )?);
    }

    // Pass 3: references (state, depends_on), and the graph.
    let mut groups: Vec<Group> = Vec::new();
    let mut members: Vec<ComponentIdx> = Vec::new();
    // The last group (numbered from 1) each component was listed in, so that a
    // member listed twice is found in constant time, however long the list.
    let mut listed_in: Vec<u32> = vec![0; components.len()];
    for (i, (raw_component, _, _)) in ordered.iter().enumerate() {
        let me = ComponentIdx(i as u32);
        let id = &raw_component.id.value;
        if let Some(state) = &raw_component.state {
            let target = b.resolve(
                &state.value,
                pos(state),
                IdKind::Component,
                &format!("state of `{id}`:"),
            )?;
            if components[target as usize].section != Section::DataStore {
                return Err(b
                    .error(
                        pos(state),
                        format!("state of `{id}`: `{}` is not a data store", state.value),
                    )
                    .help("`state` names an entry of `data_stores`")
                    .into());
            }
            components[i].state = Some(ComponentIdx(target));
        }
        let first_group = groups.len() as u32;
        for entry in &raw_component.depends_on {
            let at = pos(entry);
            let first_member = members.len() as u32;
            let context = format!("dependency of `{id}`:");
            let rule = match &entry.value {
                RawDependency::Single { id: dep, mode } => {
                    let target = b.resolve(dep, at, IdKind::Component, &context)?;
                    members.push(ComponentIdx(target));
                    match mode {
                        RawMode::Hard => Rule::Hard,
                        RawMode::Soft => Rule::Soft,
                    }
                }
                RawDependency::Group { quorum, members: list } => {
                    if list.is_empty() {
                        let what = if quorum.is_some() { "`of`" } else { "`any_of`" };
                        return Err(b
                            .error(at, format!("empty {what} in the dependencies of `{id}`"))
                            .help("list at least one component")
                            .into());
                    }
                    let group_number = groups.len() as u32 + 1;
                    for member in list {
                        let target =
                            ComponentIdx(b.resolve(&member.value, pos(member), IdKind::Component, &context)?);
                        if std::mem::replace(&mut listed_in[target.index()], group_number) == group_number {
                            return Err(b
                                .error(
                                    pos(member),
                                    format!("`{}` is listed twice in one dependency of `{id}`", member.value),
                                )
                                .help("list each member once")
                                .into());
                        }
                        members.push(target);
                    }
                    match quorum {
                        None => Rule::Quorum { k: 1, any_of: true },
                        Some(k) => {
                            if k.value == 0 || k.value > list.len() as u64 {
                                return Err(b
                                    .error(
                                        pos(k),
                                        format!(
                                            "quorum {} of `{id}` is not between 1 and its {} members",
                                            k.value,
                                            list.len()
                                        ),
                                    )
                                    .help("set `quorum` to how many of the members must be serving")
                                    .into());
                            }
                            Rule::Quorum {
                                k: k.value as u32,
                                any_of: false,
                            }
                        }
                    }
                }
            };
            if members[first_member as usize..].contains(&me) {
                return Err(b
                    .error(at, format!("`{id}` depends on itself"))
                    .help("remove the dependency on itself")
                    .into());
            }
            groups.push(Group {
                dependent: me,
                rule,
                members: first_member..members.len() as u32,
                pos: at,
            });
        }
        components[i].groups = first_group..groups.len() as u32;
    }

    let mut customers = Vec::with_capacity(raw.customers.len());
    let mut app_index = raw.services.len() + raw.s3_subsystems.len() + raw.load_balancers.len() + raw.data_stores.len();
    for customer in &raw.customers {
        let weight = match &customer.weight {
            Some(w) => b.number(w, "weight", &customer.id.value)?,
            None => 1.0,
        };
        let apps = (app_index..app_index + customer.apps.value.len())
            .map(|i| ComponentIdx(i as u32))
            .collect();
        app_index += customer.apps.value.len();
        customers.push(Customer {
            id: customer.id.value.clone(),
            name: customer.name.clone(),
            weight,
            tier: customer.tier.clone(),
            apps,
        });
    }

    let graph = build_graph(&components, &groups, &members, &customers);
    let mut by_id: Vec<ComponentIdx> = (0..components.len() as u32).map(ComponentIdx).collect();
    by_id.sort_unstable_by(|a, b| components[a.index()].id.cmp(&components[b.index()].id));

    let scenarios = raw
        .scenarios
        .into_iter()
        .map(|(name, plan)| Scenario { name, plan })
        .collect();

    Ok(Topology {
        source: path.to_path_buf(),
        name: raw.name,
        description: raw.description,
        regions,
        zones,
        components,
        placements,
        groups,
        members,
        customers,
        scenarios,
        graph,
        by_id,
    })
}

fn build_graph(
    components: &[Component],
    groups: &[Group],
    members: &[ComponentIdx],
    customers: &[Customer],
) -> DiGraph<Node, Edge, u32> {
    let mut graph = DiGraph::with_capacity(components.len() + customers.len(), members.len());
    for i in 0..components.len() {
        graph.add_node(Node::Component(ComponentIdx(i as u32)));
    }
    for i in 0..customers.len() {
        graph.add_node(Node::Customer(CustomerIdx(i as u32)));
    }
    for (g, group) in groups.iter().enumerate() {
        let dependent = NodeIndex::new(group.dependent.index());
        for member in &members[group.members.start as usize..group.members.end as usize] {
            graph.add_edge(
                NodeIndex::new(member.index()),
                dependent,
                Edge::Dependency(crate::topology::GroupIdx(g as u32)),
            );
        }
    }
    for (c, customer) in customers.iter().enumerate() {
        let node = NodeIndex::new(components.len() + c);
        for app in &customer.apps {
            graph.add_edge(NodeIndex::new(app.index()), node, Edge::AppOf);
        }
    }
    graph
}

/// A zone that is not in the component's list (see `zone_slots`).
const NO_SLOT: u32 = u32::MAX;

/// Checks and builds one component. `zone_slots` maps each zone to its
/// position in the component's zone list, [`NO_SLOT`] for the others; it
/// comes in all `NO_SLOT` and goes out so.
#[allow(clippy::too_many_arguments)]
fn component(
    b: &Builder,
    regions: &[Region],
    zones: &[Zone],
    raw: &RawComponent,
    section: Section,
    customer: Option<CustomerIdx>,
    placements: &mut Vec<Placement>,
    zone_slots: &mut [u32],
) -> Result<Component> {
    let id = raw.id.value.as_str();
    let at = Some(pos(&raw.id));
    b.text(at, raw.name.as_deref(), &format!("`name` of `{id}`"), false)?;
    b.text(at, raw.kind.as_deref(), &format!("`kind` of `{id}`"), false)?;
    b.text(
        at,
        raw.description.as_deref(),
        &format!("`description` of `{id}`"),
        true,
    )?;
    b.tags(pos(&raw.id), &raw.tags, id)?;
    let mut region = match &raw.region {
        Some(r) => Some(RegionIdx(b.resolve(
            &r.value,
            pos(r),
            IdKind::Region,
            &format!("region of `{id}`:"),
        )?)),
        None => None,
    };

    // Where the capacity lives: explicit zones, the region's zones, a
    // per-zone capacity map's keys, or nowhere in particular (global).
    let mut placed: Vec<ZoneIdx> = Vec::new();
    if let Some(list) = &raw.zones {
        if list.is_empty() {
            return Err(b
                .error(pos(&raw.id), format!("`{id}` has an empty `zones` list"))
                .help("list its zones, or leave `zones` out to spread it over its region")
                .into());
        }
        for z in list {
            let zone = ZoneIdx(b.resolve(&z.value, pos(z), IdKind::Zone, &format!("zone of `{id}`:"))?);
            check_zone_in_region(b, zones, regions, region, zone, z, id)?;
            if zone_slots[zone.index()] != NO_SLOT {
                return Err(b
                    .error(pos(z), format!("zone `{}` is listed twice for `{id}`", z.value))
                    .help("list each zone once")
                    .into());
            }
            zone_slots[zone.index()] = placed.len() as u32;
            placed.push(zone);
        }
    } else if let Some(r) = region {
        placed.extend(regions[r.index()].zones.iter().copied());
        for (slot, zone) in placed.iter().enumerate() {
            zone_slots[zone.index()] = slot as u32;
        }
    }

    let first = placements.len() as u32;
    let capacity_given = raw.capacity.is_some();
    match raw.capacity.as_ref().map(|c| &c.value) {
        Some(RawCapacity::PerZone(map)) => {
            let explicit_zones = raw.zones.is_some() || region.is_some();
            let mut shares = vec![0.0; placed.len()];
            let mut extra = Vec::new();
            for (zone_name, amount) in map {
                let zone = ZoneIdx(b.resolve(
                    &zone_name.value,
                    pos(zone_name),
                    IdKind::Zone,
                    &format!("capacity of `{id}`:"),
                )?);
                let amount = b.number(amount, "capacity", id)?;
                match zone_slots[zone.index()] {
                    NO_SLOT if !explicit_zones => extra.push((zone, amount)),
                    NO_SLOT => {
                        return Err(b
                            .error(
                                pos(zone_name),
                                format!(
                                    "capacity of `{id}` names zone `{}`, which is not one of its zones",
                                    zone_name.value
                                ),
                            )
                            .help("add the zone to `zones`, or remove it from the capacity map")
                            .into());
                    }
                    at => shares[at as usize] += amount,
                }
            }
            placements.extend(placed.iter().zip(&shares).map(|(z, c)| Placement {
                zone: Some(*z),
                capacity: *c,
            }));
            placements.extend(extra.into_iter().map(|(z, c)| Placement {
                zone: Some(z),
                capacity: c,
            }));
        }
        Some(RawCapacity::Total(total)) => {
            let at = raw.capacity.as_ref().map_or(pos(&raw.id), pos);
            let total = b.number_at(*total, at, "capacity", id)?;
            push_even(placements, &placed, total);
        }
        None => {
            // One unit in each zone, or one unit if it has none.
            let units = placed.len().max(1) as f64;
            push_even(placements, &placed, units);
        }
    }
    for zone in &placed {
        zone_slots[zone.index()] = NO_SLOT;
    }
    let placement = first..placements.len() as u32;
    let capacity: f64 = placements[first as usize..].iter().map(|p| p.capacity).sum();

    // A component placed only in zones of one region belongs to that region.
    if region.is_none() {
        let mut zone_regions = placements[first as usize..]
            .iter()
            .filter_map(|p| p.zone)
            .map(|z| zones[z.index()].region);
        if let Some(r) = zone_regions.next()
            && zone_regions.all(|other| other == r)
        {
            region = Some(r);
        }
    }

    let min_capacity = b.optional_number(&raw.min_capacity, "min_capacity", id)?;
    let max_capacity = b.optional_number(&raw.max_capacity, "max_capacity", id)?;
    let at_capacity = raw.capacity.as_ref().map_or(pos(&raw.id), pos);
    if let (Some(min), true) = (min_capacity, capacity_given)
        && exceeds(min, capacity)
    {
        return Err(b
            .error(
                at_capacity,
                format!(
                    "`{id}` has capacity {} below its min_capacity {}",
                    fmt_num(capacity),
                    fmt_num(min)
                ),
            )
            .help("min_capacity <= capacity <= max_capacity must hold at the start")
            .into());
    }
    if let Some(max) = max_capacity
        && exceeds(capacity, max)
    {
        return Err(b
            .error(
                at_capacity,
                format!(
                    "`{id}` has capacity {} above its max_capacity {}",
                    fmt_num(capacity),
                    fmt_num(max)
                ),
            )
            .help("min_capacity <= capacity <= max_capacity must hold at the start")
            .into());
    }
    if let (Some(min), Some(max)) = (min_capacity, max_capacity)
        && exceeds(min, max)
    {
        let at = raw.min_capacity.as_ref().map_or(pos(&raw.id), pos);
        return Err(b
            .error(
                at,
                format!(
                    "`{id}` has min_capacity {} above its max_capacity {}",
                    fmt_num(min),
                    fmt_num(max)
                ),
            )
            .help("min_capacity <= capacity <= max_capacity must hold")
            .into());
    }
    if !capacity_given
        && let Some(min) = min_capacity
        && exceeds(min, capacity)
    {
        let at = raw.min_capacity.as_ref().map_or(pos(&raw.id), pos);
        return Err(b
            .error(
                at,
                format!(
                    "`{id}` has min_capacity {} but no capacity (it counts {} unit(s))",
                    fmt_num(min),
                    fmt_num(capacity)
                ),
            )
            .help("give it a `capacity`")
            .into());
    }
    let load = b.optional_number(&raw.load, "load", id)?.unwrap_or(0.0);
    let collapse_at = b.optional_number(&raw.collapse_at, "collapse_at", id)?;
    if let (Some(c), Some(spanned)) = (collapse_at, &raw.collapse_at)
        && c <= 1.0
    {
        return Err(b
            .error(
                pos(spanned),
                format!("`collapse_at` of `{id}` is {c}, but it must be greater than 1"),
            )
            .help("collapse_at is the load/capacity ratio at which it goes down, e.g. 1.3")
            .into());
    }
    let restart_time = match &raw.restart_time {
        Some(text) => Some(parse_duration(&text.value).ok_or_else(|| {
            Error::from(
                b.error(
                    pos(text),
                    format!("invalid restart_time `{}` for `{id}`", crate::load::shown(&text.value)),
                )
                .help("write a duration such as `45s`, `90m`, `4h` or `1h30m`"),
            )
        })?),
        None => None,
    };
    let guard = match &raw.guard {
        Some(g) => {
            let max_step_percent = b.optional_number(&g.max_step_percent, "max_step_percent", id)?;
            if let (Some(p), Some(spanned)) = (max_step_percent, &g.max_step_percent)
                && p > 100.0
            {
                return Err(b
                    .error(pos(spanned), format!("`max_step_percent` of `{id}` is {p}, above 100"))
                    .help("use a percentage between 0 and 100")
                    .into());
            }
            Guard {
                requires_approval: g.requires_approval,
                max_step_percent,
            }
        }
        None => Guard::default(),
    };

    Ok(Component {
        id: raw.id.value.clone(),
        name: raw.name.clone(),
        kind: raw.kind.clone().unwrap_or_else(|| section.default_kind().to_string()),
        section,
        description: raw.description.clone(),
        region,
        placement,
        capacity,
        min_capacity,
        max_capacity,
        load,
        collapse_at,
        restart_time,
        state: None,
        guard,
        tags: raw.tags.clone(),
        customer,
        groups: 0..0,
        pos: pos(&raw.id),
    })
}

fn check_zone_in_region(
    b: &Builder,
    zones: &[Zone],
    regions: &[Region],
    region: Option<RegionIdx>,
    zone: ZoneIdx,
    spanned: &Sp<String>,
    id: &str,
) -> Result<()> {
    let zone_region = zones[zone.index()].region;
    match region {
        Some(r) if r != zone_region => Err(b
            .error(
                pos(spanned),
                format!(
                    "zone `{}` of `{id}` is in region `{}`, not in its region `{}`",
                    spanned.value,
                    regions[zone_region.index()].id,
                    regions[r.index()].id
                ),
            )
            .help(format!(
                "use a zone of `{}`: {}",
                regions[r.index()].id,
                regions[r.index()]
                    .zones
                    .iter()
                    .map(|z| zones[z.index()].id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .into()),
        _ => Ok(()),
    }
}

fn push_even(placements: &mut Vec<Placement>, zones: &[ZoneIdx], total: f64) {
    if zones.is_empty() {
        placements.push(Placement {
            zone: None,
            capacity: total,
        });
    } else {
        // The last zone takes what the others leave, so that the shares add
        // up to exactly `total` (summed in order, as the engine does): 0.9
        // over three zones must not become 0.8999999999999999, below a
        // min_capacity of 0.9. Since the others hold at least half of
        // `total`, the subtraction is exact.
        let share = total / zones.len() as f64;
        let mut others = 0.0;
        for (i, z) in zones.iter().enumerate() {
            let capacity = if i + 1 == zones.len() { total - others } else { share };
            others += capacity;
            placements.push(Placement {
                zone: Some(*z),
                capacity,
            });
        }
    }
}

/// `a > b` beyond rounding: the engine's tolerance (a billionth of `b`, or
/// of 1), so that a capacity map such as `{a: 0.1, b: 0.2}` is not above a
/// max_capacity of 0.3.
fn exceeds(a: f64, b: f64) -> bool {
    a > b + 1e-9 * b.abs().max(1.0)
}

/// `45s`, `90m`, `4h`, `1h30m`, `2d`; humantime also reads `1h 30m`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    humantime::parse_duration(text).ok()
}

/// Numbers as people write them: `80`, `2.5`, never `80.0`.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}
