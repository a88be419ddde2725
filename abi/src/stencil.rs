//! The stencil format: what the stencil writer emits as static Rust data and
//! what the runtime's emitter copies and patches.
//!
//! A [`StencilGroup`] is one template compiled for one target: a code
//! [`Stencil`] and a data [`Stencil`] (read-only data and synthesized GOT
//! slots). Each [`Hole`] says where to patch (`offset`), how
//! ([`HoleKind`], one per relocation family), and with what
//! ([`HoleValue`] plus `symbol` plus `addend`).

/// How a hole is patched: one variant per relocation family, across the
/// seven targets. Each kind is patched in exactly one place in the runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HoleKind {
    /// 64-bit absolute address (`R_X86_64_64`, `R_AARCH64_ABS64`,
    /// `*_RELOC_UNSIGNED` 64-bit, `IMAGE_REL_*_ADDR64`).
    Abs64,
    /// 32-bit absolute address, zero-extended by the instruction
    /// (`IMAGE_REL_I386_DIR32`, `R_X86_64_32`): the value must fit `u32`.
    Abs32,
    /// 32-bit absolute address, sign-extended by the instruction
    /// (`R_X86_64_32S`): the value must fit `i32`.
    Abs32S,
    /// 32-bit PC-relative displacement (`R_X86_64_PC32`, `R_X86_64_PLT32`,
    /// `X86_64_RELOC_BRANCH`/`SIGNED*`, `IMAGE_REL_AMD64_REL32`,
    /// `IMAGE_REL_I386_REL32`). Value is `S + A - P`.
    Rel32,
    /// x86-64 32-bit PC-relative GOT load that may be relaxed to a direct
    /// reference at emit time (`R_X86_64_GOTPCRELX`, `R_X86_64_REX_GOTPCRELX`,
    /// `R_X86_64_GOTPCREL`, `X86_64_RELOC_GOT_LOAD`, `X86_64_RELOC_GOT`). The
    /// hole's value points at the GOT slot in the data stencil.
    X86GotPcRelX,
    /// AArch64 26-bit branch (`CALL26`, `JUMP26`, `ARM64_RELOC_BRANCH26`,
    /// `IMAGE_REL_ARM64_BRANCH26`).
    Aarch64Branch26,
    /// AArch64 19-bit conditional branch (`CONDBR19`).
    Aarch64CondBr19,
    /// AArch64 `adrp` page (`ADR_PREL_PG_HI21`, `PAGE21`, `PAGEBASE_REL21`).
    Aarch64AdrPage21,
    /// AArch64 `adrp` of a GOT slot's page (`ADR_GOT_PAGE`, `GOT_LOAD_PAGE21`).
    Aarch64GotPage21,
    /// AArch64 low 12 bits for `add` (`ADD_ABS_LO12_NC`, `PAGEOFF12` add, `PAGEOFFSET_12A`).
    Aarch64AddLo12,
    /// AArch64 low 12 bits for a load or store, scaled by its access size
    /// (`LDST*_ABS_LO12_NC`, `PAGEOFF12` load, `PAGEOFFSET_12L`).
    Aarch64LdstLo12,
    /// AArch64 GOT slot low 12 bits (`LD64_GOT_LO12_NC`, `GOT_LOAD_PAGEOFF12`).
    Aarch64GotLo12,
    /// AArch64 `movz`/`movk` 16-bit piece `n` of an absolute address
    /// (`MOVW_UABS_G0_NC`..`G3`).
    Aarch64MovW(u8),
}

/// The field of a [`HoleKind::Rel32`] hole at address `location` for
/// `value` (`S + A`): `S + A - P` as a signed 32-bit number, `None` if it
/// does not fit. The one definition of that arithmetic: the runtime's
/// patcher uses it, and so does the stencil writer for holes whose field
/// it can fill in advance (a value at a constant distance from the hole).
#[inline(always)]
pub const fn rel32_field(location: u64, value: u64) -> Option<i32> {
    let d = value.wrapping_sub(location) as i64;
    if d < i32::MIN as i64 || d > i32::MAX as i64 {
        return None;
    }
    Some(d as i32)
}

