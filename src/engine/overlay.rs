//! Incremental "what if these fail" on top of the baseline statuses.
//!
//! `spof` and `cuts` ask the same question thousands of times: which
//! statuses change if this small set of components fails? Statuses only rise
//! and the least fixpoint with extra failures lies above the baseline one, so
//! starting from the baseline and raising only the failed components reaches
//! exactly what a full `check --op 'fail ...'` computes. Each query costs the
//! size of what it changes, and [`Overlay::reset`] undoes just that.

use crate::engine::{self, Scratch, State, group_result};
use crate::model::{ComponentIdx, GroupIdx, Rule, Topology};
use crate::status::Status;

pub struct Overlay<'t> {
    topology: &'t Topology,
    baseline: Vec<Status>,
    status: Vec<Status>,
    not_down: Vec<u32>,
    healthy: Vec<u32>,
    /// Components changed by the current query, with their baseline status.
    changed: Vec<(ComponentIdx, Status)>,
    changed_groups: Vec<(GroupIdx, u32, u32)>,
    component_mark: Vec<u32>,
    group_mark: Vec<u32>,
    generation: u32,
    queue: Vec<(ComponentIdx, Status, Status)>,
}

impl<'t> Overlay<'t> {
    /// The statuses with no operation applied (components may start
    /// degraded, for example when overloaded).
    pub fn new(topology: &'t Topology) -> Self {
        let state = State::new(topology);
        let baseline = engine::propagate(&state, &mut Scratch::default()).status;
        let mut not_down = Vec::with_capacity(topology.groups().len());
        let mut healthy = Vec::with_capacity(topology.groups().len());
        for g in 0..topology.groups().len() {
            let members = topology.members_of(GroupIdx(g as u32));
            not_down.push(members.iter().filter(|m| baseline[m.index()] != Status::Down).count() as u32);
            healthy.push(members.iter().filter(|m| baseline[m.index()] <= Status::AtRisk).count() as u32);
        }
        Overlay {
            topology,
            status: baseline.clone(),
            baseline,
            not_down,
            healthy,
            changed: Vec::new(),
            changed_groups: Vec::new(),
            component_mark: vec![0; topology.components().len()],
            group_mark: vec![0; topology.groups().len()],
            generation: 1,
            queue: Vec::new(),
        }
    }

    pub fn topology(&self) -> &'t Topology {
        self.topology
    }

    pub fn status(&self, c: ComponentIdx) -> Status {
        self.status[c.index()]
    }

    pub fn baseline(&self, c: ComponentIdx) -> Status {
        self.baseline[c.index()]
    }

    /// Components the current query changed, with their baseline status.
    pub fn changed(&self) -> &[(ComponentIdx, Status)] {
        &self.changed
    }

    /// Whether the dependency entry `g` currently yields down.
    pub fn group_down(&self, g: GroupIdx) -> bool {
        let group = self.topology.group(g);
        let size = group.members.end - group.members.start;
        group_result(group.rule, size, self.not_down[g.index()], self.healthy[g.index()]) == Status::Down
    }

    /// Fails every component of `set` on top of the current statuses.
    pub fn fail(&mut self, set: &[ComponentIdx]) {
        for c in set {
            self.raise(*c, Status::Down);
        }
        while let Some((x, old, new)) = self.queue.pop() {
            if new <= Status::AtRisk {
                continue;
            }
            let lost_down = old != Status::Down && new == Status::Down;
            let lost_healthy = old <= Status::AtRisk;
            for g in self.topology.dependents_of(x) {
                let gi = g.index();
                if self.group_mark[gi] != self.generation {
                    self.group_mark[gi] = self.generation;
                    self.changed_groups.push((g, self.not_down[gi], self.healthy[gi]));
                }
                self.not_down[gi] -= u32::from(lost_down);
                self.healthy[gi] -= u32::from(lost_healthy);
                let group = self.topology.group(g);
                let size = group.members.end - group.members.start;
                let result = group_result(group.rule, size, self.not_down[gi], self.healthy[gi]);
                self.raise(group.dependent, result);
            }
        }
    }

    fn raise(&mut self, c: ComponentIdx, to: Status) {
        let old = self.status[c.index()];
        if to <= old {
            return;
        }
        if self.component_mark[c.index()] != self.generation {
            self.component_mark[c.index()] = self.generation;
            self.changed.push((c, old));
        }
        self.status[c.index()] = to;
        self.queue.push((c, old, to));
    }

    /// Back to the baseline, in time proportional to what the query changed.
    pub fn reset(&mut self) {
        for (c, old) in self.changed.drain(..) {
            self.status[c.index()] = old;
        }
        for (g, not_down, healthy) in self.changed_groups.drain(..) {
            self.not_down[g.index()] = not_down;
            self.healthy[g.index()] = healthy;
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // Marks from 2^32 queries ago could collide: clear them once.
            self.component_mark.iter_mut().for_each(|m| *m = 0);
            self.group_mark.iter_mut().for_each(|m| *m = 0);
            self.generation = 1;
        }
    }

    /// Whether failures can travel to the dependent over this entry as `down`
    /// (soft entries never take a dependent down).
    pub fn carries_down(rule: Rule) -> bool {
        !matches!(rule, Rule::Soft)
    }
}
