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
    Pos::from(spanned.referenced)
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
                .error(at, format!("invalid id `{}`", id.value.escape_debug()))
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
                .error(at, format!("{context} `{id}` does not exist"))
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

    // Pass 1: declare every id, so references can point forward.
    for (r, region) in raw.regions.iter().enumerate() {
        b.declare(&region.id, IdKind::Region, r as u32)?;
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
    for (raw_component, section, customer) in &ordered {
        components.push(component(
            &b,
            &regions,
            &zones,
            raw_component,
            *section,
            *customer,
            &mut placements,
        )?);
    }

    // Pass 3: references (state, depends_on), and the graph.
    let mut groups: Vec<Group> = Vec::new();
    let mut members: Vec<ComponentIdx> = Vec::new();
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
                    for member in list {
                        let target =
                            ComponentIdx(b.resolve(&member.value, pos(member), IdKind::Component, &context)?);
                        if members[first_member as usize..].contains(&target) {
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

fn component(
    b: &Builder,
    regions: &[Region],
    zones: &[Zone],
    raw: &RawComponent,
    section: Section,
    customer: Option<CustomerIdx>,
    placements: &mut Vec<Placement>,
) -> Result<Component> {
    let id = raw.id.value.as_str();
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
            if placed.contains(&zone) {
                return Err(b
                    .error(pos(z), format!("zone `{}` is listed twice for `{id}`", z.value))
                    .help("list each zone once")
                    .into());
            }
            placed.push(zone);
        }
    } else if let Some(r) = region {
        placed.extend(regions[r.index()].zones.iter().copied());
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
                match placed.iter().position(|z| *z == zone) {
                    Some(at) => shares[at] += amount,
                    None if !explicit_zones => extra.push((zone, amount)),
                    None => {
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
        && min > capacity
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
        && capacity > max
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
        && min > max
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
        && min > capacity
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
                    format!("invalid restart_time `{}` for `{id}`", text.value.escape_debug()),
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
        let share = total / zones.len() as f64;
        placements.extend(zones.iter().map(|z| Placement {
            zone: Some(*z),
            capacity: share,
        }));
    }
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
