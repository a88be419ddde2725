//! The in-memory ELF object gdb reads for a region of JIT code.
//!
//! A relocatable object with:
//! * `.text`: `SHT_NOBITS` (gdb reads the code from the process), its
//!   address the code's run-time address;
//! * `.eh_frame`: CFI for every range ([`super::cfi`]), absolute addresses
//!   (x86-64 only; elsewhere gdb gets symbols without unwind rules);
//! * `.symtab`: a `FILE` symbol naming the region, then one `FUNC` symbol
//!   per non-empty range (values relative to `.text`, as in any
//!   relocatable object).

use super::{cfi, CodeRegion, DebugError};
use object::elf;
use object::write::elf::{FileHeader, SectionHeader, Sym, Writer};
use object::Endianness;

/// The ELF machine of the host.
const MACHINE: u16 = if cfg!(target_arch = "aarch64") {
    elf::EM_AARCH64
} else {
    elf::EM_X86_64
};

/// Builds the object file describing `region`.
pub fn build(region: &CodeRegion<'_>) -> Result<Vec<u8>, DebugError> {
    region.validate()?;
    let eh_frame = if cfg!(target_arch = "x86_64") {
        cfi::eh_frame(region)?
    } else {
        Vec::new()
    };
    let ranges: Vec<_> = region.ranges.iter().filter(|r| r.size > 0).collect();

    let mut bytes = Vec::new();
    let mut w = Writer::new(Endianness::Little, true, &mut bytes);
    // First pass: reserve everything.
    w.reserve_file_header();
    w.reserve_null_section_index();
    let text_name = w.add_section_name(b".text");
    let text = w.reserve_section_index();
    let eh_name = w.add_section_name(b".eh_frame");
    w.reserve_section_index(); // .eh_frame
    let file_name = w.add_string(region.name.as_bytes());
    w.reserve_null_symbol_index();
    w.reserve_symbol_index(None);
    let names: Vec<_> = ranges
        .iter()
        .map(|r| {
            w.reserve_symbol_index(Some(text));
            w.add_string(r.name.as_bytes())
        })
        .collect();
    w.reserve_symtab_section_index();
    w.reserve_strtab_section_index();
    w.reserve_shstrtab_section_index();
    let eh_offset = w.reserve(eh_frame.len(), 8);
    w.reserve_symtab();
    w.reserve_strtab();
    w.reserve_shstrtab();
    w.reserve_section_headers();

    // Second pass: write in the same order.
    w.write_file_header(&FileHeader {
        os_abi: elf::ELFOSABI_NONE,
        abi_version: 0,
        e_type: elf::ET_REL,
        e_machine: MACHINE,
        e_entry: 0,
        e_flags: 0,
    })
    .map_err(|e| DebugError::Symfile(e.to_string()))?;
    w.write_align(8);
    w.write(&eh_frame);
    w.write_null_symbol();
    w.write_symbol(&Sym {
        name: Some(file_name),
        section: None,
        st_info: (elf::STB_LOCAL << 4) | elf::STT_FILE,
        st_other: elf::STV_DEFAULT,
        st_shndx: elf::SHN_ABS,
        st_value: 0,
        st_size: 0,
    });
    for (range, name) in ranges.iter().zip(names) {
        w.write_symbol(&Sym {
            name: Some(name),
            section: Some(text),
            st_info: (elf::STB_GLOBAL << 4) | elf::STT_FUNC,
            st_other: elf::STV_DEFAULT,
            st_shndx: 0,
            st_value: range.offset as u64,
            st_size: range.size as u64,
        });
    }
    w.write_strtab();
    w.write_shstrtab();
    w.write_null_section_header();
    w.write_section_header(&SectionHeader {
        name: Some(text_name),
        sh_type: elf::SHT_NOBITS,
        sh_flags: u64::from(elf::SHF_ALLOC | elf::SHF_EXECINSTR),
        sh_addr: region.address(),
        sh_offset: 0,
        sh_size: region.code.len() as u64,
        sh_link: 0,
        sh_info: 0,
        sh_addralign: 1,
        sh_entsize: 0,
    });
    w.write_section_header(&SectionHeader {
        name: Some(eh_name),
        sh_type: elf::SHT_PROGBITS,
        sh_flags: u64::from(elf::SHF_ALLOC),
        sh_addr: 0,
        sh_offset: eh_offset as u64,
        sh_size: eh_frame.len() as u64,
        sh_link: 0,
        sh_info: 0,
        sh_addralign: 8,
        sh_entsize: 0,
    });
    // The null symbol and the FILE symbol are local.
    w.write_symtab_section_header(2);
    w.write_strtab_section_header();
    w.write_shstrtab_section_header();
    debug_assert_eq!(w.reserved_len(), w.len());
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jit::debug::CodeRange;
    use object::{Object, ObjectSection, ObjectSymbol, SymbolKind};

    #[test]
    fn object_has_text_at_the_code_address_and_one_symbol_per_range() {
        let code = [0x90u8; 48];
        let ranges = [
            CodeRange::trampoline(0, 16, "t"),
            CodeRange::uop(16, 0, "f", 1, "_NOP"),
            CodeRange::uop(16, 32, "f", 2, "_LOAD_FAST"),
        ];
        let region = CodeRegion::new("executor 1", &code, &ranges);
        let bytes = build(&region).unwrap();
        let file = object::File::parse(&*bytes).unwrap();
        let text = file.section_by_name(".text").unwrap();
        assert_eq!(text.address(), region.address());
        assert_eq!(text.size(), 48);
        let eh = file.section_by_name(".eh_frame").unwrap();
        if cfg!(target_arch = "x86_64") {
            assert!(eh.size() > 0);
        }
        let funcs: Vec<_> = file
            .symbols()
            .filter(|s| s.kind() == SymbolKind::Text)
            .map(|s| (s.name().unwrap().to_string(), s.address(), s.size()))
            .collect();
        assert_eq!(
            funcs,
            [
                ("cpjit:trampoline:t".to_string(), 0, 16),
                ("cpjit:f:2:_LOAD_FAST".to_string(), 16, 32)
            ]
        );
        let file_sym = file
            .symbols()
            .find(|s| s.kind() == SymbolKind::File)
            .unwrap();
        assert_eq!(file_sym.name().unwrap(), "executor 1");
    }
}
