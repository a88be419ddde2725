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
    /// Unwind rows already worked out, e.g. by [`super::cfi::rows`] for
    /// another copy of the same stencil (same size, same instructions;
    /// only hole values differ). Lets the JIT analyse each stencil once
    /// instead of once per trace.
    Precomputed(std::sync::Arc<[(u32, gimli::write::CallFrameInstruction)]>),
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

/// One uop of a trace, as the debug interfaces name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UopSite<'a> {
    /// The uop's name (`_LOAD_FAST`).
    pub uop: &'a str,
    /// The Python function the trace belongs to.
    pub function: &'a str,
    /// The source line the uop came from.
    pub line: u32,
}

/// The ranges of an executor laid out as the emitter lays it out: the
/// trampoline, then one stencil per uop in trace order, then the
/// `_FATAL_ERROR` guard, up to `code_size` bytes of code.
///
/// `starts` holds the code offset of each piece: `uops.len() + 2` entries
/// (trampoline, each uop, guard), in increasing order. `label` names the
/// executor (`cpjit:trampoline:<label>`); the guard is named
/// `cpjit:<function of the last uop>:_FATAL_ERROR`. Returns `None` if
/// `starts` has the wrong length or is out of order.
pub fn trace_ranges(
    label: &str,
    starts: &[usize],
    code_size: usize,
    uops: &[UopSite<'_>],
) -> Option<Vec<CodeRange>> {
    if starts.len() != uops.len() + 2 {
        return None;
    }
    let ends = starts.iter().skip(1).copied().chain([code_size]);
    let mut sizes = Vec::with_capacity(starts.len());
    for (&start, end) in starts.iter().zip(ends) {
        sizes.push(end.checked_sub(start)?);
    }
    let mut ranges = Vec::with_capacity(starts.len());
    ranges.push(CodeRange::trampoline(starts[0], sizes[0], label));
    for (i, site) in uops.iter().enumerate() {
        ranges.push(CodeRange::uop(
            starts[i + 1],
            sizes[i + 1],
            site.function,
            site.line,
            site.uop,
        ));
    }
    let function = uops.last().map_or("trace", |s| s.function);
    let last = starts.len() - 1;
    ranges.push(CodeRange::new(
        starts[last],
        sizes[last],
        format!("cpjit:{function}:_FATAL_ERROR"),
    ));
    Some(ranges)
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
            if let FrameLayout::Precomputed(rows) = &r.frame {
                if rows.iter().any(|&(o, _)| o as usize > r.size) {
                    return Err(DebugError::BadFrameLayout {
                        name: r.name.clone(),
                        reason: "precomputed rows lie past the end of the range",
                    });
                }
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
    fn trace_ranges_cover_the_code_in_emitter_order() {
        let site = |uop, line| UopSite {
            uop,
            function: "loop",
            line,
        };
        let uops = [site("_LOAD_FAST", 3), site("_JUMP_TO_TOP", 4)];
        let ranges = trace_ranges("7", &[0, 40, 52, 60], 70, &uops).unwrap();
        let got: Vec<_> = ranges
            .iter()
            .map(|r| (r.offset, r.size, r.name.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (0, 40, "cpjit:trampoline:7"),
                (40, 12, "cpjit:loop:3:_LOAD_FAST"),
                (52, 8, "cpjit:loop:4:_JUMP_TO_TOP"),
                (60, 10, "cpjit:loop:_FATAL_ERROR"),
            ]
        );
        assert_eq!(trace_ranges("7", &[0, 40, 52], 70, &uops), None);
        assert_eq!(trace_ranges("7", &[0, 52, 40, 60], 70, &uops), None);
        assert_eq!(trace_ranges("7", &[0, 40, 52, 60], 59, &uops), None);
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
