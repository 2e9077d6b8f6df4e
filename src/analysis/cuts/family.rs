//! Families of cut sets: the minimal sets (of failure units, as numbers)
//! that make one event true, kept to sets of at most `max_size` units and to
//! at most `cap` sets.
//!
//! Only sets of at most K units can ever take part in a cut set of at most K
//! units, and the minimal sets of at most K units of `A or B` and `A and B`
//! depend only on those of A and B. So every operation drops larger sets as
//! soon as it makes them, which is what keeps the search bounded by K.

use std::collections::{BinaryHeap, HashMap, HashSet};

use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

/// One cut set: failure units, sorted and distinct.
pub(super) type Set = Box<[u32]>;

/// Sets of cut sets, looked up millions of times while minimising: keys are
/// a few small numbers chosen by no one outside, so a multiply-rotate hash
/// (as rustc's) serves, several times faster than SipHash.
pub(super) type SetOfSets = HashSet<Set, BuildHasherDefault<UnitHasher>>;

#[derive(Default)]
pub(super) struct UnitHasher(u64);

impl UnitHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for UnitHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        for b in chunks.remainder() {
            self.add(u64::from(*b));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Family {
    /// Minimal, sorted by size then units. Shared: a component with one
    /// hard dependency often has the same family, and a chain of them
    /// would otherwise copy it once per link.
    pub sets: Rc<Vec<Set>>,
    /// Sets were dropped to stay within the cap: the family may be incomplete.
    pub truncated: bool,
}

/// The size and count bounds every family is kept to.
#[derive(Debug, Clone, Copy)]
pub(super) struct Bounds {
    pub max_size: usize,
    pub cap: usize,
}

impl Family {
    /// The event that never happens.
    pub fn never() -> Family {
        Family::default()
    }

    /// The event that has already happened: the empty set is a cut.
    pub fn always() -> Family {
        Family {
            sets: Rc::new(vec![Box::from([])]),
            truncated: false,
        }
    }

    pub fn unit(u: u32) -> Family {
        Family {
            sets: Rc::new(vec![Box::from([u])]),
            truncated: false,
        }
    }

    /// The same sets, marked as possibly incomplete.
    fn cut(&self) -> Family {
        Family {
            sets: Rc::clone(&self.sets),
            truncated: true,
        }
    }

    pub fn is_always(&self) -> bool {
        self.sets.first().is_some_and(|s| s.is_empty())
    }

    /// `self or other`.
    pub fn or(&self, other: &Family, bounds: Bounds) -> Family {
        if other.sets.is_empty() && !other.truncated {
            return self.clone();
        }
        if self.sets.is_empty() && !self.truncated {
            return other.clone();
        }
        // A family at its cap keeps its sets if everything the other adds
        // comes after them in (size, units) order: none of them can then be
        // a subset of a kept set. This keeps wide quorums and long chains
        // from re-sorting a full family once per member or link.
        for (full, more) in [(self, other), (other, self)] {
            if full.sets.len() >= bounds.cap
                && let (Some(last), Some(first)) = (full.sets.last(), more.sets.first())
                && key(first) > key(last)
            {
                return full.cut();
            }
        }
        let sets = self.sets.iter().chain(other.sets.iter()).cloned().collect();
        minimise(sets, self.truncated || other.truncated, bounds)
    }

    /// `self and other`.
    pub fn and(&self, other: &Family, bounds: Bounds) -> Family {
        // Two capped families can make cap x cap products: only the first
        // `budget` in (size, units) order are kept, which is more than the
        // cap even after minimisation drops some.
        let budget = bounds.cap.saturating_mul(4);
        let mut kept: BinaryHeap<(usize, Set)> = BinaryHeap::new();
        let mut dropped = false;
        for a in self.sets.iter() {
            for b in other.sets.iter() {
                let Some(union) = merged(a, b, bounds.max_size) else {
                    continue;
                };
                let item = (union.len(), union);
                if kept.len() < budget {
                    kept.push(item);
                } else if kept.peek().is_some_and(|top| item < *top) {
                    kept.pop();
                    kept.push(item);
                    dropped = true;
                } else {
                    dropped = true;
                }
            }
        }
        let sets = kept.into_iter().map(|(_, s)| s).collect();
        minimise(sets, self.truncated || other.truncated || dropped, bounds)
    }

