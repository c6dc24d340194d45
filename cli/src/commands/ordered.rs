//! Work done on several threads, results used in order.
//!
//! Workers take the next item in turn, compute its result on their own, and the calling
//! thread receives the results strictly in the items' order (a result that arrives early
//! waits for those before it). At most `in_flight` items are taken and not yet used,
//! so memory stays bounded whatever the number of items: a worker that runs ahead waits.

use std::collections::BTreeMap;
use std::sync::mpsc::{self, TrySendError};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::Scope;

use replog::threads::Spread;

/// What the caller tells [`in_order`] after using a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Go on with the next result.
    More,
    /// Stop: the remaining items are not worked on (those under way are dropped).
    Done,
}

/// Runs `work` over `items` on `threads` threads and hands each result to `take`, in the
/// items' order. The first error of `take` stops everything and is returned.
pub fn in_order<I, R, F>(
    items: impl Iterator<Item = I> + Send,
    threads: usize,
    in_flight: usize,
    work: impl Fn(I) -> R + Sync,
    mut take: impl FnMut(R) -> Result<Next, F>,
) -> Result<(), F>
where
    I: Send,
    R: Send,
{
    let in_flight = in_flight.max(1);
    let shared = Mutex::new(Taking {
        items,
        taken: 0,
        used: 0,
        done: false,
    });
    let turn = Condvar::new();
    let (sender, results) = mpsc::channel::<(usize, R)>();
    std::thread::scope(|scope| {
        let mut spread = Spread::from_here();
        for _ in 0..threads.max(1) {
            let sender = sender.clone();
            let (shared, turn, work) = (&shared, &turn, &work);
            spread.spawn(scope, move || loop {
                let (index, item) = {
                    let mut state = shared.lock().unwrap_or_else(|e| e.into_inner());
                    while !state.done && state.taken >= state.used + in_flight {
                        state = turn.wait(state).unwrap_or_else(|e| e.into_inner());
                    }
                    if state.done {
                        return;
                    }
                    match state.items.next() {
                        Some(item) => {
                            state.taken += 1;
                            (state.taken - 1, item)
                        }
                        None => {
                            state.done = true;
                            turn.notify_all();
                            return;
                        }
                    }
                };
                if sender.send((index, work(item))).is_err() {
                    return;
                }
            });
        }
        drop(sender);
        let stop = |shared: &Mutex<Taking<_>>| {
            shared.lock().unwrap_or_else(|e| e.into_inner()).done = true;
            turn.notify_all();
        };
        let mut early = BTreeMap::new();
        let mut next_index = 0;
        for (index, result) in results.iter() {
            early.insert(index, result);
            while let Some(result) = early.remove(&next_index) {
                next_index += 1;
                let next = take(result);
                if !matches!(next, Ok(Next::More)) {
                    stop(&shared);
                    return next.map(|_| ());
                }
                shared.lock().unwrap_or_else(|e| e.into_inner()).used = next_index;
                turn.notify_all();
            }
        }
        Ok(())
    })
}

/// The same for jobs that the calling thread makes one at a time while doing other
/// work (a walk that calls back). The calling thread is one of the `threads`: it hands
/// a job to the others while they have fewer than their share of `in_flight` waiting,
/// and does it itself otherwise. A thread of its own for the caller's other work would
/// make one busy thread more than the cores the threads are meant to fill, and the
/// scheduler would then share the cores out in slices (the caller's work waiting its
/// turn behind a whole job while the others run dry). [`Pool::submit`] also uses the
/// results that are ready, and waits while `in_flight` jobs are out; [`Pool::finish`]
/// uses the rest. Results are used in submission order.
pub struct Pool<'w, J, R> {
    work: &'w (dyn Fn(J) -> R + Sync),
    /// The other threads' queue; none when there are no other threads.
    jobs: Option<mpsc::SyncSender<(usize, J)>>,
    /// Its other end, where the calling thread takes a job rather than wait.
    waiting: Arc<Mutex<mpsc::Receiver<(usize, J)>>>,
    results: mpsc::Receiver<(usize, R)>,
    in_flight: usize,
    submitted: usize,
    used: usize,
    early: BTreeMap<usize, R>,
}

