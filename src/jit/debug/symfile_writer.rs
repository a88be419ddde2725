//! The in-memory ELF gdb reads ([`super::symfile`]'s format), written
//! directly, from pieces encoded once per stencil.
//!
//! [`super::symfile::build`] describes any [`CodeRegion`] through gimli's
//! frame table and `object`'s ELF writer; for an executor that is most of
//! its compile time. Here the unwind information of each stencil is encoded
//! once ([`EncodedFde`]: the same `.eh_frame` FDE [`cfi::eh_frame`] writes,
//! at address 0), and a registration only copies those bytes, sets each
//! one's address and CIE pointer, appends the symbols and their names, and
//! lays out the same sections: `.text` (`NOBITS` at the code's address),
//! `.eh_frame`, `.symtab`, `.strtab`, `.shstrtab`.

use super::{cfi, CodeRange, CodeRegion, DebugError, FrameLayout};
use object::elf;
use std::sync::OnceLock;

/// Whether gdb gets unwind information (x86-64 only, as in [`super::cfi`]).
const WITH_CFI: bool = cfg!(target_arch = "x86_64");

/// The ELF machine of the host.
const MACHINE: u16 = if cfg!(target_arch = "aarch64") {
    elf::EM_AARCH64
} else {
    elf::EM_X86_64
};

/// Bytes of an FDE before its instructions: length, CIE pointer, the
/// 8-byte start address and the 8-byte size.
const FDE_HEADER: usize = 24;

/// One piece of code's unwind rows, encoded as an `.eh_frame` FDE at
/// address 0 (empty for code gdb gets no CFI for).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EncodedFde(Box<[u8]>);

/// Splits a one-range `.eh_frame` from [`cfi::eh_frame`] into its CIE and
/// its FDE.
fn split_eh_frame(bytes: &[u8]) -> Result<(&[u8], &[u8]), DebugError> {
    let bad = || DebugError::Symfile("unexpected .eh_frame layout from the CFI encoder".into());
    let word = |at: usize| -> Option<usize> {
        let b = bytes.get(at..at + 4)?;
        Some(u32::from_le_bytes(b.try_into().ok()?) as usize)
    };
    let cie_end = word(0).ok_or_else(bad)? + 4;
    let fde_end = cie_end + word(cie_end).ok_or_else(bad)? + 4;
    let cie = bytes.get(..cie_end).ok_or_else(bad)?;
    let fde = bytes.get(cie_end..fde_end).ok_or_else(bad)?;
    if fde.len() < FDE_HEADER || bytes.len() != fde_end + 4 {
        return Err(bad());
    }
    Ok((cie, fde))
}

impl EncodedFde {
    /// Encodes the unwind rows of `code` (one stencil's bytes as emitted)
    /// under `layout`, as [`cfi::frame_table`] does for a range.
    pub fn encode(code: &[u8], layout: &FrameLayout) -> Result<Self, DebugError> {
        if !WITH_CFI || code.is_empty() {
            return Ok(EncodedFde::default());
        }
        let ranges = [CodeRange::new(0, code.len(), "piece").with_frame(layout.clone())];
        let bytes = cfi::eh_frame(&CodeRegion::new("piece", code, &ranges))?;
        let (_, fde) = split_eh_frame(&bytes)?;
        Ok(EncodedFde(fde.into()))
    }
}

/// The common entry every FDE points at (the same for every range).
fn cie() -> Result<&'static [u8], DebugError> {
    static CIE: OnceLock<Box<[u8]>> = OnceLock::new();
    if let Some(c) = CIE.get() {
        return Ok(c);
    }
    let code = [0x90u8];
    let ranges = [CodeRange::new(0, 1, "piece").with_frame(FrameLayout::Frameless)];
    let bytes = cfi::eh_frame(&CodeRegion::new("piece", &code, &ranges))?;
    let (cie, _) = split_eh_frame(&bytes)?;
    Ok(CIE.get_or_init(|| cie.into()))
}

/// Builds one executor's symbol file, range by range.
#[derive(Debug)]
pub struct SymfileWriter {
    code_address: u64,
    code_len: usize,
    eh_frame: Vec<u8>,
    symtab: Vec<u8>,
    strtab: Vec<u8>,
    symbols: u32,
}

