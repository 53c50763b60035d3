//! `seed --demo [--scale N]`: a realistic data set for trying the API and for benchmarks.
//!
//! Real coalitions and events where public facts are known (the Armenian coalition founded in
//! 2017, the Ukrainian one in 2019, the 13 July 2020 online training on setting up National
//! Coalitions for 30+ participants from the six Eastern Partnership countries, a half-day
//! workshop of 40+ coalition representatives), then `N` generated initiatives and `N / 4`
//! generated events with titles in the countries' languages. Generated data is
//! deterministic (fixed random seed) and written through the kernel's bulk path in batches;
//! the literal tables live in data files beside this module.

mod data;
mod generated;
mod network;
mod real;

use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::http::error::ApiError;
use crate::kernel::{write, Collection};
use crate::resources::initiatives::resource::Initiatives;
use crate::resources::trainings::resource::Trainings;
use crate::store::journal::Actor;
use crate::store::Database;

/// What a demo seed wrote.
#[derive(Debug, Default)]
pub struct DemoReport {
    /// coalitions created
    pub coalitions: usize,
    /// organisations created
    pub organisations: usize,
    /// initiatives created
    pub initiatives: usize,
    /// trainings created
    pub trainings: usize,
}

/// Records per write transaction of the bulk path.
const BATCH: usize = 1000;

/// Load the demo data set (real records plus `scale` initiatives and `scale / 4` events).
pub fn seed_demo(db: &Database, scale: usize) -> Result<DemoReport, ApiError> {
    let mut report = DemoReport::default();
    let data = data::DemoData::load();
    let network = db.write_blocking(|conn| network::coalitions_and_members(conn, &data, &mut report))?;
    db.write_blocking(|conn| real::events(conn, &network, &mut report))?;

    let events = scale / 4;
    let bar = ProgressBar::new((scale + events) as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let mut generator = generated::Generator::new(StdRng::seed_from_u64(2017), &network, &data);
    bar.set_message("initiatives");
    report.initiatives += load::<Initiatives>(db, &bar, scale, |n| generator.initiatives(n))?;
    bar.set_message("events");
    report.trainings += load::<Trainings>(db, &bar, events, |n| generator.trainings(n))?;
    bar.finish_with_message("done");
    // A bulk load changes the data's shape: give the planner fresh statistics.
    db.analyze()
        .map_err(|e| ApiError::Internal(format!("ANALYZE failed: {e}")))?;
    Ok(report)
}

/// How many batches are written at once (each in its own transaction, on its own connection
/// when the pool has them) while the next ones are generated.
pub const WRITERS: usize = 2;

/// Write `total` generated records of `R` through the kernel's bulk path, a batch per
/// transaction: this thread generates batches (in order, from one seeded sequence) while
/// [`WRITERS`] threads write them, so generating and writing overlap and PostgreSQL works on
/// two batches at a time (SQLite writers take turns). The first failure stops the load.
fn load<R: Collection>(
    db: &Database,
    bar: &ProgressBar,
    total: usize,
    mut generate: impl FnMut(usize) -> Result<Vec<R::Input>, ApiError>,
) -> Result<usize, ApiError> {
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<R::Input>>(WRITERS);
    let receiver = std::sync::Mutex::new(receiver);
    let failed = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let writers: Vec<_> = (0..WRITERS)
            .map(|_| {
                scope.spawn(|| -> Result<(), ApiError> {
                    let mut result = Ok(());
                    // After a failure, keep taking batches (and drop them) until the generator
                    // sees the flag, so it never waits on a full channel.
                    while let Ok(inputs) = receiver.lock().map_err(|_| ()).and_then(|r| r.recv().map_err(|_| ())) {
                        if result.is_ok() {
                            result = db
                                .write_blocking(|conn| write::create_many::<R>(conn, &Actor::system(), &inputs))
                                .map(|_| ());
                            bar.inc(inputs.len() as u64);
                        }
                        if result.is_err() {
                            failed.store(true, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                    result
                })
            })
            .collect();
        let mut generated = Ok(());
        for batch in batches(total) {
            if failed.load(std::sync::atomic::Ordering::Relaxed) {
                break;
            }
            match generate(batch) {
                Ok(inputs) => {
                    if sender.send(inputs).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    generated = Err(e);
                    break;
                }
            }
        }
        drop(sender);
        for writer in writers {
            writer
                .join()
                .map_err(|_| ApiError::Internal("a demo data writer panicked".into()))??;
        }
        generated
    })?;
    Ok(total)
}

/// `total` split into batches of at most [`BATCH`].
fn batches(total: usize) -> impl Iterator<Item = usize> {
    (0..total).step_by(BATCH).map(move |done| (total - done).min(BATCH))
}