impl<'w, J: Send, R: Send> Pool<'w, J, R> {
    /// Starts `threads - 1` threads running `work` in `scope`, beside the calling one.
    pub fn start<'scope>(
        scope: &'scope Scope<'scope, 'w>,
        threads: usize,
        in_flight: usize,
        work: &'w (impl Fn(J) -> R + Sync),
    ) -> Pool<'w, J, R>
    where
        J: 'scope,
        R: 'scope,
    {
        let threads = threads.max(1);
        let in_flight = in_flight.max(threads);
        let others = threads - 1;
        let (done, results) = mpsc::channel();
        let (jobs, waiting) = mpsc::sync_channel::<(usize, J)>(in_flight / threads * others);
        let waiting = Arc::new(Mutex::new(waiting));
        let mut spread = Spread::from_here();
        for _ in 0..others {
            let (waiting, done) = (Arc::clone(&waiting), done.clone());
            spread.spawn(scope, move || loop {
                let job = waiting.lock().unwrap_or_else(|e| e.into_inner()).recv();
                let Ok((index, job)) = job else {
                    return;
                };
                if done.send((index, work(job))).is_err() {
                    return;
                }
            });
        }
        Pool {
            work,
            jobs: (others > 0).then_some(jobs),
            waiting,
            results,
            in_flight,
            submitted: 0,
            used: 0,
            early: BTreeMap::new(),
        }
    }

    /// Hands `job` to the other threads, or does it when they have enough waiting;
    /// results ready by then go to `take`, in order.
    pub fn submit<F>(
        &mut self,
        job: J,
        take: &mut impl FnMut(R) -> Result<(), F>,
    ) -> Result<(), F> {
        // (No result can come only if every other thread is gone: then nothing waits.)
        while self.submitted - self.used >= self.in_flight && self.use_next(take, true)? {}
        let index = self.submitted;
        self.submitted += 1;
        let left = match &self.jobs {
            Some(jobs) => match jobs.try_send((index, job)) {
                Ok(()) => None,
                Err(TrySendError::Full((_, job)) | TrySendError::Disconnected((_, job))) => {
                    Some(job)
                }
            },
            None => Some(job),
        };
        if let Some(job) = left {
            self.early.insert(index, (self.work)(job));
        }
        while self.submitted > self.used && self.use_next(take, false)? {}
        Ok(())
    }

    /// Waits for every job and hands the remaining results to `take`, in order.
    pub fn finish<F>(mut self, take: &mut impl FnMut(R) -> Result<(), F>) -> Result<(), F> {
        self.jobs = None;
        while self.submitted > self.used && self.use_next(take, true)? {}
        Ok(())
    }

    /// Uses the next result in order if it is there (when `wait`, until one more is
    /// there, doing the jobs still queued meanwhile). Whether one was used.
    fn use_next<F>(
        &mut self,
        take: &mut impl FnMut(R) -> Result<(), F>,
        wait: bool,
    ) -> Result<bool, F> {
        loop {
            if let Some(result) = self.early.remove(&self.used) {
                self.used += 1;
                take(result)?;
                return Ok(true);
            }
            if let Ok((index, result)) = self.results.try_recv() {
                self.early.insert(index, result);
                continue;
            }
            if !wait {
                return Ok(false);
            }
            if let Some((index, job)) = self.queued_job() {
                self.early.insert(index, (self.work)(job));
                continue;
            }
            match self.results.recv() {
                Ok((index, result)) => {
                    self.early.insert(index, result);
                }
                Err(_) => return Ok(false),
            }
        }
    }

    /// A job queued for the other threads, if one is there. (A thread waiting for a job
    /// holds the queue's lock: the queue is then empty, and trying it must not wait.)
    fn queued_job(&self) -> Option<(usize, J)> {
        self.waiting.try_lock().ok()?.try_recv().ok()
    }
}