    /// At least `need` of `members` (each member's family).
    pub fn at_least(members: &[&Family], need: usize, bounds: Bounds) -> Family {
        if need == 1 {
            // Any one member: no counting needed.
            return members.iter().fold(Family::never(), |acc, m| acc.or(m, bounds));
        }
        // Which members hold each set: a set of K units can only grow by
        // members it already takes down.
        let mut holders: HashMap<&[u32], Vec<usize>, BuildHasherDefault<UnitHasher>> = HashMap::default();
        for (i, member) in members.iter().enumerate() {
            for set in member.sets.iter() {
                holders.entry(set).or_default().push(i);
            }
        }
        // by_count[t]: at least t of the members seen so far.
        let mut by_count = vec![Family::never(); need + 1];
        by_count[0] = Family::always();
        for (seen, member) in members.iter().enumerate() {
            if member.sets.is_empty() && !member.truncated {
                continue;
            }
            for t in (1..=need.min(seen + 1)).rev() {
                if by_count[t - 1].sets.is_empty() && !by_count[t - 1].truncated {
                    continue;
                }
                let taken = by_count[t - 1].and(member, bounds);
                by_count[t] = by_count[t].or(&taken, bounds);
                if t < need {
                    let later = |set: &Set| free_hits(set, &holders, seen) >= need - t;
                    if by_count[t]
                        .sets
                        .iter()
                        .any(|set| set.len() == bounds.max_size && !later(set))
                    {
                        Rc::make_mut(&mut by_count[t].sets).retain(|set| set.len() < bounds.max_size || later(set));
                    }
                }
            }
        }
        let mut result = by_count.swap_remove(need);
        // A member's missing sets may be what a pruned or skipped set needed.
        result.truncated |= members.iter().any(|m| m.truncated);
        result
    }
}

/// How many members after `seen` some subset of `set` takes down, so that
/// they count without adding a unit.
fn free_hits(set: &[u32], holders: &HashMap<&[u32], Vec<usize>, BuildHasherDefault<UnitHasher>>, seen: usize) -> usize {
    let mut hit: Vec<usize> = Vec::new();
    let mut scratch = Vec::with_capacity(set.len());
    // The empty subset too: a member down before anything fails is a free hit.
    for mask in 0u32..(1 << set.len()) {
        if let Some(members) = holders.get(select(set, mask, &mut scratch)) {
            hit.extend(members.iter().filter(|m| **m > seen));
        }
    }
    hit.sort_unstable();
    hit.dedup();
    hit.len()
}

/// The order families are kept in: smaller sets first.
fn key(set: &Set) -> (usize, &[u32]) {
    (set.len(), set)
}

/// The union of two sorted sets, if it has at most `max_size` units.
fn merged(a: &[u32], b: &[u32], max_size: usize) -> Option<Set> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => {
                i += 1;
                j += 1;
                *x
            }
            (Some(x), Some(y)) if x < y => {
                i += 1;
                *x
            }
            (Some(x), None) => {
                i += 1;
                *x
            }
            (_, Some(y)) => {
                j += 1;
                *y
            }
            (None, None) => break,
        };
        out.push(next);
        if out.len() > max_size {
            return None;
        }
    }
    Some(out.into_boxed_slice())
}

/// Drops duplicates, sets over `max_size` and supersets of other sets; keeps
/// the first `cap` in (size, units) order.
pub(super) fn minimise(mut sets: Vec<Set>, mut truncated: bool, bounds: Bounds) -> Family {
    sets.retain(|s| s.len() <= bounds.max_size);
    sets.sort_unstable_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    sets.dedup();
    if sets.first().is_some_and(|s| s.is_empty()) {
        return Family::always();
    }
    let mut kept = SetOfSets::default();
    let mut out = Vec::new();
    let mut scratch = Vec::new();
    for set in sets {
        if out.len() == bounds.cap {
            truncated = true;
            break;
        }
        if !has_kept_subset(&set, &kept, &mut scratch) {
            kept.insert(set.clone());
            out.push(set);
        }
    }
    Family {
        sets: Rc::new(out),
        truncated,
    }
}

/// Whether a proper, non-empty subset of `set` is in `kept` (the empty set
/// never is: a family holding it holds nothing else).
fn has_kept_subset(set: &[u32], kept: &SetOfSets, scratch: &mut Vec<u32>) -> bool {
    if set.len() < 2 || kept.is_empty() {
        return false;
    }
    // Singletons first: the common case, and cheap.
    if set.iter().any(|u| kept.contains(&[*u][..])) {
        return true;
    }
    let full = (1u32 << set.len()) - 1;
    (1..full)
        .filter(|mask| mask.count_ones() >= 2)
        .any(|mask| kept.contains(select(set, mask, scratch)))
}

/// The members of `set` whose bits are in `mask`, in order, written into `out`.
pub(super) fn select<'o>(set: &[u32], mask: u32, out: &'o mut Vec<u32>) -> &'o [u32] {
    out.clear();
    out.extend(
        set.iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, u)| *u),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: Bounds = Bounds { max_size: 3, cap: 100 };

    fn fam(sets: &[&[u32]]) -> Family {
        minimise(sets.iter().map(|s| Box::from(*s)).collect(), false, B)
    }

    #[test]
    fn or_drops_supersets_and_and_drops_large_sets() {
        let a = fam(&[&[1], &[2, 3]]);
        let b = fam(&[&[1, 4], &[3]]);
        assert_eq!(a.or(&b, B), fam(&[&[1], &[3]]));
        let c = fam(&[&[5, 6], &[7]]);
        let d = fam(&[&[8, 9], &[1]]);
        assert_eq!(c.and(&d, B), fam(&[&[1, 7], &[7, 8, 9], &[1, 5, 6]]));
    }

    #[test]
    fn two_of_three_over_shared_units() {
        let x = fam(&[&[1], &[9]]);
        let y = fam(&[&[2], &[9]]);
        let z = fam(&[&[3]]);
        let got = Family::at_least(&[&x, &y, &z], 2, B);
        assert_eq!(got, fam(&[&[9], &[1, 2], &[1, 3], &[2, 3]]));
    }

    #[test]
    fn the_cap_marks_the_family_truncated() {
        let many = minimise(
            (0..10u32).map(|u| Box::from([u])).collect(),
            false,
            Bounds { max_size: 2, cap: 4 },
        );
        assert_eq!(many.sets.len(), 4);
        assert!(many.truncated);
    }
}
