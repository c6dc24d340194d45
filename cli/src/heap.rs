//! How much freed heap the process keeps.
//!
//! glibc gives the top of the heap back to the kernel whenever more than 128 KiB of it is
//! free. A listing decodes each event into many small allocations and frees them all
//! before the next one, so a large event's pages were handed back and the next one faulted
//! them in again, zeroed: on the benchmark log (issue 10) `thl list -charset utf8` took
//! 75,000 page faults where 13,000 map the log, and this setting took its CPU time from
//! 2.53 to 2.17 seconds (`-sql`: 87,000 faults, 15 % of its time). Up to 16 MiB of free
//! heap now stay with the process: a bound, not a cost, since the peak is set by what is
//! in use at once.
//!
//! Setting that threshold also fixes glibc's mmap threshold at its 128 KiB start (it
//! otherwise rises to the largest block freed): every buffer of a batch or piece of
//! text handed between threads (1-2 MiB) was then mapped afresh, faulted in zeroed and
//! unmapped when freed. Blocks up to the same 16 MiB now come from the heap and are
//! reused: half the page faults of `thl list -threads 2` (35,000 to 18,000 on the
//! benchmark log), peak anonymous memory 23 to 27 MiB.

/// Free heap kept at its top before any is returned to the kernel.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const KEPT_FREE_BYTES: libc::c_int = 16 << 20;

/// Applies the policy above; called first thing in `main`, before any thread exists.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn keep_freed_heap() {
    // SAFETY: `mallopt` only sets allocator parameters, here while the process is
    // single-threaded. A refusal (return value 0) leaves glibc's default: nothing to do.
    #[allow(unsafe_code)]
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, KEPT_FREE_BYTES);
        libc::mallopt(libc::M_MMAP_THRESHOLD, KEPT_FREE_BYTES);
    }
}

/// Other C libraries keep their own policy.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn keep_freed_heap() {}
