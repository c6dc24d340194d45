//! Threads that start on a processor of their own.
//!
//! Linux often queues a thread just created on its creator's processor, even with
//! another one idle, and moves it only at a later scheduler tick: the two then take
//! turns on one processor for 4 to 16 ms (seen on the 2-core bench host in four of six
//! traced two-thread runs of `thl list -headers`, about 120 ms each). A thread
//! spawned by [`Spread::spawn`] that finds itself on its creator's processor moves to
//! the next one the process may use, then lets the scheduler place it freely again.

use std::thread::{Scope, ScopedJoinHandle};

/// Where the threads spawned from one place go: round the processors the calling thread
/// may use, starting with the one after the one it is on at each spawn.
#[derive(Debug)]
pub struct Spread {
    placement: Option<sys::Placement>,
    spawned: usize,
}

impl Spread {
    /// Threads to be spawned from the calling thread, on the processors it may use.
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
        let Some((placement, creator)) = self.placement.zip(sys::current_processor()) else {
            return scope.spawn(work);
        };
        let target = placement.target(creator, self.spawned);
        self.spawned += 1;
        let handle = scope.spawn(move || {
            placement.leave(creator, target);
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

    /// The processors the creating thread may use.
    #[derive(Clone, Copy)]
    pub(super) struct Placement {
        allowed: libc::cpu_set_t,
        count: usize,
    }

    impl std::fmt::Debug for Placement {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Placement")
                .field("count", &self.count)
                .finish_non_exhaustive()
        }
    }

    /// The processor the calling thread is on.
    pub(super) fn current_processor() -> Option<usize> {
        // SAFETY: sched_getcpu takes nothing and returns a number or -1.
        usize::try_from(unsafe { libc::sched_getcpu() }).ok()
    }

    impl Placement {
        /// None when the caller may use only one processor, or the system does not say.
        pub(super) fn of_caller() -> Option<Placement> {
            // SAFETY: a zeroed cpu_set_t is an empty set; sched_getaffinity writes at most
            // its size into it.
            let allowed = unsafe {
                let mut allowed: libc::cpu_set_t = mem::zeroed();
                let size = mem::size_of::<libc::cpu_set_t>();
                if libc::sched_getaffinity(0, size, &mut allowed) != 0 {
                    return None;
                }
                allowed
            };
            let placement = Placement::new(allowed);
            (placement.count > 1).then_some(placement)
        }

        pub(super) fn new(allowed: libc::cpu_set_t) -> Placement {
            let count = (0..SET_SIZE).filter(|&c| is_set(c, &allowed)).count();
            Placement { allowed, count }
        }

        /// The processor for the `nth` thread spawned by a thread on `creator`: the
        /// `nth` allowed one after `creator`, round the allowed ones (`creator` among
        /// them when allowed).
        pub(super) fn target(&self, creator: usize, nth: usize) -> usize {
            let step = nth % self.count + 1;
            let mut cpu = creator;
            for _ in 0..step {
                cpu = (1..=SET_SIZE)
                    .map(|d| (cpu + d) % SET_SIZE)
                    .find(|&c| is_set(c, &self.allowed))
                    .unwrap_or(creator);
            }
            cpu
        }

        /// Run by the new thread: on its creator's processor, it moves to `target`; then
        /// it may run on any processor its creator may.
        pub(super) fn leave(&self, creator: usize, target: usize) {
            if target == creator || current_processor() != Some(creator) {
                return;
            }
            // SAFETY: a zeroed cpu_set_t is an empty set, CPU_SET writes a bit in bounds
            // (`target` is an allowed processor), and pid 0 is the calling thread.
            unsafe {
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
        let placement = Placement::new(set_of(&[1, 3, 4]));
        let targets: Vec<usize> = (0..5).map(|n| placement.target(3, n)).collect();
        assert_eq!(targets, [4, 1, 3, 4, 1]);
        // From a processor the set leaves out (the creator's affinity changed since).
        let targets: Vec<usize> = (0..3).map(|n| placement.target(2, n)).collect();
        assert_eq!(targets, [3, 4, 1]);
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

    pub(super) fn current_processor() -> Option<usize> {
        None
    }

    impl Placement {
        pub(super) fn of_caller() -> Option<Placement> {
            None
        }

        pub(super) fn target(&self, _creator: usize, _nth: usize) -> usize {
            match *self {}
        }

        pub(super) fn leave(&self, _creator: usize, _target: usize) {
            match *self {}
        }
    }
}