/// What a hole is patched with: the runtime's table of values per uop
/// instruction. The final value is `value + symbol address + addend`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HoleValue {
    /// Start of this uop's code.
    Code,
    /// Start of the next uop's code.
    Continue,
    /// Start of this uop's data.
    Data,
    /// The executor.
    Executor,
    /// Start of the trace proper (just past the trampoline: the side entry).
    Top,
    /// Zero: the hole's value is only `symbol`'s address plus `addend`.
    Zero,
    /// The instruction's oparg.
    Oparg,
    /// The instruction's operand.
    Operand,
    /// The instruction's bytecode target.
    Target,
    /// Start of the code of the uop named by the instruction's jump target.
    JumpTarget,
    /// Start of the code of the uop named by the instruction's error target.
    ErrorTarget,
    /// The instruction's exit index.
    ExitIndex,
    /// The high 32 bits of the operand (`_JIT_OPERAND_HI`), on 32-bit targets
    /// only, where an address (and so `Operand`'s hole) holds 32 bits: there
    /// `Operand` supplies the low half.
    OperandHi,
    /// `8 * oparg` (`_JIT_OPARG_BYTES`): the byte offset of local `oparg`
    /// in `frame.localsplus` (one 64-bit word per slot), so a template can
    /// address the local with one displacement (x86-64 ELF folds it into the
    /// instruction as an `Abs32S`) instead of an index register.
    OpargBytes,
    /// `8 * operand` (`_JIT_OPERAND_BYTES`): the byte offset of local
    /// `operand` in `frame.localsplus`, for the uops whose operand names a
    /// second local (`_LOCALS` forms), addressed as [`HoleValue::OpargBytes`].
    OperandBytes,
    /// The operand as a sign-extended 32-bit immediate (`_JIT_OPERAND_I32`,
    /// x86-64 ELF only: `Abs32S`), for the fused int uops whose constant the
    /// optimizer makes only when [`fits_operand_i32`] holds, so the constant
    /// goes into the instruction (`cmpq $c, disp(%r13)`) instead of a
    /// `movabs` and a register.
    OperandI32,
}

/// Whether `operand` may be a [`HoleValue::OperandI32`]: within `[-2^30,
/// 2^30)` as a signed word, which leaves a template room to fold a small
/// addend (a tag bit) into the immediate.
pub const fn fits_operand_i32(operand: u64) -> bool {
    let v = operand as i64;
    v >= -(1 << 30) && v < (1 << 30)
}

/// A place to patch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hole {
    /// Byte offset in the stencil body.
    pub offset: u32,
    /// How to patch.
    pub kind: HoleKind,
    /// Base value.
    pub value: HoleValue,
    /// An external symbol (runtime helper) whose address is added, if any.
    pub symbol: Option<&'static str>,
    /// Constant addend.
    pub addend: i64,
}

/// Machine code or data with holes.
#[derive(Clone, Copy, Debug)]
pub struct Stencil {
    /// Bytes to copy.
    pub body: &'static [u8],
    /// Holes to patch after copying.
    pub holes: &'static [Hole],
}

impl Stencil {
    /// The empty stencil.
    pub const EMPTY: Stencil = Stencil {
        body: &[],
        holes: &[],
    };
}

/// One template compiled for one target.
#[derive(Clone, Copy, Debug)]
pub struct StencilGroup {
    /// Code, entry at offset 0.
    pub code: Stencil,
    /// Read-only data and GOT slots, laid out after all code.
    pub data: Stencil,
    /// Alignment required for the data (power of two).
    pub data_align: u32,
    /// Where `data.body` holds the group's cold code, as `(offset, length)`:
    /// the blocks of a hot/cold split stencil that run from the data area
    /// (`build-support`'s `cold` module). `None` where the stencil was not
    /// split. Profilers and debuggers name and unwind it apart from the code.
    pub cold: Option<(u32, u32)>,
}

impl StencilGroup {
    /// A group with no code and no data (e.g. the trampoline on a target that
    /// keeps the C convention).
    pub const EMPTY: StencilGroup = StencilGroup {
        code: Stencil::EMPTY,
        data: Stencil::EMPTY,
        data_align: 1,
        cold: None,
    };

    /// Whether any hole of the group (code or data) is patched with `v`:
    /// with [`HoleValue::OperandBytes`], the uop's operand must be a local's
    /// index (its byte offset must fit the hole).
    pub fn uses(&self, v: HoleValue) -> bool {
        self.code
            .holes
            .iter()
            .chain(self.data.holes)
            .any(|h| h.value == v)
    }
}

