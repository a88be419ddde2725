//! The progress display: one bar over every planned child run, with notes
//! printed above it. Hidden automatically when standard error is not a
//! terminal, so logs stay clean; notes are still printed then.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Progress of the whole harness run.
pub struct Progress {
    bar: ProgressBar,
    visible: bool,
}

impl Progress {
    /// A bar on standard error (hidden when it is not a terminal).
    pub fn new() -> Progress {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} runs  eta {eta}  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(200));
        let visible = !bar.is_hidden();
        Progress { bar, visible }
    }

    /// Adds `n` planned runs to the total.
    pub fn plan(&self, n: u64) {
        self.bar.inc_length(n);
    }

    /// Shows what is running now.
    pub fn doing(&self, what: &str) {
        self.bar.set_message(what.to_string());
    }

    /// Marks one planned run done.
    pub fn done_one(&self) {
        self.bar.inc(1);
    }

    /// Prints a line above the bar.
    pub fn note(&self, line: &str) {
        if self.visible {
            self.bar.println(line);
        } else {
            eprintln!("{line}");
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}