/// Appends a symbol table entry.
fn push_symbol(out: &mut Vec<u8>, name: u32, info: u8, shndx: u16, value: u64, size: u64) {
    let mut entry = [0u8; SYMTAB_ENTRY];
    entry[0..4].copy_from_slice(&name.to_le_bytes());
    entry[4] = info;
    entry[5] = elf::STV_DEFAULT;
    entry[6..8].copy_from_slice(&shndx.to_le_bytes());
    entry[8..16].copy_from_slice(&value.to_le_bytes());
    entry[16..24].copy_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&entry);
}

/// Appends `n` in decimal (names are built byte by byte: `format!` per
/// symbol was most of a registration's time).
pub fn push_decimal(out: &mut Vec<u8>, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Section indices.
const TEXT: u16 = 1;
const SYMTAB_ENTRY: usize = 24;

impl SymfileWriter {
    /// Starts the file for `code_len` bytes of code at `code_address`,
    /// named `file_name` (gdb shows it as the object file's name), with
    /// room for about `ranges` ranges.
    pub fn new(
        file_name: &str,
        code_address: u64,
        code_len: usize,
        ranges: usize,
    ) -> Result<Self, DebugError> {
        let mut eh_frame = Vec::with_capacity(64 + ranges * 48);
        if WITH_CFI {
            eh_frame.extend_from_slice(cie()?);
        }
        let mut symtab = Vec::with_capacity((ranges + 2) * SYMTAB_ENTRY);
        let mut strtab = Vec::with_capacity(file_name.len() + 2 + ranges * 40);
        strtab.push(0);
        push_symbol(&mut symtab, 0, 0, 0, 0, 0);
        let name = strtab.len() as u32;
        strtab.extend_from_slice(file_name.as_bytes());
        strtab.push(0);
        push_symbol(
            &mut symtab,
            name,
            (elf::STB_LOCAL << 4) | elf::STT_FILE,
            elf::SHN_ABS,
            0,
            0,
        );
        Ok(SymfileWriter {
            code_address,
            code_len,
            eh_frame,
            symtab,
            strtab,
            symbols: 2,
        })
    }

    /// Adds the range at `offset` of `size` bytes, its unwind rows `fde`
    /// (from [`EncodedFde::encode`] of code of the same size) and the name
    /// `write_name` appends. Empty ranges are left out, as in
    /// [`super::symfile::build`].
    pub fn add(
        &mut self,
        offset: usize,
        size: usize,
        fde: &EncodedFde,
        write_name: impl FnOnce(&mut Vec<u8>),
    ) -> Result<(), DebugError> {
        if size == 0 {
            return Ok(());
        }
        if offset
            .checked_add(size)
            .is_none_or(|end| end > self.code_len)
        {
            return Err(DebugError::RangeOutOfRegion {
                name: String::new(),
                offset,
                size,
                region_size: self.code_len,
            });
        }
        let name = self.strtab.len() as u32;
        write_name(&mut self.strtab);
        self.strtab.push(0);
        push_symbol(
            &mut self.symtab,
            name,
            (elf::STB_GLOBAL << 4) | elf::STT_FUNC,
            TEXT,
            offset as u64,
            size as u64,
        );
        self.symbols += 1;
        if WITH_CFI && !fde.0.is_empty() {
            let at = self.eh_frame.len();
            self.eh_frame.extend_from_slice(&fde.0);
            // The CIE pointer counts back from its own field to the CIE (at 0).
            let cie_pointer = (at + 4) as u32;
            let start = self.code_address.wrapping_add(offset as u64);
            self.eh_frame[at + 4..at + 8].copy_from_slice(&cie_pointer.to_le_bytes());
            self.eh_frame[at + 8..at + 16].copy_from_slice(&start.to_le_bytes());
            self.eh_frame[at + 16..at + 24].copy_from_slice(&(size as u64).to_le_bytes());
        }
        Ok(())
    }

    /// The object file.
    pub fn finish(mut self) -> Vec<u8> {
        if WITH_CFI {
            self.eh_frame.extend_from_slice(&[0; 4]);
        }
        let shstrtab: &[u8] = b"\0.text\0.eh_frame\0.symtab\0.strtab\0.shstrtab\0";
        let align8 = |n: usize| n.next_multiple_of(8);
        let eh_off = 64;
        let symtab_off = align8(eh_off + self.eh_frame.len());
        let strtab_off = symtab_off + self.symtab.len();
        let shstrtab_off = strtab_off + self.strtab.len();
        let shoff = align8(shstrtab_off + shstrtab.len());
        let sections = 6u16;
        let mut out = Vec::with_capacity(shoff + 64 * sections as usize);
        // ELF header.
        out.extend_from_slice(&[0x7f, b'E', b'L', b'F', elf::ELFCLASS64, elf::ELFDATA2LSB]);
        out.extend_from_slice(&[elf::EV_CURRENT, elf::ELFOSABI_NONE, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&elf::ET_REL.to_le_bytes());
        out.extend_from_slice(&MACHINE.to_le_bytes());
        out.extend_from_slice(&u32::from(elf::EV_CURRENT).to_le_bytes());
        out.extend_from_slice(&0u64.to_le_bytes()); // e_entry
        out.extend_from_slice(&0u64.to_le_bytes()); // e_phoff
        out.extend_from_slice(&(shoff as u64).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes()); // e_flags
        out.extend_from_slice(&64u16.to_le_bytes()); // e_ehsize
        out.extend_from_slice(&0u16.to_le_bytes()); // e_phentsize
        out.extend_from_slice(&0u16.to_le_bytes()); // e_phnum
        out.extend_from_slice(&64u16.to_le_bytes()); // e_shentsize
        out.extend_from_slice(&sections.to_le_bytes());
        out.extend_from_slice(&(sections - 1).to_le_bytes()); // e_shstrndx
        debug_assert_eq!(out.len(), eh_off);
        out.extend_from_slice(&self.eh_frame);
        out.resize(symtab_off, 0);
        out.extend_from_slice(&self.symtab);
        out.extend_from_slice(&self.strtab);
        out.extend_from_slice(shstrtab);
        out.resize(shoff, 0);
        let mut section = |name: u32,
                           kind: u32,
                           flags: u32,
                           addr: u64,
                           (offset, size): (usize, usize),
                           (link, info): (u32, u32),
                           align: u64,
                           entsize: u64| {
            out.extend_from_slice(&name.to_le_bytes());
            out.extend_from_slice(&kind.to_le_bytes());
            out.extend_from_slice(&u64::from(flags).to_le_bytes());
            out.extend_from_slice(&addr.to_le_bytes());
            out.extend_from_slice(&(offset as u64).to_le_bytes());
            out.extend_from_slice(&(size as u64).to_le_bytes());
            out.extend_from_slice(&link.to_le_bytes());
            out.extend_from_slice(&info.to_le_bytes());
            out.extend_from_slice(&align.to_le_bytes());
            out.extend_from_slice(&entsize.to_le_bytes());
        };
        // Names are offsets into `shstrtab` above.
        section(0, elf::SHT_NULL, 0, 0, (0, 0), (0, 0), 0, 0);
        section(
            1,
            elf::SHT_NOBITS,
            elf::SHF_ALLOC | elf::SHF_EXECINSTR,
            self.code_address,
            (0, self.code_len),
            (0, 0),
            1,
            0,
        );
        section(
            7,
            elf::SHT_PROGBITS,
            elf::SHF_ALLOC,
            0,
            (eh_off, self.eh_frame.len()),
            (0, 0),
            8,
            0,
        );
        // The null and FILE symbols are local: globals start at 2.
        section(
            17,
            elf::SHT_SYMTAB,
            0,
            0,
            (symtab_off, self.symtab.len()),
            (4, 2),
            8,
            SYMTAB_ENTRY as u64,
        );
        section(
            25,
            elf::SHT_STRTAB,
            0,
            0,
            (strtab_off, self.strtab.len()),
            (0, 0),
            1,
            0,
        );
        section(
            33,
            elf::SHT_STRTAB,
            0,
            0,
            (shstrtab_off, shstrtab.len()),
            (0, 0),
            1,
            0,
        );
        debug_assert_eq!(self.symbols as usize * SYMTAB_ENTRY, self.symtab.len());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use object::{Object, ObjectSection, ObjectSymbol, SymbolKind};

    /// `push rbp; mov rbp, rsp; movabs rax, 0; call rax; pop rbp; ret`,
    /// then a frameless `nop; jmp rel32`.
    fn sample() -> Vec<u8> {
        let mut code = vec![
            0x55, 0x48, 0x89, 0xe5, 0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xd0, 0x5d, 0xc3,
        ];
        code.extend_from_slice(&[0x90, 0xe9, 0, 0, 0, 0]);
        code
    }

    fn written(code: &[u8], ranges: &[CodeRange]) -> Vec<u8> {
        let mut w = SymfileWriter::new("r", code.as_ptr() as u64, code.len(), ranges.len())
            .expect("writer");
        for r in ranges {
            let bytes = &code[r.offset..r.offset + r.size];
            let fde = EncodedFde::encode(bytes, &FrameLayout::Detect).expect("fde");
            w.add(r.offset, r.size, &fde, |s| {
                s.extend_from_slice(r.name.as_bytes())
            })
            .expect("added");
        }
        w.finish()
    }

    #[test]
    fn eh_frame_is_the_one_gimli_writes_for_the_whole_region() {
        let code = sample();
        let ranges = [
            CodeRange::new(0, 18, "a"),
            CodeRange::new(4, 0, "empty"),
            CodeRange::new(18, 6, "b"),
        ];
        let bytes = written(&code, &ranges);
        let file = object::File::parse(&*bytes).expect("parses");
        let eh = file.section_by_name(".eh_frame").expect("eh_frame");
        let want = if WITH_CFI {
            cfi::eh_frame(&CodeRegion::new("r", &code, &ranges)).expect("reference")
        } else {
            Vec::new()
        };
        assert_eq!(eh.data().expect("data"), &want[..]);
    }

    #[test]
    fn same_sections_and_symbols_as_the_general_builder() {
        let code = sample();
        let ranges = [
            CodeRange::new(0, 18, "cpjit:f:1:_X"),
            CodeRange::new(18, 6, "cpjit:f:2:_Y"),
        ];
        let fast = written(&code, &ranges);
        let general =
            super::super::symfile::build(&CodeRegion::new("r", &code, &ranges)).expect("general");
        let describe = |bytes: &[u8]| {
            let file = object::File::parse(bytes).expect("parses");
            let sections: Vec<_> = file
                .sections()
                .map(|s| {
                    (
                        s.name().unwrap_or("").to_string(),
                        s.address(),
                        s.size(),
                        s.kind(),
                        // Table bytes differ in string order only
                        // (`object` sorts names); symbols are compared below.
                        (s.kind() != object::SectionKind::Metadata)
                            .then(|| s.data().map(<[u8]>::to_vec).ok()),
                    )
                })
                .collect();
            let symbols: Vec<_> = file
                .symbols()
                .map(|s| {
                    (
                        s.name().unwrap_or("").to_string(),
                        s.kind(),
                        s.address(),
                        s.size(),
                        s.is_global(),
                        s.section_index(),
                    )
                })
                .collect();
            (file.architecture(), sections, symbols)
        };
        assert_eq!(describe(&fast), describe(&general));
        let file = object::File::parse(&*fast).expect("parses");
        let text: Vec<_> = file
            .symbols()
            .filter(|s| s.kind() == SymbolKind::Text)
            .map(|s| s.name().unwrap_or("").to_string())
            .collect();
        assert_eq!(text, ["cpjit:f:1:_X", "cpjit:f:2:_Y"]);
    }

    #[test]
    fn decimals() {
        for n in [0, 7, 10, 409, u32::MAX] {
            let mut s = b"x".to_vec();
            push_decimal(&mut s, n);
            assert_eq!(s, format!("x{n}").into_bytes());
        }
    }

    #[test]
    fn a_range_outside_the_code_is_an_error() {
        let code = sample();
        let mut w = SymfileWriter::new("r", 0x1000, code.len(), 1).expect("writer");
        let fde = EncodedFde::default();
        assert!(matches!(
            w.add(20, 8, &fde, |_| {}),
            Err(DebugError::RangeOutOfRegion { .. })
        ));
    }
}
