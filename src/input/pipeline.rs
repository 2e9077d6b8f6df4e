//! Parsing and checking on two threads: the parser hands each entry to a
//! pipe, which queues it in batches for a second thread that gives them
//! to the real sink in the same order. On a large file the sink's work
//! (interning ids, checking fields, laying out tables) then runs beside the
//! parser's instead of after each entry.
//!
//! The outcome is the one a direct parse gives: the sink sees the same calls
//! in the same order, its first problem stops the parser (the queue closes),
//! and a problem the sink found in an entry wins over a parse error the
//! parser met further on, which a direct parse would never have reached.

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use crate::error::{Diagnostic, Result};
use crate::input::document::TopologySink;
use crate::input::raw::{At, RawComponent, RawCustomer, RawPlan, RawRegion, Section};

/// Entries per batch: enough that the queue's locking is no cost per entry.
const BATCH: usize = 256;
/// Batches queued before the parser waits: bounds the memory the queue holds
/// when the sink is the slower side.
const QUEUED_BATCHES: usize = 16;

/// One call on the sink, as queued.
#[allow(
    clippy::large_enum_variant,
    reason = "moved twice by value is cheaper than a box per component allocated on one thread and freed on the other"
)]
enum Call {
    Version(At<u64>),
    Name(Option<String>),
    Description(Option<String>),
    Regions(Vec<RawRegion>),
    Scenarios(BTreeMap<String, At<RawPlan>>),
    Component(RawComponent, Section),
    Customer(RawCustomer),
    DeferComponents(Vec<RawComponent>, Section),
    DeferCustomers(Vec<RawCustomer>),
}

impl Call {
    fn apply(self, sink: &mut impl TopologySink) -> Result<()> {
        match self {
            Call::Version(version) => sink.version(&version),
            Call::Name(name) => sink.name(name),
            Call::Description(description) => sink.description(description),
            Call::Regions(regions) => sink.regions(regions),
            Call::Scenarios(scenarios) => sink.scenarios(scenarios),
            Call::Component(raw, section) => sink.component(raw, section),
            Call::Customer(raw) => sink.customer(raw),
            Call::DeferComponents(raw, section) => {
                sink.defer_components(raw, section);
                Ok(())
            }
            Call::DeferCustomers(raw) => {
                sink.defer_customers(raw);
                Ok(())
            }
        }
    }
}

/// Runs `parse` against `sink`, the sink's calls made on a second thread.
/// Where no thread can be started, `parse` gets the sink itself.
pub fn feed<S: TopologySink + Send>(
    sink: &mut S,
    mut parse: impl FnMut(&mut dyn TopologySink) -> Result<()>,
) -> Result<()> {
    let piped = std::thread::scope(|scope| {
        let (queue, batches) = sync_channel(QUEUED_BATCHES);
        let checker = std::thread::Builder::new()
            .name("checker".into())
            .spawn_scoped(scope, || drain(&mut *sink, batches))
            .ok()?;
        let mut pipe = Pipe {
            queue,
            batch: Vec::with_capacity(BATCH),
            regions_known: false,
        };
        let parsed = parse(&mut pipe);
        // Also after a parse error: an entry read before it may hold the
        // problem to report.
        let flushed = pipe.flush();
        // Closing the queue ends the checker's loop.
        drop(pipe);
        let checked = checker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Some(checked.and(parsed).and(flushed))
    });
    piped.unwrap_or_else(|| parse(sink))
}

/// The checker thread: every queued call in order, until the first problem
/// (which drops the queue, so the parser's next send fails) or the end.
fn drain(sink: &mut impl TopologySink, batches: Receiver<Vec<Call>>) -> Result<()> {
    for batch in batches {
        for call in batch {
            call.apply(sink)?;
        }
    }
    Ok(())
}

/// The parser's side: a sink that queues what it is given.
struct Pipe {
    queue: SyncSender<Vec<Call>>,
    batch: Vec<Call>,
    /// Whether `regions` has been queued: from then on the real sink takes
    /// entries one at a time, as [`TopologySink::regions_known`] says.
    regions_known: bool,
}

impl Pipe {
    fn push(&mut self, call: Call) -> Result<()> {
        self.batch.push(call);
        if self.batch.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        // Only a checker that stopped at a problem hangs up; `feed` reports
        // that problem instead of this.
        self.queue
            .send(batch)
            .map_err(|_| Diagnostic::new("the topology checker stopped").into())
    }
}

impl TopologySink for Pipe {
    fn version(&mut self, version: &At<u64>) -> Result<()> {
        self.push(Call::Version(version.clone()))
    }
    fn name(&mut self, name: Option<String>) -> Result<()> {
        self.push(Call::Name(name))
    }
    fn description(&mut self, description: Option<String>) -> Result<()> {
        self.push(Call::Description(description))
    }
    fn regions(&mut self, regions: Vec<RawRegion>) -> Result<()> {
        self.regions_known = true;
        self.push(Call::Regions(regions))
    }
    fn scenarios(&mut self, scenarios: BTreeMap<String, At<RawPlan>>) -> Result<()> {
        self.push(Call::Scenarios(scenarios))
    }
    fn regions_known(&self) -> bool {
        self.regions_known
    }
    fn component(&mut self, raw: RawComponent, section: Section) -> Result<()> {
        self.push(Call::Component(raw, section))
    }
    fn customer(&mut self, raw: RawCustomer) -> Result<()> {
        self.push(Call::Customer(raw))
    }
    fn defer_components(&mut self, raw: Vec<RawComponent>, section: Section) {
        // A failed send here is the checker's problem, met again at the next push.
        let _ = self.push(Call::DeferComponents(raw, section));
    }
    fn defer_customers(&mut self, raw: Vec<RawCustomer>) {
        let _ = self.push(Call::DeferCustomers(raw));
    }
}
