//! What the emitter tells the debug interfaces: installed code and its
//! named ranges.

use super::DebugError;

/// How a range of code uses the stack, for the unwind information (CFI)
/// given to gdb. Offsets are relative to the range's start. See
/// [`super::cfi`] for the rules each layout encodes.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum FrameLayout {
    /// Find out from the code bytes: a standard `push rbp; mov rbp, rsp`
    /// prologue makes a [`FrameLayout::FramePointer`], its absence
    /// [`FrameLayout::Frameless`].
    #[default]
    Detect,
    /// The code never moves `rsp` or `rbp`: at every instruction the return
    /// address is at `[rsp]` (CFA = rsp + 8). True of stencils that only
    /// tail-jump.
    Frameless,
    /// A frame-pointer frame: `push rbp` at `push_rbp`, `mov rbp, rsp`
    /// completed at `frame_set`, and (if any) the final `pop rbp` completed
    /// at `frame_popped`. Between `frame_set` and `frame_popped`, CFA =
    /// rbp + 16.
    FramePointer {
        /// Offset of the `push rbp` instruction.
        push_rbp: u32,
        /// Offset just past `mov rbp, rsp`.
        frame_set: u32,
        /// Offset just past the last `pop rbp`, if the range has one
        /// before its final jump or return.
        frame_popped: Option<u32>,
    },
}

/// One named piece of a [`CodeRegion`]: a uop's code, a trampoline, a stub.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeRange {
    /// Offset from the region's start.
    pub offset: usize,
    /// Size in bytes (may be zero; such ranges get no symbol).
    pub size: usize,
    /// The symbol profilers and debuggers show, e.g.
    /// `cpjit:fib:3:_BINARY_OP_ADD_INT`.
    pub name: String,
    /// Stack use, for unwinding.
    pub frame: FrameLayout,
}

impl CodeRange {
    /// A range named `name`, its frame layout detected from the bytes.
    pub fn new(offset: usize, size: usize, name: impl Into<String>) -> Self {
        CodeRange {
            offset,
            size,
            name: name.into(),
            frame: FrameLayout::Detect,
        }
    }

    /// A uop's range, named `cpjit:<function>:<line>:<uop>`.
    pub fn uop(offset: usize, size: usize, function: &str, line: u32, uop: &str) -> Self {
        Self::new(offset, size, format!("cpjit:{function}:{line}:{uop}"))
    }

    /// A trampoline's range, named `cpjit:trampoline:<label>`.
    pub fn trampoline(offset: usize, size: usize, label: &str) -> Self {
        Self::new(offset, size, format!("cpjit:trampoline:{label}"))
    }

    /// The same range with an explicit frame layout.
    pub fn with_frame(mut self, frame: FrameLayout) -> Self {
        self.frame = frame;
        self
    }
}

/// Installed JIT code: the bytes where they run, and their named ranges.
#[derive(Clone, Copy, Debug)]
pub struct CodeRegion<'a> {
    /// A label for the whole region (e.g. `executor 7`), used as the
    /// object file's name in gdb.
    pub name: &'a str,
    /// The code, at its run-time address (`code.as_ptr()`).
    pub code: &'a [u8],
    /// Named ranges inside `code`.
    pub ranges: &'a [CodeRange],
}

impl<'a> CodeRegion<'a> {
    /// A region of installed code.
    pub fn new(name: &'a str, code: &'a [u8], ranges: &'a [CodeRange]) -> Self {
        CodeRegion { name, code, ranges }
    }

    /// The run-time address of the first byte.
    pub fn address(&self) -> u64 {
        self.code.as_ptr() as u64
    }

    /// The bytes of one range (checked by [`CodeRegion::validate`]).
    pub fn bytes_of(&self, range: &CodeRange) -> &'a [u8] {
        self.code
            .get(range.offset..range.offset.saturating_add(range.size))
            .unwrap_or(&[])
    }

    /// Checks that every range lies inside the code and that explicit frame
    /// layouts lie inside their ranges, in order.
    pub fn validate(&self) -> Result<(), DebugError> {
        for r in self.ranges {
            let inside =
                matches!(r.offset.checked_add(r.size), Some(end) if end <= self.code.len());
            if !inside {
                return Err(DebugError::RangeOutOfRegion {
                    name: r.name.clone(),
                    offset: r.offset,
                    size: r.size,
                    region_size: self.code.len(),
                });
            }
            if let FrameLayout::FramePointer {
                push_rbp,
                frame_set,
                frame_popped,
            } = r.frame
            {
                let bad = |reason| DebugError::BadFrameLayout {
                    name: r.name.clone(),
                    reason,
                };
                if push_rbp >= frame_set {
                    return Err(bad("push_rbp must come before frame_set"));
                }
                if frame_set as usize > r.size {
                    return Err(bad("frame_set is past the end of the range"));
                }
                if let Some(p) = frame_popped {
                    if p <= frame_set || p as usize > r.size {
                        return Err(bad(
                            "frame_popped must lie after frame_set, inside the range",
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_convention() {
        assert_eq!(
            CodeRange::uop(0, 4, "fib", 3, "_LOAD_FAST").name,
            "cpjit:fib:3:_LOAD_FAST"
        );
        assert_eq!(
            CodeRange::trampoline(0, 4, "executor 1").name,
            "cpjit:trampoline:executor 1"
        );
    }

    #[test]
    fn rejects_ranges_outside_the_code() {
        let code = [0u8; 16];
        let ok = [CodeRange::new(8, 8, "a")];
        assert!(CodeRegion::new("r", &code, &ok).validate().is_ok());
        for bad in [
            CodeRange::new(9, 8, "a"),
            CodeRange::new(usize::MAX, 2, "a"),
        ] {
            let ranges = [bad];
            assert!(matches!(
                CodeRegion::new("r", &code, &ranges).validate(),
                Err(DebugError::RangeOutOfRegion { .. })
            ));
        }
    }

    #[test]
    fn rejects_inconsistent_frame_layouts() {
        let code = [0u8; 16];
        for (push_rbp, frame_set, frame_popped) in [
            (4, 4, None),
            (0, 17, None),
            (0, 4, Some(4)),
            (0, 4, Some(17)),
        ] {
            let ranges = [
                CodeRange::new(0, 16, "a").with_frame(FrameLayout::FramePointer {
                    push_rbp,
                    frame_set,
                    frame_popped,
                }),
            ];
            assert!(matches!(
                CodeRegion::new("r", &code, &ranges).validate(),
                Err(DebugError::BadFrameLayout { .. })
            ));
        }
    }
}
