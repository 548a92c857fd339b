//! Time, injectable: retry delays go through a [`Clock`], so tests of retries do not sleep.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// Waits, and tells the time (for `Retry-After` dates).
#[async_trait::async_trait]
pub trait Clock: Send + Sync {
    /// Waits for `duration`.
    async fn sleep(&self, duration: Duration);
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The real clock (tokio's timer).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

#[async_trait::async_trait]
impl Clock for SystemClock {
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that never waits: it records each requested delay and advances its own time.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<SystemTime>,
    slept: Mutex<Vec<Duration>>,
}

impl ManualClock {
    /// A clock starting at `now`.
    pub fn new(now: SystemTime) -> Self {
        ManualClock {
            now: Mutex::new(now),
            slept: Mutex::new(Vec::new()),
        }
    }

    /// Every delay asked for, in order.
    pub fn slept(&self) -> Vec<Duration> {
        self.slept.lock().expect("not poisoned").clone()
    }
}

#[async_trait::async_trait]
impl Clock for ManualClock {
    async fn sleep(&self, duration: Duration) {
        self.slept.lock().expect("not poisoned").push(duration);
        *self.now.lock().expect("not poisoned") += duration;
    }
    fn now(&self) -> SystemTime {
        *self.now.lock().expect("not poisoned")
    }
}

/// The delay a `Retry-After` header asks for (RFC 9110 §10.2.3: delay-seconds or an
/// HTTP-date), relative to `now`; `None` when absent or unreadable.
pub(crate) fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", now), None);
    }
}
