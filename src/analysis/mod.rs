//! Analyses of a whole topology rather than of one operation: single points
//! of failure, minimal cut sets, and how a topology change moves them.

pub mod cuts;
pub mod diff;

pub mod spof;

use crate::engine::overlay::Overlay;
use crate::model::{CustomerIdx, Section, Topology};
use crate::number::Exact;
use crate::status::Counts;
use crate::status::Status;

/// Customer and service counts for an overlay's current statuses, kept as
/// the baseline counts plus what each query changed.
pub(crate) struct ImpactCounter {
    customers: Counts,
    services: Counts,
    customer_status: Vec<Status>,
    /// Down before any failure, so down after every query too.
    baseline_down: Vec<CustomerIdx>,
    dirty: Vec<CustomerIdx>,
    dirty_mark: Vec<bool>,
    threshold: Status,
}

/// What one query did: the counts `check` would report, and who went down.
#[derive(Debug, Clone, PartialEq)]
pub struct Impact {
    pub customers: Counts,
    pub services: Counts,
    /// Customers down, in customer order.
    pub down_customers: Vec<CustomerIdx>,
    /// Customers the query brought to the counter's threshold or worse
    /// (they were better before), in customer order.
    pub hit_customers: Vec<CustomerIdx>,
}

/// The baseline's counts of customers and services by status, and each
/// customer's status (its worst app's).
pub(crate) fn baseline_counts(overlay: &Overlay) -> (Counts, Counts, Vec<Status>) {
    let topology = overlay.topology();
    let mut customers = Counts::default();
    let mut services = Counts::default();
    let mut customer_status = Vec::with_capacity(topology.customers().len());
    for customer in topology.customers() {
        let status = customer.apps().map(|a| overlay.baseline(a)).max().unwrap_or_default();
        customers.add(status, &customer.weight);
        customer_status.push(status);
    }
    for c in topology.component_indices() {
        if topology.component(c).section != Section::App {
            services.add(overlay.baseline(c), &Exact::ZERO);
        }
    }
    (customers, services, customer_status)
}

impl ImpactCounter {
    /// `threshold`: the status at which a customer counts as hit.
    pub(crate) fn new(overlay: &Overlay, threshold: Status) -> Self {
        let topology = overlay.topology();
        let (customers, services, customer_status) = baseline_counts(overlay);
        let baseline_down = topology
            .customer_indices()
            .filter(|c| customer_status[c.index()] == Status::Down)
            .collect();
        ImpactCounter {
            customers,
            services,
            customer_status,
            baseline_down,
            dirty: Vec::new(),
            dirty_mark: vec![false; topology.customers().len()],
            threshold,
        }
    }

    /// The counts after the overlay's current query.
    pub(crate) fn measure(&mut self, overlay: &Overlay) -> Impact {
        let topology: &Topology = overlay.topology();
        let mut customers = self.customers.clone();
        let mut services = self.services.clone();
        for (c, old) in overlay.changed() {
            let component = topology.component(c);
            match component.customer {
                Some(customer) if !self.dirty_mark[customer.index()] => {
                    self.dirty_mark[customer.index()] = true;
                    self.dirty.push(customer);
                }
                Some(_) => {}
                None => {
                    services.remove(old, &Exact::ZERO);
                    services.add(overlay.status(c), &Exact::ZERO);
                }
            }
        }
        let mut down_customers = self.baseline_down.clone();
        let mut hit_customers = Vec::new();
        self.dirty.sort_unstable();
        for customer in self.dirty.drain(..) {
            self.dirty_mark[customer.index()] = false;
            let before = self.customer_status[customer.index()];
            let record = topology.customer(customer);
            let now = record.apps().map(|a| overlay.status(a)).max().unwrap_or_default();
            customers.remove(before, &record.weight);
            customers.add(now, &record.weight);
            if now == Status::Down && before != Status::Down {
                down_customers.push(customer);
            }
            if now >= self.threshold && before < self.threshold {
                hit_customers.push(customer);
            }
        }
        down_customers.sort_unstable();
        Impact {
            customers,
            services,
            down_customers,
            hit_customers,
        }
    }
}