/// The calling convention stencils use between each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallConv {
    /// LLVM `preserve_none` (ID 21): every register is caller-saved, arguments in many registers.
    PreserveNone,
    /// LLVM `ghccc` (ID 10). Not with `musttail` on AArch64 (LLVM aborts).
    Ghc,
    /// The C convention.
    C,
}

/// The stencils for one target and calling convention, as generated.
#[derive(Clone, Copy, Debug)]
pub struct StencilSet {
    /// Target triple.
    pub target: &'static str,
    /// Calling convention between stencils.
    pub cc: CallConv,
    /// Hash of the inputs (templates, target, convention, LLVM version).
    pub input_hash: &'static str,
    /// The C-convention entry trampoline (`_ENTRY`); empty where the target keeps C.
    pub trampoline: StencilGroup,
    /// The guard placed after every trace.
    pub fatal_error: StencilGroup,
    /// One group per uop, indexed by [`crate::uop::Uop`] as `usize`.
    pub uops: &'static [StencilGroup],
}

/// Where a generated emit function copies and patches one group.
///
/// Besides the static tables, the stencil writer generates one straight-line
/// function per group (module `emit` of each stencil file): it asks where
/// the group's data goes ([`EmitSink::data_at`]) and for the values its
/// holes need, copies the data and the code with [`EmitSink::data`] and
/// [`EmitSink::code`], then patches each hole at its constant offset with its
/// constant kind and addend through [`EmitSink::patch`]. The runtime's
/// emitter implements the sink, so the patch arithmetic of each [`HoleKind`]
/// stays defined once, in the runtime. Every method returns `None` when
/// something does not fit or does not match (the runtime then reports the
/// error through its table-driven path).
pub trait EmitSink {
    /// The value of `v` for the group being emitted. `Code` is the start of
    /// its code (before [`EmitSink::code`] is called). Generated code never
    /// asks for `Continue` (it adds the code size to `Code`) nor for `Data`
    /// (it uses the address [`EmitSink::data_at`] returns), nor, for the
    /// trampoline and the fatal-error guard, for a value taken from an
    /// instruction (those are zero there). `Operand` is the instruction's
    /// whole operand (generated code for 32-bit targets keeps its low
    /// half). `None` where the value does not exist (a jump target outside
    /// the trace).
    fn value(&self, v: HoleValue) -> Option<u64>;
    /// The address of symbol `index` of the stencil file's `emit::SYMBOLS`.
    fn symbol(&self, index: usize) -> u64;
    /// Aligns the data area's next offset to `align` (the group's
    /// `data_align`, a power of two) and returns the address the group's
    /// data runs at. Called once per group whose data is non-empty, is
    /// aligned, or is referred to (`HoleValue::Data`), first.
    fn data_at(&mut self, align: usize) -> u64;
    /// Copies the group's data to the place [`EmitSink::data_at`] chose and
    /// returns the placed bytes.
    fn data<const N: usize>(&mut self, body: &[u8; N]) -> Option<&mut [u8; N]>;
    /// Copies the group's code to its place (the next group's code follows
    /// it) and returns the placed bytes.
    fn code<const N: usize>(&mut self, body: &[u8; N]) -> Option<&mut [u8; N]>;
    /// Patches the hole of `kind` at `offset` of `place`, whose first byte
    /// runs at `address`, with `value` (hole value + symbol + addend).
    /// `NEAR`: the value lies in the block being emitted (code, data or a
    /// jump target of the same trace, no symbol), so the runtime may rely
    /// on the block's size bound instead of checking the range of a
    /// PC-relative displacement.
    fn patch<const NEAR: bool>(
        kind: HoleKind,
        place: &mut [u8],
        offset: usize,
        address: u64,
        value: u64,
    ) -> Option<()>;
    /// Patches the hole of `kind` that runs at `address` (in code already
    /// placed) with the whole block in view: for kinds that read other
    /// parts of the block (the x86-64 GOT relaxation reads the slot in the
    /// data).
    fn patch_in_block(&mut self, kind: HoleKind, address: u64, value: u64) -> Option<()>;
}
