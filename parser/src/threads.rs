//! Threads that start on a processor of their own.
//!
//! Linux often queues a thread just created on its creator's processor, even with
//! another one idle, and moves it only at a later scheduler tick: the two then take
//! turns on one processor for 4 to 16 ms (seen on the 2-core bench host in most
//! two-thread runs of `thl list -headers`, which take about 100 ms in all). A thread
//! spawned by [`Spread::spawn`] that finds itself on its creator's processor moves to
//! the next one the process may use, then lets the scheduler place it freely again.

use std::thread::{Scope, ScopedJoinHandle};

/// Where the threads spawned from one place go: round the processors the calling thread
/// may use, starting with the one after its own.
#[derive(Debug)]
pub struct Spread {
    placement: Option<sys::Placement>,
    spawned: usize,
}

impl Spread {
    /// Threads to be spawned from the calling thread, which is on the processor they
    /// should leave.
    pub fn from_here() -> Spread {
        Spread {
            placement: sys::Placement::of_caller(),
            spawned: 0,
        }
    }

    /// Spawns `work` on `scope`. The calling thread gives its processor up for a moment
    /// so that a thread queued behind it starts at once and can move away.
    pub fn spawn<'scope, 'env, T: Send + 'scope>(
        &mut self,
        scope: &'scope Scope<'scope, 'env>,
        work: impl FnOnce() -> T + Send + 'scope,
    ) -> ScopedJoinHandle<'scope, T> {
        let Some(placement) = self.placement else {
            return scope.spawn(work);
        };
        let target = placement.target(self.spawned);
        self.spawned += 1;
        let handle = scope.spawn(move || {
            placement.leave_creator(target);
            work()
        });
        std::thread::yield_now();
        handle
    }
}

#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
mod sys {
    use std::mem;

    /// The processors the creating thread may use and the one it is on.
    #[derive(Clone, Copy)]
    pub(super) struct Placement {
        allowed: libc::cpu_set_t,
        creator: usize,
        count: usize,
    }

    impl std::fmt::Debug for Placement {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Placement")
                .field("creator", &self.creator)
                .field("count", &self.count)
                .finish_non_exhaustive()
        }
    }

    impl Placement {
        /// None when the caller may use only one processor, or the system does not say.
        pub(super) fn of_caller() -> Option<Placement> {
            // SAFETY: a zeroed cpu_set_t is an empty set; sched_getaffinity writes at most
            // its size into it, and sched_getcpu takes nothing.
            let (allowed, creator) = unsafe {
                let mut allowed: libc::cpu_set_t = mem::zeroed();
                let size = mem::size_of::<libc::cpu_set_t>();
                if libc::sched_getaffinity(0, size, &mut allowed) != 0 {
                    return None;
                }
                (allowed, libc::sched_getcpu())
            };
            let creator = usize::try_from(creator).ok()?;
            let placement = Placement::new(allowed, creator);
            (placement.count > 1 && is_set(creator, &allowed)).then_some(placement)
        }

        pub(super) fn new(allowed: libc::cpu_set_t, creator: usize) -> Placement {
            let count = (0..SET_SIZE).filter(|&c| is_set(c, &allowed)).count();
            Placement {
                allowed,
                creator,
                count,
            }
        }

        /// The processor for the `nth` thread spawned: the `nth` allowed one after the
        /// creator's, round the allowed ones (the creator's own included).
        pub(super) fn target(&self, nth: usize) -> usize {
            let step = nth % self.count + 1;
            let mut cpu = self.creator;
            for _ in 0..step {
                cpu = (1..=SET_SIZE)
                    .map(|d| (cpu + d) % SET_SIZE)
                    .find(|&c| is_set(c, &self.allowed))
                    .unwrap_or(self.creator);
            }
            cpu
        }

        /// Run by the new thread: on its creator's processor, it moves to `target`; then
        /// it may run on any processor its creator may.
        pub(super) fn leave_creator(&self, target: usize) {
            // SAFETY: as in `of_caller`; pid 0 is the calling thread.
            unsafe {
                if usize::try_from(libc::sched_getcpu()) != Ok(self.creator)
                    || target == self.creator
                {
                    return;
                }
                let size = mem::size_of::<libc::cpu_set_t>();
                let mut only: libc::cpu_set_t = mem::zeroed();
                libc::CPU_SET(target, &mut only);
                if libc::sched_setaffinity(0, size, &only) == 0 {
                    libc::sched_setaffinity(0, size, &self.allowed);
                }
            }
        }
    }

    /// Processors a `cpu_set_t` holds.
    pub(super) const SET_SIZE: usize = libc::CPU_SETSIZE as usize;

    pub(super) fn is_set(cpu: usize, set: &libc::cpu_set_t) -> bool {
        // SAFETY: CPU_ISSET reads the bit `cpu` of the set, in bounds below SET_SIZE.
        cpu < SET_SIZE && unsafe { libc::CPU_ISSET(cpu, set) }
    }
}

#[cfg(all(test, target_os = "linux"))]
#[allow(unsafe_code)]
mod tests {
    use super::sys::{is_set, Placement, SET_SIZE};
    use super::Spread;

    fn set_of(cpus: &[usize]) -> libc::cpu_set_t {
        // SAFETY: a zeroed cpu_set_t is an empty set; CPU_SET writes the bits in bounds.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            for &cpu in cpus {
                libc::CPU_SET(cpu, &mut set);
            }
            set
        }
    }

    /// The processors the calling thread may run on.
    fn affinity() -> Vec<usize> {
        // SAFETY: as in `set_of`; sched_getaffinity writes at most the set's size.
        let mut set = set_of(&[]);
        let size = std::mem::size_of::<libc::cpu_set_t>();
        assert_eq!(unsafe { libc::sched_getaffinity(0, size, &mut set) }, 0);
        (0..SET_SIZE).filter(|&c| is_set(c, &set)).collect()
    }

    #[test]
    fn threads_go_round_the_allowed_processors_from_the_one_after_the_creators() {
        let placement = Placement::new(set_of(&[1, 3, 4]), 3);
        let targets: Vec<usize> = (0..5).map(|n| placement.target(n)).collect();
        assert_eq!(targets, [4, 1, 3, 4, 1]);
    }

    #[test]
    fn a_spawned_thread_may_run_wherever_its_creator_may() {
        let creators = affinity();
        let spawned: Vec<Vec<usize>> = std::thread::scope(|scope| {
            let mut spread = Spread::from_here();
            let handles: Vec<_> = (0..3).map(|_| spread.spawn(scope, affinity)).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(spawned, vec![creators; 3]);
    }
}

#[cfg(not(target_os = "linux"))]
mod sys {
    /// Elsewhere the scheduler places threads alone.
    #[derive(Clone, Copy, Debug)]
    pub(super) enum Placement {}

    impl Placement {
        pub(super) fn of_caller() -> Option<Placement> {
            None
        }

        pub(super) fn target(&self, _nth: usize) -> usize {
            match *self {}
        }

        pub(super) fn leave_creator(&self, _target: usize) {
            match *self {}
        }
    }
}