/// The items and how far the workers and the caller are.
struct Taking<T> {
    items: T,
    /// Items handed to workers.
    taken: usize,
    /// Results used by the caller.
    used: usize,
    /// No more items are to be taken.
    done: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_order_whatever_the_threads_finish_first() {
        let mut seen = Vec::new();
        // Early items take longest, so later ones finish first.
        let outcome: Result<(), ()> = in_order(
            0..200u64,
            4,
            8,
            |i| {
                std::thread::sleep(std::time::Duration::from_micros((200 - i) * 20));
                i * 2
            },
            |r| {
                seen.push(r);
                Ok(Next::More)
            },
        );
        assert_eq!(outcome, Ok(()));
        assert_eq!(seen, (0..200).map(|i| i * 2).collect::<Vec<_>>());
    }

    #[test]
    fn stopping_or_failing_ends_the_run_at_that_result() {
        let mut seen = Vec::new();
        let outcome = in_order(
            0..1000u32,
            3,
            4,
            |i| i,
            |r| {
                seen.push(r);
                match r {
                    10 => Err("bad"),
                    _ => Ok(Next::More),
                }
            },
        );
        assert_eq!(outcome, Err("bad"));
        assert_eq!(seen, (0..=10).collect::<Vec<_>>());
        let mut count = 0;
        let done: Result<(), ()> = in_order(
            0..1000u32,
            2,
            4,
            |i| i,
            |_| {
                count += 1;
                Ok(if count == 5 { Next::Done } else { Next::More })
            },
        );
        assert_eq!((done, count), (Ok(()), 5));
    }

    #[test]
    fn a_pool_of_one_thread_does_every_job_on_the_calling_thread() {
        let caller = std::thread::current().id();
        let work = |i: u32| (i, std::thread::current().id());
        let mut seen = Vec::new();
        let outcome: Result<(), ()> = std::thread::scope(|scope| {
            let mut pool = Pool::start(scope, 1, 4, &work);
            let mut take = |r| {
                seen.push(r);
                Ok(())
            };
            for i in 0..10 {
                pool.submit(i, &mut take)?;
            }
            pool.finish(&mut take)
        });
        assert_eq!(outcome, Ok(()));
        assert_eq!(seen, (0..10).map(|i| (i, caller)).collect::<Vec<_>>());
    }

    #[test]
    fn the_calling_thread_does_jobs_while_the_others_have_enough_waiting() {
        let caller = std::thread::current().id();
        // Jobs slow enough that the other thread's queue (three jobs) fills at once.
        let work = |i: u64| {
            std::thread::sleep(std::time::Duration::from_millis(2));
            (i, std::thread::current().id())
        };
        let mut seen = Vec::new();
        let outcome: Result<(), ()> = std::thread::scope(|scope| {
            let mut pool = Pool::start(scope, 2, 6, &work);
            let mut take = |r| {
                seen.push(r);
                Ok(())
            };
            for i in 0..40 {
                pool.submit(i, &mut take)?;
            }
            pool.finish(&mut take)
        });
        assert_eq!(outcome, Ok(()));
        let order: Vec<u64> = seen.iter().map(|&(i, _)| i).collect();
        assert_eq!(order, (0..40).collect::<Vec<_>>());
        let by_caller = seen.iter().filter(|&&(_, id)| id == caller).count();
        assert!(
            by_caller > 0 && by_caller < 40,
            "{by_caller} of 40 on the caller"
        );
    }

    #[test]
    fn a_pool_uses_results_in_submission_order() {
        let work = |i: u64| {
            std::thread::sleep(std::time::Duration::from_micros((100 - i) * 30));
            i + 1
        };
        let mut seen = Vec::new();
        let outcome: Result<(), ()> = std::thread::scope(|scope| {
            let mut pool = Pool::start(scope, 3, 5, &work);
            let mut take = |r| {
                seen.push(r);
                Ok(())
            };
            for i in 0..100 {
                pool.submit(i, &mut take)?;
            }
            pool.finish(&mut take)
        });
        assert_eq!(outcome, Ok(()));
        assert_eq!(seen, (1..=100).collect::<Vec<_>>());
    }
}
