//! Work done on several threads, results used in order.
//!
//! Workers take the next item in turn, compute its result on their own, and the calling
//! thread receives the results strictly in the items' order (a result that arrives early
//! waits for those before it). At most `in_flight` items are taken and not yet used,
//! so memory stays bounded whatever the number of items: a worker that runs ahead waits.

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::{Condvar, Mutex};

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
}
